//! Measurable goals and their effective-dated history.
//!
//! Every EOS measurable has a weekly goal ("≥ 50 calls", "≤ 2 days to quote",
//! "between 40 % and 60 %"). Goals change over time, and a change must not
//! recolour weeks that were already reviewed, so goals are stored as a
//! history of changes, each effective from a given week onward.

use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

/// The default yellow band: values within 10 % of the goal (on the wrong
/// side) are yellow rather than red.
pub const DEFAULT_BAND: f64 = 0.10;

fn default_band() -> f64 {
    DEFAULT_BAND
}

/// How a value is compared with the goal.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum GoalOp {
    /// Green when value ≥ goal.
    AtLeast,
    /// Green when value ≤ goal.
    AtMost,
    /// Green when value = goal.
    Equal,
    /// Green when goal ≤ value ≤ upper.
    Between,
}

impl GoalOp {
    /// The symbol shown in the UI: `≥`, `≤`, `=` or `–` (between).
    pub fn symbol(self) -> &'static str {
        match self {
            GoalOp::AtLeast => "≥",
            GoalOp::AtMost => "≤",
            GoalOp::Equal => "=",
            GoalOp::Between => "–",
        }
    }
}

/// A weekly goal for a measurable.
///
/// `band` is the yellow band as a fraction of the goal's magnitude: a value
/// that misses the goal by at most `band × |goal|` is yellow, anything worse
/// is red. Measuring the band against `|goal|` keeps it meaningful for
/// negative goals (e.g. "net churn ≤ −5") and makes a goal of exactly 0 have
/// no yellow band: "≤ 0 defects" is green at 0 and red at anything above.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct Goal {
    /// Comparison operator.
    pub op: GoalOp,
    /// The goal value; the lower bound for [`GoalOp::Between`].
    pub value: f64,
    /// Upper bound, only for [`GoalOp::Between`].
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub upper: Option<f64>,
    /// Yellow band fraction in `[0, 1)`; defaults to [`DEFAULT_BAND`].
    #[serde(default = "default_band")]
    pub band: f64,
}

impl Goal {
    /// `value ≥ goal`, with the default band.
    pub fn at_least(goal: f64) -> Goal {
        Goal {
            op: GoalOp::AtLeast,
            value: goal,
            upper: None,
            band: DEFAULT_BAND,
        }
    }

    /// `value ≤ goal`, with the default band.
    pub fn at_most(goal: f64) -> Goal {
        Goal {
            op: GoalOp::AtMost,
            value: goal,
            upper: None,
            band: DEFAULT_BAND,
        }
    }

    /// `value = goal`, with the default band.
    pub fn equal(goal: f64) -> Goal {
        Goal {
            op: GoalOp::Equal,
            value: goal,
            upper: None,
            band: DEFAULT_BAND,
        }
    }

    /// `lower ≤ value ≤ upper`, with the default band.
    pub fn between(lower: f64, upper: f64) -> Goal {
        Goal {
            op: GoalOp::Between,
            value: lower,
            upper: Some(upper),
            band: DEFAULT_BAND,
        }
    }

    /// The same goal with a different yellow band.
    pub fn with_band(mut self, band: f64) -> Goal {
        self.band = band;
        self
    }

    /// Checks the goal is usable, naming the offending field on error.
    ///
    /// Rules: `value`, `upper` and `band` are finite; `band` is in `[0, 1)`;
    /// `between` has an `upper` that is ≥ `value`; other operators have no
    /// `upper` (a stale upper bound left over from switching operators is
    /// rejected rather than silently ignored).
    pub fn validate(&self) -> Result<(), GoalError> {
        if !self.value.is_finite() {
            return Err(GoalError::NotFinite {
                field: GoalField::Value,
            });
        }
        if !self.band.is_finite() {
            return Err(GoalError::NotFinite {
                field: GoalField::Band,
            });
        }
        if !(0.0..1.0).contains(&self.band) {
            return Err(GoalError::BandOutOfRange { band: self.band });
        }
        match (self.op, self.upper) {
            (GoalOp::Between, None) => Err(GoalError::MissingUpper),
            (GoalOp::Between, Some(upper)) if !upper.is_finite() => Err(GoalError::NotFinite {
                field: GoalField::Upper,
            }),
            (GoalOp::Between, Some(upper)) if upper < self.value => {
                Err(GoalError::UpperBelowValue {
                    value: self.value,
                    upper,
                })
            }
            (GoalOp::Between, Some(_)) => Ok(()),
            (op, Some(_)) => Err(GoalError::UnexpectedUpper { op }),
            (_, None) => Ok(()),
        }
    }
}

/// A field of [`Goal`], for error messages.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum GoalField {
    /// [`Goal::value`].
    Value,
    /// [`Goal::upper`].
    Upper,
    /// [`Goal::band`].
    Band,
}

impl fmt::Display for GoalField {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            GoalField::Value => "value",
            GoalField::Upper => "upper",
            GoalField::Band => "band",
        })
    }
}

/// Why a [`Goal`] is invalid.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, thiserror::Error)]
pub enum GoalError {
    /// A number is NaN or infinite.
    #[error("goal field `{field}` must be a finite number")]
    NotFinite {
        /// The offending field.
        field: GoalField,
    },
    /// The yellow band is outside `[0, 1)`.
    #[error("goal field `band` must be at least 0 and less than 1, got {band}")]
    BandOutOfRange {
        /// The rejected band.
        band: f64,
    },
    /// A `between` goal without an upper bound.
    #[error("goal field `upper` is required for a between goal")]
    MissingUpper,
    /// A `between` goal whose upper bound is below its lower bound.
    #[error("goal field `upper` ({upper}) must be at least `value` ({value})")]
    UpperBelowValue {
        /// The lower bound.
        value: f64,
        /// The rejected upper bound.
        upper: f64,
    },
    /// An upper bound on a goal that is not `between`.
    #[error("goal field `upper` is only allowed for between goals, not {op:?}")]
    UnexpectedUpper {
        /// The goal's operator.
        op: GoalOp,
    },
}

/// One entry of a goal history: from `effective_from` (a week start) onward
/// the measurable's goal is `goal`; `None` means the goal was removed.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq)]
pub struct GoalChange {
    /// First week the goal applies to.
    pub effective_from: NaiveDate,
    /// The goal from then on, or `None` for "no goal".
    pub goal: Option<Goal>,
}

/// A measurable's goal history, in any order.
pub type GoalHistory = Vec<GoalChange>;

/// The goal in force for `week`: the entry with the latest `effective_from`
/// on or before `week`. When several entries share that date the one listed
/// last wins (the most recent edit). Returns `None` before the first entry or
/// when the goal in force was removed.
///
/// Because later entries only apply from their own week onward, changing a
/// goal never recolours weeks before the change.
pub fn goal_for_week(history: &[GoalChange], week: NaiveDate) -> Option<&Goal> {
    history
        .iter()
        .filter(|change| change.effective_from <= week)
        .fold(None::<&GoalChange>, |best, change| match best {
            Some(b) if b.effective_from > change.effective_from => Some(b),
            _ => Some(change),
        })
        .and_then(|change| change.goal.as_ref())
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::scorecard::week::parse_date;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    #[test]
    fn valid_goals() {
        assert_eq!(Goal::at_least(50.0).validate(), Ok(()));
        assert_eq!(Goal::at_most(-5.0).with_band(0.0).validate(), Ok(()));
        assert_eq!(Goal::between(40.0, 40.0).validate(), Ok(()));
        assert_eq!(Goal::equal(0.0).with_band(0.99).validate(), Ok(()));
    }

    #[test]
    fn invalid_goals_name_the_field() {
        let err = Goal::between(60.0, 40.0).validate().unwrap_err();
        assert_eq!(
            err,
            GoalError::UpperBelowValue {
                value: 60.0,
                upper: 40.0
            }
        );
        assert_eq!(
            err.to_string(),
            "goal field `upper` (40) must be at least `value` (60)"
        );

        let mut no_upper = Goal::between(1.0, 2.0);
        no_upper.upper = None;
        assert_eq!(no_upper.validate(), Err(GoalError::MissingUpper));

        let mut stale = Goal::at_least(1.0);
        stale.upper = Some(3.0);
        assert_eq!(
            stale.validate(),
            Err(GoalError::UnexpectedUpper {
                op: GoalOp::AtLeast
            })
        );

        let err = Goal::at_least(1.0).with_band(1.0).validate().unwrap_err();
        assert_eq!(err, GoalError::BandOutOfRange { band: 1.0 });
        assert!(err.to_string().contains("`band`"));
        assert!(Goal::at_least(1.0).with_band(-0.1).validate().is_err());

        let err = Goal::at_least(f64::NAN).validate().unwrap_err();
        assert_eq!(
            err.to_string(),
            "goal field `value` must be a finite number"
        );
        assert_eq!(
            Goal::between(1.0, f64::INFINITY).validate(),
            Err(GoalError::NotFinite {
                field: GoalField::Upper
            })
        );
        assert_eq!(
            Goal::at_most(1.0).with_band(f64::NAN).validate(),
            Err(GoalError::NotFinite {
                field: GoalField::Band
            })
        );
    }

    #[test]
    fn goal_serde_defaults_band() {
        let goal: Goal = serde_json::from_str(r#"{"op":"at_least","value":50}"#).unwrap();
        assert_eq!(goal, Goal::at_least(50.0));
        let json = serde_json::to_string(&Goal::between(1.0, 2.0)).unwrap();
        assert_eq!(
            json,
            r#"{"op":"between","value":1.0,"upper":2.0,"band":0.1}"#
        );
    }

    #[test]
    fn goal_history_picks_latest_effective_entry() {
        let history: GoalHistory = vec![
            GoalChange {
                effective_from: d("2026-10-05"),
                goal: Some(Goal::at_least(60.0)),
            },
            GoalChange {
                effective_from: d("2026-09-07"),
                goal: Some(Goal::at_least(50.0)),
            },
            GoalChange {
                effective_from: d("2026-11-02"),
                goal: None,
            },
            GoalChange {
                effective_from: d("2026-11-16"),
                goal: Some(Goal::at_least(70.0)),
            },
            GoalChange {
                effective_from: d("2026-11-16"),
                goal: Some(Goal::at_least(75.0)),
            },
        ];
        assert_eq!(goal_for_week(&history, d("2026-08-31")), None);
        assert_eq!(
            goal_for_week(&history, d("2026-09-07")),
            Some(&Goal::at_least(50.0))
        );
        assert_eq!(
            goal_for_week(&history, d("2026-09-28")),
            Some(&Goal::at_least(50.0))
        );
        assert_eq!(
            goal_for_week(&history, d("2026-10-05")),
            Some(&Goal::at_least(60.0))
        );
        assert_eq!(
            goal_for_week(&history, d("2026-10-26")),
            Some(&Goal::at_least(60.0))
        );
        assert_eq!(goal_for_week(&history, d("2026-11-09")), None);
        // Same effective week twice: the later edit wins.
        assert_eq!(
            goal_for_week(&history, d("2026-11-16")),
            Some(&Goal::at_least(75.0))
        );
        assert_eq!(
            goal_for_week(&history, d("2027-01-04")),
            Some(&Goal::at_least(75.0))
        );
        assert_eq!(goal_for_week(&[], d("2027-01-04")), None);
    }
}
