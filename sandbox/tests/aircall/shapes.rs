//! Determinism and the untidy shapes real Aircall accounts have.

use super::*;

#[tokio::test]
async fn same_options_give_the_same_account() {
    let a = Sandbox::new(small_opts());
    let b = Sandbox::new(small_opts());
    assert_eq!(a.aircall_calls(), b.aircall_calls());
    assert_eq!(a.aircall_users(), b.aircall_users());
    let c = Sandbox::new(SandboxOptions {
        seed: 8,
        ..small_opts()
    });
    assert_ne!(a.aircall_calls(), c.aircall_calls());
    // Determinism survives the HTTP layer and an added call.
    let input = AircallCallInput {
        user_id: None,
        direction: "inbound".into(),
        started_ms: small_opts().now.timestamp_millis() - 1000,
        answered: false,
        duration_s: 0,
    };
    assert_eq!(
        a.aircall_add_call(input.clone()).await,
        b.aircall_add_call(input).await
    );
}

#[test]
fn the_untidy_shapes_are_there() {
    let opts = small_opts();
    let sb = Sandbox::new(opts.clone());
    let calls = sb.aircall_calls();
    let users = sb.aircall_users();
    let user_ids: BTreeSet<i64> = ids(&users).into_iter().collect();
    let now = opts.now.timestamp();
    let start = now - i64::from(opts.weeks) * 7 * 86_400;
    for c in &calls {
        assert_eq!(c["status"], "done");
        assert!((start..=now).contains(&started(c)), "{c}");
        assert_eq!(c["duration"], c["ended_at"].as_i64().unwrap() - started(c));
        for k in [
            "id",
            "direct_link",
            "sid",
            "answered_at",
            "ended_at",
            "direction",
            "raw_digits",
            "asset",
            "recording",
            "voicemail",
            "archived",
            "missed_call_reason",
            "cost",
            "number",
            "user",
            "contact",
            "assigned_to",
            "teams",
            "tags",
            "comments",
        ] {
            assert!(c.get(k).is_some(), "{k}");
        }
        if c["missed_call_reason"].is_string() {
            assert_eq!(c["direction"], "inbound");
            assert_eq!(c["answered_at"], Value::Null);
        }
    }
    let count = |f: &dyn Fn(&Value) -> bool| calls.iter().filter(|c| f(c)).count();
    // Outbound dials nobody answered: no answered_at, short ring, no missed_call_reason.
    assert!(
        count(&|c| c["direction"] == "outbound"
            && c["answered_at"].is_null()
            && c["duration"].as_i64().unwrap() > 0
            && c["duration"].as_i64().unwrap() < 60
            && c["missed_call_reason"].is_null()
            && c["user"].is_object())
            > 5
    );
    // Inbound calls nobody took, with every reason.
    let missed: Vec<&Value> = calls
        .iter()
        .filter(|c| c["direction"] == "inbound" && c["user"].is_null())
        .collect();
    assert!(missed.iter().all(|c| c["missed_call_reason"].is_string()));
    for r in MISSED_CALL_REASONS {
        assert!(missed.iter().any(|c| c["missed_call_reason"] == r), "{r}");
    }
    // Zero-duration calls, archived calls, and calls by a user deleted since.
    assert!(count(&|c| c["duration"] == 0) >= 1);
    assert!(count(&|c| c["archived"] == true) >= 1);
    let by_deleted = count(&|c| {
        c["user"]["id"]
            .as_i64()
            .is_some_and(|id| !user_ids.contains(&id))
    });
    assert!(by_deleted >= 2);
    // A call just before and one just after local midnight Sunday/Monday.
    let tz = opts.tz();
    let local = |c: &Value| Utc.timestamp_opt(started(c), 0).unwrap().with_timezone(&tz);
    assert!(calls.iter().any(|c| {
        let t = local(c);
        t.weekday() == chrono::Weekday::Sun && t.hour() == 23 && t.minute() >= 57
    }));
    assert!(calls.iter().any(|c| {
        let t = local(c);
        t.weekday() == chrono::Weekday::Mon && t.hour() == 0 && t.minute() <= 2
    }));
    // Roughly 30 outbound calls per rep per week, at this scale 15.
    let reps = opts.reps as f64;
    let outbound = count(&|c| c["direction"] == "outbound") as f64;
    let per_rep_week = outbound / reps / f64::from(opts.weeks);
    assert!((10.0..30.0).contains(&per_rep_week), "{per_rep_week}");
    // Most calls happen in local business hours.
    let business = count(&|c| (8..18).contains(&local(c).hour()));
    assert!(business * 10 > calls.len() * 8);
}
