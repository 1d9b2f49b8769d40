//! The typed OAuth client of a provider and the shared outbound HTTP client.
//!
//! One `reqwest` client serves every provider call: it follows no redirects
//! (the oauth2 crate's SSRF advice) and times out, so a hung provider turns
//! into a "degraded" connection instead of a stuck task.

use std::time::Duration;

use anyhow::Context as _;
use oauth2::{
    AuthType, AuthUrl, ClientId, ClientSecret, EndpointNotSet, EndpointSet, RedirectUrl, TokenUrl,
    basic::BasicClient,
};
use secrecy::ExposeSecret as _;

use crate::providers::ConfiguredProvider;

/// The oauth2 client with authorize and token endpoints set.
pub type OAuthClient =
    BasicClient<EndpointSet, EndpointNotSet, EndpointNotSet, EndpointNotSet, EndpointSet>;

/// The outbound HTTP client: no redirects, 10 s connect, 20 s total.
pub fn http_client() -> anyhow::Result<reqwest::Client> {
    reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .connect_timeout(Duration::from_secs(10))
        .timeout(Duration::from_secs(20))
        .user_agent(concat!("Tally/", env!("CARGO_PKG_VERSION")))
        .build()
        .context("building the HTTP client")
}

/// The OAuth client of a configured provider.
pub fn oauth_client(
    provider: &ConfiguredProvider,
    public_url: &str,
) -> anyhow::Result<OAuthClient> {
    let client = provider
        .client
        .as_ref()
        .with_context(|| format!("{} is not configured", provider.spec.id.name()))?;
    Ok(BasicClient::new(ClientId::new(client.client_id.clone()))
        .set_client_secret(ClientSecret::new(
            client.client_secret.expose_secret().to_owned(),
        ))
        .set_auth_uri(AuthUrl::new(provider.urls.authorize_url.clone())?)
        .set_token_uri(TokenUrl::new(provider.urls.token_url.clone())?)
        .set_redirect_uri(RedirectUrl::new(provider.redirect_uri(public_url))?)
        .set_auth_type(AuthType::RequestBody))
}
