//! Lists a measurable filters on are synced without configuration: saving
//! a `contact_in_list` filter on a list not synced yet starts a run, which
//! (like every run) reads the organisation's filters and fetches the list's
//! memberships; the measurable's value equals a count made from the
//! sandbox's truth.

use std::collections::BTreeSet;

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use serde_json::{Value, json};

use crate::{
    helpers::BACKENDS,
    sync::{both, control, wait_until},
    sync_env::{Env, env, small_opts, truth},
};

const LIST: &str = "Trade Show Leads";

fn ms_of(v: &Value) -> Option<i64> {
    let s = v.as_str()?;
    s.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.timestamp_millis())
    })
}

/// Calls of the week starting `monday` (UTC) associated with a member.
async fn expected_calls(e: &Env, monday: NaiveDate, members: &BTreeSet<String>) -> usize {
    let from = Utc
        .from_utc_datetime(&monday.and_hms_opt(0, 0, 0).unwrap())
        .timestamp_millis();
    let to = from + 7 * 24 * 3600 * 1000;
    truth(&e.sb_base, "hubspot/calls")
        .await
        .iter()
        .filter(|c| c["archived"] == false)
        .filter(|c| ms_of(&c["properties"]["hs_timestamp"]).is_some_and(|t| t >= from && t < to))
        .filter(|c| {
            c["associations"]["contacts"].as_array().is_some_and(|a| {
                a.iter()
                    .any(|id| members.contains(id.as_str().unwrap_or("")))
            })
        })
        .count()
}

#[tokio::test]
async fn sync_keeps_memberships_of_every_list_a_measurable_filters_on() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        both(&e).await;
        // A new list upstream, and calls of last week with its members.
        let contacts = truth(&e.sb_base, "hubspot/contacts").await;
        let members: Vec<String> = contacts
            .iter()
            .filter(|c| c["archived"] == false)
            .take(4)
            .map(|c| c["id"].as_str().unwrap().to_owned())
            .collect();
        let list = control(
            &e,
            reqwest::Method::POST,
            "hubspot/lists",
            Some(json!({"name": LIST, "record_ids": members})),
        )
        .await;
        let list_id = list["listId"].as_str().unwrap().to_owned();
        let last_week = (Utc::now() - Duration::days(7)).date_naive();
        let monday =
            last_week - Duration::days(i64::from(last_week.weekday().num_days_from_monday()));
        for (i, contact) in members.iter().take(2).enumerate() {
            let at = Utc.from_utc_datetime(
                &(monday + Duration::days(1))
                    .and_hms_opt(15, i as u32, 0)
                    .unwrap(),
            );
            control(
                &e,
                reqwest::Method::POST,
                "hubspot/calls",
                Some(json!({"properties": {"hs_timestamp": at.timestamp_millis().to_string(), "hs_call_title": "Show follow-up"},
                            "associations": [{"type": "contacts", "id": contact}]})),
            )
            .await;
        }
        let (last_run,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM sync_runs")
            .fetch_one(&e.app.db().pool)
            .await
            .unwrap();
        // A team measurable (no person) filtering on the new list.
        let r = e
            .admin
            .client
            .post(e.app.url("/api/v1/scorecards"))
            .json(&json!({"name": "Lists"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
        let card = r.json::<Value>().await.unwrap()["id"].as_i64().unwrap();
        let r = e
            .admin
            .client
            .post(e.app.url(&format!("/api/v1/scorecards/{card}/measurables")))
            .json(&json!({"section": "Sales", "name": "Show calls",
                          "source": {"type": "synced", "kind": "call", "filters": {"contact_in_list": LIST}}}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);

        // Its list has no members here yet: saving it started a HubSpot run.
        let db = e.app.db().clone();
        wait_until("the run the new filter started", || {
            let db = db.clone();
            let hubspot = e.hubspot;
            async move {
                sqlx::query_as::<_, (String,)>(
                    "SELECT status FROM sync_runs WHERE connection_id = $1 AND id > $2",
                )
                .bind(hubspot)
                .bind(last_run)
                .fetch_all(&db.pool)
                .await
                .unwrap()
                .iter()
                .any(|(s,)| s == "succeeded")
            }
        })
        .await;
        let stored: Vec<(String,)> = sqlx::query_as(
            "SELECT record_external_id FROM list_memberships WHERE connection_id = $1 \
             AND list_external_id = $2 AND deleted = 0 ORDER BY record_external_id",
        )
        .bind(e.hubspot)
        .bind(&list_id)
        .fetch_all(&e.app.db().pool)
        .await
        .unwrap();
        let stored: BTreeSet<String> = stored.into_iter().map(|(id,)| id).collect();
        let truth_lists = truth(&e.sb_base, "lists").await;
        let upstream: BTreeSet<String> =
            truth_lists.iter().find(|l| l["name"] == LIST).unwrap()["members"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m.as_str().unwrap().to_owned())
                .collect();
        assert_eq!(stored, upstream, "memberships of {LIST}");

        let expected = expected_calls(&e, monday, &upstream).await;
        assert!(expected >= 2, "the test's own calls count");
        // Values are recomputed from the run's events: allow a moment.
        let mut value = None;
        for _ in 0..50 {
            let view: Value = e
                .admin
                .client
                .get(
                    e.app
                        .url(&format!("/api/v1/scorecards/{card}?week={monday}")),
                )
                .send()
                .await
                .unwrap()
                .json()
                .await
                .unwrap();
            value = view["sections"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["rows"].as_array().unwrap())
                .find(|r| r["name"] == "Show calls")
                .unwrap()["this_week"]["value"]
                .as_f64();
            if value == Some(expected as f64) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(value, Some(expected as f64));
    }
}
