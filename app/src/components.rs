//! Building blocks shared by several pages.

pub mod empty_state;
pub mod shell;
