//! Control API: create/update/archive records, webhooks with valid signatures, truth.
#![allow(clippy::unwrap_used)]

mod common;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::body::Bytes;
use axum::http::HeaderMap;
use common::*;
use sandbox::{ObjectKind, hubspot_signature_v3, standard_webhook_signature};
use serde_json::{Value, json};

type Captured = Arc<Mutex<Vec<(String, HeaderMap, String)>>>;

/// A tiny webhook receiver; the first hit on `/fail` answers 500.
async fn receiver() -> (String, Captured) {
    let got: Captured = Arc::default();
    let g = got.clone();
    let fails = Arc::new(Mutex::new(0));
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
            let g = g.clone();
            let fails = fails.clone();
            async move {
                g.lock().unwrap().push((
                    uri.to_string(),
                    headers,
                    String::from_utf8(body.to_vec()).unwrap(),
                ));
                if uri.path() == "/fail" {
                    let mut f = fails.lock().unwrap();
                    *f += 1;
                    if *f == 1 {
                        return axum::http::StatusCode::INTERNAL_SERVER_ERROR;
                    }
                }
                axum::http::StatusCode::NO_CONTENT
            }
        },
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (format!("http://{addr}"), got)
}

async fn wait_for(got: &Captured, n: usize) {
    for _ in 0..100 {
        if got.lock().unwrap().len() >= n {
            return;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    panic!("webhook not delivered");
}

#[tokio::test]
async fn create_update_archive_fire_signed_hubspot_webhooks() {
    let (sb, base) = start(small_opts()).await;
    let (hook, got) = receiver().await;
    let c = client();
    let target = format!("{hook}/hooks/hubspot?portal=1");
    let r = c
        .put(format!("{base}/_sandbox/webhooks"))
        .json(&json!({"hubspot_url": target}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let contact = sb.dump(ObjectKind::Contacts)[0]["id"]
        .as_str()
        .unwrap()
        .to_string();
    let before = sb.counts()["hubspot"]["calls"]["total"].as_u64().unwrap();

    let r = c.post(format!("{base}/_sandbox/hubspot/calls"))
        .json(&json!({"properties": {"hs_timestamp": "2026-11-20T15:00:00Z", "hs_call_direction": "OUTBOUND", "hs_call_duration": 90000, "hubspot_owner_id": "70000001"},
                      "associations": [{"type": "contacts", "id": contact}]}))
        .send().await.unwrap();
    assert_eq!(r.status(), 201);
    let created: Value = r.json().await.unwrap();
    let id = created["id"].as_str().unwrap().to_string();
    assert_eq!(
        created["properties"]["hs_timestamp"],
        "2026-11-20T15:00:00.000Z"
    );
    assert_eq!(created["properties"]["hs_call_duration"], "90000");
    assert_eq!(
        sb.counts()["hubspot"]["calls"]["total"].as_u64().unwrap(),
        before + 1
    );

    wait_for(&got, 1).await;
    let (uri, headers, body) = got.lock().unwrap()[0].clone();
    assert_eq!(uri, "/hooks/hubspot?portal=1");
    let ts: i64 = headers["x-hubspot-request-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    let expected = hubspot_signature_v3("sandbox-hubspot-secret", "POST", &target, &body, ts);
    assert_eq!(
        headers["x-hubspot-signature-v3"].to_str().unwrap(),
        expected
    );
    let events: Value = serde_json::from_str(&body).unwrap();
    let e = &events[0];
    assert_eq!(e["subscriptionType"], "object.creation");
    assert_eq!(e["objectTypeId"], "0-48");
    assert_eq!(e["objectId"].as_u64().unwrap().to_string(), id);
    for k in [
        "eventId",
        "subscriptionId",
        "portalId",
        "appId",
        "occurredAt",
        "attemptNumber",
    ] {
        assert!(e.get(k).is_some(), "{k}");
    }

    // Update bumps lastmodifieddate and sends a propertyChange.
    tokio::time::sleep(Duration::from_millis(5)).await;
    let r = c
        .patch(format!("{base}/_sandbox/hubspot/calls/{id}"))
        .json(
            &json!({"properties": {"hs_call_disposition": "f240bbac-87c9-4f6e-bf70-924b57d47db7"}}),
        )
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let updated: Value = r.json().await.unwrap();
    assert!(updated["updatedAt"].as_str().unwrap() > created["updatedAt"].as_str().unwrap());
    assert_eq!(
        updated["properties"]["hs_lastmodifieddate"],
        updated["updatedAt"]
    );
    wait_for(&got, 2).await;
    let events: Value = serde_json::from_str(&got.lock().unwrap()[1].2).unwrap();
    assert_eq!(events[0]["subscriptionType"], "object.propertyChange");
    assert_eq!(events[0]["propertyName"], "hs_call_disposition");
    assert_eq!(
        events[0]["propertyValue"],
        "f240bbac-87c9-4f6e-bf70-924b57d47db7"
    );

    // Incremental sync: a search on hs_lastmodifieddate finds the updated record.
    let (tok, _) = hubspot_token(&base, SCOPES).await;
    let since = chrono::DateTime::parse_from_rfc3339(updated["updatedAt"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    let r = c
        .post(format!("{base}/hubspot/crm/v3/objects/calls/search"))
        .bearer_auth(&tok)
        .json(&json!({"filterGroups": [{"filters": [{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": since.to_string()}]}],
                      "sorts": [{"propertyName": "hs_lastmodifieddate", "direction": "ASCENDING"}]}))
        .send()
        .await
        .unwrap();
    let v: Value = r.json().await.unwrap();
    assert!(
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .any(|r| r["id"] == id.as_str()),
        "{v}"
    );

    // Archive sends a deletion and hides the record from lists.
    let r = c
        .delete(format!("{base}/_sandbox/hubspot/calls/{id}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    wait_for(&got, 3).await;
    let events: Value = serde_json::from_str(&got.lock().unwrap()[2].2).unwrap();
    assert_eq!(events[0]["subscriptionType"], "object.deletion");
    let r = c
        .get(format!("{base}/hubspot/crm/v3/objects/calls/{id}"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let r = c
        .get(format!(
            "{base}/hubspot/crm/v3/objects/calls/{id}?archived=true"
        ))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);

    // Activities require hs_timestamp.
    let r = c
        .post(format!("{base}/_sandbox/hubspot/notes"))
        .json(&json!({"properties": {"hs_note_body": "x"}}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn webhook_retries_after_a_failure() {
    let (sb, _base) = start(small_opts()).await;
    let (hook, got) = receiver().await;
    sb.set_webhook_targets(sandbox::WebhookTargets {
        hubspot_url: Some(format!("{hook}/fail")),
        fathom_url: None,
    });
    let mut props = std::collections::BTreeMap::new();
    props.insert("dealname".to_string(), "Retry Co".to_string());
    sb.create_record(ObjectKind::Deals, props, vec![]).unwrap();
    wait_for(&got, 2).await;
    for _ in 0..50 {
        if sb.deliveries().iter().any(|d| d.ok) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(30)).await;
    }
    let d = sb.deliveries();
    assert_eq!(d[0].status, Some(500));
    assert!(d[1].ok);
    assert_eq!(d[1].attempt, 1);
    assert_eq!(d[1].body[0]["attemptNumber"], 1);
}

#[tokio::test]
async fn fathom_meeting_webhook_is_standard_webhooks_signed() {
    let (sb, base) = start(small_opts()).await;
    let (hook, got) = receiver().await;
    let c = client();
    c.put(format!("{base}/_sandbox/webhooks"))
        .json(&json!({"fathom_url": format!("{hook}/hooks/fathom")}))
        .send()
        .await
        .unwrap();
    let secret = c
        .get(format!("{base}/_sandbox/webhooks"))
        .send()
        .await
        .unwrap()
        .json::<Value>()
        .await
        .unwrap()["fathom_secret"]
        .as_str()
        .unwrap()
        .to_string();
    let r = c.post(format!("{base}/_sandbox/fathom/meetings"))
        .json(&json!({"title": "Discovery: Acme", "invitees": [{"name": "Pat Buyer", "email": "pat@acme.example.com"}]}))
        .send().await.unwrap();
    assert_eq!(r.status(), 201);
    let m: Value = r.json().await.unwrap();
    assert_eq!(m["calendar_invitees_domains_type"], "one_or_more_external");
    wait_for(&got, 1).await;
    let (_, headers, body) = got.lock().unwrap()[0].clone();
    let id = headers["webhook-id"].to_str().unwrap();
    let ts: i64 = headers["webhook-timestamp"]
        .to_str()
        .unwrap()
        .parse()
        .unwrap();
    assert!(id.starts_with("msg_"));
    let expected = standard_webhook_signature(&secret, id, ts, &body).unwrap();
    assert_eq!(headers["webhook-signature"].to_str().unwrap(), expected);
    let payload: Value = serde_json::from_str(&body).unwrap();
    assert_eq!(payload["recording_id"], m["recording_id"]);
    assert!(payload["transcript"].is_array());
    // It shows up first in the listing.
    let v: Value = c
        .get(format!("{base}/fathom/external/v1/meetings"))
        .header("x-api-key", "sandbox-fathom-api-key")
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"][0]["recording_id"], m["recording_id"]);
    // Delete removes it.
    let rid = m["recording_id"].as_u64().unwrap();
    assert_eq!(
        c.delete(format!("{base}/_sandbox/fathom/meetings/{rid}"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    let _ = sb;
}

#[tokio::test]
async fn truth_revoke_and_expire_over_http() {
    let (_sb, base) = start(small_opts()).await;
    let c = client();
    let v: Value = c
        .get(format!("{base}/_sandbox/truth"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["hubspot"]["calls"]["total"].as_u64().unwrap() > 0);
    assert!(v["fathom"]["meetings"].as_u64().unwrap() > 0);
    let (tok, refresh) = hubspot_token(&base, SCOPES).await;
    let r = c
        .post(format!("{base}/_sandbox/oauth/expire-access-tokens"))
        .json(&json!({"provider": "hubspot"}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["expired"], 1);
    let r = c
        .get(format!("{base}/hubspot/crm/v3/objects/contacts"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
    let r = c
        .post(format!("{base}/_sandbox/oauth/revoke"))
        .json(&json!({"refresh_token": refresh}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let r = c
        .post(format!("{base}/hubspot/oauth/v1/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "sandbox-hubspot-client"),
            ("client_secret", "sandbox-hubspot-secret"),
            ("refresh_token", &refresh),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
}

#[tokio::test]
async fn fathom_webhook_registered_through_the_api() {
    let (sb, base) = start(small_opts()).await;
    let (hook, got) = receiver().await;
    let (tok, _) = fathom_token(&base).await;
    let c = client();
    let r = c
        .post(format!("{base}/fathom/external/v1/webhooks"))
        .bearer_auth(&tok)
        .json(&json!({"destination_url": format!("{hook}/fathom-api"), "triggered_for": ["my_recordings"], "include_summary": true}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let w: Value = r.json().await.unwrap();
    let secret = w["secret"].as_str().unwrap().to_string();
    assert!(secret.starts_with("whsec_"));
    // Recorded by someone else: not delivered to a my_recordings webhook.
    let owners: Value = c
        .get(format!("{base}/_sandbox/truth/owners"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let other = owners["results"][1]["email"].as_str().unwrap().to_string();
    sb.create_fathom_meeting(sandbox::FathomMeetingInput {
        recorded_by: Some(other),
        ..Default::default()
    })
    .unwrap();
    let m = sb
        .create_fathom_meeting(sandbox::FathomMeetingInput {
            title: Some("Mine".into()),
            ..Default::default()
        })
        .unwrap();
    wait_for(&got, 1).await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    let hits = got.lock().unwrap().clone();
    assert_eq!(hits.len(), 1);
    let (_, headers, body) = &hits[0];
    let expected = standard_webhook_signature(
        &secret,
        headers["webhook-id"].to_str().unwrap(),
        headers["webhook-timestamp"]
            .to_str()
            .unwrap()
            .parse()
            .unwrap(),
        body,
    )
    .unwrap();
    assert_eq!(headers["webhook-signature"].to_str().unwrap(), expected);
    let payload: Value = serde_json::from_str(body).unwrap();
    assert_eq!(payload["recording_id"], m["recording_id"]);
    assert!(payload["default_summary"]["markdown_formatted"].is_string());
    assert_eq!(payload["transcript"], Value::Null);
    let id = w["id"].as_str().unwrap();
    let r = c
        .delete(format!("{base}/fathom/external/v1/webhooks/{id}"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    assert!(sb.fathom_webhooks().is_empty());
}

#[tokio::test]
async fn unknown_routes_answer_in_the_provider_shape() {
    let (sb, base) = start(small_opts()).await;
    let c = client();
    let r = c
        .get(format!("{base}/hubspot/crm/v3/nonsense"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "error");
    let r = c
        .get(format!("{base}/fathom/external/v1/nonsense"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
    assert!(
        sb.request_log()
            .iter()
            .any(|e| e.path == "/hubspot/crm/v3/nonsense" && e.status == 404)
    );
}
