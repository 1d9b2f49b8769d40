//! Fathom (the AI notetaker): OAuth with its only scope, `public_api`.
//!
//! Fathom's OAuth apps are used without PKCE (as Nango does); the state
//! protects the flow.

use super::{AuthKind, OAuthSpec, Provider, ProviderSpec};
use crate::config::{Config, OAuthClientConfig, ProviderUrls};

/// The Fathom spec.
pub const SPEC: ProviderSpec = ProviderSpec {
    id: Provider::Fathom,
    syncs: &["meetings", "users"],
    auth: AuthKind::OAuth2(OAuthSpec {
        required_scopes: &["public_api"],
        optional_scopes: &[],
        pkce: false,
        client_vars: &["FATHOM_CLIENT_ID", "FATHOM_CLIENT_SECRET"],
    }),
    sync_ready: true,
    revocable: false,
};

/// Client and endpoints: configured ones, or the sandbox in demo mode.
pub fn configure(config: &Config) -> (Option<OAuthClientConfig>, ProviderUrls) {
    #[cfg(feature = "demo")]
    if config.demo && config.fathom.is_none() {
        let base = format!("{}/fathom/external/v1", super::sandbox_base(config));
        return (
            crate::demo::oauth_client(Provider::Fathom),
            ProviderUrls {
                authorize_url: format!("{base}/oauth2/authorize"),
                token_url: format!("{base}/oauth2/token"),
                api_base: base,
            },
        );
    }
    (config.fathom.clone(), config.fathom_urls.clone())
}
