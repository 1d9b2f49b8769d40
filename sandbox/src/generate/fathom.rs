//! Fathom recordings that mirror the reps' completed HubSpot meetings, plus internal
//! meetings, and deterministic transcripts and summaries derived from a recording.
//!
//! Transcripts and summaries are computed on demand rather than stored, which keeps memory
//! flat however many recordings there are.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};

use super::MeetingSeed;
use super::words::INTERNAL_MEETINGS;
use crate::options::SandboxOptions;
use crate::store::{FathomMeeting, Invitee, Store};

const DAY: i64 = 86_400_000;

/// Adds Fathom meetings to the store.
pub fn generate(
    s: &mut Store,
    rng: &mut StdRng,
    opts: &SandboxOptions,
    start: i64,
    seeds: &[MeetingSeed],
) {
    let now = opts.now.timestamp_millis();
    let reps: Vec<usize> = (0..opts.reps).collect();
    let mut out = Vec::with_capacity(seeds.len() * 2);
    for m in seeds {
        let rec_start = m.start + rng.gen_range(0..180_000);
        let rec_end = (m.end + rng.gen_range(-300_000..300_000)).max(rec_start + 600_000);
        let created = rec_end + rng.gen_range(60_000..900_000);
        if created > now {
            continue;
        }
        let owner = &s.owners[m.rep];
        let mut invitees = vec![Invitee {
            name: format!("{} {}", owner.first_name, owner.last_name),
            email: owner.email.clone(),
            external: false,
        }];
        invitees.push(Invitee {
            name: m.contact_name.clone(),
            email: m.contact_email.clone(),
            external: true,
        });
        out.push(FathomMeeting {
            recording_id: 0,
            title: m.title.clone(),
            meeting_title: Some(m.title.clone()),
            meeting_type: Some("Sales".into()),
            created_at: created,
            scheduled_start: m.start,
            scheduled_end: m.end,
            recording_start: rec_start,
            recording_end: rec_end,
            recorder: m.rep,
            invitees,
            deleted: false,
        });
    }
    // Internal meetings: about one per rep per week.
    let weeks = (now - start) / (7 * DAY);
    for w in 0..weeks {
        for &rep in &reps {
            if !rng.gen_bool((0.8 * opts.scale).clamp(0.0, 1.0)) {
                continue;
            }
            let begin = start + w * 7 * DAY + rng.gen_range(0..5) * DAY + 15 * 3_600_000;
            let end = begin + 30 * 60_000;
            let created = end + 300_000;
            if created > now {
                continue;
            }
            let title = INTERNAL_MEETINGS[rng.gen_range(0..INTERNAL_MEETINGS.len())].to_string();
            let invitees = reps
                .iter()
                .take(4)
                .chain(std::iter::once(&rep))
                .collect::<std::collections::BTreeSet<_>>()
                .into_iter()
                .map(|&r| {
                    let o = &s.owners[r];
                    Invitee {
                        name: format!("{} {}", o.first_name, o.last_name),
                        email: o.email.clone(),
                        external: false,
                    }
                })
                .collect();
            out.push(FathomMeeting {
                recording_id: 0,
                title: title.clone(),
                meeting_title: Some(title),
                meeting_type: None,
                created_at: created,
                scheduled_start: begin,
                scheduled_end: end,
                recording_start: begin + 60_000,
                recording_end: end,
                recorder: rep,
                invitees,
                deleted: false,
            });
        }
    }
    out.sort_by_key(|m| (m.created_at, m.scheduled_start, m.recorder));
    for mut m in out {
        m.recording_id = s.next_recording_id;
        s.next_recording_id += 1 + rng.gen_range(0..3);
        s.fathom.push(m);
    }
}

/// One transcript line: `(speaker, text, "HH:MM:SS")`.
pub type Line = (String, String, String);

/// The transcript of a meeting, derived deterministically from its recording id.
pub fn transcript(m: &FathomMeeting, recorder_name: &str) -> Vec<Line> {
    let mut rng = StdRng::seed_from_u64(m.recording_id ^ 0x5eed_f00d);
    let other = m
        .invitees
        .iter()
        .find(|i| i.external)
        .or_else(|| m.invitees.iter().find(|i| i.name != recorder_name))
        .map(|i| i.name.clone())
        .unwrap_or_else(|| "Guest".into());
    let script: &[(bool, &str)] = &[
        (true, "Thanks for making the time today."),
        (
            false,
            "Happy to. We have had a rough quarter with our IT support.",
        ),
        (true, "Tell me what has been going wrong."),
        (false, "Tickets sit for days and our backups failed twice."),
        (true, "Who else is involved in choosing a provider?"),
        (
            false,
            "I make the final call, but our office manager will be involved.",
        ),
        (
            true,
            "Great. I will send a proposal with a managed services option.",
        ),
        (false, "Sounds good, talk next week."),
    ];
    let mut t = 0u32;
    script
        .iter()
        .map(|(rep, text)| {
            t += rng.gen_range(5..60);
            let speaker = if *rep {
                recorder_name.to_string()
            } else {
                other.clone()
            };
            let ts = format!("{:02}:{:02}:{:02}", t / 3600, (t / 60) % 60, t % 60);
            (speaker, (*text).to_string(), ts)
        })
        .collect()
}

/// The default summary (markdown) of a meeting.
pub fn summary(m: &FathomMeeting) -> String {
    format!(
        "## {}\n\n### Key takeaways\n- Prospect is unhappy with current IT support response times.\n- Backups failed twice this quarter.\n- Decision maker was present.\n\n### Next steps\n- Send managed services proposal.\n- Schedule follow up next week.\n",
        m.title
    )
}
