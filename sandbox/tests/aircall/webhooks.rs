//! Aircall webhooks over HTTP: register, list, delete, and `call.created` / `call.ended`
//! deliveries with each webhook's token to a tiny receiver.

use super::*;

type Captured = Arc<Mutex<Vec<(String, HeaderMap, Value)>>>;

/// A tiny webhook receiver recording path, headers and JSON body.
async fn receiver() -> (String, Captured) {
    let got: Captured = Arc::default();
    let g = got.clone();
    let app = axum::Router::new().fallback(
        move |uri: axum::http::Uri, headers: HeaderMap, body: Bytes| {
            let g = g.clone();
            async move {
                let v = serde_json::from_slice(&body).unwrap_or(Value::Null);
                g.lock().unwrap().push((uri.path().to_string(), headers, v));
                axum::http::StatusCode::OK
            }
        },
    );
    let l = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = l.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(l, app).await.unwrap() });
    (format!("http://{addr}"), got)
}

async fn create_webhook(sb: &Sandbox, base: &str, url: &str, events: &[&str]) -> Value {
    let r = auth(client().post(format!("{base}/aircall/v1/webhooks")), sb)
        .json(&json!({"custom_name": "Tally", "url": url, "events": events}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 201);
    r.json::<Value>().await.unwrap()["webhook"].clone()
}

#[tokio::test]
async fn webhooks_register_list_delete_and_deliver_call_ended_with_their_token() {
    let (sb, base) = start(small_opts()).await;
    let (hook_base, got) = receiver().await;
    let ended = create_webhook(&sb, &base, &format!("{hook_base}/ended"), &["call.ended"]).await;
    let both = create_webhook(
        &sb,
        &base,
        &format!("{hook_base}/both"),
        &["call.created", "call.ended"],
    )
    .await;
    for k in [
        "webhook_id",
        "direct_link",
        "created_at",
        "url",
        "active",
        "token",
        "events",
        "custom_name",
    ] {
        assert!(ended.get(k).is_some(), "{k}");
    }
    assert_eq!(ended["active"], true);
    assert_eq!(ended["custom_name"], "Tally");
    assert_eq!(ended["events"], json!(["call.ended"]));
    assert!(uuid::Uuid::parse_str(ended["webhook_id"].as_str().unwrap()).is_ok());
    assert_ne!(ended["token"], both["token"]);
    let (status, _, list) = get_json(&sb, &format!("{base}/aircall/v1/webhooks")).await;
    assert_eq!(status, 200);
    assert_eq!(list["webhooks"], json!([ended.clone(), both.clone()]));
    assert_eq!(list["meta"]["total"], 2);
    assert_eq!(sb.aircall_webhooks(), vec![ended.clone(), both.clone()]);
    let r = auth(client().post(format!("{base}/aircall/v1/webhooks")), &sb)
        .json(&json!({"url": "https://x.example", "events": ["call.exploded"]}))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);

    let user = sb.aircall_users()[0].clone();
    let started_ms = sb.options().now.timestamp_millis() - 3_600_000;
    let call = sb
        .aircall_add_call(AircallCallInput {
            user_id: user["id"].as_i64(),
            direction: "outbound".into(),
            started_ms,
            answered: true,
            duration_s: 95,
        })
        .await;
    assert_eq!(call["started_at"], started_ms / 1000);
    assert_eq!(call["duration"], 95);
    assert_eq!(call["status"], "done");
    assert_eq!(call["user"], user);
    {
        let got = got.lock().unwrap();
        let to = |p: &str| {
            got.iter()
                .filter(|(path, _, _)| path == p)
                .collect::<Vec<_>>()
        };
        let e = to("/ended");
        assert_eq!(e.len(), 1);
        let (_, h, body) = e[0];
        assert_eq!(h["content-type"], "application/json");
        assert_eq!(body["resource"], "call");
        assert_eq!(body["event"], "call.ended");
        assert_eq!(body["token"], ended["token"]);
        assert!(body["timestamp"].is_i64());
        assert_eq!(body["data"], call);
        let b = to("/both");
        let events: Vec<&str> = b
            .iter()
            .map(|(_, _, v)| v["event"].as_str().unwrap())
            .collect();
        assert_eq!(events, ["call.created", "call.ended"]);
        assert!(
            b.iter()
                .all(|(_, _, v)| v["token"] == both["token"] && v["data"]["id"] == call["id"])
        );
        assert_eq!(b[0].2["data"]["status"], "initial");
    }
    let logged: Vec<_> = sb
        .deliveries()
        .into_iter()
        .filter(|d| d.provider == Provider::Aircall)
        .collect();
    assert_eq!(logged.len(), 3);
    assert!(logged.iter().all(|d| d.ok && d.status == Some(200)));
    assert!(sb.aircall_calls().contains(&call));
    let (_, _, fetched) = get_json(&sb, &format!("{base}/aircall/v1/calls/{}", call["id"])).await;
    assert_eq!(fetched["call"], call);

    // Deleted webhooks get nothing; calls added over the control API deliver too.
    let id = ended["webhook_id"].as_str().unwrap();
    let r = auth(
        client().delete(format!("{base}/aircall/v1/webhooks/{id}")),
        &sb,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 204);
    let r = auth(
        client().delete(format!("{base}/aircall/v1/webhooks/{id}")),
        &sb,
    )
    .send()
    .await
    .unwrap();
    assert_eq!(r.status(), 404);
    assert_eq!(sb.aircall_webhooks(), vec![both.clone()]);
    let r = client()
        .post(format!("{base}/_sandbox/aircall/calls"))
        .json(&json!({"user_id": null, "direction": "inbound", "started_ms": started_ms + 60_000, "answered": false, "duration_s": 20}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    let missed: Value = r.json().await.unwrap();
    assert_eq!(missed["user"], Value::Null);
    assert!(missed["missed_call_reason"].is_string());
    assert_eq!(missed["answered_at"], Value::Null);
    let bad = client()
        .post(format!("{base}/_sandbox/aircall/calls"))
        .json(&json!({"user_id": 1, "direction": "sideways", "started_ms": 0, "answered": false, "duration_s": 0}))
        .send()
        .await
        .unwrap();
    assert_eq!(bad.status(), 400);
    let got = got.lock().unwrap();
    assert_eq!(got.iter().filter(|(p, _, _)| p == "/ended").count(), 1);
    assert_eq!(
        got.iter()
            .filter(|(p, _, v)| p == "/both" && v["data"]["id"] == missed["id"])
            .count(),
        2
    );
}
