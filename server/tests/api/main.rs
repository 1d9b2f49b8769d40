//! Integration tests: one binary, the real router on a real port, against
//! SQLite and (when reachable) PostgreSQL. See `helpers.rs` for the harness.
#![allow(
    clippy::unwrap_used,
    clippy::expect_used,
    missing_debug_implementations
)]

mod fixtures;
mod helpers;

mod access;
mod accounts;
mod assets;
mod cli;
mod connect;
mod connect_token;
mod counter;
mod cross_site;
mod deploy;
mod events;
mod limits;
mod ops;
mod schema;
mod scorecard;
mod scorecard_preview;
mod scorecard_rules;
mod scorecard_truth;
mod security;
mod server_fn_status;
mod setup;
mod sign_in_abuse;
mod slow_clients;
mod sources_env;
mod sync;
mod sync_aircall;
mod sync_autotask;
mod sync_env;
mod sync_fathom_deletes;
mod sync_inbox;
mod sync_lanes;
mod sync_lists;
mod sync_properties;
mod sync_records;
mod sync_search_cap;
mod transactions;
