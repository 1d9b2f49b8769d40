//! HubSpot rate-limit responses and headers.
//!
//! Exists to reproduce the documented 429 body (`errorType: RATE_LIMIT`, `policyName`) and
//! the `X-HubSpot-RateLimit-*` headers (sent on non-search responses only; OAuth apps get no
//! daily headers). The counting itself lives in [`crate::ratelimit`].

use axum::http::StatusCode;
use axum::response::Response;
use serde_json::json;

use super::errors::with_body;
use crate::grants::uuid_like;
use crate::options::RateLimits;
use crate::ratelimit::Admission;

/// The 429 for the ten-secondly window (`search = false`) or the search secondly limit.
pub fn too_many(search: bool, _limits: &RateLimits) -> Response {
    let (policy, which) = if search {
        ("SECONDLY", "secondly")
    } else {
        ("TEN_SECONDLY_ROLLING", "ten_secondly_rolling")
    };
    with_body(
        StatusCode::TOO_MANY_REQUESTS,
        json!({
            "status": "error",
            "message": format!("You have reached your {which} limit."),
            "errorType": "RATE_LIMIT",
            "correlationId": uuid_like(),
            "policyName": policy,
            "requestId": uuid_like(),
        }),
    )
}

/// Rolling-window headers for a normal response.
pub fn headers(a: &Admission, limits: &RateLimits) -> Vec<(&'static str, String)> {
    vec![
        ("x-hubspot-ratelimit-max", a.max.to_string()),
        ("x-hubspot-ratelimit-remaining", a.remaining.to_string()),
        (
            "x-hubspot-ratelimit-interval-milliseconds",
            limits.hubspot_window_ms.to_string(),
        ),
    ]
}
