//! Sign-in throttling per account and per client address.
//!
//! Attempts are rows in the database (not process memory) so the limit holds
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

/// A sign-in attempt, counted as a failure *before* the password is
/// checked: concurrent guesses each see the ones before them, so no more
/// than the limit are ever evaluated. [`Attempt::succeeded`] takes it back.
#[derive(Debug)]
#[must_use = "a successful sign-in must take its attempt back"]
pub struct Attempt {
    ids: Vec<i64>,
}

impl Attempt {
    /// The credentials were right: the attempt was not a failure, and the
    /// account's earlier failures are forgotten.
    pub async fn succeeded(self, db: &Db, email: &str) -> anyhow::Result<()> {
        forget(db, &self.ids).await?;
        clear_account(db, email).await
    }

    /// The credentials were never checked (no turn to hash): not a failure.
    pub async fn withdraw(self, db: &Db) -> anyhow::Result<()> {
        forget(db, &self.ids).await
    }
}

/// Records an attempt for the account and the address, or refuses it with
/// the seconds to wait when either is over its limit (a refused attempt is
/// not recorded, so waiting it out works).
pub async fn begin(db: &Db, email: &str, address: &str) -> anyhow::Result<Result<Attempt, u64>> {
    begin_in(
        db,
        &[
            ("account", email, PER_ACCOUNT),
            ("address", address, PER_ADDRESS),
        ],
    )
    .await
}

/// [`begin`] for the account alone: a signed-in user re-entering their
/// password (changing it), where the address adds nothing.
pub async fn begin_for_account(db: &Db, email: &str) -> anyhow::Result<Result<Attempt, u64>> {
    begin_in(db, &[("account", email, PER_ACCOUNT)]).await
}

async fn begin_in(db: &Db, scopes: &[(&str, &str, i64)]) -> anyhow::Result<Result<Attempt, u64>> {
    let now = now_ms();
    let since = now - WINDOW_MS;
    // Keep the table small: drop failures older than the window.
    sqlx::query("DELETE FROM login_failures WHERE failed_at < $1")
        .bind(since)
        .execute(&db.pool)
        .await
        .context("pruning sign-in failures")?;
    let mut ids = Vec::with_capacity(2);
    let mut wait: Option<u64> = None;
    for &(scope, subject, limit) in scopes {
        let id: i64 = sqlx::query_scalar(
            "INSERT INTO login_failures (scope, subject, failed_at) VALUES ($1, $2, $3) RETURNING id",
        )
        .bind(scope)
        .bind(subject)
        .bind(now)
        .fetch_one(&db.pool)
        .await
        .context("recording a sign-in attempt")?;
        ids.push(id);
        // Attempts before this one (and this one) in the window.
        let (count, oldest): (i64, Option<i64>) = sqlx::query_as(
            "SELECT COUNT(*), MIN(failed_at) FROM login_failures \
             WHERE scope = $1 AND subject = $2 AND failed_at > $3 AND id <= $4",
        )
        .bind(scope)
        .bind(subject)
        .bind(since)
        .bind(id)
        .fetch_one(&db.pool)
        .await
        .context("reading sign-in failures")?;
        if count > limit {
            let secs = oldest.map_or(60, |t| {
                u64::try_from((t + WINDOW_MS - now) / 1000 + 1).unwrap_or(1)
            });
            wait = Some(wait.map_or(secs, |w| w.max(secs)));
        }
    }
    match wait {
        Some(secs) => {
            forget(db, &ids).await?;
            Ok(Err(secs))
        }
        None => Ok(Ok(Attempt { ids })),
    }
}

async fn forget(db: &Db, ids: &[i64]) -> anyhow::Result<()> {
    for id in ids {
        sqlx::query("DELETE FROM login_failures WHERE id = $1")
            .bind(id)
            .execute(&db.pool)
            .await
            .context("taking back a sign-in attempt")?;
    }
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
