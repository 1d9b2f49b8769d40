//! The Connect flow: from a click to a stored, encrypted connection.
//!
//! [`start`] records a state (and PKCE verifier) and builds the provider's
//! authorize URL with exactly the scopes the provider module declares.
//! [`finish`] checks the state, exchanges the code with the oauth2 crate,
//! reads the account identity, compares granted with required scopes and
//! upserts the connection. Each outcome is a [`Finish`] the HTTP layer turns
//! into a redirect or a page.

use app::domain::{ConnectionId, ConnectionStatus, Viewer};
use oauth2::{
    AuthorizationCode, CsrfToken, PkceCodeChallenge, PkceCodeVerifier, Scope, TokenResponse as _,
};

use super::{
    Integrations, client,
    identity::identify,
    states::{self, StateError},
    store::{self, ACCESS_TOKEN, NewConnection, REFRESH_TOKEN},
    tokens::expiry_of,
};
use crate::{
    db::now_ms,
    providers::{self, ConfiguredProvider},
    vault::SecretToken,
};

/// How a callback ended.
#[derive(Debug)]
pub enum Finish {
    /// Stored; the connection id and its status.
    Connected(ConnectionId, ConnectionStatus),
    /// The user pressed Cancel at the provider.
    Cancelled,
    /// The state was refused; nothing stored.
    BadState(StateError),
    /// The provider or the exchange failed; the message is safe to show.
    Failed(String),
}

/// What the provider sent back to the callback.
#[derive(Debug, Default, serde::Deserialize)]
pub struct CallbackQuery {
    /// Authorization code.
    pub code: Option<String>,
    /// Our state.
    pub state: Option<String>,
    /// Error code, e.g. `access_denied`.
    pub error: Option<String>,
    /// Error text.
    pub error_description: Option<String>,
}

impl Integrations {
    /// A configured OAuth provider by id.
    pub fn oauth_provider(&self, id: &str) -> Option<&ConfiguredProvider> {
        self.provider_named(id)
            .filter(|p| p.oauth().is_some() && p.configured())
    }

    /// Starts a connection: returns the authorize URL to send the browser to.
    pub async fn start(
        &self,
        viewer: &Viewer,
        provider: &ConfiguredProvider,
    ) -> anyhow::Result<String> {
        let spec = provider
            .oauth()
            .ok_or_else(|| anyhow::anyhow!("{} does not use OAuth", provider.spec.id.name()))?;
        let oauth = client::oauth_client(provider, &self.config.public_url)?;
        let (challenge, verifier) = if spec.pkce {
            let (c, v) = PkceCodeChallenge::new_random_sha256();
            (Some(c), Some(v))
        } else {
            (None, None)
        };
        let state = states::create(
            &self.db,
            &self.vault,
            viewer,
            provider.spec.id,
            verifier
                .as_ref()
                .map(PkceCodeVerifier::secret)
                .map(String::as_str),
        )
        .await?;
        let mut request = oauth.authorize_url(|| CsrfToken::new(state)).add_scopes(
            spec.required_scopes
                .iter()
                .map(|s| Scope::new((*s).to_owned())),
        );
        if !spec.optional_scopes.is_empty() {
            request = request.add_extra_param("optional_scope", spec.optional_scopes.join(" "));
        }
        if let Some(challenge) = challenge {
            request = request.set_pkce_challenge(challenge);
        }
        let (url, _) = request.url();
        Ok(url.to_string())
    }

    /// Completes a connection from the callback's query.
    pub async fn finish(
        &self,
        viewer: Option<&Viewer>,
        provider: &ConfiguredProvider,
        query: CallbackQuery,
    ) -> anyhow::Result<Finish> {
        let Some(state) = query.state.as_deref() else {
            return Ok(Finish::BadState(StateError::Unknown));
        };
        let pending =
            match states::consume(&self.db, &self.vault, state, provider.spec.id, viewer).await? {
                Ok(p) => p,
                Err(e) => {
                    if query.error.as_deref() == Some("access_denied") {
                        return Ok(Finish::Cancelled);
                    }
                    return Ok(Finish::BadState(e));
                }
            };
        if let Some(error) = query.error {
            if error == "access_denied" {
                return Ok(Finish::Cancelled);
            }
            let detail = query.error_description.unwrap_or_default();
            return Ok(Finish::Failed(format!(
                "{} refused the connection: {error} {detail}",
                provider.spec.id.name()
            )));
        }
        let Some(code) = query.code else {
            return Ok(Finish::Failed(format!(
                "{} sent no authorization code back.",
                provider.spec.id.name()
            )));
        };
        let spec = provider
            .oauth()
            .ok_or_else(|| anyhow::anyhow!("not an OAuth provider"))?;
        let oauth = client::oauth_client(provider, &self.config.public_url)?;
        let mut exchange = oauth.exchange_code(AuthorizationCode::new(code));
        if let Some(verifier) = &pending.verifier {
            exchange =
                exchange.set_pkce_verifier(PkceCodeVerifier::new(verifier.expose().to_owned()));
        }
        let token = match exchange.request_async(&self.http).await {
            Ok(t) => t,
            Err(e) => {
                let reason = super::tokens::describe(&e);
                tracing::warn!(provider = %provider.spec.id, reason, "code exchange failed");
                return Ok(Finish::Failed(format!(
                    "{} did not accept the authorization ({reason}). Please try again.",
                    provider.spec.id.name()
                )));
            }
        };
        let access = SecretToken::new(token.access_token().secret().clone());
        let refresh = token
            .refresh_token()
            .map(|r| SecretToken::new(r.secret().clone()));
        let identity = match identify(&self.http, provider, &access).await {
            Ok(i) => i,
            Err(e) => {
                tracing::warn!(provider = %provider.spec.id, error = %format!("{e:#}"), "identity lookup failed");
                return Ok(Finish::Failed(format!(
                    "Tally could not read which {} account was connected. Please try again.",
                    provider.spec.id.name()
                )));
            }
        };
        let granted: Vec<String> = identity.scopes.clone().unwrap_or_else(|| {
            token.scopes().map_or_else(
                || {
                    spec.required_scopes
                        .iter()
                        .map(|s| (*s).to_owned())
                        .collect()
                },
                |s| s.iter().map(|s| s.to_string()).collect(),
            )
        });
        let missing = providers::missing_scopes(spec.required_scopes, &granted);
        let status = if missing.is_empty() {
            ConnectionStatus::Connected
        } else {
            ConnectionStatus::MissingScopes
        };
        let mut secrets = vec![(ACCESS_TOKEN, access)];
        if let Some(refresh) = refresh {
            secrets.push((REFRESH_TOKEN, refresh));
        }
        let id = store::upsert(
            &self.db,
            &self.vault,
            NewConnection {
                org_id: pending.org_id,
                provider: provider.spec.id,
                account_id: &identity.account_id,
                account_name: &identity.account_name,
                account_user: &identity.account_user,
                status,
                scopes: &granted,
                user_id: pending.user_id,
                access_expires_at: expiry_of(token.expires_in(), now_ms()),
                secrets,
                api_base: None,
            },
        )
        .await?;
        tracing::info!(
            provider = %provider.spec.id,
            connection = id.0,
            status = status.as_str(),
            "connection stored"
        );
        Ok(Finish::Connected(id, status))
    }
}
