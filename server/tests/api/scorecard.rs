//! Scorecards end to end: every source kind and filter against hand-counted
//! fixtures in the sync tables, manual entries, overrides, formulas, goal
//! history, restatements, live recompute, CSV export and refusals.

use std::time::Duration;

use serde_json::{Value, json};
use server::events::Event;

use crate::{
    fixtures::{
        Act, activity, associate, connection, create, current_week, deal, exec, f, first_card, get,
        i, ms, person, post, row, s, this_week,
    },
    helpers::on_each_backend,
};

#[tokio::test]
async fn synced_sources_count_every_kind_and_filter() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let org = admin.org_id;
        let hs = connection(&app, org, "hubspot").await;
        let fathom = connection(&app, org, "fathom").await;
        let pat = person(&app, org, "Pat", None, &[(hs, "hubspot", "101"), (fathom, "fathom", "pat@acme.test")]).await;
        person(&app, org, "Sam", None, &[(hs, "hubspot", "202")]).await;
        let w = current_week() - chrono::Days::new(14);
        let next = w + chrono::Days::new(7);
        let call = |ext, owner, day, dir, label| Act {
            kind: "call",
            ext,
            owner,
            occurred: Some(ms(w, day, 10)),
            direction: Some(dir),
            disposition_label: label,
            ..Act::default()
        };
        for a in [
            call("c1", "101", 0, "OUTBOUND", Some("Connected")),
            call("c2", "101", 2, "OUTBOUND", Some("No answer")),
            call("c3", "101", 6, "INBOUND", None),
            call("c4", "202", 1, "OUTBOUND", Some("Connected")),
            Act { deleted: true, ..call("c5", "101", 1, "OUTBOUND", None) },
            Act { occurred: Some(ms(next, 0, 0)), ..call("c6", "101", 0, "OUTBOUND", None) },
        ] {
            activity(&app, org, hs, a).await;
        }
        let note = |ext, body| Act { kind: "note", ext, owner: "101", occurred: Some(ms(w, 3, 9)), body, ..Act::default() };
        for a in [
            note("n1", "<p>Spoke with the <b>CEO</b> today</p>"),
            note("n2", "<p>Sent the admin a form</p>"),
            note("n3", "Decision-maker wants a demo"),
            note("n4", "<div>Nothing much</div>"),
        ] {
            activity(&app, org, hs, a).await;
        }
        let meeting = |ext, kind, created, start, outcome| Act {
            kind: "meeting",
            ext,
            owner: "101",
            created: Some(created),
            start: Some(start),
            occurred: Some(start),
            title: "Meeting",
            activity_type: Some(kind),
            outcome: Some(outcome),
            ..Act::default()
        };
        for a in [
            meeting("m1", "First Time Appointment", ms(w, 1, 9), ms(next, 2, 9), "SCHEDULED"),
            meeting("m2", "COI", ms(w, 0, 9), ms(w, 4, 15), "COMPLETED"),
            meeting("m3", "COI", ms(w, 0, 9), ms(w, 4, 16), "NO_SHOW"),
            meeting("m4", "First Time Appointment", ms(w - chrono::Days::new(7), 1, 9), ms(w, 1, 9), "COMPLETED"),
        ] {
            activity(&app, org, hs, a).await;
        }
        activity(&app, org, fathom, Act { kind: "fathom_meeting", ext: "f1", owner: "pat@acme.test", start: Some(ms(w, 2, 14)), title: "Recorded call", ..Act::default() }).await;
        activity(&app, org, fathom, Act { kind: "fathom_meeting", ext: "f2", owner: "sam@acme.test", start: Some(ms(w, 2, 14)), title: "Someone else", ..Act::default() }).await;

        // Contacts, a list, buying roles and associations.
        exec(&app, "INSERT INTO contacts (org_id, connection_id, external_id, buying_role, synced_at) VALUES ($1, $2, 'x', ';BUDGET_HOLDER;DECISION_MAKER', 0)", vec![i(org), i(hs)]).await;
        exec(&app, "INSERT INTO contacts (org_id, connection_id, external_id, buying_role, synced_at) VALUES ($1, $2, 'y', 'END_USER', 0)", vec![i(org), i(hs)]).await;
        exec(&app, "INSERT INTO lists (org_id, connection_id, external_id, name, synced_at) VALUES ($1, $2, 'L1', 'Warm 250', 0)", vec![i(org), i(hs)]).await;
        exec(&app, "INSERT INTO list_memberships (org_id, connection_id, list_external_id, record_external_id, synced_at) VALUES ($1, $2, 'L1', 'x', 0)", vec![i(org), i(hs)]).await;
        associate(&app, org, hs, "call", "c1", "x").await;
        associate(&app, org, hs, "call", "c2", "y").await;
        associate(&app, org, hs, "note", "n1", "x").await;
        associate(&app, org, hs, "note", "n3", "y").await;
        associate(&app, org, hs, "deal", "d1", "x").await;

        // Deals: MRR is the first non-empty of mrr, hs_mrr, amount.
        exec(&app, "INSERT INTO pipelines (org_id, connection_id, external_id, label, synced_at) VALUES ($1, $2, 'default', 'Sales pipeline', 0)", vec![i(org), i(hs)]).await;
        let close = ms(w, 3, 12);
        deal(&app, org, hs, "d1", "101", close, true, "default", json!({"amount": "1000", "hs_mrr": "250", "mrr": "300"})).await;
        deal(&app, org, hs, "d2", "101", close, true, "default", json!({"amount": "900", "hs_mrr": "200", "mrr": ""})).await;
        deal(&app, org, hs, "d3", "101", close, true, "default", json!({"amount": "150", "hs_mrr": null})).await;
        deal(&app, org, hs, "d4", "101", close, false, "default", json!({"amount": "5000"})).await;
        deal(&app, org, hs, "d5", "101", close, true, "other", json!({"amount": "50"})).await;
        deal(&app, org, hs, "d6", "202", close, true, "default", json!({"amount": "7000"})).await;

        let card = first_card(&app, &admin).await;
        let defs = [
            ("Calls", json!({"type": "synced", "kind": "call"})),
            ("Outbound calls", json!({"type": "synced", "kind": "call", "filters": {"call_direction": "outbound"}})),
            ("Connected calls", json!({"type": "synced", "kind": "call", "filters": {"call_outcome": ["connected"]}})),
            ("Warm calls", json!({"type": "synced", "kind": "call", "filters": {"contact_in_list": "warm 250"}})),
            ("DM notes", json!({"type": "synced", "kind": "note", "filters": {"keywords": ["decision maker", "DM", "CEO"]}})),
            ("DM-role notes", json!({"type": "synced", "kind": "note", "filters": {"buying_role": ["decision_maker"]}})),
            ("FTA set", json!({"type": "synced", "kind": "meeting", "time_field": "created", "filters": {"meeting_type": ["First Time Appointment"]}})),
            ("FTA by start", json!({"type": "synced", "kind": "meeting", "time_field": "start", "filters": {"meeting_type": ["First Time Appointment"]}})),
            ("COI attended", json!({"type": "synced", "kind": "meeting", "time_field": "start", "filters": {"meeting_type": ["COI"], "meeting_outcome": ["COMPLETED"]}})),
            ("Recorded", json!({"type": "synced", "kind": "fathom_meeting", "time_field": "start"})),
            ("MRR", json!({"type": "synced", "kind": "deal", "time_field": "close_date", "filters": {"closed_won": true}, "aggregate": {"type": "sum", "properties": ["mrr", "hs_mrr", "amount"]}})),
            ("MRR main pipeline", json!({"type": "synced", "kind": "deal", "time_field": "close_date", "filters": {"closed_won": true, "pipeline": "Sales pipeline"}, "aggregate": {"type": "sum", "properties": ["mrr", "hs_mrr", "amount"]}})),
            ("Won deals in list", json!({"type": "synced", "kind": "deal", "time_field": "close_date", "filters": {"closed_won": true, "contact_in_list": "Warm 250"}})),
        ];
        for (name, source) in &defs {
            create(&app, &admin, card, json!({"section": "Sales", "name": name, "person_id": pat, "source": source, "goal": {"op": "at_least", "value": 2.0}})).await;
        }
        // A team measurable (no owner) counts everyone's calls.
        create(&app, &admin, card, json!({"section": "Team", "name": "Team calls", "source": {"type": "synced", "kind": "call"}})).await;

        let view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        let expect = [
            ("Calls", 3.0),
            ("Outbound calls", 2.0),
            ("Connected calls", 1.0),
            ("Warm calls", 1.0),
            ("DM notes", 2.0),
            ("DM-role notes", 1.0),
            ("FTA set", 1.0),
            ("FTA by start", 1.0),
            ("COI attended", 1.0),
            ("Recorded", 1.0),
            ("MRR", 700.0),
            ("MRR main pipeline", 650.0),
            ("Won deals in list", 1.0),
            ("Team calls", 4.0),
        ];
        for (name, value) in expect {
            assert_eq!(this_week(&view, name), Some(value), "{name} in week {w}");
        }
        assert_eq!(row(&view, "Calls")["this_week"]["status"], "green");
        assert_eq!(row(&view, "Connected calls")["this_week"]["status"], "red");
        assert_eq!(row(&view, "Calls")["weeks"].as_array().unwrap().len(), 13);
        assert_eq!(row(&view, "Calls")["owner"], "Pat");
        let next_view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={next}"))).await;
        assert_eq!(this_week(&next_view, "Calls"), Some(1.0));
        assert_eq!(row(&next_view, "Calls")["last_week"]["value"].as_f64(), Some(3.0));
        assert_eq!(this_week(&next_view, "FTA set"), Some(0.0));

        // The records behind a cell, with links.
        let calls_id = row(&view, "Calls")["measurable_id"].as_i64().unwrap();
        let cell = get(&admin, app.url(&format!("/api/v1/measurables/{calls_id}/cell?week={w}"))).await;
        let records = cell["records"].as_array().unwrap();
        assert_eq!(records.len(), 3);
        assert!(records.iter().all(|r| r["url"].as_str().unwrap().starts_with("https://app.hubspot.test/call/")));
        let mrr_id = row(&view, "MRR")["measurable_id"].as_i64().unwrap();
        let cell = get(&admin, app.url(&format!("/api/v1/measurables/{mrr_id}/cell?week={w}"))).await;
        let amounts: Vec<f64> = cell["records"].as_array().unwrap().iter().map(|r| r["amount"].as_f64().unwrap()).collect();
        assert_eq!(amounts.iter().sum::<f64>(), 700.0);

        // Live: a new call lands; after RecordsChanged the stored week is
        // recomputed and, having been shown, flagged as restated.
        // Only the measurables the announced objects can move are
        // recomputed: a deal written but not announced stays uncounted.
        activity(&app, org, hs, call("c7", "101", 4, "OUTBOUND", None)).await;
        deal(&app, org, hs, "d9", "101", close, true, "default", json!({"amount": "50"})).await;
        let announce = |objects: &'static str| {
            let app = &app;
            async move {
                let mut rx = app.state.events.subscribe();
                app.state
                    .events
                    .publish(Event::RecordsChanged { org_id: org, connection_id: hs, objects: vec![objects.into()] })
                    .await
                    .unwrap();
                tokio::time::timeout(Duration::from_secs(10), async {
                    loop {
                        if let Ok(Event::ScorecardChanged { org_id, .. }) = rx.recv().await
                            && org_id == org
                        {
                            break;
                        }
                    }
                })
                .await
                .is_ok()
            }
        };
        assert!(announce("calls").await, "ScorecardChanged follows RecordsChanged");
        let view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        assert_eq!(this_week(&view, "Calls"), Some(4.0));
        assert_eq!(row(&view, "Calls")["this_week"]["restated_from"].as_f64(), Some(3.0));
        assert_eq!(row(&view, "Outbound calls")["this_week"]["restated_from"].as_f64(), Some(2.0));
        assert!(row(&view, "DM notes")["this_week"].get("restated_from").is_none());
        assert_eq!(this_week(&view, "MRR"), Some(700.0), "deals were not announced");
        assert!(announce("deals").await, "a deal change recomputes deal measurables");
        let view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        assert_eq!(this_week(&view, "MRR"), Some(750.0));
        assert_eq!(this_week(&view, "Calls"), Some(4.0));
    })
    .await;
}

#[tokio::test]
async fn manual_values_overrides_formulas_goals_and_audit() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let rep = app.member_of(&admin, "rex@acme.test", "member").await;
        let other = app.member_of(&admin, "oz@acme.test", "member").await;
        let rex = person(&app, admin.org_id, "Rex", Some(rep.id), &[]).await;
        let card = first_card(&app, &admin).await;
        let opened = create(&app, &admin, card, json!({"section": "Ops", "name": "Tickets opened", "person_id": rex, "source": {"type": "manual"}})).await;
        let same_day = create(&app, &admin, card, json!({"section": "Ops", "name": "Closed same day", "person_id": rex, "source": {"type": "manual"}})).await;
        let rate = create(&app, &admin, card, json!({"section": "Ops", "name": "Same-day close rate", "unit": "percent",
            "goal": {"op": "at_least", "value": 70.0},
            "source": {"type": "formula", "formula": format!("m:{same_day} / m:{opened} * 100")}})).await;
        let w = current_week() - chrono::Days::new(7);
        let value = |id: i64| app.url(&format!("/api/v1/measurables/{id}/values"));

        // The owner enters their own manual values; others may not.
        assert_eq!(post(&rep, value(opened), json!({"week": w.to_string(), "value": 10.0})).await.0, 204);
        assert_eq!(post(&rep, value(same_day), json!({"week": w.to_string(), "value": 8.0})).await.0, 204);
        assert_eq!(post(&other, value(opened), json!({"week": w.to_string(), "value": 99.0})).await.0, 403);
        assert_eq!(post(&rep, value(rate), json!({"week": w.to_string(), "value": 1.0, "reason": "x"})).await.0, 403, "members cannot override formulas");
        let (status, body) = post(&rep, value(opened), json!({"week": "next tuesday", "value": 1.0})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("week")));
        let future = current_week() + chrono::Days::new(7);
        assert_eq!(post(&rep, value(opened), json!({"week": future.to_string(), "value": 1.0})).await.0, 422);

        let view = get(&rep, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        assert_eq!(this_week(&view, "Tickets opened"), Some(10.0));
        assert_eq!(this_week(&view, "Same-day close rate"), Some(80.0));
        assert_eq!(row(&view, "Same-day close rate")["this_week"]["status"], "green");
        assert_eq!(row(&view, "Tickets opened")["can_enter"], true);
        assert_eq!(row(&view, "Same-day close rate")["can_enter"], false);

        // An override needs a reason, flows into the cell and is audited.
        let (status, body) = post(&admin, value(same_day), json!({"week": w.to_string(), "value": 6.0})).await;
        assert_eq!(status, 204, "{body}");
        let (status, body) = post(&admin, value(rate), json!({"week": w.to_string(), "value": 50.0})).await;
        assert_eq!((status, body["field"].as_str()), (422, Some("reason")));
        let view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        assert_eq!(this_week(&view, "Same-day close rate"), Some(60.0), "formula sees the corrected input");
        assert_eq!(row(&view, "Same-day close rate")["this_week"]["status"], "red");
        assert_eq!(post(&admin, value(rate), json!({"week": w.to_string(), "value": 75.0, "reason": "two tickets were duplicates"})).await.0, 204);
        let view = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        assert_eq!(this_week(&view, "Same-day close rate"), Some(75.0));
        assert_eq!(row(&view, "Same-day close rate")["this_week"]["manual"], true);
        // Notes, by anyone in the organisation.
        assert_eq!(post(&other, app.url(&format!("/api/v1/measurables/{rate}/notes")), json!({"week": w.to_string(), "note": "holiday week"})).await.0, 204);
        let cell = get(&admin, app.url(&format!("/api/v1/measurables/{rate}/cell?week={w}"))).await;
        assert_eq!(cell["cell"]["note"], "holiday week");
        assert_eq!(cell["entry"][1], "two tickets were duplicates");
        let actions: Vec<&str> = cell["audit"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
        assert_eq!(&actions[..3], ["note", "override", "create"]);
        let trail = get(&admin, app.url(&format!("/api/v1/measurables/{same_day}/cell?week={w}"))).await;
        let entry = &trail["audit"][0];
        assert_eq!((entry["action"].as_str(), entry["old_value"].as_str(), entry["new_value"].as_str()), (Some("entry"), Some("8"), Some("6")));
        assert_eq!(entry["user_name"], "Admin of Acme");

        // A goal change applies from its week on; earlier weeks keep their colour.
        let mut def = get(&admin, app.url(&format!("/api/v1/measurables/{rate}"))).await["input"].clone();
        def["goal"] = json!({"op": "at_least", "value": 90.0});
        let r = admin.client.put(app.url(&format!("/api/v1/measurables/{rate}"))).json(&def).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let past = get(&admin, app.url(&format!("/api/v1/scorecards/{card}?week={w}"))).await;
        assert_eq!(row(&past, "Same-day close rate")["goal"]["value"], 70.0);
        assert_eq!(row(&past, "Same-day close rate")["this_week"]["status"], "green");
        let now = get(&admin, app.url(&format!("/api/v1/scorecards/{card}"))).await;
        assert_eq!(row(&now, "Same-day close rate")["goal"]["value"], 90.0);
        assert_eq!(row(&now, "Same-day close rate")["last_week"]["status"], "green", "last week keeps the goal it had");

        // Bad definitions are refused with the field named.
        let bad = |source: Value| json!({"section": "Ops", "name": "Bad", "source": source});
        let url = app.url(&format!("/api/v1/scorecards/{card}/measurables"));
        for (body, field) in [
            (bad(json!({"type": "formula", "formula": format!("m:{rate} +")})), "source.formula"),
            (bad(json!({"type": "formula", "formula": "m:999999 * 2"})), "source.formula"),
            (bad(json!({"type": "synced", "kind": "note", "filters": {"call_direction": "INBOUND"}})), "source.filters.call_direction"),
            (bad(json!({"type": "synced", "kind": "call", "time_field": "close_date"})), "source.time_field"),
            (json!({"section": "Ops", "name": "", "source": {"type": "manual"}}), "name"),
            (json!({"section": "Ops", "name": "X", "source": {"type": "manual"}, "goal": {"op": "between", "value": 5.0}}), "goal"),
            (json!({"section": "Ops", "name": "X", "unit": "parsecs", "source": {"type": "manual"}}), "unit"),
            (json!({"section": "Ops", "name": "X", "person_id": 123456, "source": {"type": "manual"}}), "person_id"),
        ] {
            let (status, v) = post(&admin, url.clone(), body.clone()).await;
            assert_eq!(status, 422, "{body}");
            assert!(v["field"].as_str().unwrap().starts_with(field), "{body} → {v}");
        }
        let (status, v) = post(&admin, url.clone(), bad(json!({"type": "synced", "kind": "fax"}))).await;
        assert_eq!(status, 422);
        assert!(v["message"].as_str().unwrap().contains("fax"), "{v}");
        // A cycle through an update is refused.
        let mut def = get(&admin, app.url(&format!("/api/v1/measurables/{opened}"))).await["input"].clone();
        def["source"] = json!({"type": "formula", "formula": format!("m:{rate} + 1")});
        let r = admin.client.put(app.url(&format!("/api/v1/measurables/{opened}"))).json(&def).send().await.unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(r.json::<Value>().await.unwrap()["field"], "source.formula");
        // Members cannot change definitions; a formula input cannot be deleted.
        assert_eq!(post(&rep, url.clone(), bad(json!({"type": "manual"}))).await.0, 403);
        let r = admin.client.delete(app.url(&format!("/api/v1/measurables/{opened}"))).send().await.unwrap();
        assert_eq!(r.status(), 409);

        // CSV export of the grid.
        let r = rep.client.get(app.url(&format!("/api/v1/scorecards/{card}/export.csv?week={w}"))).send().await.unwrap();
        assert_eq!(r.status(), 200);
        assert!(r.headers()["content-type"].to_str().unwrap().starts_with("text/csv"));
        let csv = r.text().await.unwrap();
        let mut lines = csv.lines();
        let head = lines.next().unwrap();
        assert!(head.starts_with("Section,Measurable,Owner,Goal,"), "{head}");
        assert!(head.ends_with(&format!("{w},Quarter average")), "{head}");
        assert!(csv.contains("Ops,Same-day close rate,,≥ 70 %,"), "{csv}");
        assert!(csv.lines().any(|l| l.starts_with("Ops,Tickets opened,Rex,,") && l.contains(",10,")), "{csv}");
    })
    .await;
}

#[tokio::test]
async fn dashboard_counts_synced_records_and_the_pipeline() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let org = admin.org_id;
        let empty = get(&admin, app.url("/api/v1/dashboard")).await;
        assert_eq!(empty["contacts"], 0);
        let hs = connection(&app, org, "hubspot").await;
        for (ext, first, created, deleted) in [("c1", "Ada", 1_000, 0), ("c2", "Bo", 2_000, 0), ("c3", "Gone", 3_000, 1)] {
            exec(&app, "INSERT INTO contacts (org_id, connection_id, external_id, first_name, last_name, email, remote_created_at, deleted, synced_at) \
                        VALUES ($1, $2, $3, $4, 'Smith', $5, $6, $7, 0)",
                 vec![i(org), i(hs), s(ext), s(first), s(format!("{ext}@x.test")), i(created), i(deleted)]).await;
        }
        exec(&app, "INSERT INTO companies (org_id, connection_id, external_id, name, synced_at) VALUES ($1, $2, 'co1', 'Acme', 0)", vec![i(org), i(hs)]).await;
        exec(&app, "INSERT INTO pipelines (org_id, connection_id, external_id, label, synced_at) VALUES ($1, $2, 'default', 'Sales pipeline', 0)", vec![i(org), i(hs)]).await;
        for (stage, label, order) in [("s1", "Qualified", 1), ("s2", "Closed won", 2)] {
            exec(&app, "INSERT INTO pipeline_stages (org_id, connection_id, pipeline_external_id, external_id, label, display_order, synced_at) \
                        VALUES ($1, $2, 'default', $3, $4, $5, 0)", vec![i(org), i(hs), s(stage), s(label), i(order)]).await;
        }
        for (ext, stage, amount) in [("d1", "s1", 100.0), ("d2", "s1", 250.0), ("d3", "s2", 1000.0)] {
            exec(&app, "INSERT INTO deals (org_id, connection_id, external_id, pipeline, stage, amount, synced_at) VALUES ($1, $2, $3, 'default', $4, $5, 0)",
                 vec![i(org), i(hs), s(ext), s(stage), f(Some(amount))]).await;
        }
        let d = get(&admin, app.url("/api/v1/dashboard")).await;
        assert_eq!((d["contacts"].as_i64(), d["companies"].as_i64(), d["deals"].as_i64()), (Some(2), Some(1), Some(3)));
        let stages = d["stages"].as_array().unwrap();
        assert_eq!(stages.len(), 2);
        assert_eq!((stages[0]["stage"].as_str(), stages[0]["count"].as_i64(), stages[0]["value"].as_f64()), (Some("Qualified"), Some(2), Some(350.0)));
        assert_eq!((stages[1]["stage"].as_str(), stages[1]["pipeline"].as_str(), stages[1]["value"].as_f64()), (Some("Closed won"), Some("Sales pipeline"), Some(1000.0)));
        let recent: Vec<&str> = d["recent_contacts"].as_array().unwrap().iter().map(|c| c["name"].as_str().unwrap()).collect();
        assert_eq!(recent, ["Bo Smith", "Ada Smith"]);
        // Another organisation sees none of it.
        let other = app.admin("Rival", "rob@rival.test").await;
        assert_eq!(get(&other, app.url("/api/v1/dashboard")).await["deals"], 0);
    })
    .await;
}

#[tokio::test]
async fn a_refused_measurable_leaves_nothing_written() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let card = first_card(&app, &admin).await;
        let kept = create(
            &app,
            &admin,
            card,
            json!({"section": "Ops", "name": "Kept", "source": {"type": "manual"}}),
        )
        .await;
        let names = || async {
            let week = get(&admin, app.url(&format!("/api/v1/scorecards/{card}"))).await;
            let mut names: Vec<String> = week["sections"]
                .as_array()
                .unwrap()
                .iter()
                .flat_map(|s| s["rows"].as_array().unwrap())
                .map(|r| r["name"].as_str().unwrap().to_owned())
                .collect();
            names.sort();
            names
        };
        let before = names().await;
        assert_eq!(before, ["Kept"]);

        // Create: an impossible goal date is refused and nothing is stored.
        let url = app.url(&format!("/api/v1/scorecards/{card}/measurables"));
        let body = json!({"section": "Ops", "name": "Half written", "source": {"type": "manual"},
            "goal": {"op": "at_least", "value": 5.0}, "goal_effective_from": "2026-02-30"});
        let (status, v) = post(&admin, url, body).await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["field"], "goal_effective_from");
        assert_eq!(
            names().await,
            before,
            "a refused create stores no measurable"
        );

        // Update: the same date is refused and the definition stays as it was.
        let mut def =
            get(&admin, app.url(&format!("/api/v1/measurables/{kept}"))).await["input"].clone();
        let unchanged = def.clone();
        def["name"] = json!("Renamed");
        def["goal"] = json!({"op": "at_least", "value": 5.0});
        def["goal_effective_from"] = json!("2026-02-30");
        let r = admin
            .client
            .put(app.url(&format!("/api/v1/measurables/{kept}")))
            .json(&def)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(
            r.json::<Value>().await.unwrap()["field"],
            "goal_effective_from"
        );
        assert_eq!(names().await, before, "a refused update renames nothing");
        assert_eq!(
            get(&admin, app.url(&format!("/api/v1/measurables/{kept}"))).await["input"],
            unchanged
        );
    })
    .await;
}

/// Makes every insert into `measurable_audit` fail, as a full disk or a
/// lost connection half-way would.
async fn break_the_audit(db: &server::db::Db) {
    let statements: &[&str] = match db.backend {
        server::db::Backend::Sqlite => &[
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON measurable_audit \
             BEGIN SELECT RAISE(ABORT, 'audit refused'); END",
        ],
        server::db::Backend::Postgres => &[
            "CREATE FUNCTION refuse_audit() RETURNS trigger AS $$ \
             BEGIN RAISE EXCEPTION 'audit refused'; END $$ LANGUAGE plpgsql",
            "CREATE TRIGGER refuse_audit BEFORE INSERT ON measurable_audit \
             FOR EACH ROW EXECUTE FUNCTION refuse_audit()",
        ],
    };
    for statement in statements {
        sqlx::query(statement).execute(&db.pool).await.unwrap();
    }
}

async fn count(db: &server::db::Db, sql: &str) -> i64 {
    sqlx::query_scalar::<_, i64>(sql)
        .fetch_one(&db.pool)
        .await
        .unwrap()
}

#[tokio::test]
async fn a_change_whose_audit_fails_is_not_stored_at_all() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let card = first_card(&app, &admin).await;
        let kept = create(
            &app,
            &admin,
            card,
            json!({"section": "Ops", "name": "Kept", "source": {"type": "manual"}}),
        )
        .await;
        let week = get(&admin, app.url(&format!("/api/v1/scorecards/{card}"))).await["week"]
            .as_str()
            .unwrap()
            .to_owned();
        let tables = [
            "SELECT COUNT(*) FROM measurables",
            "SELECT COUNT(*) FROM measurable_goals",
            "SELECT COUNT(*) FROM scorecard_sections",
            "SELECT COUNT(*) FROM measurable_entries",
            "SELECT COUNT(*) FROM measurable_notes",
        ];
        let mut before = Vec::new();
        for sql in tables {
            before.push(count(app.db(), sql).await);
        }
        let definition =
            get(&admin, app.url(&format!("/api/v1/measurables/{kept}"))).await["input"].clone();
        break_the_audit(app.db()).await;

        let (status, v) = post(
            &admin,
            app.url(&format!("/api/v1/scorecards/{card}/measurables")),
            json!({"section": "New section", "name": "Unaudited", "source": {"type": "manual"},
                   "goal": {"op": "at_least", "value": 5.0}}),
        )
        .await;
        assert_eq!(status, 500, "{v}");
        let mut renamed = definition.clone();
        renamed["name"] = json!("Renamed without audit");
        renamed["section"] = json!("Another section");
        renamed["goal"] = json!({"op": "at_least", "value": 9.0});
        let r = admin
            .client
            .put(app.url(&format!("/api/v1/measurables/{kept}")))
            .json(&renamed)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 500);
        let (status, _) = post(
            &admin,
            app.url(&format!("/api/v1/measurables/{kept}/values")),
            json!({"week": week, "value": 3.0}),
        )
        .await;
        assert_eq!(status, 500);
        let (status, _) = post(
            &admin,
            app.url(&format!("/api/v1/measurables/{kept}/notes")),
            json!({"week": week, "note": "unaudited"}),
        )
        .await;
        assert_eq!(status, 500);

        let mut after = Vec::new();
        for sql in tables {
            after.push(count(app.db(), sql).await);
        }
        assert_eq!(after, before, "rows of {tables:?}");
        assert_eq!(
            get(&admin, app.url(&format!("/api/v1/measurables/{kept}"))).await["input"],
            definition
        );
    })
    .await;
}

#[tokio::test]
async fn a_distant_week_is_refused_and_writes_no_rows() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let card = first_card(&app, &admin).await;
        let id = create(
            &app,
            &admin,
            card,
            json!({"section": "Ops", "name": "Tickets", "source": {"type": "manual"}}),
        )
        .await;
        // The current view has been computed once; nothing else may appear.
        get(&admin, app.url(&format!("/api/v1/scorecards/{card}"))).await;
        let computed = "SELECT COUNT(*) FROM measurable_weeks";
        let rows = count(app.db(), computed).await;
        for (week, says) in [
            ("1971-01-04", "five years"),
            ("1969-12-29", "1970 to 2200"),
            ("2201-01-05", "1970 to 2200"),
            ("0001-01-01", "1970 to 2200"),
        ] {
            let r = admin
                .get(app.url(&format!("/api/v1/scorecards/{card}?week={week}")))
                .await;
            assert_eq!(r.status(), 422, "{week}");
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["field"], "week", "{v}");
            assert!(v["message"].as_str().unwrap().contains(says), "{v}");
            let r = admin
                .get(app.url(&format!("/scorecard/cell?measurable={id}&week={week}")))
                .await;
            let html = r.text().await.unwrap();
            assert!(html.contains(says), "the cell page says why for {week}");
            let (status, v) = post(
                &admin,
                app.url(&format!("/api/v1/measurables/{id}/values")),
                json!({"week": week, "value": 1.0}),
            )
            .await;
            assert_eq!(status, 422, "{v}");
        }
        assert_eq!(
            count(app.db(), computed).await,
            rows,
            "no rows were written"
        );
        // A far-future week shows the current one, also without new rows.
        let v = get(
            &admin,
            app.url(&format!("/api/v1/scorecards/{card}?week=2199-01-05")),
        )
        .await;
        assert_eq!(v["week"], current_week().to_string());
        assert_eq!(count(app.db(), computed).await, rows);
        // Goal dates share the year range.
        let mut def =
            get(&admin, app.url(&format!("/api/v1/measurables/{id}"))).await["input"].clone();
        def["goal"] = json!({"op": "at_least", "value": 5.0});
        def["goal_effective_from"] = json!("1900-01-01");
        let r = admin
            .client
            .put(app.url(&format!("/api/v1/measurables/{id}")))
            .json(&def)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        let v: Value = r.json().await.unwrap();
        assert_eq!(v["field"], "goal_effective_from", "{v}");
    })
    .await;
}
