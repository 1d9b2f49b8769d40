//! Browser sessions: a random cookie value whose SHA-256 is the row key.
//!
//! A stolen database therefore holds no usable session; expiry slides
//! forward on use, and deactivating a user deletes their sessions.

use std::time::Duration;

use anyhow::Context as _;

use app::domain::Viewer;
use sqlx::Row as _;

use super::{
    hash_token, new_token,
    users::{VIEWER_COLUMNS, viewer_from},
};
use crate::db::{Db, now_ms};

/// Name of the session cookie.
pub const COOKIE: &str = "tally_session";

/// Starts a session and returns the cookie value (shown to the browser only).
pub async fn create(db: &Db, user_id: i64, ttl: Duration) -> anyhow::Result<String> {
    let (token, hash) = new_token();
    let now = now_ms();
    sqlx::query("INSERT INTO sessions (token_hash, user_id, created_at, expires_at) VALUES ($1, $2, $3, $4)")
        .bind(&hash)
        .bind(user_id)
        .bind(now)
        .bind(now + ttl_ms(ttl))
        .execute(&db.pool)
        .await
        .context("creating a session")?;
    Ok(token)
}

fn ttl_ms(ttl: Duration) -> i64 {
    i64::try_from(ttl.as_millis()).unwrap_or(i64::MAX / 2)
}

/// The active user of a live session, sliding its expiry forward. One
/// query reads the session and its user: every signed-in request pays it.
pub async fn viewer_of(db: &Db, token: &str, ttl: Duration) -> anyhow::Result<Option<Viewer>> {
    let hash = hash_token(token);
    let now = now_ms();
    let row = sqlx::query(&format!(
        "SELECT {VIEWER_COLUMNS}, s.expires_at FROM sessions s \
         JOIN users u ON u.id = s.user_id JOIN organizations o ON o.id = u.org_id \
         WHERE s.token_hash = $1 AND u.active = 1"
    ))
    .bind(&hash)
    .fetch_optional(&db.pool)
    .await
    .context("reading a session")?;
    let Some(row) = row else {
        return Ok(None);
    };
    let expires_at: i64 = row.try_get(VIEWER_COLUMNS.split(',').count())?;
    if expires_at <= now {
        end(db, token).await?;
        return Ok(None);
    }
    // Refresh at most once a minute to keep reads cheap.
    if expires_at - now < ttl_ms(ttl) - 60_000 {
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE token_hash = $2")
            .bind(now + ttl_ms(ttl))
            .bind(&hash)
            .execute(&db.pool)
            .await
            .context("extending a session")?;
    }
    let mut viewer = viewer_from(&row)?;
    viewer.session = Some(hash);
    Ok(Some(viewer))
}

/// Ends one session.
pub async fn end(db: &Db, token: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE token_hash = $1")
        .bind(hash_token(token))
        .execute(&db.pool)
        .await
        .context("ending a session")?;
    Ok(())
}

/// Ends every session of a user but `keep` (a session's row key): after a
/// password change, every other browser signs in again.
pub async fn end_others(db: &Db, user_id: i64, keep: Option<&str>) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2")
        .bind(user_id)
        .bind(keep.unwrap_or(""))
        .execute(&db.pool)
        .await
        .context("ending a user's other sessions")?;
    Ok(())
}

/// Ends every session of a user (deactivation, password change elsewhere).
pub async fn end_all_for(db: &Db, user_id: i64) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM sessions WHERE user_id = $1")
        .bind(user_id)
        .execute(&db.pool)
        .await
        .context("ending a user's sessions")?;
    Ok(())
}
