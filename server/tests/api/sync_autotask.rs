//! Autotask end to end on both backends: the zone found and the credentials
//! checked before anything is saved (each refusal naming its field),
//! resources, tickets and time entries synced into the Reactive operations
//! measurables whose numbers equal an independent count of the simulator's
//! records, an incremental run that reads little through injected faults
//! and a 429, a completed and then reopened ticket, and a deactivated API
//! user that marks the connection "needs re-auth" with the reason.

use std::collections::{BTreeMap, HashMap};

use chrono::{Datelike, NaiveDate};
use chrono_tz::Tz;
use sandbox::autotask::{AutotaskTicketInput, AutotaskTimeEntryInput, ZONE_NAME};
use sandbox::{Fault, FaultKind, Provider};
use serde_json::{Value, json};

use crate::{
    counter::week_of,
    helpers::BACKENDS,
    sources_env::{Sources, opts, sources},
};

type Weeks = BTreeMap<NaiveDate, f64>;

fn ms(v: &Value) -> Option<i64> {
    chrono::DateTime::parse_from_rfc3339(v.as_str()?)
        .ok()
        .map(|d| d.timestamp_millis())
}

fn local_day(tz: Tz, at: i64) -> NaiveDate {
    chrono::DateTime::from_timestamp_millis(at)
        .unwrap()
        .with_timezone(&tz)
        .date_naive()
}

/// The truth, counted from the simulator's own records.
struct Truth {
    opened: Weeks,
    closed: Weeks,
    same_day: Weeks,
    roc_same_day: Weeks,
    hours: Weeks,
    billable: Weeks,
}

/// Resource id → the lower-cased, trimmed email it belongs to.
fn emails(s: &Sources) -> HashMap<i64, String> {
    s.sb.autotask_resources()
        .iter()
        .map(|r| {
            let email = r["email"]
                .as_str()
                .unwrap_or_default()
                .trim()
                .to_lowercase();
            (r["id"].as_i64().unwrap(), email)
        })
        .collect()
}

fn truth(s: &Sources, who: Option<&str>) -> Truth {
    let emails = emails(s);
    let mine = |id: &Value| match who {
        None => true,
        Some(w) => id.as_i64().and_then(|i| emails.get(&i)).map(String::as_str) == Some(w),
    };
    let roc =
        s.sb.autotask_queues()
            .into_iter()
            .find(|(_, l)| *l == "ROC board")
            .unwrap()
            .0;
    let mut t = Truth {
        opened: Weeks::new(),
        closed: Weeks::new(),
        same_day: Weeks::new(),
        roc_same_day: Weeks::new(),
        hours: Weeks::new(),
        billable: Weeks::new(),
    };
    for ticket in s.sb.autotask_tickets() {
        if !mine(&ticket["assignedResourceID"]) {
            continue;
        }
        let created = ms(&ticket["createDate"]).unwrap();
        *t.opened.entry(week_of(s.tz, created)).or_default() += 1.0;
        if let Some(done) = ms(&ticket["completedDate"]) {
            *t.closed.entry(week_of(s.tz, done)).or_default() += 1.0;
            if local_day(s.tz, done) == local_day(s.tz, created) {
                *t.same_day.entry(week_of(s.tz, done)).or_default() += 1.0;
                if ticket["queueID"] == roc {
                    *t.roc_same_day.entry(week_of(s.tz, done)).or_default() += 1.0;
                }
            }
        }
    }
    for e in s.sb.autotask_time_entries() {
        if !mine(&e["resourceID"]) {
            continue;
        }
        let day = NaiveDate::parse_from_str(&e["dateWorked"].as_str().unwrap()[..10], "%Y-%m-%d")
            .unwrap();
        let monday = day - chrono::Days::new(u64::from(day.weekday().num_days_from_monday()));
        let h = e["hoursWorked"].as_f64().unwrap();
        *t.hours.entry(monday).or_default() += h;
        if e["isNonBillable"] != true {
            *t.billable.entry(monday).or_default() += h;
        }
    }
    t
}

fn rows() -> Vec<(&'static str, Value)> {
    let tickets = |time_field: &str, filters: Value| {
        json!({"type": "synced", "kind": "autotask_ticket", "time_field": time_field,
               "filters": filters})
    };
    let hours = |filters: Value| {
        json!({"type": "synced", "kind": "autotask_time_entry", "time_field": "occurred",
               "filters": filters,
               "aggregate": {"type": "sum", "properties": ["hoursWorked"]}})
    };
    vec![
        ("Opened", tickets("created", json!({}))),
        ("Closed", tickets("completed", json!({}))),
        (
            "ROC same day",
            tickets(
                "completed",
                json!({"queue": ["roc BOARD"], "closed_same_day": true}),
            ),
        ),
        ("Hours", hours(json!({}))),
        ("Billable", hours(json!({"billable": true}))),
    ]
}

/// What each row of the hand-made card should show in `week`.
fn custom_rows(t: &Truth, week: NaiveDate) -> Vec<(&'static str, Option<f64>)> {
    let at = |w: &Weeks| Some(w.get(&week).copied().unwrap_or(0.0));
    vec![
        ("Opened", at(&t.opened)),
        ("Closed", at(&t.closed)),
        ("ROC same day", at(&t.roc_same_day)),
        ("Hours", at(&t.hours)),
        ("Billable", at(&t.billable)),
    ]
}

/// What the template's Reactive operations rows should show in `week`:
/// the counts, and the two rates (none when nothing was closed or worked).
fn template_rows(t: &Truth, week: NaiveDate) -> Vec<(&'static str, Option<f64>)> {
    let at = |w: &Weeks| w.get(&week).copied().unwrap_or(0.0);
    let rate = |part: f64, whole: f64| (whole > 0.0).then(|| part / whole * 100.0);
    vec![
        ("Tickets opened", Some(at(&t.opened))),
        ("Tickets closed", Some(at(&t.closed))),
        ("Tickets closed the same day", Some(at(&t.same_day))),
        ("Hours worked", Some(at(&t.hours))),
        ("Billable hours", Some(at(&t.billable))),
        ("Same-day close rate", rate(at(&t.same_day), at(&t.closed))),
        ("Utilisation", rate(at(&t.billable), at(&t.hours))),
    ]
}

type Expect = fn(&Truth, NaiveDate) -> Vec<(&'static str, Option<f64>)>;

/// Waits (numbers are recomputed just after a run) until every row of
/// `card` equals the truth in each of the last 4 weeks; fails naming the
/// first row and week that never did.
async fn assert_matches(s: &Sources, card: i64, who: Option<&str>, expect: Expect, what: &str) {
    let mut mismatch = String::new();
    for _ in 0..100 {
        mismatch = first_mismatch(s, card, who, expect)
            .await
            .unwrap_or_default();
        if mismatch.is_empty() {
            return;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    panic!("{what}: {mismatch}");
}

async fn first_mismatch(
    s: &Sources,
    card: i64,
    who: Option<&str>,
    expect: Expect,
) -> Option<String> {
    let t = truth(s, who);
    for w in s.weeks(4) {
        for (name, want) in expect(&t, w) {
            let got = s.value(card, w, name).await;
            let same = match (got, want) {
                (Some(g), Some(w)) => (g - w).abs() < 1e-6,
                (None, None) => true,
                _ => false,
            };
            if !same {
                return Some(format!(
                    "{name} in week {w}: Tally {got:?}, simulator {want:?}"
                ));
            }
        }
    }
    None
}

fn credentials(s: &Sources) -> Value {
    let c = s.sb.autotask_credentials();
    json!({"username": c.username, "secret": c.secret, "integration_code": c.integration_code})
}

#[tokio::test]
async fn autotask_tickets_and_time_fill_measurables_that_equal_an_independent_count() {
    for backend in BACKENDS {
        let Some(s) = sources(backend, opts()).await else {
            continue;
        };
        // Refusals name the field at fault; nothing is stored.
        let mut unknown = credentials(&s);
        unknown["username"] = json!("nobody@elsewhere.example");
        let (status, v) = s.connect("autotask", unknown).await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["field"], "username", "{v}");
        let mut wrong = credentials(&s);
        wrong["secret"] = json!("wrong");
        let (status, v) = s.connect("autotask", wrong).await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["field"], "secret", "{v}");
        assert!(v.to_string().contains("Autotask refused"), "{v}");
        let mut missing = credentials(&s);
        missing["integration_code"] = json!("  ");
        let (status, v) = s.connect("autotask", missing).await;
        assert_eq!(status, 422, "{v}");
        assert_eq!(v["field"], "integration_code", "{v}");
        let mut test = credentials(&s);
        test["test"] = json!(true);
        let (status, v) = s.connect("autotask", test).await;
        assert_eq!(status, 200, "{v}");
        assert_eq!(v["key_check"]["zone"], ZONE_NAME, "{v}");
        assert_eq!(s.count("SELECT COUNT(*) FROM connections").await, 0);

        let id = s.connected("autotask", credentials(&s)).await;
        let (_, status, error) = s.full_run(id).await;
        assert_eq!(status, "succeeded", "{error:?}");
        assert_eq!(
            s.count("SELECT COUNT(*) FROM tickets").await,
            s.sb.autotask_tickets().len() as i64
        );
        assert_eq!(
            s.count("SELECT COUNT(*) FROM time_entries").await,
            s.sb.autotask_time_entries().len() as i64
        );

        // The second rep's Autotask email is in capitals with spaces.
        let rep = s.reps[1].clone();
        let person = s.person(&rep).await;
        let mine = s.card(Some(person), &rows()).await;
        let team = s.card(None, &rows()).await;
        let t = truth(&s, None);
        assert!(
            t.roc_same_day.values().sum::<f64>() >= 3.0,
            "too few to test"
        );
        assert!(truth(&s, Some(&rep)).hours.values().sum::<f64>() > 10.0);
        assert_matches(
            &s,
            mine,
            Some(&rep),
            custom_rows,
            &format!("{backend:?} {rep}"),
        )
        .await;
        assert_matches(&s, team, None, custom_rows, &format!("{backend:?} team")).await;
        // The template's Reactive operations rows fill themselves.
        let template = crate::fixtures::template(&s.app, &s.admin, None).await;
        assert_matches(
            &s,
            template,
            None,
            template_rows,
            &format!("{backend:?} template"),
        )
        .await;

        // New work: a ROC ticket closed at once and an hour on it, found by
        // an incremental run through two 503s and a 429.
        let tech = emails(&s).into_iter().find(|(_, e)| *e == rep).unwrap().0;
        let now = chrono::Utc::now().timestamp_millis();
        let ticket =
            s.sb.autotask_add_ticket(AutotaskTicketInput {
                resource_id: Some(tech),
                queue: Some("ROC board".into()),
                created_ms: Some(now - 60_000),
                ..Default::default()
            })
            .unwrap();
        let ticket_id = ticket["id"].as_i64().unwrap();
        s.sb.autotask_complete_ticket(ticket_id, Some(now - 30_000))
            .unwrap();
        s.sb.autotask_add_time_entry(AutotaskTimeEntryInput {
            resource_id: tech,
            ticket_id: Some(ticket_id),
            date: local_day(s.tz, now),
            hours: 1.25,
            billable: false,
        })
        .unwrap();
        for kind in [
            FaultKind::Status { status: 503 },
            FaultKind::Status { status: 503 },
            FaultKind::RateLimit,
        ] {
            s.sb.inject_fault(Fault {
                kind,
                count: Some(1),
                until_ms: None,
                provider: Some(Provider::Autotask),
            });
        }
        let (run, status, error) = s.full_run(id).await;
        assert_eq!(status, "succeeded", "{error:?}");
        let calls = s.api_calls(run).await;
        assert!(calls <= 10, "an incremental run made {calls} calls");
        assert_matches(
            &s,
            mine,
            Some(&rep),
            custom_rows,
            &format!("{backend:?} after new work"),
        )
        .await;
        assert_matches(
            &s,
            template,
            None,
            template_rows,
            &format!("{backend:?} template after new work"),
        )
        .await;

        // Reopened: no longer closed.
        s.sb.autotask_reopen_ticket(ticket_id).unwrap();
        let (_, status, error) = s.full_run(id).await;
        assert_eq!(status, "succeeded", "{error:?}");
        assert_matches(
            &s,
            mine,
            Some(&rep),
            custom_rows,
            &format!("{backend:?} after reopening"),
        )
        .await;

        // A deactivated API user: the run stops and the connection says why.
        s.sb.autotask_revoke();
        let (_, status, _) = s.full_run(id).await;
        assert_eq!(status, "failed");
        s.assert_needs_reauth(id, "Autotask refused the saved API credentials")
            .await;
    }
}
