//! Aircall's HTTP Basic authentication (`api_id:api_token`) and its API keys.
//!
//! Exists so Tally's "Test connection" and sync see what a real account answers: a
//! missing, malformed, unknown or revoked key gets `401` with Aircall's
//! `{"error", "troubleshoot"}` body, which never echoes what was sent. Keys can be
//! revoked (the token stops working) and new ones issued, as in Aircall's dashboard.

use axum::http::{HeaderMap, StatusCode, header};
use axum::response::Response;
use base64::Engine;
use base64::engine::general_purpose::STANDARD;

use super::error;
use crate::{Sandbox, lock};

/// The API ID the simulator accepts from the start.
pub const DEMO_API_ID: &str = "sandbox-aircall-api-id";
/// The API token that goes with [`DEMO_API_ID`].
pub const DEMO_API_TOKEN: &str = "sandbox-aircall-api-token";

/// An API key pair. `Debug` redacts the token.
#[derive(Clone, PartialEq, Eq)]
pub struct AircallCredentials {
    pub api_id: String,
    pub api_token: String,
}

impl std::fmt::Debug for AircallCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AircallCredentials")
            .field("api_id", &self.api_id)
            .field("api_token", &"[redacted]")
            .finish()
    }
}

/// A key as the account stores it.
#[derive(Clone)]
pub struct ApiKey {
    pub creds: AircallCredentials,
    pub revoked: bool,
}

impl std::fmt::Debug for ApiKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ApiKey")
            .field("creds", &self.creds)
            .field("revoked", &self.revoked)
            .finish()
    }
}

/// The key the account starts with.
pub fn demo_key() -> ApiKey {
    ApiKey {
        creds: AircallCredentials {
            api_id: DEMO_API_ID.into(),
            api_token: DEMO_API_TOKEN.into(),
        },
        revoked: false,
    }
}

/// `(api_id, api_token)` from an `Authorization: Basic` header.
fn basic(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get(header::AUTHORIZATION)?.to_str().ok()?;
    let (scheme, b64) = v.split_once(' ')?;
    if !scheme.eq_ignore_ascii_case("basic") {
        return None;
    }
    let raw = STANDARD.decode(b64.trim()).ok()?;
    let s = String::from_utf8(raw).ok()?;
    let (id, token) = s.split_once(':')?;
    Some((id.to_string(), token.to_string()))
}

/// The 401 every authentication failure gets.
pub fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Unauthorized",
        "Check your API ID and API token: send them with HTTP Basic Auth as api_id:api_token",
    )
}

/// Checks the request's Basic credentials against the account's live keys.
pub fn authenticate(sb: &Sandbox, headers: &HeaderMap) -> Result<(), Response> {
    let Some((id, token)) = basic(headers) else {
        return Err(unauthorized());
    };
    let st = lock(&sb.inner.aircall);
    let ok = st
        .keys
        .iter()
        .any(|k| !k.revoked && k.creds.api_id == id && k.creds.api_token == token);
    if ok { Ok(()) } else { Err(unauthorized()) }
}

impl Sandbox {
    /// The account's newest API key (even when revoked: it then answers 401).
    pub fn aircall_credentials(&self) -> AircallCredentials {
        lock(&self.inner.aircall)
            .keys
            .last()
            .map(|k| k.creds.clone())
            .unwrap_or_else(|| demo_key().creds)
    }

    /// Revokes every API key: requests with them get 401 from now on.
    pub fn aircall_revoke(&self) {
        for k in &mut lock(&self.inner.aircall).keys {
            k.revoked = true;
        }
    }

    /// Issues a new working API key (as "Add a new API key" in Aircall's dashboard) and
    /// returns it; [`Sandbox::aircall_credentials`] returns it from now on.
    pub fn aircall_issue_credentials(&self) -> AircallCredentials {
        let creds = AircallCredentials {
            api_id: crate::util::random_hex(16),
            api_token: crate::util::random_hex(16),
        };
        lock(&self.inner.aircall).keys.push(ApiKey {
            creds: creds.clone(),
            revoked: false,
        });
        creds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_token() {
        let s = format!("{:?}", demo_key());
        assert!(s.contains(DEMO_API_ID));
        assert!(!s.contains(DEMO_API_TOKEN));
    }

    #[test]
    fn parses_basic() {
        let mut h = HeaderMap::new();
        let v = format!("Basic {}", STANDARD.encode("id:tok:en"));
        h.insert(header::AUTHORIZATION, v.parse().unwrap());
        assert_eq!(basic(&h), Some(("id".into(), "tok:en".into())));
        h.insert(header::AUTHORIZATION, "Bearer x".parse().unwrap());
        assert_eq!(basic(&h), None);
    }
}
