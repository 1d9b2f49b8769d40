//! HubSpot: OAuth with the read-only scopes a sales scorecard needs.
//!
//! Required scopes cover contacts (which also grants calls, meetings, notes,
//! tasks and emails in the v3 API), companies, deals, owners and lists;
//! `sales-email-read` is optional because not every portal offers it
//! (provider facts §2). PKCE is sent as hardening; the state is what the
//! flow relies on.

use super::{AuthKind, OAuthSpec, Provider, ProviderSpec};
use crate::config::{Config, OAuthClientConfig, ProviderUrls};

/// The HubSpot spec.
pub const SPEC: ProviderSpec = ProviderSpec {
    id: Provider::Hubspot,
    syncs: &[
        "owners",
        "contacts",
        "companies",
        "deals",
        "calls",
        "meetings",
        "emails",
        "lists",
    ],
    auth: AuthKind::OAuth2(OAuthSpec {
        required_scopes: &[
            "crm.objects.contacts.read",
            "crm.objects.companies.read",
            "crm.objects.deals.read",
            "crm.objects.owners.read",
            "crm.lists.read",
        ],
        optional_scopes: &["sales-email-read"],
        pkce: true,
        client_vars: &["HUBSPOT_CLIENT_ID", "HUBSPOT_CLIENT_SECRET"],
    }),
    sync_ready: true,
    revocable: true,
};

/// Client and endpoints: configured ones, or the sandbox in demo mode.
pub fn configure(config: &Config) -> (Option<OAuthClientConfig>, ProviderUrls) {
    #[cfg(feature = "demo")]
    if config.demo && config.hubspot.is_none() {
        let base = format!("{}/hubspot", super::sandbox_base(config));
        return (
            crate::demo::oauth_client(Provider::Hubspot),
            ProviderUrls {
                authorize_url: format!("{base}/oauth/authorize"),
                token_url: format!("{base}/oauth/v1/token"),
                api_base: base,
            },
        );
    }
    (config.hubspot.clone(), config.hubspot_urls.clone())
}
