//! Records right around local week starts and daylight-saving changes.
//!
//! Exists because a record twenty minutes either side of a local Monday midnight, or of a
//! UTC-offset change, lands in the wrong week as soon as anything reads a time in UTC or
//! with yesterday's offset.

use chrono_tz::Tz;
use rand::Rng;
use rand::seq::SliceRandom;

use super::calendar::{local_mondays, offset_changes};
use super::people::People;
use super::records::{Direction, Owner, StartTime};
use super::{FTA, MINUTE};
use crate::generate::words::OTHER_NOTES;
use crate::generate::{ContactRef, Gen};

/// How far boundary records sit from the boundary.
const EDGE: i64 = 20 * MINUTE;

impl Gen {
    /// Records ±20 minutes around every local Monday midnight and every UTC-offset change
    /// of the portal's time zone, and a completed first-time appointment 20 minutes after
    /// each local Monday midnight.
    pub(super) fn boundaries(&mut self, tz: Tz, start: i64, reps: usize, people: &People) {
        let mondays = local_mondays(tz, start - EDGE, self.now + EDGE);
        let changes = offset_changes(tz, start, self.now);
        for rep in 0..reps {
            let Some(c) = people.warm[rep].first().cloned() else {
                continue;
            };
            let owner = Owner::Rep(rep);
            for (i, &m) in mondays.iter().enumerate() {
                let c = people.warm[rep][i % people.warm[rep].len()].clone();
                self.edge_pair(m, start, owner, &c);
                let begin = m + EDGE + self.rng.gen_range(0..MINUTE);
                self.meeting(begin, start, owner, FTA, StartTime::Set, &[&c]);
            }
            for &t in &changes {
                self.edge_pair(t, start, owner, &c);
            }
        }
    }

    /// A call and a note 20 minutes before `at`, and a call and a note 20 minutes after.
    fn edge_pair(&mut self, at: i64, start: i64, owner: Owner, c: &ContactRef) {
        for side in [-EDGE, EDGE] {
            let ts = at + side + self.rng.gen_range(0..MINUTE);
            let connected = self.rng.gen_bool(0.5);
            self.call(ts, start, owner, Direction::Usual, connected, &[c]);
            let body = *OTHER_NOTES
                .choose(&mut self.rng)
                .unwrap_or(&"Left a voicemail.");
            self.note(ts + MINUTE, start, owner, body, &[c]);
        }
    }
}
