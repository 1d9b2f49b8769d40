//! The Aircall part of the sandbox control API (`/_sandbox/aircall/...`) and the public
//! Rust API tests use.
//!
//! Exists so tests (in-process or over HTTP) can read the truth (every call and user as
//! the API renders them), add a finished call and wait for its webhooks, revoke or issue
//! API keys, and change the request limit. Each route is a thin wrapper over a `Sandbox`
//! method.

use axum::extract::State;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use super::calls::AircallCallInput;
use super::model::{api_base, call_json};
use super::{error, users, webhooks};
use crate::{Sandbox, lock};

impl Sandbox {
    /// Every call (archived ones too), ascending by `started_at`, as the API renders it.
    pub fn aircall_calls(&self) -> Vec<Value> {
        let base = api_base(&self.inner.opts);
        let st = lock(&self.inner.aircall);
        st.calls
            .iter()
            .map(|c| call_json(&base, c, &st.users, &st.numbers))
            .collect()
    }

    /// The users as `/users` lists them (deleted users are not among them).
    pub fn aircall_users(&self) -> Vec<Value> {
        users::listed(self)
    }

    /// The registered webhooks as `/webhooks` lists them (tokens included).
    pub fn aircall_webhooks(&self) -> Vec<Value> {
        webhooks::all(self)
    }

    /// Stores a finished call, sends `call.created` / `call.ended` to the webhooks that
    /// want them, waits for those deliveries and returns the call. Invalid input (unknown
    /// direction or user, negative duration) is refused with the reason.
    pub async fn try_aircall_add_call(&self, c: AircallCallInput) -> Result<Value, String> {
        let seed = self.inner.opts.seed;
        let call = lock(&self.inner.aircall).add_call(seed, &c)?;
        webhooks::deliver_call(self, &call).await;
        let base = api_base(&self.inner.opts);
        let st = lock(&self.inner.aircall);
        Ok(call_json(&base, &call, &st.users, &st.numbers))
    }

    /// [`Sandbox::try_aircall_add_call`], answering invalid input with an Aircall error
    /// body (`{"error": "Bad Request", "troubleshoot": <reason>}`) instead of a call.
    pub async fn aircall_add_call(&self, c: AircallCallInput) -> Value {
        match self.try_aircall_add_call(c).await {
            Ok(v) => v,
            Err(e) => json!({"error": "Bad Request", "troubleshoot": e}),
        }
    }
}

async fn credentials(State(sb): State<Sandbox>) -> Json<Value> {
    let c = sb.aircall_credentials();
    Json(json!({"api_id": c.api_id, "api_token": c.api_token}))
}

async fn issue(State(sb): State<Sandbox>) -> Json<Value> {
    let c = sb.aircall_issue_credentials();
    Json(json!({"api_id": c.api_id, "api_token": c.api_token}))
}

async fn add_call(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Response {
    let input: AircallCallInput = match serde_json::from_slice(&body) {
        Ok(i) => i,
        Err(e) => return error(StatusCode::BAD_REQUEST, "Bad Request", &e.to_string()),
    };
    match sb.try_aircall_add_call(input).await {
        Ok(v) => (StatusCode::CREATED, Json(v)).into_response(),
        Err(e) => error(StatusCode::BAD_REQUEST, "Bad Request", &e),
    }
}

async fn revoke(State(sb): State<Sandbox>) -> Json<Value> {
    sb.aircall_revoke();
    Json(json!({"revoked": true}))
}

#[derive(Debug, Deserialize)]
struct Limit {
    per_minute: usize,
}

async fn set_limit(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Response {
    match serde_json::from_slice::<Limit>(&body) {
        Ok(l) => {
            sb.aircall_set_limit(l.per_minute);
            Json(json!({"per_minute": l.per_minute})).into_response()
        }
        Err(e) => error(StatusCode::BAD_REQUEST, "Bad Request", &e.to_string()),
    }
}

/// `/_sandbox/aircall/...` routes.
pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route(
            "/_sandbox/aircall/credentials",
            get(credentials).post(issue),
        )
        .route(
            "/_sandbox/aircall/calls",
            post(add_call).get(|State(sb): State<Sandbox>| async move {
                Json(json!({"calls": sb.aircall_calls()}))
            }),
        )
        .route(
            "/_sandbox/aircall/users",
            get(|State(sb): State<Sandbox>| async move {
                Json(json!({"users": sb.aircall_users()}))
            }),
        )
        .route(
            "/_sandbox/aircall/webhooks",
            get(|State(sb): State<Sandbox>| async move {
                Json(json!({"webhooks": sb.aircall_webhooks()}))
            }),
        )
        .route("/_sandbox/aircall/revoke", post(revoke))
        .route("/_sandbox/aircall/limit", post(set_limit))
}
