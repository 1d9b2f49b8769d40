//! One module per routed page.

pub mod connection;
pub mod integrations;
pub mod login;
pub mod not_found;
pub mod password;
pub mod people;
pub mod scorecard;
pub mod settings;
pub mod setup;
