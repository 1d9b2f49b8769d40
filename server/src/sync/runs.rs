//! Run history and the one-run-per-connection lease.
//!
//! The lease lives on the connection's `sync_settings` row and is taken by
//! a conditional `UPDATE` (free, or expired), so it holds across replicas on
//! both databases. A run whose lease expired while it was still `running`
//! was cut off (crash, kill); the next run marks it `interrupted` and simply
//! resumes from the committed cursors.

use app::domain::ConnectionId;
use serde::Serialize;

use crate::db::{Db, now_ms};

/// Why a run started.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Trigger {
    /// The scheduler.
    Schedule,
    /// "Sync now".
    Manual,
    /// A provider webhook.
    Webhook,
}

impl Trigger {
    /// Stored name.
    pub fn as_str(self) -> &'static str {
        match self {
            Trigger::Schedule => "schedule",
            Trigger::Manual => "manual",
            Trigger::Webhook => "webhook",
        }
    }
}

/// Creates the settings row if missing.
pub async fn ensure_settings(db: &Db, connection_id: ConnectionId) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO sync_settings (connection_id, updated_at) VALUES ($1, $2) \
         ON CONFLICT (connection_id) DO NOTHING",
    )
    .bind(connection_id)
    .bind(now_ms())
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Takes the lease for `ttl_ms`; false when another live run holds it.
pub async fn try_lease(
    db: &Db,
    connection_id: ConnectionId,
    owner: &str,
    ttl_ms: i64,
) -> anyhow::Result<bool> {
    ensure_settings(db, connection_id).await?;
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE sync_settings SET lease_owner = $1, lease_until = $2, lease_run_id = NULL, updated_at = $3 \
         WHERE connection_id = $4 AND (lease_until IS NULL OR lease_until < $3)",
    )
    .bind(owner)
    .bind(now + ttl_ms)
    .bind(now)
    .bind(connection_id)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Extends a held lease; false when it was lost.
pub async fn renew_lease(
    db: &Db,
    connection_id: ConnectionId,
    owner: &str,
    ttl_ms: i64,
) -> anyhow::Result<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE sync_settings SET lease_until = $1 WHERE connection_id = $2 AND lease_owner = $3",
    )
    .bind(now + ttl_ms)
    .bind(connection_id)
    .bind(owner)
    .execute(&db.pool)
    .await?
    .rows_affected();
    Ok(done == 1)
}

/// Gives the lease back.
pub async fn release_lease(
    db: &Db,
    connection_id: ConnectionId,
    owner: &str,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE sync_settings SET lease_until = NULL, lease_owner = NULL, lease_run_id = NULL \
         WHERE connection_id = $1 AND lease_owner = $2",
    )
    .bind(connection_id)
    .bind(owner)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// The run holding a live lease, if any.
pub async fn active_run(db: &Db, connection_id: ConnectionId) -> anyhow::Result<Option<i64>> {
    let row: Option<(Option<i64>,)> = sqlx::query_as(
        "SELECT lease_run_id FROM sync_settings WHERE connection_id = $1 AND lease_until >= $2",
    )
    .bind(connection_id)
    .bind(now_ms())
    .fetch_optional(&db.pool)
    .await?;
    Ok(row.and_then(|r| r.0))
}

/// Marks runs left `running` by a dead holder as interrupted (call with the lease held).
pub async fn mark_interrupted(db: &Db, connection_id: ConnectionId) -> anyhow::Result<u64> {
    Ok(sqlx::query(
        "UPDATE sync_runs SET status = 'interrupted', finished_at = $1, error = $2 \
         WHERE connection_id = $3 AND status = 'running'",
    )
    .bind(now_ms())
    .bind(CUT_OFF)
    .bind(connection_id)
    .execute(&db.pool)
    .await?
    .rows_affected())
}

/// Starts a run row and records it on the lease, in one transaction: a
/// reader never sees a `running` row the lease does not name (which
/// [`shown_status`] would show as interrupted).
pub async fn start(
    db: &Db,
    connection_id: ConnectionId,
    trigger: Trigger,
    objects_total: i64,
) -> anyhow::Result<i64> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO sync_runs (connection_id, started_at, status, items, triggered_by, objects_total, heartbeat_at) \
         VALUES ($1, $2, 'running', 0, $3, $4, $2) RETURNING id",
    )
    .bind(connection_id)
    .bind(now)
    .bind(trigger.as_str())
    .bind(objects_total)
    .fetch_one(&mut *tx)
    .await?;
    sqlx::query("UPDATE sync_settings SET lease_run_id = $1 WHERE connection_id = $2")
        .bind(id)
        .bind(connection_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(id)
}

/// What a run left `running` by a dead holder says, shown at once (the
/// next run also stores it, in [`mark_interrupted`]).
pub const CUT_OFF: &str = "cut off before it finished (the server stopped);                            the next run resumed from the last committed cursor";

/// SQL for the status a run of `sync_runs` is shown with at `now`: a
/// `running` run whose connection's lease has expired, or no longer names
/// it, died with its holder and reads `interrupted` from that moment, not
/// only once another run takes the lease.
pub fn shown_status(now: i64) -> String {
    format!(
        "CASE WHEN {dead} THEN 'interrupted' ELSE sync_runs.status END",
        dead = dead_run(now)
    )
}

/// SQL for the error a run is shown with at `now` (see [`shown_status`]).
pub fn shown_error(now: i64) -> String {
    format!(
        "CASE WHEN {dead} THEN '{CUT_OFF}' ELSE sync_runs.error END",
        dead = dead_run(now)
    )
}

fn dead_run(now: i64) -> String {
    format!(
        "sync_runs.status = 'running' AND NOT EXISTS (SELECT 1 FROM sync_settings l \
         WHERE l.connection_id = sync_runs.connection_id AND l.lease_run_id = sync_runs.id \
         AND l.lease_until >= {now})"
    )
}

/// Adds per-object counts (in the batch's transaction).
pub async fn add_counts(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    run_id: i64,
    connection_id: ConnectionId,
    object: &str,
    added: i64,
    updated: i64,
    deleted: i64,
) -> anyhow::Result<()> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE sync_run_objects SET added = added + $1, updated = updated + $2, deleted = deleted + $3, \
         updated_at = $4 WHERE run_id = $5 AND object = $6",
    )
    .bind(added)
    .bind(updated)
    .bind(deleted)
    .bind(now)
    .bind(run_id)
    .bind(object)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done == 0 {
        sqlx::query(
            "INSERT INTO sync_run_objects (run_id, connection_id, object, added, updated, deleted, done, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, 0, $7)",
        )
        .bind(run_id)
        .bind(connection_id)
        .bind(object)
        .bind(added)
        .bind(updated)
        .bind(deleted)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    sqlx::query("UPDATE sync_runs SET items = items + $1, heartbeat_at = $2 WHERE id = $3")
        .bind(added + updated + deleted)
        .bind(now)
        .bind(run_id)
        .execute(&mut **tx)
        .await?;
    Ok(())
}

/// Marks one object finished for the run.
pub async fn object_done(
    db: &Db,
    run_id: i64,
    connection_id: ConnectionId,
    object: &str,
) -> anyhow::Result<()> {
    let mut tx = db.begin_write().await?;
    add_counts(&mut tx, run_id, connection_id, object, 0, 0, 0).await?;
    sqlx::query("UPDATE sync_run_objects SET done = 1 WHERE run_id = $1 AND object = $2")
        .bind(run_id)
        .bind(object)
        .execute(&mut *tx)
        .await?;
    sqlx::query("UPDATE sync_runs SET objects_done = objects_done + 1 WHERE id = $1")
        .bind(run_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(())
}

/// Writes the API counters.
pub async fn set_calls(db: &Db, run_id: i64, api_calls: i64, throttled: i64) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE sync_runs SET api_calls = $1, throttled = $2, heartbeat_at = $3 WHERE id = $4",
    )
    .bind(api_calls)
    .bind(throttled)
    .bind(now_ms())
    .bind(run_id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Finishes a run.
pub async fn finish(
    db: &Db,
    run_id: i64,
    connection_id: ConnectionId,
    error: Option<&str>,
) -> anyhow::Result<()> {
    let now = now_ms();
    sqlx::query("UPDATE sync_runs SET status = $1, finished_at = $2, error = $3 WHERE id = $4")
        .bind(if error.is_some() {
            "failed"
        } else {
            "succeeded"
        })
        .bind(now)
        .bind(error)
        .bind(run_id)
        .execute(&db.pool)
        .await?;
    if error.is_none() {
        sqlx::query("UPDATE connections SET last_sync_at = $1 WHERE id = $2")
            .bind(now)
            .bind(connection_id)
            .execute(&db.pool)
            .await?;
    }
    Ok(())
}

/// One object of a run.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunObject {
    /// Object, e.g. `calls`.
    pub object: String,
    /// New records.
    pub added: i64,
    /// Changed records.
    pub updated: i64,
    /// Records deleted upstream.
    pub deleted: i64,
    /// Finished.
    pub done: bool,
}

/// A run as the API and page show it.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RunView {
    /// Run id.
    pub id: i64,
    /// Connection.
    pub connection_id: ConnectionId,
    /// schedule, manual or webhook.
    pub trigger: String,
    /// running, succeeded, failed or interrupted.
    pub status: String,
    /// Epoch ms.
    pub started_at: i64,
    /// Epoch ms.
    pub finished_at: Option<i64>,
    /// Records written so far.
    pub records: i64,
    /// Requests sent.
    pub api_calls: i64,
    /// 429s seen.
    pub throttled: i64,
    /// Objects finished.
    pub objects_done: i64,
    /// Objects in the run.
    pub objects_total: i64,
    /// Estimated ms left while running (from the pace so far).
    pub eta_ms: Option<i64>,
    /// Error of a failed run.
    pub error: Option<String>,
    /// Per-object counts.
    pub objects: Vec<RunObject>,
}

type RunRow = (
    i64,
    ConnectionId,
    String,
    String,
    i64,
    Option<i64>,
    i64,
    i64,
    i64,
    i64,
    i64,
    Option<String>,
);

/// The latest runs of a connection, newest first.
pub async fn list(
    db: &Db,
    connection_id: ConnectionId,
    limit: i64,
) -> anyhow::Result<Vec<RunView>> {
    let now = now_ms();
    let rows: Vec<RunRow> = sqlx::query_as(&format!(
        "SELECT id, connection_id, triggered_by, {status}, started_at, finished_at, items, api_calls, \
         throttled, objects_done, objects_total, {error} FROM sync_runs WHERE connection_id = $1 \
         ORDER BY id DESC LIMIT $2",
        status = shown_status(now),
        error = shown_error(now),
    ))
    .bind(connection_id)
    .bind(limit)
    .fetch_all(&db.pool)
    .await?;
    let mut out = Vec::with_capacity(rows.len());
    for (
        id,
        connection_id,
        trigger,
        status,
        started_at,
        finished_at,
        records,
        api_calls,
        throttled,
        objects_done,
        objects_total,
        error,
    ) in rows
    {
        let objects: Vec<(String, i64, i64, i64, i64)> = sqlx::query_as(
            "SELECT object, added, updated, deleted, done FROM sync_run_objects WHERE run_id = $1 ORDER BY object",
        )
        .bind(id)
        .fetch_all(&db.pool)
        .await?;
        let eta_ms = (status == "running" && objects_done > 0 && objects_total > objects_done)
            .then(|| {
                let elapsed = (now - started_at).max(0);
                elapsed * (objects_total - objects_done) / objects_done
            });
        out.push(RunView {
            id,
            connection_id,
            trigger,
            status,
            started_at,
            finished_at,
            records,
            api_calls,
            throttled,
            objects_done,
            objects_total,
            eta_ms,
            error,
            objects: objects
                .into_iter()
                .map(|(object, added, updated, deleted, done)| RunObject {
                    object,
                    added,
                    updated,
                    deleted,
                    done: done == 1,
                })
                .collect(),
        });
    }
    Ok(out)
}

/// Refreshes the live record counts per object the integrations page shows.
pub async fn refresh_counts(db: &Db, connection_id: ConnectionId) -> anyhow::Result<()> {
    let now = now_ms();
    let rows: Vec<(String, i64)> = sqlx::query_as(
        "SELECT kind, COUNT(*) FROM activities WHERE connection_id = $1 AND deleted = 0 GROUP BY kind \
         UNION ALL SELECT 'deal', COUNT(*) FROM deals WHERE connection_id = $1 AND deleted = 0 \
         UNION ALL SELECT 'contact', COUNT(*) FROM contacts WHERE connection_id = $1 AND deleted = 0 \
         UNION ALL SELECT 'company', COUNT(*) FROM companies WHERE connection_id = $1 AND deleted = 0 \
         UNION ALL SELECT 'ticket', COUNT(*) FROM tickets WHERE connection_id = $1 AND deleted = 0 \
         UNION ALL SELECT 'time entry', COUNT(*) FROM time_entries WHERE connection_id = $1 AND deleted = 0",
    )
    .bind(connection_id)
    .fetch_all(&db.pool)
    .await?;
    let mut tx = db.begin_write().await?;
    for (kind, count) in rows {
        if count == 0 {
            continue;
        }
        let object = match kind.as_str() {
            "company" => "companies".to_owned(),
            "fathom_meeting" => "fathom meetings".to_owned(),
            "aircall_call" => "calls".to_owned(),
            "time entry" => "time entries".to_owned(),
            k => format!("{k}s"),
        };
        let done = sqlx::query(
            "UPDATE connection_object_counts SET count = $1, updated_at = $2 WHERE connection_id = $3 AND object = $4",
        )
        .bind(count)
        .bind(now)
        .bind(connection_id)
        .bind(&object)
        .execute(&mut *tx)
        .await?
        .rows_affected();
        if done == 0 {
            sqlx::query(
                "INSERT INTO connection_object_counts (connection_id, object, count, updated_at) VALUES ($1, $2, $3, $4)",
            )
            .bind(connection_id)
            .bind(&object)
            .bind(count)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
    }
    tx.commit().await?;
    Ok(())
}
