//! Aircall simulator over HTTP: Basic auth, users and calls paging, `from`/`to` bounds,
//! the 10,000-item cap, webhooks and their deliveries, the request limit, determinism
//! and the untidy shapes. Expectations come from `aircall_calls()` / `aircall_users()`.
#![allow(clippy::unwrap_used)]

mod common;
#[path = "aircall/limits.rs"]
mod limits;
#[path = "aircall/shapes.rs"]
mod shapes;
#[path = "aircall/webhooks.rs"]
mod webhooks;

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex};

use axum::body::Bytes;
use axum::http::HeaderMap;
use chrono::{Datelike, TimeZone, Timelike, Utc};
use common::*;
use sandbox::aircall::{AircallCallInput, DEMO_API_ID, DEMO_API_TOKEN, MISSED_CALL_REASONS};
use sandbox::{Fault, FaultKind, Provider, Sandbox, SandboxOptions};
use serde_json::{Value, json};

fn auth(req: reqwest::RequestBuilder, sb: &Sandbox) -> reqwest::RequestBuilder {
    let c = sb.aircall_credentials();
    req.basic_auth(c.api_id, Some(c.api_token))
}

async fn get_json(sb: &Sandbox, url: &str) -> (u16, HeaderMap, Value) {
    let r = auth(client().get(url), sb).send().await.unwrap();
    let status = r.status().as_u16();
    let headers = r.headers().clone();
    (status, headers, r.json().await.unwrap())
}

/// Follows `next_page_link` from `url`; returns every item under `key` and the pages seen.
async fn all_pages(sb: &Sandbox, url: &str, key: &str) -> (Vec<Value>, Vec<Value>) {
    let (mut items, mut metas) = (Vec::new(), Vec::new());
    let mut next = Some(url.to_string());
    while let Some(u) = next {
        let (status, _, v) = get_json(sb, &u).await;
        assert_eq!(status, 200, "{u}: {v}");
        items.extend(v[key].as_array().unwrap().iter().cloned());
        next = v["meta"]["next_page_link"].as_str().map(str::to_string);
        metas.push(v["meta"].clone());
        assert!(metas.len() < 1000, "runaway paging");
    }
    (items, metas)
}

fn ids(v: &[Value]) -> Vec<i64> {
    v.iter().map(|c| c["id"].as_i64().unwrap()).collect()
}

fn started(c: &Value) -> i64 {
    c["started_at"].as_i64().unwrap()
}

#[tokio::test]
async fn ping_accepts_good_credentials_and_refuses_bad_or_revoked_ones() {
    let (sb, base) = start(small_opts()).await;
    let url = format!("{base}/aircall/v1/ping");
    let creds = sb.aircall_credentials();
    assert_eq!(
        (creds.api_id.as_str(), creds.api_token.as_str()),
        (DEMO_API_ID, DEMO_API_TOKEN)
    );
    assert!(!format!("{creds:?}").contains(DEMO_API_TOKEN));
    let ctl: Value = client()
        .get(format!("{base}/_sandbox/aircall/credentials"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(
        ctl,
        json!({"api_id": DEMO_API_ID, "api_token": DEMO_API_TOKEN})
    );

    let (status, _, v) = get_json(&sb, &url).await;
    assert_eq!((status, v), (200, json!({"ping": "pong"})));

    let none = client().get(&url).send().await.unwrap();
    assert_eq!(none.status(), 401);
    let v: Value = none.json().await.unwrap();
    assert_eq!(v["error"], "Unauthorized");
    assert!(v["troubleshoot"].is_string());

    let wrong = client()
        .get(&url)
        .basic_auth(DEMO_API_ID, Some("not-the-token-xyz"))
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let text = wrong.text().await.unwrap();
    assert!(!text.contains("not-the-token-xyz") && !text.contains(DEMO_API_TOKEN));
    let bearer = client()
        .get(&url)
        .bearer_auth(DEMO_API_TOKEN)
        .send()
        .await
        .unwrap();
    assert_eq!(bearer.status(), 401);

    let r = client()
        .post(format!("{base}/_sandbox/aircall/revoke"))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let (status, _, v) = get_json(&sb, &url).await;
    assert_eq!(status, 401);
    assert_eq!(v["error"], "Unauthorized");

    let fresh = sb.aircall_issue_credentials();
    assert_ne!(fresh.api_token, DEMO_API_TOKEN);
    let (status, _, _) = get_json(&sb, &url).await;
    assert_eq!(status, 200);
    sb.aircall_revoke();
    assert_eq!(get_json(&sb, &url).await.0, 401);
}

#[tokio::test]
async fn users_page_and_match_the_hubspot_team() {
    let (sb, base) = start(small_opts()).await;
    let truth = sb.aircall_users();
    let (users, metas) =
        all_pages(&sb, &format!("{base}/aircall/v1/users?per_page=2"), "users").await;
    assert_eq!(users, truth);
    assert!(metas.len() >= 3);
    assert_eq!(metas[0]["total"], truth.len());
    assert_eq!(metas[0]["per_page"], 2);
    assert_eq!(metas[0]["previous_page_link"], Value::Null);
    assert!(
        metas[1]["previous_page_link"]
            .as_str()
            .unwrap()
            .contains("page=1")
    );
    for u in &users {
        for k in [
            "id",
            "direct_link",
            "name",
            "email",
            "available",
            "availability_status",
            "created_at",
            "time_zone",
            "language",
            "state",
        ] {
            assert!(u.get(k).is_some(), "{k} in {u}");
        }
        assert!(u["id"].is_i64() && u["created_at"].as_str().unwrap().ends_with('Z'));
    }
    let (_, _, big) = get_json(&sb, &format!("{base}/aircall/v1/users?per_page=500")).await;
    assert_eq!(big["meta"]["per_page"], 50);
    assert_eq!(big["meta"]["count"], truth.len());
    let (_, _, desc) = get_json(
        &sb,
        &format!("{base}/aircall/v1/users?order=desc&per_page=50"),
    )
    .await;
    let mut rev = truth.clone();
    rev.reverse();
    assert_eq!(desc["users"].as_array().unwrap(), &rev);

    // One user per active HubSpot owner (same email), an upper-cased second login of a
    // rep, and a support user HubSpot doesn't know.
    let owners: Value = client()
        .get(format!("{base}/_sandbox/truth/owners"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    let owners = owners["results"].as_array().unwrap();
    let emails: Vec<&str> = users.iter().map(|u| u["email"].as_str().unwrap()).collect();
    for o in owners.iter().filter(|o| o["archived"] == false) {
        let e = o["email"].as_str().unwrap();
        let u = users.iter().find(|u| u["email"] == e).unwrap();
        assert_eq!(
            u["name"],
            format!(
                "{} {}",
                o["firstName"].as_str().unwrap(),
                o["lastName"].as_str().unwrap()
            )
        );
    }
    let active = owners.iter().filter(|o| o["archived"] == false).count();
    assert_eq!(users.len(), active + 2);
    assert!(
        emails
            .iter()
            .any(|e| *e != e.to_lowercase() && emails.contains(&e.to_lowercase().as_str()))
    );
    assert!(emails.iter().any(|e| {
        !owners
            .iter()
            .any(|o| o["email"].as_str().unwrap().eq_ignore_ascii_case(e))
    }));

    let id = users[0]["id"].as_i64().unwrap();
    let (status, _, one) = get_json(&sb, &format!("{base}/aircall/v1/users/{id}")).await;
    assert_eq!((status, &one["user"]), (200, &users[0]));
    let (status, _, v) = get_json(&sb, &format!("{base}/aircall/v1/users/1")).await;
    assert_eq!(status, 404);
    assert!(v["error"].is_string() && v["troubleshoot"].is_string());
}

#[tokio::test]
async fn calls_from_and_to_are_inclusive_bounds_on_started_at() {
    let (sb, base) = start(small_opts()).await;
    let truth = sb.aircall_calls();
    assert!(truth.len() > 150, "{}", truth.len());
    let lo = started(&truth[truth.len() / 4]);
    let hi = started(&truth[truth.len() / 2]);
    let expected: Vec<i64> = ids(&truth
        .iter()
        .filter(|c| (lo..=hi).contains(&started(c)))
        .cloned()
        .collect::<Vec<_>>());
    let url = format!("{base}/aircall/v1/calls?from={lo}&to={hi}&per_page=50");
    let (calls, metas) = all_pages(&sb, &url, "calls").await;
    assert_eq!(ids(&calls), expected);
    assert_eq!(metas[0]["total"], expected.len());
    assert_eq!(
        started(&calls[0]),
        lo,
        "a call exactly at `from` is included"
    );
    assert_eq!(
        started(calls.last().unwrap()),
        hi,
        "a call exactly at `to` is included"
    );
    // One second inside each bound excludes the calls at the bounds.
    let url = format!(
        "{base}/aircall/v1/calls?from={}&to={}&per_page=50",
        lo + 1,
        hi - 1
    );
    let (inner, _) = all_pages(&sb, &url, "calls").await;
    assert!(inner.iter().all(|c| started(c) > lo && started(c) < hi));
    assert_eq!(
        inner.len(),
        expected.len()
            - truth
                .iter()
                .filter(|c| started(c) == lo || started(c) == hi)
                .count()
    );
    // Bad bounds are refused in Aircall's shape.
    let (status, _, v) = get_json(&sb, &format!("{base}/aircall/v1/calls?from=yesterday")).await;
    assert_eq!(status, 400);
    assert!(v["error"].is_string() && v["troubleshoot"].is_string());
    // One call by id; unknown ids are 404.
    let id = truth[3]["id"].as_i64().unwrap();
    let (status, _, one) = get_json(&sb, &format!("{base}/aircall/v1/calls/{id}")).await;
    assert_eq!((status, &one["call"]), (200, &truth[3]));
    assert_eq!(
        get_json(&sb, &format!("{base}/aircall/v1/calls/42"))
            .await
            .0,
        404
    );
}

#[tokio::test]
async fn next_page_links_walk_every_call_exactly_once() {
    let (sb, base) = start(small_opts()).await;
    let truth = sb.aircall_calls();
    let (from, to) = (started(&truth[0]), started(truth.last().unwrap()));
    let url = format!("{base}/aircall/v1/calls?from={from}&to={to}&order=asc&per_page=40");
    let (calls, metas) = all_pages(&sb, &url, "calls").await;
    assert!(metas.len() >= 3, "{} pages", metas.len());
    assert_eq!(calls, truth);
    let unique: BTreeSet<i64> = ids(&calls).into_iter().collect();
    assert_eq!(unique.len(), truth.len());
    let link = metas[0]["next_page_link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{base}/aircall/v1/calls?")),
        "{link}"
    );
    let q = query_of(link);
    for (k, v) in [
        ("from", from.to_string()),
        ("to", to.to_string()),
        ("order", "asc".into()),
        ("per_page", "40".into()),
        ("page", "2".into()),
    ] {
        assert_eq!(get(&q, k), Some(v.as_str()), "{k} in {link}");
    }
    assert_eq!(metas.last().unwrap()["next_page_link"], Value::Null);
    for m in &metas {
        assert_eq!(m["total"], truth.len());
    }

    // Default order is ascending; desc reverses; default per_page is 20.
    let (_, _, first) = get_json(&sb, &format!("{base}/aircall/v1/calls")).await;
    assert_eq!(first["meta"]["per_page"], 20);
    assert_eq!(first["calls"].as_array().unwrap()[..], truth[..20]);
    let (desc, _) = all_pages(
        &sb,
        &format!("{base}/aircall/v1/calls?order=desc&per_page=50"),
        "calls",
    )
    .await;
    assert!(desc.windows(2).all(|w| started(&w[0]) >= started(&w[1])));
    assert_eq!(desc.len(), truth.len());
}

#[tokio::test]
async fn paging_stops_at_ten_thousand_items() {
    let opts = SandboxOptions {
        reps: 5,
        weeks: 13,
        scale: 4.0,
        only_kinds: Some(vec![]),
        ..small_opts()
    };
    let (sb, base) = start(opts).await;
    let truth = sb.aircall_calls();
    assert!(truth.len() > 10_000, "{}", truth.len());
    let (status, _, last) = get_json(
        &sb,
        &format!("{base}/aircall/v1/calls?page=200&per_page=50"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(
        ids(last["calls"].as_array().unwrap()),
        ids(&truth[9950..10_000])
    );
    assert_eq!(last["meta"]["total"], truth.len());
    assert_eq!(
        last["meta"]["next_page_link"],
        Value::Null,
        "page 201 would pass the cap"
    );
    for q in ["page=201&per_page=50", "page=10001&per_page=1", "page=501"] {
        let (status, _, v) = get_json(&sb, &format!("{base}/aircall/v1/calls?{q}")).await;
        assert_eq!(status, 400, "{q}");
        assert!(v["error"].is_string() && v["troubleshoot"].as_str().unwrap().contains("10,000"));
    }
    assert_eq!(
        get_json(
            &sb,
            &format!("{base}/aircall/v1/calls?page=10000&per_page=1")
        )
        .await
        .0,
        200
    );
    // Narrowing by `from` reaches the rest.
    let from = started(&truth[10_000]);
    let (_, _, rest) = get_json(
        &sb,
        &format!("{base}/aircall/v1/calls?from={from}&per_page=50"),
    )
    .await;
    assert_eq!(rest["calls"][0]["started_at"], from);
}

#[tokio::test]
async fn links_work_nested_and_with_a_public_base_url() {
    let sb = Sandbox::new(small_opts());
    let app = axum::Router::new().nest("/sandbox", sb.router());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    let base = format!("http://{addr}/sandbox");
    let (calls, metas) = all_pages(
        &sb,
        &format!("{base}/aircall/v1/calls?per_page=50"),
        "calls",
    )
    .await;
    assert_eq!(calls, sb.aircall_calls());
    let link = metas[0]["next_page_link"].as_str().unwrap();
    assert!(
        link.starts_with(&format!("{base}/aircall/v1/calls?")),
        "{link}"
    );

    let mut o = small_opts();
    o.public_base_url = Some("https://tally.example.com/sandbox/".into());
    let (sb, base) = start(o).await;
    let (_, _, v) = get_json(&sb, &format!("{base}/aircall/v1/calls?per_page=5")).await;
    let link = v["meta"]["next_page_link"].as_str().unwrap();
    assert!(
        link.starts_with("https://tally.example.com/sandbox/aircall/v1/calls?"),
        "{link}"
    );
    let id = &v["calls"][0]["id"];
    assert_eq!(
        v["calls"][0]["direct_link"],
        format!("https://tally.example.com/sandbox/aircall/v1/calls/{id}")
    );
}
