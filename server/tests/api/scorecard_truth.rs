//! The template's numbers on the sandbox's untidy portal equal what a
//! careful person would count in HubSpot, for every synced measurable,
//! every owner (each rep, the archived former rep, and the whole team) and
//! every week of the window, quarter averages included, on both backends.
//!
//! The organisation's timezone is one whose clocks changed inside the
//! window, so week bounds on both sides of a DST change are exercised by
//! the sandbox's boundary records. The truth is the sandbox's dump counted
//! by [`crate::counter`], never by Tally's code.

use std::collections::{BTreeMap, HashSet};

use chrono::{Datelike as _, NaiveDate, Offset as _, TimeZone as _, Utc};
use chrono_tz::Tz;
use sandbox::SandboxOptions;
use serde_json::Value;

use crate::{
    counter::{Keywords, first_non_empty, ms_of, prop, text_of_html, week_bounds, week_of},
    fixtures::{get, template},
    helpers::BACKENDS,
    sync::{assert_ok, full_run, wait_until},
    sync_env::{env, small_opts, truth},
};

const WEEKS: u32 = 21;
const DM_WORDS: [&str; 6] = [
    "decision maker",
    "DM",
    "CEO",
    "owner",
    "president",
    "founder",
];
const FTA: &str = "First Time Appointment";

/// A timezone whose UTC offset changed inside the last `weeks` weeks (not
/// in the current week), so the window spans a DST change.
fn timezone_with_a_change(weeks: u32) -> Tz {
    let now = Utc::now();
    let from = now - chrono::Duration::weeks(i64::from(weeks) - 1);
    let to = now - chrono::Duration::weeks(1);
    let candidates = [
        "America/New_York",
        "Europe/Berlin",
        "Australia/Sydney",
        "America/Santiago",
        "Pacific/Auckland",
        "Africa/Cairo",
    ];
    for name in candidates {
        let tz: Tz = name.parse().unwrap();
        let offset = |t: chrono::DateTime<Utc>| tz.offset_from_utc_datetime(&t.naive_utc()).fix();
        if offset(from) != offset(to) {
            return tz;
        }
    }
    panic!("no candidate timezone changed its clocks between {from} and {to}");
}

/// What the counter needs of one HubSpot kind.
struct Truth {
    calls: Vec<Value>,
    notes: Vec<Value>,
    meetings: Vec<Value>,
    deals: Vec<Value>,
    warm: HashSet<String>,
}

impl Truth {
    async fn read(base: &str) -> Truth {
        let live = |v: Vec<Value>| -> Vec<Value> {
            v.into_iter().filter(|r| r["archived"] == false).collect()
        };
        let warm = truth(base, "lists")
            .await
            .into_iter()
            .find(|l| l["name"] == "Warm 250")
            .expect("a Warm 250 list")["members"]
            .as_array()
            .unwrap()
            .iter()
            .map(|m| m.as_str().unwrap().to_owned())
            .collect();
        Truth {
            calls: live(truth(base, "hubspot/calls").await),
            notes: live(truth(base, "hubspot/notes").await),
            meetings: live(truth(base, "hubspot/meetings").await),
            deals: live(truth(base, "hubspot/deals").await),
            warm,
        }
    }

    fn in_warm(&self, r: &Value) -> bool {
        r["associations"]["contacts"].as_array().is_some_and(|cs| {
            cs.iter()
                .any(|c| c.as_str().is_some_and(|c| self.warm.contains(c)))
        })
    }
}

/// One template measurable, counted by hand: which records, and the
/// instant that places each in a week (`None`: not placed).
type Rule<'a> = Box<dyn Fn(&Truth, &Value) -> Option<i64> + 'a>;

fn meeting_rule(kind: &'static str, attended: bool, warm: bool) -> Rule<'static> {
    Box::new(move |t: &Truth, m: &Value| {
        if prop(m, "hs_activity_type") != Some(kind) || (warm && !t.in_warm(m)) {
            return None;
        }
        if attended {
            if prop(m, "hs_meeting_outcome") != Some("COMPLETED") {
                return None;
            }
            // The start time, or hs_timestamp when a meeting has none.
            prop(m, "hs_meeting_start_time")
                .or_else(|| prop(m, "hs_timestamp"))
                .and_then(|v| ms_of(&Value::String(v.to_owned())))
        } else {
            ms_of(&m["createdAt"])
        }
    })
}

fn at(r: &Value, name: &str) -> Option<i64> {
    prop(r, name).and_then(|v| ms_of(&Value::String(v.to_owned())))
}

/// The template's synced rows: (section, name, kind, rule, summed properties).
fn rules() -> Vec<(
    &'static str,
    &'static str,
    &'static str,
    Rule<'static>,
    &'static [&'static str],
)> {
    let dial = |warm: bool| -> Rule<'static> {
        Box::new(move |t: &Truth, c: &Value| {
            let direction = prop(c, "hs_call_direction").map(|d| d.trim().to_uppercase());
            (direction.as_deref() != Some("INBOUND") && (!warm || t.in_warm(c)))
                .then(|| at(c, "hs_timestamp"))
                .flatten()
        })
    };
    let dm = |warm: bool| -> Rule<'static> {
        let words = Keywords::new(&DM_WORDS);
        Box::new(move |t: &Truth, n: &Value| {
            let body = text_of_html(prop(n, "hs_note_body").unwrap_or_default());
            (words.in_text(&body) && (!warm || t.in_warm(n)))
                .then(|| at(n, "hs_timestamp"))
                .flatten()
        })
    };
    let won: Rule<'static> = Box::new(|_: &Truth, d: &Value| {
        (prop(d, "hs_is_closed_won") == Some("true"))
            .then(|| at(d, "closedate"))
            .flatten()
    });
    vec![
        ("Inside sales", "Dials", "calls", dial(false), &[]),
        (
            "Inside sales",
            "Conversations with decision maker",
            "notes",
            dm(false),
            &[],
        ),
        (
            "Inside sales",
            "First-time appointments set",
            "meetings",
            meeting_rule(FTA, false, false),
            &[],
        ),
        (
            "Outside sales",
            "FTA attended",
            "meetings",
            meeting_rule(FTA, true, false),
            &[],
        ),
        (
            "Outside sales",
            "COI attended",
            "meetings",
            meeting_rule("COI", true, false),
            &[],
        ),
        (
            "Outside sales",
            "Networking events",
            "meetings",
            meeting_rule("Networking Event", true, false),
            &[],
        ),
        (
            "Outside sales",
            "MRR closed",
            "deals",
            won,
            &["mrr", "hs_mrr", "amount"],
        ),
        (
            "Hybrid",
            "COI created",
            "meetings",
            meeting_rule("COI", false, false),
            &[],
        ),
        (
            "Hybrid",
            "COI attended",
            "meetings",
            meeting_rule("COI", true, false),
            &[],
        ),
        (
            "Hybrid",
            "Networking events",
            "meetings",
            meeting_rule("Networking Event", true, false),
            &[],
        ),
        ("Warm 250", "Dials (Warm 250)", "calls", dial(true), &[]),
        (
            "Warm 250",
            "Conversations with decision maker (Warm 250)",
            "notes",
            dm(true),
            &[],
        ),
        (
            "Warm 250",
            "First-time appointments set (Warm 250)",
            "meetings",
            meeting_rule(FTA, false, true),
            &[],
        ),
    ]
}

/// Per-week values of one rule for records owned by `owners` (`None`:
/// everyone's).
fn weekly(
    t: &Truth,
    tz: Tz,
    kind: &str,
    rule: &Rule<'_>,
    sum: &[&str],
    owners: Option<&HashSet<String>>,
) -> BTreeMap<NaiveDate, f64> {
    let records = match kind {
        "calls" => &t.calls,
        "notes" => &t.notes,
        "meetings" => &t.meetings,
        _ => &t.deals,
    };
    let mut out = BTreeMap::new();
    for r in records {
        if let Some(owners) = owners
            && !prop(r, "hubspot_owner_id").is_some_and(|o| owners.contains(o))
        {
            continue;
        }
        let Some(when) = rule(t, r) else { continue };
        let amount = if sum.is_empty() {
            1.0
        } else {
            first_non_empty(r, sum)
        };
        *out.entry(week_of(tz, when)).or_insert(0.0) += amount;
    }
    out
}

/// Mean of the quarter's weeks up to `week`; a week belongs to the quarter
/// holding its fourth day.
fn quarter_average(values: &BTreeMap<NaiveDate, f64>, week: NaiveDate) -> f64 {
    let quarter = |w: NaiveDate| {
        let d = w + chrono::Days::new(3);
        (d.year(), d.month0() / 3)
    };
    let mut w = week;
    let mut all = Vec::new();
    while quarter(w) == quarter(week) {
        all.push(values.get(&w).copied().unwrap_or(0.0));
        w = w - chrono::Days::new(7);
    }
    all.iter().sum::<f64>() / all.len() as f64
}

fn rows(view: &Value) -> Vec<&Value> {
    view["sections"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|s| {
            let name = s["name"].as_str().unwrap();
            s["rows"].as_array().unwrap().iter().map(move |r| (name, r))
        })
        .map(|(_, r)| r)
        .collect()
}

fn find<'a>(view: &'a Value, section: &str, name: &str) -> &'a Value {
    view["sections"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == section)
        .and_then(|s| {
            s["rows"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| r["name"] == name)
        })
        .unwrap_or_else(|| panic!("no row {section} / {name}"))
}

fn close(a: Option<f64>, b: f64) -> bool {
    a.is_some_and(|a| (a - b).abs() < 1e-6)
}

#[tokio::test]
async fn template_numbers_equal_an_independent_count_of_the_untidy_sandbox() {
    let tz = timezone_with_a_change(WEEKS);
    for backend in BACKENDS {
        let opts = SandboxOptions {
            weeks: WEEKS,
            timezone: tz.name().to_owned(),
            ..small_opts()
        };
        let Some(e) = env(backend, opts).await else {
            continue;
        };
        let started = std::time::Instant::now();
        sqlx::query("UPDATE organizations SET timezone = $1 WHERE id = $2")
            .bind(tz.name())
            .bind(e.admin.org_id)
            .execute(&e.app.db().pool)
            .await
            .unwrap();
        // Every rep and the former rep are Tally users, so people match
        // their owners by email, the archived one too.
        let owners = truth(&e.sb_base, "owners").await;
        for o in owners.iter().skip(1) {
            e.app
                .member_of(&e.admin, o["email"].as_str().unwrap(), "member")
                .await;
        }
        let run = full_run(&e, e.hubspot).await;
        assert_ok(&e, run).await;
        let t = Truth::read(&e.sb_base).await;

        let mut cards: Vec<(String, Option<HashSet<String>>, i64)> = Vec::new();
        for o in &owners {
            let email = o["email"].as_str().unwrap().to_lowercase();
            let (person,): (i64,) =
                sqlx::query_as("SELECT id FROM people WHERE org_id = $1 AND LOWER(email) = $2")
                    .bind(e.admin.org_id)
                    .bind(&email)
                    .fetch_one(&e.app.db().pool)
                    .await
                    .unwrap_or_else(|_| panic!("{email} is a person"));
            let ids = HashSet::from([o["id"].as_str().unwrap().to_owned()]);
            cards.push((
                email,
                Some(ids),
                template(&e.app, &e.admin, Some(person)).await,
            ));
        }
        cards.push((
            "the whole team".to_owned(),
            None,
            template(&e.app, &e.admin, None).await,
        ));
        // The template names mrr and hs_mrr, which the first sync did not
        // fetch: saving it started a run re-reading deals. Wait for it.
        let db = e.app.db().clone();
        wait_until("the run fetching the template's properties", || {
            let db = db.clone();
            async move {
                let (busy,): (i64,) = sqlx::query_as(
                    "SELECT (SELECT COUNT(*) FROM sync_runs WHERE status = 'running') \
                     + (SELECT COUNT(*) FROM synced_properties WHERE state = 'pending') \
                     + (SELECT CASE WHEN COUNT(*) = 0 THEN 1 ELSE 0 END FROM synced_properties)",
                )
                .fetch_one(&db.pool)
                .await
                .unwrap();
                busy == 0
            }
        })
        .await;
        assert!(
            owners.iter().any(|o| o["archived"] == true),
            "the sandbox has an archived owner"
        );

        let current = week_of(tz, Utc::now().timestamp_millis());
        let start = Utc::now().timestamp_millis() - i64::from(WEEKS) * 7 * 86_400_000;
        let mut weeks = vec![current];
        while *weeks.last().unwrap() > week_of(tz, start) {
            let w = *weeks.last().unwrap() - chrono::Days::new(7);
            weeks.push(w);
        }
        let lengths: HashSet<i64> = weeks
            .iter()
            .map(|w| {
                let (lo, hi) = week_bounds(tz, *w);
                hi - lo
            })
            .collect();
        assert!(lengths.len() > 1, "the window spans a DST change in {tz}");
        // Oldest first: a wrong week shows before the averages it feeds.
        weeks.reverse();

        eprintln!("{backend:?} synced at {:?}", started.elapsed());
        let rules = rules();
        let mut checked = 0;
        let mut counted = 0.0;
        for (who, owners, card) in &cards {
            let expected: Vec<BTreeMap<NaiveDate, f64>> = rules
                .iter()
                .map(|(_, _, kind, rule, sum)| weekly(&t, tz, kind, rule, sum, owners.as_ref()))
                .collect();
            for w in &weeks {
                let view = get(
                    &e.admin,
                    e.app.url(&format!("/api/v1/scorecards/{card}?week={w}")),
                )
                .await;
                assert_eq!(view["week"], w.to_string());
                for ((section, name, ..), want) in rules.iter().zip(&expected) {
                    let row = find(&view, section, name);
                    let this = want.get(w).copied().unwrap_or(0.0);
                    assert!(
                        close(row["this_week"]["value"].as_f64(), this),
                        "{backend:?} {tz} {who} {section}/{name} week {w}: Tally {} ≠ counted {this}",
                        row["this_week"]["value"]
                    );
                    let avg = quarter_average(want, *w);
                    assert!(
                        close(row["quarter_average"].as_f64(), avg),
                        "{backend:?} {tz} {who} {section}/{name} quarter average to {w}: Tally {} ≠ counted {avg}",
                        row["quarter_average"]
                    );
                    checked += 1;
                    counted += this;
                }
                // Manual rows stay empty until someone enters a value; the
                // close rate over them has nothing to divide.
                for r in rows(&view).iter().filter(|r| r["source_type"] != "synced") {
                    assert!(
                        r["this_week"]["value"].is_null(),
                        "{who} {}: {}",
                        r["name"],
                        r["this_week"]
                    );
                }
            }
        }
        assert!(
            counted > 100.0,
            "the sandbox generated activity to compare: {counted}"
        );
        eprintln!("{backend:?} checked at {:?}", started.elapsed());
        eprintln!(
            "{backend:?}: {checked} values and as many quarter averages equal the counter in {tz}"
        );
    }
}
