//! Fetching what a definition needs: every property a measurable names
//! reaches the database, and naming a new one re-reads that kind's records
//! so the number is right without anyone starting a sync.

use chrono::{Datelike as _, TimeZone as _, Utc};
use serde_json::{Value, json};

use crate::{
    counter,
    fixtures::{get, post, row, template, this_week},
    helpers::BACKENDS,
    sync::{control, wait_until},
    sync_env::{Env, env, small_opts, truth},
};

/// MRR closed in `[from, to)` for `owner`, per the counter.
async fn expected(e: &Env, owner: &str, from: i64, to: i64, names: &[&str]) -> f64 {
    truth(&e.sb_base, "hubspot/deals")
        .await
        .iter()
        .filter(|d| d["archived"] == false)
        .filter(|d| counter::prop(d, "hubspot_owner_id") == Some(owner))
        .filter(|d| counter::prop(d, "hs_is_closed_won") == Some("true"))
        .filter(|d| {
            counter::prop(d, "closedate")
                .and_then(|c| counter::ms_of(&json!(c)))
                .is_some_and(|c| c >= from && c < to)
        })
        .map(|d| counter::first_non_empty(d, names))
        .sum()
}

/// Waits for a HubSpot run after run `after` to succeed.
async fn succeeded_after(e: &Env, after: i64) {
    let db = e.app.db().clone();
    let hubspot = e.hubspot;
    wait_until("a HubSpot run", || {
        let db = db.clone();
        async move {
            let runs: Vec<(String,)> =
                sqlx::query_as("SELECT status FROM sync_runs WHERE connection_id = $1 AND id > $2")
                    .bind(hubspot)
                    .bind(after)
                    .fetch_all(&db.pool)
                    .await
                    .unwrap();
            runs.iter().any(|(s,)| s == "succeeded")
        }
    })
    .await;
}

async fn last_run(e: &Env) -> i64 {
    let (id,): (i64,) = sqlx::query_as("SELECT COALESCE(MAX(id), 0) FROM sync_runs")
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap();
    id
}

#[tokio::test]
async fn sync_fetches_every_property_a_measurable_names() {
    for backend in BACKENDS {
        let Some(e) = env(backend, small_opts()).await else {
            continue;
        };
        // The admin is the first rep: a person before any sync.
        server::sync::people::auto_match(e.app.db(), e.admin.org_id)
            .await
            .unwrap();
        let owners = truth(&e.sb_base, "owners").await;
        let rep = owners[0]["id"].as_str().unwrap().to_owned();
        let (person,): (i64,) =
            sqlx::query_as("SELECT id FROM people WHERE org_id = $1 AND LOWER(email) = $2")
                .bind(e.admin.org_id)
                .bind(owners[0]["email"].as_str().unwrap().to_lowercase())
                .fetch_one(&e.app.db().pool)
                .await
                .unwrap();
        // Last week (UTC, the test organisation's calendar).
        let today = Utc::now().date_naive();
        let monday = today
            - chrono::Days::new(u64::from(today.weekday().num_days_from_monday()))
            - chrono::Days::new(7);
        let from = Utc
            .from_utc_datetime(&monday.and_hms_opt(0, 0, 0).unwrap())
            .timestamp_millis();
        let to = from + 7 * 86_400_000;
        for (i, props) in [
            json!({"mrr": "3000", "hs_mrr": "2500", "amount": "36000", "monthly_recurring_revenue": "3100"}),
            json!({"mrr": "5200", "amount": "5800"}),
            json!({"mrr": "", "hs_mrr": "1500", "amount": "18000", "monthly_recurring_revenue": "1450"}),
            json!({"mrr": "0", "amount": "900"}),
        ]
        .into_iter()
        .enumerate()
        {
            let mut p = props;
            let at = from + 86_400_000 + i as i64 * 3_600_000;
            for (k, v) in [
                ("dealname", format!("Custom MRR {i}")),
                ("pipeline", "default".to_owned()),
                ("dealstage", "closedwon".to_owned()),
                ("hs_is_closed_won", "true".to_owned()),
                ("closedate", at.to_string()),
                ("hubspot_owner_id", rep.clone()),
            ] {
                p[k] = json!(v);
            }
            control(&e, reqwest::Method::POST, "hubspot/deals", Some(json!({"properties": p}))).await;
        }
        // The template names mrr and hs_mrr: saving it starts the first
        // sync, which fetches them with everything else.
        let card = template(&e.app, &e.admin, Some(person)).await;
        succeeded_after(&e, 0).await;
        let want = expected(&e, &rep, from, to, &["mrr", "hs_mrr", "amount"]).await;
        assert!(
            want >= 3000.0 + 5200.0 + 1500.0,
            "the custom shapes count: {want}"
        );
        let view = get(
            &e.admin,
            e.app
                .url(&format!("/api/v1/scorecards/{card}?week={monday}")),
        )
        .await;
        assert_eq!(this_week(&view, "MRR closed"), Some(want), "{backend:?}");
        let stored: (String,) = sqlx::query_as(
            "SELECT properties FROM deals WHERE connection_id = $1 AND name = 'Custom MRR 0'",
        )
        .bind(e.hubspot)
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap();
        let stored: Value = serde_json::from_str(&stored.0).unwrap();
        assert_eq!(
            stored["mrr"], "3000",
            "the custom property reached the database"
        );
        assert!(
            stored.get("monthly_recurring_revenue").is_none(),
            "nothing names it yet, so it is not fetched"
        );

        // A definition naming a property no sync has fetched starts a run
        // that re-reads deals; the number is then right.
        let before = last_run(&e).await;
        let (status, v) = post(
            &e.admin,
            e.app.url(&format!("/api/v1/scorecards/{card}/measurables")),
            json!({"section": "Outside sales", "name": "Plan MRR", "person_id": person, "unit": "currency",
                   "source": {"type": "synced", "kind": "deal", "time_field": "close_date",
                              "filters": {"closed_won": true},
                              "aggregate": {"type": "sum", "properties": ["monthly_recurring_revenue"]}}}),
        )
        .await;
        assert_eq!(status, 201, "{v}");
        succeeded_after(&e, before).await;
        let (state,): (String,) = sqlx::query_as(
            "SELECT state FROM synced_properties WHERE connection_id = $1 AND object = 'deals' \
             AND name = 'monthly_recurring_revenue'",
        )
        .bind(e.hubspot)
        .fetch_one(&e.app.db().pool)
        .await
        .unwrap();
        assert_eq!(state, "complete");
        let want = expected(&e, &rep, from, to, &["monthly_recurring_revenue"]).await;
        assert!(want >= 3100.0 + 1450.0, "{want}");
        let mut got = None;
        for _ in 0..50 {
            let view = get(
                &e.admin,
                e.app
                    .url(&format!("/api/v1/scorecards/{card}?week={monday}")),
            )
            .await;
            got = row(&view, "Plan MRR")["this_week"]["value"].as_f64();
            if got == Some(want) {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        assert_eq!(got, Some(want), "{backend:?}");
    }
}
