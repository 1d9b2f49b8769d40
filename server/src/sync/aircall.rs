//! Syncing one Aircall company: its users (people), then the calls started
//! since the cursor, and the calls `call.ended` webhooks deliver whole.
//!
//! `GET /v1/calls?from=…&order=asc` lists calls oldest first, 50 a page,
//! following `meta.next_page_link`. Aircall serves at most 10,000 items of
//! one listing, so when a listing stops short of its `meta.total` the next
//! one starts again `from` the newest call read (both bounds are
//! inclusive; upserts make the repeat harmless). The cursor is the newest
//! finished call's `started_at`, held back before any call still in
//! progress, so a call that ends later is read again.

use anyhow::Context as _;
use app::domain::{ConnectionId, OrgId};
use serde_json::Value;

use super::{
    budget::Bucket,
    client::Api,
    people,
    progress::Progress,
    records::{self, Change, Row},
    runs,
    wire::id_text,
};
use crate::db::{Db, now_ms};

/// Calls per page (Aircall's maximum).
pub const PER_PAGE: u32 = 50;

/// Cursor overlap, seconds.
pub const OVERLAP_S: i64 = 10 * 60;

/// Objects a full run finishes: users, calls.
pub const FULL_STEPS: i64 = 2;

/// Object names (progress, cursors, change events).
pub const USERS: &str = "aircall_users";
/// Calls.
pub const CALLS: &str = "aircall_calls";

/// Everything one Aircall sync needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Database.
    pub db: Db,
    /// The company's API.
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

/// A unix-seconds field as epoch ms.
fn ms(v: &Value) -> Option<i64> {
    v.as_i64().map(|s| s * 1000)
}

/// The activity row of a call: answered when `answered_at` is set.
pub fn call_row(c: &Value, connection_id: ConnectionId, org_id: OrgId, now: i64) -> Option<Row> {
    let id = id_text(&c["id"])?;
    let direction = c["direction"]
        .as_str()
        .map(|d| d.trim().to_ascii_uppercase())
        .filter(|d| !d.is_empty());
    let answered = !c["answered_at"].is_null();
    let title = match (direction.as_deref(), c["raw_digits"].as_str()) {
        (Some("OUTBOUND"), Some(n)) => format!("Outbound call to {n}"),
        (Some("INBOUND"), Some(n)) => format!("Inbound call from {n}"),
        (_, Some(n)) => format!("Call with {n}"),
        _ => "Call".to_owned(),
    };
    let started = ms(&c["started_at"]);
    Some(
        Row::new("activities", connection_id)
            .key("kind", "aircall_call")
            .key("external_id", id)
            .col("org_id", org_id)
            .col("owner_external_id", id_text(&c["user"]["id"]))
            .col("occurred_at", started)
            .col("remote_created_at", started)
            .col("remote_updated_at", ms(&c["ended_at"]).or(started))
            .col("start_at", started)
            .col("end_at", ms(&c["ended_at"]))
            .col("title", title)
            .col("body", "")
            .col("call_direction", direction)
            .col(
                "call_status",
                if answered { "answered" } else { "missed" }.to_owned(),
            )
            .col("duration_ms", c["duration"].as_i64().map(|s| s * 1000))
            .col("url", None::<String>)
            .col("properties", c.to_string())
            .col("deleted", false)
            .col("synced_at", now),
    )
}

impl Ctx {
    /// A full run: users, then calls since the cursor.
    pub async fn full(&self, progress: &Progress) -> anyhow::Result<()> {
        self.users().await?;
        people::auto_match(&self.db, self.org_id).await?;
        progress.object_done(USERS).await?;
        progress.changed("owners").await;
        let changed = self.calls().await?;
        progress.object_done(CALLS).await?;
        if changed {
            progress.changed(CALLS).await;
        }
        Ok(())
    }

    /// Calls a webhook delivered whole.
    pub async fn delivered(&self, calls: &[Value], progress: &Progress) -> anyhow::Result<()> {
        let changed = self.write(calls).await?;
        people::auto_match(&self.db, self.org_id).await?;
        progress.object_done(CALLS).await?;
        if changed {
            progress.changed(CALLS).await;
        }
        Ok(())
    }

    /// Reads a listing (its items under `key`) from `first` to its end:
    /// (items, the listing's `meta.total`).
    async fn listing(&self, first: String, key: &str) -> anyhow::Result<(Vec<Value>, u64)> {
        let what = format!("listing Aircall {key}");
        let mut out = Vec::new();
        let mut url = first;
        let mut total = 0;
        let mut seen = std::collections::HashSet::new();
        loop {
            let mut page = self
                .api
                .get(&url, Bucket::Aircall)
                .await
                .with_context(|| what.clone())?;
            total = page["meta"]["total"].as_u64().unwrap_or(total);
            let Some(Value::Array(items)) = page.get_mut(key).map(Value::take) else {
                anyhow::bail!("{what}: a page without {key}");
            };
            out.extend(items);
            match page["meta"]["next_page_link"]
                .as_str()
                .filter(|l| !l.is_empty())
            {
                Some(next) if seen.insert(next.to_owned()) => url = next.to_owned(),
                Some(_) => anyhow::bail!("{what}: Aircall handed out the same page twice"),
                None => return Ok((out, total)),
            }
        }
    }

    /// Users, as provider users (people are matched by email).
    async fn users(&self) -> anyhow::Result<()> {
        let (users, _) = self
            .listing(format!("/v1/users?per_page={PER_PAGE}"), "users")
            .await?;
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        for u in &users {
            let Some(id) = id_text(&u["id"]) else {
                continue;
            };
            records::upsert(
                &mut tx,
                &Row::new("owners", self.connection_id)
                    .key("external_id", id)
                    .col("org_id", self.org_id)
                    .col("email", email_of(u))
                    .col("name", u["name"].as_str().unwrap_or_default().trim())
                    .col("properties", u.to_string())
                    .col("deleted", false)
                    .col("synced_at", now),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(())
    }

    /// Calls started since the cursor; true when anything changed.
    async fn calls(&self) -> anyhow::Result<bool> {
        let stored = records::cursor(&self.db, self.connection_id, CALLS).await?;
        let stored: Option<i64> = stored.as_deref().and_then(|c| c.parse().ok());
        let mut from = match stored {
            Some(c) => c - OVERLAP_S,
            None => (now_ms() - self.backfill_weeks * 7 * 24 * 3600 * 1000) / 1000,
        };
        let mut finished: Option<i64> = stored;
        let mut in_progress: Option<i64> = None;
        let mut changed = false;
        loop {
            let first = format!("/v1/calls?from={from}&order=asc&per_page={PER_PAGE}");
            let (calls, total) = self.listing(first, "calls").await?;
            for c in &calls {
                let Some(at) = c["started_at"].as_i64() else {
                    continue;
                };
                if c["status"].as_str() == Some("done") {
                    finished = Some(finished.map_or(at, |f| f.max(at)));
                } else {
                    in_progress = Some(in_progress.map_or(at, |p| p.min(at)));
                }
            }
            changed |= self.write(&calls).await?;
            let newest = calls.iter().filter_map(|c| c["started_at"].as_i64()).max();
            match newest {
                // Cut short by the paging cap: go on from the newest read.
                Some(n) if (calls.len() as u64) < total && n > from => from = n,
                Some(_) if (calls.len() as u64) < total => {
                    anyhow::bail!(
                        "listing Aircall calls: more calls in one second than Aircall pages"
                    )
                }
                _ => break,
            }
        }
        let cursor = match (finished, in_progress) {
            (Some(f), Some(p)) => Some(f.min(p - 1)),
            (f, _) => f,
        };
        if let Some(c) = cursor.filter(|c| Some(*c) != stored) {
            let mut tx = self.db.begin_write().await?;
            records::set_cursor(&mut tx, self.connection_id, CALLS, &c.to_string(), now_ms())
                .await?;
            tx.commit().await?;
        }
        Ok(changed)
    }

    /// Upserts calls, and their users when the user list does not know
    /// them (a user deleted since still made those calls).
    async fn write(&self, calls: &[Value]) -> anyhow::Result<bool> {
        let now = now_ms();
        let rows: Vec<Row> = calls
            .iter()
            .filter_map(|c| call_row(c, self.connection_id, self.org_id, now))
            .collect();
        let mut tx = self.db.begin_write().await?;
        let changes = records::upsert_many(&mut tx, &rows).await?;
        for c in calls {
            let Some(id) = id_text(&c["user"]["id"]) else {
                continue;
            };
            sqlx::query(
                "INSERT INTO owners (connection_id, external_id, org_id, email, name, properties, deleted, synced_at) \
                 VALUES ($1, $2, $3, $4, $5, $6, 0, $7) ON CONFLICT (connection_id, external_id) DO NOTHING",
            )
            .bind(self.connection_id)
            .bind(id)
            .bind(self.org_id)
            .bind(email_of(&c["user"]))
            .bind(c["user"]["name"].as_str().unwrap_or_default())
            .bind(c["user"].to_string())
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
            CALLS,
            added,
            updated,
            0,
        )
        .await?;
        tx.commit().await?;
        Ok(added + updated > 0)
    }
}

fn email_of(user: &Value) -> Option<String> {
    user["email"]
        .as_str()
        .map(|e| e.trim().to_lowercase())
        .filter(|e| !e.is_empty())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_call_is_answered_when_it_has_an_answer_time() {
        let call = json!({"id": 7, "direction": "outbound", "started_at": 100, "answered_at": null,
            "ended_at": 130, "duration": 30, "status": "done", "raw_digits": "+1 555", "user": {"id": 3}});
        let row = call_row(&call, ConnectionId(1), OrgId(1), 0).unwrap_or_else(|| panic!("a row"));
        let col = |n: &str| {
            row.cols
                .iter()
                .find(|(k, _)| *k == n)
                .map(|(_, v)| v.clone())
        };
        use super::records::Val;
        assert_eq!(col("call_status"), Some(Val::Text(Some("missed".into()))));
        assert_eq!(
            col("call_direction"),
            Some(Val::Text(Some("OUTBOUND".into())))
        );
        assert_eq!(col("duration_ms"), Some(Val::Int(Some(30_000))));
        assert_eq!(col("occurred_at"), Some(Val::Int(Some(100_000))));
        assert_eq!(col("owner_external_id"), Some(Val::Text(Some("3".into()))));
    }
}
