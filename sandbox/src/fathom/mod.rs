//! The Fathom simulator under `/fathom/external/v1`: OAuth (scope `public_api`), meetings
//! with cursor paging, recordings' transcripts and summaries, users and teams.
//!
//! Authentication accepts OAuth bearer tokens and `X-Api-Key`; the distinction matters
//! because OAuth callers may not use `include_transcript` / `include_summary`.

pub mod meetings;
pub mod oauth;
pub mod webhooks;

use axum::Json;
use axum::Router;
use axum::http::{HeaderMap, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::get;
use serde_json::json;

use crate::grants::BearerError;
use crate::{Provider, Sandbox, util};

/// How the caller authenticated.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Caller {
    OAuth,
    ApiKey,
}

/// A Fathom error body: `{"error": ..., "error_description"?: ...}`.
pub fn error(status: StatusCode, error: &str, description: &str) -> Response {
    (
        status,
        Json(json!({"error": error, "error_description": description})),
    )
        .into_response()
}

/// Checks `Authorization: Bearer` or `X-Api-Key`.
pub fn authenticate(sb: &Sandbox, headers: &HeaderMap) -> Result<Caller, Response> {
    if let Some(key) = headers.get("x-api-key").and_then(|v| v.to_str().ok()) {
        if sb.inner.opts.fathom_api_keys.iter().any(|k| k == key) {
            return Ok(Caller::ApiKey);
        }
        return Err(error(
            StatusCode::UNAUTHORIZED,
            "unauthorized",
            "Invalid API key",
        ));
    }
    let token = util::bearer(headers);
    match sb
        .grants()
        .check(Provider::Fathom, token.as_deref(), sb.now_ms())
    {
        Ok(_) => Ok(Caller::OAuth),
        Err(e) => {
            let desc = match e {
                BearerError::Missing => "Missing access token or API key",
                BearerError::Invalid => "The access token is invalid",
                BearerError::Expired(_) => "The access token expired",
            };
            let mut r = error(StatusCode::UNAUTHORIZED, "invalid_token", desc);
            r.headers_mut().insert(
                "www-authenticate",
                HeaderValue::from_static("Bearer realm=\"Fathom\", error=\"invalid_token\""),
            );
            Err(r)
        }
    }
}

/// Fathom routes (state applied by the caller).
pub fn routes() -> Router<Sandbox> {
    const B: &str = "/fathom/external/v1";
    Router::new()
        .route(
            &format!("{B}/oauth2/authorize"),
            get(oauth::authorize_page).post(oauth::authorize_submit),
        )
        .route(
            &format!("{B}/oauth2/token"),
            axum::routing::post(oauth::token),
        )
        .route(&format!("{B}/meetings"), get(meetings::list))
        .route(
            &format!("{B}/recordings/{{id}}/transcript"),
            get(meetings::transcript),
        )
        .route(
            &format!("{B}/recordings/{{id}}/summary"),
            get(meetings::summary),
        )
        .route(&format!("{B}/users"), get(meetings::users))
        .route(&format!("{B}/team_members"), get(meetings::team_members))
        .route(&format!("{B}/teams"), get(meetings::teams))
        .route(
            &format!("{B}/webhooks"),
            axum::routing::post(webhooks::create),
        )
        .route(
            &format!("{B}/webhooks/{{id}}"),
            axum::routing::delete(webhooks::delete),
        )
}
