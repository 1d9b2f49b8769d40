//! OAuth state shared by both providers: authorization codes, refresh-token grants and
//! access tokens, with expiry measured on the sandbox clock.
//!
//! Exists so the HubSpot and Fathom OAuth handlers, the bearer checks and the control API
//! (revoke a grant, expire all access tokens) work on one source of truth.

use std::collections::HashMap;

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::Provider;

/// A pending authorization code.
#[derive(Debug, Clone)]
pub struct AuthCode {
    pub provider: Provider,
    pub client_id: String,
    pub redirect_uri: String,
    pub scopes: Vec<String>,
    pub expires_at: i64,
    pub code_challenge: Option<String>,
    pub code_challenge_method: Option<String>,
}

/// A refresh-token grant (one install / connection).
#[derive(Debug, Clone)]
pub struct Grant {
    pub provider: Provider,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub created_at: i64,
}

/// An issued access token.
#[derive(Debug, Clone)]
pub struct AccessToken {
    pub provider: Provider,
    pub client_id: String,
    pub scopes: Vec<String>,
    pub expires_at: i64,
    /// The refresh token it was issued with.
    pub refresh_token: String,
}

/// Why a bearer token was refused.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum BearerError {
    Missing,
    Invalid,
    /// Expired this many ms ago.
    Expired(i64),
}

/// All OAuth state.
#[derive(Debug, Default)]
pub struct Grants {
    pub codes: HashMap<String, AuthCode>,
    pub refresh: HashMap<String, Grant>,
    pub access: HashMap<String, AccessToken>,
}

/// A random URL-safe token with a prefix.
pub fn random_token(prefix: &str, bytes: usize) -> String {
    let mut rng = rand::thread_rng();
    let raw: Vec<u8> = (0..bytes).map(|_| rng.r#gen()).collect();
    format!("{prefix}{}", URL_SAFE_NO_PAD.encode(raw))
}

/// A random UUID-shaped string (correlation ids, event ids).
pub fn uuid_like() -> String {
    uuid::Uuid::new_v4().to_string()
}

/// Verifies a PKCE `code_verifier` against the stored challenge.
pub fn pkce_ok(challenge: &str, method: Option<&str>, verifier: &str) -> bool {
    match method.unwrap_or("plain") {
        "S256" => URL_SAFE_NO_PAD.encode(Sha256::digest(verifier.as_bytes())) == challenge,
        "plain" => verifier == challenge,
        _ => false,
    }
}

impl Grants {
    /// Stores a new authorization code and returns it.
    pub fn issue_code(&mut self, code: AuthCode) -> String {
        let value = match code.provider {
            Provider::Hubspot => uuid_like(),
            Provider::Fathom | Provider::Autotask | Provider::Aircall => random_token("", 24),
        };
        self.codes.insert(value.clone(), code);
        value
    }

    /// Creates a grant and its first access token: `(access, refresh)`.
    pub fn issue_grant(
        &mut self,
        provider: Provider,
        client_id: &str,
        scopes: Vec<String>,
        now: i64,
        ttl_s: u64,
    ) -> (String, String) {
        let refresh = match provider {
            Provider::Hubspot => format!("na1-{}", uuid_like()),
            Provider::Fathom | Provider::Autotask | Provider::Aircall => random_token("", 32),
        };
        self.refresh.insert(
            refresh.clone(),
            Grant {
                provider,
                client_id: client_id.to_string(),
                scopes,
                created_at: now,
            },
        );
        let access = self.issue_access(&refresh, now, ttl_s).unwrap_or_default();
        (access, refresh)
    }

    /// Issues an access token for an existing grant.
    pub fn issue_access(&mut self, refresh: &str, now: i64, ttl_s: u64) -> Option<String> {
        let g = self.refresh.get(refresh)?.clone();
        let token = match g.provider {
            Provider::Hubspot => random_token("CN", 96),
            Provider::Fathom | Provider::Autotask | Provider::Aircall => random_token("", 32),
        };
        self.access.insert(
            token.clone(),
            AccessToken {
                provider: g.provider,
                client_id: g.client_id,
                scopes: g.scopes,
                expires_at: now + (ttl_s as i64) * 1000,
                refresh_token: refresh.to_string(),
            },
        );
        Some(token)
    }

    /// Issues a HubSpot private-app access token (`pat-na1-…`): no grant
    /// behind it, no expiry, no refresh; it works until revoked.
    pub fn issue_private_app_token(&mut self, scopes: Vec<String>) -> String {
        let token = format!("pat-na1-{}", uuid_like());
        self.access.insert(
            token.clone(),
            AccessToken {
                provider: Provider::Hubspot,
                client_id: String::new(),
                scopes,
                expires_at: i64::MAX,
                refresh_token: String::new(),
            },
        );
        token
    }

    /// Revokes one access token (a private app deleted or its token rotated).
    pub fn revoke_access(&mut self, token: &str) -> bool {
        self.access.remove(token).is_some()
    }

    /// Checks a bearer token for `provider` at `now`.
    pub fn check(
        &self,
        provider: Provider,
        token: Option<&str>,
        now: i64,
    ) -> Result<AccessToken, BearerError> {
        let token = token.ok_or(BearerError::Missing)?;
        let t = self
            .access
            .get(token)
            .filter(|t| t.provider == provider)
            .ok_or(BearerError::Invalid)?;
        if t.expires_at <= now {
            return Err(BearerError::Expired(now - t.expires_at));
        }
        Ok(t.clone())
    }

    /// Revokes a refresh token. Returns whether it existed.
    pub fn revoke_refresh(&mut self, token: &str) -> bool {
        self.refresh.remove(token).is_some()
    }

    /// Revokes every grant of a provider (optionally) and its access tokens.
    pub fn revoke_all(&mut self, provider: Option<Provider>) -> usize {
        let before = self.refresh.len();
        self.refresh
            .retain(|_, g| provider.is_some_and(|p| p != g.provider));
        self.access
            .retain(|_, t| provider.is_some_and(|p| p != t.provider));
        before - self.refresh.len()
    }

    /// Marks every access token (of a provider, optionally) as expired at `now`.
    pub fn expire_access(&mut self, provider: Option<Provider>, now: i64) -> usize {
        let mut n = 0;
        for t in self.access.values_mut() {
            if provider.is_none_or(|p| p == t.provider) && t.expires_at > now {
                t.expires_at = now;
                n += 1;
            }
        }
        n
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pkce_s256_verifies() {
        // BASE64URL(SHA256(verifier)) without padding, cross-checked with Python hashlib.
        assert!(pkce_ok(
            "UDrukQnVXCyFlukxayTa5hUzfREIUW34QoLn129ktQM",
            Some("S256"),
            "dBjftJeZ4CVP-mJ0kXk_N2Nnq2nmX2ZRs-LXG8cJh6Y"
        ));
        assert!(!pkce_ok("abc", Some("S256"), "abc"));
    }
}
