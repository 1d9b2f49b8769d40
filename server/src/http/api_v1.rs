//! The documented REST API under `/api/v1` for scripts and automation.
//!
//! Authenticated by `Authorization: Bearer <token>` (see `tally token create`)
//! or by the session cookie `POST /api/v1/session` sets. Every handler takes
//! the viewer from the session layer and scopes its work to the viewer's
//! organisation; `openapi.rs` documents each route.
//!
//! Account routes live here; connections, sync and scorecards bring their
//! own `router()`, merged below. What they share (the viewer extractor and
//! role checks) is in `extract.rs`, so none of them imports this module.

use app::{
    domain::{OrgSettings, Role, UserSummary, Viewer},
    error::ApiError,
};
use axum::{
    Json, Router,
    extract::{Path, State},
    http::{HeaderMap, StatusCode, header},
    response::{IntoResponse, Response},
    routing::{delete, get, patch, post},
};
use secrecy::SecretString;
use serde::{Deserialize, Serialize};

use super::{
    error::{ApiResult, JsonError},
    extract::{ApiViewer, JsonBody},
    forms::{ClientAddr, session_cookie},
    session::cookie,
};
use crate::{
    accounts::{
        api_tokens,
        service::{self, SignInError},
        sessions,
    },
    state::AppState,
};

/// Routes mounted at `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/openapi.json", get(super::openapi::document))
        .route("/session", post(create_session).delete(end_session))
        .route("/me", get(me))
        .route("/org", get(get_org).put(put_org))
        .route("/users", get(list_users).post(invite_user))
        .route("/users/{id}", patch(update_user))
        .route("/tokens", get(list_tokens))
        .route("/tokens/{id}", delete(revoke_token))
        .merge(super::api_connections::router())
        .merge(super::api_sync::router())
        .merge(super::api_scorecards::router())
        .fallback(not_found)
}

async fn not_found() -> JsonError {
    JsonError(ApiError::NotFound)
}

#[derive(Deserialize)]
struct Credentials {
    email: String,
    password: String,
}

async fn create_session(
    State(state): State<AppState>,
    ClientAddr(address): ClientAddr,
    JsonBody(body): JsonBody<Credentials>,
) -> ApiResult<Response> {
    let user_id = match service::sign_in(
        &state.db,
        &body.email,
        SecretString::from(body.password),
        &address,
    )
    .await?
    {
        Ok(id) => id,
        Err(SignInError::Invalid) => return Err(JsonError(ApiError::Unauthorized)),
        Err(SignInError::Throttled(secs)) => {
            return Err(JsonError(ApiError::TooManyRequests {
                retry_after_secs: secs,
            }));
        }
        Err(SignInError::Busy) => return Err(JsonError(crate::accounts::password::Busy.into())),
    };
    let token = sessions::create(&state.db, user_id, state.config.session_ttl).await?;
    let viewer = crate::accounts::users::viewer(&state.db, user_id)
        .await?
        .ok_or(ApiError::Unauthorized)?;
    let mut response = Json(viewer).into_response();
    response.headers_mut().insert(
        header::SET_COOKIE,
        session_cookie(&state, &token, state.config.session_ttl.as_secs()),
    );
    Ok(response)
}

async fn end_session(State(state): State<AppState>, headers: HeaderMap) -> ApiResult<Response> {
    if let Some(token) = cookie(&headers, sessions::COOKIE) {
        sessions::end(&state.db, token).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response
        .headers_mut()
        .insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(response)
}

async fn me(ApiViewer(viewer): ApiViewer) -> Json<Viewer> {
    Json(viewer)
}

async fn get_org(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
) -> ApiResult<Json<OrgSettings>> {
    Ok(Json(state.services.accounts.org_settings(&viewer).await?))
}

async fn put_org(
    State(state): State<AppState>,
    viewer: ApiViewer,
    JsonBody(body): JsonBody<OrgSettings>,
) -> ApiResult<StatusCode> {
    let viewer = viewer.admin()?;
    state
        .services
        .accounts
        .update_org_settings(&viewer, body)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn list_users(
    State(state): State<AppState>,
    viewer: ApiViewer,
) -> ApiResult<Json<Vec<UserSummary>>> {
    let viewer = viewer.admin()?;
    Ok(Json(state.services.accounts.list_users(&viewer).await?))
}

#[derive(Deserialize)]
struct NewUser {
    email: String,
    name: String,
    role: Role,
}

#[derive(Serialize)]
struct Invited {
    user: UserSummary,
    one_time_password: String,
}

async fn invite_user(
    State(state): State<AppState>,
    viewer: ApiViewer,
    JsonBody(body): JsonBody<NewUser>,
) -> ApiResult<(StatusCode, Json<Invited>)> {
    let viewer = viewer.admin()?;
    let invitation = state
        .services
        .accounts
        .invite_user(&viewer, body.email, body.name, body.role)
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(Invited {
            user: invitation.user,
            one_time_password: invitation.one_time_password,
        }),
    ))
}

#[derive(Deserialize)]
struct UserPatch {
    role: Option<Role>,
    active: Option<bool>,
}

async fn update_user(
    State(state): State<AppState>,
    viewer: ApiViewer,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<UserPatch>,
) -> ApiResult<StatusCode> {
    let viewer = viewer.admin()?;
    if let Some(role) = body.role {
        state.services.accounts.set_role(&viewer, id, role).await?;
    }
    if let Some(active) = body.active {
        state
            .services
            .accounts
            .set_active(&viewer, id, active)
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

async fn list_tokens(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
) -> ApiResult<Json<Vec<api_tokens::TokenInfo>>> {
    Ok(Json(api_tokens::list(&state.db, viewer.user_id).await?))
}

async fn revoke_token(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<i64>,
) -> ApiResult<StatusCode> {
    if api_tokens::revoke(&state.db, viewer.user_id, id).await? {
        Ok(StatusCode::NO_CONTENT)
    } else {
        Err(JsonError(ApiError::NotFound))
    }
}
