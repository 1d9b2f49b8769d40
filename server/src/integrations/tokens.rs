//! Keeping access tokens fresh, once per connection across tasks and replicas.
//!
//! [`Integrations::access_token`] is what the sync engine calls. A token with
//! more than five minutes left is returned as is. Otherwise the caller takes
//! a 30-second lease on the connection row (a conditional `UPDATE`, so it
//! works across replicas and on both databases), re-reads the row (another
//! replica may have refreshed meanwhile) and refreshes. Others wait for the
//! lease and read the new token. A refused grant (`invalid_grant`) marks the
//! connection "needs re-auth" at once; timeouts and 5xx answers back off and
//! mark it "degraded", and a still-valid token keeps being served.
//!
//! A 401 from the provider comes back here too:
//! [`Integrations::token_rejected`] refreshes at once, and
//! [`Integrations::token_refused`] marks the connection "needs re-auth" when
//! even a fresh token is refused. Within one sync run the token is cached by
//! a `TokenLease` (the `lease` module).

use std::time::Duration;

use oauth2::{RefreshToken, RequestTokenError, TokenResponse as _, basic::BasicErrorResponseType};

use app::domain::{ConnectionId, ConnectionStatus};

use super::{
    Integrations, client,
    store::{self, ACCESS_TOKEN, API_TOKEN, Connection, REFRESH_TOKEN},
};
use crate::{
    db::now_ms,
    providers::{self, AuthKind, ConfiguredProvider},
    vault::SecretToken,
};

/// Refresh when less than this remains.
pub const REFRESH_MARGIN_MS: i64 = 5 * 60 * 1000;
/// Longest back-off between failed refreshes.
const MAX_BACKOFF_MS: i64 = 15 * 60 * 1000;
/// How long a caller waits for another task's refresh.
const WAIT_FOR_LEASE: Duration = Duration::from_secs(35);

/// A usable access token for a provider call.
#[derive(Debug, Clone)]
pub struct AccessToken {
    /// The token (never logged).
    pub token: SecretToken,
    /// When it expires, epoch ms, if known.
    pub expires_at: Option<i64>,
}

/// Why no token could be handed out.
#[derive(Debug, thiserror::Error)]
pub enum TokenError {
    /// No such connection.
    #[error("no connection {0}")]
    NotFound(ConnectionId),
    /// The user must reconnect.
    #[error("the connection needs to be reconnected")]
    NeedsReauth,
    /// Disconnected.
    #[error("the connection was disconnected")]
    Disconnected,
    /// The provider is failing; retry after back-off.
    #[error("the provider is not answering properly; retrying later: {0}")]
    Degraded(String),
    /// Anything else (database, vault).
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

/// Expiry instant from a token response's `expires_in`.
pub fn expiry_of(expires_in: Option<Duration>, now: i64) -> Option<i64> {
    expires_in.map(|d| now + i64::try_from(d.as_millis()).unwrap_or(i64::MAX / 2))
}

/// A short, secret-free description of a token endpoint failure.
pub fn describe<RE: std::error::Error + 'static>(
    e: &RequestTokenError<RE, oauth2::basic::BasicErrorResponse>,
) -> String {
    match e {
        RequestTokenError::ServerResponse(r) => format!("{}", r.error()),
        RequestTokenError::Request(_) => "the token endpoint could not be reached".to_owned(),
        RequestTokenError::Parse(_, _) => {
            "the token endpoint answered something unexpected".to_owned()
        }
        RequestTokenError::Other(o) => o.clone(),
    }
}

enum Refreshed {
    Ok,
    Revoked(String),
    Transient(String),
    /// A pasted token (no refresh token behind it) was refused.
    Static,
}

fn needs_refresh(conn: &Connection, now: i64) -> bool {
    conn.access_expires_at
        .is_some_and(|at| at - now < REFRESH_MARGIN_MS)
}

fn backoff_ms(failures: i64) -> i64 {
    let exp = u32::try_from(failures.clamp(0, 10)).unwrap_or(10);
    (30_000_i64.saturating_mul(2_i64.pow(exp))).min(MAX_BACKOFF_MS)
}

impl Integrations {
    /// A valid access token for a connection, refreshing it first when it
    /// has less than five minutes left. Safe to call from many tasks and
    /// replicas at once: only one refreshes.
    pub async fn access_token(
        &self,
        connection_id: ConnectionId,
    ) -> Result<AccessToken, TokenError> {
        let started = std::time::Instant::now();
        loop {
            let conn = self.connection(connection_id).await?;
            let now = now_ms();
            if !needs_refresh(&conn, now) {
                return self.stored_token(&conn).await;
            }
            let still_valid = conn.access_expires_at.is_some_and(|at| at > now);
            if conn.retry_after.is_some_and(|t| t > now) {
                // Backing off after a failure: serve what still works.
                if still_valid {
                    return self.stored_token(&conn).await;
                }
                return Err(TokenError::Degraded(
                    conn.last_error.unwrap_or_else(|| "refresh failed".into()),
                ));
            }
            if store::try_lock(&self.db, conn.id).await? {
                return self.refresh_locked(connection_id).await;
            }
            if started.elapsed() > WAIT_FOR_LEASE {
                if still_valid {
                    return self.stored_token(&conn).await;
                }
                return Err(TokenError::Degraded("a refresh is taking too long".into()));
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
    }

    /// The provider answered 401 to `connection_id`'s current access token:
    /// marks it expired and refreshes (once across tasks and replicas).
    /// A refused grant marks the connection "needs re-auth" with the reason.
    #[tracing::instrument(skip_all, fields(connection_id = connection_id.0))]
    pub async fn token_rejected(
        &self,
        connection_id: ConnectionId,
    ) -> Result<AccessToken, TokenError> {
        self.connection(connection_id).await?;
        store::expire_access(&self.db, connection_id).await?;
        self.access_token(connection_id).await
    }

    /// The provider refused even a freshly refreshed token: the grant is no
    /// longer good, so the connection needs re-auth.
    #[tracing::instrument(skip_all, fields(connection_id = connection_id.0))]
    pub async fn token_refused(&self, connection_id: ConnectionId) -> Result<(), TokenError> {
        tracing::warn!("refreshed token refused; needs re-auth");
        store::record_failure(
            &self.db,
            connection_id,
            ConnectionStatus::NeedsReauth,
            "the provider refused the access token",
            None,
        )
        .await?;
        Ok(())
    }

    async fn connection(&self, id: ConnectionId) -> Result<Connection, TokenError> {
        let conn = store::get(&self.db, id)
            .await?
            .ok_or(TokenError::NotFound(id))?;
        match conn.status {
            ConnectionStatus::NeedsReauth => Err(TokenError::NeedsReauth),
            ConnectionStatus::Disconnected => Err(TokenError::Disconnected),
            _ => Ok(conn),
        }
    }

    async fn stored_token(&self, conn: &Connection) -> Result<AccessToken, TokenError> {
        let token = match store::secret(&self.db, &self.vault, conn, ACCESS_TOKEN).await? {
            Some(t) => t,
            // API-key connections keep their secret as the API token.
            None => store::secret(&self.db, &self.vault, conn, API_TOKEN)
                .await?
                .ok_or(TokenError::NeedsReauth)?,
        };
        Ok(AccessToken {
            token,
            expires_at: conn.access_expires_at,
        })
    }

    /// Holding the lease: re-read, refresh if still needed, release.
    #[tracing::instrument(skip_all, fields(connection_id = id.0))]
    async fn refresh_locked(&self, id: ConnectionId) -> Result<AccessToken, TokenError> {
        let conn = match self.connection(id).await {
            Ok(c) => c,
            Err(e) => {
                store::unlock(&self.db, id).await?;
                return Err(e);
            }
        };
        if !needs_refresh(&conn, now_ms()) {
            store::unlock(&self.db, id).await?;
            return self.stored_token(&conn).await;
        }
        let provider = self.provider(conn.provider).clone();
        match self.refresh(&provider, &conn).await {
            Ok(Refreshed::Ok) => {
                tracing::info!(
                    provider = %provider.spec.id,
                    connection = id.0,
                    "access token refreshed"
                );
                let conn = self.connection(id).await?;
                self.stored_token(&conn).await
            }
            Ok(Refreshed::Revoked(reason)) => {
                tracing::warn!(
                    provider = %provider.spec.id,
                    connection = id.0,
                    reason,
                    "grant refused; needs re-auth"
                );
                store::record_failure(
                    &self.db,
                    id,
                    ConnectionStatus::NeedsReauth,
                    &format!(
                        "{} refused the grant ({reason}); reconnect it",
                        provider.spec.id.name()
                    ),
                    None,
                )
                .await?;
                Err(TokenError::NeedsReauth)
            }
            Ok(Refreshed::Static) => {
                tracing::warn!(
                    provider = %provider.spec.id,
                    connection = id.0,
                    "pasted access token refused; needs re-auth"
                );
                store::record_failure(
                    &self.db,
                    id,
                    ConnectionStatus::NeedsReauth,
                    &match provider.spec.auth {
                        AuthKind::ApiKey(_) => format!(
                            "{} refused the saved API credentials (changed, revoked, or the \
                             API user deactivated); connect again with new ones",
                            provider.spec.id.name()
                        ),
                        AuthKind::OAuth2(_) => format!(
                            "{} refused the pasted access token (revoked, or its private app \
                             deleted); connect again with a new token",
                            provider.spec.id.name()
                        ),
                    },
                    None,
                )
                .await?;
                Err(TokenError::NeedsReauth)
            }
            Ok(Refreshed::Transient(reason)) => {
                tracing::warn!(
                    provider = %provider.spec.id,
                    connection = id.0,
                    reason,
                    "refresh failed; backing off"
                );
                let message = format!("refreshing the token failed: {reason}");
                store::record_failure(
                    &self.db,
                    id,
                    ConnectionStatus::Degraded,
                    &message,
                    Some(now_ms() + backoff_ms(conn.refresh_failures)),
                )
                .await?;
                if conn.access_expires_at.is_some_and(|at| at > now_ms()) {
                    self.stored_token(&conn).await
                } else {
                    Err(TokenError::Degraded(message))
                }
            }
            Err(e) => {
                store::unlock(&self.db, id).await?;
                Err(TokenError::Internal(e))
            }
        }
    }

    #[tracing::instrument(skip_all, fields(connection_id = conn.id.0))]
    async fn refresh(
        &self,
        provider: &ConfiguredProvider,
        conn: &Connection,
    ) -> anyhow::Result<Refreshed> {
        let Some(refresh) = store::secret(&self.db, &self.vault, conn, REFRESH_TOKEN).await? else {
            return Ok(Refreshed::Static);
        };
        let oauth = client::oauth_client(provider, &self.config.public_url)?;
        let result = oauth
            .exchange_refresh_token(&RefreshToken::new(refresh.expose().to_owned()))
            .request_async(&self.http)
            .await;
        let token = match result {
            Ok(t) => t,
            Err(RequestTokenError::ServerResponse(r))
                if *r.error() == BasicErrorResponseType::InvalidGrant =>
            {
                return Ok(Refreshed::Revoked("invalid_grant".into()));
            }
            Err(e) => return Ok(Refreshed::Transient(describe(&e))),
        };
        let access = SecretToken::new(token.access_token().secret().clone());
        let new_refresh = token
            .refresh_token()
            .map(|r| SecretToken::new(r.secret().clone()));
        let required = provider.oauth().map_or(&[][..], |o| o.required_scopes);
        let status = if providers::missing_scopes(required, &conn.scopes_granted).is_empty() {
            ConnectionStatus::Connected
        } else {
            ConnectionStatus::MissingScopes
        };
        store::save_refresh(
            &self.db,
            &self.vault,
            conn,
            &access,
            new_refresh.as_ref(),
            expiry_of(token.expires_in(), now_ms()),
            status,
        )
        .await?;
        Ok(Refreshed::Ok)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_grows_and_caps() {
        assert_eq!(backoff_ms(0), 30_000);
        assert_eq!(backoff_ms(1), 60_000);
        assert_eq!(backoff_ms(20), MAX_BACKOFF_MS);
    }
}
