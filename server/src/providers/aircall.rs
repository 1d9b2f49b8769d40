//! Aircall: connected with an API id and token (HTTP basic auth), checked by
//! `GET /v1/ping` before anything is saved. Its sync comes in a later
//! release; the card says so.

use super::{ApiKeySpec, AuthKind, Provider, ProviderSpec};
use crate::config::{Config, OAuthClientConfig, ProviderUrls};

/// The Aircall spec.
pub const SPEC: ProviderSpec = ProviderSpec {
    id: Provider::Aircall,
    syncs: &["calls"],
    auth: AuthKind::ApiKey(ApiKeySpec {
        fields: &["api_id", "api_token"],
        test_path: "/v1/ping",
    }),
    sync_ready: false,
    revocable: false,
};

/// No OAuth client; the API base from `AIRCALL_API_BASE`.
pub fn configure(config: &Config) -> (Option<OAuthClientConfig>, ProviderUrls) {
    (
        None,
        ProviderUrls {
            authorize_url: String::new(),
            token_url: String::new(),
            api_base: config.aircall_api_base.clone(),
        },
    )
}
