//! A measurable's definition: where its weekly number comes from.
//!
//! The definition is stored and exchanged as JSON, a tagged enum on `type`:
//!
//! ```json
//! {"type": "synced", "kind": "note", "time_field": "occurred",
//!  "filters": {"keywords": ["decision maker", "DM", "CEO"]},
//!  "aggregate": {"type": "count"}}
//! {"type": "synced", "kind": "deal", "time_field": "close_date",
//!  "filters": {"closed_won": true},
//!  "aggregate": {"type": "sum", "properties": ["mrr", "hs_mrr", "amount"]}}
//! {"type": "manual"}
//! {"type": "formula", "formula": "m:12 / m:13 * 100"}
//! ```
//!
//! Synced records are always those owned by the measurable's person (through
//! the person's HubSpot owners, Fathom emails, Autotask resources and
//! Aircall users). [`Source::validate`]
//! names the offending field (`source.filters.keywords`, …) so the API can
//! answer 422 with it.

use serde::{Deserialize, Serialize};

use crate::scorecard::{Formula, Goal, Unit};

/// Where a measurable's weekly value comes from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Source {
    /// Counted or summed from records synced from HubSpot or Fathom.
    Synced(Box<SyncedQuery>),
    /// Entered by hand each week (by the owner or a manager).
    Manual,
    /// Computed from other measurables of the same week.
    Formula {
        /// Formula text, e.g. `m:12 / m:13 * 100`.
        formula: String,
    },
}

/// Synced records of one kind, owned by the measurable's person, filtered,
/// placed in a week by one of their time fields, then counted or summed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SyncedQuery {
    /// Which records.
    pub kind: RecordKind,
    /// Which timestamp places a record in a week.
    #[serde(default)]
    pub time_field: TimeField,
    /// Every filter given must match.
    #[serde(default)]
    pub filters: Filters,
    /// Count the records, or sum a property.
    #[serde(default)]
    pub aggregate: Aggregate,
}

/// Kinds of synced records.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RecordKind {
    /// HubSpot call.
    Call,
    /// HubSpot meeting.
    Meeting,
    /// HubSpot note.
    Note,
    /// HubSpot email.
    Email,
    /// HubSpot task.
    Task,
    /// HubSpot deal.
    Deal,
    /// Fathom recorded meeting.
    FathomMeeting,
    /// Autotask ticket.
    AutotaskTicket,
    /// Autotask time entry.
    AutotaskTimeEntry,
    /// Aircall phone call.
    AircallCall,
}

impl RecordKind {
    /// Every kind.
    pub const ALL: [RecordKind; 10] = [
        RecordKind::Call,
        RecordKind::Meeting,
        RecordKind::Note,
        RecordKind::Email,
        RecordKind::Task,
        RecordKind::Deal,
        RecordKind::FathomMeeting,
        RecordKind::AutotaskTicket,
        RecordKind::AutotaskTimeEntry,
        RecordKind::AircallCall,
    ];

    /// The provider whose records these are.
    pub fn provider(self) -> super::Provider {
        match self {
            RecordKind::FathomMeeting => super::Provider::Fathom,
            RecordKind::AutotaskTicket | RecordKind::AutotaskTimeEntry => super::Provider::Autotask,
            RecordKind::AircallCall => super::Provider::Aircall,
            RecordKind::Call
            | RecordKind::Meeting
            | RecordKind::Note
            | RecordKind::Email
            | RecordKind::Task
            | RecordKind::Deal => super::Provider::Hubspot,
        }
    }

    /// The wire and storage name.
    pub fn as_str(self) -> &'static str {
        match self {
            RecordKind::Call => "call",
            RecordKind::Meeting => "meeting",
            RecordKind::Note => "note",
            RecordKind::Email => "email",
            RecordKind::Task => "task",
            RecordKind::Deal => "deal",
            RecordKind::FathomMeeting => "fathom_meeting",
            RecordKind::AutotaskTicket => "autotask_ticket",
            RecordKind::AutotaskTimeEntry => "autotask_time_entry",
            RecordKind::AircallCall => "aircall_call",
        }
    }

    /// Phone calls (HubSpot's or Aircall's): the kinds direction and
    /// duration filters apply to.
    pub fn is_call(self) -> bool {
        matches!(self, RecordKind::Call | RecordKind::AircallCall)
    }
}

/// The timestamp that places a record in a week.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
#[serde(rename_all = "snake_case")]
pub enum TimeField {
    /// When the activity happened (HubSpot `hs_timestamp`).
    #[default]
    Occurred,
    /// When the record was created.
    Created,
    /// A meeting's start time (HubSpot `hs_meeting_start_time`); a
    /// meeting without one is placed by `hs_timestamp`.
    Start,
    /// A deal's close date.
    CloseDate,
    /// An Autotask ticket's completed date (a ticket not completed has none
    /// and is in no week).
    Completed,
}

/// Record filters; all given filters must match. Text comparisons ignore
/// case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(deny_unknown_fields)]
pub struct Filters {
    /// Calls: `"OUTBOUND"` (only calls logged outbound), `"INBOUND"`, or
    /// `{"not": "INBOUND"}` (every call but inbound ones, calls logged
    /// without a direction included: what a dial is).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub call_direction: Option<DirectionFilter>,
    /// Calls: any of these dispositions (outcomes).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub call_outcome: Vec<String>,
    /// Meetings: any of these activity types, e.g. `First Time Appointment`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meeting_type: Vec<String>,
    /// Meetings: any of these outcomes, e.g. `COMPLETED`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub meeting_outcome: Vec<String>,
    /// Title or body mentions any of these, as whole words.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub keywords: Vec<String>,
    /// An associated contact is in the list with this name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub contact_in_list: Option<String>,
    /// An associated contact has any of these buying roles.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub buying_role: Vec<String>,
    /// Deals: only closed-won deals.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed_won: bool,
    /// Deals: only this pipeline (id or label).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub pipeline: Option<String>,
    /// Autotask tickets: in any of these queues (label or id), e.g. `ROC board`.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub queue: Vec<String>,
    /// Autotask tickets: only those completed on the local calendar day
    /// (the organisation's time zone) they were created.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub closed_same_day: bool,
    /// Autotask time entries: only billable ones (`true`) or only
    /// non-billable ones (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub billable: Option<bool>,
    /// Aircall calls: only answered ones (`true`) or only unanswered ones
    /// (`false`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub answered: Option<bool>,
    /// Calls: only those lasting at least this many seconds.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub min_duration_seconds: Option<u32>,
}

/// Which call directions a measurable counts.
///
/// On the wire either a direction, `"OUTBOUND"`, meaning calls logged with
/// exactly that direction, or `{"not": "INBOUND"}`, meaning every call but
/// those logged with that direction, calls without a direction included
/// (manually logged calls often have none). Directions are compared
/// without regard to case and a blank direction is no direction.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DirectionFilter {
    /// Only calls logged with this direction.
    Is(String),
    /// Every call but those logged with this direction.
    Not(String),
}

impl DirectionFilter {
    /// The direction named, upper-cased.
    pub fn direction(&self) -> String {
        match self {
            DirectionFilter::Is(d) | DirectionFilter::Not(d) => d.trim().to_ascii_uppercase(),
        }
    }

    /// Whether a call logged with `direction` (`None` or blank: none) counts.
    pub fn matches(&self, direction: Option<&str>) -> bool {
        let logged = direction
            .map(|d| d.trim().to_ascii_uppercase())
            .filter(|d| !d.is_empty());
        match self {
            DirectionFilter::Is(_) => logged.as_deref() == Some(self.direction().as_str()),
            DirectionFilter::Not(_) => logged.as_deref() != Some(self.direction().as_str()),
        }
    }
}

const DIRECTION_SHAPE: &str =
    r#"must be "INBOUND", "OUTBOUND", {"not": "INBOUND"} or {"not": "OUTBOUND"}"#;

impl Serialize for DirectionFilter {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap as _;
        match self {
            DirectionFilter::Is(d) => s.serialize_str(d),
            DirectionFilter::Not(d) => {
                let mut map = s.serialize_map(Some(1))?;
                map.serialize_entry("not", d)?;
                map.end()
            }
        }
    }
}

impl<'de> Deserialize<'de> for DirectionFilter {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        match serde_json::Value::deserialize(d)? {
            serde_json::Value::String(s) => Ok(DirectionFilter::Is(s)),
            serde_json::Value::Object(o) if o.len() == 1 => match o.get("not") {
                Some(serde_json::Value::String(s)) => Ok(DirectionFilter::Not(s.clone())),
                _ => Err(D::Error::custom(DIRECTION_SHAPE)),
            },
            _ => Err(D::Error::custom(DIRECTION_SHAPE)),
        }
    }
}

/// How matching records become one number.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Aggregate {
    /// The number of records.
    #[default]
    Count,
    /// The sum, per record, of the first non-empty numeric property of the
    /// list (e.g. `["mrr", "hs_mrr", "amount"]`).
    Sum {
        /// Property names, in order of preference.
        properties: Vec<String>,
    },
}

/// A refused definition: the field at fault and why.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldError {
    /// Dotted path of the field, e.g. `source.filters.keywords`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl FieldError {
    /// An error for `field`.
    pub fn new(field: &str, message: impl Into<String>) -> FieldError {
        FieldError {
            field: field.to_owned(),
            message: message.into(),
        }
    }
}

/// Longest entry of a filter list (a keyword, an outcome, a list name).
pub const MAX_ENTRY_CHARS: usize = 200;
/// Longest formula.
pub const MAX_FORMULA_CHARS: usize = 1000;
/// Most entries in one filter list.
pub const MAX_ENTRIES: usize = 100;

fn non_blank(field: &str, values: &[String]) -> Result<(), FieldError> {
    if values.iter().any(|v| v.trim().is_empty()) {
        return Err(FieldError::new(field, "must not contain empty entries"));
    }
    if values.len() > MAX_ENTRIES {
        return Err(FieldError::new(
            field,
            format!("at most {MAX_ENTRIES} entries"),
        ));
    }
    if let Some(long) = values.iter().find(|v| v.chars().count() > MAX_ENTRY_CHARS) {
        let start: String = long.chars().take(20).collect();
        return Err(FieldError::new(
            field,
            format!("“{start}…” is longer than {MAX_ENTRY_CHARS} characters"),
        ));
    }
    Ok(())
}

impl Source {
    /// Short name of the source type: `synced`, `manual` or `formula`.
    pub fn type_name(&self) -> &'static str {
        match self {
            Source::Synced(_) => "synced",
            Source::Manual => "manual",
            Source::Formula { .. } => "formula",
        }
    }

    /// The parsed formula of a formula source.
    pub fn formula(&self) -> Option<Formula> {
        match self {
            Source::Formula { formula } => Formula::parse(formula).ok(),
            _ => None,
        }
    }

    /// Checks the definition on its own (references to other measurables
    /// and cycles are checked by the server), naming the bad field.
    pub fn validate(&self) -> Result<(), FieldError> {
        match self {
            Source::Manual => Ok(()),
            Source::Formula { formula } if formula.chars().count() > MAX_FORMULA_CHARS => {
                Err(FieldError::new(
                    "source.formula",
                    format!("at most {MAX_FORMULA_CHARS} characters"),
                ))
            }
            Source::Formula { formula } => Formula::parse(formula)
                .map(|_| ())
                .map_err(|e| FieldError::new("source.formula", e.to_string())),
            Source::Synced(q) => q.validate(),
        }
    }
}

impl SyncedQuery {
    fn validate(&self) -> Result<(), FieldError> {
        use RecordKind as K;
        let f = &self.filters;
        let kind = self.kind;
        match self.time_field {
            TimeField::CloseDate if kind != K::Deal => {
                return Err(FieldError::new(
                    "source.time_field",
                    "close_date only applies to deals",
                ));
            }
            TimeField::Start if !matches!(kind, K::Meeting | K::FathomMeeting) => {
                return Err(FieldError::new(
                    "source.time_field",
                    "start only applies to meetings",
                ));
            }
            TimeField::Completed if kind != K::AutotaskTicket => {
                return Err(FieldError::new(
                    "source.time_field",
                    "completed only applies to Autotask tickets",
                ));
            }
            TimeField::Occurred if kind == K::Deal => {
                return Err(FieldError::new(
                    "source.time_field",
                    "deals are placed by close_date or created",
                ));
            }
            _ => {}
        }
        if f.call_direction.is_some() && !kind.is_call() {
            return Err(FieldError::new(
                "source.filters.call_direction",
                "only applies to calls",
            ));
        }
        if !f.call_outcome.is_empty() && kind != K::Call {
            return Err(FieldError::new(
                "source.filters.call_outcome",
                "only applies to HubSpot calls",
            ));
        }
        if f.min_duration_seconds.is_some() && !kind.is_call() {
            return Err(FieldError::new(
                "source.filters.min_duration_seconds",
                "only applies to calls",
            ));
        }
        if f.answered.is_some() && kind != K::AircallCall {
            return Err(FieldError::new(
                "source.filters.answered",
                "only applies to Aircall calls",
            ));
        }
        if (!f.queue.is_empty() || f.closed_same_day) && kind != K::AutotaskTicket {
            let field = if f.queue.is_empty() {
                "source.filters.closed_same_day"
            } else {
                "source.filters.queue"
            };
            return Err(FieldError::new(field, "only applies to Autotask tickets"));
        }
        if f.closed_same_day && self.time_field != TimeField::Completed {
            return Err(FieldError::new(
                "source.filters.closed_same_day",
                "counts tickets by the day they were closed: use the time field completed",
            ));
        }
        if f.billable.is_some() && kind != K::AutotaskTimeEntry {
            return Err(FieldError::new(
                "source.filters.billable",
                "only applies to Autotask time entries",
            ));
        }
        if let Some(d) = &f.call_direction
            && !matches!(d.direction().as_str(), "INBOUND" | "OUTBOUND")
        {
            return Err(FieldError::new(
                "source.filters.call_direction",
                DIRECTION_SHAPE,
            ));
        }
        if (!f.meeting_type.is_empty() || !f.meeting_outcome.is_empty()) && kind != K::Meeting {
            let field = if f.meeting_type.is_empty() {
                "source.filters.meeting_outcome"
            } else {
                "source.filters.meeting_type"
            };
            return Err(FieldError::new(field, "only applies to HubSpot meetings"));
        }
        if (f.closed_won || f.pipeline.is_some()) && kind != K::Deal {
            let field = if f.closed_won {
                "source.filters.closed_won"
            } else {
                "source.filters.pipeline"
            };
            return Err(FieldError::new(field, "only applies to deals"));
        }
        non_blank("source.filters.call_outcome", &f.call_outcome)?;
        non_blank("source.filters.meeting_type", &f.meeting_type)?;
        non_blank("source.filters.meeting_outcome", &f.meeting_outcome)?;
        non_blank("source.filters.keywords", &f.keywords)?;
        non_blank("source.filters.buying_role", &f.buying_role)?;
        non_blank("source.filters.queue", &f.queue)?;
        for (field, value) in [
            ("source.filters.contact_in_list", &f.contact_in_list),
            ("source.filters.pipeline", &f.pipeline),
        ] {
            if value.as_ref().is_some_and(|v| v.trim().is_empty()) {
                return Err(FieldError::new(field, "must not be empty"));
            }
            if value
                .as_ref()
                .is_some_and(|v| v.chars().count() > MAX_ENTRY_CHARS)
            {
                return Err(FieldError::new(
                    field,
                    format!("at most {MAX_ENTRY_CHARS} characters"),
                ));
            }
        }
        if let Aggregate::Sum { properties } = &self.aggregate {
            if properties.is_empty() {
                return Err(FieldError::new(
                    "source.aggregate.properties",
                    "name at least one property to sum",
                ));
            }
            non_blank("source.aggregate.properties", properties)?;
            if let Some(bad) = properties.iter().find(|p| !is_property_name(p)) {
                return Err(FieldError::new(
                    "source.aggregate.properties",
                    format!(
                        "`{bad}` is not a property name: use the internal name (letters, digits, _ . -, at most 100), e.g. hs_mrr"
                    ),
                ));
            }
            if properties.len() > 20 {
                return Err(FieldError::new(
                    "source.aggregate.properties",
                    "at most 20 properties",
                ));
            }
        }
        Ok(())
    }

    /// The record properties this definition reads beyond the columns
    /// every sync stores: the ones a sum names. The sync fetches them.
    pub fn properties_named(&self) -> &[String] {
        match &self.aggregate {
            Aggregate::Sum { properties } => properties,
            Aggregate::Count => &[],
        }
    }
}

/// Whether `name` can be a provider property's internal name.
pub fn is_property_name(name: &str) -> bool {
    !name.is_empty()
        && name.len() <= 100
        && name
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '.' | '-'))
}

/// Everything that defines a measurable, as created and edited.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MeasurableInput {
    /// Section of the scorecard (created when new).
    pub section: String,
    /// Row label.
    pub name: String,
    /// Owning person (from the people list), if any.
    #[serde(default)]
    pub person_id: Option<i64>,
    /// How values are shown.
    #[serde(default)]
    pub unit: Unit,
    /// Decimal places shown (0–4).
    #[serde(default)]
    pub decimals: u8,
    /// The weekly goal, if any.
    #[serde(default)]
    pub goal: Option<Goal>,
    /// First week (`YYYY-MM-DD`, a week start) a changed goal applies to;
    /// defaults to the current week, so past weeks keep their colours.
    #[serde(default)]
    pub goal_effective_from: Option<String>,
    /// Where the value comes from.
    pub source: Source,
}

impl MeasurableInput {
    /// Checks everything but references to other measurables.
    pub fn validate(&self) -> Result<(), FieldError> {
        let name = self.name.trim();
        if name.is_empty() || name.chars().count() > 120 {
            return Err(FieldError::new("name", "must be 1 to 120 characters"));
        }
        let section = self.section.trim();
        if section.is_empty() || section.chars().count() > 120 {
            return Err(FieldError::new("section", "must be 1 to 120 characters"));
        }
        if self.decimals > 4 {
            return Err(FieldError::new("decimals", "must be 0 to 4"));
        }
        if let Some(goal) = &self.goal {
            goal.validate()
                .map_err(|e| FieldError::new("goal", e.to_string()))?;
        }
        self.source.validate()
    }
}

#[cfg(test)]
mod tests;
