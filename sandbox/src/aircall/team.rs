//! The Aircall account's people and lines, derived from the HubSpot team.
//!
//! Exists so Tally can match Aircall users to HubSpot owners the way a real company's
//! accounts line up, with the mismatches real accounts have: one user per active HubSpot
//! owner (same email, name "First Last"), a second login of one rep whose email is the
//! upper-cased variant of theirs, a support agent HubSpot doesn't know, and the archived
//! HubSpot owner as a *deleted* Aircall user (absent from `/users`, still on old calls).
//! Also gathers the HubSpot contacts the reps call, so `raw_digits` are their phones.

use chrono_tz::Tz;
use rand::Rng;
use rand::rngs::StdRng;

use super::model::{Contact, Number, User};
use crate::model::ObjectKind;
use crate::options::SandboxOptions;
use crate::store::Store;

const DAY_MS: i64 = 86_400_000;

/// Index of the sales line in [`Team::numbers`].
pub const SALES_LINE: usize = 0;
/// Index of the support line in [`Team::numbers`].
pub const SUPPORT_LINE: usize = 1;

/// A HubSpot contact a rep may call.
#[derive(Debug, Clone)]
pub struct Callee {
    pub first: String,
    pub last: String,
    pub company: Option<String>,
    pub email: String,
    /// Aircall's `raw_digits` format, e.g. `+1 555-123-4567`.
    pub digits: String,
}

/// The generated account.
#[derive(Debug)]
pub struct Team {
    /// Every user, deleted ones included, in creation order.
    pub users: Vec<User>,
    pub numbers: Vec<Number>,
    /// User ids of the active reps, in HubSpot owner order.
    pub reps: Vec<i64>,
    /// `(rep index, user id)` of the rep's second, upper-cased login.
    pub alias: Option<(usize, i64)>,
    pub support: i64,
    /// The deleted user (the archived HubSpot owner).
    pub deleted: i64,
    /// Contacts each rep owns in HubSpot (same index as `reps`).
    pub callees: Vec<Vec<Callee>>,
}

/// `+1 555 123 4567` (HubSpot) → `+1 555-123-4567` (Aircall); other shapes kept.
pub fn aircall_digits(phone: &str) -> String {
    let d: String = phone.chars().filter(char::is_ascii_digit).collect();
    if d.len() == 11 && d.starts_with('1') {
        format!("+1 {}-{}-{}", &d[1..4], &d[4..7], &d[7..])
    } else {
        phone.to_string()
    }
}

fn status(rng: &mut StdRng) -> (&'static str, bool) {
    match rng.gen_range(0..10) {
        0..=5 => ("available", rng.gen_bool(0.6)),
        6..=8 => ("unavailable", false),
        _ => ("custom", false),
    }
}

fn user(rng: &mut StdRng, id: i64, name: String, email: String, created_ms: i64, tz: Tz) -> User {
    let (availability_status, available) = status(rng);
    User {
        id,
        name,
        email,
        available,
        availability_status,
        created_ms,
        time_zone: tz.name().to_string(),
        language: "en-US",
        wrap_up_time: [0, 0, 30, 60][rng.gen_range(0..4)],
        deleted: false,
    }
}

fn callees(store: &Store, owner_id: u64) -> Vec<Callee> {
    let owner = owner_id.to_string();
    store
        .table(ObjectKind::Contacts)
        .records
        .iter()
        .filter(|r| !r.archived)
        .filter(|r| store.prop_string(r, "hubspot_owner_id").as_deref() == Some(&owner))
        .filter_map(|r| {
            Some(Callee {
                first: store.prop_string(r, "firstname")?,
                last: store.prop_string(r, "lastname")?,
                company: store.prop_string(r, "company"),
                email: store.prop_string(r, "email")?,
                digits: aircall_digits(&store.prop_string(r, "phone")?),
            })
        })
        .collect()
}

/// Builds the account for `opts` from the HubSpot owners and contacts in `store`.
pub fn team(rng: &mut StdRng, opts: &SandboxOptions, store: &Store) -> Team {
    let tz = opts.tz();
    let now = opts.now.timestamp_millis();
    let mut next_id = 1_204_117_i64;
    let mut id = || {
        next_id += 17;
        next_id
    };
    let mut users = Vec::new();
    let mut reps = Vec::new();
    let mut callees_by_rep = Vec::new();
    for o in store.owners.iter().filter(|o| !o.archived) {
        let uid = id();
        let name = format!("{} {}", o.first_name, o.last_name);
        users.push(user(
            rng,
            uid,
            name,
            o.email.clone(),
            o.created + DAY_MS,
            tz,
        ));
        reps.push(uid);
        callees_by_rep.push(callees(store, o.id));
    }
    let alias = store.owners.iter().find(|o| !o.archived).map(|o| {
        let uid = id();
        let name = format!("{} {}", o.first_name, o.last_name);
        let email = o.email.to_uppercase();
        users.push(user(rng, uid, name, email, now - 120 * DAY_MS, tz));
        (0, uid)
    });
    let support = id();
    users.push(user(
        rng,
        support,
        "Support Desk".into(),
        format!("support@{}", opts.team_domain),
        now - 300 * DAY_MS,
        tz,
    ));
    let deleted = id();
    let former = store.owners.iter().find(|o| o.archived);
    let (name, email, created) = match former {
        Some(o) => (
            format!("{} {}", o.first_name, o.last_name),
            o.email.clone(),
            o.created + DAY_MS,
        ),
        None => (
            "Former Agent".to_string(),
            format!("former.agent@{}", opts.team_domain),
            now - 500 * DAY_MS,
        ),
    };
    let mut gone = user(rng, deleted, name, email, created, tz);
    gone.deleted = true;
    users.push(gone);
    users.sort_by_key(|u| (u.created_ms, u.id));
    let line = |id: i64, name: &str, digits: &str| Number {
        id,
        name: name.to_string(),
        digits: digits.to_string(),
        country: "US".into(),
        time_zone: tz.name().to_string(),
    };
    Team {
        users,
        numbers: vec![
            line(951_203, "Sales", "+1 555-010-2000"),
            line(951_204, "Support", "+1 555-010-3000"),
        ],
        reps,
        alias,
        support,
        deleted,
        callees: callees_by_rep,
    }
}

/// A random external party not in HubSpot (inbound callers, untracked dials).
pub fn stranger(rng: &mut StdRng) -> String {
    format!(
        "+1 555-{:03}-{:04}",
        rng.gen_range(200..1000),
        rng.gen_range(0..10_000)
    )
}

/// The Aircall contact for a HubSpot callee (Aircall's CRM sync created it).
pub fn contact(rng: &mut StdRng, c: &Callee, created_at: i64) -> Contact {
    Contact {
        id: rng.gen_range(40_000_000..90_000_000),
        first_name: c.first.clone(),
        last_name: c.last.clone(),
        company_name: c.company.clone(),
        email: c.email.clone(),
        phone: c.digits.clone(),
        created_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn digits_are_reformatted() {
        assert_eq!(aircall_digits("+1 555 123 4567"), "+1 555-123-4567");
        assert_eq!(aircall_digits("+33 6 52"), "+33 6 52");
    }
}
