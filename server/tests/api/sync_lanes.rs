//! A first HubSpot backfill reads in two lanes at once, the list endpoint
//! (general budget) beside search: on both backends the result is exactly
//! the sandbox's truth, the lanes really overlap in time, a record changed
//! while its kind is being listed lands with the next incremental run, and
//! a run that fails mid-listing resumes from its committed page.

use std::collections::BTreeSet;

use sandbox::{RequestLogEntry, SandboxOptions};
use serde_json::json;
use server::sync::{Trigger, Work, budget::Limits, hubspot::listing::ListCursor};

use crate::{
    helpers::BACKENDS,
    sync::{
        KINDS, assert_matches_truth, assert_ok, control, full_run, run_status, stored, wait_until,
    },
    sync_env::{Env, env, small_opts, test_limits, truth},
};

/// A page of the live list endpoint for `plural` (not the archived one).
fn is_list_page(r: &RequestLogEntry, plural: &str) -> bool {
    r.method == "GET"
        && r.path.ends_with(&format!("/crm/v3/objects/{plural}"))
        && !r.query.contains("archived=true")
}

fn is_search(r: &RequestLogEntry, plural: &str) -> bool {
    r.method == "POST"
        && r.path
            .ends_with(&format!("/crm/v3/objects/{plural}/search"))
}

/// Contact associations of a kind, upstream and stored: (from, to) pairs.
async fn associations(
    e: &Env,
    plural: &str,
    kind: &str,
) -> (BTreeSet<(String, String)>, BTreeSet<(String, String)>) {
    let mut want = BTreeSet::new();
    for r in truth(&e.sb_base, &format!("hubspot/{plural}")).await {
        if r["archived"] == true {
            continue;
        }
        let from = r["id"].as_str().unwrap().to_owned();
        for c in r["associations"]["contacts"]
            .as_array()
            .cloned()
            .unwrap_or_default()
        {
            want.insert((from.clone(), c.as_str().unwrap().to_owned()));
        }
    }
    let have: BTreeSet<(String, String)> = sqlx::query_as::<_, (String, String)>(
        "SELECT from_external_id, to_external_id FROM associations WHERE connection_id = $1 \
         AND from_kind = $2 AND to_kind = 'contact' AND deleted = 0",
    )
    .bind(e.hubspot)
    .bind(kind)
    .fetch_all(&e.app.db().pool)
    .await
    .unwrap()
    .into_iter()
    .collect();
    (want, have)
}

/// Live records of a kind upstream and stored: (id, title-ish property).
async fn live(
    e: &Env,
    plural: &str,
    title: &str,
) -> (BTreeSet<(String, String)>, BTreeSet<(String, String)>) {
    let want = truth(&e.sb_base, &format!("hubspot/{plural}"))
        .await
        .iter()
        .filter(|r| r["archived"] == false)
        .map(|r| {
            (
                r["id"].as_str().unwrap().to_owned(),
                r["properties"][title]
                    .as_str()
                    .unwrap_or_default()
                    .to_owned(),
            )
        })
        .collect();
    let have = stored(e, plural)
        .await
        .into_iter()
        .filter(|(_, (d, _, _))| *d == 0)
        .map(|(id, (_, title, _))| (id, title))
        .collect();
    (want, have)
}

async fn cursor(e: &Env, plural: &str) -> Option<String> {
    sqlx::query_as::<_, (String,)>(
        "SELECT cursor FROM sync_cursors WHERE connection_id = $1 AND object = $2",
    )
    .bind(e.hubspot)
    .bind(plural)
    .fetch_optional(&e.app.db().pool)
    .await
    .unwrap()
    .map(|r| r.0)
}

#[tokio::test]
async fn sync_lanes_list_beside_search_and_equal_the_truth() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        e.sb.clear_request_log();
        let run = full_run(&e, e.hubspot).await;
        assert_ok(&e, run).await;
        let log: Vec<RequestLogEntry> =
            e.sb.request_log()
                .into_iter()
                .filter(|r| r.provider == "hubspot")
                .collect();
        let listed: Vec<&str> = KINDS
            .into_iter()
            .filter(|k| log.iter().any(|r| is_list_page(r, k)))
            .collect();
        let searched: Vec<&str> = KINDS
            .into_iter()
            .filter(|k| !listed.contains(k) && log.iter().any(|r| is_search(r, k)))
            .collect();
        for k in ["contacts", "companies", "deals"] {
            assert!(
                listed.contains(&k),
                "{backend:?}: {k} listed on the first backfill"
            );
        }
        assert!(
            !searched.is_empty(),
            "{backend:?}: the search lane read a kind"
        );
        // The lanes ran at once: each lane's requests fall inside the other's span.
        let times = |pick: &dyn Fn(&RequestLogEntry) -> bool| -> Vec<i64> {
            log.iter()
                .filter(|r| pick(r))
                .map(|r| r.timestamp_ms)
                .collect()
        };
        let list_t = times(&|r| listed.iter().any(|k| is_list_page(r, k)));
        let search_t = times(&|r| searched.iter().any(|k| is_search(r, k)));
        let span = |t: &[i64]| (*t.iter().min().unwrap(), *t.iter().max().unwrap());
        let (l0, l1) = span(&list_t);
        let (s0, s1) = span(&search_t);
        assert!(
            list_t.iter().any(|t| *t > s0 && *t < s1)
                && search_t.iter().any(|t| *t > l0 && *t < l1),
            "{backend:?}: list pages {l0}..{l1} and searches {s0}..{s1} interleave"
        );
        // Every finished listing left a search cursor: the time it started.
        for k in KINDS {
            let c = cursor(&e, k)
                .await
                .unwrap_or_else(|| panic!("{k} has a cursor"));
            assert!(c.parse::<i64>().is_ok(), "{k}: {c} is a search cursor");
        }
        let f = full_run(&e, e.fathom).await;
        assert_ok(&e, f).await;
        assert_matches_truth(&e).await;
        for (plural, kind) in [
            ("deals", "deal"),
            ("calls", "call"),
            ("meetings", "meeting"),
            ("notes", "note"),
            ("emails", "email"),
            ("tasks", "task"),
        ] {
            let (want, have) = associations(&e, plural, kind).await;
            assert!(
                want == have,
                "{backend:?}: {plural} -> contact associations"
            );
        }
        // The next run searches from the cursors and lists nothing.
        e.sb.clear_request_log();
        let again = full_run(&e, e.hubspot).await;
        assert_ok(&e, again).await;
        let log = e.sb.request_log();
        for k in KINDS {
            assert!(
                !log.iter().any(|r| is_list_page(r, k)),
                "{k} not listed again"
            );
        }
        assert_matches_truth(&e).await;
    }
}

/// Contacts and companies only, more than two list batches of contacts
/// (3 reps × 60 × scale 12), so their listing commits mid-way; contacts
/// are the list lane's first kind.
fn many_contacts() -> SandboxOptions {
    SandboxOptions {
        only_kinds: Some(vec![]),
        reps: 3,
        weeks: 1,
        scale: 12.0,
        ..small_opts()
    }
}

/// A slow general budget: about a list page every 100 ms.
fn slow_listing() -> Limits {
    Limits {
        hubspot_max: 10,
        ..test_limits()
    }
}

/// Starts a full HubSpot run under [`slow_listing`] and returns once the
/// contacts listing has committed its first batch, the run still going.
async fn start_slow_listing(e: &Env) -> tokio::task::JoinHandle<anyhow::Result<Option<i64>>> {
    e.app.state.sync.budgets().set_limits(slow_listing());
    let engine = e.app.state.sync.clone();
    let hubspot = e.hubspot;
    let task = tokio::spawn(async move { engine.run(hubspot, Trigger::Manual, Work::Full).await });
    let db = e.app.db().clone();
    wait_until("a committed list batch of contacts", || {
        let db = db.clone();
        async move {
            sqlx::query_as::<_, (String,)>(
                "SELECT cursor FROM sync_cursors WHERE connection_id = $1 AND object = 'contacts'",
            )
            .bind(hubspot)
            .fetch_optional(&db.pool)
            .await
            .unwrap()
            .is_some_and(|c| c.0.starts_with("list:"))
        }
    })
    .await;
    task
}

#[tokio::test]
async fn sync_lanes_pick_up_a_record_changed_during_its_listing() {
    for backend in BACKENDS {
        let Some(e) = env(backend, many_contacts()).await else {
            continue;
        };
        let upstream = truth(&e.sb_base, "hubspot/contacts").await.len();
        assert!(
            upstream > 2_000,
            "{upstream} contacts: several list batches"
        );
        let task = start_slow_listing(&e).await;
        // A contact the listing has already passed changes upstream.
        let passed = stored(&e, "contacts")
            .await
            .into_keys()
            .min_by_key(|id| id.parse::<u64>().unwrap())
            .unwrap();
        let changed_at = server::db::now_ms();
        control(
            &e,
            reqwest::Method::PATCH,
            &format!("hubspot/contacts/{passed}"),
            Some(json!({"properties": {"firstname": "Changed mid-listing"}})),
        )
        .await;
        let run = task.await.unwrap().unwrap().unwrap();
        assert_ok(&e, run).await;
        assert!(
            cursor(&e, "contacts")
                .await
                .unwrap()
                .parse::<i64>()
                .unwrap()
                < changed_at,
            "the search cursor is the listing's start"
        );
        let first_name = stored(&e, "contacts").await[&passed].1.clone();
        assert_ne!(
            first_name, "Changed mid-listing",
            "the listing had passed it"
        );
        // The next (incremental, searched) run picks the change up.
        let next = full_run(&e, e.hubspot).await;
        assert_ok(&e, next).await;
        assert_eq!(
            stored(&e, "contacts").await[&passed].1,
            "Changed mid-listing"
        );
        let (want, have) = live(&e, "contacts", "firstname").await;
        assert!(want == have, "{backend:?}: contacts equal the truth");
        let (want, have) = live(&e, "companies", "name").await;
        assert!(want == have, "{backend:?}: companies equal the truth");
    }
}

#[tokio::test]
async fn sync_lanes_resume_a_listing_a_failed_run_left() {
    for backend in BACKENDS {
        let Some(e) = env(backend, many_contacts()).await else {
            continue;
        };
        let task = start_slow_listing(&e).await;
        // Every further page of the contacts listing fails until the run gives up.
        *e.fail_matching.lock().unwrap() = Some("/objects/contacts?limit=100".to_owned());
        let run = task.await.unwrap().unwrap().unwrap();
        let (status, error) = run_status(&e, run).await;
        assert_eq!(status, "failed", "{error:?}");
        *e.fail_matching.lock().unwrap() = None;
        let at = cursor(&e, "contacts")
            .await
            .as_deref()
            .and_then(ListCursor::parse)
            .expect("the listing's place is kept");
        let after = at.after.clone().expect("past the first page");
        let (want, have) = live(&e, "contacts", "firstname").await;
        assert!(
            !have.is_empty() && have.len() < want.len(),
            "{backend:?}: part listed ({} of {})",
            have.len(),
            want.len()
        );
        assert_eq!(have.len() % 1_000, 0, "only whole batches were written");
        assert!(have.is_subset(&want));

        e.sb.clear_request_log();
        let again = full_run(&e, e.hubspot).await;
        assert_ok(&e, again).await;
        let first =
            e.sb.request_log()
                .into_iter()
                .find(|r| is_list_page(r, "contacts"))
                .expect("the listing went on");
        assert!(
            first.query.contains(&format!("after={after}")),
            "resumed at the committed page: {}",
            first.query
        );
        let done: i64 = cursor(&e, "contacts").await.unwrap().parse().unwrap();
        assert_eq!(
            done, at.started,
            "the search cursor is the first run's start"
        );
        let (want, have) = live(&e, "contacts", "firstname").await;
        assert!(want == have, "{backend:?}: contacts equal the truth");
        let (want, have) = live(&e, "companies", "name").await;
        assert!(want == have, "{backend:?}: companies equal the truth");
    }
}
