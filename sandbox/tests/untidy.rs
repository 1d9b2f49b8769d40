//! The untidy shapes real portals have exist in the generated data at small scale, found
//! from the truth dump alone: records around local Monday midnight and DST changes, custom
//! MRR that disagrees, blank strings next to missing properties, several contacts per
//! record, owners the owner list does not know, and keyword near-misses in note bodies.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::{BTreeMap, BTreeSet};

use chrono::{DateTime, Datelike, Duration, FixedOffset, Offset, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use sandbox::{ObjectKind, Sandbox, SandboxOptions};
use serde_json::Value;

const MIN: i64 = 60_000;
const DAY: i64 = 86_400_000;
const FORMER_REP: &str = "69999901";
const UNKNOWN_OWNER: &str = "88888888";

/// A window without a DST change in New York or Berlin (2026-09-24 .. 2026-10-15).
fn plain_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 10, 15, 15, 0, 0).unwrap()
}

/// A window spanning Berlin's (2026-10-25) and New York's (2026-11-01) change.
fn dst_now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 10, 12, 0, 0).unwrap()
}

/// The small options the Tally tests use.
fn small(tz: &str, now: DateTime<Utc>) -> SandboxOptions {
    SandboxOptions {
        seed: 11,
        reps: 3,
        weeks: 3,
        scale: 0.15,
        now,
        timezone: tz.into(),
        rate_limits: false,
        ..SandboxOptions::default()
    }
}

/// A served sandbox with what the tests read from the truth endpoints.
struct Portal {
    sb: Sandbox,
    start: i64,
    now: i64,
    /// Active (rep) owner ids.
    reps: Vec<String>,
    archived: Vec<(String, String)>,
    warm: BTreeSet<String>,
}

async fn portal(opts: SandboxOptions) -> Portal {
    let now = opts.now.timestamp_millis();
    let start = now - i64::from(opts.weeks) * 7 * DAY;
    let (sb, base) = common::start(opts).await;
    let c = common::client();
    let get = |path: &str| {
        let c = c.clone();
        let url = format!("{base}{path}");
        async move {
            c.get(url)
                .send()
                .await
                .unwrap()
                .json::<Value>()
                .await
                .unwrap()
        }
    };
    let owners = get("/_sandbox/truth/owners").await;
    let owners = owners["results"].as_array().unwrap();
    let reps = owners
        .iter()
        .filter(|o| o["archived"] == false)
        .map(|o| o["id"].as_str().unwrap().to_string())
        .collect();
    let archived = owners
        .iter()
        .filter(|o| o["archived"] == true)
        .map(|o| {
            (
                o["id"].as_str().unwrap().to_string(),
                o["email"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let lists = get("/_sandbox/truth/lists").await;
    let warm = lists["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|l| l["name"] == "Warm 250")
        .unwrap()["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m.as_str().unwrap().to_string())
        .collect();
    Portal {
        sb,
        start,
        now,
        reps,
        archived,
        warm,
    }
}

fn ms(v: &Value) -> Option<i64> {
    v.as_str()
        .filter(|s| !s.is_empty())
        .map(|s| DateTime::parse_from_rfc3339(s).unwrap().timestamp_millis())
}

fn prop<'a>(r: &'a Value, name: &str) -> Option<&'a str> {
    r["properties"].get(name).and_then(Value::as_str)
}

fn contacts_of(r: &Value) -> Vec<String> {
    r["associations"]["contacts"]
        .as_array()
        .map(|a| a.iter().map(|x| x.as_str().unwrap().to_string()).collect())
        .unwrap_or_default()
}

/// Local Monday midnights of `tz` in `[from, to]`, computed day by day (a midnight inside a
/// gap becomes the first valid local instant after it; an ambiguous one the earlier).
fn local_mondays(tz: Tz, from: i64, to: i64) -> Vec<i64> {
    let first = Utc
        .timestamp_millis_opt(from - 8 * DAY)
        .unwrap()
        .with_timezone(&tz)
        .date_naive();
    let mut out = Vec::new();
    for d in 0..=(to - from) / DAY + 16 {
        let date = first + Duration::days(d);
        if date.weekday() != Weekday::Mon {
            continue;
        }
        let midnight = date.and_hms_opt(0, 0, 0).unwrap();
        let t = (0..240)
            .find_map(|m| {
                tz.from_local_datetime(&(midnight + Duration::minutes(m)))
                    .earliest()
            })
            .unwrap()
            .timestamp_millis();
        if (from..=to).contains(&t) {
            out.push(t);
        }
    }
    out
}

fn offset_secs(tz: Tz, t: i64) -> i32 {
    let u = Utc.timestamp_millis_opt(t).unwrap();
    tz.offset_from_utc_datetime(&u.naive_utc())
        .fix()
        .local_minus_utc()
}

/// Instants in `(from, to]` where `tz` changes offset, to the minute.
fn offset_changes(tz: Tz, from: i64, to: i64) -> Vec<i64> {
    let mut out = Vec::new();
    let mut t = from - from.rem_euclid(MIN);
    while t + MIN <= to {
        if offset_secs(tz, t) != offset_secs(tz, t + MIN) {
            out.push(t + MIN);
        }
        t += MIN;
    }
    out
}

fn activity_time(kind: ObjectKind, r: &Value) -> i64 {
    let name = if kind == ObjectKind::Meetings {
        "hs_meeting_start_time"
    } else {
        "hs_timestamp"
    };
    ms(&r["properties"][name]).unwrap_or(i64::MIN)
}

/// Boundary records of every rep around every local Monday midnight fully inside the
/// window: a call and a note 20 min before and after, and a completed FTA 20 min after.
fn assert_boundaries(p: &Portal, tz: Tz) -> usize {
    let calls = p.sb.dump(ObjectKind::Calls);
    let notes = p.sb.dump(ObjectKind::Notes);
    let meetings = p.sb.dump(ObjectKind::Meetings);
    let mondays: Vec<i64> = local_mondays(tz, p.start + 30 * MIN, p.now - 90 * MIN);
    assert!(mondays.len() >= 2, "{mondays:?}");
    for &m in &mondays {
        let local = |t: i64| Utc.timestamp_millis_opt(t).unwrap().with_timezone(&tz);
        assert_eq!(local(m).weekday(), Weekday::Mon);
        for rep in &p.reps {
            for (kind, list) in [(ObjectKind::Calls, &calls), (ObjectKind::Notes, &notes)] {
                let near: Vec<i64> = list
                    .iter()
                    .filter(|r| prop(r, "hubspot_owner_id") == Some(rep))
                    .map(|r| activity_time(kind, r))
                    .filter(|t| (t - m).abs() <= 30 * MIN)
                    .collect();
                let before = near.iter().filter(|t| **t < m).count();
                let after = near.iter().filter(|t| **t >= m).count();
                assert!(before >= 1 && after >= 1, "{kind:?} {rep} at {m}: {near:?}");
                // The ones before are still Sunday locally; the ones after are Monday.
                for t in &near {
                    let wd = local(*t).weekday();
                    assert_eq!(wd, if *t < m { Weekday::Sun } else { Weekday::Mon });
                }
            }
            let fta = meetings
                .iter()
                .filter(|r| prop(r, "hubspot_owner_id") == Some(rep))
                .filter(|r| prop(r, "hs_meeting_outcome") == Some("COMPLETED"))
                .filter(|r| prop(r, "hs_activity_type") == Some("First Time Appointment"))
                .filter(|r| {
                    let t = activity_time(ObjectKind::Meetings, r);
                    t > m && t - m <= 30 * MIN
                })
                .count();
            assert!(fta >= 1, "FTA of {rep} after {m}");
        }
    }
    mondays.len()
}

/// How many records a tool with a fixed UTC offset (the one at the window start) puts in
/// another week than the portal's time zone does.
fn misplaced_by_fixed_offset(p: &Portal, tz: Tz) -> usize {
    let fixed = FixedOffset::east_opt(offset_secs(tz, p.start)).unwrap();
    let monday_of =
        |d: chrono::NaiveDate| d - Duration::days(i64::from(d.weekday().num_days_from_monday()));
    let mut n = 0;
    for kind in [ObjectKind::Calls, ObjectKind::Notes, ObjectKind::Meetings] {
        for r in p.sb.dump(kind) {
            let Some(t) = ms(&r["properties"]["hs_timestamp"]) else {
                continue;
            };
            let u = Utc.timestamp_millis_opt(t).unwrap();
            let truth = monday_of(u.with_timezone(&tz).date_naive());
            let naive = monday_of(u.with_timezone(&fixed).date_naive());
            n += usize::from(truth != naive);
        }
    }
    n
}

#[tokio::test]
async fn boundary_records_sit_around_local_monday_midnight_in_new_york() {
    let tz = chrono_tz::America::New_York;
    let p = portal(small(tz.name(), plain_now())).await;
    assert!(assert_boundaries(&p, tz) >= 2);
    assert!(offset_changes(tz, p.start, p.now).is_empty());
}

#[tokio::test]
async fn boundary_records_follow_a_dst_change_in_the_window() {
    for tz in [chrono_tz::America::New_York, chrono_tz::Europe::Berlin] {
        let p = portal(small(tz.name(), dst_now())).await;
        assert_boundaries(&p, tz);
        let changes = offset_changes(tz, p.start, p.now);
        assert_eq!(changes.len(), 1, "{tz}: {changes:?}");
        let change = changes[0];
        let calls = p.sb.dump(ObjectKind::Calls);
        let notes = p.sb.dump(ObjectKind::Notes);
        for rep in &p.reps {
            for list in [&calls, &notes] {
                let near: Vec<i64> = list
                    .iter()
                    .filter(|r| prop(r, "hubspot_owner_id") == Some(rep))
                    .filter_map(|r| ms(&r["properties"]["hs_timestamp"]))
                    .filter(|t| (t - change).abs() <= 30 * MIN)
                    .collect();
                assert!(near.iter().any(|t| *t < change), "{tz} {rep}: {near:?}");
                assert!(near.iter().any(|t| *t > change), "{tz} {rep}: {near:?}");
            }
        }
        // The local midnight of the Monday after the change is a boundary too.
        let next_monday = local_mondays(tz, change, p.now)[0];
        let around = calls
            .iter()
            .filter_map(|r| ms(&r["properties"]["hs_timestamp"]))
            .filter(|t| (t - next_monday).abs() <= 30 * MIN)
            .count();
        assert!(around >= 2 * p.reps.len(), "{tz}: {around}");
        // A fixed UTC offset puts some records in the wrong week.
        let wrong = misplaced_by_fixed_offset(&p, tz);
        assert!(wrong >= p.reps.len(), "{tz}: {wrong}");
    }
}

#[test]
fn the_boundary_shapes_are_deterministic_and_end_at_now() {
    for now in [plain_now(), dst_now()] {
        let o = small("Europe/Berlin", now);
        let a = Sandbox::new(o.clone());
        let b = Sandbox::new(o);
        for k in ObjectKind::ALL {
            let (da, db) = (a.dump(k), b.dump(k));
            assert_eq!(da, db, "{k:?}");
            for r in &da {
                for name in ["hs_timestamp", "hs_meeting_start_time", "closedate"] {
                    if let Some(t) = ms(&r["properties"][name]) {
                        let closed = prop(r, "hs_is_closed") == Some("true");
                        // A task's hs_timestamp is its due date; open deals close later.
                        if k != ObjectKind::Tasks && (k != ObjectKind::Deals || closed) {
                            assert!(t <= now.timestamp_millis(), "{k:?} {name} {r}");
                        }
                    }
                }
            }
        }
    }
}

/// Closed-won deals of the window (close date inside it), checked for consistency with the
/// pipeline stage.
fn won_deals(p: &Portal) -> Vec<Value> {
    let won_stages: BTreeSet<&str> = sandbox::catalog::PIPELINES
        .iter()
        .flat_map(|pl| pl.stages.iter())
        .filter(|s| s.3 && s.2 == "1.0")
        .map(|s| s.0)
        .collect();
    let deals = p.sb.dump(ObjectKind::Deals);
    for d in &deals {
        let stage_won = won_stages.contains(prop(d, "dealstage").unwrap());
        assert_eq!(
            stage_won,
            prop(d, "hs_is_closed_won") == Some("true"),
            "{d}"
        );
        if stage_won {
            assert_eq!(prop(d, "hs_is_closed"), Some("true"));
        }
    }
    deals
        .into_iter()
        .filter(|d| prop(d, "hs_is_closed_won") == Some("true"))
        .filter(|d| ms(&d["properties"]["closedate"]).is_some_and(|t| t >= p.start && t <= p.now))
        .collect()
}

#[tokio::test]
async fn closed_won_deals_have_every_mrr_shape_per_rep() {
    let p = portal(small("America/New_York", plain_now())).await;
    let won = won_deals(&p);
    let num = |d: &Value, n: &str| prop(d, n).and_then(|v| v.parse::<f64>().ok());
    for rep in &p.reps {
        let mine: Vec<&Value> = won
            .iter()
            .filter(|d| prop(d, "hubspot_owner_id") == Some(rep))
            .collect();
        let has = |f: &dyn Fn(&Value) -> bool| mine.iter().filter(|d| f(d)).count();
        // (a) custom mrr differs from hs_mrr and from amount.
        let a = has(
            &|d| match (num(d, "mrr"), num(d, "hs_mrr"), num(d, "amount")) {
                (Some(m), Some(h), Some(a)) => m != h && m != a && m > 0.0,
                _ => false,
            },
        );
        // (b) mrr, no hs_mrr at all.
        let b = has(&|d| num(d, "mrr").is_some_and(|m| m > 0.0) && prop(d, "hs_mrr").is_none());
        // (c) mrr blank, hs_mrr set.
        let c = has(&|d| prop(d, "mrr") == Some("") && num(d, "hs_mrr").is_some());
        // (d) a real zero.
        let z = has(&|d| prop(d, "mrr") == Some("0") && num(d, "amount").is_some());
        // (e) no mrr, blank hs_mrr.
        let e = has(&|d| prop(d, "mrr").is_none() && prop(d, "hs_mrr") == Some(""));
        assert!(
            a >= 1 && b >= 1 && c >= 1 && z >= 1 && e >= 1,
            "{rep}: a{a} b{b} c{c} d{z} e{e}"
        );
    }
    // (f) a second custom MRR property that differs from mrr.
    let legacy = won
        .iter()
        .filter(
            |d| match (prop(d, "monthly_recurring_revenue"), prop(d, "mrr")) {
                (Some(l), Some(m)) => l != m && !l.is_empty(),
                _ => false,
            },
        )
        .count();
    assert!(legacy >= 3, "{legacy}");
}

#[tokio::test]
async fn blank_strings_and_missing_properties() {
    let p = portal(small("America/New_York", plain_now())).await;
    let calls = p.sb.dump(ObjectKind::Calls);
    let dir = |v: Option<&str>| {
        calls
            .iter()
            .filter(|c| prop(c, "hs_call_direction") == v)
            .count()
    };
    let (missing, blank, inbound) = (dir(None), dir(Some("")), dir(Some("INBOUND")));
    assert!(
        missing >= 3 && blank >= 3,
        "missing {missing}, blank {blank}"
    );
    let share = inbound as f64 / calls.len() as f64;
    assert!((0.05..0.2).contains(&share), "INBOUND {share:.3}");
    assert_eq!(
        missing + blank + inbound + dir(Some("OUTBOUND")),
        calls.len()
    );

    let meetings = p.sb.dump(ObjectKind::Meetings);
    let types = ["First Time Appointment", "COI", "Networking Event"];
    let mut seen = BTreeMap::new();
    for m in &meetings {
        if prop(m, "hs_meeting_outcome") != Some("COMPLETED") {
            continue;
        }
        let t = prop(m, "hs_activity_type").unwrap();
        if !types.contains(&t) {
            continue;
        }
        let start = prop(m, "hs_meeting_start_time");
        if start.is_none_or(str::is_empty) {
            assert!(ms(&m["properties"]["hs_timestamp"]).is_some(), "{m}");
            *seen.entry((start.is_none(), t)).or_insert(0) += 1;
        }
    }
    let absent: usize = seen.iter().filter(|(k, _)| k.0).map(|(_, n)| n).sum();
    let blank: usize = seen.iter().filter(|(k, _)| !k.0).map(|(_, n)| n).sum();
    assert!(absent >= 3 && blank >= 3, "{seen:?}");
    for t in types {
        assert!(seen.keys().any(|k| k.1 == t), "{t}: {seen:?}");
    }

    let mut blank_owner = 0;
    for k in [ObjectKind::Calls, ObjectKind::Notes] {
        blank_owner +=
            p.sb.dump(k)
                .iter()
                .filter(|r| prop(r, "hubspot_owner_id") == Some(""))
                .count();
    }
    assert!(blank_owner >= 3, "{blank_owner}");
}

#[tokio::test]
async fn some_records_have_two_contacts_on_and_off_the_warm_list() {
    let p = portal(small("America/New_York", plain_now())).await;
    let contacts = p.sb.dump(ObjectKind::Contacts);
    assert!(
        contacts.len() > p.warm.len(),
        "some contacts are not on Warm 250"
    );
    for (kind, least) in [
        (ObjectKind::Calls, 3),
        (ObjectKind::Notes, 1),
        (ObjectKind::Meetings, 1),
    ] {
        let (mut both, mut mixed) = (0, 0);
        for r in p.sb.dump(kind) {
            let cs = contacts_of(&r);
            if cs.len() != 2 {
                continue;
            }
            match cs.iter().filter(|c| p.warm.contains(*c)).count() {
                2 => both += 1,
                1 => mixed += 1,
                _ => {}
            }
        }
        assert!(
            both >= least && mixed >= least,
            "{kind:?}: {both} / {mixed}"
        );
    }
}

#[tokio::test]
async fn records_of_owners_the_owner_list_does_not_return() {
    let opts = small("America/New_York", plain_now());
    let domain = opts.team_domain.clone();
    let p = portal(opts).await;
    assert_eq!(
        p.archived,
        vec![(FORMER_REP.to_string(), format!("former.rep@{domain}"))]
    );
    assert!(!p.reps.iter().any(|r| r == UNKNOWN_OWNER));
    for owner in [FORMER_REP, UNKNOWN_OWNER] {
        for (kind, least) in [
            (ObjectKind::Calls, 3),
            (ObjectKind::Notes, 3),
            (ObjectKind::Meetings, 3),
        ] {
            let n = p
                .sb
                .dump(kind)
                .iter()
                .filter(|r| prop(r, "hubspot_owner_id") == Some(owner))
                .filter(|r| {
                    ms(&r["properties"]["hs_timestamp"]).is_some_and(|t| t >= p.start && t <= p.now)
                })
                .count();
            assert!(n >= least, "{owner} {kind:?}: {n}");
        }
        let won = won_deals(&p)
            .iter()
            .filter(|d| prop(d, "hubspot_owner_id") == Some(owner))
            .count();
        assert!(won >= 1, "{owner}");
    }
}

/// Whole-word keyword matching done right: tags stripped, entities decoded, words are runs
/// of letters, digits and `_`.
fn words(body: &str) -> Vec<String> {
    let mut text = String::new();
    let mut in_tag = false;
    for ch in body.chars() {
        match ch {
            '<' => in_tag = true,
            '>' => {
                in_tag = false;
                text.push(' ');
            }
            _ if !in_tag => text.push(ch),
            _ => {}
        }
    }
    let text = text
        .replace("&amp;", "&")
        .replace("&nbsp;", " ")
        .to_lowercase();
    text.split(|c: char| !c.is_alphanumeric() && c != '_')
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

fn mentions_decision_maker(body: &str) -> bool {
    let w = words(body);
    w.iter()
        .any(|x| ["dm", "ceo", "owner", "president", "founder"].contains(&x.as_str()))
        || w.windows(2).any(|p| p[0] == "decision" && p[1] == "maker")
}

#[tokio::test]
async fn note_bodies_have_keyword_near_misses_and_tricky_matches() {
    let p = portal(small("America/New_York", plain_now())).await;
    let bodies: Vec<String> =
        p.sb.dump(ObjectKind::Notes)
            .iter()
            .map(|n| prop(n, "hs_note_body").unwrap().to_string())
            .collect();
    let count = |needle: &str, matches: bool| {
        bodies
            .iter()
            .filter(|b| b.contains(needle) && mentions_decision_maker(b) == matches)
            .count()
    };
    let count_any_case = |needle: &str| {
        bodies
            .iter()
            .filter(|b| b.to_lowercase().contains(&needle.to_lowercase()))
            .filter(|b| !mentions_decision_maker(b))
            .count()
    };
    for near in [
        "DMZ",
        "owner_id",
        "cofounder",
        "decision makers",
        "Presidential",
        "CEOs",
    ] {
        assert!(count_any_case(near) >= 2, "near-miss {near}");
    }
    for tricky in [
        "DM,",
        "(CEO)",
        "<p>Owner</p>",
        "Founder.",
        "met the Decision Maker",
        "&amp; the CEO",
        "<br>",
    ] {
        assert!(count(tricky, true) >= 2, "tricky {tricky}");
    }
    // Some bodies are HTML, some are not.
    assert!(bodies.iter().any(|b| b.starts_with("<p>")));
    assert!(bodies.iter().filter(|b| !b.contains('<')).count() > bodies.len() / 2);
}

#[test]
fn the_default_scale_keeps_the_shares() {
    let sb = Sandbox::new(SandboxOptions {
        seed: 11,
        now: plain_now(),
        ..SandboxOptions::default()
    });
    let calls = sb.dump(ObjectKind::Calls);
    let inbound = calls
        .iter()
        .filter(|c| prop(c, "hs_call_direction") == Some("INBOUND"))
        .count();
    let share = inbound as f64 / calls.len() as f64;
    assert!((0.09..0.15).contains(&share), "INBOUND {share:.3}");
    // About the volume documented in the README (5 reps × 13 weeks ≈ 5–6k HubSpot records).
    let n = sb.total_records();
    assert!((5_000..7_000).contains(&n), "{n}");
}

/// A test of one deal's properties.
type DealTest = fn(&Value) -> bool;

/// A non-zero, non-blank number.
fn set(v: Option<&str>) -> bool {
    v.is_some_and(|m| !m.is_empty() && m != "0")
}

/// Counts of the shapes that need no list or owner look-up, from the dumps alone.
fn census(sb: &Sandbox, opts: &SandboxOptions) -> Vec<(String, usize)> {
    let tz = opts.tz();
    let now = opts.now.timestamp_millis();
    let start = now - i64::from(opts.weeks) * 7 * DAY;
    let calls = sb.dump(ObjectKind::Calls);
    let notes = sb.dump(ObjectKind::Notes);
    let meetings = sb.dump(ObjectKind::Meetings);
    let deals = sb.dump(ObjectKind::Deals);
    let n = |list: &[Value], f: &dyn Fn(&Value) -> bool| list.iter().filter(|r| f(r)).count();
    let mut out = vec![
        (
            "call without direction".into(),
            n(&calls, &|c| prop(c, "hs_call_direction").is_none()),
        ),
        (
            "call with blank direction".into(),
            n(&calls, &|c| prop(c, "hs_call_direction") == Some("")),
        ),
        (
            "completed meeting without start".into(),
            n(&meetings, &|m| {
                prop(m, "hs_meeting_outcome") == Some("COMPLETED")
                    && prop(m, "hs_meeting_start_time").is_none()
            }),
        ),
        (
            "completed meeting with blank start".into(),
            n(&meetings, &|m| {
                prop(m, "hs_meeting_outcome") == Some("COMPLETED")
                    && prop(m, "hs_meeting_start_time") == Some("")
            }),
        ),
        (
            "blank owner".into(),
            n(&calls, &|c| prop(c, "hubspot_owner_id") == Some(""))
                + n(&notes, &|c| prop(c, "hubspot_owner_id") == Some("")),
        ),
        (
            "call with two contacts".into(),
            n(&calls, &|c| contacts_of(c).len() == 2),
        ),
        (
            "legacy mrr".into(),
            n(&deals, &|d| prop(d, "monthly_recurring_revenue").is_some()),
        ),
    ];
    for owner in [FORMER_REP, UNKNOWN_OWNER] {
        for (kind, list) in [("call", &calls), ("note", &notes), ("meeting", &meetings)] {
            out.push((
                format!("{kind} of {owner}"),
                n(list, &|r| prop(r, "hubspot_owner_id") == Some(owner)),
            ));
        }
    }
    let won_in_window = |d: &Value| {
        prop(d, "hs_is_closed_won") == Some("true")
            && ms(&d["properties"]["closedate"]).is_some_and(|t| t >= start && t <= now)
    };
    let shapes: [(&str, DealTest); 5] = [
        ("a", |d| {
            set(prop(d, "mrr")) && set(prop(d, "hs_mrr")) && prop(d, "mrr") != prop(d, "hs_mrr")
        }),
        ("b", |d| set(prop(d, "mrr")) && prop(d, "hs_mrr").is_none()),
        ("c", |d| {
            prop(d, "mrr") == Some("") && prop(d, "hs_mrr").is_some()
        }),
        ("d", |d| prop(d, "mrr") == Some("0")),
        ("e", |d| {
            prop(d, "mrr").is_none() && prop(d, "hs_mrr") == Some("")
        }),
    ];
    for (shape, f) in shapes {
        out.push((
            format!("won deal shape {shape}"),
            n(&deals, &|d| won_in_window(d) && f(d)),
        ));
    }
    for m in local_mondays(tz, start + 30 * MIN, now - 90 * MIN) {
        out.push((
            format!("calls around Monday {m}"),
            n(&calls, &|c| {
                ms(&c["properties"]["hs_timestamp"]).is_some_and(|t| (t - m).abs() <= 30 * MIN)
            }) / 2,
        ));
    }
    out
}

#[test]
fn shapes_exist_wherever_now_falls() {
    let first = Utc.with_ymd_and_hms(2026, 10, 26, 1, 0, 0).unwrap();
    for tz in ["America/New_York", "Australia/Sydney", "Asia/Kolkata"] {
        for step in 0..24 {
            let now = first + Duration::hours(7 * step);
            let opts = small(tz, now);
            let sb = Sandbox::new(opts.clone());
            for (shape, count) in census(&sb, &opts) {
                assert!(count >= 3, "{tz} now {now}: {shape} = {count}");
            }
        }
    }
}
