//! Seeing a definition before trusting it: what the measurable editor and
//! `POST /api/v1/measurables/preview` show for a definition not saved yet.
//!
//! The last 13 weeks' values for the chosen owner, the first records that
//! count in the chosen week (with links), and for each filter the records
//! it alone keeps out ("12 INBOUND calls not counted", "3 notes mention
//! “DMZ”"), so a wrong definition is visible at once.

use serde::{Deserialize, Serialize};

use super::{
    measurable::{FieldError, Source},
    scorecard::RecordLine,
};

/// A definition to preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    /// Whose records (`None`: the whole organisation's).
    #[serde(default)]
    pub person_id: Option<i64>,
    /// The definition.
    pub source: Source,
    /// The week whose records are listed (any date in it; default: the
    /// current week).
    #[serde(default)]
    pub week: Option<String>,
}

/// One week's value in the preview.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PreviewWeek {
    /// Week start, `YYYY-MM-DD`.
    pub week: String,
    /// The value the definition gives (`None`: none, e.g. manual).
    pub value: Option<f64>,
}

/// Records one filter alone keeps out of the chosen week.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Exclusion {
    /// The filter, as a field path (`source.filters.call_direction`).
    pub filter: String,
    /// How many records it keeps out.
    pub count: usize,
    /// What that means, e.g. "12 INBOUND calls not counted".
    pub text: String,
    /// A few of them, with links.
    pub examples: Vec<RecordLine>,
}

/// A problem with the definition that does not stop it being saved.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Warning {
    /// The field, e.g. `source.aggregate.properties`.
    pub field: String,
    /// What is wrong.
    pub message: String,
}

impl From<FieldError> for Warning {
    fn from(e: FieldError) -> Self {
        Warning {
            field: e.field,
            message: e.message,
        }
    }
}

/// What a definition would show.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Preview {
    /// The chosen week, `YYYY-MM-DD`.
    pub week: String,
    /// The 13 weeks ending with the chosen one, oldest first.
    pub weeks: Vec<PreviewWeek>,
    /// The chosen week's value.
    pub value: Option<f64>,
    /// How many records count in the chosen week.
    pub matched: usize,
    /// The first of them (at most [`Preview::RECORDS`]).
    pub records: Vec<RecordLine>,
    /// Per filter, the records it alone keeps out of the chosen week.
    pub excluded: Vec<Exclusion>,
    /// How records were read: fallbacks used, which property each sum took.
    pub notes: Vec<String>,
    /// Problems that do not stop saving: unknown properties, properties not
    /// fetched yet, stale connections.
    pub warnings: Vec<Warning>,
}

impl Preview {
    /// Records listed at most.
    pub const RECORDS: usize = 20;
    /// Examples per exclusion at most.
    pub const EXAMPLES: usize = 3;
}
