//! Pending authorizations: the `state` and PKCE verifier of each Connect click.
//!
//! The state is 256 random bits; only its SHA-256 is stored, with the user,
//! organisation, provider and a 10-minute expiry. The PKCE verifier is sealed
//! in the vault. A state is used once: the callback marks it used before
//! anything else, so a replay finds it spent.

use app::domain::{ConnectionId, OrgId, Provider, Viewer};

use crate::{
    accounts::{hash_token, new_token},
    db::{Db, now_ms},
    vault::{SecretContext, SecretToken, Vault, rotate::verifier_field},
};

/// How long a Connect click stays valid.
pub const TTL_MS: i64 = 10 * 60 * 1000;

/// Why a callback's state was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StateError {
    /// Tally never issued it (or it was cleaned up long ago).
    Unknown,
    /// It was used already.
    Reused,
    /// Older than ten minutes.
    Expired,
    /// Started by someone else, or for another provider.
    OtherUser,
}

impl StateError {
    /// What the error page says.
    pub fn message(self) -> &'static str {
        match self {
            Self::Unknown => {
                "This connection link was not issued by Tally. Start again from the Integrations page."
            }
            Self::Reused => {
                "This connection link was already used. Start again from the Integrations page."
            }
            Self::Expired => {
                "This connection link expired (they last 10 minutes). Start again from the Integrations page."
            }
            Self::OtherUser => {
                "This connection was started by another user or for another provider. Start again from the Integrations page yourself."
            }
        }
    }
}

/// A consumed, valid state.
#[derive(Debug)]
pub struct PendingAuth {
    /// Organisation.
    pub org_id: OrgId,
    /// User who clicked Connect.
    pub user_id: i64,
    /// PKCE verifier, when one was sent.
    pub verifier: Option<SecretToken>,
}

/// Records a state (and the sealed PKCE verifier) for the viewer; returns
/// the raw state for the authorize URL. Also drops states a day past expiry.
pub async fn create(
    db: &Db,
    vault: &Vault,
    viewer: &Viewer,
    provider: Provider,
    verifier: Option<&str>,
) -> anyhow::Result<String> {
    let (state, hash) = new_token();
    let now = now_ms();
    let sealed = verifier
        .map(|v| {
            let field = verifier_field(&hash);
            vault.seal(
                SecretContext {
                    org_id: viewer.org_id,
                    connection_id: ConnectionId(0),
                    field: &field,
                },
                v,
            )
        })
        .transpose()?;
    sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
        .bind(now - 24 * 3600 * 1000)
        .execute(&db.pool)
        .await?;
    sqlx::query(
        "INSERT INTO oauth_states (state_hash, provider, org_id, user_id, key_id, \
         verifier_ciphertext, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(&hash)
    .bind(provider.as_str())
    .bind(viewer.org_id)
    .bind(viewer.user_id)
    .bind(sealed.as_ref().map(|s| s.key_id.clone()))
    .bind(sealed.map(|s| s.text))
    .bind(now)
    .bind(now + TTL_MS)
    .execute(&db.pool)
    .await?;
    Ok(state)
}

/// Marks a state used (whatever happens next) and checks it belongs to this
/// viewer and provider and has not expired.
pub async fn consume(
    db: &Db,
    vault: &Vault,
    state: &str,
    provider: Provider,
    viewer: Option<&Viewer>,
) -> anyhow::Result<Result<PendingAuth, StateError>> {
    let hash = hash_token(state);
    let row: Option<(i64, String, OrgId, i64, Option<String>, i64)> = sqlx::query_as(
        "SELECT id, provider, org_id, user_id, verifier_ciphertext, expires_at \
         FROM oauth_states WHERE state_hash = $1",
    )
    .bind(&hash)
    .fetch_optional(&db.pool)
    .await?;
    let Some((id, state_provider, org_id, user_id, sealed, expires_at)) = row else {
        return Ok(Err(StateError::Unknown));
    };
    let now = now_ms();
    let used = sqlx::query(
        "UPDATE oauth_states SET used_at = $1, verifier_ciphertext = NULL, key_id = NULL \
         WHERE id = $2 AND used_at IS NULL",
    )
    .bind(now)
    .bind(id)
    .execute(&db.pool)
    .await?
    .rows_affected()
        == 1;
    if !used {
        return Ok(Err(StateError::Reused));
    }
    if expires_at < now {
        return Ok(Err(StateError::Expired));
    }
    if state_provider != provider.as_str() || viewer.is_none_or(|v| v.user_id != user_id) {
        return Ok(Err(StateError::OtherUser));
    }
    let verifier = sealed
        .map(|text| {
            let field = verifier_field(&hash);
            vault.open(
                SecretContext {
                    org_id,
                    connection_id: ConnectionId(0),
                    field: &field,
                },
                &text,
            )
        })
        .transpose()?;
    Ok(Ok(PendingAuth {
        org_id,
        user_id,
        verifier,
    }))
}
