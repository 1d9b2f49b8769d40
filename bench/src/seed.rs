//! Figure 1's million activities: tops a synced connection up to N
//! activities by writing them with the sync's own code.
//!
//! Backfilling 1,000,000 records through the sandbox is out of reach in a
//! 30-minute `make bench` (the sandbox's search sorts every match on each
//! page), so after a real backfill the remaining activities are built as
//! HubSpot records (the shape search returns) and stored exactly as the sync
//! stores a page: `server::sync::hubspot::row_of` makes the rows and
//! `server::sync::records::upsert_many` writes them, 1,000 per transaction.
//! Owners and call dispositions come from the backfill, so the activities
//! count for the same reps; occurrence times spread evenly over the weeks.

use anyhow::Context as _;
use serde_json::{Value, json};
use server::{
    db::{Db, now_ms},
    sync::{hubspot, records},
};

/// What the top-up wrote.
#[derive(Debug, Clone, serde::Serialize)]
pub struct Seeded {
    /// Activities of the connection before.
    pub before: i64,
    /// Activities written.
    pub written: i64,
    /// Activities of the connection after.
    pub after: i64,
    /// Seconds spent writing.
    pub seconds: f64,
}

/// A small deterministic generator (SplitMix64).
struct Mix(u64);

impl Mix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn pick<'a>(&mut self, from: &[&'a str]) -> &'a str {
        from[(self.next() % from.len() as u64) as usize]
    }
}

const WORDS: &[&str] = &[
    "pricing",
    "renewal",
    "demo",
    "follow-up",
    "budget",
    "timeline",
    "security",
    "review",
    "proposal",
    "contract",
    "onboarding",
    "integration",
    "pilot",
    "champion",
    "objection",
];

fn sentence(m: &mut Mix, words: usize) -> String {
    (0..words)
        .map(|_| m.pick(WORDS))
        .collect::<Vec<_>>()
        .join(" ")
}

/// One HubSpot activity record as search returns it.
fn record(
    m: &mut Mix,
    kind: &str,
    id: u64,
    owner: &str,
    at: i64,
    dispositions: &[String],
) -> Value {
    let iso = chrono::DateTime::from_timestamp_millis(at)
        .unwrap_or_default()
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
    let mut p = json!({
        "hs_timestamp": iso,
        "hubspot_owner_id": owner,
        "hs_createdate": iso,
        "hs_lastmodifieddate": iso,
        "hs_object_id": id.to_string(),
    });
    let o = p.as_object_mut().expect("an object");
    match kind {
        "calls" => {
            o.insert(
                "hs_call_title".into(),
                json!(format!("Call: {}", sentence(m, 3))),
            );
            o.insert(
                "hs_call_body".into(),
                json!(format!("<p>{}</p>", sentence(m, 14))),
            );
            o.insert(
                "hs_call_direction".into(),
                json!(m.pick(&["OUTBOUND", "INBOUND"])),
            );
            o.insert("hs_call_status".into(), json!("COMPLETED"));
            if let Some(d) =
                dispositions.get((m.next() % dispositions.len().max(1) as u64) as usize)
            {
                o.insert("hs_call_disposition".into(), json!(d));
            }
            o.insert(
                "hs_call_duration".into(),
                json!((m.next() % 1_800_000).to_string()),
            );
        }
        "meetings" => {
            let end = at + 30 * 60 * 1000;
            let end_iso = chrono::DateTime::from_timestamp_millis(end)
                .unwrap_or_default()
                .to_rfc3339_opts(chrono::SecondsFormat::Millis, true);
            o.insert(
                "hs_meeting_title".into(),
                json!(format!("Meeting: {}", sentence(m, 3))),
            );
            o.insert("hs_meeting_body".into(), json!(sentence(m, 12)));
            o.insert("hs_meeting_start_time".into(), json!(iso));
            o.insert("hs_meeting_end_time".into(), json!(end_iso));
            o.insert(
                "hs_meeting_outcome".into(),
                json!(m.pick(&["COMPLETED", "SCHEDULED", "NO_SHOW"])),
            );
            o.insert(
                "hs_activity_type".into(),
                json!(m.pick(&["Discovery", "Demo", "Negotiation"])),
            );
        }
        "emails" => {
            o.insert(
                "hs_email_subject".into(),
                json!(format!("Re: {}", sentence(m, 4))),
            );
            o.insert("hs_email_text".into(), json!(sentence(m, 20)));
            o.insert(
                "hs_email_direction".into(),
                json!(m.pick(&["EMAIL", "INCOMING_EMAIL"])),
            );
            o.insert("hs_email_status".into(), json!("SENT"));
        }
        "notes" => {
            o.insert("hs_note_body".into(), json!(sentence(m, 16)));
        }
        _ => {
            o.insert(
                "hs_task_subject".into(),
                json!(format!("Task: {}", sentence(m, 3))),
            );
            o.insert("hs_task_body".into(), json!(sentence(m, 8)));
            o.insert(
                "hs_task_status".into(),
                json!(m.pick(&["COMPLETED", "NOT_STARTED"])),
            );
            o.insert("hs_task_type".into(), json!("TODO"));
        }
    }
    json!({
        "id": id.to_string(),
        "properties": p,
        "createdAt": iso,
        "updatedAt": iso,
        "archived": false,
    })
}

/// Tops `connection_id` up to `target` activities over the last `weeks`.
pub async fn top_up(
    database_url: &str,
    connection_id: app::domain::ConnectionId,
    target: i64,
    weeks: i64,
) -> anyhow::Result<Seeded> {
    let db = Db::connect(database_url).await?;
    let (org_id,): (app::domain::OrgId,) =
        sqlx::query_as("SELECT org_id FROM connections WHERE id = $1")
            .bind(connection_id)
            .fetch_one(&db.pool)
            .await
            .context("reading the connection")?;
    let owners: Vec<(String,)> = sqlx::query_as(
        "SELECT external_id FROM owners WHERE connection_id = $1 AND deleted = 0 ORDER BY external_id",
    )
    .bind(connection_id)
    .fetch_all(&db.pool)
    .await?;
    let owners: Vec<String> = owners.into_iter().map(|o| o.0).collect();
    anyhow::ensure!(!owners.is_empty(), "the backfill stored no owners");
    let disp: Vec<(String, String)> =
        sqlx::query_as("SELECT external_id, label FROM call_dispositions WHERE connection_id = $1")
            .bind(connection_id)
            .fetch_all(&db.pool)
            .await?;
    let disposition_ids: Vec<String> = disp.iter().map(|d| d.0.clone()).collect();
    let dispositions: hubspot::Dispositions = disp.into_iter().collect();
    let stages = hubspot::Stages::new();
    let count = || async {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM activities WHERE connection_id = $1")
                .bind(connection_id)
                .fetch_one(&db.pool)
                .await?;
        anyhow::Ok(n)
    };
    let before = count().await?;
    let wanted = (target - before).max(0);
    let portal = "bench";
    // Mostly calls and emails, as in a sales team's CRM.
    let kinds = [
        "calls", "calls", "calls", "calls", "emails", "emails", "notes", "meetings", "tasks",
    ];
    let now = now_ms();
    let span = weeks.max(1) * 7 * 24 * 3600 * 1000;
    let mut m = Mix(7);
    let t = std::time::Instant::now();
    let mut written = 0_i64;
    // Ids far above the sandbox's.
    let mut next_id: u64 = 9_000_000_000;
    while written < wanted {
        let n = (wanted - written).min(hubspot::BATCH as i64);
        let mut by_kind: std::collections::BTreeMap<&str, Vec<records::Row>> = Default::default();
        for _ in 0..n {
            let plural = kinds[(m.next() % kinds.len() as u64) as usize];
            let owner = &owners[(m.next() % owners.len() as u64) as usize];
            let at = now - (m.next() % span as u64) as i64;
            next_id += 1;
            let rec = record(&mut m, plural, next_id, owner, at, &disposition_ids);
            let k = hubspot::kind(plural).context("a synced kind")?;
            if let Some(row) = hubspot::row_of(
                k,
                &rec,
                connection_id,
                org_id,
                portal,
                &stages,
                &dispositions,
                now,
            ) {
                by_kind.entry(plural).or_default().push(row);
            }
        }
        let mut tx = db.begin_write().await?;
        for rows in by_kind.values() {
            records::upsert_many(&mut tx, rows).await?;
        }
        tx.commit().await?;
        written += n;
    }
    let seconds = t.elapsed().as_secs_f64();
    if db.backend == server::db::Backend::Postgres {
        sqlx::query("ANALYZE activities").execute(&db.pool).await?;
    }
    let after = count().await?;
    db.pool.close().await;
    Ok(Seeded {
        before,
        written,
        after,
        seconds,
    })
}
