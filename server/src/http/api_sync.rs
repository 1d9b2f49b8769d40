//! `/api/v1` routes of the sync engine: "Sync now", run history, per-
//! connection sync settings, and people with their provider links.

use app::domain::{ConnectionId, OrgId};
use app::error::ApiError;
use axum::{
    Json, Router,
    extract::{Path, State},
    http::StatusCode,
    routing::{get, post, put},
};
use serde::Deserialize;
use serde_json::{Value, json};

use super::{
    error::{ApiResult, JsonError},
    extract::{ApiViewer, JsonBody},
};
use crate::{
    integrations::store,
    state::AppState,
    sync::{Start, Trigger, Work, people, runs},
};

/// Sync and people routes, merged into `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/connections/{id}/sync", post(sync_now))
        .route("/connections/{id}/runs", get(list_runs))
        .route(
            "/connections/{id}/sync-settings",
            get(get_settings).put(put_settings),
        )
        .route("/people", get(list_people).post(create_person))
        .route("/people/links", put(put_link))
}

async fn owned(state: &AppState, org_id: OrgId, id: ConnectionId) -> ApiResult<store::Connection> {
    store::get_in_org(&state.db, org_id, id)
        .await?
        .ok_or(JsonError(ApiError::NotFound))
}

/// `POST /api/v1/connections/{id}/sync`: starts a run now; `{run_id}`.
pub async fn sync_now(
    State(state): State<AppState>,
    viewer: ApiViewer,
    Path(id): Path<ConnectionId>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let viewer = viewer.manager()?;
    let conn = owned(&state, viewer.org_id, id).await?;
    if !crate::providers::spec(conn.provider).sync_ready {
        return Err(
            ApiError::Conflict(format!("{} cannot be synced yet", conn.provider.name())).into(),
        );
    }
    match state
        .sync
        .start(conn.id, Trigger::Manual, Work::Full)
        .await?
    {
        Start::Started(run_id) => Ok((
            StatusCode::ACCEPTED,
            Json(json!({"run_id": run_id, "started": true})),
        )),
        Start::Busy(run_id) => Ok((
            StatusCode::ACCEPTED,
            Json(json!({"run_id": run_id, "started": false})),
        )),
    }
}

/// `GET /api/v1/connections/{id}/runs`: the latest 50 runs, newest first.
pub async fn list_runs(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<ConnectionId>,
) -> ApiResult<Json<Vec<runs::RunView>>> {
    let conn = owned(&state, viewer.org_id, id).await?;
    Ok(Json(runs::list(&state.db, conn.id, 50).await?))
}

/// Body of `PUT /api/v1/connections/{id}/sync-settings`.
#[derive(Debug, Deserialize)]
pub struct SettingsBody {
    #[serde(default)]
    backfill_weeks: Option<i64>,
    #[serde(default)]
    lists: Option<Vec<String>>,
}

/// `GET /api/v1/connections/{id}/sync-settings`.
pub async fn get_settings(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<ConnectionId>,
) -> ApiResult<Json<Value>> {
    let conn = owned(&state, viewer.org_id, id).await?;
    runs::ensure_settings(&state.db, conn.id).await?;
    let (weeks, lists): (i64, String) =
        sqlx::query_as("SELECT backfill_weeks, lists FROM sync_settings WHERE connection_id = $1")
            .bind(conn.id)
            .fetch_one(&state.db.pool)
            .await?;
    let lists: Vec<String> = serde_json::from_str(&lists).unwrap_or_default();
    Ok(Json(
        json!({"backfill_weeks": weeks, "lists": lists, "always_synced_lists": [crate::sync::hubspot::DEFAULT_LIST]}),
    ))
}

/// Most lists a connection keeps memberships of.
const MAX_LISTS: usize = 50;
/// Longest list name (HubSpot allows fewer).
const MAX_LIST_CHARS: usize = 200;
/// Longest person name, and e-mail address (RFC 5321's path limit).
const MAX_NAME_CHARS: usize = 120;
const MAX_EMAIL_CHARS: usize = 254;

/// Trimmed, non-empty list names within the limits.
fn clean_lists(lists: Vec<String>) -> Result<Vec<String>, JsonError> {
    let clean: Vec<String> = lists
        .into_iter()
        .map(|l| l.trim().to_owned())
        .filter(|l| !l.is_empty())
        .collect();
    if clean.len() > MAX_LISTS {
        return Err(ApiError::invalid("lists", format!("at most {MAX_LISTS} lists")).into());
    }
    if clean.iter().any(|l| l.chars().count() > MAX_LIST_CHARS) {
        return Err(ApiError::invalid(
            "lists",
            format!("a list name is at most {MAX_LIST_CHARS} characters"),
        )
        .into());
    }
    Ok(clean)
}

/// `PUT /api/v1/connections/{id}/sync-settings`.
pub async fn put_settings(
    State(state): State<AppState>,
    viewer: ApiViewer,
    Path(id): Path<ConnectionId>,
    JsonBody(body): JsonBody<SettingsBody>,
) -> ApiResult<StatusCode> {
    let viewer = viewer.manager()?;
    let conn = owned(&state, viewer.org_id, id).await?;
    // Everything is checked before anything is written.
    if body.backfill_weeks.is_some_and(|w| !(1..=260).contains(&w)) {
        return Err(ApiError::invalid("backfill_weeks", "must be from 1 to 260").into());
    }
    let lists = body.lists.map(clean_lists).transpose()?;
    runs::ensure_settings(&state.db, conn.id).await?;
    if let Some(w) = body.backfill_weeks {
        sqlx::query("UPDATE sync_settings SET backfill_weeks = $1 WHERE connection_id = $2")
            .bind(w)
            .bind(conn.id)
            .execute(&state.db.pool)
            .await?;
    }
    if let Some(clean) = lists {
        sqlx::query("UPDATE sync_settings SET lists = $1 WHERE connection_id = $2")
            .bind(serde_json::to_string(&clean).map_err(anyhow::Error::from)?)
            .bind(conn.id)
            .execute(&state.db.pool)
            .await?;
    }
    Ok(StatusCode::NO_CONTENT)
}

/// `GET /api/v1/people`: people, their provider links, unmatched provider users.
pub async fn list_people(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
) -> ApiResult<Json<people::PeopleView>> {
    people::auto_match(&state.db, viewer.org_id).await?;
    Ok(Json(people::view(&state.db, viewer.org_id).await?))
}

/// Body of `PUT /api/v1/people/links`.
#[derive(Debug, Deserialize)]
pub struct LinkBody {
    #[serde(default)]
    connection_id: Option<ConnectionId>,
    #[serde(default)]
    external_id: Option<String>,
    /// `null` marks the provider user as "not a person".
    #[serde(default)]
    person_id: Option<i64>,
}

/// `PUT /api/v1/people/links`: link a provider user to a person by hand.
pub async fn put_link(
    State(state): State<AppState>,
    viewer: ApiViewer,
    JsonBody(body): JsonBody<LinkBody>,
) -> ApiResult<StatusCode> {
    let viewer = viewer.manager()?;
    let (Some(connection_id), Some(external_id)) = (body.connection_id, body.external_id) else {
        return Err(
            ApiError::invalid("external_id", "connection_id and external_id are required").into(),
        );
    };
    state
        .services
        .people
        .link(&viewer, connection_id, &external_id, body.person_id)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

/// Body of `POST /api/v1/people`.
#[derive(Debug, Deserialize)]
pub struct PersonBody {
    #[serde(default)]
    name: Option<String>,
    #[serde(default)]
    email: Option<String>,
}

/// `POST /api/v1/people`: add a person who is not a Tally user.
pub async fn create_person(
    State(state): State<AppState>,
    viewer: ApiViewer,
    JsonBody(body): JsonBody<PersonBody>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let viewer = viewer.manager()?;
    let name = body.name.unwrap_or_default().trim().to_owned();
    let email = body.email.unwrap_or_default().trim().to_lowercase();
    if name.is_empty() || name.chars().count() > MAX_NAME_CHARS {
        return Err(
            ApiError::invalid("name", format!("must be 1 to {MAX_NAME_CHARS} characters")).into(),
        );
    }
    if !email.contains('@') || email.chars().count() > MAX_EMAIL_CHARS {
        return Err(ApiError::invalid("email", "is not an email address").into());
    }
    let id = people::create(&state.db, viewer.org_id, &name, &email)
        .await
        .map_err(|_| JsonError(ApiError::Conflict("a person with that email exists".into())))?;
    people::auto_match(&state.db, viewer.org_id).await?;
    Ok((StatusCode::CREATED, Json(json!({"id": id}))))
}
