//! Pure scorecard math.
pub mod quarter;
pub mod week;
