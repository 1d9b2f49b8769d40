//! Who is asking, for every request, and which pages they may see.
//!
//! The browser proves who it is with the `tally_session` cookie; scripts use
//! `Authorization: Bearer` on `/api/v1/*`. The resolved [`Viewer`] goes into
//! the request's extensions, where server functions and REST handlers read
//! it. Page requests without a viewer are sent to sign in (or to first-run
//! setup while no user exists); that guard works with JavaScript off.

use std::sync::atomic::Ordering;

use app::{domain::Viewer, error::ApiError};
use axum::{
    extract::{Request, State},
    http::{Method, header},
    middleware::Next,
    response::{IntoResponse, Redirect, Response},
};

use crate::{
    accounts::{api_tokens, sessions, users},
    state::AppState,
};

/// Reads a cookie's value from the request headers.
pub fn cookie<'a>(req_headers: &'a axum::http::HeaderMap, name: &str) -> Option<&'a str> {
    req_headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn bearer(req_headers: &axum::http::HeaderMap) -> Option<&str> {
    req_headers
        .get(header::AUTHORIZATION)?
        .to_str()
        .ok()?
        .strip_prefix("Bearer ")
        .map(str::trim)
}

async fn viewer_of(
    state: &AppState,
    path: &str,
    headers: &axum::http::HeaderMap,
) -> anyhow::Result<Option<Viewer>> {
    if let (true, Some(token)) = (path.starts_with("/api/v1/"), bearer(headers)) {
        match api_tokens::user_of(&state.db, token).await? {
            Some(id) => users::viewer(&state.db, id).await,
            None => Ok(None),
        }
    } else if let Some(token) = cookie(headers, sessions::COOKIE) {
        sessions::viewer_of(&state.db, token, state.config.session_ttl).await
    } else {
        Ok(None)
    }
}

/// Paths anyone may request; everything else that is a page needs a viewer.
fn is_public(path: &str) -> bool {
    const PREFIXES: [&str; 7] = [
        "/pkg/",
        "/api/",
        "/oauth/",
        "/webhooks/",
        "/sandbox/",
        "/healthz",
        "/readyz",
    ];
    path == "/login"
        || path == "/logout"
        || path == "/metrics"
        || path == "/favicon.ico"
        || PREFIXES.iter().any(|p| path.starts_with(p))
}

async fn setup_done(state: &AppState) -> anyhow::Result<bool> {
    if state.setup_done.load(Ordering::Relaxed) {
        return Ok(true);
    }
    let done = users::count_all(&state.db).await? > 0;
    if done {
        state.setup_done.store(true, Ordering::Relaxed);
    }
    Ok(done)
}

/// Middleware: resolve the viewer, then guard page routes.
pub async fn resolve(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let path = req.uri().path().to_owned();
    let headers = req.headers().clone();
    let viewer = match viewer_of(&state, &path, &headers).await {
        Ok(v) => v,
        Err(e) => return super::error::JsonError(super::error::internal(e)).into_response(),
    };
    let is_page = req.method() == Method::GET && !is_public(&path);
    let is_setup = path == "/setup";
    if is_page || is_setup {
        let done = match setup_done(&state).await {
            Ok(d) => d,
            Err(e) => return super::error::JsonError(super::error::internal(e)).into_response(),
        };
        if !done && !is_setup {
            return Redirect::to("/setup").into_response();
        }
        if done && is_setup {
            return Redirect::to(if viewer.is_some() { "/" } else { "/login" }).into_response();
        }
        if done {
            match &viewer {
                None => {
                    let target = req.uri().path_and_query().map_or("/", |p| p.as_str());
                    let next = serde_urlencoded::to_string([("next", target)]).unwrap_or_default();
                    return Redirect::to(&format!("/login?{next}")).into_response();
                }
                Some(v) if v.must_change_password && path != "/account/password" => {
                    return Redirect::to("/account/password").into_response();
                }
                Some(_) => {}
            }
        }
    }
    if let Some(v) = &viewer
        && v.must_change_password
        && !allowed_before_password_change(&path)
        && (path.starts_with("/api/") || path.starts_with("/oauth/") || !is_public(&path))
    {
        // Pages were sent to the form above; scripts and server functions
        // hear why they are refused.
        return super::error::JsonError(ApiError::Forbidden).into_response();
    }
    if let Some(viewer) = viewer {
        req.extensions_mut().insert(viewer);
    }
    next.run(req).await
}

/// What a user signed in with a one-time password may do before replacing
/// it: the form, its server function, and signing out.
fn allowed_before_password_change(path: &str) -> bool {
    matches!(
        path,
        "/account/password" | "/api/fn/change_password" | "/logout"
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cookies_are_found_among_others() {
        let mut headers = axum::http::HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; tally_session=abc; b=2".parse().expect("header"),
        );
        assert_eq!(cookie(&headers, "tally_session"), Some("abc"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn pages_are_guarded_and_assets_are_not() {
        assert!(!is_public("/"));
        assert!(!is_public("/settings"));
        assert!(is_public("/login"));
        assert!(is_public("/pkg/tally.js"));
        assert!(is_public("/api/v1/me"));
    }
}
