//! Syncing one Autotask database: resources (people), then tickets and time
//! entries changed since the cursor.
//!
//! Autotask's REST API answers entity queries (`POST /v1.0/{Entity}/query`
//! with a filter and at most 500 records a page) and hands out an absolute
//! `pageDetails.nextPageUrl` for the next page. Pages come in id order, not
//! by date, so a cursor (the newest `lastActivityDate` /
//! `lastModifiedDateTime` seen) is committed only once a listing reached
//! its last page; pages before that are idempotent upserts. The first run
//! reaches back the connection's backfill window. Queue and status ids are
//! stored with their labels from the entity's field information, so a
//! measurable can name the queue ("ROC board").
//!
//! A 429 (the database's hourly limit, or too many threads at once) is
//! waited out by the sync client like any provider's.

use std::collections::HashMap;

use anyhow::Context as _;
use app::domain::{ConnectionId, OrgId};
use chrono::NaiveDate;
use serde_json::{Value, json};

use super::{
    budget::Bucket,
    client::Api,
    people,
    progress::Progress,
    records::{self, Change, Row},
    runs,
    wire::{id_text, ts},
};
use crate::db::{Db, now_ms};

/// Records a query page holds at most (Autotask's own cap).
pub const PAGE_SIZE: usize = 500;

/// Cursor overlap: changes stamped just before the cursor are read again.
pub const OVERLAP_MS: i64 = 5 * 60 * 1000;

/// Objects a full run finishes: resources, tickets, time entries.
pub const FULL_STEPS: i64 = 3;

/// Object names (progress, cursors, change events).
pub const RESOURCES: &str = "autotask_resources";
/// Tickets.
pub const TICKETS: &str = "autotask_tickets";
/// Time entries.
pub const TIME_ENTRIES: &str = "autotask_time_entries";

/// Everything one Autotask sync needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Database.
    pub db: Db,
    /// The zone's API.
    pub api: Api,
    /// Organisation.
    pub org_id: OrgId,
    /// Connection.
    pub connection_id: ConnectionId,
    /// Run.
    pub run_id: i64,
    /// Backfill window, weeks.
    pub backfill_weeks: i64,
}

/// A picklist: value → label.
type Labels = HashMap<String, String>;

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// Noon UTC of the calendar date a time entry was worked on (its
/// `dateWorked`): on that same date in every zone from UTC-11 to UTC+11.
pub fn worked_at(date_worked: Option<&str>) -> Option<i64> {
    let date = date_worked?.trim().get(..10)?;
    let day = NaiveDate::parse_from_str(date, "%Y-%m-%d").ok()?;
    Some(day.and_hms_opt(12, 0, 0)?.and_utc().timestamp_millis())
}

/// The row of a ticket.
pub fn ticket_row(
    t: &Value,
    ctx: &Ctx,
    queues: &Labels,
    statuses: &Labels,
    now: i64,
) -> Option<Row> {
    let id = id_text(&t["id"])?;
    let queue = id_text(&t["queueID"]);
    let status = id_text(&t["status"]);
    Some(
        Row::new("tickets", ctx.connection_id)
            .key("external_id", id)
            .col("org_id", ctx.org_id)
            .col(
                "ticket_number",
                t["ticketNumber"].as_str().unwrap_or_default(),
            )
            .col("title", t["title"].as_str().unwrap_or_default().trim())
            .col(
                "status_label",
                status.as_ref().and_then(|s| statuses.get(s).cloned()),
            )
            .col("status", status)
            .col(
                "queue_label",
                queue.as_ref().and_then(|q| queues.get(q).cloned()),
            )
            .col("queue", queue)
            .col("owner_external_id", id_text(&t["assignedResourceID"]))
            .col("remote_created_at", ts(t["createDate"].as_str()))
            .col("completed_at", ts(t["completedDate"].as_str()))
            .col("remote_updated_at", ts(t["lastActivityDate"].as_str()))
            .col("url", None::<String>)
            .col("properties", t.to_string())
            .col("deleted", false)
            .col("synced_at", now),
    )
}

/// The row of a time entry; billable unless marked `isNonBillable`.
pub fn time_entry_row(e: &Value, ctx: &Ctx, now: i64) -> Option<Row> {
    let id = id_text(&e["id"])?;
    let notes: String = e["summaryNotes"]
        .as_str()
        .unwrap_or_default()
        .trim()
        .chars()
        .take(140)
        .collect();
    Some(
        Row::new("time_entries", ctx.connection_id)
            .key("external_id", id)
            .col("org_id", ctx.org_id)
            .col("owner_external_id", id_text(&e["resourceID"]))
            .col(
                "ticket_external_id",
                id_text(&e["ticketID"]).or_else(|| id_text(&e["taskID"])),
            )
            .col("title", notes)
            .col("occurred_at", worked_at(e["dateWorked"].as_str()))
            .col("hours_worked", e["hoursWorked"].as_f64())
            .col("billable", e["isNonBillable"].as_bool() != Some(true))
            .col("remote_created_at", ts(e["createDateTime"].as_str()))
            .col("remote_updated_at", ts(e["lastModifiedDateTime"].as_str()))
            .col("properties", e.to_string())
            .col("deleted", false)
            .col("synced_at", now),
    )
}

impl Ctx {
    /// A full run: resources first (so tickets map to people), then
    /// tickets and time entries changed since their cursors.
    pub async fn full(&self, progress: &Progress) -> anyhow::Result<()> {
        self.resources().await?;
        people::auto_match(&self.db, self.org_id).await?;
        progress.object_done(RESOURCES).await?;
        progress.changed("owners").await;
        let (queues, statuses) = self.ticket_labels().await?;
        let tickets = self
            .changed_since(TICKETS, "Tickets", "lastActivityDate", |t, now| {
                ticket_row(t, self, &queues, &statuses, now)
            })
            .await?;
        progress.object_done(TICKETS).await?;
        if tickets {
            progress.changed(TICKETS).await;
        }
        let entries = self
            .changed_since(
                TIME_ENTRIES,
                "TimeEntries",
                "lastModifiedDateTime",
                |e, now| time_entry_row(e, self, now),
            )
            .await?;
        progress.object_done(TIME_ENTRIES).await?;
        if entries {
            progress.changed(TIME_ENTRIES).await;
        }
        Ok(())
    }

    /// A query's pages, read one at a time.
    fn pages(&self, entity: &str, filter: Value) -> Pages<'_> {
        Pages {
            api: &self.api,
            what: format!("listing Autotask {entity}"),
            first: Some((format!("/v1.0/{entity}/query"), filter)),
            next: None,
            seen: std::collections::HashSet::new(),
        }
    }

    /// Resources, all of them (a few hundred at most), as provider users.
    async fn resources(&self) -> anyhow::Result<()> {
        let mut all = Vec::new();
        let mut pages = self.pages(
            "Resources",
            json!([{ "op": "gte", "field": "id", "value": 0 }]),
        );
        while let Some(items) = pages.next_page().await? {
            all.extend(items);
        }
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        for r in &all {
            let Some(id) = id_text(&r["id"]) else {
                continue;
            };
            let email = r["email"]
                .as_str()
                .map(|e| e.trim().to_lowercase())
                .filter(|e| !e.is_empty());
            let first = r["firstName"].as_str().unwrap_or_default().trim();
            let last = r["lastName"].as_str().unwrap_or_default().trim();
            records::upsert(
                &mut tx,
                &Row::new("owners", self.connection_id)
                    .key("external_id", id)
                    .col("org_id", self.org_id)
                    .col("email", email)
                    .col("first_name", first)
                    .col("last_name", last)
                    .col("name", format!("{first} {last}").trim().to_owned())
                    .col("properties", r.to_string())
                    .col("deleted", false)
                    .col("synced_at", now),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Queue and status labels of tickets, from Autotask's field information.
    async fn ticket_labels(&self) -> anyhow::Result<(Labels, Labels)> {
        let info = self
            .api
            .get("/v1.0/Tickets/entityInformation/fields", Bucket::Autotask)
            .await
            .context("reading Autotask's ticket fields")?;
        let picklist = |name: &str| -> Labels {
            info["fields"]
                .as_array()
                .into_iter()
                .flatten()
                .filter(|f| {
                    f["name"]
                        .as_str()
                        .is_some_and(|n| n.eq_ignore_ascii_case(name))
                })
                .flat_map(|f| f["picklistValues"].as_array().into_iter().flatten())
                .filter_map(|v| {
                    Some((
                        id_text(&v["value"])?,
                        v["label"].as_str()?.trim().to_owned(),
                    ))
                })
                .collect()
        };
        Ok((picklist("queueID"), picklist("status")))
    }

    /// Upserts the `entity` records whose `field` is at or after the
    /// cursor (less an overlap), then moves the cursor to the newest seen;
    /// true when anything changed.
    async fn changed_since(
        &self,
        object: &str,
        entity: &str,
        field: &str,
        row: impl Fn(&Value, i64) -> Option<Row> + Sync,
    ) -> anyhow::Result<bool> {
        let stored = records::cursor(&self.db, self.connection_id, object).await?;
        let stored: Option<i64> = stored.as_deref().and_then(|c| c.parse().ok());
        let since = match stored {
            Some(c) => c - OVERLAP_MS,
            None => now_ms() - self.backfill_weeks * 7 * 24 * 3600 * 1000,
        };
        let filter = json!([{ "op": "gte", "field": field, "value": iso(since) }]);
        let mut newest = stored;
        let mut changed = false;
        let mut pages = self.pages(entity, filter);
        while let Some(items) = pages.next_page().await? {
            let now = now_ms();
            let rows: Vec<Row> = items.iter().filter_map(|i| row(i, now)).collect();
            for i in &items {
                if let Some(at) = ts(i[field].as_str()) {
                    newest = Some(newest.map_or(at, |n| n.max(at)));
                }
            }
            let mut tx = self.db.begin_write().await?;
            let changes = records::upsert_many(&mut tx, &rows).await?;
            let added = changes.iter().filter(|c| **c == Change::Added).count() as i64;
            let updated = changes.iter().filter(|c| **c == Change::Updated).count() as i64;
            runs::add_counts(
                &mut tx,
                self.run_id,
                self.connection_id,
                object,
                added,
                updated,
                0,
            )
            .await?;
            tx.commit().await?;
            changed |= added + updated > 0;
        }
        if let Some(n) = newest {
            let mut tx = self.db.begin_write().await?;
            records::set_cursor(
                &mut tx,
                self.connection_id,
                object,
                &n.to_string(),
                now_ms(),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(changed)
    }
}

/// An Autotask query read page by page: the first page by `POST …/query`,
/// the rest by `GET`ting each `pageDetails.nextPageUrl`. A page without
/// `items`, or a next page handed out twice, fails the run rather than
/// ending the listing early (its cursor would skip records).
struct Pages<'a> {
    api: &'a Api,
    what: String,
    first: Option<(String, Value)>,
    next: Option<String>,
    seen: std::collections::HashSet<String>,
}

impl Pages<'_> {
    /// The next page's items; `None` once the last page was read.
    async fn next_page(&mut self) -> anyhow::Result<Option<Vec<Value>>> {
        let mut page = if let Some((path, filter)) = self.first.take() {
            let body = json!({ "MaxRecords": PAGE_SIZE, "filter": filter });
            self.api.post(&path, &body, Bucket::Autotask).await
        } else if let Some(next) = self.next.take() {
            self.api.get(&next, Bucket::Autotask).await
        } else {
            return Ok(None);
        }
        .with_context(|| self.what.clone())?;
        let next = page["pageDetails"]["nextPageUrl"]
            .as_str()
            .filter(|u| !u.is_empty())
            .map(str::to_owned);
        let Some(Value::Array(items)) = page.get_mut("items").map(Value::take) else {
            anyhow::bail!("{}: a page without items", self.what);
        };
        if let Some(n) = &next
            && !self.seen.insert(n.clone())
        {
            anyhow::bail!(
                "{}: Autotask handed out the same next page twice",
                self.what
            );
        }
        self.next = next;
        Ok(Some(items))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_time_entry_lands_on_its_date_worked() {
        let noon = worked_at(Some("2026-11-30T00:00:00Z")).unwrap_or_default();
        assert_eq!(iso(noon), "2026-11-30T12:00:00.000Z");
        assert_eq!(worked_at(Some("2026-11-30")), Some(noon));
        assert_eq!(worked_at(Some("")), None);
        assert_eq!(worked_at(None), None);
    }

    #[test]
    fn ids_are_numbers_or_non_blank_strings() {
        assert_eq!(id_text(&json!(29683)), Some("29683".into()));
        assert_eq!(id_text(&json!(" 7 ")), Some("7".into()));
        assert_eq!(id_text(&json!("")), None);
        assert_eq!(id_text(&Value::Null), None);
    }
}
