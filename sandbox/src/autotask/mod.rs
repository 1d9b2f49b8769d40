//! The Autotask PSA simulator (REST API v1.0) under `/autotask/...` (real
//! hosts: `webservices.autotask.net` for the zone lookup, `webservicesN…`
//! per zone): zone information, entity queries with filters and paging,
//! the ticket picklists, the per-database request limit and thread limit.
//!
//! Exists so Tally can connect Autotask with an API user's username, secret
//! and tracking identifier, and sync resources, tickets and time entries
//! offline, against data that lines up with the HubSpot team and has the
//! untidy shapes of real databases (see `generate.rs`).
//!
//! Wire format, and where it was checked: Autotask's REST API documentation
//! (autotask.net/help, "Making basic query calls", "Zone information",
//! "API thresholds and limits") and the client libraries that speak it:
//! - zone lookup `GET /atservicesrest/V1.0/zoneInformation?user=` answering
//!   `{zoneName, url, webUrl, ci}` without credentials;
//! - the headers `UserName`, `Secret`, `ApiIntegrationCode`;
//! - `POST /V1.0/{Entity}/query` with `{"MaxRecords", "filter": [{"op",
//!   "field", "value"}]}`, groups `{"op": "or", "items": []}`, answering
//!   `{"items": [...], "pageDetails": {"count", "requestCount",
//!   "prevPageUrl", "nextPageUrl"}}` with at most 500 items in id order;
//! - `{"errors": [...]}` error bodies; 10,000 requests per hour per
//!   database and three threads per object endpoint.
//!
//! Not verifiable from public material, so chosen and documented here: the
//! paging token's encoding, the exact error texts, `401` for every
//! authentication failure, `500` for an unknown zone-lookup user and for a
//! query Autotask cannot run.

mod api;
mod auth;
mod control;
mod generate;
mod limits;
mod model;
mod query;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Sandbox;
use crate::options::SandboxOptions;

pub use api::{LOOKUP_PATH, ZONE_NAME, ZONE_PATH};
pub use auth::{AutotaskCredentials, DEMO_INTEGRATION_CODE, DEMO_SECRET, DEMO_USERNAME};
pub use control::{AutotaskTicketInput, AutotaskTimeEntryInput};
pub use limits::{AutotaskLimits, DEFAULT_HOURLY, DEFAULT_THREADS};
pub use query::MAX_RECORDS;

/// The simulator's state: API users, resources, tickets and time entries
/// (each in id order) and the limits.
#[derive(Debug)]
pub struct State {
    pub(crate) users: Vec<auth::ApiUser>,
    pub(crate) resources: Vec<model::Resource>,
    pub(crate) tickets: Vec<model::Ticket>,
    pub(crate) time_entries: Vec<model::TimeEntry>,
    pub(crate) limiter: limits::Limiter,
}

impl Default for State {
    fn default() -> Self {
        State {
            users: vec![auth::demo_user()],
            resources: Vec::new(),
            tickets: Vec::new(),
            time_entries: Vec::new(),
            limiter: limits::Limiter::default(),
        }
    }
}

impl State {
    /// Generates the data set from the options' seed, weeks and time zone,
    /// for the same team as the HubSpot owners in `store`.
    pub fn generate(opts: &SandboxOptions, store: &crate::store::Store) -> State {
        let g = generate::generate(opts, store);
        State {
            resources: g.resources,
            tickets: g.tickets,
            time_entries: g.time_entries,
            ..State::default()
        }
    }
}

/// An Autotask error body: `{"errors": [message]}`.
pub fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "errors": [message] }))).into_response()
}

/// Autotask API routes (state applied by the caller).
pub fn routes() -> Router<Sandbox> {
    api::routes()
}

/// `/_sandbox/autotask/...` control routes.
pub fn control_routes() -> Router<Sandbox> {
    control::routes()
}

/// The answer to a request over the limit (also the `rate_limit` fault).
pub fn too_many() -> Response {
    limits::too_many()
}

/// Counts a request against the hourly limit (only while rate limits are
/// on): headers to add, or the refusal.
pub fn limit(sb: &Sandbox, path: &str) -> Result<Vec<(&'static str, String)>, Response> {
    limits::limit(sb, path)
}
