//! Deterministic generation of the Autotask database: resources, tickets and
//! time entries.
//!
//! Exists so the same `seed`, `weeks`, `scale`, `now` and time zone always
//! give the same records (its own rng stream, so it never shifts the HubSpot
//! data), for the same team as the HubSpot owners: one resource per active
//! owner (same email), the archived owner as an inactive resource, a
//! helpdesk technician HubSpot does not know and the API user itself (blank
//! email). It plants the untidy shapes real databases have, each at least
//! once at any positive scale: a resource email in other case with spaces
//! around it, tickets with no queue or no assigned resource, reopened
//! tickets (`completedDate` cleared), tickets closed just after local
//! midnight (not the same day) and ones opened just after it, weekend
//! alerts, hours-only time entries (no start and end), non-billable and
//! zero-hour entries, entries on project tasks instead of tickets, and
//! entries edited days after they were entered.

use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc, Weekday};
use chrono_tz::Tz;
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::model::{
    COMPLETE, IN_PROGRESS, NEW, QUEUES, Resource, Ticket, TimeEntry, WAITING_CUSTOMER,
};
use crate::options::SandboxOptions;
use crate::store::Store;

const MINUTE_MS: i64 = 60_000;
const HOUR_MS: i64 = 60 * MINUTE_MS;
const DAY_MS: i64 = 24 * HOUR_MS;
/// Separates this generator's rng stream from the others.
const STREAM: u64 = 0xA070_7A5C_0000_0001;
/// The first generated ids (Autotask's are plain increasing integers).
pub const FIRST_RESOURCE_ID: i64 = 29_682_885;
pub const FIRST_TICKET_ID: i64 = 41_200;
pub const FIRST_TIME_ENTRY_ID: i64 = 1_880_000;
/// Days before `now` the inactive resource stopped working.
const LEFT_DAYS: i64 = 30;

const TITLES: &[&str] = &[
    "Printer offline on 2nd floor",
    "Cannot connect to VPN",
    "New starter laptop set-up",
    "Backup job failed",
    "Disk space low on FS01",
    "Outlook keeps asking for password",
    "Firewall firmware update",
    "Password reset",
    "Teams calls dropping",
    "Server CPU alert",
];

/// Everything the simulator starts with, each list in id order.
#[derive(Debug, Default)]
pub struct Generated {
    pub resources: Vec<Resource>,
    pub tickets: Vec<Ticket>,
    pub time_entries: Vec<TimeEntry>,
}

struct Gen {
    rng: StdRng,
    tz: Tz,
    now: i64,
    scale: f64,
    tickets: Vec<Ticket>,
    entries: Vec<TimeEntry>,
    per_day: std::collections::HashMap<NaiveDate, u32>,
}

/// `ms` on the local calendar.
fn local_date(tz: Tz, ms: i64) -> NaiveDate {
    Utc.timestamp_millis_opt(ms)
        .single()
        .unwrap_or_default()
        .with_timezone(&tz)
        .date_naive()
}

/// `h:m` local on `day` (epoch ms); the next existing instant in a DST gap.
fn local_at(tz: Tz, day: NaiveDate, h: u32, m: u32) -> i64 {
    (0..3)
        .find_map(|extra| {
            let t = day.and_hms_opt((h + extra).min(23), m, 0)?;
            tz.from_local_datetime(&t).earliest()
        })
        .map_or(0, |t| t.timestamp_millis())
}

impl Gen {
    /// `base * scale`, jittered, the fraction rounded randomly.
    fn count(&mut self, base: f64) -> usize {
        let x = base * self.scale * self.rng.gen_range(0.6..1.4);
        let whole = x.floor();
        whole as usize + usize::from(self.rng.gen_bool((x - whole).clamp(0.0, 1.0)))
    }

    fn queue(&mut self) -> Option<i64> {
        let q = match self.rng.gen_range(0..100) {
            0..=39 => 0,
            40..=54 => 1,
            55..=74 => 2,
            75..=82 => 3,
            83..=94 => 4,
            _ => return None,
        };
        Some(QUEUES[q].value)
    }

    /// Adds a ticket created at `created`; `close` is when it was completed
    /// (`None`: still open), `reopened` clears that again.
    fn ticket(&mut self, created: i64, resource: Option<i64>, close: Option<i64>, reopened: bool) {
        if created > self.now {
            return;
        }
        let day = local_date(self.tz, created);
        let seq = self.per_day.entry(day).or_default();
        *seq += 1;
        let number = format!("T{}.{:04}", day.format("%Y%m%d"), *seq);
        let close = close.filter(|c| *c <= self.now);
        let (status, completed, last) = match (close, reopened) {
            (Some(c), false) => (COMPLETE, Some(c), c),
            (Some(c), true) => (IN_PROGRESS, None, (c + 2 * HOUR_MS).min(self.now)),
            (None, _) => {
                let status = [NEW, IN_PROGRESS, WAITING_CUSTOMER][self.rng.gen_range(0..3)];
                let touched = created + self.rng.gen_range(0..3 * DAY_MS);
                (status, None, touched.min(self.now))
            }
        };
        let id = FIRST_TICKET_ID + self.tickets.len() as i64;
        let queue = self.queue();
        self.tickets.push(Ticket {
            id,
            number,
            title: TITLES[self.rng.gen_range(0..TITLES.len())].to_string(),
            status,
            queue,
            resource,
            company: [0, 174, 29_683_512, 29_683_640][self.rng.gen_range(0..4)],
            priority: self.rng.gen_range(1..=4),
            created_ms: created + self.rng.gen_range(0..1000),
            completed_ms: completed.map(|c| c + self.rng.gen_range(0..1000)),
            last_activity_ms: last,
        });
    }

    /// A day's tickets: business-hours work, closed the same day, later, or
    /// not yet; on weekends only a few alerts.
    fn day_tickets(&mut self, day: NaiveDate, techs: &[i64]) {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let n = self.count(if weekend { 0.6 } else { 5.0 });
        for _ in 0..n {
            let (h0, h1) = if weekend { (0, 24) } else { (7, 19) };
            let created = local_at(self.tz, day, self.rng.gen_range(h0..h1), 0)
                + self.rng.gen_range(0..HOUR_MS);
            let resource = if self.rng.gen_bool(0.08) {
                None
            } else {
                Some(techs[self.rng.gen_range(0..techs.len())])
            };
            let end_of_day = local_at(self.tz, day + Duration::days(1), 0, 0) - MINUTE_MS;
            let roll = self.rng.gen_range(0..100);
            let (close, reopened) = match roll {
                0..=44 => {
                    let c = created + self.rng.gen_range(5 * MINUTE_MS..6 * HOUR_MS);
                    (Some(c.min(end_of_day).max(created + MINUTE_MS)), false)
                }
                45..=79 => {
                    let c = created + self.rng.gen_range(DAY_MS..6 * DAY_MS);
                    (Some(c), false)
                }
                80..=83 => (Some(created + self.rng.gen_range(HOUR_MS..DAY_MS)), true),
                _ => (None, false),
            };
            self.ticket(created, resource, close, reopened);
        }
    }

    /// The week's midnight edges: opened 23:5x, closed 00:2x the next local
    /// day (not the same day); opened 00:0x, closed 00:4x (the same day).
    fn midnight_edges(&mut self, day: NaiveDate, tech: i64) {
        let next = day + Duration::days(1);
        let late = local_at(self.tz, day, 23, 50 + self.rng.gen_range(0..9));
        let after = local_at(self.tz, next, 0, 20 + self.rng.gen_range(0..9));
        self.ticket(late, Some(tech), Some(after), false);
        let early = local_at(self.tz, next, 0, 2 + self.rng.gen_range(0..5));
        let soon = local_at(self.tz, next, 0, 40 + self.rng.gen_range(0..9));
        self.ticket(early, Some(tech), Some(soon), false);
    }

    /// A technician's time entries on `day`.
    fn day_entries(&mut self, day: NaiveDate, tech: i64) {
        let weekend = matches!(day.weekday(), Weekday::Sat | Weekday::Sun);
        let n = self.count(if weekend { 0.15 } else { 4.0 });
        let tickets: Vec<i64> = self
            .tickets
            .iter()
            .rev()
            .take(40)
            .filter(|t| t.resource == Some(tech))
            .map(|t| t.id)
            .collect();
        for _ in 0..n {
            let quarters = if self.rng.gen_bool(0.01) {
                0
            } else {
                self.rng.gen_range(1..=10)
            };
            let hours = f64::from(quarters) * 0.25;
            let start = local_at(self.tz, day, self.rng.gen_range(8..17), 0)
                + self.rng.gen_range(0..4) * 15 * MINUTE_MS;
            let end = start + (hours * HOUR_MS as f64) as i64;
            let span = self.rng.gen_bool(0.7).then_some((start, end));
            let (ticket, task) = match tickets.first() {
                Some(_) if self.rng.gen_bool(0.85) => {
                    (Some(tickets[self.rng.gen_range(0..tickets.len())]), None)
                }
                _ => (None, Some(self.rng.gen_range(7_000..7_040))),
            };
            let created = (end + self.rng.gen_range(0..4 * HOUR_MS)).min(self.now);
            let modified = if self.rng.gen_bool(0.1) {
                (created + self.rng.gen_range(DAY_MS..3 * DAY_MS)).min(self.now)
            } else {
                created
            };
            if start > self.now {
                continue;
            }
            let id = FIRST_TIME_ENTRY_ID + self.entries.len() as i64;
            self.entries.push(TimeEntry {
                id,
                resource: tech,
                ticket,
                task,
                date_worked: day,
                span_ms: span,
                hours,
                non_billable: self.rng.gen_bool(0.25),
                notes: if ticket.is_some() {
                    "Worked the ticket; see notes".into()
                } else {
                    "  Project work: migration  ".into()
                },
                created_ms: created,
                modified_ms: modified,
            });
        }
    }
}

/// The resources for the HubSpot team in `store`.
fn resources(opts: &SandboxOptions, store: &Store) -> Vec<Resource> {
    let mut out = Vec::new();
    let mut push = |first: &str, last: &str, email: String, active: bool, license| {
        let id = FIRST_RESOURCE_ID + out.len() as i64;
        out.push(Resource {
            id,
            first_name: first.to_string(),
            last_name: last.to_string(),
            user_name: format!("{}{}", first.chars().next().unwrap_or('x'), last).to_lowercase(),
            email,
            active,
            license,
        });
    };
    push("Tally", "API", String::new(), true, "API");
    for (i, o) in store.owners.iter().filter(|o| !o.archived).enumerate() {
        // One technician typed their email in capitals with stray spaces.
        let email = if i == 1 {
            format!(" {} ", o.email.to_uppercase())
        } else {
            o.email.clone()
        };
        push(&o.first_name, &o.last_name, email, true, "Employee");
    }
    for o in store.owners.iter().filter(|o| o.archived) {
        push(
            &o.first_name,
            &o.last_name,
            o.email.clone(),
            false,
            "Employee",
        );
    }
    push(
        "Sam",
        "Helpdesk",
        format!("helpdesk@{}", opts.team_domain),
        true,
        "Employee",
    );
    out
}

/// Generates the database for `opts` and the HubSpot team in `store`.
pub fn generate(opts: &SandboxOptions, store: &Store) -> Generated {
    let resources = resources(opts, store);
    let tz = opts.tz();
    let now = opts.now.timestamp_millis();
    let start = now - i64::from(opts.weeks) * 7 * DAY_MS;
    let mut g = Gen {
        rng: StdRng::seed_from_u64(opts.seed ^ STREAM),
        tz,
        now,
        scale: opts.scale,
        tickets: Vec::new(),
        entries: Vec::new(),
        per_day: Default::default(),
    };
    let left = now - LEFT_DAYS * DAY_MS;
    let mut day = local_date(tz, start);
    let last = local_date(tz, now);
    while day <= last {
        let at = local_at(tz, day, 12, 0);
        let techs: Vec<i64> = resources
            .iter()
            .filter(|r| r.license == "Employee" && (r.active || at < left))
            .map(|r| r.id)
            .collect();
        if !techs.is_empty() {
            g.day_tickets(day, &techs);
            if day.weekday() == Weekday::Sun {
                let tech = techs[g.rng.gen_range(0..techs.len())];
                g.midnight_edges(day, tech);
            }
            for &t in &techs {
                g.day_entries(day, t);
            }
        }
        day += Duration::days(1);
    }
    // Tickets went in by day, edges after their day; ids follow creation.
    g.tickets.sort_by_key(|t| t.created_ms);
    let mut renumbered = std::collections::HashMap::new();
    for (i, t) in g.tickets.iter_mut().enumerate() {
        let id = FIRST_TICKET_ID + i as i64;
        renumbered.insert(t.id, id);
        t.id = id;
    }
    for e in &mut g.entries {
        e.ticket = e.ticket.and_then(|t| renumbered.get(&t).copied());
    }
    Generated {
        resources,
        tickets: g.tickets,
        time_entries: g.entries,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Sandbox;

    #[test]
    fn every_untidy_shape_is_planted() {
        let opts = SandboxOptions {
            weeks: 4,
            ..SandboxOptions::default()
        };
        let sb = Sandbox::new(opts.clone());
        let g = generate(&opts, &sb.store());
        let tz = opts.tz();
        assert!(g.resources.iter().any(|r| !r.active));
        assert!(g.resources.iter().any(|r| r.email.is_empty()));
        assert!(g.resources.iter().any(|r| r.email.starts_with(' ')));
        assert!(g.tickets.iter().any(|t| t.queue.is_none()));
        assert!(g.tickets.iter().any(|t| t.resource.is_none()));
        assert!(
            g.tickets
                .iter()
                .any(|t| t.status == IN_PROGRESS && t.completed_ms.is_none())
        );
        let same_day = |t: &Ticket| {
            t.completed_ms
                .is_some_and(|c| local_date(tz, c) == local_date(tz, t.created_ms))
        };
        assert!(g.tickets.iter().any(same_day));
        assert!(
            g.tickets
                .iter()
                .any(|t| t.completed_ms.is_some() && !same_day(t))
        );
        assert!(g.time_entries.iter().any(|e| e.span_ms.is_none()));
        assert!(g.time_entries.iter().any(|e| e.non_billable));
        assert!(g.time_entries.iter().any(|e| e.task.is_some()));
        assert!(g.time_entries.iter().any(|e| e.modified_ms > e.created_ms));
        let ids: Vec<i64> = g.tickets.iter().map(|t| t.id).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]));
    }
}
