//! Shared helpers for the integration tests: a small sandbox served on a loopback port and
//! an OAuth helper that walks the real authorize → code → token flow.
#![allow(dead_code, clippy::unwrap_used)]

use chrono::{TimeZone, Utc};
use sandbox::{Sandbox, SandboxOptions};
use serde_json::Value;

pub const REDIRECT: &str = "http://localhost:3000/oauth/hubspot/callback";
pub const FATHOM_REDIRECT: &str = "http://localhost:3000/oauth/fathom/callback";
pub const SCOPES: &str = "oauth crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read crm.objects.owners.read crm.lists.read";

pub fn small_opts() -> SandboxOptions {
    let mut o = SandboxOptions {
        seed: 7,
        reps: 3,
        weeks: 4,
        scale: 0.5,
        now: Utc.with_ymd_and_hms(2026, 11, 20, 18, 0, 0).unwrap(),
        ..SandboxOptions::default()
    };
    o.rate_limits = false;
    o
}

pub async fn start(opts: SandboxOptions) -> (Sandbox, String) {
    let (sb, base, _h) = sandbox::serve(opts).await.unwrap();
    (sb, base)
}

pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

pub fn query_of(location: &str) -> Vec<(String, String)> {
    let q = location.split_once('?').map(|x| x.1).unwrap_or("");
    serde_urlencoded::from_str(q).unwrap()
}

pub fn get<'a>(pairs: &'a [(String, String)], k: &str) -> Option<&'a str> {
    pairs.iter().find(|(a, _)| a == k).map(|(_, v)| v.as_str())
}

/// Approves the consent form and returns the code.
pub async fn hubspot_code(c: &reqwest::Client, base: &str, scope: &str, state: &str) -> String {
    let r = c
        .post(format!("{base}/hubspot/oauth/authorize"))
        .form(&[
            ("client_id", "sandbox-hubspot-client"),
            ("redirect_uri", REDIRECT),
            ("scope", scope),
            ("state", state),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection(), "status {}", r.status());
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let q = query_of(&loc);
    assert_eq!(get(&q, "state"), Some(state));
    get(&q, "code").unwrap().to_string()
}

pub async fn exchange(c: &reqwest::Client, base: &str, code: &str) -> reqwest::Response {
    c.post(format!("{base}/hubspot/oauth/v1/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "sandbox-hubspot-client"),
            ("client_secret", "sandbox-hubspot-secret"),
            ("redirect_uri", REDIRECT),
            ("code", code),
        ])
        .send()
        .await
        .unwrap()
}

/// A HubSpot access token with `scope`: `(access, refresh)`.
pub async fn hubspot_token(base: &str, scope: &str) -> (String, String) {
    let c = client();
    let code = hubspot_code(&c, base, scope, "s1").await;
    let v: Value = exchange(&c, base, &code).await.json().await.unwrap();
    (
        v["access_token"].as_str().unwrap().to_string(),
        v["refresh_token"].as_str().unwrap().to_string(),
    )
}

/// A Fathom access token: `(access, refresh)`.
pub async fn fathom_token(base: &str) -> (String, String) {
    let c = client();
    let r = c
        .post(format!("{base}/fathom/external/v1/oauth2/authorize"))
        .form(&[
            ("client_id", "sandbox-fathom-client"),
            ("redirect_uri", FATHOM_REDIRECT),
            ("scope", "public_api"),
            ("response_type", "code"),
            ("state", "f1"),
            ("decision", "approve"),
        ])
        .send()
        .await
        .unwrap();
    let loc = r.headers()["location"].to_str().unwrap().to_string();
    let code = get(&query_of(&loc), "code").unwrap().to_string();
    let v: Value = c
        .post(format!("{base}/fathom/external/v1/oauth2/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "sandbox-fathom-client"),
            ("client_secret", "sandbox-fathom-secret"),
            ("redirect_uri", FATHOM_REDIRECT),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    (
        v["access_token"].as_str().unwrap().to_string(),
        v["refresh_token"].as_str().unwrap().to_string(),
    )
}
