//! Fetching what a definition needs: the HubSpot properties measurables
//! name, beyond the ones every sync reads.
//!
//! A sum names properties (`mrr`, a portal's custom
//! `monthly_recurring_revenue`); every HubSpot search, listing and batch read
//! of that kind then requests them too. A name first seen is registered
//! `pending` in `synced_properties` and its kind's cursor is dropped, so the
//! run re-reads that kind from the start (a targeted backfill: resumable
//! through the kind's cursor like any backfill, its progress shown like any
//! run's); once the kind has been read through, the name is `complete`, and
//! the records' changed properties recompute the measurables over them.

use std::collections::{BTreeMap, BTreeSet};

use anyhow::Context as _;
use app::domain::measurable::{RecordKind, SyncedQuery};

use app::domain::{ConnectionId, OrgId};

use super::hubspot;
use crate::{
    db::{Db, now_ms},
    scorecard::store,
};

/// The HubSpot object a record kind is read from, if HubSpot syncs it.
pub fn hubspot_object(kind: RecordKind) -> Option<&'static str> {
    match kind {
        RecordKind::Call => Some("calls"),
        RecordKind::Meeting => Some("meetings"),
        RecordKind::Note => Some("notes"),
        RecordKind::Email => Some("emails"),
        RecordKind::Task => Some("tasks"),
        RecordKind::Deal => Some("deals"),
        RecordKind::FathomMeeting
        | RecordKind::AutotaskTicket
        | RecordKind::AutotaskTimeEntry
        | RecordKind::AircallCall => None,
    }
}

/// What `queries` name beyond each HubSpot kind's own property list, by
/// object (plural), sorted.
pub fn named(queries: &[SyncedQuery]) -> BTreeMap<&'static str, Vec<String>> {
    let mut out: BTreeMap<&'static str, BTreeSet<String>> = BTreeMap::new();
    for q in queries {
        let Some(kind) = hubspot_object(q.kind).and_then(hubspot::kind) else {
            continue;
        };
        for name in q.properties_named() {
            if !kind.properties.contains(&name.as_str()) {
                out.entry(kind.plural).or_default().insert(name.clone());
            }
        }
    }
    out.into_iter()
        .map(|(object, names)| (object, names.into_iter().collect()))
        .collect()
}

/// What the organisation's measurables name, by HubSpot object.
pub async fn wanted(db: &Db, org_id: OrgId) -> anyhow::Result<BTreeMap<&'static str, Vec<String>>> {
    Ok(named(&store::synced_queries(db, org_id).await?))
}

/// Registers the names this connection has not seen as `pending` and drops
/// the cursors of their objects, so this run re-reads them. Returns the
/// objects re-read.
pub async fn begin(
    db: &Db,
    connection_id: ConnectionId,
    wanted: &BTreeMap<&'static str, Vec<String>>,
) -> anyhow::Result<BTreeSet<&'static str>> {
    let now = now_ms();
    let mut tx = db.begin_write().await?;
    let mut reread = BTreeSet::new();
    for (object, names) in wanted {
        for name in names {
            let added = sqlx::query(
                "INSERT INTO synced_properties (connection_id, object, name, state, requested_at) \
                 VALUES ($1, $2, $3, 'pending', $4) ON CONFLICT (connection_id, object, name) DO NOTHING",
            )
            .bind(connection_id)
            .bind(*object)
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await
            .context("registering a named property")?
            .rows_affected();
            if added == 1 {
                reread.insert(*object);
            }
        }
    }
    for object in &reread {
        sqlx::query("DELETE FROM sync_cursors WHERE connection_id = $1 AND object = $2")
            .bind(connection_id)
            .bind(*object)
            .execute(&mut *tx)
            .await
            .context("restarting a kind for new properties")?;
    }
    tx.commit().await?;
    Ok(reread)
}

/// Marks the pending names of `object` complete: the run read it through.
pub async fn complete(db: &Db, connection_id: ConnectionId, object: &str) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE synced_properties SET state = 'complete', completed_at = $1 \
         WHERE connection_id = $2 AND object = $3 AND state = 'pending'",
    )
    .bind(now_ms())
    .bind(connection_id)
    .bind(object)
    .execute(&db.pool)
    .await
    .context("completing named properties")?;
    Ok(())
}

/// The names still being fetched for a connection: (object, name).
pub async fn pending(
    db: &Db,
    connection_id: ConnectionId,
) -> anyhow::Result<Vec<(String, String)>> {
    sqlx::query_as(
        "SELECT object, name FROM synced_properties WHERE connection_id = $1 AND state = 'pending' \
         ORDER BY object, name",
    )
    .bind(connection_id)
    .fetch_all(&db.pool)
    .await
    .context("reading pending properties")
}

/// The names `wanted` holds that the connection has never registered: a
/// run is needed to fetch them.
pub async fn unregistered(
    db: &Db,
    connection_id: ConnectionId,
    wanted: &BTreeMap<&'static str, Vec<String>>,
) -> anyhow::Result<bool> {
    let known: BTreeSet<(String, String)> =
        sqlx::query_as("SELECT object, name FROM synced_properties WHERE connection_id = $1")
            .bind(connection_id)
            .fetch_all(&db.pool)
            .await
            .context("reading registered properties")?
            .into_iter()
            .collect();
    Ok(wanted.iter().any(|(object, names)| {
        names
            .iter()
            .any(|n| !known.contains(&((*object).to_owned(), n.clone())))
    }))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    fn query(json: &str) -> SyncedQuery {
        match serde_json::from_str(json).unwrap() {
            app::domain::measurable::Source::Synced(q) => *q,
            _ => panic!("a synced source"),
        }
    }

    #[test]
    fn only_names_beyond_a_kinds_own_list_are_named() {
        let got = named(&[
            query(
                r#"{"type":"synced","kind":"deal","time_field":"close_date","aggregate":{"type":"sum","properties":["mrr","hs_mrr","amount"]}}"#,
            ),
            query(
                r#"{"type":"synced","kind":"deal","time_field":"close_date","aggregate":{"type":"sum","properties":["monthly_recurring_revenue","mrr"]}}"#,
            ),
            query(
                r#"{"type":"synced","kind":"call","aggregate":{"type":"sum","properties":["hs_call_duration","talk_time"]}}"#,
            ),
            query(
                r#"{"type":"synced","kind":"fathom_meeting","time_field":"start","aggregate":{"type":"sum","properties":["duration"]}}"#,
            ),
            query(r#"{"type":"synced","kind":"note"}"#),
        ]);
        assert_eq!(
            got,
            BTreeMap::from([
                ("calls", vec!["talk_time".to_owned()]),
                (
                    "deals",
                    vec![
                        "hs_mrr".to_owned(),
                        "monthly_recurring_revenue".to_owned(),
                        "mrr".to_owned()
                    ]
                ),
            ])
        );
    }
}
