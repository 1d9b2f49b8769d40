//! One rep's week of activity: calls, meetings, notes, emails, tasks and deals, plus the
//! meetings Fathom should have recorded.
//!
//! Exists to keep the volume and distribution rules (dispositions, outcomes, decision-maker
//! notes, MRR) in one place. The generic counts make room for the untidy records.

use rand::Rng;
use rand::seq::SliceRandom;

use super::words::*;
use super::{ContactRef, DAY, Gen, MeetingSeed, untidy};
use crate::catalog::{self, PIPELINES};
use crate::model::{ObjectKind, Val};

impl Gen {
    pub(super) fn rep_week(
        &mut self,
        rep: usize,
        week_start: i64,
        contacts: &[ContactRef],
        fathom: &mut Vec<MeetingSeed>,
    ) {
        if contacts.is_empty() {
            return;
        }
        let owner_id = self.s.owners[rep].id as i64;
        let owner_email = self.s.owners[rep].email.clone();
        let k_ts = self.key("hs_timestamp");
        let k_owner = self.key("hubspot_owner_id");

        // Calls.
        let n = untidy::trimmed(self.count(40.0), untidy::RESERVED_CALLS);
        let kc: Vec<u16> = [
            "hs_call_title",
            "hs_call_body",
            "hs_call_direction",
            "hs_call_disposition",
            "hs_call_duration",
            "hs_call_status",
        ]
        .iter()
        .map(|k| self.key(k))
        .collect();
        for _ in 0..n {
            let ts = self.business_time(week_start);
            if ts > self.now {
                continue;
            }
            let c = &contacts[self.rng.gen_range(0..contacts.len())];
            let roll: f64 = self.rng.r#gen();
            let (disp, status, dur) = match roll {
                x if x < 0.40 => (
                    catalog::DISP_NO_ANSWER,
                    "NO_ANSWER",
                    self.rng.gen_range(0..30),
                ),
                x if x < 0.65 => (
                    catalog::DISP_VOICEMAIL,
                    "COMPLETED",
                    self.rng.gen_range(15..70),
                ),
                x if x < 0.87 => (
                    catalog::DISP_CONNECTED,
                    "COMPLETED",
                    self.rng.gen_range(45..1500),
                ),
                x if x < 0.92 => (catalog::DISP_BUSY, "BUSY", 0),
                x if x < 0.95 => (
                    catalog::DISP_LIVE_MESSAGE,
                    "COMPLETED",
                    self.rng.gen_range(20..90),
                ),
                x if x < 0.97 => (
                    catalog::DISP_WRONG_NUMBER,
                    "COMPLETED",
                    self.rng.gen_range(5..30),
                ),
                _ => (
                    catalog::DISP_MEETING_BOOKED,
                    "COMPLETED",
                    self.rng.gen_range(120..900),
                ),
            };
            let connected = disp == catalog::DISP_CONNECTED || disp == catalog::DISP_MEETING_BOOKED;
            let body = if connected {
                *CALL_BODIES_CONNECTED
                    .choose(&mut self.rng)
                    .unwrap_or(&"Connected.")
            } else {
                *CALL_BODIES_OTHER
                    .choose(&mut self.rng)
                    .unwrap_or(&"No answer.")
            };
            // As in real portals, some calls have no direction or a blank one.
            let direction = match self.rng.r#gen::<f64>() {
                x if x < 0.12 => Some("INBOUND"),
                x if x < 0.15 => None,
                x if x < 0.18 => Some(""),
                _ => Some("OUTBOUND"),
            };
            let title = format!("Call with {} {}", c.first, c.last);
            let mut props = vec![
                (k_ts, Val::Ts(ts)),
                (kc[0], self.sym(&title)),
                (kc[1], self.sym(body)),
                (kc[3], self.sym(disp)),
                (kc[4], Val::Num(dur * 1000 + self.rng.gen_range(0..1000))),
                (kc[5], self.sym(status)),
                (k_owner, Val::Num(owner_id)),
            ];
            if let Some(d) = direction {
                props.push((kc[2], self.sym(d)));
            }
            let created = (ts + self.rng.gen_range(1000..120_000)).min(self.now);
            self.push(
                ObjectKind::Calls,
                created,
                props,
                vec![(ObjectKind::Contacts, c.id)],
            );
        }

        // Meetings.
        let n = untidy::trimmed(self.count(6.0), untidy::RESERVED_MEETINGS);
        let km: Vec<u16> = [
            "hs_meeting_title",
            "hs_meeting_body",
            "hs_meeting_start_time",
            "hs_meeting_end_time",
            "hs_meeting_outcome",
            "hs_activity_type",
            "hs_meeting_location",
        ]
        .iter()
        .map(|k| self.key(k))
        .collect();
        for _ in 0..n {
            let start = self.business_time(week_start);
            let end = start + [30, 45, 60][self.rng.gen_range(0..3)] * 60_000;
            if end > self.now {
                continue;
            }
            let c = contacts[self.rng.gen_range(0..contacts.len())].clone();
            let mtype = *MEETING_TYPES.choose(&mut self.rng).unwrap_or(&"Follow Up");
            let recent = self.now - start < 2 * DAY;
            let outcome = match self.rng.r#gen::<f64>() {
                _ if recent && self.rng.gen_bool(0.5) => "SCHEDULED",
                x if x < 0.65 => "COMPLETED",
                x if x < 0.75 => "SCHEDULED",
                x if x < 0.85 => "NO_SHOW",
                x if x < 0.93 => "CANCELED",
                _ => "RESCHEDULED",
            };
            let title = format!("{mtype}: {} {}", c.first, c.last);
            let body = if c.dm {
                "Agenda: current IT setup, pain points, decision process (DM attending)."
            } else {
                "Agenda: current IT setup and pain points."
            };
            let booked = (start - self.rng.gen_range(1..15) * DAY).min(self.now);
            let location = if self.rng.gen_bool(0.5) {
                "Zoom"
            } else {
                "On site"
            };
            let props = vec![
                (k_ts, Val::Ts(start)),
                (km[0], self.sym(&title)),
                (km[1], self.sym(body)),
                (km[2], Val::Ts(start)),
                (km[3], Val::Ts(end)),
                (km[4], self.sym(outcome)),
                (km[5], self.sym(mtype)),
                (km[6], self.sym(location)),
                (k_owner, Val::Num(owner_id)),
            ];
            self.push(
                ObjectKind::Meetings,
                booked,
                props,
                vec![(ObjectKind::Contacts, c.id)],
            );
            if outcome == "COMPLETED" && self.rng.gen_bool(0.85) {
                fathom.push(MeetingSeed {
                    rep,
                    title,
                    start,
                    end,
                    contact_name: format!("{} {}", c.first, c.last),
                    contact_email: c.email.clone(),
                });
            }
        }

        // Notes.
        let n = untidy::trimmed(self.count(10.0), untidy::RESERVED_NOTES);
        let k_body = self.key("hs_note_body");
        for _ in 0..n {
            let ts = self.business_time(week_start);
            if ts > self.now {
                continue;
            }
            let c = contacts[self.rng.gen_range(0..contacts.len())].id;
            let body = if self.rng.gen_bool(0.35) {
                *DM_NOTES
                    .choose(&mut self.rng)
                    .unwrap_or(&"Spoke with the owner.")
            } else {
                *OTHER_NOTES
                    .choose(&mut self.rng)
                    .unwrap_or(&"Left a voicemail.")
            };
            let props = vec![
                (k_ts, Val::Ts(ts)),
                (k_body, self.sym(body)),
                (k_owner, Val::Num(owner_id)),
            ];
            self.push(
                ObjectKind::Notes,
                ts,
                props,
                vec![(ObjectKind::Contacts, c)],
            );
        }

        // Emails.
        let n = self.count(15.0);
        let ke: Vec<u16> = [
            "hs_email_direction",
            "hs_email_status",
            "hs_email_subject",
            "hs_email_text",
            "hs_email_to_email",
            "hs_email_from_email",
        ]
        .iter()
        .map(|k| self.key(k))
        .collect();
        for _ in 0..n {
            let ts = self.business_time(week_start);
            if ts > self.now {
                continue;
            }
            let c = contacts[self.rng.gen_range(0..contacts.len())].clone();
            let incoming = self.rng.gen_bool(0.3);
            let subject = *EMAIL_SUBJECTS.choose(&mut self.rng).unwrap_or(&"Hello");
            let (to, from) = if incoming {
                (owner_email.clone(), c.email.clone())
            } else {
                (c.email.clone(), owner_email.clone())
            };
            let props = vec![
                (k_ts, Val::Ts(ts)),
                (
                    ke[0],
                    self.sym(if incoming { "INCOMING_EMAIL" } else { "EMAIL" }),
                ),
                (ke[1], self.sym("SENT")),
                (ke[2], self.sym(subject)),
                (
                    ke[3],
                    self.sym("Hi, following up as promised. Best regards"),
                ),
                (ke[4], self.sym(&to)),
                (ke[5], self.sym(&from)),
                (k_owner, Val::Num(owner_id)),
            ];
            self.push(
                ObjectKind::Emails,
                ts,
                props,
                vec![(ObjectKind::Contacts, c.id)],
            );
        }

        // Tasks.
        let n = self.count(5.0);
        let kt: Vec<u16> = [
            "hs_task_subject",
            "hs_task_body",
            "hs_task_status",
            "hs_task_priority",
            "hs_task_type",
        ]
        .iter()
        .map(|k| self.key(k))
        .collect();
        for _ in 0..n {
            let created = self.business_time(week_start);
            if created > self.now {
                continue;
            }
            let due = created + self.rng.gen_range(1..10) * DAY;
            let c = contacts[self.rng.gen_range(0..contacts.len())].clone();
            let subject = *TASK_SUBJECTS.choose(&mut self.rng).unwrap_or(&"Call back");
            let done = due < self.now && self.rng.gen_bool(0.7);
            let prio = ["LOW", "MEDIUM", "HIGH"][self.rng.gen_range(0..3)];
            let ttype = ["EMAIL", "CALL", "TODO"][self.rng.gen_range(0..3)];
            let props = vec![
                (k_ts, Val::Ts(due)),
                (
                    kt[0],
                    self.sym(&format!("{subject}: {} {}", c.first, c.last)),
                ),
                (kt[1], self.sym(subject)),
                (
                    kt[2],
                    self.sym(if done { "COMPLETED" } else { "NOT_STARTED" }),
                ),
                (kt[3], self.sym(prio)),
                (kt[4], self.sym(ttype)),
                (k_owner, Val::Num(owner_id)),
            ];
            self.push(
                ObjectKind::Tasks,
                created,
                props,
                vec![(ObjectKind::Contacts, c.id)],
            );
        }

        // Deals.
        let n = self.count(1.5);
        let kd: Vec<u16> = [
            "dealname",
            "amount",
            "hs_mrr",
            "mrr",
            "closedate",
            "dealstage",
            "pipeline",
            "dealtype",
            "hs_is_closed",
            "hs_is_closed_won",
        ]
        .iter()
        .map(|k| self.key(k))
        .collect();
        for _ in 0..n {
            let created = self.business_time(week_start);
            if created > self.now {
                continue;
            }
            let c = contacts[self.rng.gen_range(0..contacts.len())].clone();
            let pi = usize::from(self.rng.gen_bool(0.4));
            let pipeline = &PIPELINES[pi];
            let stages = pipeline.stages;
            let si = self.rng.gen_range(0..stages.len());
            let (stage, _, _, closed) = stages[si];
            let won = closed && stages[si].2 == "1.0";
            let product = *DEAL_PRODUCTS.choose(&mut self.rng).unwrap_or(&"Managed IT");
            let company_name = self
                .s
                .table(ObjectKind::Companies)
                .get(c.company)
                .and_then(|r| self.s.prop_string(r, "name"))
                .unwrap_or_default();
            let monthly = self.rng.gen_range(5..80) * 50;
            let amount = if pi == 1 {
                monthly * 12
            } else {
                self.rng.gen_range(10..400) * 100
            };
            let close = if closed {
                (created + self.rng.gen_range(1..40) * DAY).min(self.now)
            } else {
                self.now + self.rng.gen_range(5..90) * DAY
            };
            let dealtype = if self.rng.gen_bool(0.7) {
                "newbusiness"
            } else {
                "existingbusiness"
            };
            let mut props = vec![
                (
                    kd[0],
                    Val::Str(format!("{company_name} - {product}").into()),
                ),
                (kd[1], Val::Num(amount)),
                (kd[4], Val::Ts(close)),
                (kd[5], self.sym(stage)),
                (kd[6], self.sym(pipeline.id)),
                (kd[7], self.sym(dealtype)),
                (kd[8], self.sym(if closed { "true" } else { "false" })),
                (kd[9], self.sym(if won { "true" } else { "false" })),
                (k_owner, Val::Num(owner_id)),
            ];
            // Managed-services deals carry MRR; some in the default pipeline only have amount.
            if pi == 1 || self.rng.gen_bool(0.3) {
                props.push((kd[3], Val::Num(monthly)));
                props.push((kd[2], Val::Num(if pi == 1 { monthly } else { 0 })));
            } else {
                props.push((kd[2], Val::Num(0)));
            }
            self.push(
                ObjectKind::Deals,
                created,
                props,
                vec![
                    (ObjectKind::Contacts, c.id),
                    (ObjectKind::Companies, c.company),
                ],
            );
        }
    }
}
