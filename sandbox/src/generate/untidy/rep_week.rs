//! Each rep's untidy week: blank properties, several contacts, keyword notes.
//!
//! Exists because these shapes must appear every week for every rep, at any scale: calls
//! without a direction, completed meetings without a start time, activities with two
//! contacts (two list members, or one member and one walk-in), and notes whose keywords a
//! naive matcher gets wrong.

use rand::Rng;
use rand::seq::SliceRandom;

use super::FTA;
use super::people::People;
use super::records::{Direction, Owner, StartTime};
use crate::generate::words::{DM_NOTES, NEAR_MISS_NOTES, TRICKY_DM_NOTES};
use crate::generate::{ContactRef, Gen};

/// Meeting types whose start time is sometimes missing or blank.
const START_TIME_TYPES: [&str; 3] = [FTA, "COI", "Networking Event"];

impl Gen {
    /// The untidy records of rep `rep` in week `w` of the window, which starts at
    /// `week_start`.
    pub(super) fn untidy_rep_week(
        &mut self,
        rep: usize,
        w: usize,
        week_start: i64,
        people: &People,
    ) {
        let owner = Owner::Rep(rep);
        let warm = &people.warm[rep];
        let unlisted = &people.unlisted[rep];
        let (Some(first_warm), Some(walk_in)) =
            (warm.first(), unlisted.get(w % unlisted.len().max(1)))
        else {
            return;
        };
        let a = warm[(2 * w) % warm.len()].clone();
        let b = warm[(2 * w + 1) % warm.len()].clone();
        let (first_warm, walk_in) = (first_warm.clone(), walk_in.clone());
        let two_warm = a.id != b.id;

        // Calls without a direction: one missing, one blank.
        for dir in [Direction::Missing, Direction::Blank] {
            let ts = self.time_in_week(week_start);
            let connected = self.rng.gen_bool(0.3);
            self.call(ts, week_start, owner, dir, connected, &[&a]);
        }
        // A completed meeting without a start time: missing or blank in turn, over the
        // three meeting types.
        let v = rep + w;
        let st = if v.is_multiple_of(2) {
            StartTime::Missing
        } else {
            StartTime::Blank
        };
        let mtype = START_TIME_TYPES[(v / 2 + rep) % START_TIME_TYPES.len()];
        let ts = self.time_in_week(week_start);
        self.meeting(ts, week_start, owner, mtype, st, &[&b]);
        // Several contacts: two Warm 250 members, and one member with one non-member. Calls
        // every week; a note or a meeting in turn.
        if two_warm {
            let ts = self.time_in_week(week_start);
            self.call(ts, week_start, owner, Direction::Usual, true, &[&a, &b]);
        }
        let ts = self.time_in_week(week_start);
        self.call(
            ts,
            week_start,
            owner,
            Direction::Usual,
            true,
            &[&first_warm, &walk_in],
        );
        let pair: [&ContactRef; 2] = if (v / 2).is_multiple_of(2) && two_warm {
            [&a, &b]
        } else {
            [&a, &walk_in]
        };
        let ts = self.time_in_week(week_start);
        if v.is_multiple_of(2) {
            self.meeting(ts, week_start, owner, FTA, StartTime::Set, &pair);
        } else {
            let body = *DM_NOTES
                .choose(&mut self.rng)
                .unwrap_or(&"Spoke with the owner.");
            self.note(ts, week_start, owner, body, &pair);
        }
        // Keyword near-misses and tricky matches.
        let reps = people.warm.len();
        let i = rep + w * reps;
        let near = NEAR_MISS_NOTES[i % NEAR_MISS_NOTES.len()];
        let tricky = TRICKY_DM_NOTES[i % TRICKY_DM_NOTES.len()];
        let ts = self.time_in_week(week_start);
        self.note(ts, week_start, owner, near, &[&a]);
        let ts = self.time_in_week(week_start);
        self.note(ts, week_start, owner, tricky, &[&b]);
    }
}
