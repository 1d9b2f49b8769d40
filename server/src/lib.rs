//! The Tally server: every piece of I/O behind the app.
//!
//! `main.rs` only parses the command line; everything it runs lives here so
//! integration tests can build the same router and services in-process.

pub mod accounts;
pub mod cli;
pub mod config;
pub mod db;
#[cfg(feature = "demo")]
pub mod demo;
pub mod error;
pub mod events;
pub mod http;
pub mod integrations;
pub mod private_files;
pub mod providers;
pub mod scorecard;
pub mod startup;
pub mod state;
pub mod sync;
pub mod telemetry;
pub mod vault;
