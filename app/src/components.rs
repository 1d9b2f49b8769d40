//! Building blocks shared by several pages.

pub mod empty_state;
pub mod live;
pub mod preview_panel;
pub mod scorecard_table;
pub mod shell;
pub mod text_area;
