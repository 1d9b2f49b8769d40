//! Every HTTP route Tally serves, assembled into one axum `Router`.
//!
//! Pages and server functions come from `app` through leptos_axum; the rest
//! (sign-in forms, the REST API, operations endpoints) are plain axum
//! handlers in the modules below. Middleware order, outermost first: request
//! id and tracing, the security headers (CSP nonce), the cross-site request
//! refusal, the body deadline and size limit, then the session layer that
//! resolves the viewer and guards pages;
//! metrics wrap each matched route so they can label it by template.

pub mod api_connections;
pub mod api_scorecards;
pub mod api_sync;
pub mod api_v1;
pub mod assets;
pub mod csrf;
pub mod csv;
pub mod error;
pub mod extract;
pub mod forms;
pub mod metrics;
pub mod oauth;
pub mod openapi;
pub mod ops;
pub mod security;
pub mod serve;
pub mod server_fns;
pub mod session;
pub mod streams;
pub mod timeouts;
pub mod webhooks;

use axum::{Router, middleware, routing::get};
use leptos::prelude::provide_context;
use leptos_axum::{LeptosRoutes as _, generate_route_list};
use tower_http::{
    request_id::{MakeRequestUuid, PropagateRequestIdLayer, SetRequestIdLayer},
    trace::TraceLayer,
};

use crate::state::AppState;

/// Builds the complete router for a state.
pub fn router(state: AppState) -> Router {
    let routes = generate_route_list(app::App);
    let services = state.services.clone();
    let options = state.leptos_options.clone();
    let site = state.site.clone();
    let x_request_id = axum::http::HeaderName::from_static("x-request-id");
    // What every page render gets: the services, a CSP nonce, the chunk manifest.
    let page_context = move || {
        provide_context(services.clone());
        security::provide_nonce();
        if let Some(manifest) = site.split_manifest() {
            provide_context(manifest);
        }
    };
    // Unknown paths render the app's not-found page (never files from disk).
    let not_found = {
        let options = options.clone();
        leptos_axum::render_app_async_with_context(page_context.clone(), move || {
            app::shell(options.clone())
        })
    };

    let router = Router::new()
        .route("/healthz", get(ops::healthz))
        .route("/readyz", get(ops::readyz));
    // With a metrics listener of their own, the public address has none.
    let router = if state.config.metrics_addr.is_none() {
        router.route("/metrics", get(ops::metrics))
    } else {
        router
    };
    let router = router
        .merge(assets::router())
        .merge(forms::router())
        .merge(oauth::router())
        .merge(webhooks::router())
        .nest("/api/v1", api_v1::router())
        .leptos_routes_with_context(&state, routes, page_context, move || {
            app::shell(options.clone())
        })
        .route_layer(middleware::from_fn_with_state(
            state.metrics.clone(),
            metrics::track,
        ));
    // Demo mode: the provider simulators, reached through the same port.
    #[cfg(feature = "demo")]
    let router = match state.sandbox.clone() {
        Some(sandbox) => router.nest_service("/sandbox", sandbox.router()),
        None => router,
    };
    router
        .fallback(move |req: axum::extract::Request| not_found(req))
        .layer(middleware::from_fn(server_fns::status))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            session::resolve,
        ))
        .layer(middleware::from_fn(timeouts::read_body))
        .layer(middleware::from_fn_with_state(state.clone(), csrf::guard))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .layer(PropagateRequestIdLayer::new(x_request_id.clone()))
        .layer(
            TraceLayer::new_for_http().make_span_with(|req: &axum::http::Request<_>| {
                let id = req
                    .headers()
                    .get("x-request-id")
                    .and_then(|v| v.to_str().ok())
                    .unwrap_or("-");
                let path = redact_path(req.uri().path());
                tracing::info_span!("request", id, method = %req.method(), path)
            }),
        )
        .layer(SetRequestIdLayer::new(x_request_id, MakeRequestUuid))
        .with_state(state)
}

/// The router of the separate metrics listener (`TALLY_METRICS_ADDR`):
/// `/metrics` and nothing else, with the same security headers.
pub fn metrics_router(state: AppState) -> Router {
    Router::new()
        .route("/metrics", get(ops::metrics))
        .layer(middleware::from_fn_with_state(
            state.clone(),
            security::headers,
        ))
        .with_state(state)
}

/// A request path safe to log: token segments of provider token-info and
/// revoke URLs (served by the demo sandbox) are replaced.
pub fn redact_path(path: &str) -> String {
    for marker in ["/access-tokens/", "/refresh-tokens/"] {
        if let Some(i) = path.find(marker) {
            return format!("{}{marker}[redacted]", &path[..i]);
        }
    }
    path.to_owned()
}

#[cfg(test)]
mod tests {
    use super::redact_path;

    #[test]
    fn token_paths_are_redacted_in_logs() {
        assert_eq!(
            redact_path("/sandbox/hubspot/oauth/v1/access-tokens/CJT-secret"),
            "/sandbox/hubspot/oauth/v1/access-tokens/[redacted]"
        );
        assert_eq!(
            redact_path("/sandbox/hubspot/oauth/v1/refresh-tokens/na1-secret"),
            "/sandbox/hubspot/oauth/v1/refresh-tokens/[redacted]"
        );
        assert_eq!(redact_path("/integrations"), "/integrations");
    }
}
