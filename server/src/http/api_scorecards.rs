//! `/api/v1` scorecard routes: weeks, measurables, values, notes, the
//! template, CSV export and the live event stream.
//!
//! Handlers check the role and that ids belong to the viewer's organisation
//! before reading the body, so strangers get 403/404 rather than 422. Bodies
//! are decoded with the path of a bad field, which the 422 names.

use std::collections::BTreeMap;

use app::{
    domain::{
        Viewer, measurable::MeasurableInput, preview::PreviewRequest, scorecard::ScorecardWeek,
    },
    error::ApiError,
    services::ScorecardService,
};
use axum::{
    Json, Router,
    extract::{Path, Query, State},
    http::{StatusCode, header},
    response::{IntoResponse, Response},
    routing::{get, post},
};
use serde::Deserialize;
use serde_json::Value;

use app::domain::MeasurableId;

use super::{
    error::{ApiResult, JsonError},
    extract::{ApiViewer, JsonBody, decode},
};
use crate::state::AppState;

/// Scorecard routes, merged into `/api/v1`.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/scorecards", get(list).post(create_scorecard))
        .route("/scorecards/template", post(template))
        .route("/scorecards/{id}", get(week))
        .route("/scorecards/{id}/export.csv", get(export))
        .route("/scorecards/{id}/measurables", post(create))
        .route("/measurables/preview", post(preview))
        .route("/measurables/{id}", get(read).put(update).delete(remove))
        .route("/measurables/{id}/cell", get(cell))
        .route("/measurables/{id}/values", post(set_value))
        .route("/measurables/{id}/notes", post(set_note))
        .route("/events", get(events))
        .route("/dashboard", get(dashboard))
}

fn scorecards(state: &AppState) -> &dyn ScorecardService {
    state.services.scorecards.as_ref()
}

fn manager(viewer: ApiViewer) -> Result<Viewer, JsonError> {
    viewer.manager()
}

/// Decodes a body, naming the path of the first bad field.
async fn scorecard_exists(state: &AppState, viewer: &Viewer, id: i64) -> Result<(), JsonError> {
    if scorecards(state)
        .list(viewer)
        .await?
        .iter()
        .any(|c| c.id == id)
    {
        Ok(())
    } else {
        Err(JsonError(ApiError::NotFound))
    }
}

async fn list(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
) -> ApiResult<Json<Value>> {
    let list = scorecards(&state).list(&viewer).await?;
    Ok(Json(
        serde_json::to_value(list).map_err(anyhow::Error::from)?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NewScorecard {
    name: String,
}

async fn create_scorecard(
    State(state): State<AppState>,
    viewer: ApiViewer,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let viewer = manager(viewer)?;
    let body: NewScorecard = decode(body)?;
    let id = scorecards(&state).create(&viewer, body.name).await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

#[derive(Deserialize)]
struct WeekQuery {
    week: Option<String>,
}

async fn load_week(
    state: &AppState,
    viewer: &Viewer,
    id: i64,
    week: Option<String>,
) -> Result<ScorecardWeek, JsonError> {
    scorecards(state)
        .week(viewer, Some(id), week)
        .await?
        .ok_or(JsonError(ApiError::NotFound))
}

async fn week(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<i64>,
    Query(q): Query<WeekQuery>,
) -> ApiResult<Json<ScorecardWeek>> {
    Ok(Json(load_week(&state, &viewer, id, q.week).await?))
}

async fn export(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<i64>,
    Query(q): Query<WeekQuery>,
) -> ApiResult<Response> {
    let week = load_week(&state, &viewer, id, q.week).await?;
    let name = format!("attachment; filename=\"scorecard-{}.csv\"", week.week);
    Ok((
        [
            (header::CONTENT_TYPE, "text/csv; charset=utf-8".to_owned()),
            (header::CONTENT_DISPOSITION, name),
        ],
        super::csv::scorecard(&week),
    )
        .into_response())
}

async fn create(
    State(state): State<AppState>,
    viewer: ApiViewer,
    Path(id): Path<i64>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let viewer = manager(viewer)?;
    scorecard_exists(&state, &viewer, id).await?;
    let input: MeasurableInput = decode(body)?;
    let id = scorecards(&state)
        .create_measurable(&viewer, Some(id), input)
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

/// `POST /api/v1/measurables/preview`: what a definition would show.
async fn preview(
    State(state): State<AppState>,
    viewer: ApiViewer,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<Json<Value>> {
    let viewer = manager(viewer)?;
    let request: PreviewRequest = decode(body)?;
    let preview = scorecards(&state).preview(&viewer, request).await?;
    Ok(Json(
        serde_json::to_value(preview).map_err(anyhow::Error::from)?,
    ))
}

async fn read(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<MeasurableId>,
) -> ApiResult<Json<Value>> {
    let detail = scorecards(&state).measurable(&viewer, id).await?;
    Ok(Json(
        serde_json::to_value(detail).map_err(anyhow::Error::from)?,
    ))
}

async fn update(
    State(state): State<AppState>,
    viewer: ApiViewer,
    Path(id): Path<MeasurableId>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<StatusCode> {
    let viewer = manager(viewer)?;
    scorecards(&state).measurable(&viewer, id).await?;
    let input: MeasurableInput = decode(body)?;
    scorecards(&state)
        .update_measurable(&viewer, id, input)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn remove(
    State(state): State<AppState>,
    viewer: ApiViewer,
    Path(id): Path<MeasurableId>,
) -> ApiResult<StatusCode> {
    let viewer = manager(viewer)?;
    scorecards(&state).delete_measurable(&viewer, id).await?;
    Ok(StatusCode::NO_CONTENT)
}

async fn cell(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<MeasurableId>,
    Query(q): Query<WeekQuery>,
) -> ApiResult<Json<Value>> {
    scorecards(&state).measurable(&viewer, id).await?;
    let week = q
        .week
        .ok_or_else(|| JsonError(ApiError::invalid("week", "is required")))?;
    let detail = scorecards(&state).cell(&viewer, id, week).await?;
    Ok(Json(
        serde_json::to_value(detail).map_err(anyhow::Error::from)?,
    ))
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct ValueBody {
    week: String,
    value: Option<f64>,
    #[serde(default)]
    reason: String,
}

async fn set_value(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<MeasurableId>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<StatusCode> {
    scorecards(&state).measurable(&viewer, id).await?;
    let body: ValueBody = decode(body)?;
    scorecards(&state)
        .set_value(&viewer, id, body.week, body.value, body.reason)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct NoteBody {
    week: String,
    note: String,
}

async fn set_note(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
    Path(id): Path<MeasurableId>,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<StatusCode> {
    scorecards(&state).measurable(&viewer, id).await?;
    let body: NoteBody = decode(body)?;
    scorecards(&state)
        .set_note(&viewer, id, body.week, body.note)
        .await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct TemplateBody {
    /// Section name → person id.
    #[serde(default)]
    owners: BTreeMap<String, Option<i64>>,
}

async fn template(
    State(state): State<AppState>,
    viewer: ApiViewer,
    JsonBody(body): JsonBody<Value>,
) -> ApiResult<(StatusCode, Json<Value>)> {
    let viewer = manager(viewer)?;
    let body: TemplateBody = decode(body)?;
    let id = scorecards(&state)
        .apply_template(&viewer, body.owners.into_iter().collect())
        .await?;
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "id": id }))))
}

/// The organisation's live events, within the user's stream cap.
async fn events(State(state): State<AppState>, ApiViewer(viewer): ApiViewer) -> Response {
    let Some(slot) = state.streams.take(viewer.user_id) else {
        return JsonError(ApiError::TooManyRequests {
            retry_after_secs: 30,
        })
        .into_response();
    };
    crate::scorecard::live::sse(&state.events, viewer.org_id, viewer.user_id, slot).into_response()
}

async fn dashboard(
    State(state): State<AppState>,
    ApiViewer(viewer): ApiViewer,
) -> ApiResult<Json<Value>> {
    let d = scorecards(&state).dashboard(&viewer).await?;
    Ok(Json(serde_json::to_value(d).map_err(anyhow::Error::from)?))
}
