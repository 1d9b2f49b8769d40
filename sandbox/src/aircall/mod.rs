//! The Aircall Public API v1 simulator under `/aircall/v1/...` (real base:
//! `https://api.aircall.io`): ping, users, calls with `from`/`to` and paging, webhooks
//! with their token, and the per-company request limit.
//!
//! Exists so Tally can connect Aircall with an API ID and token, sync users and calls
//! offline and receive `call.ended` webhooks, against data that lines up with the
//! HubSpot team and has the untidy shapes of real accounts (see `generate.rs` and
//! `team.rs`).
//!
//! Wire format, and where it was checked:
//! - Call, User, Number objects and the webhook envelope `{"resource", "event",
//!   "timestamp", "token", "data"}` follow captured `call.*` / `user.*` webhook payloads
//!   of a real Aircall account (GitHub `koenverduijn/aircall`, `src/data/*.js`) and the
//!   object samples on developer.aircall.io: integer ids, `direct_link`s, UNIX-second
//!   call times, `status: "done"` with a `missed_call_reason` for missed inbound calls,
//!   `duration` counted from the start of ringing, `cost` as a string, User
//!   `created_at` as ISO-8601 with milliseconds, `time_zone`, `language`, 32-hex tokens.
//! - Paging (`page`, `per_page` default 20 max 50, `meta` with `count`, `total`,
//!   `current_page`, `per_page`, `next_page_link`, `previous_page_link`) and the
//!   10,000-records-per-query limit (narrow with `from`/`to`): Aircall's support article
//!   on API pagination (support.aircall.io, "10,000 records limit") and list responses
//!   captured in public test suites.
//! - The limit headers `X-AircallApi-Limit` / `-Remaining` / `-Reset` (UNIX seconds):
//!   Aircall's rate-limiting section as quoted by client code on GitHub and clients that
//!   read them. Aircall's figure has changed over time (60, later 120 per minute); the
//!   simulator uses 60, changeable at runtime.
//! - Not verifiable from public material, so chosen and documented here: the exact
//!   `troubleshoot` texts, `401` for every authentication failure, `400` for a page
//!   beyond the 10,000th item, both `from` and `to` inclusive ("minimal" / "maximal"
//!   creation date in Aircall's reference), and no webhook retries.

mod auth;
mod calls;
mod control;
mod generate;
mod limits;
mod model;
mod paging;
mod team;
mod users;
mod webhooks;

use axum::Json;
use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::Sandbox;
use crate::options::SandboxOptions;

pub use auth::{AircallCredentials, DEMO_API_ID, DEMO_API_TOKEN};
pub use calls::AircallCallInput;
pub use limits::DEFAULT_PER_MINUTE;
pub use model::MISSED_CALL_REASONS;
pub use paging::{DEFAULT_PER_PAGE, MAX_ITEMS, MAX_PER_PAGE};
pub use webhooks::EVENTS;

/// The simulator's state: API keys, users (deleted ones too), lines, calls sorted by
/// `(started_at, id)`, registered webhooks and the request window.
#[derive(Debug)]
pub struct State {
    pub(crate) keys: Vec<auth::ApiKey>,
    pub(crate) users: Vec<model::User>,
    pub(crate) numbers: Vec<model::Number>,
    pub(crate) calls: Vec<model::Call>,
    pub(crate) webhooks: Vec<webhooks::Webhook>,
    pub(crate) limiter: limits::Limiter,
}

impl Default for State {
    fn default() -> Self {
        State {
            keys: vec![auth::demo_key()],
            users: Vec::new(),
            numbers: Vec::new(),
            calls: Vec::new(),
            webhooks: Vec::new(),
            limiter: limits::Limiter::new(DEFAULT_PER_MINUTE),
        }
    }
}

impl State {
    /// Generates the data set from the options' seed, weeks and time zone,
    /// for the same team as the HubSpot owners in `store`.
    pub fn generate(opts: &SandboxOptions, store: &crate::store::Store) -> State {
        let g = generate::generate(opts, store);
        State {
            users: g.team.users,
            numbers: g.team.numbers,
            calls: g.calls,
            ..State::default()
        }
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

/// The 404 for an unknown (or deleted) object.
fn not_found(what: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        "Not found",
        &format!("{what} not found: check the id"),
    )
}

/// `GET /v1/ping`.
async fn ping(
    axum::extract::State(sb): axum::extract::State<Sandbox>,
    headers: axum::http::HeaderMap,
) -> Response {
    match auth::authenticate(&sb, &headers) {
        Ok(()) => Json(json!({"ping": "pong"})).into_response(),
        Err(r) => r,
    }
}

/// Aircall API routes (state applied by the caller).
pub fn routes() -> Router<Sandbox> {
    const B: &str = "/aircall/v1";
    Router::new()
        .route(&format!("{B}/ping"), get(ping))
        .route(&format!("{B}/users"), get(users::list))
        .route(&format!("{B}/users/{{id}}"), get(users::get))
        .route(&format!("{B}/calls"), get(calls::list))
        .route(&format!("{B}/calls/{{id}}"), get(calls::get))
        .route(
            &format!("{B}/webhooks"),
            get(webhooks::list).post(webhooks::create),
        )
        .route(
            &format!("{B}/webhooks/{{id}}"),
            get(webhooks::get).delete(webhooks::delete),
        )
}

/// `/_sandbox/aircall/...` control routes.
pub fn control_routes() -> Router<Sandbox> {
    control::routes()
}

/// The answer to a request over the limit (also the `rate_limit` fault).
pub fn too_many(sb: &Sandbox) -> Response {
    limits::too_many(sb)
}

/// Counts a request against the per-minute limit (only while rate limits are on):
/// headers to add, or the refusal.
pub fn limit(sb: &Sandbox, path: &str) -> Result<Vec<(&'static str, String)>, Response> {
    limits::limit(sb, path)
}
