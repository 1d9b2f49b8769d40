//! HubSpot's error body shape (`status`, `message`, `correlationId`, `category`, ...).
//!
//! Exists so every HubSpot endpoint fails the way the real API does.

use axum::Json;
use axum::http::{HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use crate::grants::{BearerError, uuid_like};

/// A generic HubSpot API error.
pub fn error(status: StatusCode, category: &str, message: &str) -> Response {
    with_body(
        status,
        json!({
            "status": "error",
            "message": message,
            "correlationId": uuid_like(),
            "category": category,
        }),
    )
}

/// Any JSON body with the correlation id mirrored into `X-HubSpot-Correlation-Id`.
pub fn with_body(status: StatusCode, body: Value) -> Response {
    let cid = body
        .get("correlationId")
        .and_then(Value::as_str)
        .map(str::to_string)
        .unwrap_or_else(uuid_like);
    let mut r = (status, Json(body)).into_response();
    if let Ok(v) = HeaderValue::from_str(&cid) {
        r.headers_mut().insert("x-hubspot-correlation-id", v);
    }
    r
}

/// 400 VALIDATION_ERROR.
pub fn validation(message: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "VALIDATION_ERROR", message)
}

/// 404 OBJECT_NOT_FOUND (HubSpot answers an empty body for unknown records; the sandbox
/// sends the documented error shape).
pub fn not_found(message: &str) -> Response {
    error(StatusCode::NOT_FOUND, "OBJECT_NOT_FOUND", message)
}

/// 401 for a missing, unknown or expired bearer token.
pub fn unauthorized(e: &BearerError) -> Response {
    match e {
        BearerError::Expired(ago) => error(
            StatusCode::UNAUTHORIZED,
            "EXPIRED_AUTHENTICATION",
            &format!(
                "The OAuth token used to make this call expired {} minute(s) ago.",
                ago / 60_000
            ),
        ),
        BearerError::Missing => error(
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        ),
        BearerError::Invalid => error(
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "Authentication credentials not found. This API supports OAuth 2.0 authentication and you can find more details at https://developers.hubspot.com/docs/methods/auth/oauth-overview",
        ),
    }
}

/// 403 MISSING_SCOPES.
pub fn missing_scopes(any_of: &[&str]) -> Response {
    with_body(
        StatusCode::FORBIDDEN,
        json!({
            "status": "error",
            "message": "This app hasn't been granted all required scopes to make this call. Read more about required scopes here: https://developers.hubspot.com/scopes.",
            "correlationId": uuid_like(),
            "errors": [{
                "message": "One or more of the following scopes are required.",
                "context": {"requiredGranularScopes": any_of},
            }],
            "links": {"scopes": "https://developers.hubspot.com/scopes"},
            "category": "MISSING_SCOPES",
        }),
    )
}

/// An OAuth error: RFC 6749 fields plus HubSpot's legacy `status`/`message`.
pub fn oauth(status: StatusCode, legacy: &str, error: &str, description: &str) -> Response {
    with_body(
        status,
        json!({
            "status": legacy,
            "message": description,
            "correlationId": uuid_like(),
            "error": error,
            "error_description": description,
        }),
    )
}
