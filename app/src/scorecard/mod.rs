//! Pure scorecard math.
pub mod formula;
pub mod goal;
pub mod keywords;
pub mod pace;
pub mod quarter;
pub mod status;
pub mod week;
