//! The sync engine: copies HubSpot, Fathom, Autotask and Aircall records
//! into Tally's tables
//! so scorecards can be computed locally.
//!
//! [`engine::SyncEngine`] runs syncs (scheduled, manual, webhook-driven)
//! under a per-connection lease; [`hubspot`], [`fathom`], [`autotask`] and
//! [`aircall`] know the
//! providers' APIs and the order of their steps, and report through
//! [`progress`] ([`listing`] reads a HubSpot kind's whole history on
//! the general budget, [`lanes`] runs it beside search); [`records`]
//! writes idempotent upserts; [`budget`] and [`client`] keep every call
//! inside the providers' limits; [`runs`] keeps the run history;
//! [`webhooks`] verifies deliveries and [`inbox`] keeps their work until a
//! run has synced it; [`people`] links provider users to Tally people.

pub mod aircall;
pub mod autotask;
pub mod budget;
pub mod catalogue;
pub mod client;
pub mod engine;
pub mod fathom;
pub mod hubspot;
pub mod inbox;
pub mod people;
pub mod progress;
pub mod properties;
pub mod records;
pub mod runs;
pub mod webhooks;
pub mod wire;
pub mod work;

pub use engine::{Start, SyncEngine};
pub use runs::Trigger;
pub use work::Work;
