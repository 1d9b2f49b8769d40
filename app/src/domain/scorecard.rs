//! What the scorecard page and the REST API show: one week of a scorecard
//! with its 13-week history, and the detail behind one cell.

use crate::domain::MeasurableId;
use serde::{Deserialize, Serialize};

use super::measurable::Source;
use crate::scorecard::{Goal, Status, Unit};

/// A scorecard in a list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScorecardSummary {
    /// Id.
    pub id: i64,
    /// Name.
    pub name: String,
    /// Number of measurables.
    pub measurables: i64,
}

/// A person who can own measurables.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PersonOption {
    /// Person id.
    pub id: i64,
    /// Display name.
    pub name: String,
}

/// One week's value of one measurable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Cell {
    /// Week start, `YYYY-MM-DD`.
    pub week: String,
    /// The value, if any.
    pub value: Option<f64>,
    /// Colour against the goal in force that week.
    pub status: Status,
    /// Set when a past week's value changed after it was first shown: the
    /// value shown back then.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub restated_from: Option<f64>,
    /// A person overrode (or entered) the value by hand.
    #[serde(default)]
    pub manual: bool,
    /// The note on this cell.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// The value rests on data that is not up to date (see [`Row::stale`]).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub stale: bool,
}

/// Why a measurable's recent values cannot be trusted right now: a
/// connection it reads needs reconnecting or its last sync failed, or a
/// property it names is still being fetched.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stale {
    /// The data is as of this instant (ms since the epoch; `None`: never
    /// synced).
    pub since: Option<i64>,
    /// Why, e.g. "HubSpot needs reconnecting".
    pub reason: String,
    /// Short label, e.g. "stale since 2 h".
    pub label: String,
}

/// One measurable's row for the selected week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Row {
    /// Measurable id.
    pub measurable_id: MeasurableId,
    /// Label.
    pub name: String,
    /// Owning person's id.
    pub person_id: Option<i64>,
    /// Owning person's name.
    pub owner: Option<String>,
    /// How values are shown.
    pub unit: Unit,
    /// Decimal places.
    pub decimals: u8,
    /// Goal in force in the selected week.
    pub goal: Option<Goal>,
    /// `synced`, `manual` or `formula`.
    pub source_type: String,
    /// The selected week.
    pub this_week: Cell,
    /// Straight-line projection while the selected week is running.
    pub pace: Option<f64>,
    /// The week before.
    pub last_week: Cell,
    /// Quarter-to-date average up to the selected week.
    pub quarter_average: Option<f64>,
    /// The 13 weeks ending with the selected one, oldest first.
    pub weeks: Vec<Cell>,
    /// The viewer may enter or override values of this row.
    pub can_enter: bool,
    /// Set when recent values rest on data that is not up to date; the
    /// cells concerned carry [`Cell::stale`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale: Option<Stale>,
}

/// A section and its rows.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Section {
    /// Section name.
    pub name: String,
    /// Rows in display order.
    pub rows: Vec<Row>,
}

/// A scorecard as of one week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ScorecardWeek {
    /// Scorecard id.
    pub id: i64,
    /// Scorecard name.
    pub name: String,
    /// Selected week start.
    pub week: String,
    /// The week running now.
    pub current_week: String,
    /// Previous week start.
    pub previous_week: String,
    /// Next week start, unless the selected week is the current one.
    pub next_week: Option<String>,
    /// The 13 week starts of the grid, oldest first.
    pub weeks: Vec<String>,
    /// Sections in order.
    pub sections: Vec<Section>,
    /// When the newest value was computed (ms since the epoch).
    pub computed_at: i64,
    /// The viewer may edit definitions and goals.
    pub can_manage: bool,
}

/// A synced record behind a cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RecordLine {
    /// Record kind.
    pub kind: String,
    /// When it counts (ms since the epoch).
    pub at: i64,
    /// Title or a short excerpt.
    pub title: String,
    /// Its contribution to a sum, if the measurable sums.
    pub amount: Option<f64>,
    /// Link to open it in HubSpot or Fathom.
    pub url: Option<String>,
}

/// One audited change of a cell or definition.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AuditLine {
    /// What happened: `entry`, `override`, `clear`, `note`, `definition`, `goal`.
    pub action: String,
    /// Who.
    pub user_name: String,
    /// When (ms since the epoch).
    pub at: i64,
    /// Before.
    pub old_value: Option<String>,
    /// After.
    pub new_value: Option<String>,
    /// Why.
    pub reason: String,
}

/// Everything behind one cell.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CellDetail {
    /// Measurable id.
    pub measurable_id: MeasurableId,
    /// Measurable name.
    pub name: String,
    /// Owner's name.
    pub owner: Option<String>,
    /// Unit.
    pub unit: Unit,
    /// Decimals.
    pub decimals: u8,
    /// The definition.
    pub source: Source,
    /// The cell.
    pub cell: Cell,
    /// Value computed from the source, before any override.
    pub computed: Option<f64>,
    /// The manual value or override and its reason, if any.
    pub entry: Option<(Option<f64>, String)>,
    /// Synced records counted (synced sources).
    pub records: Vec<RecordLine>,
    /// Audit trail, newest first.
    pub audit: Vec<AuditLine>,
    /// The viewer may enter or override the value.
    pub can_enter: bool,
    /// Set when the value rests on data that is not up to date.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stale: Option<Stale>,
}

/// A measurable with its full definition, for the editor.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MeasurableDetail {
    /// Id.
    pub id: MeasurableId,
    /// Scorecard id.
    pub scorecard_id: i64,
    /// The definition as it would be submitted.
    pub input: super::measurable::MeasurableInput,
}

/// A goal as shown in the Goal column: `≥ 125`, `≤ $500`, `40 – 60 %`.
pub fn goal_text(goal: &Goal, unit: Unit, decimals: u8) -> String {
    use crate::scorecard::{GoalOp, format_value};
    let value = format_value(goal.value, unit, decimals);
    match (goal.op, goal.upper) {
        (GoalOp::Between, Some(upper)) => {
            format!("{value} – {}", format_value(upper, unit, decimals))
        }
        (op, _) => format!("{} {value}", op.symbol()),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn goal_text_shows_operator_and_unit() {
        assert_eq!(goal_text(&Goal::at_least(125.0), Unit::Count, 0), "≥ 125");
        assert_eq!(
            goal_text(&Goal::at_most(500.0), Unit::Currency, 0),
            "≤ $500"
        );
        assert_eq!(
            goal_text(&Goal::between(40.0, 60.0), Unit::Percent, 0),
            "40 % – 60 %"
        );
    }
}

/// One pipeline stage on the dashboard.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageLine {
    /// Pipeline label (or id).
    pub pipeline: String,
    /// Stage label (or id).
    pub stage: String,
    /// Open and closed deals in the stage.
    pub count: i64,
    /// Sum of their amounts.
    pub value: f64,
}

/// A recently created contact on the dashboard.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ContactLine {
    /// Full name (or email).
    pub name: String,
    /// Email.
    pub email: Option<String>,
    /// Company name.
    pub company: Option<String>,
    /// Created upstream (ms since the epoch).
    pub created_at: Option<i64>,
    /// Link to open it in HubSpot.
    pub url: Option<String>,
}

/// The dashboard tab: what has been synced, at a glance.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Dashboard {
    /// Live contacts.
    pub contacts: i64,
    /// Live companies.
    pub companies: i64,
    /// Live deals.
    pub deals: i64,
    /// Deals by pipeline and stage.
    pub stages: Vec<StageLine>,
    /// The ten newest contacts.
    pub recent_contacts: Vec<ContactLine>,
}
