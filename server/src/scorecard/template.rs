//! The default "sales scorecard" template: sections, measurables, goals.
//!
//! Every definition is an ordinary [`MeasurableInput`], so after "Start from
//! template" each one stays editable like any other. Formula measurables
//! refer to siblings by name here ([`rate_inputs`]); [`formula_refs`]
//! resolves them once the siblings have ids. The Reactive operations rows
//! count Autotask tickets and time entries.

use app::domain::MeasurableId;
use app::{
    domain::measurable::{
        Aggregate, DirectionFilter, Filters, MeasurableInput, RecordKind, Source, SyncedQuery,
        TimeField,
    },
    scorecard::{Goal, Unit},
};

/// The template's sections, in order.
pub const SECTIONS: [&str; 5] = [
    "Inside sales",
    "Outside sales",
    "Hybrid",
    "Warm 250",
    "Reactive operations",
];

/// Keywords of "Conversations with decision maker".
pub const DECISION_MAKER_WORDS: [&str; 6] = [
    "decision maker",
    "DM",
    "CEO",
    "owner",
    "president",
    "founder",
];

fn synced(kind: RecordKind, time_field: TimeField, filters: Filters) -> Source {
    Source::Synced(Box::new(SyncedQuery {
        kind,
        time_field,
        filters,
        aggregate: Aggregate::Count,
    }))
}

fn strings(list: &[&str]) -> Vec<String> {
    list.iter().map(|s| (*s).to_owned()).collect()
}

/// A dial is a call that is not INBOUND: outbound calls and calls logged
/// without a direction (manually logged calls often have none).
fn dials(list: Option<&str>) -> Source {
    synced(
        RecordKind::Call,
        TimeField::Occurred,
        Filters {
            call_direction: Some(DirectionFilter::Not("INBOUND".to_owned())),
            contact_in_list: list.map(str::to_owned),
            ..Filters::default()
        },
    )
}

/// Name of the template's dials row (the one without a list filter).
pub const DIALS: &str = "Dials";

/// Dials from the phone system: every outbound Aircall call, answered or
/// not. The template uses it for [`DIALS`] when Aircall is connected
/// (Aircall also logs its calls into HubSpot, so one source must count).
pub fn aircall_dials() -> Source {
    synced(
        RecordKind::AircallCall,
        TimeField::Occurred,
        Filters {
            call_direction: Some(DirectionFilter::Is("OUTBOUND".to_owned())),
            ..Filters::default()
        },
    )
}

fn dm_conversations(list: Option<&str>) -> Source {
    synced(
        RecordKind::Note,
        TimeField::Occurred,
        Filters {
            keywords: strings(&DECISION_MAKER_WORDS),
            contact_in_list: list.map(str::to_owned),
            ..Filters::default()
        },
    )
}

/// Meetings of a type, by creation (set) or start with outcome COMPLETED
/// (attended).
fn meetings(kind: &str, attended: bool, list: Option<&str>) -> Source {
    synced(
        RecordKind::Meeting,
        if attended {
            TimeField::Start
        } else {
            TimeField::Created
        },
        Filters {
            meeting_type: vec![kind.to_owned()],
            meeting_outcome: if attended {
                vec!["COMPLETED".to_owned()]
            } else {
                Vec::new()
            },
            contact_in_list: list.map(str::to_owned),
            ..Filters::default()
        },
    )
}

fn mrr_closed() -> Source {
    Source::Synced(Box::new(SyncedQuery {
        kind: RecordKind::Deal,
        time_field: TimeField::CloseDate,
        filters: Filters {
            closed_won: true,
            ..Filters::default()
        },
        aggregate: Aggregate::Sum {
            properties: strings(&["mrr", "hs_mrr", "amount"]),
        },
    }))
}

fn row(section: &str, name: &str, unit: Unit, goal: Goal, source: Source) -> MeasurableInput {
    MeasurableInput {
        section: section.to_owned(),
        name: name.to_owned(),
        person_id: None,
        unit,
        decimals: 0,
        goal: Some(goal),
        goal_effective_from: None,
        source,
    }
}

/// Name of the same-day close rate, a formula over two siblings.
pub const CLOSE_RATE: &str = "Same-day close rate";
/// Tickets closed (by completed date).
pub const TICKETS_CLOSED: &str = "Tickets closed";
/// Tickets closed the local day they were opened.
pub const CLOSED_SAME_DAY: &str = "Tickets closed the same day";
/// Hours worked (Autotask time entries).
pub const HOURS_WORKED: &str = "Hours worked";
/// Billable hours worked.
pub const BILLABLE_HOURS: &str = "Billable hours";
/// Name of utilisation, billable hours ÷ hours worked.
pub const UTILISATION: &str = "Utilisation";

/// Autotask tickets placed by `time_field`, only those closed the day they
/// were opened when `same_day`.
fn tickets(time_field: TimeField, same_day: bool) -> Source {
    synced(
        RecordKind::AutotaskTicket,
        time_field,
        Filters {
            closed_same_day: same_day,
            ..Filters::default()
        },
    )
}

/// Hours worked from Autotask time entries (`hoursWorked`), all of them or
/// only billable (`Some(true)`) ones.
fn hours(billable: Option<bool>) -> Source {
    Source::Synced(Box::new(SyncedQuery {
        kind: RecordKind::AutotaskTimeEntry,
        time_field: TimeField::Occurred,
        filters: Filters {
            billable,
            ..Filters::default()
        },
        aggregate: Aggregate::Sum {
            properties: strings(&["hoursWorked"]),
        },
    }))
}

/// The template's measurables, in order. The close-rate formula is a
/// placeholder until [`formula_refs`] fills in its inputs' ids.
pub fn measurables() -> Vec<MeasurableInput> {
    use Unit::{Count, Currency, Percent};
    let at_least = Goal::at_least;
    let fta = "First Time Appointment";
    vec![
        row(SECTIONS[0], DIALS, Count, at_least(125.0), dials(None)),
        row(
            SECTIONS[0],
            "Conversations with decision maker",
            Count,
            at_least(13.0),
            dm_conversations(None),
        ),
        row(
            SECTIONS[0],
            "First-time appointments set",
            Count,
            at_least(1.0),
            meetings(fta, false, None),
        ),
        row(
            SECTIONS[1],
            "FTA attended",
            Count,
            at_least(1.0),
            meetings(fta, true, None),
        ),
        row(
            SECTIONS[1],
            "COI attended",
            Count,
            at_least(1.0),
            meetings("COI", true, None),
        ),
        row(
            SECTIONS[1],
            "Networking events",
            Count,
            at_least(1.0),
            meetings("Networking Event", true, None),
        ),
        row(
            SECTIONS[1],
            "MRR closed",
            Currency,
            at_least(500.0),
            mrr_closed(),
        ),
        row(
            SECTIONS[2],
            "COI created",
            Count,
            at_least(2.0),
            meetings("COI", false, None),
        ),
        row(
            SECTIONS[2],
            "COI attended",
            Count,
            at_least(2.0),
            meetings("COI", true, None),
        ),
        row(
            SECTIONS[2],
            "Networking events",
            Count,
            at_least(3.0),
            meetings("Networking Event", true, None),
        ),
        row(
            SECTIONS[3],
            "Dials (Warm 250)",
            Count,
            at_least(25.0),
            dials(Some("Warm 250")),
        ),
        row(
            SECTIONS[3],
            "Conversations with decision maker (Warm 250)",
            Count,
            at_least(6.0),
            dm_conversations(Some("Warm 250")),
        ),
        row(
            SECTIONS[3],
            "First-time appointments set (Warm 250)",
            Count,
            at_least(1.0),
            meetings(fta, false, Some("Warm 250")),
        ),
        row(
            SECTIONS[4],
            "Tickets opened",
            Count,
            at_least(0.0),
            tickets(TimeField::Created, false),
        ),
        row(
            SECTIONS[4],
            TICKETS_CLOSED,
            Count,
            at_least(0.0),
            tickets(TimeField::Completed, false),
        ),
        row(
            SECTIONS[4],
            CLOSED_SAME_DAY,
            Count,
            at_least(0.0),
            tickets(TimeField::Completed, true),
        ),
        row(
            SECTIONS[4],
            CLOSE_RATE,
            Percent,
            at_least(70.0),
            Source::Formula {
                formula: "0".to_owned(),
            },
        ),
        row(SECTIONS[4], HOURS_WORKED, Count, at_least(0.0), hours(None)),
        row(
            SECTIONS[4],
            BILLABLE_HOURS,
            Count,
            at_least(0.0),
            hours(Some(true)),
        ),
        row(
            SECTIONS[4],
            UTILISATION,
            Percent,
            at_least(60.0),
            Source::Formula {
                formula: "0".to_owned(),
            },
        ),
    ]
    .into_iter()
    .map(|m| match m.name.as_str() {
        // Team rows with no goal of their own: the rates carry the goals.
        TICKETS_CLOSED | CLOSED_SAME_DAY | HOURS_WORKED | BILLABLE_HOURS | "Tickets opened" => {
            MeasurableInput { goal: None, ..m }
        }
        _ => m,
    })
    .collect()
}

/// The (part, whole) siblings of a template rate row, by name.
pub fn rate_inputs(name: &str) -> Option<(&'static str, &'static str)> {
    match name {
        CLOSE_RATE => Some((CLOSED_SAME_DAY, TICKETS_CLOSED)),
        UTILISATION => Some((BILLABLE_HOURS, HOURS_WORKED)),
        _ => None,
    }
}

/// A rate formula once its inputs have ids: `part ÷ whole × 100` (the
/// same-day close rate: tickets closed the same day ÷ tickets closed;
/// utilisation: billable hours ÷ hours worked).
pub fn formula_refs(part: MeasurableId, whole: MeasurableId) -> Source {
    Source::Formula {
        formula: format!("m:{part} / m:{whole} * 100"),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn every_template_definition_is_valid() {
        let all = measurables();
        assert_eq!(all.len(), 20);
        for m in &all {
            assert_eq!(m.validate(), Ok(()), "{}", m.name);
            assert!(SECTIONS.contains(&m.section.as_str()));
        }
        assert_eq!(
            formula_refs(MeasurableId(3), MeasurableId(4)).validate(),
            Ok(())
        );
    }
}
