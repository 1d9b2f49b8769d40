//! Connecting HubSpot with a pasted access token (a private app's
//! `pat-na1-…` token or an account service key) instead of OAuth, so a team
//! can try Tally without a HubSpot developer account.
//!
//! The token is checked with HubSpot's private-app token-info call
//! (`POST /oauth/v2/private-apps/get/access-token-info`), which names the
//! portal and the scopes the token holds; "Test connection" shows them
//! against the scopes Tally needs without saving anything, and connecting
//! checks again before the token goes into the vault. Such a token never
//! expires and cannot be refreshed: when HubSpot refuses it later, the
//! token lifecycle (`tokens`) marks the connection "needs re-auth" saying a
//! new token must be pasted.

use app::domain::{ConnectionId, ConnectionStatus, TokenCheck, Viewer};
use serde::Deserialize;

use super::{
    Integrations,
    store::{self, ACCESS_TOKEN, NewConnection},
};
use crate::{
    providers::{self, Provider},
    vault::SecretToken,
};

/// Why a pasted token was not accepted.
#[derive(Debug, thiserror::Error)]
pub enum StaticTokenError {
    /// Nothing was pasted.
    #[error("access_token is required")]
    Missing,
    /// HubSpot does not know the token (mistyped, revoked, app deleted).
    #[error(
        "HubSpot refused this access token ({0}); copy it again from the private app's Auth tab"
    )]
    Refused(String),
    /// HubSpot could not be reached or failed.
    #[error("HubSpot could not be reached ({0}); try again")]
    Unreachable(String),
    /// Database or vault.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// The private-app token-info answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct TokenInfo {
    hub_id: i64,
    #[serde(default)]
    scopes: Vec<String>,
}

impl Integrations {
    /// Checks a pasted HubSpot access token without saving it: the portal,
    /// and the scopes granted against those required.
    #[tracing::instrument(skip_all)]
    pub async fn check_hubspot_token(
        &self,
        token: &SecretToken,
    ) -> Result<TokenCheck, StaticTokenError> {
        let token = token.expose().trim();
        if token.is_empty() {
            return Err(StaticTokenError::Missing);
        }
        let provider = self.provider(Provider::Hubspot);
        let url = format!(
            "{}/oauth/v2/private-apps/get/access-token-info",
            provider.urls.api_base
        );
        let response = self
            .http
            .post(url)
            .json(&serde_json::json!({ "tokenKey": token }))
            .send()
            .await
            .map_err(|e| StaticTokenError::Unreachable(describe_send(&e)))?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(StaticTokenError::Unreachable(format!(
                "it answered {status}"
            )));
        }
        if !status.is_success() {
            return Err(StaticTokenError::Refused(format!("it answered {status}")));
        }
        let info: TokenInfo = response.json().await.map_err(|_| {
            StaticTokenError::Unreachable("its token info could not be read".into())
        })?;
        let required = provider.oauth().map_or(&[][..], |o| o.required_scopes);
        let mut granted = info.scopes;
        granted.sort();
        Ok(TokenCheck {
            account_id: info.hub_id.to_string(),
            missing: providers::missing_scopes(required, &granted),
            required: required.iter().map(|s| (*s).to_owned()).collect(),
            granted,
        })
    }

    /// Checks a pasted HubSpot access token, then stores it encrypted as
    /// the portal's connection (replacing an earlier one of that portal).
    #[tracing::instrument(skip_all, fields(org_id = viewer.org_id.0))]
    pub async fn connect_hubspot_token(
        &self,
        viewer: &Viewer,
        token: SecretToken,
    ) -> Result<(ConnectionId, TokenCheck), StaticTokenError> {
        let check = self.check_hubspot_token(&token).await?;
        let status = if check.missing.is_empty() {
            ConnectionStatus::Connected
        } else {
            ConnectionStatus::MissingScopes
        };
        let token = SecretToken::new(token.expose().trim().to_owned());
        let id = store::upsert(
            &self.db,
            &self.vault,
            NewConnection {
                org_id: viewer.org_id,
                provider: Provider::Hubspot,
                account_id: &check.account_id,
                account_name: &format!("HubSpot portal {}", check.account_id),
                account_user: &viewer.email,
                status,
                scopes: &check.granted,
                user_id: viewer.user_id,
                access_expires_at: None,
                secrets: vec![(ACCESS_TOKEN, token)],
                api_base: None,
            },
        )
        .await?;
        tracing::info!(connection = id.0, "HubSpot access token connected");
        Ok((id, check))
    }
}

/// A secret-free reason a request did not get an answer.
fn describe_send(e: &reqwest::Error) -> String {
    if e.is_timeout() {
        "it did not answer in time".into()
    } else if e.is_connect() {
        "no connection".into()
    } else {
        "the request failed".into()
    }
}
