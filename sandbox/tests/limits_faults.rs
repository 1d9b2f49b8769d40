//! Rate limits, injected faults and the request log.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use sandbox::{Fault, FaultKind, Provider};
use serde_json::{Value, json};

#[tokio::test]
async fn hubspot_ten_secondly_limit_and_headers() {
    let mut o = small_opts();
    o.rate_limits = true;
    o.limits.hubspot_per_window = 5;
    let (sb, base) = start(o).await;
    let (tok, _) = hubspot_token(&base, SCOPES).await;
    let c = client();
    for i in 0..5 {
        let r = c
            .get(format!("{base}/hubspot/crm/v3/objects/contacts"))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["x-hubspot-ratelimit-max"], "5");
        assert_eq!(
            r.headers()["x-hubspot-ratelimit-remaining"],
            (4 - i).to_string().as_str()
        );
        assert_eq!(
            r.headers()["x-hubspot-ratelimit-interval-milliseconds"],
            "10000"
        );
        assert!(r.headers().get("x-hubspot-ratelimit-daily").is_none());
    }
    let r = c
        .get(format!("{base}/hubspot/crm/v3/objects/contacts"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["status"], "error");
    assert_eq!(v["errorType"], "RATE_LIMIT");
    assert_eq!(v["policyName"], "TEN_SECONDLY_ROLLING");
    assert!(v["correlationId"].is_string());
    let log = sb.request_log();
    assert!(log.last().unwrap().rate_limited);
    assert_eq!(log.iter().filter(|e| e.rate_limited).count(), 1);
}

#[tokio::test]
async fn hubspot_search_secondly_limit_without_headers() {
    let mut o = small_opts();
    o.rate_limits = true;
    let (_sb, base) = start(o).await;
    let (tok, _) = hubspot_token(&base, SCOPES).await;
    let c = client();
    let mut statuses = Vec::new();
    for _ in 0..7 {
        let r = c
            .post(format!("{base}/hubspot/crm/v3/objects/calls/search"))
            .bearer_auth(&tok)
            .json(&json!({}))
            .send()
            .await
            .unwrap();
        if r.status() == 200 {
            assert!(r.headers().get("x-hubspot-ratelimit-remaining").is_none());
        } else {
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["policyName"], "SECONDLY");
            statuses.push(429);
            continue;
        }
        statuses.push(200);
    }
    assert_eq!(statuses.iter().filter(|s| **s == 200).count(), 5);
    assert_eq!(statuses.iter().filter(|s| **s == 429).count(), 2);
}

#[tokio::test]
async fn fathom_limit_headers_and_429() {
    let mut o = small_opts();
    o.rate_limits = true;
    o.limits.fathom_per_window = 3;
    let (_sb, base) = start(o).await;
    let (tok, _) = fathom_token(&base).await;
    let c = client();
    for i in 0..3 {
        let r = c
            .get(format!("{base}/fathom/external/v1/meetings"))
            .bearer_auth(&tok)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(r.headers()["ratelimit-limit"], "3");
        assert_eq!(
            r.headers()["ratelimit-remaining"],
            (2 - i).to_string().as_str()
        );
        assert!(r.headers().get("ratelimit-reset").is_some());
    }
    let r = c
        .get(format!("{base}/fathom/external/v1/meetings"))
        .bearer_auth(&tok)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 429);
    assert_eq!(r.headers()["ratelimit-remaining"], "0");
}

#[tokio::test]
async fn faults_status_delay_drop_and_storm() {
    let (sb, base) = start(small_opts()).await;
    let (tok, _) = hubspot_token(&base, SCOPES).await;
    let c = client();
    let url = format!("{base}/hubspot/crm/v3/objects/contacts");
    sb.inject_fault(Fault {
        kind: FaultKind::Status { status: 503 },
        count: Some(2),
        until_ms: None,
        provider: Some(Provider::Hubspot),
    });
    assert_eq!(
        c.get(&url).bearer_auth(&tok).send().await.unwrap().status(),
        503
    );
    assert_eq!(
        c.get(&url).bearer_auth(&tok).send().await.unwrap().status(),
        503
    );
    assert_eq!(
        c.get(&url).bearer_auth(&tok).send().await.unwrap().status(),
        200
    );

    // Over HTTP: drop the connection once.
    let r = c
        .post(format!("{base}/_sandbox/faults"))
        .json(&json!({"kind": "drop", "count": 1}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    let res = c.get(&url).bearer_auth(&tok).send().await;
    let failed = match res {
        Err(_) => true,
        Ok(r) => r.bytes().await.is_err(),
    };
    assert!(failed, "dropped connection must fail");
    assert_eq!(
        c.get(&url).bearer_auth(&tok).send().await.unwrap().status(),
        200
    );

    // Delay.
    c.post(format!("{base}/_sandbox/faults"))
        .json(&json!({"kind": "delay", "ms": 300, "count": 1}))
        .send()
        .await
        .unwrap();
    let t = std::time::Instant::now();
    assert_eq!(
        c.get(&url).bearer_auth(&tok).send().await.unwrap().status(),
        200
    );
    assert!(t.elapsed() >= std::time::Duration::from_millis(300));

    // 429 storm for a while, Fathom unaffected when scoped to HubSpot.
    c.post(format!("{base}/_sandbox/faults"))
        .json(&json!({"kind": "rate_limit", "seconds": 30, "provider": "hubspot"}))
        .send()
        .await
        .unwrap();
    for _ in 0..3 {
        let r = c.get(&url).bearer_auth(&tok).send().await.unwrap();
        assert_eq!(r.status(), 429);
    }
    let r = c
        .get(format!("{base}/fathom/external/v1/meetings"))
        .header("x-api-key", "sandbox-fathom-api-key")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    assert_eq!(
        c.delete(format!("{base}/_sandbox/faults"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert_eq!(
        c.get(&url).bearer_auth(&tok).send().await.unwrap().status(),
        200
    );

    // Request log over HTTP, with secrets redacted.
    let v: Value = c
        .get(format!("{base}/_sandbox/requests"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let log = v["results"].as_array().unwrap();
    assert!(
        log.iter()
            .any(|e| e["status"] == 503 && e["path"] == "/hubspot/crm/v3/objects/contacts")
    );
    assert!(log.iter().any(|e| e["rate_limited"] == true));
    let text = serde_json::to_string(&v).unwrap();
    assert!(!text.contains(&tok), "access token must not be logged");
    assert!(!text.contains("sandbox-hubspot-secret"));
    assert_eq!(
        c.delete(format!("{base}/_sandbox/requests"))
            .send()
            .await
            .unwrap()
            .status(),
        204
    );
    assert!(sb.request_log().is_empty());
}
