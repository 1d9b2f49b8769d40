//! `/api/v1/connections` and `/api/v1/integrations/{provider}/connect`:
//! connection health and connecting for scripts. Never returns a secret.

use app::{
    domain::{ConnectionDetail, ConnectionHealth, ConnectionId, KeyCheck, Provider, TokenCheck},
    error::ApiError,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post},
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

use super::{
    error::{ApiResult, JsonError},
    extract::{ApiViewer, JsonBody},
};
use crate::state::AppState;

/// Connection routes, merged into `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/connections", get(list))
        .route(
            "/connections/{id}",
            get(show).patch(update).delete(disconnect),
        )
        .route("/integrations/{provider}/connect", post(connect))
}

/// `GET /api/v1/connections`.
pub async fn list(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
) -> ApiResult<Json<Vec<ConnectionHealth>>> {
    Ok(Json(state.integrations.all_health(viewer.org_id).await?))
}

/// `GET /api/v1/connections/{id}`.
pub async fn show(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<ConnectionId>,
) -> ApiResult<Json<ConnectionDetail>> {
    Ok(Json(state.services.integrations.detail(&viewer, id).await?))
}

/// Body of `PATCH /api/v1/connections/{id}`.
#[derive(Debug, Deserialize)]
pub struct ConnectionPatch {
    auto_sync: Option<bool>,
}

/// `PATCH /api/v1/connections/{id}`.
pub async fn update(
    State(state): State<AppState>,
    viewer: ApiViewer,
    Path(id): Path<ConnectionId>,
    JsonBody(body): JsonBody<ConnectionPatch>,
) -> ApiResult<StatusCode> {
    let viewer = viewer.manager()?;
    if let Some(on) = body.auto_sync {
        state
            .services
            .integrations
            .set_auto_sync(&viewer, id, on)
            .await?;
    } else {
        state.services.integrations.detail(&viewer, id).await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// Query of `DELETE /api/v1/connections/{id}`.
#[derive(Debug, Deserialize)]
pub struct DisconnectQuery {
    #[serde(default)]
    purge: bool,
}

/// `DELETE /api/v1/connections/{id}?purge=true|false`.
pub async fn disconnect(
    State(state): State<AppState>,
    viewer: ApiViewer,
    Path(id): Path<ConnectionId>,
    axum::extract::Query(query): axum::extract::Query<DisconnectQuery>,
) -> ApiResult<StatusCode> {
    let viewer = viewer.manager()?;
    state
        .services
        .integrations
        .disconnect(&viewer, id, query.purge)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Body of connect: the key of an API-key provider, or a HubSpot access
/// token (private app or service key) instead of OAuth; `test` checks it
/// without saving.
#[derive(Debug, Default, Deserialize)]
pub struct ConnectBody {
    access_token: Option<String>,
    #[serde(default)]
    test: bool,
    /// The API-key provider's fields (`api_id`, `api_token`; `username`,
    /// `secret`, `integration_code`).
    #[serde(flatten)]
    fields: BTreeMap<String, serde_json::Value>,
}

/// Answer of connect.
#[derive(Debug, Serialize)]
pub struct Connected {
    /// Where to send the browser (OAuth providers).
    #[serde(skip_serializing_if = "Option::is_none")]
    authorize_url: Option<String>,
    /// The stored connection (API-key providers, HubSpot access tokens).
    #[serde(skip_serializing_if = "Option::is_none")]
    connection_id: Option<ConnectionId>,
    /// What HubSpot says of a pasted access token: portal and scopes.
    #[serde(skip_serializing_if = "Option::is_none")]
    token_check: Option<TokenCheck>,
    /// What an API-key provider says of the credentials: the account.
    #[serde(skip_serializing_if = "Option::is_none")]
    key_check: Option<KeyCheck>,
}

/// `POST /api/v1/integrations/{provider}/connect`: an authorize URL for OAuth
/// providers; for API-key providers the key in the body is checked and saved.
pub async fn connect(
    State(state): State<AppState>,
    viewer: ApiViewer,
    Path(provider): Path<String>,
    body: Option<JsonBody<ConnectBody>>,
) -> ApiResult<Json<Connected>> {
    let viewer = viewer.manager()?;
    let integrations = &state.integrations;
    let p = integrations
        .provider_named(&provider)
        .ok_or(JsonError(ApiError::NotFound))?;
    let body = body.map(|JsonBody(b)| b).unwrap_or_default();
    if let (Provider::Hubspot, Some(token)) = (p.spec.id, body.access_token) {
        let service = &state.services.integrations;
        let (connection_id, check) = if body.test {
            (None, service.test_hubspot_token(&viewer, token).await?)
        } else {
            let (id, check) = service.connect_hubspot_token(&viewer, token).await?;
            (Some(id), check)
        };
        return Ok(Json(Connected {
            authorize_url: None,
            connection_id,
            token_check: Some(check),
            key_check: None,
        }));
    }
    if p.oauth().is_some() {
        if !p.configured() {
            return Err(JsonError(ApiError::Conflict(format!(
                "{} is not configured on this server",
                p.spec.id.name()
            ))));
        }
        let url = integrations.start(&viewer, p).await?;
        return Ok(Json(Connected {
            authorize_url: Some(url),
            connection_id: None,
            token_check: None,
            key_check: None,
        }));
    }
    let fields = body
        .fields
        .into_iter()
        .filter_map(|(k, v)| v.as_str().map(|v| (k, v.to_owned())))
        .collect();
    let (connection_id, check) = state
        .services
        .integrations
        .connect_api_key(&viewer, &provider, fields, body.test)
        .await?;
    Ok(Json(Connected {
        authorize_url: None,
        connection_id,
        token_check: None,
        key_check: Some(check),
    }))
}
