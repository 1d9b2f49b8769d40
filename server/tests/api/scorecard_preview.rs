//! Seeing a definition before trusting it: `POST /api/v1/measurables/preview`
//! against hand-made rows, and stale cells when a connection needs
//! reconnecting or its last sync failed.

use serde_json::{Value, json};

use crate::{
    fixtures::{
        Act, activity, associate, connection, current_week, deal, exec, get, i, ms, person, post,
        row, s, template,
    },
    helpers::{TestApp, TestUser, on_each_backend},
};

async fn preview(app: &TestApp, user: &TestUser, body: Value) -> (u16, Value) {
    post(user, app.url("/api/v1/measurables/preview"), body).await
}

fn excluded<'a>(p: &'a Value, filter: &str) -> &'a Value {
    p["excluded"]
        .as_array()
        .unwrap()
        .iter()
        .find(|x| x["filter"] == filter)
        .unwrap_or_else(|| panic!("no exclusion for {filter} in {p}"))
}

#[tokio::test]
async fn a_preview_shows_the_values_the_records_and_what_each_filter_keeps_out() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let org = admin.org_id;
        let hs = connection(&app, org, "hubspot").await;
        let pat = person(&app, org, "Pat", None, &[(hs, "hubspot", "101")]).await;
        let w = current_week() - chrono::Days::new(7);
        let earlier = w - chrono::Days::new(14);
        let call = |ext, direction, at| Act { kind: "call", ext, owner: "101", occurred: Some(at), direction, title: "Call", ..Act::default() };
        for a in [
            call("c1", Some("OUTBOUND"), ms(w, 1, 10)),
            call("c2", Some("INBOUND"), ms(w, 1, 11)),
            call("c3", None, ms(w, 2, 10)),
            call("c4", Some("inbound "), ms(w, 3, 10)),
            call("c5", Some("OUTBOUND"), ms(earlier, 1, 10)),
            call("c6", Some("OUTBOUND"), ms(earlier, 2, 10)),
        ] {
            activity(&app, org, hs, a).await;
        }
        let note = |ext, body| Act { kind: "note", ext, owner: "101", occurred: Some(ms(w, 2, 9)), body, ..Act::default() };
        for a in [
            note("n1", "<p>Checked the DMZ rules</p>"),
            note("n2", "Met the cofounder"),
            note("n3", "The DM agreed"),
            note("n4", "DMZ again, and the owner_id"),
        ] {
            activity(&app, org, hs, a).await;
        }
        let fta = |ext, start| Act {
            kind: "meeting", ext, owner: "101", start, occurred: Some(ms(w, 4, 15)), created: Some(ms(earlier, 0, 9)),
            title: "FTA", activity_type: Some("First Time Appointment"), outcome: Some("COMPLETED"), ..Act::default()
        };
        activity(&app, org, hs, fta("m1", None)).await;
        activity(&app, org, hs, fta("m2", Some(ms(w, 3, 15)))).await;
        for (ext, props) in [
            ("d1", json!({"mrr": "3000", "hs_mrr": "2500", "amount": "36000"})),
            ("d2", json!({"mrr": "", "hs_mrr": "1500", "amount": "18000"})),
            ("d3", json!({"mrr": "n/a", "amount": "900"})),
        ] {
            deal(&app, org, hs, ext, "101", ms(w, 2, 12), true, "default", props).await;
        }
        deal(&app, org, hs, "d4", "101", ms(w, 2, 12), false, "default", json!({"amount": "5"})).await;
        exec(&app, "INSERT INTO lists (org_id, connection_id, external_id, name, synced_at) VALUES ($1, $2, 'L1', 'Warm 250', 0)", vec![i(org), i(hs)]).await;
        exec(&app, "INSERT INTO list_memberships (org_id, connection_id, list_external_id, record_external_id, synced_at) VALUES ($1, $2, 'L1', 'x', 0)", vec![i(org), i(hs)]).await;
        associate(&app, org, hs, "call", "c1", "x").await;
        associate(&app, org, hs, "call", "c3", "y").await;

        // Dials: outbound and unset directions; inbound ones are named.
        let (status, p) = preview(&app, &admin, json!({"person_id": pat, "week": w.to_string(),
            "source": {"type": "synced", "kind": "call", "filters": {"call_direction": {"not": "INBOUND"}}}})).await;
        assert_eq!(status, 200, "{p}");
        assert_eq!(p["week"], w.to_string());
        assert_eq!(p["value"], 2.0);
        assert_eq!(p["matched"], 2);
        let weeks = p["weeks"].as_array().unwrap();
        assert_eq!(weeks.len(), 13);
        assert_eq!(weeks[12]["week"], w.to_string());
        assert_eq!(weeks[10]["value"], 2.0, "two weeks earlier");
        assert_eq!(weeks[11]["value"], 0.0);
        let x = excluded(&p, "source.filters.call_direction");
        assert_eq!((x["count"].as_u64(), x["text"].as_str()), (Some(2), Some("2 INBOUND calls not counted")));
        assert_eq!(x["examples"].as_array().unwrap().len(), 2);
        assert!(p["records"].as_array().unwrap().iter().all(|r| r["url"].as_str().unwrap().contains("/call/")));

        // The same in a list: the list filter names what it keeps out.
        let (_, p) = preview(&app, &admin, json!({"person_id": pat, "week": w.to_string(),
            "source": {"type": "synced", "kind": "call", "filters": {"call_direction": {"not": "INBOUND"}, "contact_in_list": "Warm 250"}}})).await;
        assert_eq!(p["value"], 1.0);
        assert_eq!(excluded(&p, "source.filters.contact_in_list")["text"], "1 call has no contact in “Warm 250”");
        assert!(
            p["excluded"].as_array().unwrap().iter().all(|x| x["filter"] != "source.filters.call_direction"),
            "c2 and c4 have no Warm 250 contact either: the direction alone keeps nothing out"
        );

        // Keywords: near misses are named.
        let (_, p) = preview(&app, &admin, json!({"person_id": pat, "week": w.to_string(),
            "source": {"type": "synced", "kind": "note", "filters": {"keywords": ["DM", "founder", "owner"]}}})).await;
        assert_eq!(p["value"], 1.0);
        let text = excluded(&p, "source.filters.keywords")["text"].as_str().unwrap().to_owned();
        assert!(text.starts_with("3 notes mention none of the keywords"), "{text}");
        for near in ["2 notes mention “DMZ”", "1 note mentions “cofounder”", "1 note mentions “owner_id”"] {
            assert!(text.contains(near), "{near} in {text}");
        }

        // Meetings placed by their timestamp say so.
        let (_, p) = preview(&app, &admin, json!({"person_id": pat, "week": w.to_string(),
            "source": {"type": "synced", "kind": "meeting", "time_field": "start", "filters": {"meeting_type": ["First Time Appointment"], "meeting_outcome": ["COMPLETED"]}}})).await;
        assert_eq!(p["value"], 2.0);
        assert!(p["notes"].as_array().unwrap().iter().any(|n| n == "1 meeting without a start time is placed by hs_timestamp"), "{p}");

        // Sums say which property each record took, and what is not a number.
        let mrr = json!({"type": "synced", "kind": "deal", "time_field": "close_date", "filters": {"closed_won": true},
                          "aggregate": {"type": "sum", "properties": ["mrr", "hs_mrr", "amount"]}});
        let (_, p) = preview(&app, &admin, json!({"person_id": pat, "week": w.to_string(), "source": mrr})).await;
        assert_eq!(p["value"], 4500.0);
        assert_eq!(excluded(&p, "source.filters.closed_won")["text"], "1 deal not closed won");
        let notes: Vec<&str> = p["notes"].as_array().unwrap().iter().map(|n| n.as_str().unwrap()).collect();
        assert!(notes.contains(&"Summed: 2 by mrr, 1 by hs_mrr"), "{notes:?}");
        assert!(notes.contains(&"Not a number, counted 0: mrr “n/a”"), "{notes:?}");
        assert!(p["warnings"].as_array().unwrap().iter().any(|w| w["message"].as_str().unwrap().starts_with("mrr, hs_mrr not fetched from HubSpot yet")), "{p}");

        // A name the portal does not define is named with the closest ones.
        for name in ["mrr", "hs_mrr", "amount", "dealname"] {
            exec(&app, "INSERT INTO provider_properties (connection_id, object, name, label, type, custom, synced_at) VALUES ($1, 'deals', $2, $2, 'number', 0, $3)",
                 vec![i(hs), s(name), i(server::db::now_ms())]).await;
        }
        let (_, p) = preview(&app, &admin, json!({"person_id": pat, "week": w.to_string(),
            "source": {"type": "synced", "kind": "deal", "time_field": "close_date", "aggregate": {"type": "sum", "properties": ["mrrr", "amount"]}}})).await;
        let warning = p["warnings"].as_array().unwrap().iter().find(|w| w["field"] == "source.aggregate.properties").unwrap();
        assert!(warning["message"].as_str().unwrap().contains("`mrrr` is not a deal property of the connected portal"), "{warning}");
        assert!(warning["message"].as_str().unwrap().contains("closest: mrr"), "{warning}");

        // Refusals.
        let member = app.member_of(&admin, "mo@acme.test", "member").await;
        let (status, _) = preview(&app, &member, json!({"source": {"type": "manual"}})).await;
        assert_eq!(status, 403);
        let (status, v) = preview(&app, &admin, json!({"source": {"type": "synced", "kind": "note", "filters": {"call_direction": "INBOUND"}}})).await;
        assert_eq!((status, v["field"].as_str()), (422, Some("source.filters.call_direction")));
        let (status, v) = preview(&app, &admin, json!({"person_id": 999_999, "source": {"type": "manual"}})).await;
        assert_eq!((status, v["field"].as_str()), (422, Some("person_id")));
        let (status, v) = preview(&app, &admin, json!({"source": {"type": "formula", "formula": "m:999999 * 2"}})).await;
        assert_eq!((status, v["field"].as_str()), (422, Some("source.formula")));
    })
    .await;
}

#[tokio::test]
async fn cells_resting_on_a_stale_connection_say_so() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let org = admin.org_id;
        let hs = connection(&app, org, "hubspot").await;
        let pat = person(&app, org, "Pat", None, &[(hs, "hubspot", "101")]).await;
        let card = template(&app, &admin, Some(pat)).await;
        // The template started a run of the fixture connection, which has
        // no tokens and fails: forget it, this test writes runs by hand.
        for _ in 0..100 {
            let (running,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sync_runs WHERE status = 'running'")
                .fetch_one(&app.db().pool)
                .await
                .unwrap();
            if running == 0 {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(50)).await;
        }
        exec(&app, "DELETE FROM sync_runs", vec![]).await;
        exec(&app, "UPDATE connections SET status = 'connected', last_sync_at = NULL WHERE id = $1", vec![i(hs)]).await;
        let now = server::db::now_ms();
        let url = app.url(&format!("/api/v1/scorecards/{card}"));
        let view = get(&admin, url.clone()).await;
        assert!(row(&view, "Dials").get("stale").is_none(), "fresh: {}", row(&view, "Dials"));

        exec(&app, "UPDATE connections SET status = 'needs_reauth', last_sync_at = $1 WHERE id = $2", vec![i(now - 2 * 3_600_000 - 60_000), i(hs)]).await;
        let view = get(&admin, url.clone()).await;
        let dials = row(&view, "Dials");
        assert_eq!(dials["stale"]["label"], "stale since 2 h");
        assert_eq!(dials["stale"]["reason"], "HubSpot needs reconnecting");
        assert_eq!(dials["this_week"]["stale"], true);
        assert!(dials["last_week"].get("stale").is_none(), "last week ended before the last good sync");
        assert_eq!(row(&view, "Same-day close rate").get("stale"), None, "manual inputs are not stale");
        let id = dials["measurable_id"].as_i64().unwrap();
        let cell = get(&admin, app.url(&format!("/api/v1/measurables/{id}/cell?week={}", current_week()))).await;
        assert_eq!(cell["stale"]["reason"], "HubSpot needs reconnecting");

        // Reconnected, but the last run failed.
        exec(&app, "UPDATE connections SET status = 'connected' WHERE id = $1", vec![i(hs)]).await;
        exec(&app, "INSERT INTO sync_runs (connection_id, started_at, finished_at, status, error) VALUES ($1, $2, $2, 'failed', 'boom')", vec![i(hs), i(now - 60_000)]).await;
        let view = get(&admin, url.clone()).await;
        assert_eq!(row(&view, "Dials")["stale"]["reason"], "the last HubSpot sync failed");
        // The page says it too.
        let html = admin.client.get(app.url("/")).send().await.unwrap().text().await.unwrap();
        assert!(html.contains("stale since 2 h"), "the scorecard page marks the cell");
        let html = admin
            .client
            .get(app.url(&format!("/scorecard/cell?measurable={id}&week={}", current_week())))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("the last HubSpot sync failed: this number is stale since 2 h."), "the cell page says why");

        // A later good run clears it.
        exec(&app, "INSERT INTO sync_runs (connection_id, started_at, finished_at, status) VALUES ($1, $2, $2, 'succeeded')", vec![i(hs), i(now)]).await;
        exec(&app, "UPDATE connections SET last_sync_at = $1 WHERE id = $2", vec![i(now), i(hs)]).await;
        let view = get(&admin, url).await;
        assert!(row(&view, "Dials").get("stale").is_none());
    })
    .await;
}
