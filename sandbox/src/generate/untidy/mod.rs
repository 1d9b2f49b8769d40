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
//!
//! This file places the shapes; each kind of shape has a module of its own, and `records`
//! writes the calls, meetings and notes they are made of.

mod boundaries;
mod calendar;
mod deals;
mod foreign_owners;
mod people;
mod records;
mod rep_week;

use rand::SeedableRng;
use rand::rngs::StdRng;

use super::{ContactRef, Gen, WEEK};
use crate::options::SandboxOptions;

/// The archived former rep (generated in `Gen::owners`).
pub const FORMER_OWNER_ID: u64 = 69_999_901;
/// An owner id `/crm/v3/owners` never returns (a user deleted from the portal).
pub const UNKNOWN_OWNER_ID: u64 = 88_888_888;

/// One minute in epoch milliseconds.
const MINUTE: i64 = 60_000;
/// Mixed into the seed for this module's random stream.
const STREAM: u64 = 0x756e_7469_6479;
/// The meeting type of the completed meetings most shapes write.
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
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn trimming_keeps_at_least_half() {
        assert_eq!(trimmed(40, 6), 34);
        assert_eq!(trimmed(6, 3), 3);
        assert_eq!(trimmed(3, 6), 2);
        assert_eq!(trimmed(0, 6), 0);
    }
}
