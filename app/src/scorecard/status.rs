//! Green / yellow / red colouring of weekly values against their goal.
//!
//! The scorecard's whole point is to make off-track numbers jump out in the
//! weekly meeting. This module decides a cell's colour from its value and
//! the goal in force that week (see [`super::goal::goal_for_week`]).
//!
//! Rules, with `tol(x) = band × |x|`:
//!
//! * `≥ g`: green when `v ≥ g`, yellow when `v ≥ g − tol(g)` (i.e.
//!   `g × (1 − band)` for positive goals), red otherwise;
//! * `≤ g`: green when `v ≤ g`, yellow when `v ≤ g + tol(g)`, red otherwise;
//! * `= g`: green when `v` equals `g` (within a relative 1e-9), yellow when
//!   `|v − g| ≤ tol(g)`, red otherwise;
//! * `between lo and hi`: green inside `[lo, hi]`, yellow when
//!   `lo − tol(lo) ≤ v < lo` or `hi < v ≤ hi + tol(hi)`, red beyond.
//!
//! Using `|goal|` keeps the yellow band on the "missed" side for negative
//! goals; a goal of 0 has no yellow band at all. All boundaries are compared
//! with a relative tolerance of 1e-9 so that values computed in floating
//! point (e.g. by a formula) that land on a boundary get the boundary's
//! colour. A missing, non-finite value, a missing goal or an invalid goal
//! gives [`Status::None`] (no colour) rather than a misleading one.

use serde::{Deserialize, Serialize};

use super::goal::{Goal, GoalOp};

/// Relative tolerance for boundary comparisons.
const REL_EPS: f64 = 1e-9;

/// A scorecard cell's colour.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    /// On track.
    Green,
    /// Slightly off track (within the yellow band).
    Yellow,
    /// Off track.
    Red,
    /// No value or no goal: not coloured.
    None,
}

impl Status {
    /// Goodness rank for comparisons: Red 0, Yellow 1, Green 2, None has no rank.
    pub fn rank(self) -> Option<u8> {
        match self {
            Status::Red => Some(0),
            Status::Yellow => Some(1),
            Status::Green => Some(2),
            Status::None => None,
        }
    }

    /// Lower-case name, suitable for a CSS class: `green`, `yellow`, `red`, `none`.
    pub fn as_str(self) -> &'static str {
        match self {
            Status::Green => "green",
            Status::Yellow => "yellow",
            Status::Red => "red",
            Status::None => "none",
        }
    }
}

/// `v ≥ t`, allowing `v` to fall short of `t` by a relative 1e-9.
fn at_or_above(v: f64, t: f64) -> bool {
    v >= t - REL_EPS * t.abs()
}

/// `v ≤ t`, allowing `v` to exceed `t` by a relative 1e-9.
fn at_or_below(v: f64, t: f64) -> bool {
    v <= t + REL_EPS * t.abs()
}

/// The colour of `value` against `goal`.
pub fn status(value: Option<f64>, goal: Option<&Goal>) -> Status {
    let (Some(v), Some(goal)) = (value, goal) else {
        return Status::None;
    };
    if !v.is_finite() || goal.validate().is_err() {
        return Status::None;
    }
    let g = goal.value;
    let tol = |x: f64| goal.band * x.abs();
    let colour = |green: bool, yellow: bool| {
        if green {
            Status::Green
        } else if yellow {
            Status::Yellow
        } else {
            Status::Red
        }
    };
    match goal.op {
        GoalOp::AtLeast => colour(at_or_above(v, g), at_or_above(v, g - tol(g))),
        GoalOp::AtMost => colour(at_or_below(v, g), at_or_below(v, g + tol(g))),
        GoalOp::Equal => {
            let diff = (v - g).abs();
            colour(
                diff <= REL_EPS * g.abs(),
                at_or_below(diff, tol(g)) || diff <= REL_EPS * g.abs(),
            )
        }
        GoalOp::Between => {
            let hi = goal.upper.unwrap_or(g);
            colour(
                at_or_above(v, g) && at_or_below(v, hi),
                at_or_above(v, g - tol(g)) && at_or_below(v, hi + tol(hi)),
            )
        }
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn s(v: f64, goal: &Goal) -> Status {
        status(Some(v), Some(goal))
    }

    #[test]
    fn no_value_or_goal_is_uncoloured() {
        assert_eq!(status(None, Some(&Goal::at_least(1.0))), Status::None);
        assert_eq!(status(Some(1.0), None), Status::None);
        assert_eq!(
            status(Some(f64::NAN), Some(&Goal::at_least(1.0))),
            Status::None
        );
        assert_eq!(
            status(Some(5.0), Some(&Goal::between(10.0, 1.0))),
            Status::None
        );
        assert_eq!(
            serde_json::to_string(&Status::Yellow).unwrap(),
            "\"yellow\""
        );
        assert_eq!(Status::Red.as_str(), "red");
    }

    #[test]
    fn at_least_band_edges() {
        let goal = Goal::at_least(50.0); // yellow from 45
        assert_eq!(s(60.0, &goal), Status::Green);
        assert_eq!(s(50.0, &goal), Status::Green); // exactly at goal
        assert_eq!(s(49.999, &goal), Status::Yellow);
        assert_eq!(s(45.0, &goal), Status::Yellow); // exactly goal × (1 − band)
        assert_eq!(s(44.999, &goal), Status::Red); // just below
        assert_eq!(s(0.0, &goal), Status::Red);
        // Band that is not exactly representable: 100 × (1 − 0.15) = 85.
        let goal = Goal::at_least(100.0).with_band(0.15);
        assert_eq!(s(85.0, &goal), Status::Yellow);
        assert_eq!(s(84.99, &goal), Status::Red);
        // Zero band: no yellow at all.
        let goal = Goal::at_least(10.0).with_band(0.0);
        assert_eq!(s(10.0, &goal), Status::Green);
        assert_eq!(s(9.99, &goal), Status::Red);
    }

    #[test]
    fn floating_point_noise_at_the_goal_counts_as_on_it() {
        let goal = Goal::at_least(0.3);
        let noisy = std::hint::black_box(0.1) + 0.2;
        assert!(noisy > 0.3, "0.1 + 0.2 overshoots 0.3 in f64");
        assert_eq!(s(noisy, &goal), Status::Green);
        let goal = Goal::at_most(0.3);
        assert_eq!(s(noisy, &goal), Status::Green);
        let goal = Goal::equal(0.3);
        assert_eq!(s(noisy, &goal), Status::Green);
        // Undershooting works the same way for ≥ goals.
        assert_eq!(s(0.3 - 1e-12, &Goal::at_least(0.3)), Status::Green);
    }

    #[test]
    fn at_most_mirrors_at_least() {
        let goal = Goal::at_most(2.0); // yellow up to 2.2
        assert_eq!(s(1.0, &goal), Status::Green);
        assert_eq!(s(2.0, &goal), Status::Green);
        assert_eq!(s(2.1, &goal), Status::Yellow);
        assert_eq!(s(2.2, &goal), Status::Yellow);
        assert_eq!(s(2.21, &goal), Status::Red);
    }

    #[test]
    fn equal_goal() {
        let goal = Goal::equal(100.0); // yellow 90..=110
        assert_eq!(s(100.0, &goal), Status::Green);
        assert_eq!(s(100.0 + 1e-8, &goal), Status::Green);
        assert_eq!(s(100.001, &goal), Status::Yellow);
        assert_eq!(s(90.0, &goal), Status::Yellow);
        assert_eq!(s(110.0, &goal), Status::Yellow);
        assert_eq!(s(89.9, &goal), Status::Red);
        assert_eq!(s(110.1, &goal), Status::Red);
    }

    #[test]
    fn between_goal() {
        let goal = Goal::between(40.0, 60.0); // yellow 36..40 and 60..66
        assert_eq!(s(40.0, &goal), Status::Green);
        assert_eq!(s(50.0, &goal), Status::Green);
        assert_eq!(s(60.0, &goal), Status::Green);
        assert_eq!(s(39.0, &goal), Status::Yellow);
        assert_eq!(s(36.0, &goal), Status::Yellow);
        assert_eq!(s(35.9, &goal), Status::Red);
        assert_eq!(s(61.0, &goal), Status::Yellow);
        assert_eq!(s(66.0, &goal), Status::Yellow);
        assert_eq!(s(66.1, &goal), Status::Red);
    }

    #[test]
    fn zero_and_negative_goals() {
        // "≤ 0 defects": no yellow band around zero.
        let goal = Goal::at_most(0.0);
        assert_eq!(s(0.0, &goal), Status::Green);
        assert_eq!(s(1.0, &goal), Status::Red);
        assert_eq!(s(-1.0, &goal), Status::Green);
        let goal = Goal::at_least(0.0);
        assert_eq!(s(0.0, &goal), Status::Green);
        assert_eq!(s(-0.01, &goal), Status::Red);
        let goal = Goal::equal(0.0);
        assert_eq!(s(0.0, &goal), Status::Green);
        assert_eq!(s(0.001, &goal), Status::Red);
        // "≥ −10" (e.g. net change): band is 1 on the low side, so yellow to −11.
        let goal = Goal::at_least(-10.0);
        assert_eq!(s(-10.0, &goal), Status::Green);
        assert_eq!(s(-10.5, &goal), Status::Yellow);
        assert_eq!(s(-11.0, &goal), Status::Yellow);
        assert_eq!(s(-11.5, &goal), Status::Red);
        // "≤ −5": yellow up to −4.5.
        let goal = Goal::at_most(-5.0);
        assert_eq!(s(-6.0, &goal), Status::Green);
        assert_eq!(s(-4.5, &goal), Status::Yellow);
        assert_eq!(s(-4.4, &goal), Status::Red);
        // Between −10 and −5: yellow −11..−10 and −5..−4.5.
        let goal = Goal::between(-10.0, -5.0);
        assert_eq!(s(-7.0, &goal), Status::Green);
        assert_eq!(s(-11.0, &goal), Status::Yellow);
        assert_eq!(s(-4.5, &goal), Status::Yellow);
        assert_eq!(s(-4.0, &goal), Status::Red);
    }

    fn finite() -> impl Strategy<Value = f64> {
        prop_oneof![-1e6f64..1e6, (-1000i32..1000).prop_map(f64::from)]
    }

    proptest! {
        #[test]
        fn at_least_is_monotone(g in finite(), band in 0.0f64..0.99, a in finite(), b in finite()) {
            let goal = Goal::at_least(g).with_band(band);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(s(hi, &goal).rank() >= s(lo, &goal).rank());
            prop_assert!(s(lo, &goal).rank().is_some());
        }

        #[test]
        fn at_most_is_antitone(g in finite(), band in 0.0f64..0.99, a in finite(), b in finite()) {
            let goal = Goal::at_most(g).with_band(band);
            let (lo, hi) = if a <= b { (a, b) } else { (b, a) };
            prop_assert!(s(lo, &goal).rank() >= s(hi, &goal).rank());
        }

        #[test]
        fn goal_itself_is_green(g in finite(), band in 0.0f64..0.99, width in 0.0f64..1e3) {
            prop_assert_eq!(s(g, &Goal::at_least(g).with_band(band)), Status::Green);
            prop_assert_eq!(s(g, &Goal::at_most(g).with_band(band)), Status::Green);
            prop_assert_eq!(s(g, &Goal::equal(g).with_band(band)), Status::Green);
            let between = Goal::between(g, g + width).with_band(band);
            prop_assert_eq!(s(g, &between), Status::Green);
            prop_assert_eq!(s(g + width, &between), Status::Green);
        }
    }
}
