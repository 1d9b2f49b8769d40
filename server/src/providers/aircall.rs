//! Aircall: connected with an API id and token (HTTP basic auth), checked by
//! `GET /v1/ping` before anything is saved; syncs calls and users, and
//! receives `call.ended` webhooks.

use super::{ApiKeySpec, AuthKind, KeyField, KeyStyle, Provider, ProviderSpec};
use crate::config::{Config, OAuthClientConfig, ProviderUrls};

/// The Aircall spec.
pub const SPEC: ProviderSpec = ProviderSpec {
    id: Provider::Aircall,
    syncs: &["calls", "users"],
    auth: AuthKind::ApiKey(ApiKeySpec {
        fields: &[
            KeyField::plain("api_id", "API ID"),
            KeyField::secret("api_token", "API token"),
        ],
        test_path: "/v1/ping",
        style: KeyStyle::Basic,
    }),
    sync_ready: true,
    revocable: false,
};

/// Aircall's own API base, `AIRCALL_API_BASE`'s default.
pub const API_BASE: &str = "https://api.aircall.io";

/// No OAuth client; the API base from `AIRCALL_API_BASE`, or the sandbox in
/// demo mode when it is left at Aircall's.
pub fn configure(config: &Config) -> (Option<OAuthClientConfig>, ProviderUrls) {
    let urls = |api_base: String| {
        (
            None,
            ProviderUrls {
                authorize_url: String::new(),
                token_url: String::new(),
                api_base,
            },
        )
    };
    #[cfg(feature = "demo")]
    if config.demo && config.aircall_api_base == API_BASE {
        return urls(format!("{}/aircall", super::sandbox_base(config)));
    }
    urls(config.aircall_api_base.clone())
}
