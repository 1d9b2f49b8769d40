//! Account details carry the portal's time zone, as HubSpot's `/account-info/v3/details` does.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;

async fn details(base: &str, tok: &str) -> (u16, Value) {
    let r = client()
        .get(format!("{base}/hubspot/account-info/v3/details"))
        .bearer_auth(tok)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn details_have_hubspot_fields_and_the_default_time_zone() {
    let (sb, base) = start(small_opts()).await;
    let (tok, _) = hubspot_token(&base, "oauth").await;
    let (s, v) = details(&base, &tok).await;
    assert_eq!(s, 200);
    assert_eq!(v["portalId"], sb.options().portal_id);
    assert_eq!(v["timeZone"], "America/New_York");
    assert_eq!(v["companyCurrency"], "USD");
    assert_eq!(v["uiDomain"], "app.hubspot.com");
    assert_eq!(v["dataHostingLocation"], "na1");
    assert_eq!(v["accountType"], "STANDARD");
    // The sandbox clock is the real clock: New York is at -05:00 or -04:00.
    let ms = v["utcOffsetMilliseconds"].as_i64().unwrap();
    assert!(ms == -18_000_000 || ms == -14_400_000, "{ms}");
    let expected = if ms == -18_000_000 {
        "-05:00"
    } else {
        "-04:00"
    };
    assert_eq!(v["utcOffset"], expected);

    let (s, _) = details(&base, "not-a-token").await;
    assert_eq!(s, 401);
}

#[tokio::test]
async fn details_serve_the_configured_time_zone() {
    let opts = sandbox::SandboxOptions {
        timezone: "Asia/Kolkata".into(),
        ..small_opts()
    };
    let (_sb, base) = start(opts).await;
    let (tok, _) = hubspot_token(&base, "oauth").await;
    let (_, v) = details(&base, &tok).await;
    assert_eq!(v["timeZone"], "Asia/Kolkata");
    assert_eq!(v["utcOffset"], "+05:30");
    assert_eq!(v["utcOffsetMilliseconds"], 19_800_000);
}
