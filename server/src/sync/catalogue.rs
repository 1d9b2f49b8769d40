//! The connected portal's property definitions
//! (`GET /crm/v3/properties/{object}`), kept so the measurable editor can
//! say at once that a named property does not exist there, and which names
//! come closest.
//!
//! A HubSpot run refreshes the catalogue when it is more than an hour old
//! (six calls); the editor asks for a fresh one when a name is missing from
//! a catalogue older than a minute, so a property created in HubSpot a
//! moment ago is not reported missing. Failing to read it never fails a run.

use anyhow::Context as _;
use app::domain::ConnectionId;
use app::domain::property_names::PropertyName;
use serde_json::Value;

use super::{budget::Bucket, client::Api};
use crate::db::{Db, now_ms};

/// The objects a measurable can read properties of.
pub const OBJECTS: [&str; 6] = ["calls", "meetings", "notes", "emails", "tasks", "deals"];

/// How old a catalogue a run leaves alone.
pub const RUN_MAX_AGE_MS: i64 = 3_600_000;

/// How old a catalogue the editor trusts when it lacks a name.
pub const EDITOR_MAX_AGE_MS: i64 = 60_000;

/// Reads the definitions of `objects` and replaces the stored ones. An
/// object the portal refuses (a missing scope) is skipped with a warning.
pub async fn refresh(api: &Api, db: &Db, objects: &[&str]) -> anyhow::Result<()> {
    for object in objects {
        let page = match api
            .get(&format!("/crm/v3/properties/{object}"), Bucket::Hubspot)
            .await
        {
            Ok(page) => page,
            Err(e) => {
                tracing::warn!(
                    connection_id = api.connection_id.0,
                    object,
                    error = format!("{e:#}"),
                    "reading the portal's property definitions"
                );
                continue;
            }
        };
        store(db, api.connection_id, object, &page).await?;
    }
    Ok(())
}

async fn store(
    db: &Db,
    connection_id: ConnectionId,
    object: &str,
    page: &Value,
) -> anyhow::Result<()> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    sqlx::query("DELETE FROM provider_properties WHERE connection_id = $1 AND object = $2")
        .bind(connection_id)
        .bind(object)
        .execute(&mut *tx)
        .await?;
    for p in page["results"].as_array().into_iter().flatten() {
        let Some(name) = p["name"].as_str() else {
            continue;
        };
        sqlx::query(
            "INSERT INTO provider_properties (connection_id, object, name, label, type, custom, synced_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (connection_id, object, name) DO NOTHING",
        )
        .bind(connection_id)
        .bind(object)
        .bind(name)
        .bind(p["label"].as_str().unwrap_or_default())
        .bind(p["type"].as_str().unwrap_or_default())
        .bind(i64::from(p["hubspotDefined"] == false))
        .bind(now)
        .execute(&mut *tx)
        .await?;
    }
    tx.commit().await.context("saving property definitions")?;
    Ok(())
}

/// When the connection's catalogue of `object` was read (ms), if ever.
pub async fn read_at(
    db: &Db,
    connection_id: ConnectionId,
    object: &str,
) -> anyhow::Result<Option<i64>> {
    let (at,): (Option<i64>,) = sqlx::query_as(
        "SELECT MAX(synced_at) FROM provider_properties WHERE connection_id = $1 AND object = $2",
    )
    .bind(connection_id)
    .bind(object)
    .fetch_one(&db.pool)
    .await
    .context("reading when properties were read")?;
    Ok(at)
}

/// The objects whose catalogue is older than `max_age_ms` (or missing).
pub async fn stale(
    db: &Db,
    connection_id: ConnectionId,
    max_age_ms: i64,
) -> anyhow::Result<Vec<&'static str>> {
    let now = now_ms();
    let mut out = Vec::new();
    for object in OBJECTS {
        if read_at(db, connection_id, object)
            .await?
            .is_none_or(|at| now - at > max_age_ms)
        {
            out.push(object);
        }
    }
    Ok(out)
}

/// Every property of `object` the connection's portal defines, `None`
/// when its catalogue was never read.
pub async fn known(
    db: &Db,
    connection_id: ConnectionId,
    object: &str,
) -> anyhow::Result<Option<Vec<PropertyName>>> {
    let rows: Vec<(String, String)> = sqlx::query_as(
        "SELECT name, label FROM provider_properties WHERE connection_id = $1 AND object = $2 ORDER BY name",
    )
    .bind(connection_id)
    .bind(object)
    .fetch_all(&db.pool)
    .await
    .context("reading property definitions")?;
    Ok((!rows.is_empty()).then(|| {
        rows.into_iter()
            .map(|(name, label)| PropertyName { name, label })
            .collect()
    }))
}
