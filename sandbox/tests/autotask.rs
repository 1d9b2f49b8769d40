//! Autotask simulator over HTTP: the zone lookup, the three headers, queries
//! with filters and `nextPageUrl` paging, counts, picklists, control changes,
//! the hourly and thread limits, and a deactivated API user. Expectations
//! come from `autotask_tickets()` / `autotask_time_entries()`, filtered here
//! by hand.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use sandbox::Sandbox;
use sandbox::autotask::{AutotaskLimits, AutotaskTicketInput, DEMO_USERNAME, MAX_RECORDS};
use serde_json::{Value, json};

fn auth(req: reqwest::RequestBuilder, sb: &Sandbox) -> reqwest::RequestBuilder {
    let c = sb.autotask_credentials();
    req.header("UserName", c.username)
        .header("Secret", c.secret)
        .header("ApiIntegrationCode", c.integration_code)
}

/// The zone's base from the lookup, as Tally finds it.
async fn zone(base: &str) -> String {
    let r = client()
        .get(format!(
            "{base}/autotask/atservicesrest/v1.0/zoneInformation"
        ))
        .query(&[("user", DEMO_USERNAME)])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert!(v["zoneName"].as_str().is_some());
    let url = v["url"].as_str().unwrap();
    assert!(url.starts_with("http") && url.ends_with('/'), "{url}");
    url.trim_end_matches('/').to_string()
}

async fn query(sb: &Sandbox, zone: &str, entity: &str, body: Value) -> (u16, Value) {
    let r = auth(client().post(format!("{zone}/V1.0/{entity}/query")), sb)
        .json(&body)
        .send()
        .await
        .unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

/// Every item of a query, following `nextPageUrl`; also the page sizes.
async fn all(
    sb: &Sandbox,
    zone: &str,
    entity: &str,
    filter: Value,
    max: usize,
) -> (Vec<Value>, Vec<usize>) {
    let (status, mut page) = query(
        sb,
        zone,
        entity,
        json!({"MaxRecords": max, "filter": filter}),
    )
    .await;
    assert_eq!(status, 200, "{page}");
    let (mut items, mut sizes) = (Vec::new(), Vec::new());
    loop {
        let got = page["items"].as_array().unwrap().clone();
        assert_eq!(page["pageDetails"]["count"], got.len());
        sizes.push(got.len());
        items.extend(got);
        let Some(next) = page["pageDetails"]["nextPageUrl"].as_str() else {
            break;
        };
        let r = auth(client().get(next), sb).send().await.unwrap();
        assert_eq!(r.status(), 200);
        page = r.json().await.unwrap();
        assert!(sizes.len() < 1000, "runaway paging");
    }
    (items, sizes)
}

/// The status of `req` sent with the current API user's headers.
async fn status_with_auth(sb: &Sandbox, req: reqwest::RequestBuilder) -> u16 {
    auth(req, sb).send().await.unwrap().status().as_u16()
}

/// The status of `req` sent with these three header values.
async fn status_with(
    req: reqwest::RequestBuilder,
    user: &str,
    secret: &str,
    code: Option<&str>,
) -> u16 {
    let req = req.header("UserName", user).header("Secret", secret);
    let req = match code {
        Some(c) => req.header("ApiIntegrationCode", c),
        None => req,
    };
    req.send().await.unwrap().status().as_u16()
}

fn ids(v: &[Value]) -> Vec<i64> {
    v.iter().map(|x| x["id"].as_i64().unwrap()).collect()
}

fn ms(v: &Value) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|d| d.timestamp_millis())
}

#[tokio::test]
async fn the_zone_lookup_needs_a_known_user_and_the_zone_needs_all_three_headers() {
    let (sb, base) = start(small_opts()).await;
    let r = client()
        .get(format!(
            "{base}/autotask/atservicesrest/v1.0/zoneInformation?user=nobody@x.example"
        ))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 500);
    let v: Value = r.json().await.unwrap();
    assert!(
        v["errors"][0]
            .as_str()
            .unwrap()
            .contains("Zone information")
    );

    let zone = zone(&base).await;
    let info = format!("{zone}/v1.0/Companies/entityInformation");
    assert_eq!(status_with_auth(&sb, client().get(&info)).await, 200);
    let c = sb.autotask_credentials();
    let wrong = status_with(
        client().get(&info),
        &c.username,
        "wrong",
        Some(&c.integration_code),
    );
    assert_eq!(wrong.await, 401);
    let no_code = status_with(client().get(&info), &c.username, &c.secret, None);
    assert_eq!(no_code.await, 401);

    sb.autotask_revoke();
    assert_eq!(status_with_auth(&sb, client().get(&info)).await, 401);
    let fresh = sb.autotask_issue_credentials();
    assert_ne!(fresh.username, DEMO_USERNAME);
    assert_eq!(status_with_auth(&sb, client().get(&info)).await, 200);
}

#[tokio::test]
async fn a_date_filter_pages_through_every_matching_ticket_in_id_order() {
    let (sb, base) = start(small_opts()).await;
    let zone = zone(&base).await;
    let truth = sb.autotask_tickets();
    assert!(truth.len() > 60, "{} tickets", truth.len());
    let since = ms(&truth[truth.len() / 3]["createDate"]).unwrap();
    let expected: Vec<i64> = truth
        .iter()
        .filter(|t| ms(&t["lastActivityDate"]).unwrap() >= since)
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let filter = json!([{"op": "gte", "field": "lastActivityDate",
        "value": chrono::DateTime::from_timestamp_millis(since).unwrap().to_rfc3339()}]);
    let (items, sizes) = all(&sb, &zone, "Tickets", filter, 25).await;
    assert_eq!(ids(&items), expected);
    assert!(
        sizes.len() > 1 && sizes[..sizes.len() - 1].iter().all(|s| *s == 25),
        "{sizes:?}"
    );

    // Without MaxRecords a page holds 500.
    let all_filter = json!([{"op": "gte", "field": "id", "value": 0}]);
    let (items, sizes) = all(&sb, &zone, "TimeEntries", all_filter.clone(), MAX_RECORDS).await;
    assert_eq!(items.len(), sb.autotask_time_entries().len());
    assert!(sizes.iter().all(|s| *s <= MAX_RECORDS));
    let r = auth(
        client().post(format!("{zone}/V1.0/TimeEntries/query/count")),
        &sb,
    )
    .json(&json!({"filter": all_filter}))
    .send()
    .await
    .unwrap();
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["queryCount"], items.len());
}

#[tokio::test]
async fn groups_and_picklists_answer_like_autotask() {
    let (sb, base) = start(small_opts()).await;
    let zone = zone(&base).await;
    let r = auth(
        client().get(format!("{zone}/V1.0/Tickets/entityInformation/fields")),
        &sb,
    )
    .send()
    .await
    .unwrap();
    let fields: Value = r.json().await.unwrap();
    let queue = fields["fields"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["name"] == "queueID")
        .unwrap();
    let roc = queue["picklistValues"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["label"] == "ROC board")
        .unwrap()["value"]
        .as_str()
        .unwrap()
        .parse::<i64>()
        .unwrap();

    let truth = sb.autotask_tickets();
    let expected: Vec<i64> = truth
        .iter()
        .filter(|t| t["queueID"] == roc || t["completedDate"].is_null())
        .map(|t| t["id"].as_i64().unwrap())
        .collect();
    let filter = json!([{"op": "or", "items": [
        {"op": "eq", "field": "QueueID", "value": roc.to_string()},
        {"op": "notExist", "field": "completedDate"}]}]);
    let (items, _) = all(&sb, &zone, "Tickets", filter, 500).await;
    assert_eq!(ids(&items), expected);

    for (body, needle) in [
        (json!({"MaxRecords": 10}), "filter"),
        (
            json!({"filter": [{"op": "eq", "field": "colour", "value": 1}]}),
            "colour",
        ),
        (
            json!({"MaxRecords": 501, "filter": [{"op": "exist", "field": "id"}]}),
            "MaxRecords",
        ),
    ] {
        let (status, v) = query(&sb, &zone, "Tickets", body).await;
        assert_eq!(status, 500);
        assert!(v["errors"][0].as_str().unwrap().contains(needle), "{v}");
    }
}

#[tokio::test]
async fn changes_stamp_the_last_activity_so_an_incremental_query_sees_them() {
    let (sb, base) = start(small_opts()).await;
    let zone = zone(&base).await;
    let before = sb.now_ms();
    let tech = sb.autotask_resources()[1]["id"].as_i64().unwrap();
    let t = sb
        .autotask_add_ticket(AutotaskTicketInput {
            resource_id: Some(tech),
            queue: Some("roc BOARD".into()),
            ..Default::default()
        })
        .unwrap();
    let id = t["id"].as_i64().unwrap();
    sb.autotask_complete_ticket(id, None).unwrap();
    let since = chrono::DateTime::from_timestamp_millis(before - 1000)
        .unwrap()
        .to_rfc3339();
    let (items, _) = all(
        &sb,
        &zone,
        "Tickets",
        json!([{"op": "gte", "field": "lastActivityDate", "value": since}]),
        500,
    )
    .await;
    assert_eq!(ids(&items), vec![id]);
    assert_eq!(items[0]["status"], 5);
    assert!(items[0]["completedDate"].is_string());
    let reopened = sb.autotask_reopen_ticket(id).unwrap();
    assert!(reopened["completedDate"].is_null());
    assert!(
        sb.autotask_add_ticket(AutotaskTicketInput {
            queue: Some("Nope".into()),
            ..Default::default()
        })
        .unwrap_err()
        .contains("Nope")
    );
}

#[tokio::test]
async fn the_hourly_limit_and_the_thread_limit_answer_429() {
    let (sb, base) = start(small_opts()).await;
    let zone = zone(&base).await;
    sb.set_rate_limits_enabled(true);
    sb.autotask_set_limits(AutotaskLimits {
        hourly: 3,
        ..AutotaskLimits::default()
    });
    let info = format!("{zone}/V1.0/Tickets/entityInformation");
    for _ in 0..3 {
        assert_eq!(status_with_auth(&sb, client().get(&info)).await, 200);
    }
    let r = auth(client().get(&info), &sb).send().await.unwrap();
    assert_eq!(r.status(), 429);
    let v: Value = r.json().await.unwrap();
    assert!(v["errors"][0].as_str().unwrap().contains("request limit"));

    sb.autotask_set_limits(AutotaskLimits {
        latency_ms: 300,
        ..AutotaskLimits::default()
    });
    let calls = (0..5).map(|_| {
        let req = auth(client().get(&info), &sb);
        async move { req.send().await.unwrap().status().as_u16() }
    });
    let statuses = futures::future::join_all(calls).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        3,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 429).count(),
        2,
        "{statuses:?}"
    );
}
