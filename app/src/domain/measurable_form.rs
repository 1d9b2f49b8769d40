//! The measurable editor's fields, as the form posts them, both ways:
//! [`MeasurableForm::of`] fills them from a definition, [`MeasurableForm::into_input`]
//! reads a definition back naming the bad field, and
//! [`MeasurableForm::preview_request`] reads just what a preview needs (the
//! owner and the source), so a half-filled form can still be previewed.

use serde::{Deserialize, Serialize};

use super::{measurable::MeasurableInput, preview::PreviewRequest, source_form::SourceForm};
use crate::error::ApiError;

/// The editor's fields, as the form posts them.
#[derive(Debug, Clone, PartialEq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct MeasurableForm {
    /// Section name.
    pub section: String,
    /// Label.
    pub name: String,
    /// Person id, or empty.
    pub person_id: String,
    /// `count`, `currency`, `percent`, `duration`.
    pub unit: String,
    /// Decimal places.
    pub decimals: String,
    /// `at_least`, `at_most`, `equal`, `between`, or `none`.
    pub goal_op: String,
    /// Goal value (lower bound for between).
    pub goal_value: String,
    /// Upper bound for between.
    pub goal_upper: String,
    /// Yellow band in percent.
    pub goal_band: String,
    /// First week a changed goal applies to.
    pub goal_effective_from: String,
    /// The source definition's fields.
    pub source: SourceForm,
}

fn number(field: &str, text: &str) -> Result<Option<f64>, ApiError> {
    let text = text.trim();
    if text.is_empty() {
        return Ok(None);
    }
    text.parse::<f64>()
        .map(Some)
        .map_err(|_| ApiError::invalid(field, "must be a number"))
}

impl MeasurableForm {
    /// Converts the posted fields into a definition, naming a bad field.
    pub fn into_input(self) -> Result<MeasurableInput, ApiError> {
        use crate::scorecard::{Goal, GoalOp, Unit};
        let unit = match self.unit.as_str() {
            "currency" => Unit::Currency,
            "percent" => Unit::Percent,
            "duration" => Unit::Duration,
            _ => Unit::Count,
        };
        let op = match self.goal_op.as_str() {
            "at_least" => Some(GoalOp::AtLeast),
            "at_most" => Some(GoalOp::AtMost),
            "equal" => Some(GoalOp::Equal),
            "between" => Some(GoalOp::Between),
            _ => None,
        };
        let goal = match op {
            None => None,
            Some(op) => Some(Goal {
                op,
                value: number("goal_value", &self.goal_value)?
                    .ok_or_else(|| ApiError::invalid("goal_value", "is required"))?,
                upper: if op == GoalOp::Between {
                    number("goal_upper", &self.goal_upper)?
                } else {
                    None
                },
                band: number("goal_band", &self.goal_band)?
                    .map_or(crate::scorecard::DEFAULT_BAND, |b| b / 100.0),
            }),
        };
        let source = self
            .source
            .into_source()
            .map_err(|e| ApiError::invalid(&e.field, e.message))?;
        Ok(MeasurableInput {
            section: self.section,
            name: self.name,
            person_id: person(&self.person_id)?,
            unit,
            decimals: self.decimals.trim().parse().unwrap_or(0),
            goal,
            goal_effective_from: Some(self.goal_effective_from).filter(|s| !s.trim().is_empty()),
            source,
        })
    }
}

impl MeasurableForm {
    /// The fields showing `input`.
    pub fn of(input: &MeasurableInput) -> MeasurableForm {
        use crate::scorecard::GoalOp;
        let goal = input.goal.as_ref();
        MeasurableForm {
            section: input.section.clone(),
            name: input.name.clone(),
            person_id: input.person_id.map(|p| p.to_string()).unwrap_or_default(),
            unit: match input.unit {
                crate::scorecard::Unit::Count => "count",
                crate::scorecard::Unit::Currency => "currency",
                crate::scorecard::Unit::Percent => "percent",
                crate::scorecard::Unit::Duration => "duration",
            }
            .to_owned(),
            decimals: input.decimals.to_string(),
            goal_op: match goal.map(|g| g.op) {
                Some(GoalOp::AtLeast) => "at_least",
                Some(GoalOp::AtMost) => "at_most",
                Some(GoalOp::Equal) => "equal",
                Some(GoalOp::Between) => "between",
                None => "none",
            }
            .to_owned(),
            goal_value: goal.map(|g| g.value.to_string()).unwrap_or_default(),
            goal_upper: goal
                .and_then(|g| g.upper)
                .map(|u| u.to_string())
                .unwrap_or_default(),
            goal_band: goal.map_or(10.0, |g| g.band * 100.0).to_string(),
            goal_effective_from: input.goal_effective_from.clone().unwrap_or_default(),
            source: SourceForm::of(&input.source),
        }
    }

    /// The owner and source a preview needs; the rest may be unfinished.
    pub fn preview_request(&self, week: Option<String>) -> Result<PreviewRequest, ApiError> {
        Ok(PreviewRequest {
            person_id: person(&self.person_id)?,
            source: self
                .source
                .clone()
                .into_source()
                .map_err(|e| ApiError::invalid(&e.field, e.message))?,
            week: week.filter(|w| !w.trim().is_empty()),
        })
    }
}

fn person(text: &str) -> Result<Option<i64>, ApiError> {
    match text.trim() {
        "" => Ok(None),
        p => p
            .parse()
            .map(Some)
            .map_err(|_| ApiError::invalid("person_id", "must be a person")),
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    #[test]
    fn a_definition_survives_the_form_both_ways() {
        let input: MeasurableInput = serde_json::from_str(
            r#"{"section": "Inside sales", "name": "Dials", "person_id": 7, "unit": "count", "decimals": 0,
                "goal": {"op": "between", "value": 100.0, "upper": 150.0, "band": 0.2},
                "source": {"type": "synced", "kind": "call", "filters": {"call_direction": {"not": "INBOUND"}}}}"#,
        )
        .unwrap();
        assert_eq!(MeasurableForm::of(&input).into_input().unwrap(), input);
        let request = MeasurableForm::of(&input)
            .preview_request(Some("2026-11-23".into()))
            .unwrap();
        assert_eq!((request.person_id, request.source), (Some(7), input.source));
    }

    #[test]
    fn an_unfinished_form_still_previews() {
        let form = MeasurableForm {
            goal_op: "at_least".into(),
            source: SourceForm {
                source_type: "synced".into(),
                kind: "note".into(),
                keywords: "DM".into(),
                ..SourceForm::default()
            },
            ..MeasurableForm::default()
        };
        assert!(form.clone().into_input().is_err(), "no goal value yet");
        assert!(form.preview_request(None).is_ok());
    }
}
