//! Aircall end to end on both backends: credentials checked before they
//! are saved, calls and users synced into a Dials-style measurable whose
//! numbers equal an independent count of the simulator's calls, an
//! incremental run that reads little, `call.ended` deliveries checked by
//! their token, retried faults, and a revoked token that marks the
//! connection "needs re-auth" with the reason.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use sandbox::{Fault, FaultKind};
use serde_json::{Value, json};

use crate::{
    counter::week_of,
    helpers::BACKENDS,
    sources_env::{Sources, opts, sources},
};

/// Every outbound call per week, answered or not: the template's dials.
fn outbound(s: &Sources) -> BTreeMap<NaiveDate, f64> {
    let mut out = BTreeMap::new();
    for c in s.sb.aircall_calls() {
        if c["direction"] == "outbound" {
            let at = c["started_at"].as_i64().unwrap() * 1000;
            *out.entry(week_of(s.tz, at)).or_default() += 1.0;
        }
    }
    out
}

/// Calls by `who` (lower-cased emails; None: everyone) per week, counted
/// from the simulator's own calls: outbound, answered, at least 30 s.
fn dials(s: &Sources, who: Option<&str>) -> BTreeMap<NaiveDate, f64> {
    let mut out = BTreeMap::new();
    for c in s.sb.aircall_calls() {
        let email = c["user"]["email"].as_str().map(str::to_lowercase);
        if who.is_some_and(|w| email.as_deref() != Some(w)) {
            continue;
        }
        if c["direction"] != "outbound"
            || c["answered_at"].is_null()
            || c["duration"].as_i64().unwrap_or(0) < 30
        {
            continue;
        }
        let at = c["started_at"].as_i64().unwrap() * 1000;
        *out.entry(week_of(s.tz, at)).or_default() += 1.0;
    }
    out
}

fn source() -> Value {
    json!({"type": "synced", "kind": "aircall_call",
        "filters": {"call_direction": "OUTBOUND", "answered": true, "min_duration_seconds": 30}})
}

fn credentials(s: &Sources) -> Value {
    let c = s.sb.aircall_credentials();
    json!({"api_id": c.api_id, "api_token": c.api_token})
}

#[tokio::test]
async fn aircall_calls_fill_a_measurable_that_equals_an_independent_count() {
    for backend in BACKENDS {
        let Some(s) = sources(backend, opts()).await else {
            continue;
        };
        // A wrong token is refused by name, and nothing is stored.
        let c = s.sb.aircall_credentials();
        let (status, v) = s
            .connect("aircall", json!({"api_id": c.api_id, "api_token": "wrong"}))
            .await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["field"], "api_token", "{v}");
        assert!(v.to_string().contains("Aircall refused"), "{v}");
        assert_eq!(s.count("SELECT COUNT(*) FROM connections").await, 0);
        // "Test connection" saves nothing either.
        let mut test = credentials(&s);
        test["test"] = json!(true);
        let (status, v) = s.connect("aircall", test).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["key_check"]["account_id"], c.api_id.as_str());
        assert_eq!(s.count("SELECT COUNT(*) FROM connections").await, 0);

        let id = s.connected("aircall", credentials(&s)).await;
        let hooks = s.sb.aircall_webhooks();
        assert_eq!(hooks.len(), 1, "{hooks:?}");
        assert!(
            hooks[0]["url"]
                .as_str()
                .unwrap()
                .ends_with("/webhooks/aircall")
        );
        assert!(hooks[0]["events"].to_string().contains("call.ended"));

        let (_, status, error) = s.full_run(id).await;
        assert_eq!(status, "succeeded", "{error:?}");
        let listed = s.sb.aircall_calls().len() as i64;
        assert_eq!(
            s.count("SELECT COUNT(*) FROM activities WHERE kind = 'aircall_call'")
                .await,
            listed
        );

        let rep = s.reps[0].clone();
        let person = s.person(&rep).await;
        let mine = s.card(Some(person), &[("Dials", source())]).await;
        let team = s.card(None, &[("Dials", source())]).await;
        let (want_mine, want_team) = (dials(&s, Some(&rep)), dials(&s, None));
        assert!(want_team.values().sum::<f64>() > 20.0, "{want_team:?}");
        for w in s.weeks(4) {
            let m = want_mine.get(&w).copied().unwrap_or(0.0);
            let t = want_team.get(&w).copied().unwrap_or(0.0);
            assert_eq!(
                s.value(mine, w, "Dials").await,
                Some(m),
                "{backend:?} {rep} week {w}"
            );
            assert_eq!(
                s.value(team, w, "Dials").await,
                Some(t),
                "{backend:?} team week {w}"
            );
        }

        // With Aircall connected, the template's Dials count its outbound calls.
        let template = crate::fixtures::template(&s.app, &s.admin, None).await;
        let want = outbound(&s);
        for w in s.weeks(4) {
            assert_eq!(
                s.value(template, w, "Dials").await,
                Some(want.get(&w).copied().unwrap_or(0.0)),
                "{backend:?} template Dials week {w}"
            );
        }

        // A new call reaches Tally by its webhook: a wrong token is refused,
        // the right one queues it.
        let user =
            s.sb.aircall_users()
                .into_iter()
                .find(|u| u["email"].as_str().map(str::to_lowercase) == Some(rep.clone()))
                .unwrap();
        let call =
            s.sb.aircall_add_call(sandbox::aircall::AircallCallInput {
                user_id: user["id"].as_i64(),
                direction: "outbound".into(),
                started_ms: chrono::Utc::now().timestamp_millis() - 120_000,
                answered: true,
                duration_s: 95,
            })
            .await;
        let hook = |token: &str| {
            json!({"resource": "call", "event": "call.ended", "timestamp": 1,
                   "token": token, "data": call.clone()})
        };
        let url = s.app.url("/webhooks/aircall");
        let http = reqwest::Client::new();
        let r = http
            .post(&url)
            .json(&hook("not-the-token"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401);
        let token = s.sb.aircall_webhooks()[0]["token"]
            .as_str()
            .unwrap()
            .to_owned();
        let r = http.post(&url).json(&hook(&token)).send().await.unwrap();
        assert_eq!(r.status(), 204);
        let week = s.weeks(1)[0];
        let before = want_mine.get(&week).copied().unwrap_or(0.0);
        crate::sync::wait_until("the delivered call", || async {
            s.value(mine, week, "Dials").await == Some(before + 1.0)
        })
        .await;

        // An incremental run reads users and the calls since the cursor,
        // through two injected 503s.
        s.sb.inject_fault(Fault {
            kind: FaultKind::Status { status: 503 },
            count: Some(2),
            until_ms: None,
            provider: Some(sandbox::Provider::Aircall),
        });
        let (run, status, error) = s.full_run(id).await;
        assert_eq!(status, "succeeded", "{error:?}");
        let calls = s.api_calls(run).await;
        assert!(calls <= 6, "an incremental run made {calls} calls");
        assert_eq!(
            s.count("SELECT COUNT(*) FROM activities WHERE kind = 'aircall_call'")
                .await,
            listed + 1
        );

        // A revoked token: the run stops and the connection says why.
        s.sb.aircall_revoke();
        let (_, status, _) = s.full_run(id).await;
        assert_eq!(status, "failed");
        s.assert_needs_reauth(id, "Aircall refused the saved API credentials")
            .await;
    }
}
