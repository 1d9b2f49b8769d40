//! Fathom meetings: paging, filters, the OAuth include_* restriction, recordings, users.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn paging_filters_and_include_restriction() {
    let (sb, base) = start(small_opts()).await;
    let (tok, _) = fathom_token(&base).await;
    let c = client();
    let truth: Value = c
        .get(format!("{base}/_sandbox/truth/fathom/meetings"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let truth: BTreeSet<u64> = truth["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["recording_id"].as_u64().unwrap())
        .collect();
    assert!(truth.len() > 15, "{}", truth.len());

    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    let mut last_created = String::from("9999");
    loop {
        let mut req = c
            .get(format!("{base}/fathom/external/v1/meetings"))
            .bearer_auth(&tok);
        if let Some(cur) = &cursor {
            req = req.query(&[("cursor", cur)]);
        }
        let v: Value = req.send().await.unwrap().json().await.unwrap();
        assert!(v["limit"].is_number());
        for m in v["items"].as_array().unwrap() {
            let created = m["created_at"].as_str().unwrap().to_string();
            assert!(created <= last_created, "newest first");
            last_created = created;
            assert!(m["recording_id"].is_u64());
            for k in [
                "title",
                "meeting_title",
                "url",
                "share_url",
                "scheduled_start_time",
                "recording_end_time",
                "calendar_invitees",
                "calendar_invitees_domains_type",
                "recorded_by",
            ] {
                assert!(m.get(k).is_some(), "{k}");
            }
            assert_eq!(m["transcript"], Value::Null);
            seen.push(m["recording_id"].as_u64().unwrap());
        }
        match v["next_cursor"].as_str() {
            Some(cur) => cursor = Some(cur.to_string()),
            None => break,
        }
    }
    let unique: BTreeSet<u64> = seen.iter().copied().collect();
    assert_eq!(unique.len(), seen.len());
    assert_eq!(unique, truth);

    // recorded_by[] matches HubSpot owners' emails; created_after narrows.
    let owner = sb.dump(sandbox::ObjectKind::Calls)[0]["properties"]["hubspot_owner_id"]
        .as_str()
        .unwrap()
        .to_string();
    let owners: Value = c
        .get(format!("{base}/_sandbox/truth/owners"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let email = owners["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|o| o["id"] == owner.as_str())
        .unwrap()["email"]
        .as_str()
        .unwrap()
        .to_string();
    let v: Value = c
        .get(format!("{base}/fathom/external/v1/meetings"))
        .bearer_auth(&tok)
        .query(&[
            ("recorded_by[]", email.as_str()),
            ("created_after", "2026-11-01T00:00:00Z"),
            ("calendar_invitees_domains_type", "one_or_more_external"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for m in v["items"].as_array().unwrap() {
        assert_eq!(m["recorded_by"]["email"], email.as_str());
        assert!(m["created_at"].as_str().unwrap() > "2026-11-01");
        assert_eq!(m["calendar_invitees_domains_type"], "one_or_more_external");
        assert!(
            m["calendar_invitees"]
                .as_array()
                .unwrap()
                .iter()
                .any(|i| i["is_external"] == true)
        );
    }

    // OAuth callers can't include transcripts or summaries; API keys can.
    for flag in ["include_transcript", "include_summary"] {
        let r = c
            .get(format!("{base}/fathom/external/v1/meetings"))
            .bearer_auth(&tok)
            .query(&[(flag, "true")])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{flag}");
        let e: Value = r.json().await.unwrap();
        assert!(e["error_description"].as_str().unwrap().contains("OAuth"));
    }
    let v: Value = c
        .get(format!("{base}/fathom/external/v1/meetings"))
        .header("x-api-key", "sandbox-fathom-api-key")
        .query(&[("include_transcript", "true")])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["items"][0]["transcript"].is_array());

    // Recordings endpoints.
    let id = seen[0];
    let v: Value = c
        .get(format!(
            "{base}/fathom/external/v1/recordings/{id}/transcript"
        ))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let line = &v["transcript"][0];
    assert!(line["speaker"]["display_name"].is_string() && line["text"].is_string());
    assert!(line["timestamp"].as_str().unwrap().len() == 8);
    let v: Value = c
        .get(format!("{base}/fathom/external/v1/recordings/{id}/summary"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(
        v["summary"]["markdown_formatted"]
            .as_str()
            .unwrap()
            .starts_with("## ")
    );
    let r = c
        .get(format!("{base}/fathom/external/v1/recordings/1/summary"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 404);

    // Identity.
    let v: Value = c
        .get(format!("{base}/fathom/external/v1/users"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert!(v["items"][0]["email"].is_string());
    let v: Value = c
        .get(format!("{base}/fathom/external/v1/teams"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(v["items"][0]["name"], "Sales");

    // Bad token.
    let r = c
        .get(format!("{base}/fathom/external/v1/meetings"))
        .bearer_auth("nope")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 401);
}
