//! The sync engine against an in-process sandbox, on SQLite and PostgreSQL:
//! a backfill equals the sandbox's truth; creates, updates and deletes land
//! through incremental runs and through webhooks; faults, 429 storms and a
//! crash mid-run change nothing in the result, and the request log proves
//! the budgets held; bad webhook deliveries are refused.

use std::{collections::BTreeMap, time::Duration};

use serde_json::{Value, json};
use server::{
    db::Backend,
    sync::{Trigger, Work},
};

use crate::{
    helpers::BACKENDS,
    sync_env::{Env, env, small_opts, truth},
};

pub(crate) async fn full_run(e: &Env, connection: app::domain::ConnectionId) -> i64 {
    e.app
        .state
        .sync
        .run(connection, Trigger::Manual, Work::Full)
        .await
        .unwrap()
        .expect("the lease was free")
}

pub(crate) async fn run_status(e: &Env, run: i64) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, error FROM sync_runs WHERE id = $1")
        .bind(run)
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap()
}

pub(crate) async fn assert_ok(e: &Env, run: i64) {
    let (status, error) = run_status(e, run).await;
    assert_eq!(status, "succeeded", "run {run}: {error:?}");
}

/// (external id -> (deleted, title-ish column, owner)) of a kind.
pub(crate) async fn stored(
    e: &Env,
    plural: &str,
) -> BTreeMap<String, (i64, String, Option<String>)> {
    let (table, col, kind) = match plural {
        "contacts" => ("contacts", "first_name", None),
        "companies" => ("companies", "name", None),
        "deals" => ("deals", "name", None),
        "calls" => ("activities", "title", Some("call")),
        "meetings" => ("activities", "title", Some("meeting")),
        "notes" => ("activities", "body", Some("note")),
        "emails" => ("activities", "title", Some("email")),
        "tasks" => ("activities", "title", Some("task")),
        _ => ("activities", "title", Some("fathom_meeting")),
    };
    let sql = match kind {
        Some(_) => format!(
            "SELECT external_id, deleted, {col}, owner_external_id FROM {table} WHERE connection_id = $1 AND kind = $2"
        ),
        None => format!(
            "SELECT external_id, deleted, {col}, owner_external_id FROM {table} WHERE connection_id = $1"
        ),
    };
    let conn = if kind == Some("fathom_meeting") {
        e.fathom
    } else {
        e.hubspot
    };
    let mut q = sqlx::query_as::<_, (String, i64, String, Option<String>)>(&sql).bind(conn);
    if let Some(k) = kind {
        q = q.bind(k);
    }
    q.fetch_all(&e.app.db().pool)
        .await
        .unwrap()
        .into_iter()
        .map(|(id, d, t, o)| (id, (d, t, o)))
        .collect()
}

fn title_prop(plural: &str) -> &'static str {
    match plural {
        "contacts" => "firstname",
        "companies" => "name",
        "deals" => "dealname",
        "calls" => "hs_call_title",
        "meetings" => "hs_meeting_title",
        "notes" => "hs_note_body",
        "emails" => "hs_email_subject",
        _ => "hs_task_subject",
    }
}

/// Every HubSpot CRM kind Tally syncs, by its plural.
pub(crate) const KINDS: [&str; 8] = [
    "contacts",
    "companies",
    "deals",
    "calls",
    "meetings",
    "notes",
    "emails",
    "tasks",
];

/// Every synced kind equals the sandbox's truth, record for record.
pub(crate) async fn assert_matches_truth(e: &Env) {
    for plural in KINDS {
        let truth = truth(&e.sb_base, &format!("hubspot/{plural}")).await;
        let rows = stored(e, plural).await;
        let live: Vec<&Value> = truth.iter().filter(|r| r["archived"] == false).collect();
        assert!(!live.is_empty(), "the sandbox has {plural}");
        for r in &live {
            let id = r["id"].as_str().unwrap();
            let (deleted, title, owner) = rows
                .get(id)
                .unwrap_or_else(|| panic!("{plural} {id} missing"));
            assert_eq!(*deleted, 0, "{plural} {id} is live upstream");
            let want = r["properties"][title_prop(plural)]
                .as_str()
                .unwrap_or_default();
            assert_eq!(title, want, "{plural} {id} {}", title_prop(plural));
            let want_owner = r["properties"]["hubspot_owner_id"]
                .as_str()
                .filter(|s| !s.is_empty());
            assert_eq!(owner.as_deref(), want_owner, "{plural} {id} owner");
        }
        for r in truth.iter().filter(|r| r["archived"] == true) {
            if let Some((deleted, _, _)) = rows.get(r["id"].as_str().unwrap()) {
                assert_eq!(*deleted, 1, "{plural} {} is archived upstream", r["id"]);
            }
        }
        let live_rows = rows.values().filter(|(d, _, _)| *d == 0).count();
        assert_eq!(live_rows, live.len(), "{plural}: live rows");
    }
    // Associations engagement -> contact.
    let calls = truth(&e.sb_base, "hubspot/calls").await;
    let mut want = 0;
    for c in calls.iter().filter(|r| r["archived"] == false) {
        want += c["associations"]["contacts"].as_array().map_or(0, Vec::len);
    }
    let (have,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM associations WHERE connection_id = $1 AND from_kind = 'call' AND to_kind = 'contact' AND deleted = 0 \
         AND from_external_id IN (SELECT external_id FROM activities WHERE kind = 'call' AND deleted = 0 AND connection_id = $1)",
    )
    .bind(e.hubspot)
    .fetch_one(&e.app.db().pool)
    .await
    .unwrap();
    assert_eq!(have as usize, want, "call -> contact associations");
    // Owners.
    let owners = truth(&e.sb_base, "owners").await;
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM owners WHERE connection_id = $1")
        .bind(e.hubspot)
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap();
    assert_eq!(n as usize, owners.len(), "owners");
    // Lists and Warm 250 memberships.
    let lists = truth(&e.sb_base, "lists").await;
    for l in &lists {
        let (n,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM lists WHERE connection_id = $1 AND name = $2")
                .bind(e.hubspot)
                .bind(l["name"].as_str().unwrap())
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
        assert_eq!(n, 1, "list {}", l["name"]);
        if l["name"] == "Warm 250" {
            let mut members: Vec<String> = sqlx::query_as::<_, (String,)>(
                "SELECT record_external_id FROM list_memberships WHERE connection_id = $1 AND list_external_id = $2 AND deleted = 0",
            )
            .bind(e.hubspot)
            .bind(l["listId"].as_str().unwrap())
            .fetch_all(&e.app.db().pool)
            .await
            .unwrap()
            .into_iter()
            .map(|r| r.0)
            .collect();
            members.sort();
            let mut want: Vec<String> = l["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_owned())
                .collect();
            want.sort();
            assert_eq!(members, want, "Warm 250 members");
        }
    }
    // Dispositions resolve.
    let (unresolved,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM activities WHERE connection_id = $1 AND kind = 'call' AND call_disposition IS NOT NULL AND disposition_label IS NULL",
    )
    .bind(e.hubspot)
    .fetch_one(&e.app.db().pool)
    .await
    .unwrap();
    assert_eq!(unresolved, 0, "every call disposition has a label");
    // Fathom meetings with transcripts and summaries.
    let meetings = truth(&e.sb_base, "fathom/meetings").await;
    let rows = stored(e, "fathom").await;
    assert_eq!(
        rows.values().filter(|r| r.0 == 0).count(),
        meetings.len(),
        "fathom meetings"
    );
    for m in &meetings {
        let id = m["recording_id"].as_i64().unwrap().to_string();
        let (_, title, owner) = rows
            .get(&id)
            .unwrap_or_else(|| panic!("fathom {id} missing"));
        assert_eq!(title, m["title"].as_str().unwrap());
        assert_eq!(
            owner.as_deref(),
            m["recorded_by"]["email"]
                .as_str()
                .map(str::to_lowercase)
                .as_deref()
        );
    }
    let (contents,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM recording_contents WHERE connection_id = $1 AND transcript IS NOT NULL AND summary <> ''",
    )
    .bind(e.fathom)
    .fetch_one(&e.app.db().pool)
    .await
    .unwrap();
    assert_eq!(
        contents as usize,
        meetings.len(),
        "transcripts and summaries"
    );
}

pub(crate) async fn both(e: &Env) {
    let h = full_run(e, e.hubspot).await;
    assert_ok(e, h).await;
    let f = full_run(e, e.fathom).await;
    assert_ok(e, f).await;
    // The connection page lists the run as its row says.
    let conn = server::integrations::store::get(e.app.db(), e.hubspot)
        .await
        .unwrap()
        .unwrap();
    let detail = e
        .app
        .state
        .integrations
        .connection_detail(&conn)
        .await
        .unwrap();
    let run = detail
        .runs
        .iter()
        .find(|r| r.id == h)
        .expect("the run is listed");
    let (calls, total): (i64, i64) =
        sqlx::query_as("SELECT api_calls, objects_total FROM sync_runs WHERE id = $1")
            .bind(h)
            .fetch_one(&e.app.db().pool)
            .await
            .unwrap();
    assert_eq!(
        (
            run.status.as_str(),
            run.trigger.as_str(),
            run.error.as_deref()
        ),
        ("succeeded", "manual", None)
    );
    assert_eq!(
        (run.api_calls, run.objects_total, run.objects_done),
        (calls, total, total)
    );
    assert!(calls > 0 && total > 0);
}

#[tokio::test]
async fn sync_backfill_equals_the_sandbox_truth_and_is_idempotent() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        let mut events = e.app.state.events.subscribe();
        let started = std::time::Instant::now();
        both(&e).await;
        eprintln!("{backend:?} backfill took {:?}", started.elapsed());
        assert_matches_truth(&e).await;
        let (calls_counted,): (i64,) = sqlx::query_as(
            "SELECT count FROM connection_object_counts WHERE connection_id = $1 AND object = 'calls'",
        )
        .bind(e.hubspot)
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap();
        assert_eq!(
            calls_counted as usize,
            stored(&e, "calls")
                .await
                .values()
                .filter(|c| c.0 == 0)
                .count()
        );

        let mut changed = 0;
        let mut progress = 0;
        while let Ok(ev) = events.try_recv() {
            match ev {
                server::events::Event::RecordsChanged { .. } => changed += 1,
                server::events::Event::SyncProgress { .. } => progress += 1,
                _ => {}
            }
        }
        if backend == Backend::Sqlite {
            assert!(changed > 5, "records-changed events: {changed}");
            assert!(progress > 5, "progress events: {progress}");
        }

        // The run history through the API.
        let runs: Value = e
            .admin
            .client
            .get(
                e.app
                    .url(&format!("/api/v1/connections/{}/runs", e.hubspot)),
            )
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let run = &runs[0];
        assert_eq!(run["status"], "succeeded");
        assert_eq!(run["trigger"], "manual");
        assert!(run["api_calls"].as_i64().unwrap() > 10, "{run}");
        assert_eq!(run["objects_done"], run["objects_total"]);
        let calls = run["objects"]
            .as_array()
            .unwrap()
            .iter()
            .find(|o| o["object"] == "calls")
            .unwrap();
        assert!(calls["added"].as_i64().unwrap() > 0, "{calls}");

        // A second run changes nothing.
        let again = full_run(&e, e.hubspot).await;
        assert_ok(&e, again).await;
        let (added, updated): (i64, i64) = sqlx::query_as(
            "SELECT CAST(COALESCE(SUM(added), 0) AS BIGINT), CAST(COALESCE(SUM(updated), 0) AS BIGINT) FROM sync_run_objects WHERE run_id = $1 \
             AND object IN ('contacts', 'companies', 'deals', 'calls', 'meetings', 'notes', 'emails', 'tasks')",
        )
        .bind(again)
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap();
        assert_eq!(
            (added, updated),
            (0, 0),
            "an unchanged account rewrites nothing"
        );
        assert_matches_truth(&e).await;
    }
}

pub(crate) async fn control(
    e: &Env,
    method: reqwest::Method,
    path: &str,
    body: Option<Value>,
) -> Value {
    let c = reqwest::Client::new();
    let mut r = c.request(method, format!("{}/_sandbox/{path}", e.sb_base));
    if let Some(b) = body {
        r = r.json(&b);
    }
    let resp = r.send().await.unwrap();
    assert!(resp.status().is_success(), "{path}: {}", resp.status());
    resp.json().await.unwrap_or(Value::Null)
}

/// Makes a create, an update and a delete upstream; returns (created call id, updated deal id, archived note id).
pub(crate) async fn change_upstream(e: &Env) -> (String, String, String) {
    let contacts = truth(&e.sb_base, "hubspot/contacts").await;
    let contact = contacts.iter().find(|c| c["archived"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let now = chrono::Utc::now().timestamp_millis().to_string();
    let created = control(
        e,
        reqwest::Method::POST,
        "hubspot/calls",
        Some(json!({"properties": {"hs_timestamp": now, "hs_call_title": "Brand new call", "hs_call_direction": "OUTBOUND",
                    "hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7"},
                    "associations": [{"type": "contacts", "id": contact}]})),
    )
    .await;
    let deals = truth(&e.sb_base, "hubspot/deals").await;
    let deal = deals.iter().find(|d| d["archived"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    control(
        e,
        reqwest::Method::PATCH,
        &format!("hubspot/deals/{deal}"),
        Some(json!({"properties": {"dealname": "Renamed deal"}})),
    )
    .await;
    let notes = truth(&e.sb_base, "hubspot/notes").await;
    let note = notes.iter().find(|d| d["archived"] == false).unwrap()["id"]
        .as_str()
        .unwrap()
        .to_owned();
    control(
        e,
        reqwest::Method::DELETE,
        &format!("hubspot/notes/{note}"),
        None,
    )
    .await;
    (created["id"].as_str().unwrap().to_owned(), deal, note)
}

pub(crate) async fn assert_changes(e: &Env, call: &str, deal: &str, note: &str) -> bool {
    let calls = stored(e, "calls").await;
    let deals = stored(e, "deals").await;
    let notes = stored(e, "notes").await;
    calls
        .get(call)
        .is_some_and(|c| c.0 == 0 && c.1 == "Brand new call")
        && deals.get(deal).is_some_and(|d| d.1 == "Renamed deal")
        && notes.get(note).is_some_and(|n| n.0 == 1)
}

#[tokio::test]
async fn sync_incremental_runs_pick_up_creates_updates_and_deletes() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        both(&e).await;
        let (call, deal, note) = change_upstream(&e).await;
        assert!(!assert_changes(&e, &call, &deal, &note).await);
        e.sb.clear_request_log();
        let run = full_run(&e, e.hubspot).await;
        assert_ok(&e, run).await;
        assert!(
            assert_changes(&e, &call, &deal, &note).await,
            "incremental run applied the changes"
        );
        let (label,): (Option<String>,) = sqlx::query_as(
            "SELECT disposition_label FROM activities WHERE connection_id = $1 AND kind = 'call' AND external_id = $2",
        )
        .bind(e.hubspot)
        .bind(&call)
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap();
        assert_eq!(label.as_deref(), Some("Connected"));
        // Incremental: searches started near the cursor, not from the window start.
        let searches =
            e.sb.request_log()
                .iter()
                .filter(|r| r.path.ends_with("/search"))
                .count();
        assert!(searches <= 16, "incremental searches: {searches}");
        assert_matches_truth(&e).await;
    }
}

pub(crate) async fn wait_until<F, Fut>(what: &str, mut f: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        if f().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

#[tokio::test]
async fn sync_webhooks_land_changes_within_seconds_once() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        both(&e).await;
        e.sb.set_webhook_targets(sandbox::WebhookTargets {
            hubspot_url: Some(e.app.url("/webhooks/hubspot")),
            fathom_url: Some(e.app.url("/webhooks/fathom")),
        });
        e.sb.clear_request_log();
        let (call, deal, note) = change_upstream(&e).await;
        let started = std::time::Instant::now();
        wait_until("webhook changes", || {
            assert_changes(&e, &call, &deal, &note)
        })
        .await;
        assert!(started.elapsed() < Duration::from_secs(10));
        let (webhook_runs,): (i64,) = sqlx::query_as(
            "SELECT COUNT(*) FROM sync_runs WHERE connection_id = $1 AND triggered_by = 'webhook'",
        )
        .bind(e.hubspot)
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap();
        assert!(webhook_runs >= 1);
        // Only the changed records were read: batch reads, no search, no listing.
        let log = e.sb.request_log();
        assert!(
            log.iter().all(|r| !r.path.ends_with("/search")),
            "no search"
        );
        assert!(
            log.iter().any(|r| r.path.ends_with("/batch/read")),
            "batch read by id"
        );

        // A Fathom recording arrives through its webhook.
        let owners = truth(&e.sb_base, "owners").await;
        let created = control(
            &e,
            reqwest::Method::POST,
            "fathom/meetings",
            Some(json!({"title": "Webhook demo", "recorded_by": owners[0]["email"]})),
        )
        .await;
        let rid = created["recording_id"].as_i64().unwrap().to_string();
        wait_until("fathom webhook", || async {
            stored(&e, "fathom")
                .await
                .get(&rid)
                .is_some_and(|m| m.1 == "Webhook demo")
        })
        .await;

        // A duplicate delivery is ignored.
        let deliveries = e.sb.deliveries();
        let d = deliveries
            .iter()
            .rev()
            .find(|d| d.ok && matches!(d.provider, sandbox::Provider::Hubspot))
            .unwrap();
        let raw = serde_json::to_string(&d.body).unwrap();
        let ts = chrono::Utc::now().timestamp_millis();
        let url = e.app.url("/webhooks/hubspot");
        let sig = sandbox::hubspot_signature_v3("sandbox-hubspot-secret", "POST", &url, &raw, ts);
        let before: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sync_runs")
            .fetch_one(&e.app.db().pool)
            .await
            .unwrap();
        let r = reqwest::Client::new()
            .post(&url)
            .header("content-type", "application/json")
            .header("x-hubspot-signature-v3", sig)
            .header("x-hubspot-request-timestamp", ts.to_string())
            .body(raw)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        tokio::time::sleep(Duration::from_millis(300)).await;
        let after: (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sync_runs")
            .fetch_one(&e.app.db().pool)
            .await
            .unwrap();
        assert_eq!(before, after, "a duplicate delivery starts no run");
    }
}

#[tokio::test]
async fn sync_refuses_unsigned_stale_and_malformed_webhooks() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        let url = e.app.url("/webhooks/hubspot");
        let c = reqwest::Client::new();
        let body = r#"[{"eventId": 1, "portalId": 24681357, "objectId": 1, "subscriptionType": "object.deletion", "objectTypeId": "0-48"}]"#;
        let now = chrono::Utc::now().timestamp_millis();
        let post = |sig: Option<String>, ts: i64, body: &'static str| {
            let mut r = c
                .post(&url)
                .header("x-hubspot-request-timestamp", ts.to_string())
                .body(body);
            if let Some(s) = sig {
                r = r.header("x-hubspot-signature-v3", s);
            }
            r.send()
        };
        assert_eq!(
            post(None, now, body).await.unwrap().status(),
            401,
            "unsigned"
        );
        let wrong = sandbox::hubspot_signature_v3("not-the-secret", "POST", &url, body, now);
        assert_eq!(
            post(Some(wrong), now, body).await.unwrap().status(),
            401,
            "wrong key"
        );
        let stale_ts = now - 6 * 60 * 1000;
        let stale =
            sandbox::hubspot_signature_v3("sandbox-hubspot-secret", "POST", &url, body, stale_ts);
        assert_eq!(
            post(Some(stale), stale_ts, body).await.unwrap().status(),
            401,
            "stale"
        );
        let bad = "{not json";
        let sig = sandbox::hubspot_signature_v3("sandbox-hubspot-secret", "POST", &url, bad, now);
        assert_eq!(
            post(Some(sig), now, bad).await.unwrap().status(),
            400,
            "malformed"
        );

        let furl = e.app.url("/webhooks/fathom");
        let fbody = r#"{"recording_id": 5, "title": "x", "recorded_by": {"email": "a@b.c"}}"#;
        let ts = chrono::Utc::now().timestamp();
        let fpost = |id: &'static str, ts: i64, sig: Option<String>, body: &'static str| {
            let mut r = c
                .post(&furl)
                .header("webhook-id", id)
                .header("webhook-timestamp", ts.to_string())
                .body(body);
            if let Some(s) = sig {
                r = r.header("webhook-signature", s);
            }
            r.send()
        };
        assert_eq!(
            fpost("msg_1", ts, None, fbody).await.unwrap().status(),
            401,
            "unsigned"
        );
        let other = sandbox::standard_webhook_signature(
            "whsec_b3RoZXItc2VjcmV0LW90aGVyLXNlY3JldA==",
            "msg_1",
            ts,
            fbody,
        )
        .unwrap();
        assert_eq!(
            fpost("msg_1", ts, Some(other), fbody)
                .await
                .unwrap()
                .status(),
            401,
            "wrong secret"
        );
        let stale =
            sandbox::standard_webhook_signature(crate::sync_env::SECRET, "msg_1", ts - 400, fbody)
                .unwrap();
        assert_eq!(
            fpost("msg_1", ts - 400, Some(stale), fbody)
                .await
                .unwrap()
                .status(),
            401,
            "stale"
        );
        let bad = "[1, 2]";
        let sig =
            sandbox::standard_webhook_signature(crate::sync_env::SECRET, "msg_2", ts, bad).unwrap();
        assert_eq!(
            fpost("msg_2", ts, Some(sig), bad).await.unwrap().status(),
            400,
            "malformed"
        );

        tokio::time::sleep(Duration::from_millis(200)).await;
        for table in ["sync_runs", "webhook_deliveries", "activities"] {
            let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
            assert_eq!(n, 0, "{table} untouched");
        }
    }
}

/// Most requests in any window of `ms` starting at a request, per filter.
fn busiest(
    log: &[sandbox::RequestLogEntry],
    ms: i64,
    pick: impl Fn(&sandbox::RequestLogEntry) -> bool,
) -> usize {
    let times: Vec<i64> = log
        .iter()
        .filter(|r| pick(r))
        .map(|r| r.timestamp_ms)
        .collect();
    let mut best = 0;
    for (i, t) in times.iter().enumerate() {
        let n = times[i..].iter().take_while(|u| **u < t + ms).count();
        best = best.max(n);
    }
    best
}

#[tokio::test]
async fn sync_survives_5xx_and_429_storms_within_budget() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        e.fail_every.store(5, std::sync::atomic::Ordering::SeqCst);
        e.sb.inject_fault(sandbox::Fault {
            kind: sandbox::FaultKind::RateLimit,
            count: Some(12),
            until_ms: None,
            provider: None,
        });
        both(&e).await;
        e.fail_every.store(0, std::sync::atomic::Ordering::SeqCst);
        assert_matches_truth(&e).await;
        let log = e.sb.request_log();
        let failed = log.iter().filter(|r| r.status >= 500).count();
        let throttled = log.iter().filter(|r| r.status == 429).count();
        assert!(
            failed * 6 >= log.len() / 5,
            "about 20% failed: {failed} of {}",
            log.len()
        );
        assert!(throttled >= 12, "429 storm: {throttled}");
        let (sum_throttled,): (i64,) =
            sqlx::query_as("SELECT CAST(COALESCE(SUM(throttled), 0) AS BIGINT) FROM sync_runs")
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
        assert!(
            sum_throttled >= 12,
            "runs counted the 429s: {sum_throttled}"
        );
        let limits = crate::sync_env::test_limits();
        let general = busiest(&log, 1000, |r| {
            r.provider == "hubspot" && !r.path.ends_with("/search") && !r.path.contains("/oauth/")
        });
        assert!(
            general <= limits.hubspot_max,
            "HubSpot window peak {general}"
        );
        let search = busiest(&log, 1000, |r| {
            r.path.ends_with("/search") && !r.path.contains("/lists/")
        });
        assert!(search <= 5, "search peak {search} per second");
        let fathom = busiest(&log, 1000, |r| {
            r.provider == "fathom" && !r.path.contains("/oauth2/")
        });
        assert!(fathom <= limits.fathom_max, "Fathom window peak {fathom}");
        let real_429 = log
            .iter()
            .filter(|r| r.status == 429 && r.fault.is_none())
            .count();
        assert_eq!(
            real_429, 0,
            "the budget never tripped the sandbox's own limiter"
        );
    }
}

#[tokio::test]
async fn sync_resumes_after_a_crash_without_loss_or_duplicates() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        e.app.state.sync.set_lease_ttl_ms(800);
        // Deals wait unanswered, so the run is still going when it is cut off
        // after its first committed batch, however fast the other kinds are.
        *e.stall_matching.lock().unwrap() = Some("/objects/deals".to_owned());
        let engine = e.app.state.sync.clone();
        let hubspot = e.hubspot;
        let task =
            tokio::spawn(async move { engine.run(hubspot, Trigger::Manual, Work::Full).await });
        let db = e.app.db().clone();
        // The first committed batch of any kind: the run has most of its
        // work still ahead when it is cut off.
        wait_until("a committed batch", || {
            let db = db.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM activities) + (SELECT COUNT(*) FROM contacts) \
                     + (SELECT COUNT(*) FROM deals)",
                )
                .fetch_one(&db.pool)
                .await
                .unwrap();
                n > 0
            }
        })
        .await;
        task.abort();
        let _ = task.await;
        let (running,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sync_runs WHERE status = 'running'")
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
        assert_eq!(running, 1, "the cut-off run is still marked running");
        *e.stall_matching.lock().unwrap() = None;
        // The lease blocks a new run until it expires.
        assert_eq!(
            e.app
                .state
                .sync
                .run(e.hubspot, Trigger::Manual, Work::Full)
                .await
                .unwrap_or_else(|err| panic!("a run while the lease is held: {err:#}")),
            None
        );
        tokio::time::sleep(Duration::from_millis(900)).await;
        let run = full_run(&e, e.hubspot).await;
        assert_ok(&e, run).await;
        let (interrupted,): (i64,) =
            sqlx::query_as("SELECT COUNT(*) FROM sync_runs WHERE status = 'interrupted'")
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
        assert_eq!(interrupted, 1);
        let f = full_run(&e, e.fathom).await;
        assert_ok(&e, f).await;
        assert_matches_truth(&e).await;
    }
}

#[tokio::test]
async fn sync_now_api_starts_one_run_and_people_are_matched() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        let member = e.app.member_of(&e.admin, "mo@acme.test", "member").await;
        let url = e
            .app
            .url(&format!("/api/v1/connections/{}/sync", e.hubspot));
        assert_eq!(member.client.post(&url).send().await.unwrap().status(), 403);
        let first: Value = e
            .admin
            .client
            .post(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let second: Value = e
            .admin
            .client
            .post(&url)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let run_id = first["run_id"].as_i64().unwrap();
        assert_eq!(first["started"], true);
        assert_eq!(second["started"], false, "one run per connection");
        assert_eq!(second["run_id"], run_id);
        let runs_url = e
            .app
            .url(&format!("/api/v1/connections/{}/runs", e.hubspot));
        wait_until("the manual run", || async {
            let runs: Value = member
                .client
                .get(&runs_url)
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            runs[0]["status"] == "succeeded"
        })
        .await;
        let f = full_run(&e, e.fathom).await;
        assert_ok(&e, f).await;

        let people: Value = member
            .client
            .get(e.app.url("/api/v1/people"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let me = people["people"]
            .as_array()
            .unwrap()
            .iter()
            .find(|p| p["email"] == e.admin.email.as_str())
            .unwrap();
        let providers: Vec<&str> = me["links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| l["provider"].as_str().unwrap())
            .collect();
        assert!(
            providers.contains(&"hubspot") && providers.contains(&"fathom"),
            "{me}"
        );
        let unmatched = people["unmatched"].as_array().unwrap();
        assert!(!unmatched.is_empty(), "other reps are unmatched");
        let u = &unmatched[0];
        let body = json!({"connection_id": u["connection_id"], "external_id": u["external_id"], "person_id": me["id"]});
        let r = member
            .client
            .put(e.app.url("/api/v1/people/links"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = e
            .admin
            .client
            .put(e.app.url("/api/v1/people/links"))
            .json(&body)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let people = admin_people(&e).await;
        assert_eq!(
            people["unmatched"].as_array().unwrap().len(),
            unmatched.len() - 1
        );
    }
}

/// `GET /api/v1/people` as the admin.
async fn admin_people(e: &Env) -> Value {
    e.admin
        .client
        .get(e.app.url("/api/v1/people"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap()
}

#[tokio::test]
async fn sync_marks_a_revoked_connection_needs_reauth_after_one_refresh() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        e.sb.revoke_all_grants(Some(sandbox::Provider::Hubspot));
        e.sb.clear_request_log();
        let run = full_run(&e, e.hubspot).await;
        let (status, error) = run_status(&e, run).await;
        assert_eq!(status, "failed");
        assert!(error.unwrap_or_default().contains("reconnected"));
        let (conn_status,): (String,) =
            sqlx::query_as("SELECT status FROM connections WHERE id = $1")
                .bind(e.hubspot)
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
        assert_eq!(conn_status, "needs_reauth");
        let token_calls =
            e.sb.request_log()
                .iter()
                .filter(|r| r.path.ends_with("/oauth/v1/token"))
                .count();
        assert_eq!(token_calls, 1, "one refresh attempt");
    }
}

#[tokio::test]
async fn sync_scheduler_starts_due_connections_once_per_interval() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        e.app.state.sync.set_interval(Duration::from_secs(15 * 60));
        e.app.state.sync.tick().await.unwrap();
        e.app.state.sync.tick().await.unwrap();
        let db = e.app.db().clone();
        wait_until("scheduled runs", || {
            let db = db.clone();
            async move {
                let (n,): (i64,) = sqlx::query_as(
                    "SELECT COUNT(*) FROM sync_runs WHERE triggered_by = 'schedule' AND status = 'succeeded'",
                )
                .fetch_one(&db.pool)
                .await
                .unwrap();
                n == 2
            }
        })
        .await;
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sync_runs")
            .fetch_one(&e.app.db().pool)
            .await
            .unwrap();
        assert_eq!(n, 2, "one run per connection, not one per tick");
        let (next,): (i64,) = sqlx::query_as("SELECT MIN(next_run_at) FROM sync_settings")
            .fetch_one(&e.app.db().pool)
            .await
            .unwrap();
        assert!(next > server::db::now_ms(), "next run is in the future");
    }
}

#[tokio::test]
async fn sync_people_page_lists_links_and_relinks_without_js() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        both(&e).await;
        let html = e
            .admin
            .client
            .get(e.app.url("/people"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("Unmatched"), "{html}");
        assert!(html.contains("HubSpot: "), "links are listed");
        let people = admin_people(&e).await;
        let before = people["unmatched"].as_array().unwrap().len();
        let u = &people["unmatched"][0];
        let r = e
            .admin
            .client
            .post(e.app.url("/api/fn/link_person"))
            .header("accept", "application/json")
            .form(&[
                ("connection_id", u["connection_id"].to_string()),
                ("external_id", u["external_id"].as_str().unwrap().to_owned()),
                ("person_id", "0".to_owned()),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            r.status().is_success() || r.status().is_redirection(),
            "{}",
            r.status()
        );
        let people = admin_people(&e).await;
        assert_eq!(
            people["unmatched"].as_array().unwrap().len(),
            before - 1,
            "marked not a person"
        );
    }
}

#[tokio::test]
async fn sync_reuses_one_token_for_a_run_and_refreshes_once_after_a_401() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        let before = e.app.state.vault.opened();
        e.sb.clear_request_log();
        let run = full_run(&e, e.hubspot).await;
        assert_eq!(run_status(&e, run).await.0, "succeeded");
        let calls = e.sb.request_log().len();
        let opened = e.app.state.vault.opened() - before;
        assert!(calls > 10, "a real run: {calls} calls");
        assert_eq!(opened, 1, "one decryption for {calls} calls");

        // The provider stops accepting the token Tally still thinks good:
        // one refresh, and the run carries on.
        e.sb.expire_access_tokens(Some(sandbox::Provider::Hubspot));
        e.sb.clear_request_log();
        let run = full_run(&e, e.hubspot).await;
        assert_eq!(run_status(&e, run).await.0, "succeeded");
        let log = e.sb.request_log();
        let refreshes = log
            .iter()
            .filter(|r| r.path.ends_with("/oauth/v1/token"))
            .count();
        assert_eq!(refreshes, 1, "one refresh for the whole run");
        assert!(log.len() > 10, "the run went on after the refresh");
    }
}

#[tokio::test]
async fn a_dead_run_reads_interrupted_once_its_lease_expires_and_sync_now_takes_over() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        e.app.state.sync.set_lease_ttl_ms(800);
        *e.stall_matching.lock().unwrap() = Some("/objects/deals".to_owned());
        let engine = e.app.state.sync.clone();
        let hubspot = e.hubspot;
        let task =
            tokio::spawn(async move { engine.run(hubspot, Trigger::Manual, Work::Full).await });
        let runs_url = e.app.url(&format!("/api/v1/connections/{hubspot}/runs"));
        let latest = || async {
            let runs = e.admin.get_json(runs_url.clone()).await;
            let list = runs
                .as_array()
                .cloned()
                .or_else(|| runs["runs"].as_array().cloned());
            list.unwrap_or_default()
                .first()
                .cloned()
                .unwrap_or_default()
        };
        wait_until("the run to start", || async {
            latest().await["status"] == "running"
        })
        .await;
        // The process holding the run dies.
        task.abort();
        let _ = task.await;
        *e.stall_matching.lock().unwrap() = None;
        // While the lease lives the run may still be alive on a replica:
        // it reads running, and Sync now does not start a second one.
        assert_eq!(latest().await["status"], "running");
        let sync_now = || async {
            let r = e
                .admin
                .client
                .post(e.app.url(&format!("/api/v1/connections/{hubspot}/sync")))
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 202);
            r.json::<serde_json::Value>().await.unwrap()["started"].clone()
        };
        assert_eq!(sync_now().await, false);
        // Once the lease has expired it reads interrupted at once, before
        // any run has taken the lease, in the API and on the page.
        tokio::time::sleep(Duration::from_millis(900)).await;
        let dead = latest().await;
        assert_eq!(dead["status"], "interrupted", "{dead}");
        assert!(
            dead["error"].as_str().unwrap().contains("cut off"),
            "{dead}"
        );
        let page = e
            .admin
            .get(e.app.url(&format!("/integrations/{hubspot}")))
            .await
            .text()
            .await
            .unwrap();
        assert!(page.contains("interrupted"), "the connection page shows it");
        // Sync now takes over.
        assert_eq!(sync_now().await, true);
        wait_until("the new run to finish", || async {
            latest().await["status"] == "succeeded"
        })
        .await;
    }
}
