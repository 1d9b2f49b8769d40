//! Deliberately untidy records, placed per rep per week so they exist at any scale.
//!
//! Exists because a tidy portal let scorecard bugs pass every test. Real HubSpot portals
//! have records right around the local week start and around daylight-saving changes, a
//! custom MRR property that disagrees with `hs_mrr` and `amount`, blank strings next to
//! missing properties, activities with several contacts, owners that the owner list no
//! longer (or never) returns, and note bodies where keyword matching is easy to get wrong.
//! Tests compute the truth from the dump and compare it with what Tally shows.
//!
//! This module draws from its own random stream, so the generic data and the Fathom
//! recordings do not shift when it changes.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use super::words::*;
use super::{ContactRef, DAY, Gen, MeetingSeed, WEEK};
use crate::catalog::{self, PIPELINES};
use crate::model::{ObjectKind, Record, Val};
use crate::options::SandboxOptions;

/// The archived former rep (generated in `Gen::owners`).
pub const FORMER_OWNER_ID: u64 = 69_999_901;
/// An owner id `/crm/v3/owners` never returns (a user deleted from the portal).
pub const UNKNOWN_OWNER_ID: u64 = 88_888_888;

const MINUTE: i64 = 60_000;
/// How far boundary records sit from the boundary.
const EDGE: i64 = 20 * MINUTE;
/// Mixed into the seed for this module's random stream.
const STREAM: u64 = 0x756e_7469_6479;

/// Meeting types whose start time is sometimes missing or blank.
const START_TIME_TYPES: [&str; 3] = ["First Time Appointment", "COI", "Networking Event"];
const FTA: &str = "First Time Appointment";

/// Untidy calls per rep and week (2 at the boundary, 2 without a direction, 2 with two
/// contacts); the generic counts make room for them (see [`trimmed`]).
pub(super) const RESERVED_CALLS: usize = 6;
/// Untidy meetings per rep and week, rounded up (1 at the boundary, 1 without a start
/// time, 1 with two contacts every other week).
pub(super) const RESERVED_MEETINGS: usize = 3;
/// Untidy notes per rep and week, rounded up (2 at the boundary, 2 keyword notes, 1 with
/// two contacts every other week).
pub(super) const RESERVED_NOTES: usize = 5;

/// A generic count after making room for `reserved` untidy records: at most half fewer,
/// so small data sets keep some generic variety and the default volume stays the same.
pub(super) fn trimmed(n: usize, reserved: usize) -> usize {
    n - reserved.min(n / 2)
}

/// The instant (epoch ms) local midnight starts `date` in `tz`. An ambiguous midnight gives
/// the earlier instant; a midnight inside a DST gap gives the first valid instant after it.
pub fn local_midnight(tz: Tz, date: NaiveDate) -> i64 {
    let midnight = date.and_time(NaiveTime::MIN);
    (0..=24 * 60)
        .find_map(|m| {
            tz.from_local_datetime(&(midnight + Duration::minutes(m)))
                .earliest()
        })
        .map_or_else(
            || midnight.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

/// Local Monday midnights in `tz` (epoch ms) that fall in `[from, to]`.
pub fn local_mondays(tz: Tz, from: i64, to: i64) -> Vec<i64> {
    let Some(f) = Utc.timestamp_millis_opt(from).single() else {
        return Vec::new();
    };
    let date = f.with_timezone(&tz).date_naive();
    let mut day = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    let mut out = Vec::new();
    loop {
        let t = local_midnight(tz, day);
        if t > to {
            return out;
        }
        if t >= from {
            out.push(t);
        }
        day += Duration::days(7);
    }
}

/// The UTC offset of `tz` at `ms`, in seconds.
fn offset_at(tz: Tz, ms: i64) -> i32 {
    let t = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

/// The instants (epoch ms) in `(from, to]` at which `tz` changes its UTC offset: the first
/// millisecond of the new offset.
pub fn offset_changes(tz: Tz, from: i64, to: i64) -> Vec<i64> {
    const STEP: i64 = 3_600_000;
    let mut out = Vec::new();
    let mut t = from;
    while t < to {
        let next = (t + STEP).min(to);
        let before = offset_at(tz, t);
        if before != offset_at(tz, next) {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid) == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(hi);
        }
        t = next;
    }
    out
}

/// Which contacts the untidy records of each rep use.
struct People {
    /// Per rep: members of "Warm 250" (the rep's own first, then anyone's), at least two
    /// when the list has two.
    warm: Vec<Vec<ContactRef>>,
    /// Per rep: contacts on no list (walk-ins created here).
    unlisted: Vec<Vec<ContactRef>>,
    /// Every rep's contacts, for records whose owner is not a rep.
    all: Vec<ContactRef>,
}

/// `hs_meeting_start_time` of an untidy meeting.
#[derive(Clone, Copy, PartialEq)]
enum StartTime {
    Set,
    Missing,
    Blank,
}

/// `hs_call_direction` of an untidy call.
#[derive(Clone, Copy)]
enum Direction {
    /// INBOUND 12 % of the time, else OUTBOUND, like the generic calls.
    Usual,
    Inbound,
    /// Property left out.
    Missing,
    /// `""`.
    Blank,
}

/// The owner of an untidy record.
#[derive(Clone, Copy)]
enum Owner {
    /// A rep, by index into the owners (and Fathom users).
    Rep(usize),
    /// An owner that is not a rep.
    Id(u64),
    Blank,
}

/// The MRR-related properties of an untidy closed-won deal; `None` leaves one out.
struct Money {
    amount: i64,
    mrr: Option<Val>,
    hs_mrr: Option<Val>,
    legacy_mrr: Option<i64>,
}

impl Gen {
    /// Adds every untidy shape for the window `[start, now]`.
    pub(super) fn untidy(
        &mut self,
        opts: &SandboxOptions,
        start: i64,
        contacts: &[Vec<ContactRef>],
    ) {
        if self.scale <= 0.0 || self.now <= start || contacts.iter().all(|c| c.is_empty()) {
            return;
        }
        let main = std::mem::replace(&mut self.rng, StdRng::seed_from_u64(opts.seed ^ STREAM));
        let people = self.people(contacts, start);
        let tz = opts.tz();
        self.boundaries(tz, start, contacts.len(), &people);
        for w in 0..i64::from(opts.weeks) {
            let week_start = start + w * WEEK;
            for (rep, own) in contacts.iter().enumerate() {
                if !own.is_empty() {
                    self.untidy_rep_week(rep, w as usize, week_start, &people);
                }
            }
            self.foreign_owner_week(w as usize, week_start, &people);
        }
        self.untidy_deals(start, contacts.len(), &people);
        self.rng = main;
    }

    fn people(&mut self, contacts: &[Vec<ContactRef>], start: i64) -> People {
        let warm_ids: std::collections::BTreeSet<u64> = self
            .s
            .lists
            .iter()
            .filter(|l| l.name == "Warm 250")
            .flat_map(|l| l.members.iter().map(|m| m.0))
            .collect();
        let all: Vec<ContactRef> = contacts.iter().flatten().cloned().collect();
        let all_warm: Vec<ContactRef> = all
            .iter()
            .filter(|c| warm_ids.contains(&c.id))
            .cloned()
            .collect();
        let mut warm = Vec::with_capacity(contacts.len());
        let mut unlisted = Vec::with_capacity(contacts.len());
        for (rep, own) in contacts.iter().enumerate() {
            let mut w: Vec<ContactRef> = own
                .iter()
                .filter(|c| warm_ids.contains(&c.id))
                .cloned()
                .collect();
            for c in &all_warm {
                if w.len() >= 2 {
                    break;
                }
                if !w.iter().any(|x| x.id == c.id) {
                    w.push(c.clone());
                }
            }
            warm.push(w);
            let walk_ins = match own.first() {
                Some(like) => (0..2).map(|i| self.walk_in(rep, i, like, start)).collect(),
                None => Vec::new(),
            };
            unlisted.push(walk_ins);
        }
        People {
            warm,
            unlisted,
            all,
        }
    }

    /// A contact of `like`'s company that is on no list.
    fn walk_in(&mut self, rep: usize, i: usize, like: &ContactRef, start: i64) -> ContactRef {
        let first = *FIRST_NAMES.choose(&mut self.rng).unwrap_or(&"Alex");
        let last = *LAST_NAMES.choose(&mut self.rng).unwrap_or(&"Doe");
        let (company_name, domain) = {
            let company = self.s.table(ObjectKind::Companies).get(like.company);
            (
                company
                    .and_then(|r| self.s.prop_string(r, "name"))
                    .unwrap_or_default(),
                company
                    .and_then(|r| self.s.prop_string(r, "domain"))
                    .unwrap_or_else(|| "example.com".into()),
            )
        };
        let email = format!(
            "{}.{}.{rep}{i}@{domain}",
            first.to_lowercase(),
            last.to_lowercase()
        );
        let title = *OTHER_TITLES
            .choose(&mut self.rng)
            .unwrap_or(&"Office Manager");
        let created = start - self.rng.gen_range(10..200) * DAY;
        let updated = self.rng.gen_range(created..self.now.max(created + 1));
        let owner = self.s.owners[rep].id as i64;
        let props = vec![
            (self.key("firstname"), self.sym(first)),
            (self.key("lastname"), self.sym(last)),
            (self.key("email"), self.sym(&email)),
            (self.key("jobtitle"), self.sym(title)),
            (self.key("company"), self.sym(&company_name)),
            (self.key("lifecyclestage"), self.sym("lead")),
            (self.key("hubspot_owner_id"), Val::Num(owner)),
            (
                self.key("associatedcompanyid"),
                Val::Num(like.company as i64),
            ),
        ];
        let id = self.s.alloc_id();
        self.s.insert(
            ObjectKind::Contacts,
            Record {
                id,
                created,
                updated,
                archived: false,
                props: props.into_boxed_slice(),
                assoc: vec![(ObjectKind::Companies, like.company)],
            },
        );
        ContactRef {
            id,
            company: like.company,
            first,
            last,
            email,
            dm: false,
        }
    }

    /// Records ±20 minutes around every local Monday midnight and every UTC-offset change
    /// of the portal's time zone, and a completed first-time appointment 20 minutes after
    /// each local Monday midnight.
    fn boundaries(&mut self, tz: Tz, start: i64, reps: usize, people: &People) {
        let mondays = local_mondays(tz, start - EDGE, self.now + EDGE);
        let changes = offset_changes(tz, start, self.now);
        for rep in 0..reps {
            let Some(c) = people.warm[rep].first().cloned() else {
                continue;
            };
            let owner = Owner::Rep(rep);
            for (i, &m) in mondays.iter().enumerate() {
                let c = people.warm[rep][i % people.warm[rep].len()].clone();
                self.edge_pair(m, start, owner, &c);
                let begin = m + EDGE + self.rng.gen_range(0..MINUTE);
                self.meeting(begin, start, owner, FTA, StartTime::Set, &[&c]);
            }
            for &t in &changes {
                self.edge_pair(t, start, owner, &c);
            }
        }
    }

    /// A call and a note 20 minutes before `at`, and a call and a note 20 minutes after.
    fn edge_pair(&mut self, at: i64, start: i64, owner: Owner, c: &ContactRef) {
        for side in [-EDGE, EDGE] {
            let ts = at + side + self.rng.gen_range(0..MINUTE);
            let connected = self.rng.gen_bool(0.5);
            self.call(ts, start, owner, Direction::Usual, connected, &[c]);
            let body = *OTHER_NOTES
                .choose(&mut self.rng)
                .unwrap_or(&"Left a voicemail.");
            self.note(ts + MINUTE, start, owner, body, &[c]);
        }
    }

    fn untidy_rep_week(&mut self, rep: usize, w: usize, week_start: i64, people: &People) {
        let owner = Owner::Rep(rep);
        let warm = &people.warm[rep];
        let unlisted = &people.unlisted[rep];
        let (Some(first_warm), Some(walk_in)) =
            (warm.first(), unlisted.get(w % unlisted.len().max(1)))
        else {
            return;
        };
        let a = warm[(2 * w) % warm.len()].clone();
        let b = warm[(2 * w + 1) % warm.len()].clone();
        let (first_warm, walk_in) = (first_warm.clone(), walk_in.clone());
        let two_warm = a.id != b.id;

        // Calls without a direction: one missing, one blank.
        for dir in [Direction::Missing, Direction::Blank] {
            let ts = self.time_in_week(week_start);
            let connected = self.rng.gen_bool(0.3);
            self.call(ts, week_start, owner, dir, connected, &[&a]);
        }
        // A completed meeting without a start time: missing or blank in turn, over the
        // three meeting types.
        let v = rep + w;
        let st = if v.is_multiple_of(2) {
            StartTime::Missing
        } else {
            StartTime::Blank
        };
        let mtype = START_TIME_TYPES[(v / 2 + rep) % START_TIME_TYPES.len()];
        let ts = self.time_in_week(week_start);
        self.meeting(ts, week_start, owner, mtype, st, &[&b]);
        // Several contacts: two Warm 250 members, and one member with one non-member. Calls
        // every week; a note or a meeting in turn.
        if two_warm {
            let ts = self.time_in_week(week_start);
            self.call(ts, week_start, owner, Direction::Usual, true, &[&a, &b]);
        }
        let ts = self.time_in_week(week_start);
        self.call(
            ts,
            week_start,
            owner,
            Direction::Usual,
            true,
            &[&first_warm, &walk_in],
        );
        let pair: [&ContactRef; 2] = if (v / 2).is_multiple_of(2) && two_warm {
            [&a, &b]
        } else {
            [&a, &walk_in]
        };
        let ts = self.time_in_week(week_start);
        if v.is_multiple_of(2) {
            self.meeting(ts, week_start, owner, FTA, StartTime::Set, &pair);
        } else {
            let body = *DM_NOTES
                .choose(&mut self.rng)
                .unwrap_or(&"Spoke with the owner.");
            self.note(ts, week_start, owner, body, &pair);
        }
        // Keyword near-misses and tricky matches.
        let reps = people.warm.len();
        let i = rep + w * reps;
        let near = NEAR_MISS_NOTES[i % NEAR_MISS_NOTES.len()];
        let tricky = TRICKY_DM_NOTES[i % TRICKY_DM_NOTES.len()];
        let ts = self.time_in_week(week_start);
        self.note(ts, week_start, owner, near, &[&a]);
        let ts = self.time_in_week(week_start);
        self.note(ts, week_start, owner, tricky, &[&b]);
    }

    /// A week of records by the archived former rep, by an owner the owner list does not
    /// know, and with a blank owner.
    fn foreign_owner_week(&mut self, w: usize, week_start: i64, people: &People) {
        if people.all.is_empty() {
            return;
        }
        let pick = |k: usize| people.all[(w * 7 + k) % people.all.len()].clone();
        for (k, id) in [FORMER_OWNER_ID, UNKNOWN_OWNER_ID].into_iter().enumerate() {
            let owner = Owner::Id(id);
            let c = pick(k);
            let ts = self.time_in_week(week_start);
            self.call(ts, week_start, owner, Direction::Usual, true, &[&c]);
            let ts = self.time_in_week(week_start);
            let body = *DM_NOTES
                .choose(&mut self.rng)
                .unwrap_or(&"Spoke with the owner.");
            self.note(ts, week_start, owner, body, &[&c]);
            let ts = self.time_in_week(week_start);
            self.meeting(ts, week_start, owner, FTA, StartTime::Set, &[&c]);
        }
        let c = pick(2);
        let ts = self.time_in_week(week_start);
        self.call(
            ts,
            week_start,
            Owner::Blank,
            Direction::Inbound,
            true,
            &[&c],
        );
        let ts = self.time_in_week(week_start);
        self.note(
            ts,
            week_start,
            Owner::Blank,
            "Inbound call from the main line; nobody assigned yet.",
            &[&c],
        );
    }

    /// Closed-won deals inside the window whose MRR properties disagree, per rep, plus one
    /// each for the former rep and the unknown owner.
    fn untidy_deals(&mut self, start: i64, reps: usize, people: &People) {
        let span = self.now - start;
        let at = |g: &mut Gen, frac: f64, rep: usize| {
            let t = start
                + (span as f64 * frac) as i64
                + rep as i64 * 3 * 3_600_000
                + g.rng.gen_range(0..3_600_000);
            t.clamp(start + MINUTE, g.now - MINUTE)
        };
        for rep in 0..reps {
            let Some(c) = people.warm[rep].first().cloned() else {
                continue;
            };
            let owner = Owner::Rep(rep);
            let m = self.rng.gen_range(20..120) * 50;
            let shapes = [
                // (a) custom mrr differs from both hs_mrr and amount.
                Money {
                    amount: 12 * m,
                    mrr: Some(Val::Num(m)),
                    hs_mrr: Some(Val::Num(m - self.rng.gen_range(2..10) * 50)),
                    legacy_mrr: Some(m + self.rng.gen_range(1..6) * 50),
                },
                // (b) mrr without hs_mrr; amount adds a setup fee.
                {
                    let m = self.rng.gen_range(20..140) * 50;
                    Money {
                        amount: m + self.rng.gen_range(2..20) * 50,
                        mrr: Some(Val::Num(m)),
                        hs_mrr: None,
                        legacy_mrr: (rep % 2 == 0).then(|| m - self.rng.gen_range(1..8) * 50),
                    }
                },
                // (c) blank mrr, hs_mrr set.
                {
                    let h = self.rng.gen_range(10..100) * 50;
                    Money {
                        amount: 12 * h,
                        mrr: Some(Val::Str("".into())),
                        hs_mrr: Some(Val::Num(h)),
                        legacy_mrr: None,
                    }
                },
                // (d) a real zero: a one-off project.
                Money {
                    amount: self.rng.gen_range(3..30) * 100,
                    mrr: Some(Val::Num(0)),
                    hs_mrr: None,
                    legacy_mrr: None,
                },
                // (e) no mrr at all, blank hs_mrr.
                Money {
                    amount: self.rng.gen_range(10..80) * 100,
                    mrr: None,
                    hs_mrr: Some(Val::Str("".into())),
                    legacy_mrr: None,
                },
            ];
            for (k, money) in shapes.into_iter().enumerate() {
                let close = at(self, (2 * k + 1) as f64 / 10.0, rep);
                self.won_deal(close, owner, (rep + k) % PIPELINES.len(), money, &c);
            }
        }
        for (k, id) in [FORMER_OWNER_ID, UNKNOWN_OWNER_ID].into_iter().enumerate() {
            let Some(c) = people.all.get(k).cloned() else {
                continue;
            };
            let m = self.rng.gen_range(20..80) * 50;
            let close = at(self, 0.3 + 0.4 * k as f64, 0);
            let money = Money {
                amount: 12 * m,
                mrr: Some(Val::Num(m)),
                hs_mrr: Some(Val::Num(m)),
                legacy_mrr: None,
            };
            self.won_deal(close, Owner::Id(id), k % PIPELINES.len(), money, &c);
        }
    }

    /// A weekday business-hours instant of the week starting at `week_start` that is not
    /// before it and not after now (so a deliberate shape is never skipped).
    fn time_in_week(&mut self, week_start: i64) -> i64 {
        for _ in 0..16 {
            let t = self.business_time(week_start);
            if t >= week_start && t <= self.now {
                return t;
            }
        }
        week_start + (self.now - week_start).clamp(0, WEEK) / 2
    }

    fn owner_val(&self, owner: Owner) -> Val {
        match owner {
            Owner::Rep(rep) => Val::Num(self.s.owners.get(rep).map_or(0, |o| o.id as i64)),
            Owner::Id(id) => Val::Num(id as i64),
            Owner::Blank => Val::Str("".into()),
        }
    }

    fn won_deal(&mut self, close: i64, owner: Owner, pi: usize, money: Money, c: &ContactRef) {
        let pipeline = &PIPELINES[pi];
        let Some(stage) = pipeline.stages.iter().find(|s| s.3 && s.2 == "1.0") else {
            return;
        };
        let product = *DEAL_PRODUCTS.choose(&mut self.rng).unwrap_or(&"Managed IT");
        let company_name = self
            .s
            .table(ObjectKind::Companies)
            .get(c.company)
            .and_then(|r| self.s.prop_string(r, "name"))
            .unwrap_or_default();
        let created = close - self.rng.gen_range(7..60) * DAY;
        let dealtype = if self.rng.gen_bool(0.7) {
            "newbusiness"
        } else {
            "existingbusiness"
        };
        let mut props = vec![
            (
                self.key("dealname"),
                Val::Str(format!("{company_name} - {product}").into()),
            ),
            (self.key("amount"), Val::Num(money.amount)),
            (self.key("closedate"), Val::Ts(close)),
            (self.key("dealstage"), self.sym(stage.0)),
            (self.key("pipeline"), self.sym(pipeline.id)),
            (self.key("dealtype"), self.sym(dealtype)),
            (self.key("hs_is_closed"), self.sym("true")),
            (self.key("hs_is_closed_won"), self.sym("true")),
            (self.key("hubspot_owner_id"), self.owner_val(owner)),
        ];
        if let Some(v) = money.mrr {
            props.push((self.key("mrr"), v));
        }
        if let Some(v) = money.hs_mrr {
            props.push((self.key("hs_mrr"), v));
        }
        if let Some(v) = money.legacy_mrr {
            props.push((self.key("monthly_recurring_revenue"), Val::Num(v)));
        }
        self.push(
            ObjectKind::Deals,
            created,
            props,
            vec![
                (ObjectKind::Contacts, c.id),
                (ObjectKind::Companies, c.company),
            ],
        );
    }

    /// A call at `ts` (skipped outside `[floor, now]`).
    fn call(
        &mut self,
        ts: i64,
        floor: i64,
        owner: Owner,
        direction: Direction,
        connected: bool,
        who: &[&ContactRef],
    ) {
        if ts < floor || ts > self.now {
            return;
        }
        let Some(c) = who.first() else { return };
        let (disp, status, secs, body) = if connected {
            (
                catalog::DISP_CONNECTED,
                "COMPLETED",
                self.rng.gen_range(90..1500),
                *CALL_BODIES_CONNECTED
                    .choose(&mut self.rng)
                    .unwrap_or(&"Connected."),
            )
        } else {
            (
                catalog::DISP_NO_ANSWER,
                "NO_ANSWER",
                self.rng.gen_range(0..30),
                "No answer.",
            )
        };
        let title = format!("Call with {} {}", c.first, c.last);
        let mut props = vec![
            (self.key("hs_timestamp"), Val::Ts(ts)),
            (self.key("hs_call_title"), self.sym(&title)),
            (self.key("hs_call_body"), self.sym(body)),
            (self.key("hs_call_disposition"), self.sym(disp)),
            (
                self.key("hs_call_duration"),
                Val::Num(secs * 1000 + self.rng.gen_range(0..1000)),
            ),
            (self.key("hs_call_status"), self.sym(status)),
            (self.key("hubspot_owner_id"), self.owner_val(owner)),
        ];
        let direction = match direction {
            Direction::Usual if self.rng.gen_bool(0.12) => Some("INBOUND"),
            Direction::Usual => Some("OUTBOUND"),
            Direction::Inbound => Some("INBOUND"),
            Direction::Missing => None,
            Direction::Blank => Some(""),
        };
        if let Some(d) = direction {
            props.push((self.key("hs_call_direction"), self.sym(d)));
        }
        let created = (ts + self.rng.gen_range(1000..120_000)).min(self.now);
        let assoc = who.iter().map(|c| (ObjectKind::Contacts, c.id)).collect();
        self.push(ObjectKind::Calls, created, props, assoc);
    }

    /// A completed meeting starting at `begin` (skipped unless it ends in `[floor, now]`).
    fn meeting(
        &mut self,
        begin: i64,
        floor: i64,
        owner: Owner,
        mtype: &str,
        start_time: StartTime,
        who: &[&ContactRef],
    ) {
        let end = begin + [30, 45, 60][self.rng.gen_range(0..3)] * MINUTE;
        if begin < floor || end > self.now {
            return;
        }
        let Some(c) = who.first() else { return };
        let title = format!("{mtype}: {} {}", c.first, c.last);
        let location = if self.rng.gen_bool(0.5) {
            "Zoom"
        } else {
            "On site"
        };
        let mut props = vec![
            (self.key("hs_timestamp"), Val::Ts(begin)),
            (self.key("hs_meeting_title"), self.sym(&title)),
            (
                self.key("hs_meeting_body"),
                self.sym("Agenda: current IT setup and pain points."),
            ),
            (self.key("hs_meeting_end_time"), Val::Ts(end)),
            (self.key("hs_meeting_outcome"), self.sym("COMPLETED")),
            (self.key("hs_activity_type"), self.sym(mtype)),
            (self.key("hs_meeting_location"), self.sym(location)),
            (self.key("hubspot_owner_id"), self.owner_val(owner)),
        ];
        match start_time {
            StartTime::Set => props.push((self.key("hs_meeting_start_time"), Val::Ts(begin))),
            StartTime::Blank => {
                props.push((self.key("hs_meeting_start_time"), Val::Str("".into())));
            }
            StartTime::Missing => {}
        }
        let booked = (begin - self.rng.gen_range(1..15) * DAY).min(self.now);
        let assoc = who.iter().map(|c| (ObjectKind::Contacts, c.id)).collect();
        self.push(ObjectKind::Meetings, booked, props, assoc);
        // Reps record most of their completed meetings in Fathom, as in `rep_week`.
        if let Owner::Rep(rep) = owner
            && self.rng.gen_bool(0.85)
        {
            self.untidy_recordings.push(MeetingSeed {
                rep,
                title,
                start: begin,
                end,
                contact_name: format!("{} {}", c.first, c.last),
                contact_email: c.email.clone(),
            });
        }
    }

    /// A note at `ts` (skipped outside `[floor, now]`).
    fn note(&mut self, ts: i64, floor: i64, owner: Owner, body: &str, who: &[&ContactRef]) {
        if ts < floor || ts > self.now || who.is_empty() {
            return;
        }
        let props = vec![
            (self.key("hs_timestamp"), Val::Ts(ts)),
            (self.key("hs_note_body"), self.sym(body)),
            (self.key("hubspot_owner_id"), self.owner_val(owner)),
        ];
        let assoc = who.iter().map(|c| (ObjectKind::Contacts, c.id)).collect();
        self.push(ObjectKind::Notes, ts, props, assoc);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid")
            .timestamp_millis()
    }

    #[test]
    fn new_york_mondays_follow_the_dst_change() {
        let tz = chrono_tz::America::New_York;
        let m = local_mondays(tz, ms(2026, 10, 20, 0, 0), ms(2026, 11, 10, 0, 0));
        // 2026-10-26 00:00 EDT = 04:00Z; 2026-11-02 and -09 00:00 EST = 05:00Z.
        assert_eq!(
            m,
            vec![
                ms(2026, 10, 26, 4, 0),
                ms(2026, 11, 2, 5, 0),
                ms(2026, 11, 9, 5, 0)
            ]
        );
    }

    #[test]
    fn offset_changes_are_found_to_the_millisecond() {
        let tz = chrono_tz::America::New_York;
        // 2026-11-01 02:00 EDT = 06:00Z.
        assert_eq!(
            offset_changes(tz, ms(2026, 10, 20, 0, 0), ms(2026, 11, 10, 0, 0)),
            vec![ms(2026, 11, 1, 6, 0)]
        );
        assert!(
            offset_changes(chrono_tz::UTC, ms(2026, 1, 1, 0, 0), ms(2026, 12, 1, 0, 0)).is_empty()
        );
    }

    #[test]
    fn a_midnight_in_a_gap_becomes_the_first_valid_instant() {
        // Chile springs forward at local midnight: 2026-09-06 00:00 does not exist in
        // America/Santiago; the day starts at 01:00 -03 = 04:00Z.
        let tz = chrono_tz::America::Santiago;
        let d = NaiveDate::from_ymd_opt(2026, 9, 6).expect("valid");
        assert_eq!(local_midnight(tz, d), ms(2026, 9, 6, 4, 0));
        // Cuba falls back from 01:00 to 00:00: 2026-11-01 00:00 happens twice in
        // America/Havana (04:00Z at -04, 05:00Z at -05); the earlier counts.
        let tz = chrono_tz::America::Havana;
        let d = NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid");
        assert_eq!(local_midnight(tz, d), ms(2026, 11, 1, 4, 0));
    }

    #[test]
    fn trimming_keeps_at_least_half() {
        assert_eq!(trimmed(40, 6), 34);
        assert_eq!(trimmed(6, 3), 3);
        assert_eq!(trimmed(3, 6), 2);
        assert_eq!(trimmed(0, 6), 0);
    }
}
