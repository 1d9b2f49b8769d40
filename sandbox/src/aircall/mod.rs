//! The Aircall Public API v1 simulator under `/aircall/v1/...`: ping,
//! users, calls with `from`/`to` and paging, webhooks with their token, and
//! the 60-per-minute company limit. (Scaffold: filled in by the Aircall
//! simulator work.)

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::Sandbox;
use crate::options::SandboxOptions;

/// The simulator's state: generated users and calls, registered webhooks.
#[derive(Debug, Default)]
pub struct State {}

impl State {
    /// Generates the data set from the options' seed, weeks and time zone,
    /// for the same team as the HubSpot owners in `store`.
    pub fn generate(_opts: &SandboxOptions, _store: &crate::store::Store) -> State {
        State {}
    }
}

/// An Aircall error body: `{"error": ..., "troubleshoot": ...}`.
pub fn error(status: StatusCode, error: &str, troubleshoot: &str) -> Response {
    (
        status,
        axum::Json(json!({ "error": error, "troubleshoot": troubleshoot })),
    )
        .into_response()
}

/// Aircall API routes (state applied by the caller).
pub fn routes() -> Router<Sandbox> {
    Router::new()
}

/// `/_sandbox/aircall/...` control routes.
pub fn control_routes() -> Router<Sandbox> {
    Router::new()
}

/// The answer to a request over the limit (also the `rate_limit` fault).
pub fn too_many(_sb: &Sandbox) -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too Many Requests",
        "Rate limit reached: 60 requests per minute per company",
    )
}

/// Counts a request against the 60-per-minute limit (only while rate
/// limits are on): headers to add, or the refusal.
pub fn limit(_sb: &Sandbox, _path: &str) -> Result<Vec<(&'static str, String)>, Response> {
    Ok(Vec::new())
}
