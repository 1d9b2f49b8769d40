//! Operations endpoints for load balancers and monitoring.

use axum::{
    extract::State,
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
};
use secrecy::ExposeSecret as _;
use sha2::{Digest as _, Sha256};

use crate::state::AppState;

/// `/healthz`: the process is up and serving.
pub async fn healthz() -> &'static str {
    "ok"
}

/// `/readyz`: the database answers and every migration is applied.
pub async fn readyz(State(state): State<AppState>) -> impl IntoResponse {
    match state.db.is_migrated().await {
        Ok(true) => (StatusCode::OK, "ready"),
        Ok(false) => (StatusCode::SERVICE_UNAVAILABLE, "database not migrated"),
        Err(e) => {
            tracing::warn!(error = format!("{e:#}"), "readiness check failed");
            (StatusCode::SERVICE_UNAVAILABLE, "database unreachable")
        }
    }
}

/// `/metrics`: Prometheus text format, behind `TALLY_METRICS_TOKEN` when set.
pub async fn metrics(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = &state.config.metrics_token {
        let given = headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "))
            .unwrap_or_default();
        if !same_secret(given, token.expose_secret()) {
            return (
                StatusCode::UNAUTHORIZED,
                [(header::WWW_AUTHENTICATE, "Bearer realm=\"metrics\"")],
                "metrics need the bearer token set in TALLY_METRICS_TOKEN",
            )
                .into_response();
        }
    }
    let pool = (state.db.pool.size(), state.db.pool.num_idle());
    (
        [(header::CONTENT_TYPE, "text/plain; version=0.0.4")],
        state.metrics.render(pool),
    )
        .into_response()
}

/// Compares two secrets in time independent of where they first differ
/// (their digests are compared whole, so lengths do not leak either).
fn same_secret(given: &str, expected: &str) -> bool {
    let (a, b) = (Sha256::digest(given), Sha256::digest(expected));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::same_secret;

    #[test]
    fn secrets_compare_whole() {
        assert!(same_secret("s3cret-token", "s3cret-token"));
        assert!(!same_secret("s3cret-tokex", "s3cret-token"));
        assert!(!same_secret("", "s3cret-token"));
        assert!(!same_secret("s3cret-token-and-more", "s3cret-token"));
    }
}
