//! Connecting an API-key provider (Aircall): check the key with the
//! provider's test call, then store it encrypted like a token.

use app::domain::{ConnectionId, ConnectionStatus, Viewer};

use super::{
    Integrations,
    store::{self, API_TOKEN, NewConnection},
};
use crate::{providers::AuthKind, vault::SecretToken};

/// Why a key was not saved.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Not an API-key provider.
    #[error("this provider connects with OAuth")]
    NotApiKey,
    /// A field is empty.
    #[error("{0} is required")]
    Missing(&'static str),
    /// The provider refused the key.
    #[error("the provider refused these credentials")]
    Refused,
    /// The provider could not be reached.
    #[error("the provider could not be reached; try again")]
    Unreachable,
    /// Database or vault.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl Integrations {
    /// Checks and stores an API key; returns the connection id.
    pub async fn connect_key(
        &self,
        viewer: &Viewer,
        provider_id: &str,
        key_id: &str,
        key_secret: SecretToken,
    ) -> Result<ConnectionId, KeyError> {
        let provider = self
            .provider_named(provider_id)
            .ok_or(KeyError::NotApiKey)?;
        let AuthKind::ApiKey(spec) = provider.spec.auth else {
            return Err(KeyError::NotApiKey);
        };
        let key_id = key_id.trim();
        if key_id.is_empty() {
            return Err(KeyError::Missing("api_id"));
        }
        if key_secret.expose().trim().is_empty() {
            return Err(KeyError::Missing("api_token"));
        }
        let url = format!("{}{}", provider.urls.api_base, spec.test_path);
        let response = self
            .http
            .get(url)
            .basic_auth(key_id, Some(key_secret.expose()))
            .send()
            .await
            .map_err(|_| KeyError::Unreachable)?;
        if response.status().is_server_error() {
            return Err(KeyError::Unreachable);
        }
        if !response.status().is_success() {
            return Err(KeyError::Refused);
        }
        let id = store::upsert(
            &self.db,
            &self.vault,
            NewConnection {
                org_id: viewer.org_id,
                provider: provider.spec.id,
                account_id: key_id,
                account_name: key_id,
                account_user: &viewer.email,
                status: ConnectionStatus::Connected,
                scopes: &[],
                user_id: viewer.user_id,
                access_expires_at: None,
                secrets: vec![(API_TOKEN, key_secret)],
            },
        )
        .await?;
        tracing::info!(
            provider = %provider.spec.id,
            connection = id.0,
            "API key connected"
        );
        Ok(id)
    }
}
