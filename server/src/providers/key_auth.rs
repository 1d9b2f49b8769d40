//! How API-key credentials ride on a request: HTTP basic auth (Aircall) or
//! Autotask's three headers. One function, so connecting ("Test
//! connection") and the sync client send them the same way.

use reqwest::RequestBuilder;

use super::KeyStyle;
use crate::vault::SecretToken;

/// The credentials of an API-key connection (secrets redacted in `Debug`).
#[derive(Debug, Clone)]
pub struct KeyCredentials {
    /// The account's user: Aircall's API id, Autotask's API username.
    pub user: String,
    /// The secret: Aircall's API token, Autotask's secret.
    pub secret: SecretToken,
    /// Autotask's tracking identifier (integration code).
    pub integration_code: Option<SecretToken>,
}

/// `req` carrying `credentials` the way `style` says.
pub fn apply(req: RequestBuilder, style: KeyStyle, credentials: &KeyCredentials) -> RequestBuilder {
    match style {
        KeyStyle::Basic => req.basic_auth(&credentials.user, Some(credentials.secret.expose())),
        KeyStyle::Autotask => {
            let req = req
                .header("UserName", &credentials.user)
                .header("Secret", credentials.secret.expose());
            match &credentials.integration_code {
                Some(code) => req.header("ApiIntegrationCode", code.expose()),
                None => req,
            }
        }
    }
}
