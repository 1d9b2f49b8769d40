//! Records whose owner is not a current rep.
//!
//! Exists because real portals have activities owned by an archived former rep, by a user
//! the owner list no longer returns, and by nobody at all (a blank owner); a scorecard must
//! neither credit them to a rep nor fail on them.

use rand::seq::SliceRandom;

use super::people::People;
use super::records::{Direction, Owner, StartTime};
use super::{FORMER_OWNER_ID, FTA, UNKNOWN_OWNER_ID};
use crate::generate::Gen;
use crate::generate::words::DM_NOTES;

impl Gen {
    /// A week of records by the archived former rep, by an owner the owner list does not
    /// know, and with a blank owner.
    pub(super) fn foreign_owner_week(&mut self, w: usize, week_start: i64, people: &People) {
        if people.all.is_empty() {
            return;
        }
        let pick = |k: usize| people.all[(w * 7 + k) % people.all.len()].clone();
        for (k, id) in [FORMER_OWNER_ID, UNKNOWN_OWNER_ID].into_iter().enumerate() {
            let owner = Owner::Id(id);
            let c = pick(k);
            let ts = self.time_in_week(week_start);
            self.call(ts, week_start, owner, Direction::Usual, true, &[&c]);
            let ts = self.time_in_week(week_start);
            let body = *DM_NOTES
                .choose(&mut self.rng)
                .unwrap_or(&"Spoke with the owner.");
            self.note(ts, week_start, owner, body, &[&c]);
            let ts = self.time_in_week(week_start);
            self.meeting(ts, week_start, owner, FTA, StartTime::Set, &[&c]);
        }
        let c = pick(2);
        let ts = self.time_in_week(week_start);
        self.call(
            ts,
            week_start,
            Owner::Blank,
            Direction::Inbound,
            true,
            &[&c],
        );
        let ts = self.time_in_week(week_start);
        self.note(
            ts,
            week_start,
            Owner::Blank,
            "Inbound call from the main line; nobody assigned yet.",
            &[&c],
        );
    }
}
