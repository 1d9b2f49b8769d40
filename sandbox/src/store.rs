//! The sandbox's data: HubSpot records, owners, lists and Fathom meetings.
//!
//! Exists to keep all provider data in one place behind one lock, with the lookups the
//! HTTP layer needs (binary search by id, so cursors are O(log n)) and the rendering of
//! stored values into HubSpot's all-strings property maps.

use std::collections::BTreeSet;

use serde::Serialize;
use serde_json::{Map, Value, json};

use crate::model::{Interner, ObjectKind, Record, Typed, Val, iso_ms};

/// Records of one object kind, sorted by id.
#[derive(Debug, Default, Clone)]
pub struct Table {
    pub records: Vec<Record>,
    /// Interned names of the properties defined for this kind.
    pub schema: BTreeSet<u16>,
}

impl Table {
    /// Position of the first record with id >= `id`.
    pub fn lower_bound(&self, id: u64) -> usize {
        self.records.partition_point(|r| r.id < id)
    }

    /// The record with this id.
    pub fn get(&self, id: u64) -> Option<&Record> {
        let i = self.lower_bound(id);
        self.records.get(i).filter(|r| r.id == id)
    }

    /// Mutable access to the record with this id.
    pub fn get_mut(&mut self, id: u64) -> Option<&mut Record> {
        let i = self.lower_bound(id);
        self.records.get_mut(i).filter(|r| r.id == id)
    }

    /// Number of non-archived records.
    pub fn live_count(&self) -> usize {
        self.records.iter().filter(|r| !r.archived).count()
    }
}

/// A HubSpot owner (a user who can own records).
#[derive(Debug, Clone, Serialize)]
pub struct Owner {
    pub id: u64,
    pub user_id: u64,
    pub email: String,
    pub first_name: String,
    pub last_name: String,
    pub created: i64,
    pub updated: i64,
    pub archived: bool,
    pub team: String,
}

/// A contact list (lists v3).
#[derive(Debug, Clone)]
pub struct List {
    pub id: u64,
    pub name: String,
    pub created: i64,
    pub updated: i64,
    /// `(contact id, membership timestamp ms)`, sorted by contact id.
    pub members: Vec<(u64, i64)>,
}

/// A Fathom calendar invitee.
#[derive(Debug, Clone, PartialEq)]
pub struct Invitee {
    pub name: String,
    pub email: String,
    pub external: bool,
}

/// A Fathom meeting (recording).
#[derive(Debug, Clone)]
pub struct FathomMeeting {
    pub recording_id: u64,
    pub title: String,
    pub meeting_title: Option<String>,
    pub meeting_type: Option<String>,
    pub created_at: i64,
    pub scheduled_start: i64,
    pub scheduled_end: i64,
    pub recording_start: i64,
    pub recording_end: i64,
    /// Index into [`Store::owners`] of the recording user.
    pub recorder: usize,
    pub invitees: Vec<Invitee>,
    pub deleted: bool,
}

impl FathomMeeting {
    /// Sort key: creation time, then recording id.
    pub fn key(&self) -> (i64, u64) {
        (self.created_at, self.recording_id)
    }
}

/// A property name resolved against the store: a header field or an interned key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropRef {
    Id,
    Created,
    Updated,
    Key(u16),
    /// A name no record has.
    Unknown,
}

/// Everything the sandbox serves.
#[derive(Debug, Default, Clone)]
pub struct Store {
    pub tables: Vec<Table>,
    pub props: Interner,
    pub syms: Interner,
    pub next_id: u64,
    pub owners: Vec<Owner>,
    pub lists: Vec<List>,
    /// Sorted by [`FathomMeeting::key`].
    pub fathom: Vec<FathomMeeting>,
    pub next_recording_id: u64,
}

/// Derived (header) properties every record answers.
const DERIVED: [&str; 5] = [
    "hs_object_id",
    "hs_createdate",
    "createdate",
    "hs_lastmodifieddate",
    "lastmodifieddate",
];

impl Store {
    /// An empty store with one table per kind.
    pub fn empty() -> Store {
        let mut s = Store {
            tables: ObjectKind::ALL.iter().map(|_| Table::default()).collect(),
            next_id: 10_000_000_001,
            next_recording_id: 80_000_001,
            ..Store::default()
        };
        for kind in ObjectKind::ALL {
            for name in DERIVED {
                let key = s.prop_key(name);
                s.tables[kind.index()].schema.insert(key);
            }
        }
        s
    }

    /// The table of a kind.
    pub fn table(&self, kind: ObjectKind) -> &Table {
        &self.tables[kind.index()]
    }

    /// The mutable table of a kind.
    pub fn table_mut(&mut self, kind: ObjectKind) -> &mut Table {
        &mut self.tables[kind.index()]
    }

    /// Interns a property name.
    pub fn prop_key(&mut self, name: &str) -> u16 {
        let id = self.props.intern(name);
        u16::try_from(id).expect("fewer than 65536 distinct property names")
    }

    /// Looks a property name up without interning.
    pub fn lookup_prop(&self, name: &str) -> Option<u16> {
        self.props
            .lookup(name)
            .and_then(|id| u16::try_from(id).ok())
    }

    /// Allocates the next record id.
    pub fn alloc_id(&mut self) -> u64 {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Declares a property on a kind's schema.
    pub fn define(&mut self, kind: ObjectKind, name: &str) -> u16 {
        let key = self.prop_key(name);
        self.tables[kind.index()].schema.insert(key);
        key
    }

    /// True when `name` is a defined property of `kind`.
    pub fn is_defined(&self, kind: ObjectKind, name: &str) -> bool {
        self.lookup_prop(name)
            .is_some_and(|k| self.table(kind).schema.contains(&k))
    }

    /// Adds a record to its table (ids are allocated in increasing order, so this appends
    /// in the common case) and mirrors its associations onto the other side.
    pub fn insert(&mut self, kind: ObjectKind, rec: Record) {
        let id = rec.id;
        for &(other, oid) in &rec.assoc {
            if let Some(o) = self.tables[other.index()].get_mut(oid)
                && !o.assoc.contains(&(kind, id))
            {
                o.assoc.push((kind, id));
            }
        }
        let table = &mut self.tables[kind.index()];
        for (k, _) in rec.props.iter() {
            table.schema.insert(*k);
        }
        let pos = table.lower_bound(id);
        table.records.insert(pos, rec);
    }

    /// Adds an association in both directions. Returns false if either side is missing.
    pub fn associate(&mut self, a: ObjectKind, aid: u64, b: ObjectKind, bid: u64) -> bool {
        if self.table(a).get(aid).is_none() || self.table(b).get(bid).is_none() {
            return false;
        }
        if let Some(r) = self.tables[a.index()].get_mut(aid)
            && !r.assoc.contains(&(b, bid))
        {
            r.assoc.push((b, bid));
        }
        if let Some(r) = self.tables[b.index()].get_mut(bid)
            && !r.assoc.contains(&(a, aid))
        {
            r.assoc.push((a, aid));
        }
        true
    }

    /// The value of a property of a record as HubSpot would send it, `None` if unset.
    pub fn prop_string(&self, rec: &Record, name: &str) -> Option<String> {
        match name {
            "hs_object_id" => return Some(rec.id.to_string()),
            "hs_createdate" | "createdate" => return Some(iso_ms(rec.created)),
            "hs_lastmodifieddate" | "lastmodifieddate" => return Some(iso_ms(rec.updated)),
            _ => {}
        }
        let key = self.lookup_prop(name)?;
        rec.get(key).map(|v| self.render(v))
    }

    /// A typed view of a property, for comparisons.
    pub fn prop_typed<'a>(&'a self, rec: &'a Record, name: &str) -> Option<Typed<'a>> {
        self.typed(rec, self.prop_ref(name))
    }

    /// Resolves a property name once, for reading it from many records.
    pub fn prop_ref(&self, name: &str) -> PropRef {
        match name {
            "hs_object_id" => PropRef::Id,
            "hs_createdate" | "createdate" => PropRef::Created,
            "hs_lastmodifieddate" | "lastmodifieddate" => PropRef::Updated,
            _ => self
                .lookup_prop(name)
                .map_or(PropRef::Unknown, PropRef::Key),
        }
    }

    /// A typed view of a resolved property of one record.
    pub fn typed<'a>(&'a self, rec: &'a Record, prop: PropRef) -> Option<Typed<'a>> {
        match prop {
            PropRef::Id => Some(Typed::Num(rec.id as i64)),
            PropRef::Created => Some(Typed::Num(rec.created)),
            PropRef::Updated => Some(Typed::Num(rec.updated)),
            PropRef::Unknown => None,
            PropRef::Key(key) => rec.get(key).map(|v| match v {
                Val::Sym(s) => Typed::Str(self.syms.resolve(*s)),
                Val::Str(s) => Typed::Str(s),
                Val::Num(n) | Val::Ts(n) => Typed::Num(*n),
            }),
        }
    }

    /// Renders a stored value as a HubSpot wire string.
    pub fn render(&self, v: &Val) -> String {
        match v {
            Val::Sym(s) => self.syms.resolve(*s).to_string(),
            Val::Str(s) => s.to_string(),
            Val::Num(n) => n.to_string(),
            Val::Ts(ms) => iso_ms(*ms),
        }
    }

    /// Builds the `properties` map for a response.
    ///
    /// `requested = None` means the kind's default properties. Requested properties that are
    /// not defined for the kind are left out; defined ones without a value are `null`.
    pub fn properties_json(
        &self,
        kind: ObjectKind,
        rec: &Record,
        requested: Option<&[String]>,
    ) -> Map<String, Value> {
        let mut out = Map::new();
        let mut put = |name: &str| {
            if out.contains_key(name) {
                return;
            }
            if let Some(v) = self.prop_string(rec, name) {
                out.insert(name.to_string(), Value::String(v));
            } else if self.is_defined(kind, name) {
                out.insert(name.to_string(), Value::Null);
            }
        };
        match requested {
            None => {
                for name in kind.default_properties() {
                    put(name);
                }
            }
            Some(list) => {
                for name in list {
                    put(name);
                }
            }
        }
        out
    }

    /// The full record (every stored property) for truth dumps.
    pub fn record_dump(&self, kind: ObjectKind, rec: &Record) -> Value {
        let mut props = Map::new();
        for name in DERIVED {
            if let Some(v) = self.prop_string(rec, name) {
                props.insert(name.to_string(), Value::String(v));
            }
        }
        for (k, v) in rec.props.iter() {
            props.insert(
                self.props.resolve(u32::from(*k)).to_string(),
                Value::String(self.render(v)),
            );
        }
        let mut assoc = Map::new();
        for (other, oid) in &rec.assoc {
            let e = assoc
                .entry(other.plural().to_string())
                .or_insert_with(|| Value::Array(vec![]));
            if let Value::Array(a) = e {
                a.push(Value::String(oid.to_string()));
            }
        }
        json!({
            "id": rec.id.to_string(),
            "objectType": kind.plural(),
            "properties": props,
            "createdAt": iso_ms(rec.created),
            "updatedAt": iso_ms(rec.updated),
            "archived": rec.archived,
            "associations": assoc,
        })
    }

    /// Index of an owner by HubSpot owner id.
    pub fn owner_by_id(&self, id: u64) -> Option<&Owner> {
        self.owners.iter().find(|o| o.id == id)
    }

    /// Inserts a Fathom meeting keeping the sort order.
    pub fn insert_fathom(&mut self, m: FathomMeeting) {
        let key = m.key();
        let pos = self.fathom.partition_point(|x| x.key() < key);
        self.fathom.insert(pos, m);
    }

    /// Total number of records (HubSpot records of all kinds plus Fathom meetings).
    pub fn total_records(&self) -> usize {
        self.tables.iter().map(|t| t.records.len()).sum::<usize>() + self.fathom.len()
    }

    /// Rough heap estimate in bytes (for reporting).
    pub fn approx_heap_bytes(&self) -> usize {
        let mut n = self.props.heap_bytes() + self.syms.heap_bytes();
        for t in &self.tables {
            n += t.records.capacity() * std::mem::size_of::<Record>();
            for r in &t.records {
                n += r.props.len() * std::mem::size_of::<(u16, Val)>();
                n += r.assoc.capacity() * std::mem::size_of::<(ObjectKind, u64)>();
                for (_, v) in r.props.iter() {
                    if let Val::Str(s) = v {
                        n += s.len();
                    }
                }
            }
        }
        n += self.fathom.capacity() * std::mem::size_of::<FathomMeeting>();
        n
    }
}

/// HubSpot association type for `from → to`: `(typeId, name)`.
pub fn association_type(from: ObjectKind, to: ObjectKind) -> (u32, String) {
    use ObjectKind::*;
    let id = match (from, to) {
        (Contacts, Companies) => 279,
        (Companies, Contacts) => 280,
        (Deals, Contacts) => 3,
        (Contacts, Deals) => 4,
        (Deals, Companies) => 341,
        (Companies, Deals) => 342,
        (Calls, Contacts) => 194,
        (Contacts, Calls) => 193,
        (Emails, Contacts) => 198,
        (Contacts, Emails) => 197,
        (Meetings, Contacts) => 200,
        (Contacts, Meetings) => 199,
        (Notes, Contacts) => 202,
        (Contacts, Notes) => 201,
        (Tasks, Contacts) => 204,
        (Contacts, Tasks) => 203,
        (Calls, Companies) => 182,
        (Companies, Calls) => 181,
        (Emails, Companies) => 186,
        (Companies, Emails) => 185,
        (Meetings, Companies) => 188,
        (Companies, Meetings) => 187,
        (Notes, Companies) => 190,
        (Companies, Notes) => 189,
        (Tasks, Companies) => 192,
        (Companies, Tasks) => 191,
        (Calls, Deals) => 206,
        (Deals, Calls) => 205,
        (Emails, Deals) => 210,
        (Deals, Emails) => 209,
        (Meetings, Deals) => 212,
        (Deals, Meetings) => 211,
        (Notes, Deals) => 214,
        (Deals, Notes) => 213,
        (Tasks, Deals) => 216,
        (Deals, Tasks) => 215,
        _ => 0,
    };
    (id, format!("{}_to_{}", from.singular(), to.singular()))
}
