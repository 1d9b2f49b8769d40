//! API tokens for scripts and automation (`Authorization: Bearer` on `/api/v1`).
//!
//! The token is printed once at creation; only its hash is stored, and a
//! revoked token stops working immediately.

use anyhow::Context as _;

use super::{hash_token, new_token};
use crate::db::{Db, now_ms};

/// Prefix that makes Tally tokens recognisable in secret scanners.
pub const PREFIX: &str = "tally_";

/// Creates a token for a user; returns (id, token). The token is not stored.
pub async fn create(db: &Db, user_id: i64, name: &str) -> anyhow::Result<(i64, String)> {
    let (raw, _) = new_token();
    let token = format!("{PREFIX}{raw}");
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO api_tokens (user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4) RETURNING id",
    )
    .bind(user_id)
    .bind(name)
    .bind(hash_token(&token))
    .bind(now_ms())
    .fetch_one(&db.pool)
    .await
    .context("creating an API token")?;
    Ok((id, token))
}

/// The user a live token belongs to; records its use.
pub async fn user_of(db: &Db, token: &str) -> anyhow::Result<Option<i64>> {
    let hash = hash_token(token);
    let row: Option<(i64, i64)> = sqlx::query_as(
        "SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL",
    )
    .bind(&hash)
    .fetch_optional(&db.pool)
    .await
    .context("reading an API token")?;
    let Some((id, user_id)) = row else {
        return Ok(None);
    };
    sqlx::query("UPDATE api_tokens SET last_used_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(&db.pool)
        .await
        .context("recording API token use")?;
    Ok(Some(user_id))
}

/// Revokes a token of a user by id; false when there was no such live token.
pub async fn revoke(db: &Db, user_id: i64, token_id: i64) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "UPDATE api_tokens SET revoked_at = $1 WHERE id = $2 AND user_id = $3 AND revoked_at IS NULL",
    )
    .bind(now_ms())
    .bind(token_id)
    .bind(user_id)
    .execute(&db.pool)
    .await
    .context("revoking an API token")?;
    Ok(done.rows_affected() == 1)
}

/// Revokes every live token of a user (their password changed).
pub async fn revoke_all_for(db: &Db, user_id: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE api_tokens SET revoked_at = $1 WHERE user_id = $2 AND revoked_at IS NULL")
        .bind(now_ms())
        .bind(user_id)
        .execute(&db.pool)
        .await
        .context("revoking a user's API tokens")?;
    Ok(())
}

/// A token as listed to its owner (never the token itself).
#[derive(Debug, Clone, serde::Serialize)]
pub struct TokenInfo {
    /// Token id, used to revoke it.
    pub id: i64,
    /// Name given at creation.
    pub name: String,
    /// Creation time, ms since the epoch.
    pub created_at: i64,
    /// Last use, ms since the epoch.
    pub last_used_at: Option<i64>,
    /// Revocation time, ms since the epoch.
    pub revoked_at: Option<i64>,
}

/// Tokens of a user, newest first.
pub async fn list(db: &Db, user_id: i64) -> anyhow::Result<Vec<TokenInfo>> {
    type Row = (i64, String, i64, Option<i64>, Option<i64>);
    let rows: Vec<Row> = sqlx::query_as(
        "SELECT id, name, created_at, last_used_at, revoked_at FROM api_tokens WHERE user_id = $1 ORDER BY id DESC",
    )
    .bind(user_id)
    .fetch_all(&db.pool)
    .await
    .context("listing API tokens")?;
    Ok(rows
        .into_iter()
        .map(
            |(id, name, created_at, last_used_at, revoked_at)| TokenInfo {
                id,
                name,
                created_at,
                last_used_at,
                revoked_at,
            },
        )
        .collect())
}
