//! Deterministic generation of the Aircall account's calls.
//!
//! Exists so the same `seed`, `weeks`, `scale`, `now` and time zone always give the same
//! calls (its own rng stream, so it never shifts the HubSpot data): about 30 outbound
//! calls per rep per week plus inbound calls, in local business hours of `opts.tz()`.
//! It also plants the untidy shapes real accounts have, each at least once at any
//! positive scale: outbound calls nobody answered (`answered_at` null, a short ring, no
//! `missed_call_reason`), inbound calls nobody took (`user` null, a `missed_call_reason`),
//! zero-duration calls, calls by a user deleted since, calls a minute before and after
//! local Monday midnight (week edges), a second login of one rep, and archived calls.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{Call, Direction, MISSED_CALL_REASONS};
use super::team::{self, SALES_LINE, SUPPORT_LINE, Team};
use crate::options::SandboxOptions;
use crate::store::Store;

const DAY_MS: i64 = 86_400_000;
const WEEK_MS: i64 = 7 * DAY_MS;
/// Separates this generator's rng stream from the HubSpot one.
const STREAM: u64 = 0xA1CA_11A1_CA11_0001;
/// The first generated call id (Aircall's are large, increasing integers).
const FIRST_CALL_ID: i64 = 2_140_000_000;

/// How a call went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Answered,
    /// Rang out: nobody picked up.
    Unanswered,
    /// Hung up at once: `duration` 0.
    Zero,
    /// Inbound, nobody took it.
    Missed(&'static str),
}

/// Everything the simulator starts with.
#[derive(Debug)]
pub struct Generated {
    pub team: Team,
    /// Sorted by `(started_at, id)`.
    pub calls: Vec<Call>,
}

struct Gen {
    rng: StdRng,
    tz: Tz,
    start: i64,
    now: i64,
    scale: f64,
    calls: Vec<Call>,
}

/// Local midnight of `day` in `tz` (epoch ms); 01:00 if midnight doesn't exist that day.
fn local_midnight(tz: Tz, day: NaiveDate) -> Option<i64> {
    [0, 1].iter().find_map(|h| {
        let t = day.and_hms_opt(*h, 0, 0)?;
        tz.from_local_datetime(&t)
            .earliest()
            .map(|x| x.timestamp_millis())
    })
}

/// Local Monday dates whose weeks overlap `[from, to]` (epoch ms).
fn local_mondays(tz: Tz, from: i64, to: i64) -> Vec<NaiveDate> {
    let Some(f) = Utc.timestamp_millis_opt(from).single() else {
        return Vec::new();
    };
    let date = f.with_timezone(&tz).date_naive();
    let mut day = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    let mut out = Vec::new();
    while local_midnight(tz, day).is_some_and(|t| t <= to) {
        out.push(day);
        day += Duration::days(7);
    }
    out
}

impl Gen {
    /// `base * scale`, jittered, the fraction rounded randomly.
    fn count(&mut self, base: f64) -> usize {
        let x = base * self.scale * self.rng.gen_range(0.6..1.4);
        let whole = x.floor();
        whole as usize + usize::from(self.rng.gen_bool((x - whole).clamp(0.0, 1.0)))
    }

    /// A local time on `day` + `offset` days between `from_h` and `to_h` o'clock.
    fn local_time(&mut self, monday: NaiveDate, offset: i64, from_h: u32, to_h: u32) -> i64 {
        let day = monday + Duration::days(offset);
        let h = self.rng.gen_range(from_h..to_h);
        let (m, s) = (self.rng.gen_range(0..60), self.rng.gen_range(0..60));
        day.and_hms_opt(h, m, s)
            .and_then(|t| self.tz.from_local_datetime(&t).earliest())
            .map_or(i64::MIN, |t| t.timestamp_millis())
    }

    /// A weekday, 08:00-17:59 local.
    fn business_time(&mut self, monday: NaiveDate) -> i64 {
        let d = self.rng.gen_range(0..5);
        self.local_time(monday, d, 8, 18)
    }

    /// An evening or a Saturday, local.
    fn after_hours(&mut self, monday: NaiveDate) -> i64 {
        if self.rng.gen_bool(0.5) {
            self.local_time(monday, 5, 9, 17)
        } else {
            let d = self.rng.gen_range(0..5);
            self.local_time(monday, d, 19, 23)
        }
    }

    fn outbound_outcome(&mut self) -> Outcome {
        match self.rng.gen_range(0..100) {
            0..=59 => Outcome::Answered,
            60..=96 => Outcome::Unanswered,
            _ => Outcome::Zero,
        }
    }

    /// Adds a call starting at `at` (epoch ms) if it falls inside the window.
    fn call(
        &mut self,
        direction: Direction,
        at: i64,
        user: Option<i64>,
        line: usize,
        outcome: Outcome,
        callee: Option<&team::Callee>,
    ) {
        if at < self.start || at > self.now {
            return;
        }
        let started = at.div_euclid(1000);
        let r = &mut self.rng;
        let (answered, ended, reason, recording, voicemail) = match outcome {
            Outcome::Answered => {
                let ring = r.gen_range(3..25);
                let talk = r.gen_range(20..900);
                let rec = r.gen_bool(0.7);
                (
                    Some(started + ring),
                    started + ring + talk,
                    None,
                    rec,
                    false,
                )
            }
            Outcome::Unanswered => (None, started + r.gen_range(4..45), None, false, false),
            Outcome::Zero => (None, started, None, false, false),
            Outcome::Missed(reason) => {
                let len = match reason {
                    "out_of_opening_hours" => r.gen_range(0..12),
                    "short_abandoned" => r.gen_range(1..6),
                    "abandoned_in_ivr" => r.gen_range(8..40),
                    _ => r.gen_range(15..70),
                };
                let vm = matches!(
                    reason,
                    "out_of_opening_hours" | "no_available_agent" | "agents_did_not_answer"
                ) && r.gen_bool(0.5);
                (None, started + len, Some(reason), false, vm)
            }
        };
        let raw_digits = callee.map_or_else(|| team::stranger(r), |c| c.digits.clone());
        let contact = match callee {
            Some(c) if r.gen_bool(0.4) => Some(team::contact(r, c, started - 30 * 86_400)),
            _ => None,
        };
        let sid = format!("CA{:032x}", r.r#gen::<u128>());
        let assigned_to = match (direction, answered) {
            (Direction::Inbound, Some(_)) => user,
            _ => None,
        };
        self.calls.push(Call {
            id: 0,
            sid,
            direction,
            started_at: started,
            answered_at: answered,
            ended_at: ended,
            raw_digits,
            user,
            assigned_to,
            number: line,
            missed_call_reason: reason,
            recording,
            voicemail,
            archived: false,
            contact,
        });
    }

    fn pick<'a>(&mut self, t: &'a Team, rep: usize) -> Option<&'a team::Callee> {
        let list = t.callees.get(rep)?;
        if list.is_empty() {
            return None;
        }
        list.get(self.rng.gen_range(0..list.len()))
    }

    /// One rep's week: outbound dials (some from their second login) and inbound calls.
    fn rep_week(&mut self, t: &Team, rep: usize, uid: i64, monday: NaiveDate) {
        for _ in 0..self.count(30.0) {
            let at = self.business_time(monday);
            let user = match t.alias {
                Some((r, alias)) if r == rep && self.rng.gen_bool(0.1) => alias,
                _ => uid,
            };
            let outcome = self.outbound_outcome();
            let callee = self.pick(t, rep);
            self.call(
                Direction::Outbound,
                at,
                Some(user),
                SALES_LINE,
                outcome,
                callee,
            );
        }
        for _ in 0..self.count(6.0) {
            let at = self.business_time(monday);
            let callee = self.pick(t, rep);
            let line = SALES_LINE;
            self.call(
                Direction::Inbound,
                at,
                Some(uid),
                line,
                Outcome::Answered,
                callee,
            );
        }
    }

    /// The calls nobody took, the support desk's, and the deleted user's.
    fn shared_week(&mut self, t: &Team, monday: NaiveDate, first_half: bool) {
        for _ in 0..self.count(2.0 * t.reps.len().max(1) as f64) {
            let reason = MISSED_CALL_REASONS[self.rng.gen_range(0..MISSED_CALL_REASONS.len())];
            self.missed(monday, reason);
        }
        for _ in 0..self.count(12.0) {
            let at = self.business_time(monday);
            let s = Some(t.support);
            self.call(
                Direction::Inbound,
                at,
                s,
                SUPPORT_LINE,
                Outcome::Answered,
                None,
            );
        }
        if first_half {
            for _ in 0..self.count(20.0) {
                let at = self.business_time(monday);
                let outcome = self.outbound_outcome();
                let d = Some(t.deleted);
                self.call(Direction::Outbound, at, d, SALES_LINE, outcome, None);
            }
        }
    }

    fn missed(&mut self, monday: NaiveDate, reason: &'static str) {
        let at = if reason == "out_of_opening_hours" {
            self.after_hours(monday)
        } else {
            self.business_time(monday)
        };
        let line = if self.rng.gen_bool(0.5) {
            SALES_LINE
        } else {
            SUPPORT_LINE
        };
        self.call(
            Direction::Inbound,
            at,
            None,
            line,
            Outcome::Missed(reason),
            None,
        );
    }

    /// A call just before and one just after each local Monday midnight.
    fn week_edges(&mut self, t: &Team, mondays: &[NaiveDate]) {
        if t.reps.is_empty() {
            return;
        }
        for (i, &m) in mondays.iter().enumerate() {
            let Some(midnight) = local_midnight(self.tz, m) else {
                continue;
            };
            let rep = i % t.reps.len();
            for side in [-1, 1] {
                let at = midnight + side * self.rng.gen_range(20_000..110_000);
                let callee = self.pick(t, rep);
                let u = Some(t.reps[rep]);
                self.call(
                    Direction::Outbound,
                    at,
                    u,
                    SALES_LINE,
                    Outcome::Answered,
                    callee,
                );
            }
        }
    }

    /// One of each untidy shape, so every data set has them.
    fn guaranteed(&mut self, t: &Team, mondays: &[NaiveDate]) {
        let Some(&last) = mondays.last() else {
            return;
        };
        // The newest full week, so the calls fall inside the window.
        let week = if mondays.len() >= 2 {
            mondays[mondays.len() - 2]
        } else {
            last
        };
        for reason in MISSED_CALL_REASONS {
            self.missed(week, reason);
        }
        if let Some(&rep) = t.reps.first() {
            for outcome in [Outcome::Unanswered, Outcome::Zero] {
                let at = self.business_time(week);
                self.call(
                    Direction::Outbound,
                    at,
                    Some(rep),
                    SALES_LINE,
                    outcome,
                    None,
                );
            }
        }
        let oldest = mondays.get(1).copied().unwrap_or(last);
        for outcome in [Outcome::Answered, Outcome::Unanswered] {
            let at = self.business_time(oldest);
            let d = Some(t.deleted);
            self.call(Direction::Outbound, at, d, SALES_LINE, outcome, None);
        }
    }

    /// Archives about 3% of the calls (at least one), then sorts and numbers them.
    fn finish(&mut self) {
        for c in &mut self.calls {
            c.archived = self.rng.gen_bool(0.03);
        }
        let n = self.calls.len();
        if n > 0 && !self.calls.iter().any(|c| c.archived) {
            self.calls[n / 2].archived = true;
        }
        self.calls
            .sort_by(|a, b| (a.started_at, &a.sid).cmp(&(b.started_at, &b.sid)));
        let mut id = FIRST_CALL_ID;
        for c in &mut self.calls {
            id += self.rng.gen_range(1..40);
            c.id = id;
        }
    }
}

/// Generates the account and its calls for `opts`, for the team in `store`.
pub fn generate(opts: &SandboxOptions, store: &Store) -> Generated {
    let mut rng = StdRng::seed_from_u64(opts.seed ^ STREAM);
    let t = team::team(&mut rng, opts, store);
    let now = opts.now.timestamp_millis();
    let start = now - i64::from(opts.weeks) * WEEK_MS;
    let mut g = Gen {
        rng,
        tz: opts.tz(),
        start,
        now,
        scale: opts.scale.max(0.0),
        calls: Vec::new(),
    };
    if g.scale > 0.0 && opts.weeks > 0 {
        let mondays = local_mondays(g.tz, start, now);
        let half = mondays.len() / 2;
        for (w, &monday) in mondays.iter().enumerate() {
            for (rep, &uid) in t.reps.iter().enumerate() {
                g.rep_week(&t, rep, uid, monday);
            }
            g.shared_week(&t, monday, w <= half);
        }
        g.week_edges(&t, &mondays);
        g.guaranteed(&t, &mondays);
    }
    g.finish();
    Generated {
        team: t,
        calls: g.calls,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mondays_are_local_and_weekly() {
        let tz: Tz = "Europe/Berlin".parse().unwrap();
        let from = Utc
            .with_ymd_and_hms(2026, 3, 18, 12, 0, 0)
            .unwrap()
            .timestamp_millis();
        let m = local_mondays(tz, from, from + 15 * DAY_MS);
        assert_eq!(m.len(), 3);
        assert!(m.iter().all(|d| d.weekday() == chrono::Weekday::Mon));
        assert_eq!(m[0], NaiveDate::from_ymd_opt(2026, 3, 16).unwrap());
    }
}
