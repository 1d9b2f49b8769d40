//! Types shared by the server and the browser: what crosses the wire.
//!
//! They hold no secrets by construction (password hashes, tokens and keys live
//! in server-only types), so deriving `Serialize` here is always safe.

mod account;
mod ids;
mod integration;
pub mod measurable;
pub mod measurable_form;
pub mod measurable_rules;
mod org;
pub mod people;
pub mod preview;
pub mod property_names;
mod provider;
pub mod scorecard;
pub mod source_form;

pub use account::{Role, UserSummary, Viewer};
pub use ids::{ConnectionId, MeasurableId, OrgId};
pub use integration::{
    ConnectionDetail, ConnectionHealth, ConnectionStatus, KeyCheck, KeyField, ObjectCount,
    ProviderCard, SyncRun, TokenCheck, ago, countdown,
};
pub use org::{OrgSettings, WEEKDAYS, weekday_name};
pub use provider::Provider;
