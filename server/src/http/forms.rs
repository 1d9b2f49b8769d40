//! The plain HTML form posts: sign in, sign out, first-run setup.
//!
//! These are axum routes rather than server functions because they set or
//! clear the `HttpOnly` session cookie and answer with a 303 redirect, which
//! works identically with and without JavaScript.

use std::{net::SocketAddr, sync::atomic::Ordering};

use app::error::ApiError;
use axum::{
    Form, Router,
    extract::{ConnectInfo, FromRequestParts, State},
    http::{HeaderMap, HeaderValue, StatusCode, header, request::Parts},
    response::{IntoResponse, Redirect, Response},
    routing::post,
};
use secrecy::SecretString;
use serde::Deserialize;

use super::session::cookie;
use crate::{
    accounts::{
        first_run::{self, Setup},
        service::{self, FirstAdmin, SignInError},
        sessions,
    },
    state::AppState,
};

/// `/login`, `/logout`, `/setup`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/login", post(login))
        .route("/logout", post(logout))
        .route("/setup", post(setup))
}

/// The client's IP address for throttling, or "unknown" when not served over TCP.
#[derive(Debug)]
pub struct ClientAddr(pub String);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(parts: &mut Parts, _state: &S) -> Result<Self, Self::Rejection> {
        Ok(ClientAddr(
            parts
                .extensions
                .get::<ConnectInfo<SocketAddr>>()
                .map_or_else(|| "unknown".to_owned(), |c| c.0.ip().to_string()),
        ))
    }
}

/// A `Set-Cookie` value for the session cookie.
pub fn session_cookie(state: &AppState, value: &str, max_age_secs: u64) -> HeaderValue {
    let secure = if state.config.secure_cookies() {
        "; Secure"
    } else {
        ""
    };
    let text = format!(
        "{}={value}; Path=/; HttpOnly; SameSite=Lax; Max-Age={max_age_secs}{secure}",
        sessions::COOKIE
    );
    HeaderValue::from_str(&text).unwrap_or_else(|_| HeaderValue::from_static(""))
}

/// Where to go after signing in: only a path on this site. A browser
/// drops tabs and newlines from a URL and reads `\\` as `/`, so
/// `/\t/evil.example` would become `//evil.example`: any control character
/// or backslash, or a second leading slash, sends the user home instead.
fn safe_next(next: Option<&str>) -> &str {
    match next {
        Some(n)
            if n.starts_with('/')
                && !n[1..].starts_with(['/', '\\'])
                && !n.chars().any(|c| c.is_control() || c == '\\') =>
        {
            n
        }
        _ => "/",
    }
}

/// A `next` with a line break is an attempt to split the response.
fn next_is_malformed(next: Option<&str>) -> bool {
    next.is_some_and(|n| n.contains(['\r', '\n']))
}

#[derive(Deserialize)]
struct LoginForm {
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
    next: Option<String>,
}

async fn login(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    Form(form): Form<LoginForm>,
) -> Response {
    if next_is_malformed(form.next.as_deref()) {
        return (
            StatusCode::BAD_REQUEST,
            "next: must be a path on this site, without line breaks",
        )
            .into_response();
    }
    if form.email.trim().is_empty() || form.password.is_empty() {
        return Redirect::to("/login?error=missing").into_response();
    }
    let outcome = service::sign_in(
        &state.db,
        &form.email,
        SecretString::from(form.password),
        &address,
    )
    .await;
    let user_id = match outcome {
        Ok(Ok(id)) => id,
        Ok(Err(SignInError::Invalid)) => {
            return Redirect::to("/login?error=invalid").into_response();
        }
        Ok(Err(SignInError::Throttled(_))) => {
            return Redirect::to("/login?error=throttled").into_response();
        }
        Ok(Err(SignInError::Busy)) => {
            return (
                StatusCode::TOO_MANY_REQUESTS,
                [(header::RETRY_AFTER, "1")],
                "Too many sign-ins at once; try again in a moment.",
            )
                .into_response();
        }
        Err(e) => return super::error::JsonError::from(e).into_response(),
    };
    match sessions::create(&state.db, user_id, state.config.session_ttl).await {
        Ok(token) => {
            let mut response = Redirect::to(safe_next(form.next.as_deref())).into_response();
            response.headers_mut().insert(
                header::SET_COOKIE,
                session_cookie(&state, &token, state.config.session_ttl.as_secs()),
            );
            response
        }
        Err(e) => super::error::JsonError::from(e).into_response(),
    }
}

async fn logout(State(state): State<AppState>, headers: HeaderMap) -> Response {
    if let Some(token) = cookie(&headers, sessions::COOKIE)
        && let Err(e) = sessions::end(&state.db, token).await
    {
        return super::error::JsonError::from(e).into_response();
    }
    let mut response = Redirect::to("/login").into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    response
}

#[derive(Deserialize)]
struct SetupForm {
    #[serde(default)]
    org_name: String,
    #[serde(default)]
    timezone: String,
    #[serde(default)]
    name: String,
    #[serde(default)]
    email: String,
    #[serde(default)]
    password: String,
}

async fn setup(State(state): State<AppState>, Form(form): Form<SetupForm>) -> Response {
    // The session middleware already refuses /setup once a user exists;
    // `first_run::setup` decides atomically, so of two forms posted at once
    // exactly one creates anything.
    let outcome = first_run::setup(
        &state.db,
        FirstAdmin {
            org_name: form.org_name,
            timezone: form.timezone,
            name: form.name,
            email: form.email,
            password: SecretString::from(form.password),
        },
    )
    .await;
    match outcome {
        Ok(Setup::Created(user_id)) => {
            state.setup_done.store(true, Ordering::Relaxed);
            match sessions::create(&state.db, user_id, state.config.session_ttl).await {
                Ok(token) => {
                    let mut response = Redirect::to("/").into_response();
                    response.headers_mut().insert(
                        header::SET_COOKIE,
                        session_cookie(&state, &token, state.config.session_ttl.as_secs()),
                    );
                    response
                }
                Err(e) => super::error::JsonError::from(e).into_response(),
            }
        }
        // As when the middleware finds users already: sign in instead.
        Ok(Setup::AlreadyDone) => {
            state.setup_done.store(true, Ordering::Relaxed);
            Redirect::to("/login").into_response()
        }
        Err(ApiError::Internal) => super::error::JsonError(ApiError::Internal).into_response(),
        Err(e) => {
            let query = serde_urlencoded::to_string([("error", e.to_string())]).unwrap_or_default();
            Redirect::to(&format!("/setup?{query}")).into_response()
        }
    }
}

#[cfg(test)]
mod tests {
    use super::safe_next;

    #[test]
    fn only_local_paths_are_followed() {
        assert_eq!(safe_next(Some("/settings")), "/settings");
        assert_eq!(safe_next(Some("//evil.example")), "/");
        assert_eq!(safe_next(Some("https://evil.example")), "/");
        assert_eq!(safe_next(None), "/");
        for trick in [
            "/\t/evil.example",
            "/\\evil.example",
            "/\n/evil",
            "/\\/evil",
            "/%0a",
            "\t//evil",
        ] {
            let followed = safe_next(Some(trick));
            assert!(
                followed == "/" || followed == "/%0a",
                "{trick:?} was followed to {followed:?}"
            );
        }
        assert_eq!(
            safe_next(Some("/scorecard?week=2026-11-30")),
            "/scorecard?week=2026-11-30"
        );
    }
}
