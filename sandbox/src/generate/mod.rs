//! Deterministic, seeded generation of realistic sales data ending at "now".
//!
//! Exists so tests, demos and benchmarks get the same data for the same seed: owners,
//! companies, contacts, a "Warm 250" list, calls, meetings, notes, emails, tasks and deals
//! in HubSpot, plus the matching Fathom recordings of the reps' meetings. The `untidy`
//! module adds the awkward shapes real portals have (see the README's "Untidy shapes").

mod activities;
pub mod fathom;
mod schema;
mod untidy;
pub mod words;

use chrono::{Datelike, TimeZone, Timelike, Utc};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};

use crate::model::{ObjectKind, Record, Val};
use crate::options::SandboxOptions;
use crate::store::{List, Owner, Store};
use words::*;

const DAY: i64 = 86_400_000;
const WEEK: i64 = 7 * DAY;

/// Generates the full data set for `opts`.
pub fn generate(opts: &SandboxOptions) -> Store {
    let mut g = Gen {
        rng: StdRng::seed_from_u64(opts.seed),
        s: Store::empty(),
        now: opts.now.timestamp_millis(),
        scale: opts.scale.max(0.0),
        untidy_recordings: Vec::new(),
    };
    g.define_schema();
    g.owners(opts);
    let start = g.now - i64::from(opts.weeks) * WEEK;
    let contacts = g.companies_and_contacts(opts.reps, start);
    g.lists(&contacts, start);
    let mut meetings_for_fathom = Vec::new();
    for w in 0..i64::from(opts.weeks) {
        let week_start = start + w * WEEK;
        for (rep, rep_contacts) in contacts.iter().enumerate() {
            g.rep_week(rep, week_start, rep_contacts, &mut meetings_for_fathom);
        }
    }
    g.untidy(opts, start, &contacts);
    meetings_for_fathom.append(&mut g.untidy_recordings);
    fathom::generate(&mut g.s, &mut g.rng, opts, start, &meetings_for_fathom);
    if let Some(only) = &opts.only_kinds {
        keep_only(&mut g.s, only);
    }
    for t in &mut g.s.tables {
        for r in &mut t.records {
            r.assoc.shrink_to_fit();
        }
    }
    g.s
}

/// Drops the generated activities and deals of kinds not in `only`, and the
/// associations that pointed at them.
fn keep_only(s: &mut Store, only: &[ObjectKind]) {
    let dropped = |k: &ObjectKind| {
        !matches!(k, ObjectKind::Contacts | ObjectKind::Companies) && !only.contains(k)
    };
    for kind in ObjectKind::ALL {
        if dropped(&kind) {
            s.table_mut(kind).records.clear();
        }
    }
    for t in &mut s.tables {
        for r in &mut t.records {
            r.assoc.retain(|(k, _)| !dropped(k));
        }
    }
}

/// A HubSpot meeting that a Fathom recording should mirror.
#[derive(Debug, Clone)]
pub struct MeetingSeed {
    pub rep: usize,
    pub title: String,
    pub start: i64,
    pub end: i64,
    pub contact_name: String,
    pub contact_email: String,
}

struct Gen {
    rng: StdRng,
    s: Store,
    now: i64,
    scale: f64,
    /// Completed untidy meetings that Fathom recorded.
    untidy_recordings: Vec<MeetingSeed>,
}

/// A generated contact, as the activity generator needs it.
#[derive(Debug, Clone)]
struct ContactRef {
    id: u64,
    company: u64,
    first: &'static str,
    last: &'static str,
    email: String,
    dm: bool,
}

impl Gen {
    fn sym(&mut self, s: &str) -> Val {
        Val::Sym(self.s.syms.intern(s))
    }

    fn key(&mut self, s: &str) -> u16 {
        self.s.prop_key(s)
    }

    /// A count of `base * scale`, jittered, with the fraction rounded randomly.
    fn count(&mut self, base: f64) -> usize {
        let x = base * self.scale * self.rng.gen_range(0.6..1.4);
        let whole = x.floor();
        let extra = if self.rng.gen_bool((x - whole).clamp(0.0, 1.0)) {
            1
        } else {
            0
        };
        whole as usize + extra
    }

    /// A business-hours instant inside the week starting at `week_start`.
    fn business_time(&mut self, week_start: i64) -> i64 {
        let day = self.rng.gen_range(0..5);
        let t = week_start + day * DAY;
        // Snap to the start of that UTC day, then 13:00-22:59 UTC (roughly 8-6 US Eastern).
        let d = Utc.timestamp_millis_opt(t).single().unwrap_or_default();
        let midnight = d.timestamp_millis()
            - i64::from(d.hour()) * 3_600_000
            - i64::from(d.minute()) * 60_000
            - i64::from(d.second()) * 1000
            - i64::from(d.timestamp_subsec_millis());
        // Skip weekends by moving to the next Monday.
        let wd = i64::from(d.weekday().num_days_from_monday());
        let midnight = if wd >= 5 {
            midnight + (7 - wd) * DAY
        } else {
            midnight
        };
        midnight
            + self.rng.gen_range(13..23) * 3_600_000
            + self.rng.gen_range(0..60) * 60_000
            + self.rng.gen_range(0..60) * 1000
            + self.rng.gen_range(0..1000)
    }

    fn owners(&mut self, opts: &SandboxOptions) {
        let mut used = std::collections::BTreeSet::new();
        for i in 0..opts.reps {
            let (first, last) = loop {
                let f = *FIRST_NAMES.choose(&mut self.rng).unwrap_or(&"Alex");
                let l = *LAST_NAMES.choose(&mut self.rng).unwrap_or(&"Doe");
                if used.insert((f, l)) || used.len() > FIRST_NAMES.len() * LAST_NAMES.len() / 2 {
                    break (f, l);
                }
            };
            let email = format!(
                "{}.{}{}@{}",
                first.to_lowercase(),
                last.to_lowercase(),
                if i >= 100 {
                    i.to_string()
                } else {
                    String::new()
                },
                opts.team_domain
            );
            let created = self.now - 400 * DAY + i as i64 * DAY;
            self.s.owners.push(Owner {
                id: 70_000_001 + i as u64 * 17,
                user_id: 9_000_001 + i as u64 * 3,
                email,
                first_name: first.into(),
                last_name: last.into(),
                created,
                updated: created + 30 * DAY,
                archived: false,
                team: opts.fathom_team.clone(),
            });
        }
        // One deactivated former rep, as real portals have.
        let created = self.now - 700 * DAY;
        self.s.owners.push(Owner {
            id: 69_999_901,
            user_id: 8_999_999,
            email: format!("former.rep@{}", opts.team_domain),
            first_name: "Former".into(),
            last_name: "Rep".into(),
            created,
            updated: self.now - 200 * DAY,
            archived: true,
            team: opts.fathom_team.clone(),
        });
    }

    fn companies_and_contacts(&mut self, reps: usize, start: i64) -> Vec<Vec<ContactRef>> {
        let mut per_rep = vec![Vec::new(); reps];
        if reps == 0 {
            return per_rep;
        }
        let per_rep_contacts = ((60.0 * self.scale).ceil() as usize).max(5);
        let n_companies = (per_rep_contacts * reps).div_ceil(3);
        let mut companies = Vec::with_capacity(n_companies);
        let (k_name, k_domain, k_ind, k_city, k_emp, k_owner, k_web) = (
            self.key("name"),
            self.key("domain"),
            self.key("industry"),
            self.key("city"),
            self.key("numberofemployees"),
            self.key("hubspot_owner_id"),
            self.key("website"),
        );
        for i in 0..n_companies {
            let p = *COMPANY_PREFIX.choose(&mut self.rng).unwrap_or(&"Acme");
            let sfx = *COMPANY_SUFFIX.choose(&mut self.rng).unwrap_or(&"Labs");
            let name = if i < COMPANY_PREFIX.len() * COMPANY_SUFFIX.len() {
                format!("{p} {sfx}")
            } else {
                format!("{p} {sfx} {}", i / 100)
            };
            let domain = format!(
                "{}{}.example.com",
                name.to_lowercase().replace([' ', '&'], ""),
                i
            );
            let created = start - self.rng.gen_range(30..730) * DAY;
            let updated = self.rng.gen_range(created..self.now.max(created + 1));
            let owner = self.s.owners[i % reps].id as i64;
            let ind = *INDUSTRIES.choose(&mut self.rng).unwrap_or(&"ACCOUNTING");
            let city = *CITIES.choose(&mut self.rng).unwrap_or(&"Austin");
            let props = vec![
                (k_name, self.sym(&name)),
                (k_web, Val::Str(format!("https://{domain}").into())),
                (k_domain, Val::Str(domain.into())),
                (k_ind, self.sym(ind)),
                (k_city, self.sym(city)),
                (k_emp, Val::Num(self.rng.gen_range(5..400))),
                (k_owner, Val::Num(owner)),
            ];
            let id = self.s.alloc_id();
            self.s.insert(
                ObjectKind::Companies,
                Record {
                    id,
                    created,
                    updated,
                    archived: false,
                    props: props.into_boxed_slice(),
                    assoc: Vec::new(),
                },
            );
            companies.push((id, name));
        }
        let keys: Vec<u16> = [
            "firstname",
            "lastname",
            "email",
            "jobtitle",
            "hs_buying_role",
            "company",
            "lifecyclestage",
            "hubspot_owner_id",
            "associatedcompanyid",
            "phone",
        ]
        .iter()
        .map(|n| self.key(n))
        .collect();
        for i in 0..per_rep_contacts * reps {
            let rep = i % reps;
            let ci = self.rng.gen_range(0..companies.len());
            let (company_id, company_name) = companies[ci].clone();
            let first = *FIRST_NAMES.choose(&mut self.rng).unwrap_or(&"Alex");
            let last = *LAST_NAMES.choose(&mut self.rng).unwrap_or(&"Doe");
            let dm = self.rng.gen_bool(0.3);
            let title = if dm {
                *DM_TITLES.choose(&mut self.rng).unwrap_or(&"Owner")
            } else {
                *OTHER_TITLES
                    .choose(&mut self.rng)
                    .unwrap_or(&"Office Manager")
            };
            let role = if dm {
                if self.rng.gen_bool(0.3) {
                    Some(";BUDGET_HOLDER;DECISION_MAKER".to_string())
                } else {
                    Some("DECISION_MAKER".to_string())
                }
            } else if self.rng.gen_bool(0.6) {
                OTHER_ROLES.choose(&mut self.rng).map(|r| r.to_string())
            } else {
                None
            };
            let domain = format!(
                "{}{}.example.com",
                company_name.to_lowercase().replace([' ', '&'], ""),
                ci
            );
            let email = format!(
                "{}.{}{}@{}",
                first.to_lowercase(),
                last.to_lowercase(),
                i,
                domain
            );
            let created = start - self.rng.gen_range(1..365) * DAY;
            let updated = self.rng.gen_range(created..self.now.max(created + 1));
            let stage = if dm && self.rng.gen_bool(0.3) {
                "opportunity"
            } else {
                "lead"
            };
            let mut props = vec![
                (keys[0], self.sym(first)),
                (keys[1], self.sym(last)),
                (keys[2], self.sym(&email)),
                (keys[3], self.sym(title)),
                (keys[5], self.sym(&company_name)),
                (keys[6], self.sym(stage)),
                (keys[7], Val::Num(self.s.owners[rep].id as i64)),
                (keys[8], Val::Num(company_id as i64)),
                (
                    keys[9],
                    Val::Str(
                        format!(
                            "+1 555 {:03} {:04}",
                            self.rng.gen_range(100..999),
                            self.rng.gen_range(0..9999)
                        )
                        .into(),
                    ),
                ),
            ];
            if let Some(r) = role {
                props.push((keys[4], self.sym(&r)));
            }
            let id = self.s.alloc_id();
            self.s.insert(
                ObjectKind::Contacts,
                Record {
                    id,
                    created,
                    updated,
                    archived: false,
                    props: props.into_boxed_slice(),
                    assoc: vec![(ObjectKind::Companies, company_id)],
                },
            );
            per_rep[rep].push(ContactRef {
                id,
                company: company_id,
                first,
                last,
                email,
                dm,
            });
        }
        per_rep
    }

    fn lists(&mut self, contacts: &[Vec<ContactRef>], start: i64) {
        let mut all: Vec<u64> = contacts.iter().flatten().map(|c| c.id).collect();
        all.shuffle(&mut self.rng);
        let mut warm: Vec<(u64, i64)> = all
            .iter()
            .take(250)
            .map(|&id| (id, start + self.rng.gen_range(0..(self.now - start).max(1))))
            .collect();
        warm.sort_unstable();
        let mut cold: Vec<(u64, i64)> = all
            .iter()
            .skip(250)
            .take(100)
            .map(|&id| (id, start + self.rng.gen_range(0..(self.now - start).max(1))))
            .collect();
        cold.sort_unstable();
        self.s.lists.push(List {
            id: 412,
            name: "Warm 250".into(),
            created: start - 30 * DAY,
            updated: self.now - DAY,
            members: warm,
        });
        self.s.lists.push(List {
            id: 413,
            name: "Cold Leads Q1".into(),
            created: start - 60 * DAY,
            updated: self.now - 3 * DAY,
            members: cold,
        });
    }

    fn push(
        &mut self,
        kind: ObjectKind,
        created: i64,
        props: Vec<(u16, Val)>,
        assoc: Vec<(ObjectKind, u64)>,
    ) -> u64 {
        let id = self.s.alloc_id();
        let updated = if self.rng.gen_bool(0.2) {
            self.rng.gen_range(created..=self.now.max(created))
        } else {
            created
        };
        self.s.insert(
            kind,
            Record {
                id,
                created,
                updated,
                archived: false,
                props: props.into_boxed_slice(),
                assoc,
            },
        );
        id
    }
}
