//! Compact in-memory representation of HubSpot CRM records.
//!
//! Exists so that a million records fit in a few hundred megabytes: property names are
//! interned to `u16`, repeated string values (titles, enumerations, emails) to `u32`, and
//! numbers and timestamps are stored as integers and only rendered as HubSpot-style strings
//! when a response is built.

use std::collections::HashMap;

use chrono::{DateTime, TimeZone, Utc};
use serde::{Deserialize, Serialize};

/// The CRM object types the sandbox serves.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum ObjectKind {
    Contacts,
    Companies,
    Deals,
    Calls,
    Meetings,
    Notes,
    Emails,
    Tasks,
}

impl ObjectKind {
    /// Every kind, in table order.
    pub const ALL: [ObjectKind; 8] = [
        ObjectKind::Contacts,
        ObjectKind::Companies,
        ObjectKind::Deals,
        ObjectKind::Calls,
        ObjectKind::Meetings,
        ObjectKind::Notes,
        ObjectKind::Emails,
        ObjectKind::Tasks,
    ];

    /// Index into per-kind tables.
    pub fn index(self) -> usize {
        self as usize
    }

    /// Plural path name, e.g. `calls`.
    pub fn plural(self) -> &'static str {
        match self {
            ObjectKind::Contacts => "contacts",
            ObjectKind::Companies => "companies",
            ObjectKind::Deals => "deals",
            ObjectKind::Calls => "calls",
            ObjectKind::Meetings => "meetings",
            ObjectKind::Notes => "notes",
            ObjectKind::Emails => "emails",
            ObjectKind::Tasks => "tasks",
        }
    }

    /// Singular name used in association type names, e.g. `call_to_contact`.
    pub fn singular(self) -> &'static str {
        match self {
            ObjectKind::Contacts => "contact",
            ObjectKind::Companies => "company",
            ObjectKind::Deals => "deal",
            ObjectKind::Calls => "call",
            ObjectKind::Meetings => "meeting",
            ObjectKind::Notes => "note",
            ObjectKind::Emails => "email",
            ObjectKind::Tasks => "task",
        }
    }

    /// HubSpot object type id, e.g. `0-48` for calls.
    pub fn type_id(self) -> &'static str {
        match self {
            ObjectKind::Contacts => "0-1",
            ObjectKind::Companies => "0-2",
            ObjectKind::Deals => "0-3",
            ObjectKind::Calls => "0-48",
            ObjectKind::Meetings => "0-47",
            ObjectKind::Notes => "0-46",
            ObjectKind::Emails => "0-49",
            ObjectKind::Tasks => "0-27",
        }
    }

    /// Accepts the plural, the singular, the upper-case singular or the type id.
    pub fn parse(s: &str) -> Option<ObjectKind> {
        let lower = s.to_ascii_lowercase();
        ObjectKind::ALL
            .into_iter()
            .find(|k| lower == k.plural() || lower == k.singular() || lower == k.type_id())
    }

    /// True for calls, meetings, notes, emails and tasks.
    pub fn is_activity(self) -> bool {
        matches!(
            self,
            ObjectKind::Calls
                | ObjectKind::Meetings
                | ObjectKind::Notes
                | ObjectKind::Emails
                | ObjectKind::Tasks
        )
    }

    /// Properties returned when the caller does not ask for any.
    pub fn default_properties(self) -> &'static [&'static str] {
        match self {
            ObjectKind::Contacts => &[
                "createdate",
                "email",
                "firstname",
                "hs_object_id",
                "lastmodifieddate",
                "lastname",
            ],
            ObjectKind::Companies => &[
                "createdate",
                "domain",
                "hs_lastmodifieddate",
                "hs_object_id",
                "name",
            ],
            ObjectKind::Deals => &[
                "amount",
                "closedate",
                "createdate",
                "dealname",
                "dealstage",
                "hs_lastmodifieddate",
                "hs_object_id",
                "pipeline",
            ],
            _ => &["hs_createdate", "hs_lastmodifieddate", "hs_object_id"],
        }
    }

    /// Text properties searched by the free-text `query` of the search API.
    pub fn searchable_text(self) -> &'static [&'static str] {
        match self {
            ObjectKind::Contacts => &["firstname", "lastname", "email", "phone", "company"],
            ObjectKind::Companies => &["name", "domain", "website", "phone"],
            ObjectKind::Deals => &["dealname", "pipeline", "dealstage", "description"],
            ObjectKind::Calls => &["hs_call_title", "hs_body_preview", "hs_call_body"],
            ObjectKind::Meetings => &["hs_meeting_title", "hs_meeting_body"],
            ObjectKind::Notes => &["hs_note_body"],
            ObjectKind::Emails => &["hs_email_subject"],
            ObjectKind::Tasks => &["hs_task_body", "hs_task_subject"],
        }
    }
}

/// A stored property value.
#[derive(Clone, Debug, PartialEq)]
pub enum Val {
    /// Interned string (see [`Interner`]).
    Sym(u32),
    /// Owned string, for unique values.
    Str(Box<str>),
    /// Integer, rendered in decimal.
    Num(i64),
    /// Epoch milliseconds, rendered as ISO-8601 with milliseconds and `Z`.
    Ts(i64),
}

/// A typed view of a value, used to compare values in search.
#[derive(Clone, Debug, PartialEq)]
pub enum Typed<'a> {
    Num(i64),
    Str(&'a str),
}

/// One CRM record.
#[derive(Clone, Debug)]
pub struct Record {
    pub id: u64,
    /// Creation time, epoch ms.
    pub created: i64,
    /// Last modification time, epoch ms.
    pub updated: i64,
    pub archived: bool,
    /// Property values keyed by interned property name, at most one per key.
    pub props: Box<[(u16, Val)]>,
    /// Associations to other records (both directions are stored).
    pub assoc: Vec<(ObjectKind, u64)>,
}

impl Record {
    /// The stored value of an interned property, if set.
    pub fn get(&self, key: u16) -> Option<&Val> {
        self.props.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// Sets (or replaces) a property value.
    pub fn set(&mut self, key: u16, val: Val) {
        let mut v: Vec<(u16, Val)> = std::mem::take(&mut self.props).into_vec();
        if let Some(slot) = v.iter_mut().find(|(k, _)| *k == key) {
            slot.1 = val;
        } else {
            v.push((key, val));
        }
        self.props = v.into_boxed_slice();
    }

    /// Removes a property value.
    pub fn unset(&mut self, key: u16) {
        let v: Vec<(u16, Val)> = std::mem::take(&mut self.props)
            .into_vec()
            .into_iter()
            .filter(|(k, _)| *k != key)
            .collect();
        self.props = v.into_boxed_slice();
    }
}

/// A simple string interner.
#[derive(Debug, Default, Clone)]
pub struct Interner {
    strings: Vec<Box<str>>,
    index: HashMap<Box<str>, u32>,
}

impl Interner {
    /// Returns the id of `s`, interning it if needed.
    pub fn intern(&mut self, s: &str) -> u32 {
        if let Some(&id) = self.index.get(s) {
            return id;
        }
        let id = u32::try_from(self.strings.len()).expect("fewer than 2^32 interned strings");
        self.strings.push(s.into());
        self.index.insert(s.into(), id);
        id
    }

    /// Looks `s` up without interning.
    pub fn lookup(&self, s: &str) -> Option<u32> {
        self.index.get(s).copied()
    }

    /// The string for an id.
    pub fn resolve(&self, id: u32) -> &str {
        self.strings.get(id as usize).map(|s| &**s).unwrap_or("")
    }

    /// Number of interned strings.
    pub fn len(&self) -> usize {
        self.strings.len()
    }

    /// True when nothing is interned.
    pub fn is_empty(&self) -> bool {
        self.strings.is_empty()
    }

    /// Approximate heap usage in bytes.
    pub fn heap_bytes(&self) -> usize {
        self.strings.iter().map(|s| s.len() * 2 + 48).sum::<usize>()
    }
}

/// Formats epoch ms the way HubSpot does: `2026-01-05T14:03:00.123Z`.
pub fn iso_ms(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%S%.3fZ").to_string(),
        None => String::new(),
    }
}

/// Formats epoch ms as seconds-precision ISO-8601 with `Z` (Fathom style).
pub fn iso_s(ms: i64) -> String {
    match Utc.timestamp_millis_opt(ms).single() {
        Some(t) => t.format("%Y-%m-%dT%H:%M:%SZ").to_string(),
        None => String::new(),
    }
}

/// Parses epoch ms (digits), RFC 3339 or a bare `YYYY-MM-DD` date into epoch ms.
pub fn parse_time(s: &str) -> Option<i64> {
    let s = s.trim();
    if let Ok(n) = s.parse::<i64>() {
        return Some(n);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(s) {
        return Some(t.timestamp_millis());
    }
    if let Ok(d) = chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d") {
        return d
            .and_hms_opt(0, 0, 0)
            .map(|dt| dt.and_utc().timestamp_millis());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn iso_formatting_has_millis_and_z() {
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_ms(1_700_000_000_123), "2023-11-14T22:13:20.123Z");
        assert_eq!(
            parse_time("2023-11-14T22:13:20.123Z"),
            Some(1_700_000_000_123)
        );
        assert_eq!(parse_time("1700000000123"), Some(1_700_000_000_123));
    }

    #[test]
    fn kinds_parse() {
        assert_eq!(ObjectKind::parse("0-48"), Some(ObjectKind::Calls));
        assert_eq!(ObjectKind::parse("deal"), Some(ObjectKind::Deals));
        assert_eq!(ObjectKind::parse("CONTACT"), Some(ObjectKind::Contacts));
        assert_eq!(ObjectKind::parse("widgets"), None);
    }
}
