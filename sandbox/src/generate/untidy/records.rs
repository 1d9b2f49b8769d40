//! Writing one untidy call, meeting or note.
//!
//! Exists so every shape module asks for a record by what makes it untidy — its owner, its
//! call direction, its meeting start time, its contacts — and nothing else. A record that
//! would fall outside the window or after now is skipped here, in one place.

use rand::Rng;
use rand::seq::SliceRandom;

use super::MINUTE;
use crate::catalog;
use crate::generate::words::CALL_BODIES_CONNECTED;
use crate::generate::{ContactRef, DAY, Gen, MeetingSeed, WEEK};
use crate::model::{ObjectKind, Val};

/// `hs_meeting_start_time` of an untidy meeting.
#[derive(Clone, Copy, PartialEq)]
pub(super) enum StartTime {
    Set,
    Missing,
    Blank,
}

/// `hs_call_direction` of an untidy call.
#[derive(Clone, Copy)]
pub(super) enum Direction {
    /// INBOUND 12 % of the time, else OUTBOUND, like the generic calls.
    Usual,
    Inbound,
    /// Property left out.
    Missing,
    /// `""`.
    Blank,
}

/// The owner of an untidy record.
#[derive(Clone, Copy)]
pub(super) enum Owner {
    /// A rep, by index into the owners (and Fathom users).
    Rep(usize),
    /// An owner that is not a rep.
    Id(u64),
    Blank,
}

impl Gen {
    /// A weekday business-hours instant of the week starting at `week_start` that is not
    /// before it and not after now (so a deliberate shape is never skipped).
    pub(super) fn time_in_week(&mut self, week_start: i64) -> i64 {
        for _ in 0..16 {
            let t = self.business_time(week_start);
            if t >= week_start && t <= self.now {
                return t;
            }
        }
        week_start + (self.now - week_start).clamp(0, WEEK) / 2
    }

    /// `hubspot_owner_id` of a record owned by `owner`.
    pub(super) fn owner_val(&self, owner: Owner) -> Val {
        match owner {
            Owner::Rep(rep) => Val::Num(self.s.owners.get(rep).map_or(0, |o| o.id as i64)),
            Owner::Id(id) => Val::Num(id as i64),
            Owner::Blank => Val::Str("".into()),
        }
    }

    /// A call at `ts` (skipped outside `[floor, now]`).
    pub(super) fn call(
        &mut self,
        ts: i64,
        floor: i64,
        owner: Owner,
        direction: Direction,
        connected: bool,
        who: &[&ContactRef],
    ) {
        if ts < floor || ts > self.now {
            return;
        }
        let Some(c) = who.first() else { return };
        let (disp, status, secs, body) = if connected {
            (
                catalog::DISP_CONNECTED,
                "COMPLETED",
                self.rng.gen_range(90..1500),
                *CALL_BODIES_CONNECTED
                    .choose(&mut self.rng)
                    .unwrap_or(&"Connected."),
            )
        } else {
            (
                catalog::DISP_NO_ANSWER,
                "NO_ANSWER",
                self.rng.gen_range(0..30),
                "No answer.",
            )
        };
        let title = format!("Call with {} {}", c.first, c.last);
        let mut props = vec![
            (self.key("hs_timestamp"), Val::Ts(ts)),
            (self.key("hs_call_title"), self.sym(&title)),
            (self.key("hs_call_body"), self.sym(body)),
            (self.key("hs_call_disposition"), self.sym(disp)),
            (
                self.key("hs_call_duration"),
                Val::Num(secs * 1000 + self.rng.gen_range(0..1000)),
            ),
            (self.key("hs_call_status"), self.sym(status)),
            (self.key("hubspot_owner_id"), self.owner_val(owner)),
        ];
        let direction = match direction {
            Direction::Usual if self.rng.gen_bool(0.12) => Some("INBOUND"),
            Direction::Usual => Some("OUTBOUND"),
            Direction::Inbound => Some("INBOUND"),
            Direction::Missing => None,
            Direction::Blank => Some(""),
        };
        if let Some(d) = direction {
            props.push((self.key("hs_call_direction"), self.sym(d)));
        }
        let created = (ts + self.rng.gen_range(1000..120_000)).min(self.now);
        let assoc = who.iter().map(|c| (ObjectKind::Contacts, c.id)).collect();
        self.push(ObjectKind::Calls, created, props, assoc);
    }

    /// A completed meeting starting at `begin` (skipped unless it ends in `[floor, now]`).
    pub(super) fn meeting(
        &mut self,
        begin: i64,
        floor: i64,
        owner: Owner,
        mtype: &str,
        start_time: StartTime,
        who: &[&ContactRef],
    ) {
        let end = begin + [30, 45, 60][self.rng.gen_range(0..3)] * MINUTE;
        if begin < floor || end > self.now {
            return;
        }
        let Some(c) = who.first() else { return };
        let title = format!("{mtype}: {} {}", c.first, c.last);
        let location = if self.rng.gen_bool(0.5) {
            "Zoom"
        } else {
            "On site"
        };
        let mut props = vec![
            (self.key("hs_timestamp"), Val::Ts(begin)),
            (self.key("hs_meeting_title"), self.sym(&title)),
            (
                self.key("hs_meeting_body"),
                self.sym("Agenda: current IT setup and pain points."),
            ),
            (self.key("hs_meeting_end_time"), Val::Ts(end)),
            (self.key("hs_meeting_outcome"), self.sym("COMPLETED")),
            (self.key("hs_activity_type"), self.sym(mtype)),
            (self.key("hs_meeting_location"), self.sym(location)),
            (self.key("hubspot_owner_id"), self.owner_val(owner)),
        ];
        match start_time {
            StartTime::Set => props.push((self.key("hs_meeting_start_time"), Val::Ts(begin))),
            StartTime::Blank => {
                props.push((self.key("hs_meeting_start_time"), Val::Str("".into())));
            }
            StartTime::Missing => {}
        }
        let booked = (begin - self.rng.gen_range(1..15) * DAY).min(self.now);
        let assoc = who.iter().map(|c| (ObjectKind::Contacts, c.id)).collect();
        self.push(ObjectKind::Meetings, booked, props, assoc);
        // Reps record most of their completed meetings in Fathom, as in `rep_week`.
        if let Owner::Rep(rep) = owner
            && self.rng.gen_bool(0.85)
        {
            self.untidy_recordings.push(MeetingSeed {
                rep,
                title,
                start: begin,
                end,
                contact_name: format!("{} {}", c.first, c.last),
                contact_email: c.email.clone(),
            });
        }
    }

    /// A note at `ts` (skipped outside `[floor, now]`).
    pub(super) fn note(
        &mut self,
        ts: i64,
        floor: i64,
        owner: Owner,
        body: &str,
        who: &[&ContactRef],
    ) {
        if ts < floor || ts > self.now || who.is_empty() {
            return;
        }
        let props = vec![
            (self.key("hs_timestamp"), Val::Ts(ts)),
            (self.key("hs_note_body"), self.sym(body)),
            (self.key("hubspot_owner_id"), self.owner_val(owner)),
        ];
        let assoc = who.iter().map(|c| (ObjectKind::Contacts, c.id)).collect();
        self.push(ObjectKind::Notes, ts, props, assoc);
    }
}
