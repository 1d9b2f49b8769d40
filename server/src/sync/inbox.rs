//! The webhook inbox: webhook work that survives a crash or a restart.
//!
//! A verified delivery records its ids (de-duplication) and its work for
//! each connection in one transaction, before the 2xx, so an acknowledged
//! event is never only in memory. A sync run claims a connection's items
//! with a lease (`claimed_by` + `claimed_until`, renewed while it works):
//! an `UPDATE … WHERE` the claim is free is atomic on both backends, so two
//! replicas never take the same item, and a crashed run's claim simply
//! expires. Items are deleted when the run that claimed them succeeds; a
//! failed run frees them with a growing delay, and gives up after
//! [`MAX_ATTEMPTS`].

use app::domain::{ConnectionId, Provider};
use sqlx::AnyConnection;

use super::work::{Work, decode, encode};
use crate::db::{Db, now_ms};

/// Failed runs an item survives before it is dropped (and logged).
pub const MAX_ATTEMPTS: i64 = 5;
/// Delay before a failed item is retried, per attempt made.
pub const RETRY_STEP_MS: i64 = 2_000;

/// Records a delivery id inside the caller's transaction; false when it
/// was seen before.
pub async fn first_delivery(
    conn: &mut AnyConnection,
    provider: Provider,
    id: &str,
) -> anyhow::Result<bool> {
    let done = sqlx::query(
        "INSERT INTO webhook_deliveries (provider, delivery_id, received_at) VALUES ($1, $2, $3) \
         ON CONFLICT (provider, delivery_id) DO NOTHING",
    )
    .bind(provider.as_str())
    .bind(id)
    .bind(now_ms())
    .execute(conn)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Queues work for a connection inside the caller's transaction.
pub async fn push(
    conn: &mut AnyConnection,
    connection_id: ConnectionId,
    work: &Work,
) -> anyhow::Result<()> {
    sqlx::query("INSERT INTO webhook_inbox (connection_id, work, received_at) VALUES ($1, $2, $3)")
        .bind(connection_id)
        .bind(encode(work))
        .bind(now_ms())
        .execute(conn)
        .await?;
    Ok(())
}

/// Connections with items nobody holds.
pub async fn waiting(db: &Db) -> anyhow::Result<Vec<ConnectionId>> {
    let rows: Vec<(ConnectionId,)> = sqlx::query_as(
        "SELECT DISTINCT connection_id FROM webhook_inbox \
         WHERE claimed_until IS NULL OR claimed_until < $1",
    )
    .bind(now_ms())
    .fetch_all(&db.pool)
    .await?;
    Ok(rows.into_iter().map(|(c,)| c).collect())
}

/// Whether a connection has items nobody holds.
pub async fn has_waiting(db: &Db, connection_id: ConnectionId) -> anyhow::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT id FROM webhook_inbox WHERE connection_id = $1 \
         AND (claimed_until IS NULL OR claimed_until < $2) LIMIT 1",
    )
    .bind(connection_id)
    .bind(now_ms())
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.is_some())
}

/// Claims every free item of a connection for `ttl_ms` under `claim` (a
/// token unique to the run) and returns their work, oldest first. Items
/// another claim holds are left alone.
pub async fn claim(
    db: &Db,
    connection_id: ConnectionId,
    claim: &str,
    ttl_ms: i64,
) -> anyhow::Result<Vec<Work>> {
    let now = now_ms();
    sqlx::query(
        "UPDATE webhook_inbox SET claimed_by = $1, claimed_until = $2 \
         WHERE connection_id = $3 AND (claimed_until IS NULL OR claimed_until < $4)",
    )
    .bind(claim)
    .bind(now + ttl_ms)
    .bind(connection_id)
    .bind(now)
    .execute(&db.pool)
    .await?;
    let rows: Vec<(i64, String)> =
        sqlx::query_as("SELECT id, work FROM webhook_inbox WHERE claimed_by = $1 ORDER BY id")
            .bind(claim)
            .fetch_all(&db.pool)
            .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (id, text) in rows {
        match decode(&text) {
            Some(w) => out.push(w),
            None => {
                tracing::warn!(id, "dropping unreadable webhook inbox item");
                sqlx::query("DELETE FROM webhook_inbox WHERE id = $1")
                    .bind(id)
                    .execute(&db.pool)
                    .await?;
            }
        }
    }
    Ok(out)
}

/// Extends a claim while its run works.
pub async fn renew(db: &Db, claim: &str, ttl_ms: i64) -> anyhow::Result<()> {
    sqlx::query("UPDATE webhook_inbox SET claimed_until = $1 WHERE claimed_by = $2")
        .bind(now_ms() + ttl_ms)
        .bind(claim)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The claiming run succeeded: its items are done.
pub async fn done(db: &Db, claim: &str) -> anyhow::Result<()> {
    sqlx::query("DELETE FROM webhook_inbox WHERE claimed_by = $1")
        .bind(claim)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// The claiming run failed: its items wait a little longer each time, and
/// are dropped after [`MAX_ATTEMPTS`].
pub async fn failed(db: &Db, claim: &str) -> anyhow::Result<()> {
    let dropped =
        sqlx::query("DELETE FROM webhook_inbox WHERE claimed_by = $1 AND attempts + 1 >= $2")
            .bind(claim)
            .bind(MAX_ATTEMPTS)
            .execute(&db.pool)
            .await?
            .rows_affected();
    if dropped > 0 {
        tracing::warn!(
            dropped,
            "gave up on webhook work after {MAX_ATTEMPTS} failed runs"
        );
    }
    sqlx::query(
        "UPDATE webhook_inbox SET claimed_by = NULL, attempts = attempts + 1, \
         claimed_until = $1 + (attempts + 1) * $2 WHERE claimed_by = $3",
    )
    .bind(now_ms())
    .bind(RETRY_STEP_MS)
    .bind(claim)
    .execute(&db.pool)
    .await?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use crate::sync::hubspot;

    use super::*;

    #[test]
    fn work_round_trips_through_its_stored_form() {
        let calls = hubspot::kind("calls").unwrap();
        let w = Work::HubspotIds(vec![(
            calls,
            vec!["1".into()],
            vec!["2".into(), "3".into()],
        )]);
        let Some(Work::HubspotIds(back)) = decode(&encode(&w)) else {
            panic!("hubspot work");
        };
        assert_eq!(
            back,
            vec![(calls, vec!["1".into()], vec!["2".into(), "3".into()])]
        );
        let m = Work::FathomMeetings(vec![json!({"recording_id": 7})]);
        assert!(
            matches!(decode(&encode(&m)), Some(Work::FathomMeetings(v)) if v[0]["recording_id"] == 7)
        );
        assert!(matches!(decode(&encode(&Work::Full)), Some(Work::Full)));
        assert!(decode(r#"{"hubspot":[{"kind":"widgets","fetch":[],"deleted":[]}]}"#).is_none());
        assert!(decode("not json").is_none());
    }
}
