//! Turning errors into responses without leaking internals.
//!
//! Internal failures are logged here, once, with their cause chain; the
//! client gets [`ApiError::Internal`], which says only that it was logged.

use app::error::ApiError;
use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};

pub use crate::error::internal;

/// An [`ApiError`] as a JSON response of the REST API.
#[derive(Debug)]
pub struct JsonError(pub ApiError);

impl From<ApiError> for JsonError {
    fn from(value: ApiError) -> Self {
        Self(value)
    }
}

impl From<anyhow::Error> for JsonError {
    fn from(value: anyhow::Error) -> Self {
        Self(internal(value))
    }
}

impl From<sqlx::Error> for JsonError {
    fn from(value: sqlx::Error) -> Self {
        Self(internal(value))
    }
}

/// Lets handlers use `?` on the server's own [`crate::error::Result`]: a
/// refusal is answered as it is, an internal failure is logged once (in the
/// request's span) and answered opaquely.
impl From<crate::error::Error> for JsonError {
    fn from(value: crate::error::Error) -> Self {
        Self(value.into())
    }
}

impl IntoResponse for crate::error::Error {
    fn into_response(self) -> Response {
        JsonError::from(self).into_response()
    }
}

impl IntoResponse for JsonError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.0.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let code = match &self.0 {
            ApiError::Unauthorized => "unauthorized",
            ApiError::Forbidden => "forbidden",
            ApiError::NotFound => "not_found",
            ApiError::Validation { .. } => "invalid",
            ApiError::Conflict(_) => "conflict",
            ApiError::TooManyRequests { .. } => "too_many_requests",
            _ => "internal",
        };
        let field = match &self.0 {
            ApiError::Validation { field, .. } => Some(field.clone()),
            _ => None,
        };
        let body =
            serde_json::json!({ "error": code, "message": self.0.to_string(), "field": field });
        let mut response = (status, Json(body)).into_response();
        if let ApiError::TooManyRequests { retry_after_secs } = self.0
            && let Ok(v) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, v);
        }
        if status == StatusCode::UNAUTHORIZED {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"tally\""),
            );
        }
        response
    }
}

/// Result type of REST handlers.
pub type ApiResult<T> = Result<T, JsonError>;
