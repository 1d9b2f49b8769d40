//! CRM reads: paging, properties, search, associations, owners, pipelines, lists, auth.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use sandbox::ObjectKind;
use serde_json::{Value, json};

const ALL: &str = "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read crm.objects.owners.read crm.lists.read";

async fn get_json(c: &reqwest::Client, url: &str, token: &str) -> (u16, Value) {
    let r = c.get(url).bearer_auth(token).send().await.unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap_or(Value::Null))
}

#[tokio::test]
async fn list_paging_covers_every_record_exactly_once() {
    let (sb, base) = start(small_opts()).await;
    let (tok, _) = hubspot_token(&base, ALL).await;
    let c = client();
    let truth: BTreeSet<String> = sb
        .dump(ObjectKind::Calls)
        .iter()
        .map(|r| r["id"].as_str().unwrap().to_string())
        .collect();
    assert!(truth.len() > 150, "enough calls to page: {}", truth.len());
    let mut seen = Vec::new();
    let mut url = format!(
        "{base}/hubspot/crm/v3/objects/calls?limit=100&properties=hs_timestamp,hs_call_direction,nonexistent_prop"
    );
    loop {
        let (s, v) = get_json(&c, &url, &tok).await;
        assert_eq!(s, 200);
        for r in v["results"].as_array().unwrap() {
            let props = r["properties"].as_object().unwrap();
            assert!(props.contains_key("hs_timestamp"));
            assert!(
                !props.contains_key("nonexistent_prop"),
                "unknown props are absent"
            );
            assert!(
                !props.contains_key("hs_call_body"),
                "unrequested props are absent"
            );
            assert!(
                r["properties"]["hs_timestamp"]
                    .as_str()
                    .unwrap()
                    .ends_with('Z')
            );
            assert!(r["createdAt"].is_string() && r["updatedAt"].is_string());
            assert_eq!(r["archived"], false);
            seen.push(r["id"].as_str().unwrap().to_string());
        }
        match v["paging"]["next"]["link"].as_str() {
            Some(link) => {
                assert!(link.starts_with("/hubspot/crm/v3/objects/calls?"));
                url = format!("{base}{link}");
            }
            None => break,
        }
    }
    let unique: BTreeSet<String> = seen.iter().cloned().collect();
    assert_eq!(unique.len(), seen.len(), "no duplicates");
    assert_eq!(unique, truth);
}

#[tokio::test]
async fn nested_router_links_and_date_versioned_paths() {
    let mut o = small_opts();
    o.auto_approve = true;
    let sb = sandbox::Sandbox::new(o);
    let app = axum::Router::new().nest("/sandbox", sb.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let base = format!("http://{addr}/sandbox");
    let (tok, _) = hubspot_token(&base, ALL).await;
    let c = client();
    let (s, v) = get_json(
        &c,
        &format!("{base}/hubspot/crm/objects/2026-03/meetings?limit=5"),
        &tok,
    )
    .await;
    assert_eq!(s, 200);
    let link = v["paging"]["next"]["link"].as_str().unwrap();
    assert!(
        link.starts_with("/sandbox/hubspot/crm/objects/2026-03/meetings?"),
        "{link}"
    );
    let (s, _) = get_json(&c, &format!("http://{addr}{link}"), &tok).await;
    assert_eq!(s, 200);
    let r = c
        .get(format!("{base}/_sandbox/truth"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn public_base_url_makes_links_absolute() {
    let mut o = small_opts();
    o.public_base_url = Some("https://tally.example.com/sandbox".into());
    let (_sb, base) = start(o).await;
    let (tok, _) = hubspot_token(&base, ALL).await;
    let (_, v) = get_json(
        &client(),
        &format!("{base}/hubspot/crm/v3/objects/notes?limit=3"),
        &tok,
    )
    .await;
    let link = v["paging"]["next"]["link"].as_str().unwrap();
    assert!(
        link.starts_with("https://tally.example.com/sandbox/hubspot/crm/v3/objects/notes?"),
        "{link}"
    );
    assert!(link.contains("limit=3"));
}

#[tokio::test]
async fn bad_expired_and_underscoped_tokens() {
    let (sb, base) = start(small_opts()).await;
    let c = client();
    let (s, v) = get_json(&c, &format!("{base}/hubspot/crm/v3/objects/calls"), "nope").await;
    assert_eq!(s, 401);
    assert_eq!(v["category"], "INVALID_AUTHENTICATION");
    assert_eq!(v["status"], "error");
    assert!(v["correlationId"].is_string());

    let (tok, _) = hubspot_token(&base, "oauth crm.objects.companies.read").await;
    let (s, v) = get_json(&c, &format!("{base}/hubspot/crm/v3/objects/calls"), &tok).await;
    assert_eq!(s, 403);
    assert_eq!(v["category"], "MISSING_SCOPES");
    let (s, _) = get_json(
        &c,
        &format!("{base}/hubspot/crm/v3/objects/companies"),
        &tok,
    )
    .await;
    assert_eq!(s, 200);

    sb.expire_access_tokens(None);
    let (s, v) = get_json(
        &c,
        &format!("{base}/hubspot/crm/v3/objects/companies"),
        &tok,
    )
    .await;
    assert_eq!(s, 401);
    assert_eq!(v["category"], "EXPIRED_AUTHENTICATION");
}

async fn search(
    c: &reqwest::Client,
    base: &str,
    tok: &str,
    kind: &str,
    body: Value,
) -> (u16, Value) {
    let r = c
        .post(format!("{base}/hubspot/crm/v3/objects/{kind}/search"))
        .bearer_auth(tok)
        .json(&body)
        .send()
        .await
        .unwrap();
    let s = r.status().as_u16();
    (s, r.json().await.unwrap())
}

#[tokio::test]
async fn search_operators_sorting_and_caps() {
    let (sb, base) = start(small_opts()).await;
    let (tok, _) = hubspot_token(&base, ALL).await;
    let c = client();
    let meetings = sb.dump(ObjectKind::Meetings);
    let ts = |r: &Value| {
        chrono::DateTime::parse_from_rfc3339(r["properties"]["hs_timestamp"].as_str().unwrap())
            .unwrap()
            .timestamp_millis()
    };
    let mut all: Vec<i64> = meetings.iter().map(ts).collect();
    all.sort();
    let (lo, hi) = (all[all.len() / 4], all[all.len() * 3 / 4]);
    let expected = all.iter().filter(|t| **t >= lo && **t <= hi).count();

    // BETWEEN on epoch ms, sorted descending, paged with `after`.
    let mut got = Vec::new();
    let mut after = None::<String>;
    loop {
        let mut body = json!({
            "filterGroups": [{"filters": [{"propertyName": "hs_timestamp", "operator": "BETWEEN", "value": lo.to_string(), "highValue": hi.to_string()}]}],
            "sorts": [{"propertyName": "hs_timestamp", "direction": "DESCENDING"}],
            "properties": ["hs_timestamp", "hs_meeting_outcome"],
            "limit": 7,
        });
        if let Some(a) = &after {
            body["after"] = json!(a);
        }
        let (s, v) = search(&c, &base, &tok, "meetings", body).await;
        assert_eq!(s, 200, "{v}");
        assert_eq!(v["total"].as_u64().unwrap() as usize, expected);
        for r in v["results"].as_array().unwrap() {
            got.push(ts(r));
            assert!(r.get("associations").is_none());
        }
        match v["paging"]["next"]["after"].as_str() {
            Some(a) => after = Some(a.to_string()),
            None => break,
        }
    }
    assert_eq!(got.len(), expected);
    assert!(got.windows(2).all(|w| w[0] >= w[1]), "descending");

    // EQ / IN / NEQ / HAS_PROPERTY on enumerations.
    let count = |outcome: &str| {
        meetings
            .iter()
            .filter(|m| m["properties"]["hs_meeting_outcome"] == outcome)
            .count()
    };
    let (_, v) = search(&c, &base, &tok, "meetings", json!({"filterGroups": [{"filters": [{"propertyName": "hs_meeting_outcome", "operator": "EQ", "value": "COMPLETED"}]}]})).await;
    assert_eq!(v["total"].as_u64().unwrap() as usize, count("COMPLETED"));
    let (_, v) = search(&c, &base, &tok, "meetings", json!({"filterGroups": [{"filters": [{"propertyName": "hs_meeting_outcome", "operator": "IN", "values": ["NO_SHOW", "CANCELED"]}]}]})).await;
    assert_eq!(
        v["total"].as_u64().unwrap() as usize,
        count("NO_SHOW") + count("CANCELED")
    );
    let (_, v) = search(&c, &base, &tok, "meetings", json!({"filterGroups": [{"filters": [{"propertyName": "hs_meeting_outcome", "operator": "NOT_IN", "values": ["COMPLETED"]}]}]})).await;
    assert_eq!(
        v["total"].as_u64().unwrap() as usize,
        meetings.len() - count("COMPLETED")
    );
    // Two groups are ORed.
    let (_, v) = search(&c, &base, &tok, "meetings", json!({"filterGroups": [
        {"filters": [{"propertyName": "hs_meeting_outcome", "operator": "EQ", "value": "NO_SHOW"}]},
        {"filters": [{"propertyName": "hs_meeting_outcome", "operator": "EQ", "value": "CANCELED"}]}]})).await;
    assert_eq!(
        v["total"].as_u64().unwrap() as usize,
        count("NO_SHOW") + count("CANCELED")
    );
    let (_, v) = search(&c, &base, &tok, "meetings", json!({"filterGroups": [{"filters": [{"propertyName": "hs_meeting_outcome", "operator": "HAS_PROPERTY"}]}]})).await;
    assert_eq!(v["total"].as_u64().unwrap() as usize, meetings.len());
    let (_, v) = search(&c, &base, &tok, "meetings", json!({"filterGroups": [{"filters": [{"propertyName": "hs_internal_meeting_notes", "operator": "NOT_HAS_PROPERTY"}]}]})).await;
    assert_eq!(v["total"].as_u64().unwrap() as usize, meetings.len());

    // CONTAINS_TOKEN on note bodies; decision-maker buying role on contacts.
    let notes = sb.dump(ObjectKind::Notes);
    let with_owner = notes
        .iter()
        .filter(|n| {
            n["properties"]["hs_note_body"]
                .as_str()
                .unwrap()
                .to_lowercase()
                .split(|c: char| !c.is_alphanumeric() && c != '_')
                .any(|t| t == "owner")
        })
        .count();
    let (_, v) = search(&c, &base, &tok, "notes", json!({"filterGroups": [{"filters": [{"propertyName": "hs_note_body", "operator": "CONTAINS_TOKEN", "value": "owner"}]}]})).await;
    assert_eq!(v["total"].as_u64().unwrap() as usize, with_owner);
    let (_, v) = search(&c, &base, &tok, "notes", json!({"filterGroups": [{"filters": [{"propertyName": "hs_note_body", "operator": "NOT_CONTAINS_TOKEN", "value": "owner"}]}]})).await;
    assert_eq!(
        v["total"].as_u64().unwrap() as usize,
        notes.len() - with_owner
    );
    let dms = sb
        .dump(ObjectKind::Contacts)
        .iter()
        .filter(|c| {
            c["properties"]["hs_buying_role"]
                .as_str()
                .is_some_and(|r| r.contains("DECISION_MAKER"))
        })
        .count();
    assert!(dms > 0);
    let (_, v) = search(&c, &base, &tok, "contacts", json!({"filterGroups": [{"filters": [{"propertyName": "hs_buying_role", "operator": "IN", "values": ["DECISION_MAKER"]}]}]})).await;
    assert_eq!(v["total"].as_u64().unwrap() as usize, dms);

    // GT/LT on a number.
    let calls = sb.dump(ObjectKind::Calls);
    let long = calls
        .iter()
        .filter(|c| {
            c["properties"]["hs_call_duration"]
                .as_str()
                .unwrap()
                .parse::<i64>()
                .unwrap()
                > 60_000
        })
        .count();
    let (_, v) = search(&c, &base, &tok, "calls", json!({"filterGroups": [{"filters": [{"propertyName": "hs_call_duration", "operator": "GT", "value": "60000"}]}]})).await;
    assert_eq!(v["total"].as_u64().unwrap() as usize, long);

    // Limits: 10k cap, limit <= 200, 5 groups, 6 filters per group, one sort.
    let (s, v) = search(&c, &base, &tok, "calls", json!({"after": "10000"})).await;
    assert_eq!(s, 400);
    assert_eq!(v["category"], "VALIDATION_ERROR");
    let (s, _) = search(&c, &base, &tok, "calls", json!({"limit": 201})).await;
    assert_eq!(s, 400);
    let (s, _) = search(&c, &base, &tok, "calls", json!({"limit": 200})).await;
    assert_eq!(s, 200);
    let f = json!({"propertyName": "hs_call_direction", "operator": "EQ", "value": "OUTBOUND"});
    let (s, _) = search(
        &c,
        &base,
        &tok,
        "calls",
        json!({"filterGroups": vec![json!({"filters": [f.clone()]}); 6]}),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = search(
        &c,
        &base,
        &tok,
        "calls",
        json!({"filterGroups": [{"filters": vec![f.clone(); 7]}]}),
    )
    .await;
    assert_eq!(s, 400);
    let (s, _) = search(
        &c,
        &base,
        &tok,
        "calls",
        json!({"filterGroups": vec![json!({"filters": vec![f.clone(); 4]}); 5]}),
    )
    .await;
    assert_eq!(s, 400, "more than 18 filters in total");
    let (s, _) = search(
        &c,
        &base,
        &tok,
        "calls",
        json!({"sorts": [{"propertyName": "hs_timestamp"}, {"propertyName": "hs_object_id"}]}),
    )
    .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn ten_thousand_cap_on_a_large_result_set() {
    let mut o = small_opts();
    o.reps = 4;
    o.weeks = 10;
    o.scale = 8.0;
    let (sb, base) = start(o).await;
    let n = sb.dump(ObjectKind::Calls).len();
    assert!(n > 10_000, "{n}");
    let (tok, _) = hubspot_token(&base, ALL).await;
    let c = client();
    let (s, v) = search(
        &c,
        &base,
        &tok,
        "calls",
        json!({"limit": 200, "after": "9800"}),
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(v["total"].as_u64().unwrap() as usize, n);
    assert_eq!(v["results"].as_array().unwrap().len(), 200);
    let (s, _) = search(
        &c,
        &base,
        &tok,
        "calls",
        json!({"limit": 200, "after": v["paging"]["next"]["after"]}),
    )
    .await;
    assert_eq!(s, 400);
}

#[tokio::test]
async fn associations_batch_read_owners_pipelines_lists_dispositions() {
    let (sb, base) = start(small_opts()).await;
    let (tok, _) = hubspot_token(&base, ALL).await;
    let c = client();
    let deal = sb.dump(ObjectKind::Deals)[0].clone();
    let id = deal["id"].as_str().unwrap();
    let contacts: Vec<String> = deal["associations"]["contacts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|x| x.as_str().unwrap().to_string())
        .collect();
    let (s, v) = get_json(
        &c,
        &format!("{base}/hubspot/crm/v4/objects/deals/{id}/associations/contacts"),
        &tok,
    )
    .await;
    assert_eq!(s, 200);
    let got: Vec<String> = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["toObjectId"].as_u64().unwrap().to_string())
        .collect();
    assert_eq!(got, contacts);
    assert_eq!(v["results"][0]["associationTypes"][0]["typeId"], 3);

    let calls = sb.dump(ObjectKind::Calls);
    let ids: Vec<Value> = calls
        .iter()
        .take(3)
        .map(|c| json!({"id": c["id"]}))
        .collect();
    let r = c
        .post(format!(
            "{base}/hubspot/crm/v4/associations/calls/contacts/batch/read"
        ))
        .bearer_auth(&tok)
        .json(&json!({"inputs": ids}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 3);
    assert_eq!(
        v["results"][0]["to"][0]["associationTypes"][0]["typeId"],
        194
    );

    // v3 list with associations.
    let (_, v) = get_json(
        &c,
        &format!("{base}/hubspot/crm/v3/objects/calls?limit=2&associations=contacts"),
        &tok,
    )
    .await;
    assert_eq!(
        v["results"][0]["associations"]["contacts"]["results"][0]["type"],
        "call_to_contact"
    );

    // Batch read with a missing id answers 207.
    let mut inputs: Vec<Value> = calls
        .iter()
        .take(2)
        .map(|c| json!({"id": c["id"]}))
        .collect();
    inputs.push(json!({"id": "1"}));
    let r = c
        .post(format!("{base}/hubspot/crm/v3/objects/calls/batch/read"))
        .bearer_auth(&tok)
        .json(&json!({"inputs": inputs, "properties": ["hs_call_disposition"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 207);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["results"].as_array().unwrap().len(), 2);
    assert!(v["results"][0]["properties"]["hs_call_disposition"].is_string());

    // Owners.
    let (s, v) = get_json(&c, &format!("{base}/hubspot/crm/v3/owners?limit=2"), &tok).await;
    assert_eq!(s, 200);
    assert_eq!(v["results"].as_array().unwrap().len(), 2);
    for k in [
        "id",
        "email",
        "firstName",
        "lastName",
        "userId",
        "createdAt",
        "updatedAt",
        "archived",
    ] {
        assert!(v["results"][0].get(k).is_some(), "{k}");
    }
    assert!(v["paging"]["next"]["after"].is_string());
    let (_, v) = get_json(
        &c,
        &format!("{base}/hubspot/crm/v3/owners?archived=true"),
        &tok,
    )
    .await;
    assert_eq!(v["results"][0]["userId"], Value::Null);

    // Pipelines.
    let (_, v) = get_json(&c, &format!("{base}/hubspot/crm/v3/pipelines/deals"), &tok).await;
    let pipes = v["results"].as_array().unwrap();
    assert_eq!(pipes.len(), 2);
    assert!(pipes.iter().all(|p| {
        p["stages"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s["metadata"]["isClosed"] == "true" && s["metadata"]["probability"] == "1.0")
    }));

    // Lists.
    let r = c
        .post(format!("{base}/hubspot/crm/v3/lists/search"))
        .bearer_auth(&tok)
        .json(&json!({"query": "warm"}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["lists"][0]["name"], "Warm 250");
    let list_id = v["lists"][0]["listId"].as_str().unwrap().to_string();
    let mut members = Vec::new();
    let mut url = format!("{base}/hubspot/crm/v3/lists/{list_id}/memberships?limit=100");
    loop {
        let (_, v) = get_json(&c, &url, &tok).await;
        members.extend(
            v["results"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["recordId"].as_str().unwrap().to_string()),
        );
        match v["paging"]["next"]["link"].as_str() {
            Some(l) => url = format!("{base}{l}"),
            None => break,
        }
    }
    let size = sb.counts()["lists"][0]["size"].as_u64().unwrap() as usize;
    assert_eq!(members.len(), size);
    // Every generated contact but the unlisted walk-ins, up to 250.
    let contacts = sb.dump(ObjectKind::Contacts).len();
    assert_eq!(size, (contacts - 2 * 3).min(250));

    // Dispositions.
    let (_, v) = get_json(&c, &format!("{base}/hubspot/calling/v1/dispositions"), &tok).await;
    assert!(v.as_array().unwrap().iter().any(|d| d["id"] == "f240bbac-87c9-4f6e-bf70-924b57d47db7" && d["label"] == "Connected"));
}
