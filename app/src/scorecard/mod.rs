//! Pure scorecard math.
pub mod goal;
pub mod pace;
pub mod quarter;
pub mod status;
pub mod week;
