//! Creating, updating and archiving records from Rust (and the control API), which bumps
//! modification times and fires the providers' webhooks.
//!
//! Exists so in-process tests can change the data without HTTP and observe Tally's
//! reaction to webhooks and incremental sync.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use serde::Deserialize;
use serde_json::Value;

use crate::Sandbox;
use crate::hubspot::webhooks::{Change, event};
use crate::model::{ObjectKind, Record, Val, parse_time};
use crate::store::{FathomMeeting, Invitee, Store};

/// Why a change was refused.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum RecordError {
    #[error("unknown object type {0}")]
    UnknownKind(String),
    #[error("record {0} not found")]
    NotFound(String),
    #[error("invalid input: {0}")]
    Invalid(String),
}

const DATETIME_PROPS: &[&str] = &[
    "hs_timestamp",
    "hs_meeting_start_time",
    "hs_meeting_end_time",
    "closedate",
    "hs_closed_won_date",
];

const DERIVED: &[&str] = &[
    "hs_object_id",
    "hs_createdate",
    "createdate",
    "hs_lastmodifieddate",
    "lastmodifieddate",
];

/// Converts an input string into the compact stored form.
fn to_val(s: &mut Store, name: &str, value: &str) -> Val {
    if DATETIME_PROPS.contains(&name)
        && let Some(ms) = parse_time(value)
    {
        return Val::Ts(ms);
    }
    if let Ok(n) = value.parse::<i64>()
        && n.to_string() == value
    {
        return Val::Num(n);
    }
    if value.len() <= 64 {
        return Val::Sym(s.syms.intern(value));
    }
    Val::Str(value.into())
}

/// Input for a new Fathom meeting; every field is optional.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct FathomMeetingInput {
    pub title: Option<String>,
    /// Email of the recording user (must be an owner's email; defaults to the first rep).
    pub recorded_by: Option<String>,
    /// Invitees besides the recorder; external when their domain differs from the team's.
    #[serde(default)]
    pub invitees: Vec<InviteeInput>,
    pub scheduled_start_time: Option<DateTime<Utc>>,
    pub duration_minutes: Option<u32>,
    pub created_at: Option<DateTime<Utc>>,
    pub meeting_type: Option<String>,
}

/// An invitee of a new Fathom meeting.
#[derive(Debug, Clone, Default, Deserialize)]
pub struct InviteeInput {
    pub name: Option<String>,
    pub email: String,
}

impl Sandbox {
    /// Creates a HubSpot record; fires `object.creation`. Returns the record dump.
    pub fn create_record(
        &self,
        kind: ObjectKind,
        properties: BTreeMap<String, String>,
        associations: Vec<(ObjectKind, u64)>,
    ) -> Result<Value, RecordError> {
        if kind.is_activity() && !properties.contains_key("hs_timestamp") {
            return Err(RecordError::Invalid("hs_timestamp is required".into()));
        }
        let now = self.now_ms();
        let (id, dump) = {
            let mut s = self.store_mut();
            for (k, id) in &associations {
                if s.table(*k).get(*id).is_none() {
                    return Err(RecordError::NotFound(format!("{} {id}", k.singular())));
                }
            }
            let mut props = Vec::new();
            for (name, value) in &properties {
                if DERIVED.contains(&name.as_str()) {
                    continue;
                }
                let key = s.define(kind, name);
                let v = to_val(&mut s, name, value);
                props.push((key, v));
            }
            let id = s.alloc_id();
            s.insert(
                kind,
                Record {
                    id,
                    created: now,
                    updated: now,
                    archived: false,
                    props: props.into_boxed_slice(),
                    assoc: associations,
                },
            );
            let rec = s.table(kind).get(id).cloned();
            (
                id,
                rec.map(|r| s.record_dump(kind, &r)).unwrap_or(Value::Null),
            )
        };
        self.send_hubspot(vec![event(self, kind, id, &Change::Created, now)]);
        Ok(dump)
    }

    /// Updates properties (empty string clears); bumps the modification time and fires one
    /// `object.propertyChange` per changed property.
    pub fn update_record(
        &self,
        kind: ObjectKind,
        id: u64,
        properties: BTreeMap<String, String>,
    ) -> Result<Value, RecordError> {
        let now = self.now_ms();
        let mut changes = Vec::new();
        let dump = {
            let mut s = self.store_mut();
            if s.table(kind).get(id).is_none_or(|r| r.archived) {
                return Err(RecordError::NotFound(format!("{} {id}", kind.singular())));
            }
            for (name, value) in &properties {
                if DERIVED.contains(&name.as_str()) {
                    continue;
                }
                let key = s.define(kind, name);
                let v = (!value.is_empty()).then(|| to_val(&mut s, name, value));
                let Some(rec) = s.table_mut(kind).get_mut(id) else {
                    continue;
                };
                let old = rec.get(key).cloned();
                if old == v {
                    continue;
                }
                match v {
                    Some(v) => rec.set(key, v),
                    None => rec.unset(key),
                }
                changes.push(Change::PropertyChanged {
                    name: name.clone(),
                    value: value.clone(),
                });
            }
            let Some(rec) = s.table_mut(kind).get_mut(id) else {
                return Err(RecordError::NotFound(format!("{} {id}", kind.singular())));
            };
            rec.updated = now.max(rec.updated + 1);
            let rec = rec.clone();
            s.record_dump(kind, &rec)
        };
        let events = changes
            .iter()
            .map(|c| event(self, kind, id, c, now))
            .collect();
        self.send_hubspot(events);
        Ok(dump)
    }

    /// Archives (soft-deletes) a record; fires `object.deletion`.
    pub fn archive_record(&self, kind: ObjectKind, id: u64) -> Result<(), RecordError> {
        let now = self.now_ms();
        {
            let mut s = self.store_mut();
            let Some(rec) = s.table_mut(kind).get_mut(id).filter(|r| !r.archived) else {
                return Err(RecordError::NotFound(format!("{} {id}", kind.singular())));
            };
            rec.archived = true;
            rec.updated = now.max(rec.updated + 1);
        }
        self.send_hubspot(vec![event(self, kind, id, &Change::Deleted, now)]);
        Ok(())
    }

    /// Associates two existing records (both directions).
    pub fn associate(
        &self,
        a: ObjectKind,
        aid: u64,
        b: ObjectKind,
        bid: u64,
    ) -> Result<(), RecordError> {
        if self.store_mut().associate(a, aid, b, bid) {
            Ok(())
        } else {
            Err(RecordError::NotFound(format!(
                "{} {aid} or {} {bid}",
                a.singular(),
                b.singular()
            )))
        }
    }

    /// Creates a contact list (lists v3) holding these contacts; returns its id.
    pub fn create_list(&self, name: &str, contact_ids: &[u64]) -> Result<u64, RecordError> {
        let name = name.trim();
        if name.is_empty() {
            return Err(RecordError::Invalid("a list needs a name".into()));
        }
        let now = self.now_ms();
        let mut s = self.store_mut();
        if s.lists.iter().any(|l| l.name.eq_ignore_ascii_case(name)) {
            return Err(RecordError::Invalid(format!("a list named {name} exists")));
        }
        let mut members = Vec::with_capacity(contact_ids.len());
        for &id in contact_ids {
            if s.table(ObjectKind::Contacts).get(id).is_none() {
                return Err(RecordError::NotFound(format!("contact {id}")));
            }
            members.push((id, now));
        }
        members.sort_unstable();
        members.dedup_by_key(|m| m.0);
        let id = s.lists.iter().map(|l| l.id).max().unwrap_or(400) + 1;
        s.lists.push(crate::store::List {
            id,
            name: name.to_owned(),
            created: now,
            updated: now,
            members,
        });
        Ok(id)
    }

    /// Adds a Fathom recording and fires the "new meeting content ready" webhook.
    /// Returns the meeting as the API renders it.
    pub fn create_fathom_meeting(&self, input: FathomMeetingInput) -> Result<Value, RecordError> {
        let now = self.now_ms();
        let team_domain = self.inner.opts.team_domain.clone();
        let (m, targets) = {
            let mut s = self.store_mut();
            let recorder = match &input.recorded_by {
                None => s.owners.iter().position(|o| !o.archived).unwrap_or(0),
                Some(e) => s
                    .owners
                    .iter()
                    .position(|o| o.email.eq_ignore_ascii_case(e))
                    .ok_or_else(|| RecordError::Invalid(format!("no user with email {e}")))?,
            };
            let Some(owner) = s.owners.get(recorder).cloned() else {
                return Err(RecordError::Invalid("the sandbox has no users".into()));
            };
            let dur = i64::from(input.duration_minutes.unwrap_or(30)) * 60_000;
            let start = input
                .scheduled_start_time
                .map(|t| t.timestamp_millis())
                .unwrap_or(now - dur - 10 * 60_000);
            let end = start + dur;
            let created = input
                .created_at
                .map(|t| t.timestamp_millis())
                .unwrap_or(now);
            let mut invitees = vec![Invitee {
                name: format!("{} {}", owner.first_name, owner.last_name),
                email: owner.email.clone(),
                external: false,
            }];
            for i in &input.invitees {
                let domain = i.email.rsplit('@').next().unwrap_or("");
                invitees.push(Invitee {
                    name: i.name.clone().unwrap_or_else(|| i.email.clone()),
                    email: i.email.clone(),
                    external: !domain.eq_ignore_ascii_case(&team_domain),
                });
            }
            let title = input.title.clone().unwrap_or_else(|| "New meeting".into());
            let recording_id = s.next_recording_id;
            s.next_recording_id += 1;
            let m = FathomMeeting {
                recording_id,
                title: title.clone(),
                meeting_title: Some(title),
                meeting_type: input.meeting_type.clone(),
                created_at: created,
                scheduled_start: start,
                scheduled_end: end,
                recording_start: start,
                recording_end: end,
                recorder,
                invitees,
                deleted: false,
            };
            s.insert_fathom(m.clone());
            let targets = crate::fathom::webhooks::deliveries_for(self, &s, &m);
            (m, targets)
        };
        for (url, secret, payload) in targets {
            self.send_fathom(url, secret, payload);
        }
        let s = self.store();
        Ok(crate::fathom::meetings::meeting_json(
            &s,
            &self.inner.opts,
            &m,
            crate::fathom::meetings::Includes::default(),
        ))
    }

    /// Removes a Fathom recording from listings.
    pub fn delete_fathom_meeting(&self, recording_id: u64) -> Result<(), RecordError> {
        let mut s = self.store_mut();
        match s
            .fathom
            .iter_mut()
            .find(|m| m.recording_id == recording_id && !m.deleted)
        {
            Some(m) => {
                m.deleted = true;
                Ok(())
            }
            None => Err(RecordError::NotFound(format!("recording {recording_id}"))),
        }
    }

    /// Renames a Fathom recording.
    pub fn update_fathom_meeting(
        &self,
        recording_id: u64,
        title: &str,
    ) -> Result<Value, RecordError> {
        let mut s = self.store_mut();
        let Some(m) = s
            .fathom
            .iter_mut()
            .find(|m| m.recording_id == recording_id && !m.deleted)
        else {
            return Err(RecordError::NotFound(format!("recording {recording_id}")));
        };
        m.title = title.to_string();
        m.meeting_title = Some(title.to_string());
        let m = m.clone();
        Ok(crate::fathom::meetings::meeting_json(
            &s,
            &self.inner.opts,
            &m,
            crate::fathom::meetings::Includes::default(),
        ))
    }
}
