//! HubSpot search never pages past 10,000 results of one query: a backfill
//! of more calls than that, all matched by the first query, still equals
//! the sandbox's truth exactly, without one refused page.

use std::collections::BTreeSet;

use sandbox::{ObjectKind, SandboxOptions};
use serde_json::{Value, json};
use server::sync::budget::Limits;

use crate::{
    helpers::BACKENDS,
    sync::{assert_ok, full_run, stored},
    sync_env::{env, hubspot_token, test_limits, truth},
};

/// Calls only (plus the contacts and companies they need), no rate limits.
fn many_calls() -> SandboxOptions {
    SandboxOptions {
        seed: 5,
        reps: 5,
        weeks: 13,
        scale: 4.5,
        rate_limits: false,
        only_kinds: Some(vec![ObjectKind::Calls]),
        ..SandboxOptions::default()
    }
}

async fn search(base: &str, token: &str, after: usize) -> reqwest::Response {
    reqwest::Client::new()
        .post(format!("{base}/hubspot/crm/v3/objects/calls/search"))
        .bearer_auth(token)
        .json(&json!({
            "filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "0"}]}],
            "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}],
            "limit": 1,
            "after": after.to_string(),
        }))
        .send()
        .await
        .unwrap()
}

#[tokio::test]
async fn sync_backfills_past_the_10000_result_search_cap_exactly() {
    for backend in BACKENDS {
        let Some(e) = env(backend, many_calls()).await else {
            continue;
        };
        // The sandbox has no rate limits here; nor does the engine need any.
        // With search unlimited the backfill is searched, not listed: the
        // search path is what this test is about.
        e.app.state.sync.budgets().set_limits(Limits {
            hubspot_max: 1000,
            search_per_second: 0,
            ..test_limits()
        });
        // One query matches them all, and the sandbox refuses to page past
        // 10,000 of it, as HubSpot does.
        let token = hubspot_token(&e.sb_base).await["access_token"]
            .as_str()
            .unwrap()
            .to_owned();
        let first: Value = search(&e.sb_base, &token, 0).await.json().await.unwrap();
        let total = first["total"].as_u64().unwrap();
        assert!(total > 10_000, "one query matches {total} calls");
        assert_eq!(search(&e.sb_base, &token, 10_000).await.status(), 400);

        e.sb.clear_request_log();
        let run = full_run(&e, e.hubspot).await;
        assert_ok(&e, run).await;
        let log = e.sb.request_log();
        let refused = log
            .iter()
            .filter(|r| r.path.ends_with("/search") && r.status >= 400)
            .count();
        assert_eq!(refused, 0, "no search page was refused");
        let listed = log
            .iter()
            .filter(|r| r.path.ends_with("/objects/calls") && !r.query.contains("archived=true"))
            .count();
        assert_eq!(listed, 0, "search unlimited: nothing is listed");

        let upstream: BTreeSet<String> = truth(&e.sb_base, "hubspot/calls")
            .await
            .iter()
            .filter(|c| c["archived"] == false)
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        assert_eq!(upstream.len() as u64, total);
        let synced: BTreeSet<String> = stored(&e, "calls")
            .await
            .into_iter()
            .filter(|(_, (deleted, _, _))| *deleted == 0)
            .map(|(id, _)| id)
            .collect();
        assert_eq!(synced.len(), upstream.len());
        assert!(
            synced == upstream,
            "the synced calls are exactly the sandbox's"
        );
    }
}

/// A search whose last page is exactly full carries no `paging`: the
/// backfill must end there, not trip over the missing field.
#[tokio::test]
async fn sync_ends_on_an_exactly_full_last_search_page() {
    for backend in BACKENDS {
        let options = SandboxOptions {
            seed: 9,
            reps: 1,
            weeks: 1,
            scale: 0.5,
            rate_limits: false,
            only_kinds: Some(vec![ObjectKind::Calls]),
            ..SandboxOptions::default()
        };
        let Some(e) = env(backend, options).await else {
            continue;
        };
        // Searched, not listed (search unlimited): the search page is under test.
        e.app.state.sync.budgets().set_limits(Limits {
            search_per_second: 0,
            ..test_limits()
        });
        let existing = truth(&e.sb_base, "hubspot/calls").await.len();
        assert!(
            existing < 200,
            "the sandbox starts below one page ({existing})"
        );
        let client = reqwest::Client::new();
        let now = chrono::Utc::now().to_rfc3339();
        for i in existing..200 {
            let r = client
                .post(format!("{}/_sandbox/hubspot/calls", e.sb_base))
                .json(&json!({"properties": {
                    "hs_timestamp": now,
                    "hs_call_title": format!("Top-up call {i}"),
                    "hs_call_direction": "OUTBOUND",
                }}))
                .send()
                .await
                .unwrap();
            assert!(r.status().is_success(), "{}", r.status());
        }
        assert_eq!(truth(&e.sb_base, "hubspot/calls").await.len(), 200);

        let run = full_run(&e, e.hubspot).await;
        assert_ok(&e, run).await;
        let synced = stored(&e, "calls").await;
        assert_eq!(synced.len(), 200, "{backend:?}: one full page, every call");
    }
}
