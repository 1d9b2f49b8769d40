//! Who and what a fresh token belongs to: the provider account a connection
//! is keyed by, and the scopes actually granted.
//!
//! HubSpot answers both through its token-info endpoint (hub id, hub domain,
//! installing user, scopes). Fathom has no such endpoint: the user comes from
//! `GET /users` (the connected user first) and the team from `GET /teams`;
//! the granted scope is the one in the token response.

use anyhow::Context as _;
use serde::Deserialize;

use crate::{
    providers::{ConfiguredProvider, Provider},
    vault::SecretToken,
};

/// A provider account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    /// Stable account id.
    pub account_id: String,
    /// Human name of the account.
    pub account_name: String,
    /// User who granted access.
    pub account_user: String,
    /// Scopes granted, when the provider reports them here.
    pub scopes: Option<Vec<String>>,
}

#[derive(Deserialize)]
struct HubspotTokenInfo {
    hub_id: i64,
    #[serde(default)]
    hub_domain: String,
    #[serde(default)]
    user: String,
    #[serde(default)]
    scopes: Vec<String>,
}

#[derive(Deserialize)]
struct Page<T> {
    items: Vec<T>,
}

#[derive(Deserialize)]
struct FathomUser {
    #[serde(default)]
    name: String,
    email: String,
}

#[derive(Deserialize)]
struct FathomTeam {
    name: String,
}

async fn get_json<T: serde::de::DeserializeOwned>(
    http: &reqwest::Client,
    url: &str,
    bearer: Option<&SecretToken>,
    what: &str,
) -> anyhow::Result<T> {
    let mut request = http.get(url);
    if let Some(token) = bearer {
        request = request.bearer_auth(token.expose());
    }
    let response = request
        .send()
        .await
        .with_context(|| format!("calling {what}"))?;
    let status = response.status();
    anyhow::ensure!(status.is_success(), "{what} answered {status}");
    response
        .json()
        .await
        .with_context(|| format!("reading {what}"))
}

/// Reads the account behind an access token.
pub async fn identify(
    http: &reqwest::Client,
    provider: &ConfiguredProvider,
    access: &SecretToken,
) -> anyhow::Result<Identity> {
    let base = &provider.urls.api_base;
    match provider.spec.id {
        Provider::Hubspot => {
            let url = format!("{base}/oauth/v1/access-tokens/{}", access.expose());
            let info: HubspotTokenInfo = get_json(http, &url, None, "HubSpot's token info").await?;
            Ok(Identity {
                account_id: info.hub_id.to_string(),
                account_name: info.hub_domain,
                account_user: info.user,
                scopes: Some(info.scopes),
            })
        }
        Provider::Fathom => {
            let users: Page<FathomUser> = get_json(
                http,
                &format!("{base}/users"),
                Some(access),
                "Fathom's users",
            )
            .await?;
            let user = users
                .items
                .into_iter()
                .next()
                .context("Fathom listed no user for this token")?;
            let teams: Page<FathomTeam> = get_json(
                http,
                &format!("{base}/teams"),
                Some(access),
                "Fathom's teams",
            )
            .await?;
            let team = teams.items.into_iter().next().map(|t| t.name);
            Ok(Identity {
                account_id: user.email.to_lowercase(),
                account_name: team.unwrap_or_else(|| user.name.clone()),
                account_user: user.email,
                scopes: None,
            })
        }
        Provider::Autotask | Provider::Aircall => {
            anyhow::bail!("{} has no OAuth identity call", provider.spec.id.name())
        }
    }
}
