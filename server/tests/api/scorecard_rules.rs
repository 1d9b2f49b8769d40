//! The counting rules the README states, one test each, against hand-made
//! rows in the sync tables and the default template: what a dial is, which
//! time field places a meeting, how MRR is summed, what the same-day close
//! rate divides by.

use serde_json::json;

use crate::{
    fixtures::{
        Act, activity, associate, connection, current_week, deal, exec, get, i, ms, person, post,
        row, s, template, this_week,
    },
    helpers::on_each_backend,
};

/// A COMPLETED meeting logged without `hs_meeting_start_time` is placed by
/// `hs_timestamp`; a meeting with a start time keeps it.
#[tokio::test]
async fn a_meeting_without_a_start_time_is_placed_by_its_timestamp() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let org = admin.org_id;
        let hs = connection(&app, org, "hubspot").await;
        let pat = person(&app, org, "Pat", None, &[(hs, "hubspot", "101")]).await;
        let w = current_week() - chrono::Days::new(7);
        let fta = |ext, start, occurred| Act {
            kind: "meeting",
            ext,
            owner: "101",
            created: Some(ms(w, 0, 8) - 7 * 86_400_000),
            start,
            occurred,
            title: "FTA",
            activity_type: Some("First Time Appointment"),
            outcome: Some("COMPLETED"),
            ..Act::default()
        };
        activity(&app, org, hs, fta("m1", None, Some(ms(w, 2, 15)))).await;
        activity(
            &app,
            org,
            hs,
            fta("m2", Some(ms(w, 3, 15)), Some(ms(w, 3, 15))),
        )
        .await;
        // Started last week although its timestamp says this week.
        activity(
            &app,
            org,
            hs,
            fta("m3", Some(ms(w, 0, 0) - 3_600_000), Some(ms(w, 1, 9))),
        )
        .await;
        let card = template(&app, &admin, Some(pat)).await;
        let view = get(
            &admin,
            app.url(&format!("/api/v1/scorecards/{card}?week={w}")),
        )
        .await;
        assert_eq!(this_week(&view, "FTA attended"), Some(2.0));
        let id = row(&view, "FTA attended")["measurable_id"]
            .as_i64()
            .unwrap();
        let cell = get(
            &admin,
            app.url(&format!("/api/v1/measurables/{id}/cell?week={w}")),
        )
        .await;
        let ats: Vec<i64> = cell["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["at"].as_i64().unwrap())
            .collect();
        assert_eq!(
            ats,
            [ms(w, 2, 15), ms(w, 3, 15)],
            "placed by timestamp, then by start"
        );
    })
    .await;
}

/// A dial is any call that is not INBOUND: outbound calls and calls logged
/// without a direction. A call with two Warm 250 contacts is one dial.
#[tokio::test]
async fn a_dial_is_every_call_but_an_inbound_one_counted_once() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let org = admin.org_id;
        let hs = connection(&app, org, "hubspot").await;
        let pat = person(&app, org, "Pat", None, &[(hs, "hubspot", "101")]).await;
        let w = current_week() - chrono::Days::new(7);
        let call = |ext, direction| Act {
            kind: "call",
            ext,
            owner: "101",
            occurred: Some(ms(w, 1, 10)),
            direction,
            ..Act::default()
        };
        for a in [
            call("c1", Some("OUTBOUND")),
            call("c2", Some("INBOUND")),
            call("c3", None),
            call("c4", Some("")),
            call("c5", Some("inbound")),
            call("c6", Some("OUTBOUND")),
        ] {
            activity(&app, org, hs, a).await;
        }
        exec(&app, "INSERT INTO lists (org_id, connection_id, external_id, name, synced_at) VALUES ($1, $2, 'L1', 'Warm 250', 0)", vec![i(org), i(hs)]).await;
        for contact in ["x", "y"] {
            exec(&app, "INSERT INTO list_memberships (org_id, connection_id, list_external_id, record_external_id, synced_at) VALUES ($1, $2, 'L1', $3, 0)", vec![i(org), i(hs), s(contact)]).await;
        }
        // c1 reached two Warm 250 contacts, c2 (inbound) one, c3 one and a stranger.
        for (from, contact) in [("c1", "x"), ("c1", "y"), ("c2", "x"), ("c3", "y"), ("c3", "z")] {
            associate(&app, org, hs, "call", from, contact).await;
        }
        let card = template(&app, &admin, Some(pat)).await;
        let view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        assert_eq!(this_week(&view, "Dials"), Some(4.0), "c1, c3, c4, c6");
        assert_eq!(this_week(&view, "Dials (Warm 250)"), Some(2.0), "c1 once, c3");
        let id = row(&view, "Dials (Warm 250)")["measurable_id"].as_i64().unwrap();
        let cell = get(&admin, app.url(&format!("/api/v1/measurables/{id}/cell?week={w}"))).await;
        assert_eq!(cell["records"].as_array().unwrap().len(), 2);

        // The direction filter's three shapes, through the API.
        for (filter, want) in [
            (json!({"not": "INBOUND"}), 4.0),
            (json!("OUTBOUND"), 2.0),
            (json!("INBOUND"), 2.0),
            (json!({"not": "OUTBOUND"}), 4.0),
        ] {
            let (status, v) = post(
                &admin,
                app.url(&format!("/api/v1/scorecards/{card}/measurables")),
                json!({"section": "Check", "name": format!("Calls {filter}"), "person_id": pat,
                       "source": {"type": "synced", "kind": "call", "filters": {"call_direction": filter}}}),
            )
            .await;
            assert_eq!(status, 201, "{v}");
            let view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
            assert_eq!(this_week(&view, &format!("Calls {filter}")), Some(want), "{filter}");
        }
    })
    .await;
}

/// Same-day close rate = tickets closed the same day ÷ tickets closed;
/// utilisation = billable hours ÷ hours worked. The inputs are synced rows,
/// here overridden by hand (with the reason an override needs).
#[tokio::test]
async fn the_same_day_close_rate_divides_by_tickets_closed() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let card = template(&app, &admin, None).await;
        let w = current_week() - chrono::Days::new(7);
        let view = get(
            &admin,
            app.url(&format!("/api/v1/scorecards/{card}?week={w}")),
        )
        .await;
        for (name, value) in [
            ("Tickets opened", 10.0),
            ("Tickets closed", 8.0),
            ("Tickets closed the same day", 6.0),
            ("Hours worked", 40.0),
            ("Billable hours", 30.0),
        ] {
            let id = row(&view, name)["measurable_id"].as_i64().unwrap();
            let (status, v) = post(
                &admin,
                app.url(&format!("/api/v1/measurables/{id}/values")),
                json!({"week": w.to_string(), "value": value, "reason": "Autotask not connected yet"}),
            )
            .await;
            assert_eq!(status, 204, "{v}");
        }
        let view = get(
            &admin,
            app.url(&format!("/api/v1/scorecards/{card}?week={w}")),
        )
        .await;
        assert_eq!(this_week(&view, "Same-day close rate"), Some(75.0));
        assert_eq!(this_week(&view, "Utilisation"), Some(75.0));
    })
    .await;
}

/// A sum takes, per record, the first non-empty of the named properties:
/// absent, null and "" are empty, "0" is a value; deal columns are not a
/// second source.
#[tokio::test]
async fn mrr_is_the_first_non_empty_property_of_each_deal() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let org = admin.org_id;
        let hs = connection(&app, org, "hubspot").await;
        let pat = person(&app, org, "Pat", None, &[(hs, "hubspot", "101")]).await;
        let w = current_week() - chrono::Days::new(7);
        let close = ms(w, 2, 12);
        for (ext, props) in [
            (
                "d1",
                json!({"mrr": "3000", "hs_mrr": "2500", "amount": "36000"}),
            ),
            ("d2", json!({"mrr": "5200", "amount": "5800"})),
            (
                "d3",
                json!({"mrr": "", "hs_mrr": "1500", "amount": "18000"}),
            ),
            ("d4", json!({"mrr": "0", "amount": "900"})),
            ("d5", json!({"mrr": null, "hs_mrr": "", "amount": "4200"})),
            ("d6", json!({"mrr": " ", "amount": "10"})),
        ] {
            deal(&app, org, hs, ext, "101", close, true, "default", props).await;
        }
        let card = template(&app, &admin, Some(pat)).await;
        let view = get(
            &admin,
            app.url(&format!("/api/v1/scorecards/{card}?week={w}")),
        )
        .await;
        let want = 3000.0 + 5200.0 + 1500.0 + 0.0 + 4200.0 + 10.0;
        assert_eq!(this_week(&view, "MRR closed"), Some(want));
        let id = row(&view, "MRR closed")["measurable_id"].as_i64().unwrap();
        let cell = get(
            &admin,
            app.url(&format!("/api/v1/measurables/{id}/cell?week={w}")),
        )
        .await;
        let mut amounts: Vec<f64> = cell["records"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| r["amount"].as_f64().unwrap())
            .collect();
        amounts.sort_by(f64::total_cmp);
        assert_eq!(amounts, [0.0, 10.0, 1500.0, 3000.0, 4200.0, 5200.0]);
    })
    .await;
}

/// Records count for the person their owner is linked to, also when the
/// owner has been archived (a rep who left); an owner id that records carry
/// but the owner list lacks is listed on People and can be linked.
#[tokio::test]
async fn archived_and_unknown_owners_can_own_records() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let org = admin.org_id;
        let hs = connection(&app, org, "hubspot").await;
        app.member_of(&admin, "former.rep@acme.test", "member").await;
        exec(&app, "INSERT INTO owners (org_id, connection_id, external_id, email, name, deleted, synced_at) VALUES ($1, $2, 'o9', 'former.rep@acme.test', 'Former Rep', 1, 0)", vec![i(org), i(hs)]).await;
        let w = current_week() - chrono::Days::new(7);
        for (ext, owner) in [("c1", "o9"), ("c2", "o9"), ("c3", "x77")] {
            activity(&app, org, hs, Act { kind: "call", ext, owner, occurred: Some(ms(w, 1, 10)), direction: Some("OUTBOUND"), ..Act::default() }).await;
        }
        let people = get(&admin, app.url("/api/v1/people")).await;
        let former = people["people"].as_array().unwrap().iter().find(|p| p["email"] == "former.rep@acme.test").unwrap();
        let link = &former["links"][0];
        assert_eq!((link["external_id"].as_str(), link["archived"].as_bool()), (Some("o9"), Some(true)));
        let unknown = people["unmatched"].as_array().unwrap().iter().find(|u| u["external_id"] == "x77").unwrap();
        assert_eq!(unknown["unknown_records"], 1);
        let former_id = former["id"].as_i64().unwrap();
        let card = template(&app, &admin, Some(former_id)).await;
        let view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        assert_eq!(this_week(&view, "Dials"), Some(2.0), "the archived owner's calls");

        let link = |external: &'static str| {
            admin
                .client
                .put(app.url("/api/v1/people/links"))
                .json(&json!({"connection_id": hs, "external_id": external, "person_id": former_id}))
                .send()
        };
        assert_eq!(link("x77").await.unwrap().status(), 204);
        let view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        assert_eq!(this_week(&view, "Dials"), Some(3.0), "an unknown owner id, linked by hand");
        assert_eq!(link("nobody").await.unwrap().status(), 404, "an owner id no record carries");
    })
    .await;
}
