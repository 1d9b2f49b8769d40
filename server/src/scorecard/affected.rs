//! Which measurables a batch of synced changes can move.
//!
//! A sync publishes the object kinds it touched (`calls`, `lists`, …). A
//! measurable needs recomputing only when its source reads one of them:
//! its own record kind, the contacts, lists or pipelines its filters look
//! through, or the owners that map records to its person; formulas follow
//! their inputs. Anything this module does not recognise moves everything,
//! so a new object kind can never leave a stale number behind.

use std::collections::{BTreeSet, HashMap};

use app::domain::MeasurableId;

use app::domain::measurable::{RecordKind, Source, SyncedQuery};

/// The object name a sync publishes for a record kind.
pub fn object_of(kind: RecordKind) -> &'static str {
    match kind {
        RecordKind::Call => "calls",
        RecordKind::Meeting => "meetings",
        RecordKind::Note => "notes",
        RecordKind::Email => "emails",
        RecordKind::Task => "tasks",
        RecordKind::Deal => "deals",
        RecordKind::FathomMeeting => "fathom_meetings",
        RecordKind::AutotaskTicket => "autotask_tickets",
        RecordKind::AutotaskTimeEntry => "autotask_time_entries",
        RecordKind::AircallCall => "aircall_calls",
    }
}

/// Objects that can only move the measurables that read them.
const KNOWN: [&str; 15] = [
    "calls",
    "autotask_tickets",
    "autotask_time_entries",
    "aircall_calls",
    "meetings",
    "notes",
    "emails",
    "tasks",
    "deals",
    "fathom_meetings",
    "contacts",
    "companies",
    "lists",
    "pipelines",
    "call_dispositions",
];

fn reads(query: &SyncedQuery, object: &str) -> bool {
    let f = &query.filters;
    match object {
        "contacts" => f.contact_in_list.is_some() || !f.buying_role.is_empty(),
        "lists" => f.contact_in_list.is_some(),
        "pipelines" => f.pipeline.is_some(),
        "call_dispositions" => !f.call_outcome.is_empty(),
        "companies" => false,
        kind => kind == object_of(query.kind),
    }
}

/// The measurables among `sources` (id → source) that a change to
/// `objects` can move, formulas over them included.
pub fn affected(
    sources: &HashMap<MeasurableId, Source>,
    objects: &[String],
) -> BTreeSet<MeasurableId> {
    let everything = objects.iter().any(|o| !KNOWN.contains(&o.as_str()));
    let mut out: BTreeSet<MeasurableId> = sources
        .iter()
        .filter(|(_, source)| match source {
            Source::Synced(query) => everything || objects.iter().any(|o| reads(query, o.as_str())),
            Source::Manual | Source::Formula { .. } => false,
        })
        .map(|(id, _)| *id)
        .collect();
    // Formulas over moved inputs move too, to any depth.
    loop {
        let more: Vec<MeasurableId> = sources
            .iter()
            .filter(|(id, _)| !out.contains(id))
            .filter(|(_, source)| {
                source
                    .formula()
                    .is_some_and(|f| f.references().iter().any(|r| out.contains(r)))
            })
            .map(|(id, _)| *id)
            .collect();
        if more.is_empty() {
            return out;
        }
        out.extend(more);
    }
}

#[cfg(test)]
mod tests {
    use app::domain::measurable::{Aggregate, Filters, TimeField};

    use super::*;

    fn synced(kind: RecordKind, filters: Filters) -> Source {
        Source::Synced(Box::new(SyncedQuery {
            kind,
            time_field: TimeField::Occurred,
            filters,
            aggregate: Aggregate::Count,
        }))
    }

    fn formula(text: &str) -> Source {
        Source::Formula {
            formula: text.to_owned(),
        }
    }

    fn objects(list: &[&str]) -> Vec<String> {
        list.iter().map(|s| (*s).to_owned()).collect()
    }

    fn ids<const N: usize>(ids: [i64; N]) -> BTreeSet<MeasurableId> {
        ids.into_iter().map(MeasurableId).collect()
    }

    fn sources() -> HashMap<MeasurableId, Source> {
        let warm = Filters {
            contact_in_list: Some("Warm 250".into()),
            ..Filters::default()
        };
        [
            (1, synced(RecordKind::Call, Filters::default())),
            (2, synced(RecordKind::Call, warm)),
            (3, synced(RecordKind::Deal, Filters::default())),
            (4, Source::Manual),
            (5, formula("m:1 / m:4")),
            (6, formula("m:5 * 100")),
            (7, formula("m:3 + 1")),
        ]
        .into_iter()
        .map(|(id, source)| (MeasurableId(id), source))
        .collect()
    }

    #[test]
    fn a_kind_moves_its_measurables_and_the_formulas_over_them() {
        let got = affected(&sources(), &objects(&["calls"]));
        assert_eq!(got, ids([1, 2, 5, 6]));
    }

    #[test]
    fn list_changes_move_only_list_filtered_measurables() {
        let got = affected(&sources(), &objects(&["lists"]));
        assert_eq!(got, ids([2]));
        let got = affected(&sources(), &objects(&["contacts"]));
        assert_eq!(got, ids([2]));
    }

    #[test]
    fn manual_values_never_move_with_synced_data() {
        let got = affected(&sources(), &objects(&["deals"]));
        assert_eq!(got, ids([3, 7]));
        assert!(affected(&sources(), &objects(&["companies"])).is_empty());
    }

    #[test]
    fn owners_or_anything_unknown_moves_every_synced_measurable() {
        for object in ["owners", "people", "something_new"] {
            let got = affected(&sources(), &objects(&[object]));
            assert_eq!(got, ids([1, 2, 3, 5, 6, 7]), "{object}");
        }
    }
}
