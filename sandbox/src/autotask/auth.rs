//! Autotask's API users and their three headers (`UserName`, `Secret`,
//! `ApiIntegrationCode`).
//!
//! Exists so "Test connection", the zone lookup and the sync meet what a real
//! database answers: the zone lookup knows only API users' names, and every
//! other call needs all three headers of an active API user, else `401`
//! (Autotask answers `401` without saying which header was wrong). An API
//! user can be deactivated (revoked) and new ones created, as in Autotask's
//! admin pages.

use axum::http::{HeaderMap, StatusCode};
use axum::response::Response;

use super::error;
use crate::{Sandbox, lock};

/// The API username the simulator accepts from the start.
pub const DEMO_USERNAME: &str = "tally-api@sandbox-autotask.example";
/// The secret that goes with [`DEMO_USERNAME`].
pub const DEMO_SECRET: &str = "sandbox-autotask-secret";
/// The tracking identifier (integration code) of the demo API user.
pub const DEMO_INTEGRATION_CODE: &str = "SANDBOXTRACKINGIDENTIFIER";

/// An API user's credentials. `Debug` redacts the secret and the code.
#[derive(Clone, PartialEq, Eq)]
pub struct AutotaskCredentials {
    pub username: String,
    pub secret: String,
    pub integration_code: String,
}

impl std::fmt::Debug for AutotaskCredentials {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AutotaskCredentials")
            .field("username", &self.username)
            .field("secret", &"[redacted]")
            .field("integration_code", &"[redacted]")
            .finish()
    }
}

/// An API user as the database stores it.
#[derive(Clone, Debug)]
pub struct ApiUser {
    pub creds: AutotaskCredentials,
    pub active: bool,
}

/// The API user the database starts with.
pub fn demo_user() -> ApiUser {
    ApiUser {
        creds: AutotaskCredentials {
            username: DEMO_USERNAME.into(),
            secret: DEMO_SECRET.into(),
            integration_code: DEMO_INTEGRATION_CODE.into(),
        },
        active: true,
    }
}

/// The 401 every authentication failure gets.
pub fn unauthorized() -> Response {
    error(
        StatusCode::UNAUTHORIZED,
        "Authorization has been denied for this request: check the UserName, Secret and \
         ApiIntegrationCode headers and that the API user is active",
    )
}

fn header<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers.get(name)?.to_str().ok().map(str::trim)
}

/// Checks the request's three headers against the active API users.
pub fn authenticate(sb: &Sandbox, headers: &HeaderMap) -> Result<(), Response> {
    let (Some(user), Some(secret), Some(code)) = (
        header(headers, "UserName"),
        header(headers, "Secret"),
        header(headers, "ApiIntegrationCode"),
    ) else {
        return Err(unauthorized());
    };
    let st = lock(&sb.inner.autotask);
    let ok = st.users.iter().any(|u| {
        u.active
            && u.creds.username.eq_ignore_ascii_case(user)
            && u.creds.secret == secret
            && u.creds.integration_code == code
    });
    if ok { Ok(()) } else { Err(unauthorized()) }
}

/// Whether the zone lookup knows `user` (active or not: the lookup only
/// says where a user's database is).
pub fn known(sb: &Sandbox, user: &str) -> bool {
    lock(&sb.inner.autotask)
        .users
        .iter()
        .any(|u| u.creds.username.eq_ignore_ascii_case(user.trim()))
}

impl Sandbox {
    /// The newest API user's credentials (even when deactivated: they then get 401).
    pub fn autotask_credentials(&self) -> AutotaskCredentials {
        lock(&self.inner.autotask)
            .users
            .last()
            .map(|u| u.creds.clone())
            .unwrap_or_else(|| demo_user().creds)
    }

    /// Deactivates every API user: their requests get 401 from now on.
    pub fn autotask_revoke(&self) {
        for u in &mut lock(&self.inner.autotask).users {
            u.active = false;
        }
    }

    /// Creates a new active API user and returns its credentials;
    /// [`Sandbox::autotask_credentials`] returns them from now on.
    pub fn autotask_issue_credentials(&self) -> AutotaskCredentials {
        let n = lock(&self.inner.autotask).users.len();
        let creds = AutotaskCredentials {
            username: format!("tally-api-{n}@sandbox-autotask.example"),
            secret: crate::util::random_hex(12),
            integration_code: crate::util::random_hex(12).to_uppercase(),
        };
        lock(&self.inner.autotask).users.push(ApiUser {
            creds: creds.clone(),
            active: true,
        });
        creds
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_the_secrets() {
        let s = format!("{:?}", demo_user());
        assert!(s.contains(DEMO_USERNAME));
        assert!(!s.contains(DEMO_SECRET));
        assert!(!s.contains(DEMO_INTEGRATION_CODE));
    }
}
