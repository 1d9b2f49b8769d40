//! The Autotask PSA simulator (REST API v1.0) under `/autotask/...`: zone
//! information, entity queries with filters and paging, picklists, its
//! per-database request limit and thread limit. (Scaffold: filled in by the
//! Autotask simulator work.)

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Sandbox;
use crate::options::SandboxOptions;

/// The simulator's state: generated resources, tickets and time entries.
#[derive(Debug, Default)]
pub struct State {}

impl State {
    /// Generates the data set from the options' seed, weeks and time zone,
    /// for the same team as the HubSpot owners in `store`.
    pub fn generate(_opts: &SandboxOptions, _store: &crate::store::Store) -> State {
        State {}
    }
}

/// An Autotask error body: `{"errors": [message]}`.
pub fn error(status: StatusCode, message: &str) -> Response {
    (status, axum::Json(json!({ "errors": [message] }))).into_response()
}

/// Autotask API routes (state applied by the caller).
pub fn routes() -> Router<Sandbox> {
    Router::new()
}

/// `/_sandbox/autotask/...` control routes.
pub fn control_routes() -> Router<Sandbox> {
    Router::new()
}

/// The answer to a request over the limit (also the `rate_limit` fault).
pub fn too_many() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "The request limit for this database has been exceeded",
    )
}

/// Counts a request against the limits (only while rate limits are on):
/// headers to add, or the refusal.
pub fn limit(_sb: &Sandbox, _path: &str) -> Result<Vec<(&'static str, String)>, Response> {
    Ok(Vec::new())
}
