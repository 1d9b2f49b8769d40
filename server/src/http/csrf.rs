//! Cross-site request forgery defence: a state-changing request a browser
//! sends on behalf of another site is refused before it reaches a handler.
//!
//! Exists because `SameSite=Lax` cookies alone leave gaps (a sibling
//! subdomain counts as the same site; older browsers ignore the attribute),
//! and a forged sign-in or server-function call needs no cookie at all. The
//! rule follows the browser's own signals, as Go's `CrossOriginProtection`
//! does:
//!
//! 1. `GET`, `HEAD` and `OPTIONS` change nothing and pass.
//! 2. Provider webhooks (`/webhooks/…`, signed) and the demo provider
//!    simulators (`/sandbox/…`, a provider's API) are not Tally's pages and pass.
//! 3. `Sec-Fetch-Site: same-origin` or `none` (typed by the user) passes; any
//!    other value (`cross-site`, `same-site`) is refused.
//! 4. Without that header, an `Origin` must equal Tally's public URL or the
//!    origin the request was addressed to (`Host`); `Origin: null` is refused.
//! 5. A request with neither header is not from a modern browser page (curl,
//!    an API client with a bearer token) and passes: it carries no ambient
//!    authority a third site could borrow.
//!
//! Server functions also refuse `text/plain` and body-less content types
//! (415): an HTML form can post `text/plain` cross-site without a preflight,
//! and no Tally page ever sends one.

use axum::{
    extract::{Request, State},
    http::{HeaderMap, Method, StatusCode, header},
    middleware::Next,
    response::{IntoResponse as _, Response},
};

use crate::state::AppState;

/// Middleware: refuse cross-site state-changing requests.
pub async fn guard(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let path = req.uri().path();
    if let Some(refusal) = check(req.method(), path, req.headers(), &state.config.public_url) {
        tracing::warn!(reason = refusal.log(), "refused a cross-site request");
        return refusal.response();
    }
    next.run(req).await
}

/// Why a request was refused.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Refusal {
    /// The browser said another site sent it.
    CrossSite,
    /// A server function got a body type no Tally page sends.
    BodyType,
}

impl Refusal {
    fn log(self) -> &'static str {
        match self {
            Refusal::CrossSite => "origin is not this site",
            Refusal::BodyType => "server function body is text/plain or untyped",
        }
    }

    fn response(self) -> Response {
        let (status, code, message) = match self {
            Refusal::CrossSite => (
                StatusCode::FORBIDDEN,
                "cross_site",
                "this request came from another site; open Tally itself and try again",
            ),
            Refusal::BodyType => (
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "server functions take form-encoded or JSON bodies, not text/plain",
            ),
        };
        let body = serde_json::json!({ "error": code, "message": message, "field": null });
        (status, axum::Json(body)).into_response()
    }
}

/// The rule of the module doc, as a pure function of the request's parts.
pub fn check(
    method: &Method,
    path: &str,
    headers: &HeaderMap,
    public_url: &str,
) -> Option<Refusal> {
    if matches!(*method, Method::GET | Method::HEAD | Method::OPTIONS) {
        return None;
    }
    if path.starts_with("/webhooks/") || path.starts_with("/sandbox/") {
        return None;
    }
    if !from_this_site(headers, public_url) {
        return Some(Refusal::CrossSite);
    }
    if path.starts_with("/api/fn/") && !server_fn_body_type(headers) {
        return Some(Refusal::BodyType);
    }
    None
}

fn from_this_site(headers: &HeaderMap, public_url: &str) -> bool {
    let text = |name| headers.get(name).and_then(|v| v.to_str().ok());
    if let Some(site) = headers.get("sec-fetch-site") {
        return matches!(site.to_str(), Ok("same-origin" | "none"));
    }
    let Some(origin) = text(header::ORIGIN) else {
        return true;
    };
    let origin = origin.trim_end_matches('/');
    if origin.eq_ignore_ascii_case(origin_of(public_url)) {
        return true;
    }
    // Same origin as the address the browser used: `scheme://` + Host.
    match (origin.split_once("://"), text(header::HOST)) {
        (Some((_, host)), Some(expected)) => host.eq_ignore_ascii_case(expected),
        _ => false,
    }
}

/// `scheme://host[:port]` of a URL (its path dropped).
fn origin_of(url: &str) -> &str {
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    match url[after_scheme..].find('/') {
        Some(i) => &url[..after_scheme + i],
        None => url.trim_end_matches('/'),
    }
}

fn server_fn_body_type(headers: &HeaderMap) -> bool {
    let Some(kind) = headers
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
    else {
        return false;
    };
    let essence = kind.split(';').next().unwrap_or("").trim();
    !essence.is_empty() && !essence.eq_ignore_ascii_case("text/plain")
}

#[cfg(test)]
mod tests {
    use super::*;

    const URL: &str = "https://tally.example.com";

    fn headers(pairs: &[(&'static str, &str)]) -> HeaderMap {
        let mut h = HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    fn post(path: &str, pairs: &[(&'static str, &str)]) -> Option<Refusal> {
        check(&Method::POST, path, &headers(pairs), URL)
    }

    #[test]
    fn reads_pass_whatever_their_origin() {
        let h = headers(&[("sec-fetch-site", "cross-site")]);
        assert_eq!(check(&Method::GET, "/login", &h, URL), None);
    }

    #[test]
    fn the_browser_fetch_site_header_decides_first() {
        assert_eq!(post("/login", &[("sec-fetch-site", "same-origin")]), None);
        assert_eq!(post("/login", &[("sec-fetch-site", "none")]), None);
        assert_eq!(
            post("/login", &[("sec-fetch-site", "cross-site")]),
            Some(Refusal::CrossSite)
        );
        assert_eq!(
            post(
                "/login",
                &[("sec-fetch-site", "same-site"), ("origin", URL)]
            ),
            Some(Refusal::CrossSite)
        );
    }

    #[test]
    fn an_origin_must_be_the_public_url_or_the_host_addressed() {
        assert_eq!(post("/login", &[("origin", URL)]), None);
        assert_eq!(
            post("/login", &[("origin", "https://TALLY.example.com")]),
            None
        );
        assert_eq!(
            post(
                "/login",
                &[
                    ("origin", "http://127.0.0.1:3000"),
                    ("host", "127.0.0.1:3000")
                ]
            ),
            None
        );
        assert_eq!(
            post(
                "/login",
                &[
                    ("origin", "https://evil.example"),
                    ("host", "tally.example.com")
                ]
            ),
            Some(Refusal::CrossSite)
        );
        assert_eq!(
            post("/login", &[("origin", "null")]),
            Some(Refusal::CrossSite)
        );
        assert_eq!(
            post(
                "/login",
                &[("origin", "https://tally.example.com.evil.example")]
            ),
            Some(Refusal::CrossSite)
        );
    }

    #[test]
    fn clients_without_browser_headers_pass() {
        assert_eq!(post("/api/v1/measurables", &[]), None);
    }

    #[test]
    fn webhooks_and_the_sandbox_are_not_tallys_pages() {
        let h = [("origin", "https://api.hubapi.com")];
        assert_eq!(post("/webhooks/hubspot", &h), None);
        assert_eq!(post("/sandbox/oauth/v1/token", &h), None);
    }

    #[test]
    fn server_functions_refuse_text_plain_and_untyped_bodies() {
        let plain = [("content-type", "text/plain;charset=UTF-8")];
        assert_eq!(post("/api/fn/save_note", &plain), Some(Refusal::BodyType));
        assert_eq!(post("/api/fn/save_note", &[]), Some(Refusal::BodyType));
        let form = [("content-type", "application/x-www-form-urlencoded")];
        assert_eq!(post("/api/fn/save_note", &form), None);
        assert_eq!(post("/login", &plain), None);
    }

    #[test]
    fn origin_of_drops_the_path() {
        assert_eq!(origin_of("https://a.example/tally/"), "https://a.example");
        assert_eq!(origin_of("http://127.0.0.1:3000"), "http://127.0.0.1:3000");
        assert_eq!(origin_of("http://127.0.0.1:3000/"), "http://127.0.0.1:3000");
    }
}
