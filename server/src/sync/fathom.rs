//! Syncing one Fathom account: recorded meetings, their recorders, and each
//! recording's transcript and summary.
//!
//! `GET /meetings` lists newest first, so the cursor (the newest
//! `created_at` seen) is committed only once a listing is complete; pages
//! before that are idempotent upserts. OAuth apps may not ask for
//! transcripts inline, so each new recording costs two more calls
//! (`/recordings/{id}/transcript` and `/summary`), inside Fathom's budget.
//!
//! The API says nothing about deleted recordings, so every full run also
//! lists the ids of the whole synced window (no includes: one call per 100
//! meetings) and marks deleted the stored meetings of that window it no
//! longer returns. Only a listing that reached its last page counts: any
//! failure part-way fails the run before anything is marked.

use anyhow::Context as _;
use app::domain::{ConnectionId, OrgId};
use serde_json::{Value, json};

use super::{
    budget::Bucket,
    client::Api,
    people,
    progress::Progress,
    records::{self, Change, Row},
    runs,
    wire::{query_escape, ts},
};
use crate::db::{Db, now_ms};

/// Cursor overlap.
pub const OVERLAP_MS: i64 = 10 * 60 * 1000;

/// The one object a Fathom run finishes.
const OBJECT: &str = "fathom_meetings";

/// Objects a full run finishes: what its progress bar counts to.
pub const FULL_STEPS: i64 = 1;

/// Everything one Fathom sync needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Database.
    pub db: Db,
    /// The account's API.
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

fn iso(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Secs, true)
}

/// The activity row of a meeting.
pub fn row_of(m: &Value, connection_id: ConnectionId, org_id: OrgId, now: i64) -> Option<Row> {
    let id = match &m["recording_id"] {
        Value::Number(n) => n.to_string(),
        Value::String(s) => s.clone(),
        _ => return None,
    };
    let recorder = m["recorded_by"]["email"].as_str().map(str::to_lowercase);
    let start =
        ts(m["recording_start_time"].as_str()).or_else(|| ts(m["scheduled_start_time"].as_str()));
    let end = ts(m["recording_end_time"].as_str()).or_else(|| ts(m["scheduled_end_time"].as_str()));
    let external = m["calendar_invitees"].as_array().map_or(0, |a| {
        a.iter()
            .filter(|i| i["is_external"].as_bool() == Some(true))
            .count()
    });
    let mut props = m.clone();
    if let Some(o) = props.as_object_mut() {
        // Transcripts and summaries live in recording_contents.
        for k in ["transcript", "default_summary", "action_items"] {
            o.remove(k);
        }
    }
    Some(
        Row::new("activities", connection_id)
            .key("kind", "fathom_meeting")
            .key("external_id", id)
            .col("org_id", org_id)
            .col("owner_external_id", recorder)
            .col(
                "occurred_at",
                start.or_else(|| ts(m["created_at"].as_str())),
            )
            .col("remote_created_at", ts(m["created_at"].as_str()))
            .col("remote_updated_at", ts(m["created_at"].as_str()))
            .col("start_at", start)
            .col("end_at", end)
            .col(
                "title",
                m["title"]
                    .as_str()
                    .or(m["meeting_title"].as_str())
                    .unwrap_or_default(),
            )
            .col("body", "")
            .col(
                "duration_ms",
                match (start, end) {
                    (Some(s), Some(e)) if e >= s => Some(e - s),
                    _ => None,
                },
            )
            .col(
                "activity_type",
                m["meeting_type"].as_str().map(str::to_owned),
            )
            .col("external_attendees", i64::try_from(external).unwrap_or(0))
            .col(
                "url",
                m["share_url"]
                    .as_str()
                    .or(m["url"].as_str())
                    .map(str::to_owned),
            )
            .col("properties", props.to_string())
            .col("deleted", false)
            .col("synced_at", now),
    )
}

/// A Fathom listing read page by page: each page's `items`, following
/// `next_cursor` to the end. A page without `items` fails the run rather
/// than ending the listing early (the deletes a complete listing implies
/// would be wrong), and so does a cursor that repeats.
struct Pages<'a> {
    api: &'a Api,
    path: String,
    what: &'static str,
    next: Option<String>,
    done: bool,
}

impl Pages<'_> {
    /// The next page's items; `None` once the last page was read.
    async fn next_page(&mut self) -> anyhow::Result<Option<Vec<Value>>> {
        if self.done {
            return Ok(None);
        }
        let sep = if self.path.contains('?') { '&' } else { '?' };
        let url = match &self.next {
            Some(c) => format!("{}{sep}cursor={}", self.path, query_escape(c)),
            None => self.path.clone(),
        };
        let mut page = self
            .api
            .get(&url, Bucket::Fathom)
            .await
            .context(self.what)?;
        let next = page["next_cursor"].as_str().map(str::to_owned);
        let Some(Value::Array(items)) = page.get_mut("items").map(Value::take) else {
            anyhow::bail!("{}: a page without items", self.what);
        };
        if next.is_some() && next == self.next {
            anyhow::bail!("{}: Fathom returned the same cursor twice", self.what);
        }
        self.done = next.is_none();
        self.next = next;
        Ok(Some(items))
    }
}

impl Ctx {
    /// A full run: team members first (so recorders map to people), then
    /// the meetings since the cursor, then the window's deletions.
    pub async fn full(&self, progress: &Progress) -> anyhow::Result<()> {
        self.team_members().await?;
        let listed = self.meetings().await?;
        let changed = self.reconcile().await? | listed;
        self.finish(changed, progress).await
    }

    /// Meetings a webhook delivered whole.
    pub async fn delivered(&self, items: &[Value], progress: &Progress) -> anyhow::Result<()> {
        let changed = self.write(items, None).await?;
        self.finish(changed, progress).await
    }

    async fn finish(&self, changed: bool, progress: &Progress) -> anyhow::Result<()> {
        progress.object_done(OBJECT).await?;
        people::auto_match(&self.db, self.org_id).await?;
        if changed {
            progress.changed(OBJECT).await;
        }
        Ok(())
    }

    fn pages(&self, path: String, what: &'static str) -> Pages<'_> {
        Pages {
            api: &self.api,
            path,
            what,
            next: None,
            done: false,
        }
    }

    /// Team members (recorders, including those with no meeting yet).
    pub async fn team_members(&self) -> anyhow::Result<()> {
        let now = now_ms();
        let mut members = Vec::new();
        let mut pages = self.pages("/team_members".to_owned(), "listing Fathom team members");
        while let Some(items) = pages.next_page().await? {
            members.extend(items);
        }
        let mut tx = self.db.begin_write().await?;
        for m in members {
            let Some(email) = m["email"].as_str().map(str::to_lowercase) else {
                continue;
            };
            records::upsert(
                &mut tx,
                &Row::new("owners", self.connection_id)
                    .key("external_id", email.clone())
                    .col("org_id", self.org_id)
                    .col("email", email)
                    .col("name", m["name"].as_str().unwrap_or_default())
                    .col("properties", m.to_string())
                    .col("deleted", false)
                    .col("synced_at", now),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Meetings created since the cursor; returns whether anything changed.
    pub async fn meetings(&self) -> anyhow::Result<bool> {
        let stored = records::cursor(&self.db, self.connection_id, "fathom_meetings").await?;
        let since = match stored.as_deref().and_then(|c| c.parse::<i64>().ok()) {
            Some(c) => c - OVERLAP_MS,
            None => now_ms() - self.backfill_weeks * 7 * 24 * 3600 * 1000,
        };
        let mut newest: Option<i64> = stored.as_deref().and_then(|c| c.parse().ok());
        let mut changed = false;
        let path = format!("/meetings?limit=100&created_after={}", iso(since));
        let mut pages = self.pages(path, "listing Fathom meetings");
        while let Some(items) = pages.next_page().await? {
            for m in &items {
                if let Some(c) = ts(m["created_at"].as_str()) {
                    newest = Some(newest.map_or(c, |n| n.max(c)));
                }
            }
            changed |= self.write(&items, None).await?;
        }
        if let Some(n) = newest {
            let mut tx = self.db.begin_write().await?;
            records::set_cursor(
                &mut tx,
                self.connection_id,
                "fathom_meetings",
                &n.to_string(),
                now_ms(),
            )
            .await?;
            tx.commit().await?;
        }
        Ok(changed)
    }

    /// Marks deleted the stored meetings of the synced window that a complete
    /// listing no longer returns; true when any was.
    pub async fn reconcile(&self) -> anyhow::Result<bool> {
        // Whole seconds, as the listing's `created_after` is.
        let since = (now_ms() - self.backfill_weeks * 7 * 24 * 3600 * 1000) / 1000 * 1000;
        let mut listed = std::collections::HashSet::new();
        let path = format!("/meetings?limit=100&created_after={}", iso(since));
        let mut pages = self.pages(path, "listing Fathom meeting ids");
        while let Some(items) = pages.next_page().await? {
            for m in items {
                match &m["recording_id"] {
                    Value::Number(n) => listed.insert(n.to_string()),
                    Value::String(s) => listed.insert(s.clone()),
                    _ => anyhow::bail!("a listed Fathom meeting without recording_id"),
                };
            }
        }
        // The listing is complete. A second of margin at the window's edge
        // keeps a meeting created right on it from being judged.
        let stored: Vec<(String,)> = sqlx::query_as(
            "SELECT external_id FROM activities WHERE connection_id = $1 AND kind = 'fathom_meeting' \
             AND deleted = 0 AND remote_created_at > $2",
        )
        .bind(self.connection_id)
        .bind(since + 1000)
        .fetch_all(&self.db.pool)
        .await?;
        let gone: Vec<String> = stored
            .into_iter()
            .map(|(id,)| id)
            .filter(|id| !listed.contains(id))
            .collect();
        if gone.is_empty() {
            return Ok(false);
        }
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        for id in &gone {
            sqlx::query(
                "UPDATE activities SET deleted = 1, synced_at = $1 WHERE connection_id = $2 \
                 AND kind = 'fathom_meeting' AND external_id = $3",
            )
            .bind(now)
            .bind(self.connection_id)
            .bind(id)
            .execute(&mut *tx)
            .await?;
        }
        runs::add_counts(
            &mut tx,
            self.run_id,
            self.connection_id,
            "fathom_meetings",
            0,
            0,
            i64::try_from(gone.len()).unwrap_or(i64::MAX),
        )
        .await?;
        tx.commit().await?;
        Ok(true)
    }

    /// Upserts meetings (from a listing or a webhook body) and fetches the
    /// transcript and summary of the ones that have none yet.
    pub async fn write(&self, items: &[Value], _: Option<()>) -> anyhow::Result<bool> {
        let now = now_ms();
        let mut changes = Vec::new();
        let mut tx = self.db.begin_write().await?;
        let mut recorders = Vec::new();
        for m in items {
            if let Some(row) = row_of(m, self.connection_id, self.org_id, now) {
                changes.push(records::upsert(&mut tx, &row).await?);
            }
            if let Some(email) = m["recorded_by"]["email"].as_str() {
                recorders.push((
                    email.to_lowercase(),
                    m["recorded_by"]["name"]
                        .as_str()
                        .unwrap_or_default()
                        .to_owned(),
                ));
            }
        }
        for (email, name) in recorders {
            // Team members carry richer data; only add recorders not seen yet.
            sqlx::query(
                "INSERT INTO owners (connection_id, external_id, org_id, email, name, properties, deleted, synced_at) \
                 VALUES ($1, $2, $3, $2, $4, '{}', 0, $5) ON CONFLICT (connection_id, external_id) DO NOTHING",
            )
            .bind(self.connection_id)
            .bind(email)
            .bind(self.org_id)
            .bind(name)
            .bind(now)
            .execute(&mut *tx)
            .await?;
        }
        let added = changes.iter().filter(|c| **c == Change::Added).count() as i64;
        let updated = changes.iter().filter(|c| **c == Change::Updated).count() as i64;
        runs::add_counts(
            &mut tx,
            self.run_id,
            self.connection_id,
            "fathom_meetings",
            added,
            updated,
            0,
        )
        .await?;
        tx.commit().await?;
        for m in items {
            let Some(id) = m["recording_id"]
                .as_i64()
                .map(|n| n.to_string())
                .or_else(|| m["recording_id"].as_str().map(str::to_owned))
            else {
                continue;
            };
            self.contents(&id).await?;
        }
        Ok(added + updated > 0)
    }

    /// Transcript and summary of one recording, fetched once.
    async fn contents(&self, id: &str) -> anyhow::Result<()> {
        let have: Option<(i64,)> = sqlx::query_as(
            "SELECT id FROM recording_contents WHERE connection_id = $1 AND external_id = $2 \
             AND transcript IS NOT NULL AND summary IS NOT NULL",
        )
        .bind(self.connection_id)
        .bind(id)
        .fetch_optional(&self.db.pool)
        .await?;
        if have.is_some() {
            return Ok(());
        }
        let t = self
            .api
            .get(&format!("/recordings/{id}/transcript"), Bucket::Fathom)
            .await?;
        let s = self
            .api
            .get(&format!("/recordings/{id}/summary"), Bucket::Fathom)
            .await?;
        let transcript = t
            .get("transcript")
            .cloned()
            .unwrap_or(json!([]))
            .to_string();
        let summary = s["summary"]["markdown_formatted"]
            .as_str()
            .unwrap_or_default()
            .to_owned();
        let mut tx = self.db.begin_write().await?;
        records::upsert(
            &mut tx,
            &Row::new("recording_contents", self.connection_id)
                .key("external_id", id)
                .col("org_id", self.org_id)
                .col("transcript", transcript)
                .col("summary", summary)
                .col("synced_at", now_ms()),
        )
        .await?;
        tx.commit().await?;
        Ok(())
    }
}
