//! Moving stored secrets to the active key, and refusing to start without
//! the keys they need.
//!
//! [`rotate`] works online in small batches, each its own transaction, and
//! only touches rows whose key id differs from the active one; an update only
//! lands if the row still holds the ciphertext that was read, so a token
//! refreshed meanwhile is never overwritten. Run it again after an
//! interruption and it carries on where it stopped.

use anyhow::Context as _;
use app::domain::{ConnectionId, OrgId};

use super::{SecretContext, Vault};
use crate::db::{Db, now_ms};

/// Rows re-encrypted per transaction.
pub const BATCH: i64 = 50;

/// What a rotation did.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub struct RotateReport {
    /// Secrets re-encrypted under the active key.
    pub rotated: u64,
    /// Rows that changed under us (already rewritten by a refresh).
    pub skipped: u64,
}

/// The field name a pending OAuth state's PKCE verifier is sealed under.
pub fn verifier_field(state_hash: &str) -> String {
    format!("pkce_verifier:{state_hash}")
}

/// Re-encrypts every stored secret not on the active key.
pub async fn rotate(db: &Db, vault: &Vault) -> anyhow::Result<RotateReport> {
    let active = vault.keyring().active_id().to_owned();
    let mut report = RotateReport::default();
    let mut after = 0_i64;
    loop {
        let rows: Vec<(i64, OrgId, ConnectionId, String, String)> = sqlx::query_as(
            "SELECT id, org_id, connection_id, field, ciphertext FROM connection_secrets \
             WHERE key_id <> $1 AND id > $2 ORDER BY id LIMIT $3",
        )
        .bind(&active)
        .bind(after)
        .bind(BATCH)
        .fetch_all(&db.pool)
        .await
        .context("reading secrets to rotate")?;
        let Some(last) = rows.last() else { break };
        after = last.0;
        let mut tx = db.begin().await?;
        for (id, org_id, connection_id, field, old) in rows {
            let ctx = SecretContext {
                org_id,
                connection_id,
                field: &field,
            };
            let plain = vault
                .open(ctx, &old)
                .with_context(|| format!("opening secret {id}"))?;
            let sealed = vault.seal(ctx, plain.expose())?;
            let done = sqlx::query(
                "UPDATE connection_secrets SET ciphertext = $1, key_id = $2, updated_at = $3 \
                 WHERE id = $4 AND ciphertext = $5",
            )
            .bind(&sealed.text)
            .bind(&sealed.key_id)
            .bind(now_ms())
            .bind(id)
            .bind(&old)
            .execute(&mut *tx)
            .await?;
            if done.rows_affected() == 1 {
                report.rotated += 1;
            } else {
                report.skipped += 1;
            }
        }
        tx.commit().await.context("committing a rotation batch")?;
    }
    report.rotated += rotate_states(db, vault, &active).await?;
    Ok(report)
}

async fn rotate_states(db: &Db, vault: &Vault, active: &str) -> anyhow::Result<u64> {
    sqlx::query("DELETE FROM oauth_states WHERE expires_at < $1")
        .bind(now_ms())
        .execute(&db.pool)
        .await?;
    let rows: Vec<(i64, OrgId, String, String)> = sqlx::query_as(
        "SELECT id, org_id, state_hash, verifier_ciphertext FROM oauth_states \
         WHERE key_id IS NOT NULL AND key_id <> $1 AND verifier_ciphertext IS NOT NULL",
    )
    .bind(active)
    .fetch_all(&db.pool)
    .await?;
    let mut rotated = 0;
    for (id, org_id, hash, old) in rows {
        let field = verifier_field(&hash);
        let ctx = SecretContext {
            org_id,
            connection_id: ConnectionId(0),
            field: &field,
        };
        let sealed = vault.seal(ctx, vault.open(ctx, &old)?.expose())?;
        rotated += sqlx::query(
            "UPDATE oauth_states SET verifier_ciphertext = $1, key_id = $2 \
             WHERE id = $3 AND verifier_ciphertext = $4",
        )
        .bind(&sealed.text)
        .bind(&sealed.key_id)
        .bind(id)
        .bind(&old)
        .execute(&db.pool)
        .await?
        .rows_affected();
    }
    Ok(rotated)
}

/// Refuses to go on when stored secrets name a key the keyring lacks.
pub async fn check_keys(db: &Db, vault: &Vault) -> anyhow::Result<()> {
    let mut used: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT key_id FROM connection_secrets")
        .fetch_all(&db.pool)
        .await
        .context("reading the key ids of stored secrets")?;
    used.extend(
        sqlx::query_as::<_, (String,)>(
            "SELECT DISTINCT key_id FROM oauth_states WHERE key_id IS NOT NULL AND expires_at >= $1",
        )
        .bind(now_ms())
        .fetch_all(&db.pool)
        .await?,
    );
    let known = vault.keyring().ids();
    let mut missing: Vec<String> = used
        .into_iter()
        .map(|(id,)| id)
        .filter(|id| !known.contains(&id.as_str()))
        .collect();
    missing.sort();
    missing.dedup();
    anyhow::ensure!(
        missing.is_empty(),
        "stored secrets are encrypted with key id(s) {} that the keyring ({}) lacks; \
         add the old key back to TALLY_SECRET_KEYS after the active one \
         (e.g. `new:…,{}:…`) and run `tally keys rotate`",
        missing.join(", "),
        known.join(", "),
        missing.first().map_or("old", String::as_str),
    );
    Ok(())
}
