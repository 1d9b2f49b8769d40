//! Deleting what a connection synced, when a user disconnects with "purge".
//!
//! This is the one place that knows which tables hold synced data: the sync
//! engine adds its tables here (each keyed by `connection_id`), and both the
//! disconnect flow and any later clean-up job call [`synced_data`].

use crate::db::Db;
use app::domain::ConnectionId;

/// Tables holding rows synced through a connection, keyed by `connection_id`.
pub const SYNCED_TABLES: &[&str] = &[
    "connection_object_counts",
    "sync_run_objects",
    "sync_runs",
    "activities",
    "recording_contents",
    "deals",
    "tickets",
    "time_entries",
    "contacts",
    "companies",
    "lists",
    "list_memberships",
    "associations",
    "owners",
    "pipelines",
    "pipeline_stages",
    "call_dispositions",
    "person_links",
    "sync_cursors",
    "sync_settings",
    "synced_properties",
    "provider_properties",
];

/// Deletes every synced row of a connection; returns how many went.
pub async fn synced_data(db: &Db, connection_id: ConnectionId) -> anyhow::Result<u64> {
    let mut tx = db.begin().await?;
    let mut deleted = 0;
    for table in SYNCED_TABLES {
        deleted += sqlx::query(&format!("DELETE FROM {table} WHERE connection_id = $1"))
            .bind(connection_id)
            .execute(&mut *tx)
            .await?
            .rows_affected();
    }
    sqlx::query("UPDATE connections SET last_sync_at = NULL WHERE id = $1")
        .bind(connection_id)
        .execute(&mut *tx)
        .await?;
    tx.commit().await?;
    Ok(deleted)
}
