//! Syncing one HubSpot account: owners, deal pipelines, call dispositions,
//! lists, contacts, companies, deals, calls, meetings, notes, emails, tasks
//! and their contact associations.
//!
//! CRM objects are read with search sorted by last-modified date, ascending,
//! 200 a page. Each page starts again from the newest modified date seen so
//! far (keyset paging), so the 10,000-result cap of one search never bites
//! and a record changed mid-run is not skipped. Up to five pages (1,000
//! records, what one v4 association batch read takes) are gathered, their
//! associations read in one call, and the records, associations and the
//! advanced cursor commit in one transaction. A first backfill lists most
//! kinds instead, on the general budget, beside the searches
//! ([`super::lanes`], [`super::listing`]); once a listing ends, search takes
//! over from the time it started. Deletes come from listing
//! `archived=true`; webhooks fetch just the changed ids.

use std::collections::{BTreeMap, HashMap, HashSet};

use anyhow::Context as _;
use serde_json::{Value, json};

use super::{
    budget::Bucket,
    client::Api,
    listing::ListCursor,
    records::{self, Change, Row},
    runs,
};
use crate::{
    db::{Db, now_ms},
    events::Event,
};

/// Cursor overlap: records indexed late by search are picked up again.
pub const OVERLAP_MS: i64 = 2 * 60 * 1000;
/// Records gathered before one write: what one v4 association batch read takes.
pub const BATCH: usize = 1000;
/// Search page size.
const SEARCH_PAGE: usize = 200;

/// Where a search of one kind has got to: the modified-time cursor and, when
/// a whole page shares one timestamp, the offset within it.
#[derive(Debug, Clone, Copy)]
struct Paging {
    cursor: i64,
    after: usize,
}

/// Search results read for one write, and whether more follow.
#[derive(Debug)]
struct SearchBatch {
    records: Vec<Value>,
    /// The latest modified time among `records`: the cursor their write commits.
    max: Option<i64>,
    more: bool,
}

impl SearchBatch {
    fn cursor(&self) -> Option<String> {
        self.max.map(|m| m.to_string())
    }
}
/// The list Tally always keeps memberships of.
pub const DEFAULT_LIST: &str = "Warm 250";

/// A CRM object type Tally syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kind {
    /// API path name, e.g. `calls`.
    pub plural: &'static str,
    /// `activities.kind` value or table.
    pub name: &'static str,
    /// Object type id.
    pub type_id: &'static str,
    /// Last-modified property for search.
    pub modified: &'static str,
    /// Properties to read.
    pub properties: &'static [&'static str],
    /// Whether it is an activity (windowed backfill).
    pub activity: bool,
}

/// Every synced CRM kind, reference data first.
pub const KINDS: [Kind; 8] = [
    Kind {
        plural: "contacts",
        name: "contact",
        type_id: "0-1",
        modified: "lastmodifieddate",
        properties: &[
            "firstname",
            "lastname",
            "email",
            "jobtitle",
            "hs_buying_role",
            "company",
            "hubspot_owner_id",
            "createdate",
            "lastmodifieddate",
        ],
        activity: false,
    },
    Kind {
        plural: "companies",
        name: "company",
        type_id: "0-2",
        modified: "hs_lastmodifieddate",
        properties: &[
            "name",
            "domain",
            "hubspot_owner_id",
            "createdate",
            "hs_lastmodifieddate",
        ],
        activity: false,
    },
    Kind {
        plural: "deals",
        name: "deal",
        type_id: "0-3",
        modified: "hs_lastmodifieddate",
        properties: &[
            "dealname",
            "pipeline",
            "dealstage",
            "amount",
            "closedate",
            "createdate",
            "hubspot_owner_id",
            "dealtype",
            "hs_is_closed_won",
            "hs_lastmodifieddate",
        ],
        activity: false,
    },
    Kind {
        plural: "calls",
        name: "call",
        type_id: "0-48",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_call_title",
            "hs_call_body",
            "hs_call_direction",
            "hs_call_status",
            "hs_call_disposition",
            "hs_call_duration",
            "hs_activity_type",
        ],
        activity: true,
    },
    Kind {
        plural: "meetings",
        name: "meeting",
        type_id: "0-47",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_meeting_title",
            "hs_meeting_body",
            "hs_meeting_start_time",
            "hs_meeting_end_time",
            "hs_meeting_outcome",
            "hs_activity_type",
        ],
        activity: true,
    },
    Kind {
        plural: "notes",
        name: "note",
        type_id: "0-46",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_note_body",
        ],
        activity: true,
    },
    Kind {
        plural: "emails",
        name: "email",
        type_id: "0-49",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_email_subject",
            "hs_email_text",
            "hs_email_direction",
            "hs_email_status",
        ],
        activity: true,
    },
    Kind {
        plural: "tasks",
        name: "task",
        type_id: "0-27",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_task_subject",
            "hs_task_body",
            "hs_task_status",
            "hs_task_type",
        ],
        activity: true,
    },
];

/// A kind by path name or object type id.
pub fn kind(name: &str) -> Option<Kind> {
    KINDS
        .into_iter()
        .find(|k| k.plural == name || k.type_id == name || k.name == name)
}

/// Everything one HubSpot sync needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Database.
    pub db: Db,
    /// The account's API.
    pub api: Api,
    /// Organisation.
    pub org_id: i64,
    /// Connection.
    pub connection_id: i64,
    /// Portal (hub) id, for record links.
    pub portal: String,
    /// Run.
    pub run_id: i64,
    /// Backfill window for activities, weeks.
    pub backfill_weeks: i64,
    /// Where committed batches are announced.
    pub events: crate::events::EventBus,
    /// Properties the organisation's measurables name beyond each kind's
    /// own list, by plural ([`super::properties::wanted`]).
    pub named: std::sync::Arc<BTreeMap<&'static str, Vec<String>>>,
}

/// Epoch ms from a HubSpot value: ms digits or ISO-8601.
pub fn ts(v: Option<&str>) -> Option<i64> {
    let v = v?.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(n) = v.parse::<i64>() {
        return Some(n);
    }
    chrono::DateTime::parse_from_rfc3339(v)
        .ok()
        .map(|d| d.timestamp_millis())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc().timestamp_millis())
        })
}

fn prop<'a>(rec: &'a Value, name: &str) -> Option<&'a str> {
    rec["properties"][name].as_str().filter(|s| !s.is_empty())
}

fn text(rec: &Value, name: &str) -> Option<String> {
    prop(rec, name).map(str::to_owned)
}

fn num(rec: &Value, name: &str) -> Option<f64> {
    prop(rec, name).and_then(|v| v.trim().parse::<f64>().ok())
}

/// Stage id -> closed won, per pipeline.
pub type Stages = HashMap<(String, String), bool>;

/// Dispositions GUID -> label.
pub type Dispositions = HashMap<String, String>;

/// Contact associations of one record: (contact id, label).
type Contacts = [(String, Option<String>)];

/// Builds the row of one CRM record.
#[allow(clippy::too_many_arguments)] // plain data in, one row out
pub fn row_of(
    k: Kind,
    rec: &Value,
    connection_id: i64,
    org_id: i64,
    portal: &str,
    stages: &Stages,
    dispositions: &Dispositions,
    now: i64,
) -> Option<Row> {
    let id = rec["id"].as_str()?.to_owned();
    let deleted = rec["archived"].as_bool().unwrap_or(false);
    let properties = rec["properties"].to_string();
    let created = ts(rec["createdAt"].as_str()).or_else(|| ts(prop(rec, "hs_createdate")));
    let updated = ts(rec["updatedAt"].as_str()).or_else(|| ts(prop(rec, k.modified)));
    let url = format!(
        "https://app.hubspot.com/contacts/{portal}/record/{}/{id}",
        k.type_id
    );
    let owner = text(rec, "hubspot_owner_id");
    let row = if k.activity {
        let (title, body) = match k.name {
            "call" => (text(rec, "hs_call_title"), text(rec, "hs_call_body")),
            "meeting" => (text(rec, "hs_meeting_title"), text(rec, "hs_meeting_body")),
            "note" => (None, text(rec, "hs_note_body")),
            "email" => (text(rec, "hs_email_subject"), text(rec, "hs_email_text")),
            _ => (text(rec, "hs_task_subject"), text(rec, "hs_task_body")),
        };
        let disposition = text(rec, "hs_call_disposition");
        let label = disposition
            .as_ref()
            .and_then(|d| dispositions.get(d).cloned());
        Row::new("activities", connection_id)
            .key("kind", k.name)
            .key("external_id", id)
            .col("org_id", org_id)
            .col("owner_external_id", owner)
            .col("occurred_at", ts(prop(rec, "hs_timestamp")).or(created))
            .col("remote_created_at", created)
            .col("remote_updated_at", updated)
            .col("start_at", ts(prop(rec, "hs_meeting_start_time")))
            .col("end_at", ts(prop(rec, "hs_meeting_end_time")))
            .col("title", title.unwrap_or_default())
            .col("body", body.unwrap_or_default())
            .col("call_direction", text(rec, "hs_call_direction"))
            .col("call_status", text(rec, "hs_call_status"))
            .col("call_disposition", disposition)
            .col("disposition_label", label)
            .col(
                "duration_ms",
                num(rec, "hs_call_duration").map(|d| d as i64),
            )
            .col("activity_type", text(rec, "hs_activity_type"))
            .col("meeting_outcome", text(rec, "hs_meeting_outcome"))
            .col("email_direction", text(rec, "hs_email_direction"))
            .col("task_status", text(rec, "hs_task_status"))
    } else {
        match k.name {
            "contact" => Row::new("contacts", connection_id)
                .key("external_id", id)
                .col("org_id", org_id)
                .col("first_name", text(rec, "firstname").unwrap_or_default())
                .col("last_name", text(rec, "lastname").unwrap_or_default())
                .col("email", text(rec, "email").map(|e| e.to_lowercase()))
                .col("job_title", text(rec, "jobtitle"))
                .col("buying_role", text(rec, "hs_buying_role"))
                .col("company", text(rec, "company"))
                .col("owner_external_id", owner)
                .col("remote_created_at", created)
                .col("remote_updated_at", updated),
            "company" => Row::new("companies", connection_id)
                .key("external_id", id)
                .col("org_id", org_id)
                .col("name", text(rec, "name").unwrap_or_default())
                .col("domain", text(rec, "domain"))
                .col("owner_external_id", owner)
                .col("remote_created_at", created)
                .col("remote_updated_at", updated),
            _ => {
                let pipeline = text(rec, "pipeline");
                let stage = text(rec, "dealstage");
                let won = match (&pipeline, &stage) {
                    (Some(p), Some(s)) => stages.get(&(p.clone(), s.clone())).copied(),
                    _ => None,
                }
                .unwrap_or_else(|| prop(rec, "hs_is_closed_won") == Some("true"));
                let amount = num(rec, "amount");
                Row::new("deals", connection_id)
                    .key("external_id", id)
                    .col("org_id", org_id)
                    .col("name", text(rec, "dealname").unwrap_or_default())
                    .col("pipeline", pipeline)
                    .col("stage", stage)
                    .col("closed_won", won)
                    .col("amount", amount)
                    .col("close_date", ts(prop(rec, "closedate")))
                    .col("remote_created_at", ts(prop(rec, "createdate")).or(created))
                    .col("remote_updated_at", updated)
                    .col("owner_external_id", owner)
                    .col("deal_type", text(rec, "dealtype"))
            }
        }
    };
    Some(
        row.col("url", url)
            .col("properties", properties)
            .col("deleted", deleted)
            .col("synced_at", now),
    )
}

fn table_of(k: Kind) -> (&'static str, Option<&'static str>) {
    if k.activity {
        ("activities", Some(k.name))
    } else {
        match k.name {
            "contact" => ("contacts", None),
            "company" => ("companies", None),
            _ => ("deals", None),
        }
    }
}

impl Ctx {
    /// Every property to request for a kind: its own list, then the ones
    /// measurables name.
    pub fn properties(&self, k: Kind) -> Vec<String> {
        let mut all: Vec<String> = k.properties.iter().map(|p| (*p).to_owned()).collect();
        for name in self.named.get(k.plural).into_iter().flatten() {
            if !all.contains(name) {
                all.push(name.clone());
            }
        }
        all
    }

    async fn publish_tally(
        &self,
        object: &str,
        changes: &[Change],
        deleted: i64,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> anyhow::Result<bool> {
        let added = changes.iter().filter(|c| **c == Change::Added).count() as i64;
        let updated = changes.iter().filter(|c| **c == Change::Updated).count() as i64;
        runs::add_counts(
            tx,
            self.run_id,
            self.connection_id,
            object,
            added,
            updated,
            deleted,
        )
        .await?;
        Ok(added + updated + deleted > 0)
    }

    /// Stage map from the stored pipelines.
    pub async fn stages(&self) -> anyhow::Result<Stages> {
        let rows: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT pipeline_external_id, external_id, closed_won FROM pipeline_stages WHERE connection_id = $1",
        )
        .bind(self.connection_id)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows.into_iter().map(|(p, s, w)| ((p, s), w == 1)).collect())
    }

    /// Disposition labels from the stored ones.
    pub async fn dispositions(&self) -> anyhow::Result<Dispositions> {
        let rows: Vec<(String, String)> = sqlx::query_as(
            "SELECT external_id, label FROM call_dispositions WHERE connection_id = $1",
        )
        .bind(self.connection_id)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(rows.into_iter().collect())
    }

    /// Owners, active and archived. Returns whether anything changed.
    pub async fn owners(&self) -> anyhow::Result<bool> {
        let now = now_ms();
        let mut all = Vec::new();
        for archived in [false, true] {
            let mut after: Option<String> = None;
            loop {
                let mut path = format!("/crm/v3/owners?limit=100&archived={archived}");
                if let Some(a) = &after {
                    path.push_str(&format!("&after={a}"));
                }
                let page = self.api.get(&path, Bucket::Hubspot).await?;
                all.extend(page["results"].as_array().cloned().unwrap_or_default());
                after = page["paging"]["next"]["after"].as_str().map(str::to_owned);
                if after.is_none() {
                    break;
                }
            }
        }
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        for o in &all {
            let Some(id) = o["id"].as_str() else { continue };
            let first = o["firstName"].as_str().unwrap_or_default();
            let last = o["lastName"].as_str().unwrap_or_default();
            let row = Row::new("owners", self.connection_id)
                .key("external_id", id)
                .col("org_id", self.org_id)
                .col("email", o["email"].as_str().map(str::to_lowercase))
                .col("first_name", first)
                .col("last_name", last)
                .col("name", format!("{first} {last}").trim().to_owned())
                .col("properties", o.to_string())
                .col("deleted", o["archived"].as_bool().unwrap_or(false))
                .col("synced_at", now);
            changes.push(records::upsert(&mut tx, &row).await?);
        }
        let changed = self.publish_tally("owners", &changes, 0, &mut tx).await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Deal pipelines and stages; closed won = closed with probability 1.0.
    pub async fn pipelines(&self) -> anyhow::Result<bool> {
        let now = now_ms();
        let v = self
            .api
            .get("/crm/v3/pipelines/deals", Bucket::Hubspot)
            .await?;
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        for p in v["results"].as_array().cloned().unwrap_or_default() {
            let Some(pid) = p["id"].as_str() else {
                continue;
            };
            changes.push(
                records::upsert(
                    &mut tx,
                    &Row::new("pipelines", self.connection_id)
                        .key("object_type", "deals")
                        .key("external_id", pid)
                        .col("org_id", self.org_id)
                        .col("label", p["label"].as_str().unwrap_or_default())
                        .col("display_order", p["displayOrder"].as_i64().unwrap_or(0))
                        .col("deleted", p["archived"].as_bool().unwrap_or(false))
                        .col("synced_at", now),
                )
                .await?,
            );
            for s in p["stages"].as_array().cloned().unwrap_or_default() {
                let Some(sid) = s["id"].as_str() else {
                    continue;
                };
                let closed = s["metadata"]["isClosed"].as_str() == Some("true");
                let probability = s["metadata"]["probability"]
                    .as_str()
                    .and_then(|p| p.parse::<f64>().ok());
                let won = closed && probability.is_some_and(|p| (p - 1.0).abs() < 1e-9);
                records::upsert(
                    &mut tx,
                    &Row::new("pipeline_stages", self.connection_id)
                        .key("pipeline_external_id", pid)
                        .key("external_id", sid)
                        .col("org_id", self.org_id)
                        .col("label", s["label"].as_str().unwrap_or_default())
                        .col("display_order", s["displayOrder"].as_i64().unwrap_or(0))
                        .col("probability", probability)
                        .col("is_closed", closed)
                        .col("closed_won", won)
                        .col("deleted", s["archived"].as_bool().unwrap_or(false))
                        .col("synced_at", now),
                )
                .await?;
            }
        }
        let changed = self
            .publish_tally("pipelines", &changes, 0, &mut tx)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Call dispositions (GUID -> label); relabels stored calls.
    pub async fn dispositions_sync(&self) -> anyhow::Result<bool> {
        let now = now_ms();
        let v = self
            .api
            .get("/calling/v1/dispositions", Bucket::Hubspot)
            .await?;
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        for d in v.as_array().cloned().unwrap_or_default() {
            let (Some(id), Some(label)) = (d["id"].as_str(), d["label"].as_str()) else {
                continue;
            };
            changes.push(
                records::upsert(
                    &mut tx,
                    &Row::new("call_dispositions", self.connection_id)
                        .key("external_id", id)
                        .col("org_id", self.org_id)
                        .col("label", label)
                        .col("deleted", d["deleted"].as_bool().unwrap_or(false))
                        .col("synced_at", now),
                )
                .await?,
            );
        }
        sqlx::query(
            "UPDATE activities SET disposition_label = (SELECT d.label FROM call_dispositions d \
             WHERE d.connection_id = activities.connection_id AND d.external_id = activities.call_disposition) \
             WHERE connection_id = $1 AND kind = 'call' AND call_disposition IS NOT NULL",
        )
        .bind(self.connection_id)
        .execute(&mut *tx)
        .await?;
        let changed = self
            .publish_tally("call_dispositions", &changes, 0, &mut tx)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Every contact list by name, and the memberships of `wanted` names.
    pub async fn lists(&self, wanted: &[String]) -> anyhow::Result<bool> {
        let now = now_ms();
        let mut lists = Vec::new();
        let mut offset = 0_i64;
        loop {
            let v = self
                .api
                .post(
                    "/crm/v3/lists/search",
                    &json!({"query": "", "offset": offset, "count": 500, "objectTypeId": "0-1"}),
                    Bucket::Hubspot,
                )
                .await?;
            let page = v["lists"].as_array().cloned().unwrap_or_default();
            let n = page.len() as i64;
            lists.extend(page);
            if !v["hasMore"].as_bool().unwrap_or(false) || n == 0 {
                break;
            }
            offset = v["offset"].as_i64().unwrap_or(offset + n);
        }
        let wanted: HashSet<String> = wanted.iter().map(|w| w.to_lowercase()).collect();
        let mut changed = false;
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        let mut members_of = Vec::new();
        for l in &lists {
            let id = match &l["listId"] {
                Value::String(s) => s.clone(),
                Value::Number(n) => n.to_string(),
                _ => continue,
            };
            let name = l["name"].as_str().unwrap_or_default().to_owned();
            if wanted.contains(&name.to_lowercase()) {
                members_of.push(id.clone());
            }
            changes.push(
                records::upsert(
                    &mut tx,
                    &Row::new("lists", self.connection_id)
                        .key("external_id", id)
                        .col("org_id", self.org_id)
                        .col("name", name)
                        .col(
                            "object_type_id",
                            l["objectTypeId"].as_str().unwrap_or("0-1"),
                        )
                        .col(
                            "processing_type",
                            l["processingType"].as_str().map(str::to_owned),
                        )
                        .col(
                            "size",
                            l["additionalProperties"]["hs_list_size"]
                                .as_str()
                                .and_then(|s| s.parse::<i64>().ok()),
                        )
                        .col("properties", l.to_string())
                        .col("deleted", false)
                        .col("synced_at", now),
                )
                .await?,
            );
        }
        changed |= self.publish_tally("lists", &changes, 0, &mut tx).await?;
        tx.commit().await?;
        for list_id in members_of {
            changed |= self.memberships(&list_id).await?;
        }
        Ok(changed)
    }

    async fn memberships(&self, list_id: &str) -> anyhow::Result<bool> {
        let now = now_ms();
        let mut seen: BTreeMap<String, Option<i64>> = BTreeMap::new();
        let mut after: Option<String> = None;
        loop {
            let mut path = format!("/crm/v3/lists/{list_id}/memberships?limit=250");
            if let Some(a) = &after {
                path.push_str(&format!("&after={a}"));
            }
            let v = self.api.get(&path, Bucket::Hubspot).await?;
            for m in v["results"].as_array().cloned().unwrap_or_default() {
                let rid = match &m["recordId"] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                seen.insert(rid, ts(m["membershipTimestamp"].as_str()));
            }
            after = v["paging"]["next"]["after"].as_str().map(str::to_owned);
            if after.is_none() {
                break;
            }
        }
        let mut tx = self.db.begin_write().await?;
        let mut changes = Vec::new();
        for (rid, added_at) in &seen {
            changes.push(
                records::upsert(
                    &mut tx,
                    &Row::new("list_memberships", self.connection_id)
                        .key("list_external_id", list_id)
                        .key("record_external_id", rid.clone())
                        .col("org_id", self.org_id)
                        .col("added_at", *added_at)
                        .col("deleted", false)
                        .col("synced_at", now),
                )
                .await?,
            );
        }
        let stored: Vec<(String,)> = sqlx::query_as(
            "SELECT record_external_id FROM list_memberships WHERE connection_id = $1 \
             AND list_external_id = $2 AND deleted = 0",
        )
        .bind(self.connection_id)
        .bind(list_id)
        .fetch_all(&mut *tx)
        .await?;
        let mut removed = 0_i64;
        for (rid,) in stored {
            if !seen.contains_key(&rid) {
                removed += i64::try_from(
                    sqlx::query(
                        "UPDATE list_memberships SET deleted = 1, synced_at = $1 WHERE connection_id = $2 \
                         AND list_external_id = $3 AND record_external_id = $4",
                    )
                    .bind(now)
                    .bind(self.connection_id)
                    .bind(list_id)
                    .bind(rid)
                    .execute(&mut *tx)
                    .await?
                    .rows_affected(),
                )
                .unwrap_or(0);
            }
        }
        let changed = self
            .publish_tally("list_memberships", &changes, removed, &mut tx)
            .await?;
        tx.commit().await?;
        Ok(changed)
    }

    /// Where a kind's sync starts when it has no cursor.
    pub(crate) fn initial_cursor(&self, k: Kind) -> i64 {
        if k.activity {
            now_ms() - self.backfill_weeks * 7 * 24 * 3600 * 1000
        } else {
            0
        }
    }

    /// One CRM search of a kind, on the search budget.
    pub(crate) async fn search(&self, k: Kind, body: &Value) -> anyhow::Result<Value> {
        self.api
            .post(
                &format!("/crm/v3/objects/{}/search", k.plural),
                body,
                Bucket::HubspotSearch,
            )
            .await
    }

    /// Records modified since the cursor, page by page; returns whether
    /// anything changed. A batch is written while the next one is searched,
    /// so the search budget is not left idle during association reads and
    /// database writes; writes stay in order, each committing its cursor.
    pub async fn objects(&self, k: Kind) -> anyhow::Result<bool> {
        let stages = self.stages().await?;
        let dispositions = self.dispositions().await?;
        let stored = records::cursor(&self.db, self.connection_id, k.plural).await?;
        // A listing a crash left unfinished is finished by listing.
        if let Some(at) = stored.as_deref().and_then(ListCursor::parse) {
            return self.list_objects(k, Some(at)).await;
        }
        let mut at = Paging {
            cursor: match stored.as_deref().and_then(|c| c.parse::<i64>().ok()) {
                Some(c) => (c - OVERLAP_MS).max(0),
                None => self.initial_cursor(k),
            },
            after: 0,
        };
        let mut changed = false;
        let mut ready = self.search_batch(k, &mut at).await?;
        while ready.more {
            let write = self.write_page(k, &ready.records, &stages, &dispositions, ready.cursor());
            let (wrote, next) = tokio::try_join!(write, self.search_batch(k, &mut at))?;
            changed |= wrote;
            ready = next;
        }
        changed |= self
            .write_page(k, &ready.records, &stages, &dispositions, ready.cursor())
            .await?;
        changed |= self.archived(k).await?;
        Ok(changed)
    }

    /// Searches pages from `at` until a batch is full or the results end,
    /// moving `at` past what it read.
    async fn search_batch(&self, k: Kind, at: &mut Paging) -> anyhow::Result<SearchBatch> {
        let mut batch = SearchBatch {
            records: Vec::new(),
            max: None,
            more: true,
        };
        loop {
            let mut body = json!({
                "filterGroups": [{"filters": [{"propertyName": k.modified, "operator": "GTE", "value": at.cursor.to_string()}]}],
                "sorts": [{"propertyName": k.modified, "direction": "ASCENDING"}],
                "properties": self.properties(k),
                "limit": SEARCH_PAGE,
            });
            if at.after > 0 {
                body["after"] = json!(at.after.to_string());
            }
            let page = self
                .search(k, &body)
                .await
                .with_context(|| format!("searching {}", k.plural))?;
            let (results, rest) = match page {
                Value::Object(mut o) => match o.remove("results") {
                    Some(Value::Array(a)) => (a, o),
                    _ => (Vec::new(), o),
                },
                _ => (Vec::new(), serde_json::Map::new()),
            };
            // `Map`'s index panics on a missing key; the last page has no
            // `paging` at all, even when it is exactly full.
            let next_page = rest
                .get("paging")
                .is_some_and(|p| p["next"]["after"].is_string());
            let full = results.len() >= SEARCH_PAGE && next_page;
            let max_seen = results
                .iter()
                .filter_map(|r| ts(prop(r, k.modified)).or_else(|| ts(r["updatedAt"].as_str())))
                .max();
            batch.max = batch.max.max(max_seen);
            let n = results.len();
            batch.records.extend(results);
            if !full {
                batch.more = false;
                return Ok(batch);
            }
            match max_seen {
                Some(m) if m > at.cursor => {
                    at.cursor = m;
                    at.after = 0;
                }
                _ => {
                    // A whole page on one timestamp: page within it.
                    at.after += n;
                    if at.after >= 9_800 {
                        anyhow::bail!(
                            "more than 9,800 {} modified in the same millisecond",
                            k.plural
                        );
                    }
                }
            }
            // The cursor commits with every record it covers: the batch.
            if batch.records.len() + SEARCH_PAGE > BATCH {
                return Ok(batch);
            }
        }
    }

    pub(crate) async fn write_page(
        &self,
        k: Kind,
        results: &[Value],
        stages: &Stages,
        dispositions: &Dispositions,
        cursor: Option<String>,
    ) -> anyhow::Result<bool> {
        let mut seen = HashSet::new();
        let ids: Vec<String> = results
            .iter()
            .filter_map(|r| r["id"].as_str().map(str::to_owned))
            .filter(|id| seen.insert(id.clone()))
            .collect();
        let assoc = if k.activity || k.name == "deal" {
            self.associations(k, &ids).await?
        } else {
            HashMap::new()
        };
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        let rows: Vec<Row> = results
            .iter()
            .filter_map(|r| {
                row_of(
                    k,
                    r,
                    self.connection_id,
                    self.org_id,
                    &self.portal,
                    stages,
                    dispositions,
                    now,
                )
            })
            .collect();
        let changes = records::upsert_many(&mut tx, &rows).await?;
        let with_assoc: Vec<(&str, &Contacts)> = ids
            .iter()
            .filter_map(|id| assoc.get(id).map(|c| (id.as_str(), c.as_slice())))
            .collect();
        write_associations(
            &mut tx,
            self.connection_id,
            self.org_id,
            k.name,
            &with_assoc,
            now,
        )
        .await?;
        if let Some(c) = cursor {
            records::set_cursor(&mut tx, self.connection_id, k.plural, &c, now).await?;
        }
        let changed = self.publish_tally(k.plural, &changes, 0, &mut tx).await?;
        tx.commit().await?;
        self.announce(k.plural, changed).await;
        Ok(changed)
    }

    /// Publishes a committed batch: records changed (when they did) and progress.
    async fn announce(&self, object: &str, changed: bool) {
        let (org_id, connection_id) = (self.org_id, self.connection_id);
        if changed {
            let event = Event::RecordsChanged {
                org_id,
                connection_id,
                objects: vec![object.to_owned()],
            };
            if let Err(e) = self.events.publish(event).await {
                tracing::warn!(error = format!("{e:#}"), "publishing records changed");
            }
        }
        let event = Event::SyncProgress {
            org_id,
            connection_id,
            run_id: self.run_id,
        };
        if let Err(e) = self.events.publish(event).await {
            tracing::warn!(error = format!("{e:#}"), "publishing sync progress");
        }
    }

    /// Contact associations of `ids` (v4 batch read, up to 1,000 a call).
    async fn associations(
        &self,
        k: Kind,
        ids: &[String],
    ) -> anyhow::Result<HashMap<String, Vec<(String, Option<String>)>>> {
        let mut out: HashMap<String, Vec<(String, Option<String>)>> = HashMap::new();
        for chunk in ids.chunks(1000) {
            if chunk.is_empty() {
                continue;
            }
            let inputs: Vec<Value> = chunk.iter().map(|id| json!({"id": id})).collect();
            let v = self
                .api
                .post(
                    &format!("/crm/v4/associations/{}/contacts/batch/read", k.plural),
                    &json!({"inputs": inputs}),
                    Bucket::Hubspot,
                )
                .await?;
            for id in chunk {
                out.entry(id.clone()).or_default();
            }
            for r in v["results"].as_array().cloned().unwrap_or_default() {
                let from = match &r["from"]["id"] {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => n.to_string(),
                    _ => continue,
                };
                let to = r["to"].as_array().cloned().unwrap_or_default();
                let list = out.entry(from).or_default();
                for t in to {
                    let tid = match &t["toObjectId"] {
                        Value::String(s) => s.clone(),
                        Value::Number(n) => n.to_string(),
                        _ => continue,
                    };
                    let label = t["associationTypes"][0]["label"]
                        .as_str()
                        .map(str::to_owned);
                    list.push((tid, label));
                }
            }
        }
        Ok(out)
    }

    /// Marks records archived upstream as deleted.
    pub(crate) async fn archived(&self, k: Kind) -> anyhow::Result<bool> {
        let mut ids = Vec::new();
        let mut after: Option<String> = None;
        loop {
            let mut path = format!(
                "/crm/v3/objects/{}?archived=true&limit=100&properties={}",
                k.plural, k.modified
            );
            if let Some(a) = &after {
                path.push_str(&format!("&after={a}"));
            }
            let v = self.api.get(&path, Bucket::Hubspot).await?;
            for r in v["results"].as_array().cloned().unwrap_or_default() {
                if let Some(id) = r["id"].as_str() {
                    ids.push(id.to_owned());
                }
            }
            after = v["paging"]["next"]["after"].as_str().map(str::to_owned);
            if after.is_none() {
                break;
            }
        }
        self.delete_ids(k, &ids).await
    }

    /// Marks `ids` of a kind deleted; returns whether any changed.
    pub async fn delete_ids(&self, k: Kind, ids: &[String]) -> anyhow::Result<bool> {
        if ids.is_empty() {
            return Ok(false);
        }
        let (table, kind) = table_of(k);
        let now = now_ms();
        let mut tx = self.db.begin_write().await?;
        let n = records::mark_deleted(&mut tx, table, self.connection_id, kind, ids, now).await?;
        let n = i64::try_from(n).unwrap_or(0);
        let changed = self.publish_tally(k.plural, &[], n, &mut tx).await?;
        tx.commit().await?;
        self.announce(k.plural, changed).await;
        Ok(changed)
    }

    /// Reads just `ids` (a webhook's records) with batch read, 100 a call.
    pub async fn fetch_ids(&self, k: Kind, ids: &[String]) -> anyhow::Result<bool> {
        let stages = self.stages().await?;
        let dispositions = self.dispositions().await?;
        let mut changed = false;
        for chunk in ids.chunks(100) {
            let inputs: Vec<Value> = chunk.iter().map(|id| json!({"id": id})).collect();
            let v = self
                .api
                .post(
                    &format!("/crm/v3/objects/{}/batch/read", k.plural),
                    &json!({"inputs": inputs, "properties": self.properties(k)}),
                    Bucket::Hubspot,
                )
                .await?;
            let results = v["results"].as_array().cloned().unwrap_or_default();
            let found: HashSet<&str> = results.iter().filter_map(|r| r["id"].as_str()).collect();
            let missing: Vec<String> = chunk
                .iter()
                .filter(|id| !found.contains(id.as_str()))
                .cloned()
                .collect();
            changed |= self
                .write_page(k, &results, &stages, &dispositions, None)
                .await?;
            changed |= self.delete_ids(k, &missing).await?;
        }
        Ok(changed)
    }
}

/// Replaces the contact associations of each `(record, contacts)`.
async fn write_associations(
    tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    connection_id: i64,
    org_id: i64,
    from_kind: &str,
    records: &[(&str, &Contacts)],
    now: i64,
) -> anyhow::Result<()> {
    let sqlite = records::is_sqlite(tx);
    for chunk in records.chunks(1000) {
        let marks: Vec<String> = (0..chunk.len())
            .map(|i| records::mark(sqlite, i + 4))
            .collect();
        let sql = format!(
            "UPDATE associations SET deleted = 1, synced_at = {} WHERE connection_id = {} \
             AND from_kind = {} AND to_kind = 'contact' AND deleted = 0 \
             AND from_external_id IN ({})",
            records::mark(sqlite, 1),
            records::mark(sqlite, 2),
            records::mark(sqlite, 3),
            marks.join(", ")
        );
        let mut q = sqlx::query(&sql)
            .bind(now)
            .bind(connection_id)
            .bind(from_kind.to_owned());
        for (id, _) in chunk {
            q = q.bind((*id).to_owned());
        }
        q.execute(&mut **tx).await?;
    }
    let rows: Vec<Row> = records
        .iter()
        .flat_map(|(from_id, contacts)| {
            contacts.iter().map(move |(to, label)| {
                Row::new("associations", connection_id)
                    .key("from_kind", from_kind.to_owned())
                    .key("from_external_id", (*from_id).to_owned())
                    .key("to_kind", "contact")
                    .key("to_external_id", to.clone())
                    .col("org_id", org_id)
                    .col("label", label.clone())
                    .col("deleted", false)
                    .col("synced_at", now)
            })
        })
        .collect();
    records::upsert_many(tx, &rows).await?;
    Ok(())
}
