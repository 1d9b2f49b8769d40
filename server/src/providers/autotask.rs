//! Autotask (Kaseya) PSA: connected with an API user's username, secret and
//! tracking identifier (integration code), sent as Autotask's three
//! headers. Each database lives in a zone: connecting asks the
//! zone-information service (`AUTOTASK_ZONE_LOOKUP_URL`) where the API
//! user's zone is and stores that zone's base on the connection; the
//! provider-level API base here is the lookup service itself.

use super::{ApiKeySpec, AuthKind, KeyField, KeyStyle, Provider, ProviderSpec};
use crate::config::{Config, OAuthClientConfig, ProviderUrls};

/// The Autotask spec.
pub const SPEC: ProviderSpec = ProviderSpec {
    id: Provider::Autotask,
    syncs: &["tickets", "time entries", "resources"],
    auth: AuthKind::ApiKey(ApiKeySpec {
        fields: &[
            KeyField::plain("username", "API username"),
            KeyField::secret("secret", "Secret"),
            KeyField::secret("integration_code", "Tracking identifier (integration code)"),
        ],
        test_path: "/v1.0/Companies/entityInformation",
        style: KeyStyle::Autotask,
    }),
    sync_ready: true,
    revocable: false,
};

/// Autotask's zone-information service, `AUTOTASK_ZONE_LOOKUP_URL`'s default.
pub const ZONE_LOOKUP: &str = "https://webservices.autotask.net/atservicesrest";

/// No OAuth client; the zone lookup from `AUTOTASK_ZONE_LOOKUP_URL`, or the
/// sandbox's in demo mode when it is left at Autotask's.
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
    if config.demo && config.autotask_zone_lookup_url == ZONE_LOOKUP {
        return urls(format!(
            "{}/autotask/atservicesrest",
            super::sandbox_base(config)
        ));
    }
    urls(config.autotask_zone_lookup_url.clone())
}
