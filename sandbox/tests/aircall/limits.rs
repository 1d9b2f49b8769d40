//! The 60-per-minute company limit: headers on every answer, the 429, runtime changes
//! and the injected `rate_limit` fault.

use super::*;

fn header_i64(h: &HeaderMap, k: &str) -> i64 {
    h[k].to_str().unwrap().parse().unwrap()
}

#[tokio::test]
async fn the_request_limit_and_its_headers() {
    let mut opts = small_opts();
    opts.rate_limits = true;
    let (sb, base) = start(opts).await;
    let url = format!("{base}/aircall/v1/ping");
    let (status, h, _) = get_json(&sb, &url).await;
    assert_eq!(status, 200);
    assert_eq!(header_i64(&h, "x-aircallapi-limit"), 60);
    assert_eq!(header_i64(&h, "x-aircallapi-remaining"), 59);
    let now = sb.now_ms() / 1000;
    let reset = header_i64(&h, "x-aircallapi-reset");
    assert!((now + 55..=now + 61).contains(&reset), "{reset} vs {now}");

    let r = client()
        .post(format!("{base}/_sandbox/aircall/limit"))
        .json(&json!({"per_minute": 3}))
        .send()
        .await
        .unwrap();
    assert!(r.status().is_success());
    for left in [2, 1, 0] {
        let (status, h, _) = get_json(&sb, &format!("{base}/aircall/v1/users")).await;
        assert_eq!(status, 200);
        assert_eq!(header_i64(&h, "x-aircallapi-limit"), 3);
        assert_eq!(header_i64(&h, "x-aircallapi-remaining"), left);
    }
    let (status, h, v) = get_json(&sb, &url).await;
    assert_eq!(status, 429);
    assert!(v["error"].is_string() && v["troubleshoot"].is_string());
    assert_eq!(header_i64(&h, "x-aircallapi-remaining"), 0);
    assert!(header_i64(&h, "x-aircallapi-reset") >= now);
    assert!(sb.request_log().last().unwrap().rate_limited);
    // While the window is full, unauthenticated requests are refused too.
    let r = client().get(&url).send().await.unwrap();
    assert_eq!(r.status(), 429);

    sb.aircall_set_limit(60);
    let (status, h, _) = get_json(&sb, &url).await;
    assert_eq!(
        (status, header_i64(&h, "x-aircallapi-remaining")),
        (200, 59)
    );

    // The injected rate_limit fault answers the same way.
    sb.inject_fault(Fault {
        kind: FaultKind::RateLimit,
        count: Some(1),
        until_ms: None,
        provider: Some(Provider::Aircall),
    });
    let (status, h, v) = get_json(&sb, &url).await;
    assert_eq!(status, 429);
    assert_eq!(v["error"], "Too Many Requests");
    assert_eq!(header_i64(&h, "x-aircallapi-remaining"), 0);
    assert_eq!(get_json(&sb, &url).await.0, 200);

    // Off means no limit and no headers.
    sb.set_rate_limits_enabled(false);
    sb.aircall_set_limit(1);
    for _ in 0..3 {
        let (status, h, _) = get_json(&sb, &url).await;
        assert_eq!(status, 200);
        assert!(h.get("x-aircallapi-limit").is_none());
    }
}
