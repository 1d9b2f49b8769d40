//! The simulator's records (users, numbers, calls) and their wire JSON.
//!
//! Exists so every route, the webhook payloads and the public test API render a call or
//! a user the same way. Shapes follow Aircall's documented objects and captured webhook
//! payloads (see the module doc of [`super`] for sources): ids are integers, call times
//! are UNIX seconds, `user.created_at` is an ISO-8601 string with milliseconds, `cost` is
//! a string, a call's `user` is the full User object (or `null`), even for users that
//! were deleted since and no longer appear in `/users`.

use serde_json::{Value, json};

use crate::model::iso_ms;
use crate::options::SandboxOptions;

/// The `missed_call_reason` values Aircall documents.
pub const MISSED_CALL_REASONS: [&str; 6] = [
    "out_of_opening_hours",
    "short_abandoned",
    "abandoned_in_ivr",
    "abandoned_in_classic",
    "no_available_agent",
    "agents_did_not_answer",
];

/// An Aircall user (agent).
#[derive(Debug, Clone, PartialEq)]
pub struct User {
    pub id: i64,
    pub name: String,
    pub email: String,
    pub available: bool,
    pub availability_status: &'static str,
    /// Epoch ms.
    pub created_ms: i64,
    pub time_zone: String,
    pub language: &'static str,
    pub wrap_up_time: i64,
    /// Deleted from the account: absent from `/users`, still on its old calls.
    pub deleted: bool,
}

/// An Aircall phone number (line).
#[derive(Debug, Clone, PartialEq)]
pub struct Number {
    pub id: i64,
    pub name: String,
    pub digits: String,
    pub country: String,
    pub time_zone: String,
}

/// The external party of a call when it matched an Aircall contact.
#[derive(Debug, Clone, PartialEq)]
pub struct Contact {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    pub company_name: Option<String>,
    pub email: String,
    pub phone: String,
    /// UNIX seconds.
    pub created_at: i64,
}

/// Call direction.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Direction {
    Inbound,
    Outbound,
}

impl Direction {
    /// The wire value.
    pub fn as_str(self) -> &'static str {
        match self {
            Direction::Inbound => "inbound",
            Direction::Outbound => "outbound",
        }
    }

    /// Parses `inbound` / `outbound`.
    pub fn parse(s: &str) -> Option<Direction> {
        match s {
            "inbound" => Some(Direction::Inbound),
            "outbound" => Some(Direction::Outbound),
            _ => None,
        }
    }
}

/// A finished call.
#[derive(Debug, Clone, PartialEq)]
pub struct Call {
    pub id: i64,
    pub sid: String,
    pub direction: Direction,
    /// UNIX seconds.
    pub started_at: i64,
    pub answered_at: Option<i64>,
    pub ended_at: i64,
    pub raw_digits: String,
    /// Id of the user who took or placed the call (may be a deleted user).
    pub user: Option<i64>,
    pub assigned_to: Option<i64>,
    /// Index into [`super::State::numbers`].
    pub number: usize,
    pub missed_call_reason: Option<&'static str>,
    pub recording: bool,
    pub voicemail: bool,
    pub archived: bool,
    pub contact: Option<Contact>,
}

impl Call {
    /// Seconds from start to end (ringing included, as Aircall counts it).
    pub fn duration(&self) -> i64 {
        (self.ended_at - self.started_at).max(0)
    }

    /// List order: `started_at`, then id.
    pub fn key(&self) -> (i64, i64) {
        (self.started_at, self.id)
    }
}

/// Where `direct_link`s point: `<public_base_url>/aircall` when the sandbox knows its
/// public address, else Aircall's own `https://api.aircall.io` (the links are then only
/// informative, but stable whatever host a request came in on).
pub fn api_base(opts: &SandboxOptions) -> String {
    match &opts.public_base_url {
        Some(b) => format!("{}/aircall", b.trim_end_matches('/')),
        None => "https://api.aircall.io".to_string(),
    }
}

/// The User object.
pub fn user_json(base: &str, u: &User) -> Value {
    json!({
        "id": u.id,
        "direct_link": format!("{base}/v1/users/{}", u.id),
        "name": u.name,
        "email": u.email,
        "available": u.available,
        "availability_status": u.availability_status,
        "created_at": iso_ms(u.created_ms),
        "time_zone": u.time_zone,
        "language": u.language,
        "state": "active",
        "wrap_up_time": u.wrap_up_time,
    })
}

/// The Number object (as embedded in a call).
pub fn number_json(base: &str, n: &Number) -> Value {
    json!({
        "id": n.id,
        "direct_link": format!("{base}/v1/numbers/{}", n.id),
        "name": n.name,
        "digits": n.digits,
        "country": n.country,
        "time_zone": n.time_zone,
        "open": true,
        "availability_status": "open",
        "is_ivr": false,
    })
}

fn contact_json(base: &str, c: &Contact) -> Value {
    json!({
        "id": c.id,
        "direct_link": format!("{base}/v1/contacts/{}", c.id),
        "first_name": c.first_name,
        "last_name": c.last_name,
        "company_name": c.company_name,
        "information": null,
        "is_shared": true,
        "created_at": c.created_at,
        "updated_at": c.created_at,
        "emails": [{"id": c.id * 10 + 1, "label": "Work", "value": c.email}],
        "phone_numbers": [{"id": c.id * 10 + 2, "label": "Work", "value": c.phone}],
    })
}

/// Outbound minutes are billed (a string, as Aircall sends it); inbound calls are free.
fn cost(c: &Call) -> String {
    match (c.direction, c.answered_at) {
        (Direction::Outbound, Some(_)) => format!("{}.0", (c.duration() + 59) / 60 * 2),
        _ => "0.0".to_string(),
    }
}

/// The Call object of a finished call. `users` resolves `user` / `assigned_to` ids
/// (deleted users included).
pub fn call_json(base: &str, c: &Call, users: &[User], numbers: &[Number]) -> Value {
    let user = |id: Option<i64>| {
        id.and_then(|id| users.iter().find(|u| u.id == id))
            .map(|u| user_json(base, u))
            .unwrap_or(Value::Null)
    };
    let link = |kind: &str| {
        format!(
            "https://assets.aircall.example/calls/{}/{kind}?sandbox=1",
            c.id
        )
    };
    let recording = c.recording.then(|| link("recording"));
    let voicemail = c.voicemail.then(|| link("voicemail"));
    let asset = if c.recording {
        Some(format!(
            "https://assets.aircall.example/calls/{}/recording",
            c.id
        ))
    } else if c.voicemail {
        Some(format!(
            "https://assets.aircall.example/calls/{}/voicemail",
            c.id
        ))
    } else {
        None
    };
    json!({
        "id": c.id,
        "direct_link": format!("{base}/v1/calls/{}", c.id),
        "sid": c.sid,
        "direction": c.direction.as_str(),
        "status": "done",
        "missed_call_reason": c.missed_call_reason,
        "started_at": c.started_at,
        "answered_at": c.answered_at,
        "ended_at": c.ended_at,
        "duration": c.duration(),
        "cost": cost(c),
        "hangup_cause": null,
        "voicemail": voicemail,
        "recording": recording,
        "asset": asset,
        "raw_digits": c.raw_digits,
        "user": user(c.user),
        "contact": c.contact.as_ref().map(|x| contact_json(base, x)),
        "assigned_to": user(c.assigned_to),
        "number": numbers.get(c.number).map(|n| number_json(base, n)).unwrap_or(Value::Null),
        "archived": c.archived,
        "teams": [],
        "tags": [],
        "comments": [],
    })
}

/// The call as `call.created` reports it: ringing, not answered or ended yet.
pub fn initial_call_json(base: &str, c: &Call, users: &[User], numbers: &[Number]) -> Value {
    let mut v = call_json(base, c, users, numbers);
    v["status"] = json!("initial");
    v["missed_call_reason"] = Value::Null;
    v["answered_at"] = Value::Null;
    v["ended_at"] = Value::Null;
    v["duration"] = json!(0);
    v["cost"] = json!("0.0");
    v["recording"] = Value::Null;
    v["voicemail"] = Value::Null;
    v["asset"] = Value::Null;
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn call() -> Call {
        Call {
            id: 7,
            sid: "CA1".into(),
            direction: Direction::Outbound,
            started_at: 1000,
            answered_at: Some(1005),
            ended_at: 1065,
            raw_digits: "+1 555-010-0000".into(),
            user: Some(1),
            assigned_to: None,
            number: 0,
            missed_call_reason: None,
            recording: true,
            voicemail: false,
            archived: false,
            contact: None,
        }
    }

    #[test]
    fn duration_counts_ringing_and_cost_rounds_up_minutes() {
        let c = call();
        assert_eq!(c.duration(), 65);
        assert_eq!(cost(&c), "4.0");
    }

    #[test]
    fn unknown_user_renders_null() {
        let v = call_json("https://x", &call(), &[], &[]);
        assert_eq!(v["user"], Value::Null);
        assert_eq!(v["number"], Value::Null);
        assert_eq!(v["direct_link"], "https://x/v1/calls/7");
        let i = initial_call_json("https://x", &call(), &[], &[]);
        assert_eq!(i["status"], "initial");
        assert_eq!(i["ended_at"], Value::Null);
    }
}
