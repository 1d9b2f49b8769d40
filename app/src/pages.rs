//! One module per routed page.

pub mod connection;
pub mod dashboard;
pub mod integrations;
pub mod login;
pub mod measurable_editor;
pub mod not_found;
pub mod password;
pub mod scorecard;
pub mod scorecard_cell;
pub mod scorecard_template;
pub mod settings;
pub mod setup;
