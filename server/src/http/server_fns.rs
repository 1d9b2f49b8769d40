//! HTTP statuses for refusals of server functions.
//!
//! Exists because server_fn answers every `Err` with 500, so a member trying
//! a manager-only action, an unknown id or a bad field looked like a server
//! failure (and the trace layer logged it at ERROR). This middleware reads
//! the [`ApiError`] a server function returned and answers with the same
//! status the REST API uses (403, 404, 422, ...). The body is unchanged, and
//! the client decodes any 4xx/5xx the same way.

use app::error::ApiError;
use axum::{
    body::{Body, to_bytes},
    extract::Request,
    http::StatusCode,
    middleware::Next,
    response::Response,
};

/// The header server_fn puts on error responses.
const SERVER_FN_ERROR_HEADER: &str = "serverfnerror";

/// Largest error body read back (an [`ApiError`] is a few hundred bytes).
const MAX_ERROR_BODY: usize = 64 * 1024;

/// Middleware: maps a server function's refusal to its 4xx status.
pub async fn status(req: Request, next: Next) -> Response {
    let response = next.run(req).await;
    if response.status() != StatusCode::INTERNAL_SERVER_ERROR
        || !response.headers().contains_key(SERVER_FN_ERROR_HEADER)
    {
        return response;
    }
    let (mut parts, body) = response.into_parts();
    let Ok(bytes) = to_bytes(body, MAX_ERROR_BODY).await else {
        return Response::from_parts(parts, Body::empty());
    };
    if let Ok(error) = serde_json::from_slice::<ApiError>(&bytes) {
        parts.status = status_of(&error);
    }
    Response::from_parts(parts, Body::from(bytes))
}

/// The status of a refusal as the server sees it. `Transport` here means the
/// request could not be decoded (missing or malformed arguments, a body over
/// the limit): the client's fault, not the server's.
fn status_of(error: &ApiError) -> StatusCode {
    match error {
        ApiError::Transport(message) if message.contains("length limit") => {
            StatusCode::PAYLOAD_TOO_LARGE
        }
        ApiError::Transport(_) => StatusCode::BAD_REQUEST,
        other => StatusCode::from_u16(other.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refusals_keep_their_status_and_bad_requests_are_400() {
        assert_eq!(status_of(&ApiError::Forbidden), StatusCode::FORBIDDEN);
        assert_eq!(status_of(&ApiError::NotFound), StatusCode::NOT_FOUND);
        assert_eq!(
            status_of(&ApiError::invalid("name", "empty")),
            StatusCode::UNPROCESSABLE_ENTITY
        );
        assert_eq!(
            status_of(&ApiError::Internal),
            StatusCode::INTERNAL_SERVER_ERROR
        );
        assert_eq!(
            status_of(&ApiError::Transport("missing field".into())),
            StatusCode::BAD_REQUEST
        );
    }
}
