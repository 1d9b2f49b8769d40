//! Security headers on every response: a strict Content-Security-Policy with
//! a fresh nonce, `nosniff`, a referrer policy and frame denial.
//!
//! Exists because escaping user text (`app::components::text_area`, issue 18)
//! is one line of defence, and one slip made a member's note run script in an
//! admin's browser. The policy is the second line: a page runs only scripts
//! from this origin and the inline scripts Leptos writes for hydration, which
//! carry this response's nonce (Leptos's `HydrationScripts` and its resource
//! scripts read it through `use_nonce`); WASM may be compiled
//! (`'wasm-unsafe-eval'`), nothing else is evaluated. Styles come only from
//! `/pkg/tally.css`, fetches and the event stream only from this origin,
//! forms post only here, nothing may frame a page, and no `<base>` can
//! redirect relative URLs.
//!
//! The demo sandbox under `/sandbox/` plays a provider's consent pages, which
//! are self-contained HTML with one inline `<style>`: they get a policy of
//! their own that allows exactly that style by its hash and no script.
//!
//! Referrer policy: `strict-origin-when-cross-origin`. Links out (records in
//! HubSpot or Fathom, the provider consent pages) tell the other site only
//! Tally's origin, never a path or query; same-origin requests keep the full
//! referrer. `no-referrer` would hide no more from other sites and would break
//! this one: a server function posted by a form without JavaScript answers
//! with a redirect back to its `Referer` (carrying any error), and browsers
//! send `Origin: null` on form posts under `no-referrer`, which would defeat
//! an Origin check against cross-site request forgery.

use std::sync::Arc;

use axum::{
    extract::{Request, State},
    http::{HeaderValue, header, request::Parts},
    middleware::Next,
    response::Response,
};
use base64::Engine as _;
use leptos::prelude::{provide_context, use_context};

use crate::state::AppState;

/// This response's nonce, put in the request's extensions for the page
/// renderer.
#[derive(Debug, Clone)]
pub struct CspNonce(Arc<str>);

impl CspNonce {
    /// 128 random bits from the thread's CSPRNG, URL-safe base64.
    fn new() -> Self {
        use rand::RngCore as _;
        let mut bytes = [0u8; 16];
        rand::thread_rng().fill_bytes(&mut bytes);
        Self(
            base64::engine::general_purpose::URL_SAFE_NO_PAD
                .encode(bytes)
                .into(),
        )
    }
}

/// The policy of Tally's own responses.
pub fn policy(nonce: &str) -> String {
    format!(
        "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
         style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
         base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    )
}

/// The policy of the demo sandbox's pages: no script, their one inline style.
/// `None` in a build without the sandbox.
fn sandbox_policy() -> Option<&'static HeaderValue> {
    #[cfg(not(feature = "demo"))]
    return None;
    #[cfg(feature = "demo")]
    {
        use std::sync::LazyLock;
        static POLICY: LazyLock<HeaderValue> = LazyLock::new(|| {
            use sha2::Digest as _;
            let hash = base64::engine::general_purpose::STANDARD
                .encode(sha2::Sha256::digest(crate::demo::CONSENT_STYLE));
            let text = format!(
                "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; \
                 form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
            );
            HeaderValue::from_str(&text)
                .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'"))
        });
        Some(&POLICY)
    }
}

/// Middleware: mint the nonce, then set the headers on the response.
pub async fn headers(State(state): State<AppState>, mut req: Request, next: Next) -> Response {
    let nonce = CspNonce::new();
    let sandbox =
        sandbox_policy().filter(|_| state.config.demo && req.uri().path().starts_with("/sandbox/"));
    req.extensions_mut().insert(nonce.clone());
    let mut response = next.run(req).await;
    let csp = match sandbox {
        Some(policy) => policy.clone(),
        // A nonce is base64: always a valid header value.
        None => HeaderValue::from_str(&policy(&nonce.0))
            .unwrap_or_else(|_| HeaderValue::from_static("default-src 'none'")),
    };
    let h = response.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, csp);
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("strict-origin-when-cross-origin"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    response
}

/// For the page renderer's context: hands Leptos this response's nonce (in
/// place of the one leptos_axum generates), so the inline scripts carry the
/// nonce the header names.
pub fn provide_nonce() {
    let nonce = use_context::<Parts>().and_then(|p| p.extensions.get::<CspNonce>().cloned());
    if let Some(CspNonce(nonce)) = nonce {
        provide_context(leptos::nonce::Nonce::from_value(nonce));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nonces_are_128_bits_and_fresh() {
        let (a, b) = (CspNonce::new(), CspNonce::new());
        assert_ne!(a.0, b.0);
        assert_eq!(a.0.len(), 22);
        assert!(
            a.0.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        );
    }

    #[test]
    fn the_policy_allows_no_inline_script_without_the_nonce() {
        let p = policy("abc");
        assert!(p.contains("script-src 'self' 'nonce-abc' 'wasm-unsafe-eval';"));
        assert!(!p.contains("unsafe-inline"));
        #[cfg(feature = "demo")]
        assert!(
            sandbox_policy()
                .expect("a demo build has the sandbox")
                .to_str()
                .is_ok_and(|p| !p.contains("script"))
        );
    }
}
