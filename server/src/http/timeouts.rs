//! How long a client may take to send a request, and how large its body may
//! be, before the connection's resources go back to everyone else.
//!
//! Exists because idle and half-sent connections used to stay open for
//! minutes: a few hundred slow clients could hold every socket and task.
//! Headers (and the wait for the next request on a kept-alive connection)
//! must arrive within [`HEADERS`], enforced by hyper in `http::serve`; a
//! body must arrive whole within [`BODY`] and be at most [`BODY_LIMIT`],
//! enforced by [`read_body`] before any handler runs. Responses are not
//! limited: a live event stream stays open as long as the browser keeps it.

use std::time::Duration;

use axum::{
    Json,
    body::{Body, to_bytes},
    extract::Request,
    http::{Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse as _, Response},
};

/// Time to send a request's headers, and to start the next request on an
/// idle kept-alive connection.
pub const HEADERS: Duration = Duration::from_secs(10);
/// Time to send a whole request body.
pub const BODY: Duration = Duration::from_secs(30);
/// Largest request body (axum's own default for extractors).
pub const BODY_LIMIT: usize = 2 * 1024 * 1024;

fn refusal(status: StatusCode, code: &str, message: String) -> Response {
    let body = serde_json::json!({ "error": code, "message": message, "field": "body" });
    let mut response = (status, Json(body)).into_response();
    response.headers_mut().insert(
        header::CONNECTION,
        header::HeaderValue::from_static("close"),
    );
    response
}

fn has_body(req: &Request) -> bool {
    if matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS) {
        return false;
    }
    let length = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    length != Some(0)
}

/// Middleware: reads the whole body within [`BODY`] and [`BODY_LIMIT`]
/// (408 or 413 otherwise), then hands the request on with it in memory.
pub async fn read_body(req: Request, next: Next) -> Response {
    if !has_body(&req) {
        return next.run(req).await;
    }
    let too_large = || {
        refusal(
            StatusCode::PAYLOAD_TOO_LARGE,
            "too_large",
            format!(
                "request bodies are at most {} MiB",
                BODY_LIMIT / (1024 * 1024)
            ),
        )
    };
    let declared = req
        .headers()
        .get(header::CONTENT_LENGTH)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.parse::<u64>().ok());
    if declared.is_some_and(|n| n > BODY_LIMIT as u64) {
        return too_large();
    }
    let (parts, body) = req.into_parts();
    match tokio::time::timeout(BODY, to_bytes(body, BODY_LIMIT)).await {
        Err(_) => refusal(
            StatusCode::REQUEST_TIMEOUT,
            "timeout",
            format!(
                "the request body did not arrive within {} s",
                BODY.as_secs()
            ),
        ),
        Ok(Err(e)) if is_length_limit(&e) => too_large(),
        Ok(Err(_)) => refusal(
            StatusCode::BAD_REQUEST,
            "invalid_body",
            "the request body could not be read".to_owned(),
        ),
        Ok(Ok(bytes)) => {
            next.run(Request::from_parts(parts, Body::from(bytes)))
                .await
        }
    }
}

fn is_length_limit(error: &axum::Error) -> bool {
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(error);
    while let Some(e) = source {
        if e.is::<http_body_util::LengthLimitError>() {
            return true;
        }
        source = e.source();
    }
    false
}
