//! Sign-in throttling per account and per client address.
//!
//! Failures are rows in the database (not process memory) so the limit holds
//! across replicas. An account is locked after 5 failures in 15 minutes and an
//! address after 20, until the oldest failure in the window ages out.

use anyhow::Context as _;

use crate::db::{Db, now_ms};

/// Sliding window length.
pub const WINDOW_MS: i64 = 15 * 60 * 1000;
/// Failures allowed per account in the window.
pub const PER_ACCOUNT: i64 = 5;
/// Failures allowed per client address in the window.
pub const PER_ADDRESS: i64 = 20;

/// Seconds until the next attempt is allowed, or `None` if allowed now.
pub async fn retry_after(db: &Db, email: &str, address: &str) -> anyhow::Result<Option<u64>> {
    let since = now_ms() - WINDOW_MS;
    let mut wait = None;
    for (scope, subject, limit) in [
        ("account", email, PER_ACCOUNT),
        ("address", address, PER_ADDRESS),
    ] {
        let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(failed_at) FROM login_failures WHERE scope = $1 AND subject = $2 AND failed_at > $3",
        )
        .bind(scope)
        .bind(subject)
        .bind(since)
        .fetch_one(&db.pool)
        .await
        .context("reading sign-in failures")?;
        if count >= limit {
            let secs = oldest.map_or(60, |t| {
                u64::try_from((t + WINDOW_MS - now_ms()) / 1000 + 1).unwrap_or(1)
            });
            wait = Some(wait.map_or(secs, |w: u64| w.max(secs)));
        }
    }
    Ok(wait)
}

/// Records a failed attempt for both the account and the address.
pub async fn record_failure(db: &Db, email: &str, address: &str) -> anyhow::Result<()> {
    let now = now_ms();
    for (scope, subject) in [("account", email), ("address", address)] {
        sqlx::query("INSERT INTO login_failures (scope, subject, failed_at) VALUES ($1, $2, $3)")
            .bind(scope)
            .bind(subject)
            .bind(now)
            .execute(&db.pool)
            .await
            .context("recording a sign-in failure")?;
    }
    // Keep the table small: drop failures older than the window.
    sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
        .bind(now - WINDOW_MS)
        .execute(&db.pool)
        .await
        .context("pruning sign-in failures")?;
    Ok(())
}

/// Forgets an account's failures after a successful sign-in.
pub async fn clear_account(db: &Db, email: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM login_failures WHERE scope = 'account' AND subject = $1")
        .bind(email)
        .execute(&db.pool)
        .await
        .context("clearing sign-in failures")?;
    Ok(())
}
