//! Shorthands the formula tests share.
//!
//! Exists so each concern's tests (parsing, text, evaluation) can sit next to
//! the code they test without each repeating the same helpers.

#![allow(clippy::unwrap_used)]

use super::{Formula, FormulaError};

/// Parses `s`, which must be valid.
pub(super) fn f(s: &str) -> Formula {
    Formula::parse(s).unwrap()
}

/// The error of parsing `s`, which must be invalid.
pub(super) fn err(s: &str) -> FormulaError {
    Formula::parse(s).unwrap_err()
}

/// Measurable values for tests: 12 → 7, 13 → 20, 14 → 0, others missing.
pub(super) fn values(id: crate::domain::MeasurableId) -> Option<f64> {
    match id.0 {
        12 => Some(7.0),
        13 => Some(20.0),
        14 => Some(0.0),
        _ => None,
    }
}
