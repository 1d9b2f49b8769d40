//! Pure scorecard math, shared by the server and the WASM frontend.
//!
//! Everything the scorecard computes — which week an activity counts for,
//! quarter-to-date averages, goal colours, in-week pace, keyword matching
//! for synced measurables, formula measurables and sparklines — lives here
//! without I/O or server-only dependencies, so the browser and the server
//! always agree and the rules can be tested exhaustively.
//!
//! Time-zone-aware functions are generic over [`chrono::TimeZone`]; the
//! crate deliberately does not depend on a time-zone database.

pub mod first_non_empty;
pub mod formula;
pub mod goal;
pub mod keywords;
pub mod pace;
pub mod quarter;
pub mod status;
pub mod trend;
pub mod week;

pub use formula::{
    BinOp, Expr, Formula, FormulaError, FormulaErrorKind, evaluation_order, find_cycle,
};
pub use goal::{
    DEFAULT_BAND, Goal, GoalChange, GoalError, GoalField, GoalHistory, GoalOp, goal_for_week,
};
pub use keywords::{
    contains_any_whole_word, html_contains_any_whole_word, matching_keywords, near_misses,
    strip_html,
};
pub use pace::{
    MIN_ELAPSED_FOR_PACE, Unit, elapsed_fraction, format_number, format_this_week, format_value,
    pace,
};
pub use quarter::{
    Quarter, first_week_of_quarter, quarter_average, quarter_of_week, weeks_of_quarter,
};
pub use status::{Status, status};
pub use trend::{normalise, sparkline_points, sparkline_segments};
pub use week::{
    WeekError, WeekStart, format_date, local_date, next_week, parse_date, parse_week,
    previous_week, validate_week_start, week_bounds, week_of, weeks_back,
};
