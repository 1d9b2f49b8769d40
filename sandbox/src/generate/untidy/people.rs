//! Which contacts each rep's untidy records are about.
//!
//! Exists because the shapes need particular contacts: members of "Warm 250" (so list-based
//! measurables see them) and walk-ins on no list (so a record with one of each tests
//! whether a measurable counts it once). Choosing them, and creating the walk-ins, happens
//! once before any untidy record is written.

use rand::Rng;
use rand::seq::SliceRandom;

use crate::generate::words::{FIRST_NAMES, LAST_NAMES, OTHER_TITLES};
use crate::generate::{ContactRef, DAY, Gen};
use crate::model::{ObjectKind, Record, Val};

/// Which contacts the untidy records of each rep use.
pub(super) struct People {
    /// Per rep: members of "Warm 250" (the rep's own first, then anyone's), at least two
    /// when the list has two.
    pub(super) warm: Vec<Vec<ContactRef>>,
    /// Per rep: contacts on no list (walk-ins created here).
    pub(super) unlisted: Vec<Vec<ContactRef>>,
    /// Every rep's contacts, for records whose owner is not a rep.
    pub(super) all: Vec<ContactRef>,
}

impl Gen {
    pub(super) fn people(&mut self, contacts: &[Vec<ContactRef>], start: i64) -> People {
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
}
