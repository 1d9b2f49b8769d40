//! A measurable's source as form fields, both ways.
//!
//! Managers define sources on a page, not in JSON: a type, then for synced
//! records a kind, a time field, the filters and the aggregation; for a
//! formula its text. [`SourceForm::of`] fills the fields from a definition
//! and [`SourceForm::into_source`] reads them back, naming the field that
//! is wrong. Lists (keywords, outcomes, types, roles, properties) are typed
//! comma-separated. The REST API keeps the documented JSON.

use serde::{Deserialize, Serialize};

use super::measurable::{
    Aggregate, DirectionFilter, FieldError, Filters, RecordKind, Source, SyncedQuery, TimeField,
};

/// The source fields of the measurable editor, as the form posts them.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct SourceForm {
    /// `synced`, `manual` or `formula`.
    pub source_type: String,
    /// Record kind (synced): `call`, `meeting`, … `fathom_meeting`.
    pub kind: String,
    /// `occurred`, `created`, `start` or `close_date`.
    pub time_field: String,
    /// Empty (any), `OUTBOUND`, `INBOUND`, `not:INBOUND` or `not:OUTBOUND`
    /// (see [`DIRECTIONS`]).
    pub call_direction: String,
    /// Comma-separated call outcomes.
    pub call_outcome: String,
    /// Comma-separated meeting types.
    pub meeting_type: String,
    /// Comma-separated meeting outcomes.
    pub meeting_outcome: String,
    /// Comma-separated keywords.
    pub keywords: String,
    /// List name, or empty.
    pub contact_in_list: String,
    /// Comma-separated buying roles.
    pub buying_role: String,
    /// Present (any value) when only closed-won deals count.
    pub closed_won: Option<String>,
    /// Pipeline id or label, or empty.
    pub pipeline: String,
    /// Comma-separated Autotask queues (labels or ids).
    pub queue: String,
    /// Present (any value) when only tickets closed the day they were
    /// created count.
    pub closed_same_day: Option<String>,
    /// Empty (any), `billable` or `non_billable` (Autotask time entries).
    pub billable: String,
    /// Empty (any), `answered` or `unanswered` (Aircall calls).
    pub answered: String,
    /// Minimum call length in seconds, or empty.
    pub min_duration_seconds: String,
    /// `count` or `sum`.
    pub aggregate: String,
    /// Comma-separated properties to sum, first non-empty wins.
    pub sum_properties: String,
    /// Formula text.
    pub formula: String,
}

/// Every record kind with the label the editor shows.
pub const KINDS: [(&str, &str); 10] = [
    ("call", "Calls (HubSpot)"),
    ("meeting", "Meetings (HubSpot)"),
    ("note", "Notes (HubSpot)"),
    ("email", "Emails (HubSpot)"),
    ("task", "Tasks (HubSpot)"),
    ("deal", "Deals (HubSpot)"),
    ("fathom_meeting", "Recorded meetings (Fathom)"),
    ("autotask_ticket", "Tickets (Autotask)"),
    ("autotask_time_entry", "Time entries (Autotask)"),
    ("aircall_call", "Phone calls (Aircall)"),
];

/// Every call-direction choice with the label the editor shows.
pub const DIRECTIONS: [(&str, &str); 5] = [
    ("", "Any direction"),
    (
        "not:INBOUND",
        "Not inbound (outbound, or logged without a direction)",
    ),
    ("OUTBOUND", "Logged as outbound only"),
    ("INBOUND", "Inbound only"),
    (
        "not:OUTBOUND",
        "Not outbound (inbound, or logged without a direction)",
    ),
];

fn direction_text(filter: &DirectionFilter) -> String {
    match filter {
        DirectionFilter::Is(d) => d.trim().to_ascii_uppercase(),
        DirectionFilter::Not(d) => format!("not:{}", d.trim().to_ascii_uppercase()),
    }
}

fn direction_of(text: &str) -> Option<DirectionFilter> {
    let text = text.trim();
    match text.strip_prefix("not:") {
        _ if text.is_empty() => None,
        Some(d) => Some(DirectionFilter::Not(d.trim().to_owned())),
        None => Some(DirectionFilter::Is(text.to_owned())),
    }
}

/// Every time field with the label the editor shows.
pub const TIME_FIELDS: [(&str, &str); 5] = [
    ("occurred", "when it happened"),
    ("created", "when it was created"),
    (
        "start",
        "meeting start (hs_timestamp when a meeting has no start time)",
    ),
    ("close_date", "deal close date"),
    ("completed", "ticket completed date"),
];

fn joined(values: &[String]) -> String {
    values.join(", ")
}

fn split(text: &str) -> Vec<String> {
    text.split(',')
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(str::to_owned)
        .collect()
}

fn optional(text: &str) -> Option<String> {
    Some(text.trim().to_owned()).filter(|s| !s.is_empty())
}

/// An optional yes/no choice: empty is `None`, `yes.0` is true, `yes.1` false.
fn choice(field: &str, text: &str, (yes, no): (&str, &str)) -> Result<Option<bool>, FieldError> {
    match text.trim() {
        "" => Ok(None),
        t if t == yes => Ok(Some(true)),
        t if t == no => Ok(Some(false)),
        other => Err(FieldError::new(field, format!("unknown value `{other}`"))),
    }
}

fn wire_name<T: Serialize>(value: &T) -> String {
    serde_json::to_value(value)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

fn from_wire<T: for<'de> Deserialize<'de>>(field: &str, text: &str) -> Result<T, FieldError> {
    serde_json::from_value(serde_json::Value::String(text.trim().to_owned()))
        .map_err(|_| FieldError::new(field, format!("unknown value `{}`", text.trim())))
}

impl SourceForm {
    /// The fields showing `source`.
    pub fn of(source: &Source) -> SourceForm {
        let mut form = SourceForm {
            source_type: source.type_name().to_owned(),
            kind: "call".to_owned(),
            time_field: "occurred".to_owned(),
            aggregate: "count".to_owned(),
            ..SourceForm::default()
        };
        match source {
            Source::Manual => {}
            Source::Formula { formula } => form.formula = formula.clone(),
            Source::Synced(q) => {
                let f = &q.filters;
                form.kind = q.kind.as_str().to_owned();
                form.time_field = wire_name(&q.time_field);
                form.call_direction = f
                    .call_direction
                    .as_ref()
                    .map(direction_text)
                    .unwrap_or_default();
                form.call_outcome = joined(&f.call_outcome);
                form.meeting_type = joined(&f.meeting_type);
                form.meeting_outcome = joined(&f.meeting_outcome);
                form.keywords = joined(&f.keywords);
                form.contact_in_list = f.contact_in_list.clone().unwrap_or_default();
                form.buying_role = joined(&f.buying_role);
                form.closed_won = f.closed_won.then(|| "on".to_owned());
                form.pipeline = f.pipeline.clone().unwrap_or_default();
                form.queue = joined(&f.queue);
                form.closed_same_day = f.closed_same_day.then(|| "on".to_owned());
                form.billable = match f.billable {
                    Some(true) => "billable".to_owned(),
                    Some(false) => "non_billable".to_owned(),
                    None => String::new(),
                };
                form.answered = match f.answered {
                    Some(true) => "answered".to_owned(),
                    Some(false) => "unanswered".to_owned(),
                    None => String::new(),
                };
                form.min_duration_seconds = f
                    .min_duration_seconds
                    .map(|s| s.to_string())
                    .unwrap_or_default();
                if let Aggregate::Sum { properties } = &q.aggregate {
                    form.aggregate = "sum".to_owned();
                    form.sum_properties = joined(properties);
                }
            }
        }
        form
    }

    /// The definition these fields describe, checked; a bad field is named
    /// by its JSON path (`source.kind`, `source.filters.keywords`, …).
    pub fn into_source(self) -> Result<Source, FieldError> {
        let source = match self.source_type.trim() {
            "manual" => Source::Manual,
            "formula" => Source::Formula {
                formula: self.formula.trim().to_owned(),
            },
            "synced" => {
                let kind: RecordKind = from_wire("source.kind", &self.kind)?;
                let time_field: TimeField = match self.time_field.trim() {
                    "" => TimeField::default(),
                    text => from_wire("source.time_field", text)?,
                };
                let aggregate = match self.aggregate.trim() {
                    "" | "count" => Aggregate::Count,
                    "sum" => {
                        let properties = split(&self.sum_properties);
                        if properties.is_empty() {
                            return Err(FieldError::new(
                                "source.aggregate.properties",
                                "name at least one property to sum",
                            ));
                        }
                        Aggregate::Sum { properties }
                    }
                    other => {
                        return Err(FieldError::new(
                            "source.aggregate",
                            format!("unknown aggregation `{other}`"),
                        ));
                    }
                };
                Source::Synced(Box::new(SyncedQuery {
                    kind,
                    time_field,
                    filters: Filters {
                        call_direction: direction_of(&self.call_direction),
                        call_outcome: split(&self.call_outcome),
                        meeting_type: split(&self.meeting_type),
                        meeting_outcome: split(&self.meeting_outcome),
                        keywords: split(&self.keywords),
                        contact_in_list: optional(&self.contact_in_list),
                        buying_role: split(&self.buying_role),
                        closed_won: self.closed_won.is_some(),
                        pipeline: optional(&self.pipeline),
                        queue: split(&self.queue),
                        closed_same_day: self.closed_same_day.is_some(),
                        billable: choice(
                            "source.filters.billable",
                            &self.billable,
                            ("billable", "non_billable"),
                        )?,
                        answered: choice(
                            "source.filters.answered",
                            &self.answered,
                            ("answered", "unanswered"),
                        )?,
                        min_duration_seconds: match self.min_duration_seconds.trim() {
                            "" => None,
                            text => Some(text.parse().map_err(|_| {
                                FieldError::new(
                                    "source.filters.min_duration_seconds",
                                    format!("`{text}` is not a whole number of seconds"),
                                )
                            })?),
                        },
                    },
                    aggregate,
                }))
            }
            other => {
                return Err(FieldError::new(
                    "source.type",
                    format!("unknown source type `{other}`"),
                ));
            }
        };
        source.validate()?;
        Ok(source)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn json(text: &str) -> Source {
        serde_json::from_str(text).unwrap()
    }

    #[test]
    fn every_documented_example_survives_the_round_trip() {
        for text in [
            r#"{"type": "synced", "kind": "call", "time_field": "occurred"}"#,
            r#"{"type": "synced", "kind": "note", "filters": {"keywords": ["decision maker", "DM", "CEO"], "contact_in_list": "Warm 250"}}"#,
            r#"{"type": "synced", "kind": "meeting", "time_field": "start", "filters": {"meeting_type": ["First Time Appointment"], "meeting_outcome": ["COMPLETED"]}}"#,
            r#"{"type": "synced", "kind": "call", "filters": {"call_direction": "OUTBOUND", "call_outcome": ["Connected"], "buying_role": ["DECISION_MAKER"]}}"#,
            r#"{"type": "synced", "kind": "call", "filters": {"call_direction": {"not": "INBOUND"}, "contact_in_list": "Warm 250"}}"#,
            r#"{"type": "synced", "kind": "deal", "time_field": "close_date", "filters": {"closed_won": true, "pipeline": "Sales"}, "aggregate": {"type": "sum", "properties": ["mrr", "hs_mrr", "amount"]}}"#,
            r#"{"type": "synced", "kind": "fathom_meeting", "time_field": "start"}"#,
            r#"{"type": "synced", "kind": "autotask_ticket", "time_field": "completed", "filters": {"queue": ["ROC board"], "closed_same_day": true}}"#,
            r#"{"type": "synced", "kind": "autotask_time_entry", "filters": {"billable": true}, "aggregate": {"type": "sum", "properties": ["hoursWorked"]}}"#,
            r#"{"type": "synced", "kind": "aircall_call", "filters": {"call_direction": "OUTBOUND", "answered": false, "min_duration_seconds": 30}}"#,
            r#"{"type": "manual"}"#,
            r#"{"type": "formula", "formula": "m:12 / m:13 * 100"}"#,
        ] {
            let source = json(text);
            assert_eq!(SourceForm::of(&source).into_source(), Ok(source), "{text}");
        }
    }

    #[test]
    fn lists_are_comma_separated_and_blanks_dropped() {
        let form = SourceForm {
            source_type: "synced".into(),
            kind: "note".into(),
            keywords: " decision maker, ,CEO ,".into(),
            ..SourceForm::default()
        };
        let Source::Synced(q) = form.into_source().unwrap() else {
            panic!("a synced source")
        };
        assert_eq!(q.filters.keywords, ["decision maker", "CEO"]);
        assert_eq!(q.time_field, TimeField::Occurred);
        assert_eq!(q.aggregate, Aggregate::Count);
    }

    #[test]
    fn a_bad_field_is_named() {
        let base = SourceForm {
            source_type: "synced".into(),
            kind: "call".into(),
            ..SourceForm::default()
        };
        let cases = [
            (
                SourceForm {
                    kind: "fax".into(),
                    ..base.clone()
                },
                "source.kind",
            ),
            (
                SourceForm {
                    time_field: "close_date".into(),
                    ..base.clone()
                },
                "source.time_field",
            ),
            (
                SourceForm {
                    aggregate: "sum".into(),
                    ..base.clone()
                },
                "source.aggregate.properties",
            ),
            (
                SourceForm {
                    source_type: "magic".into(),
                    ..base.clone()
                },
                "source.type",
            ),
            (
                SourceForm {
                    source_type: "formula".into(),
                    formula: "m:1 +".into(),
                    ..base.clone()
                },
                "source.formula",
            ),
        ];
        for (form, field) in cases {
            let err = form.clone().into_source().unwrap_err();
            assert_eq!(err.field, field, "{form:?}");
        }
        let err = SourceForm {
            kind: "fax".into(),
            ..base
        }
        .into_source()
        .unwrap_err();
        assert!(err.message.contains("fax"), "{err:?}");
    }
}
