//! `/oauth/{provider}/start` and `/oauth/{provider}/callback`: the browser's
//! side of connecting a provider.
//!
//! Plain axum routes rather than server functions: they redirect to the
//! provider and back, and must work with JavaScript off. Outcomes other than
//! success render a small page in the app's styles that says what happened
//! and links back to the integrations page.

use app::domain::Viewer;
use axum::{
    Extension, Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{Html, IntoResponse, Redirect, Response},
    routing::get,
};

use crate::{
    integrations::flow::{CallbackQuery, Finish},
    state::AppState,
};

/// The two routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/oauth/{provider}/start", get(start))
        .route("/oauth/{provider}/callback", get(callback))
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// A minimal page in the app's styles.
pub fn page(status: StatusCode, title: &str, message: &str, error: bool) -> Response {
    let class = if error { "alert alert-error" } else { "alert" };
    let body = format!(
        "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\
         <title>{title} · Tally</title><link rel=\"stylesheet\" href=\"/pkg/tally.css\"></head>\
         <body><main class=\"auth\"><div class=\"card auth-card\"><h1>{title}</h1>\
         <p class=\"{class}\" role=\"alert\">{message}</p>\
         <p><a class=\"btn\" href=\"/integrations\">Back to Integrations</a></p></div></main></body></html>",
        title = escape(title),
        message = escape(message),
    );
    (status, Html(body)).into_response()
}

#[tracing::instrument(
    skip_all,
    fields(provider = %provider, org_id = tracing::field::Empty, user_id = tracing::field::Empty)
)]
async fn start(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(provider): Path<String>,
) -> Response {
    let Some(Extension(viewer)) = viewer else {
        let next = serde_urlencoded::to_string([("next", "/integrations")]).unwrap_or_default();
        return Redirect::to(&format!("/login?{next}")).into_response();
    };
    let span = tracing::Span::current();
    span.record("org_id", viewer.org_id.0);
    span.record("user_id", viewer.user_id);
    let Ok(viewer) = viewer.require_manager() else {
        return page(
            StatusCode::FORBIDDEN,
            "Not allowed",
            "Only admins and managers can connect providers.",
            true,
        );
    };
    let integrations = &state.integrations;
    let Some(p) = integrations.provider_named(&provider) else {
        return page(
            StatusCode::NOT_FOUND,
            "Unknown provider",
            "Tally does not know this provider.",
            true,
        );
    };
    if p.oauth().is_none() {
        return page(
            StatusCode::BAD_REQUEST,
            "Not an OAuth provider",
            "This provider connects with an API key; use the form on the Integrations page.",
            true,
        );
    }
    if !p.configured() {
        return page(
            StatusCode::CONFLICT,
            "Not configured",
            &format!("{} is not configured on this server yet.", p.spec.id.name()),
            true,
        );
    }
    match integrations.start(&viewer, p).await {
        Ok(url) => (StatusCode::FOUND, [(header::LOCATION, url)]).into_response(),
        Err(e) => {
            let _ = super::error::internal(e);
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Tally could not start the connection; the error has been logged.",
                true,
            )
        }
    }
}

// Skips the query: it carries the authorisation code and the state.
#[tracing::instrument(
    skip_all,
    fields(
        provider = %provider,
        org_id = tracing::field::Empty,
        user_id = tracing::field::Empty,
        connection_id = tracing::field::Empty,
    )
)]
async fn callback(
    State(state): State<AppState>,
    viewer: Option<Extension<Viewer>>,
    Path(provider): Path<String>,
    Query(query): Query<CallbackQuery>,
) -> Response {
    let integrations = &state.integrations;
    let Some(p) = integrations.oauth_provider(&provider) else {
        return page(
            StatusCode::NOT_FOUND,
            "Unknown provider",
            "Tally does not know this provider.",
            true,
        );
    };
    let viewer = viewer.map(|Extension(v)| v);
    if let Some(v) = &viewer {
        let span = tracing::Span::current();
        span.record("org_id", v.org_id.0);
        span.record("user_id", v.user_id);
    }
    match integrations.finish(viewer.as_ref(), p, query).await {
        Ok(Finish::Connected(id, _)) => {
            tracing::Span::current().record("connection_id", id.0);
            Redirect::to("/integrations").into_response()
        }
        Ok(Finish::Cancelled) => page(
            StatusCode::OK,
            "Connection cancelled",
            &format!(
                "You cancelled; nothing changed. {} was not connected.",
                p.spec.id.name()
            ),
            false,
        ),
        Ok(Finish::BadState(e)) => page(
            StatusCode::BAD_REQUEST,
            "This link cannot be used",
            &format!("{} Nothing was stored.", e.message()),
            true,
        ),
        Ok(Finish::Failed(message)) => page(
            StatusCode::BAD_GATEWAY,
            "Connection failed",
            &format!("{message} Nothing was stored."),
            true,
        ),
        Err(e) => {
            let _ = super::error::internal(e);
            page(
                StatusCode::INTERNAL_SERVER_ERROR,
                "Something went wrong",
                "Tally could not finish the connection; the error has been logged. Nothing was stored.",
                true,
            )
        }
    }
}
