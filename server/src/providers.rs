//! The providers Tally can connect, in one registry.
//!
//! Each provider module declares a [`ProviderSpec`]: how it authenticates
//! (OAuth2 with its scopes and PKCE choice, or an API key with a test call),
//! its display name and what it syncs. [`resolve`] combines a spec with the
//! configuration (client ids, endpoints, demo sandbox) into a [`Provider`].
//! Adding a provider means one new module and one line in [`SPECS`].

pub mod aircall;
pub mod autotask;
pub mod fathom;
pub mod hubspot;
pub mod key_auth;

pub use app::domain::Provider;

use crate::config::{Config, OAuthClientConfig, ProviderUrls};

/// How a provider's OAuth server is used.
#[derive(Debug, Clone, Copy)]
pub struct OAuthSpec {
    /// Scopes the connection cannot work without (`scope`).
    pub required_scopes: &'static [&'static str],
    /// Scopes asked for but not required (`optional_scope`, HubSpot only).
    pub optional_scopes: &'static [&'static str],
    /// Whether to send a PKCE S256 challenge.
    pub pkce: bool,
    /// Environment variables that configure the client.
    pub client_vars: &'static [&'static str],
}

pub use app::domain::KeyField;

/// How an API-key provider's credentials travel with each request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyStyle {
    /// HTTP basic auth: the first field is the user, the secret the password
    /// (Aircall's `api_id:api_token`).
    Basic,
    /// Autotask's three headers `UserName`, `Secret` and
    /// `ApiIntegrationCode`, sent to the database's zone.
    Autotask,
}

/// How an API-key provider is checked before its key is saved.
#[derive(Debug, Clone, Copy)]
pub struct ApiKeySpec {
    /// Form fields the user fills in, in order; the ones marked secret go
    /// into the vault, the first one names the account.
    pub fields: &'static [KeyField],
    /// Path (below the API base) of the call that proves the key works.
    pub test_path: &'static str,
    /// How the credentials are sent.
    pub style: KeyStyle,
}

/// How a provider authenticates.
#[derive(Debug, Clone, Copy)]
pub enum AuthKind {
    /// OAuth 2.0 authorization code flow.
    OAuth2(OAuthSpec),
    /// A key the user pastes in.
    ApiKey(ApiKeySpec),
}

/// What a provider is, independent of configuration.
#[derive(Debug, Clone, Copy)]
pub struct ProviderSpec {
    /// Which provider (its id is used in URLs and the database, its name on cards).
    pub id: Provider,
    /// What a connection brings into Tally, for the card.
    pub syncs: &'static [&'static str],
    /// How it authenticates.
    pub auth: AuthKind,
    /// False when its sync is not part of this release (the card says
    /// "Coming soon"); true when the sync engine covers it.
    pub sync_ready: bool,
    /// Whether disconnecting can revoke the grant at the provider.
    pub revocable: bool,
}

/// Every provider, in card order ([`Provider::ALL`]'s).
pub const SPECS: [&ProviderSpec; 4] = [
    &hubspot::SPEC,
    &fathom::SPEC,
    &autotask::SPEC,
    &aircall::SPEC,
];

/// A provider's spec.
pub fn spec(id: Provider) -> &'static ProviderSpec {
    SPECS[id.index()]
}

/// A provider with its configuration applied.
#[derive(Debug, Clone)]
pub struct ConfiguredProvider {
    /// The static description.
    pub spec: &'static ProviderSpec,
    /// OAuth client, when configured (always set for API-key providers' needs: none).
    pub client: Option<OAuthClientConfig>,
    /// Endpoints.
    pub urls: ProviderUrls,
}

impl ConfiguredProvider {
    /// Whether Connect can work: OAuth providers need a client id.
    pub fn configured(&self) -> bool {
        match self.spec.auth {
            AuthKind::OAuth2(_) => self.client.is_some(),
            AuthKind::ApiKey(_) => true,
        }
    }

    /// The OAuth description, if this is an OAuth provider.
    pub fn oauth(&self) -> Option<&'static OAuthSpec> {
        match &self.spec.auth {
            AuthKind::OAuth2(o) => Some(o),
            AuthKind::ApiKey(_) => None,
        }
    }

    /// Where the provider sends the browser back to.
    pub fn redirect_uri(&self, public_url: &str) -> String {
        format!("{public_url}/oauth/{}/callback", self.spec.id)
    }
}

/// Base URL of the in-process sandbox in demo mode.
pub fn sandbox_base(config: &Config) -> String {
    format!("{}/sandbox", config.public_url)
}

/// Applies configuration (or the demo sandbox) to a spec.
pub fn resolve(spec: &'static ProviderSpec, config: &Config) -> ConfiguredProvider {
    let (client, urls) = match spec.id {
        Provider::Hubspot => hubspot::configure(config),
        Provider::Fathom => fathom::configure(config),
        Provider::Autotask => autotask::configure(config),
        Provider::Aircall => aircall::configure(config),
    };
    ConfiguredProvider { spec, client, urls }
}

/// Every provider, configured, in [`Provider::ALL`]'s order.
pub fn all(config: &Config) -> [ConfiguredProvider; 4] {
    SPECS.map(|s| resolve(s, config))
}

/// Scopes in `required` that `granted` lacks.
pub fn missing_scopes(required: &[&str], granted: &[String]) -> Vec<String> {
    required
        .iter()
        .filter(|r| !granted.iter().any(|g| g == *r))
        .map(|r| (*r).to_owned())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_provider_has_its_spec_at_its_index() {
        for (i, p) in Provider::ALL.into_iter().enumerate() {
            assert_eq!(p.index(), i);
            assert_eq!(SPECS[i].id, p);
            assert_eq!(spec(p).id, p);
        }
    }

    #[test]
    fn missing_scopes_are_listed() {
        let granted = vec!["a".to_owned(), "c".to_owned()];
        assert_eq!(missing_scopes(&["a", "b", "c"], &granted), vec!["b"]);
        assert!(missing_scopes(&["a"], &granted).is_empty());
    }
}
