//! Integrations: provider cards, connection detail, and the manager's
//! actions (auto-sync, disconnect, API keys, sync now). Connecting over
//! OAuth is a plain link to `/oauth/{provider}/start`, not a server function.

use leptos::prelude::*;
use serde::{Deserialize, Serialize};

use crate::{
    domain::{ConnectionDetail, ConnectionId, KeyCheck, Provider, ProviderCard, TokenCheck},
    error::ApiError,
};

/// The integrations page's data, with the server's clock so relative times
/// render the same on the server and in the browser.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct IntegrationsView {
    /// Server time, epoch ms.
    pub now_ms: i64,
    /// Whether the viewer may connect and change things.
    pub can_manage: bool,
    /// One card per provider.
    pub cards: Vec<ProviderCard>,
}

/// A connection's detail page data.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionView {
    /// Server time, epoch ms.
    pub now_ms: i64,
    /// The connection and its runs.
    pub detail: ConnectionDetail,
}

#[cfg(feature = "ssr")]
fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}

/// Provider cards of the viewer's organisation (any member).
#[server(prefix = "/api/fn", endpoint = "integrations")]
pub async fn get_integrations() -> Result<IntegrationsView, ApiError> {
    let viewer = crate::auth::viewer()?;
    let cards = crate::services::services()?
        .integrations
        .cards(&viewer)
        .await?;
    Ok(IntegrationsView {
        now_ms: now_ms(),
        can_manage: viewer.role.can_manage(),
        cards,
    })
}

/// One connection and its sync runs (any member).
#[server(prefix = "/api/fn", endpoint = "connection")]
pub async fn get_connection(id: ConnectionId) -> Result<ConnectionView, ApiError> {
    let viewer = crate::auth::viewer()?;
    let detail = crate::services::services()?
        .integrations
        .detail(&viewer, id)
        .await?;
    Ok(ConnectionView {
        now_ms: now_ms(),
        detail,
    })
}

/// Turns scheduled sync on or off (admins and managers).
#[server(prefix = "/api/fn", endpoint = "set_auto_sync")]
pub async fn set_auto_sync(id: ConnectionId, on: bool) -> Result<(), ApiError> {
    let viewer = crate::auth::manager()?;
    crate::services::services()?
        .integrations
        .set_auto_sync(&viewer, id, on)
        .await
}

/// Disconnects, keeping or purging synced data (admins and managers).
#[server(prefix = "/api/fn", endpoint = "disconnect")]
pub async fn disconnect(id: ConnectionId, purge: bool) -> Result<(), ApiError> {
    let viewer = crate::auth::manager()?;
    crate::services::services()?
        .integrations
        .disconnect(&viewer, id, purge)
        .await
}

/// Starts a sync now (admins and managers; only offered when a sync engine runs).
#[server(prefix = "/api/fn", endpoint = "sync_now")]
pub async fn sync_now(id: ConnectionId) -> Result<(), ApiError> {
    let viewer = crate::auth::manager()?;
    crate::services::services()?
        .integrations
        .sync_now(&viewer, id)
        .await
}

/// What pasted API credentials came to: the account the provider opened,
/// and whether they were saved (`intent` `connect`) or only tested (`test`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyOutcome {
    /// The provider asked.
    pub provider: Provider,
    /// The account (and zone) the provider names.
    pub check: KeyCheck,
    /// Whether the connection was saved.
    pub saved: bool,
}

/// Tests or saves API credentials (admins and managers). The form posts
/// its fields as `fields[api_id]`, `fields[secret]`, …
#[server(prefix = "/api/fn", endpoint = "connect_api_key")]
pub async fn connect_api_key(
    provider: String,
    #[server(default)] intent: String,
    #[server(default)] fields: std::collections::BTreeMap<String, String>,
) -> Result<KeyOutcome, ApiError> {
    let viewer = crate::auth::manager()?;
    let test_only = intent == "test";
    let (id, check) = crate::services::services()?
        .integrations
        .connect_api_key(&viewer, &provider, fields, test_only)
        .await?;
    Ok(KeyOutcome {
        provider: crate::domain::Provider::parse(&provider).ok_or(ApiError::NotFound)?,
        check,
        saved: id.is_some(),
    })
}

/// What a pasted HubSpot access token came to: HubSpot's view of it, and
/// whether it was saved (`intent` `connect`) or only tested (`test`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenOutcome {
    /// The portal and the scopes granted against those required.
    pub check: TokenCheck,
    /// Whether the connection was saved.
    pub saved: bool,
}

/// Tests or saves a pasted HubSpot private-app token (admins and managers).
#[server(prefix = "/api/fn", endpoint = "hubspot_token")]
pub async fn hubspot_token(access_token: String, intent: String) -> Result<TokenOutcome, ApiError> {
    let viewer = crate::auth::manager()?;
    let integrations = crate::services::services()?.integrations;
    if intent == "test" {
        let check = integrations
            .test_hubspot_token(&viewer, access_token)
            .await?;
        return Ok(TokenOutcome {
            check,
            saved: false,
        });
    }
    let (_, check) = integrations
        .connect_hubspot_token(&viewer, access_token)
        .await?;
    Ok(TokenOutcome { check, saved: true })
}
