//! The checks of a definition against the organisation it is saved in: its
//! owner is one of the organisation's people, its formula names only the
//! organisation's measurables, and formulas never refer to each other in a
//! cycle.
//!
//! Pure, so the editor's preview and the save share one rule and one
//! message; the server gathers the facts (people, formulas) and calls in.

use std::collections::{BTreeSet, HashMap};

use crate::domain::MeasurableId;

use super::measurable::{FieldError, Source};
use crate::scorecard::find_cycle;

/// What a definition is checked against.
#[derive(Debug, Clone, Default)]
pub struct OrgFacts {
    /// The organisation's people.
    pub people: BTreeSet<i64>,
    /// Each measurable and the measurables its formula names (none when it
    /// is not a formula).
    pub formulas: HashMap<MeasurableId, Vec<MeasurableId>>,
}

/// The owner must be a person of the organisation.
pub fn check_person(facts: &OrgFacts, person: Option<i64>) -> Result<(), FieldError> {
    match person {
        Some(p) if !facts.people.contains(&p) => Err(FieldError::new(
            "person_id",
            "is not a person of this organisation",
        )),
        _ => Ok(()),
    }
}

/// A formula may name only measurables of the organisation, and saving it
/// (as measurable `me`, or a new one when `None`) must not close a cycle.
pub fn check_formula(
    facts: &OrgFacts,
    me: Option<MeasurableId>,
    source: &Source,
) -> Result<(), FieldError> {
    let Some(formula) = source.formula() else {
        return Ok(());
    };
    let references = formula.references();
    if let Some(bad) = references.iter().find(|r| !facts.formulas.contains_key(r)) {
        return Err(FieldError::new(
            "source.formula",
            format!("m:{bad} is not a measurable of this organisation"),
        ));
    }
    let mut graph = facts.formulas.clone();
    // A new measurable's id is never referenced, so 0 stands for it.
    graph.insert(me.unwrap_or(MeasurableId(0)), references);
    if let Some(cycle) = find_cycle(&graph) {
        let path: Vec<String> = cycle.iter().map(|c| format!("m:{c}")).collect();
        return Err(FieldError::new(
            "source.formula",
            format!(
                "formulas would refer to each other in a cycle: {}",
                path.join(" → ")
            ),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn facts() -> OrgFacts {
        OrgFacts {
            people: [7].into(),
            formulas: [(1, vec![]), (2, vec![1]), (3, vec![2])]
                .map(|(id, refs)| {
                    (
                        MeasurableId(id),
                        refs.into_iter().map(MeasurableId).collect(),
                    )
                })
                .into(),
        }
    }

    fn formula(text: &str) -> Source {
        Source::Formula {
            formula: text.to_owned(),
        }
    }

    #[test]
    fn the_owner_must_be_one_of_the_people() {
        assert!(check_person(&facts(), Some(7)).is_ok());
        assert!(check_person(&facts(), None).is_ok());
        assert_eq!(
            check_person(&facts(), Some(8)).unwrap_err().field,
            "person_id"
        );
    }

    #[test]
    fn a_formula_names_only_known_measurables() {
        assert!(check_formula(&facts(), None, &formula("m:1 + m:3")).is_ok());
        let err = check_formula(&facts(), None, &formula("m:1 / m:99")).unwrap_err();
        assert_eq!(err.message, "m:99 is not a measurable of this organisation");
        assert!(check_formula(&facts(), None, &Source::Manual).is_ok());
    }

    #[test]
    fn an_edit_that_closes_a_cycle_is_refused_with_its_path() {
        let err = check_formula(&facts(), Some(MeasurableId(1)), &formula("m:3 * 2")).unwrap_err();
        assert_eq!(err.field, "source.formula");
        assert!(
            err.message.contains("m:1 → m:3 → m:2 → m:1"),
            "{}",
            err.message
        );
        assert!(check_formula(&facts(), Some(MeasurableId(3)), &formula("m:1")).is_ok());
    }
}
