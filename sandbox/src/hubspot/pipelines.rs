//! Deal pipelines and call dispositions.
//!
//! Exists so Tally can resolve stage ids (closed won is `isClosed == "true"` and
//! probability `1.0`, never a hard-coded `closedwon`) and disposition GUIDs to labels.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::crm::parse_kind;
use super::errors;
use super::scopes::{authorize, read_scopes};
use crate::Sandbox;
use crate::catalog::{DISPOSITIONS, PIPELINES, Pipeline};
use crate::model::{ObjectKind, iso_ms};

const PIPELINE_SCOPES: &[&str] = &[
    "crm.objects.deals.read",
    "crm.objects.contacts.read",
    "crm.objects.companies.read",
    "crm.schemas.deals.read",
];

fn pipeline_json(p: &Pipeline) -> Value {
    let stages: Vec<Value> = p
        .stages
        .iter()
        .enumerate()
        .map(|(i, (id, label, prob, closed))| {
            json!({
                "id": id,
                "label": label,
                "displayOrder": i,
                "metadata": {"isClosed": closed.to_string(), "probability": prob},
                "archived": false,
                "writePermissions": "CRM_PERMISSIONS_ENFORCEMENT",
                "createdAt": iso_ms(p.created),
                "updatedAt": iso_ms(p.created),
            })
        })
        .collect();
    json!({
        "id": p.id,
        "label": p.label,
        "displayOrder": 0,
        "archived": false,
        "createdAt": iso_ms(p.created),
        "updatedAt": iso_ms(p.created),
        "stages": stages,
    })
}

/// `GET /crm/v3/pipelines/{objectType}`.
pub async fn list(
    State(sb): State<Sandbox>,
    Path(ty): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sb, &headers, PIPELINE_SCOPES) {
        return r;
    }
    let results: Vec<Value> = match parse_kind(&ty) {
        Ok(ObjectKind::Deals) => PIPELINES.iter().map(pipeline_json).collect(),
        Ok(_) => Vec::new(),
        Err(r) => return r,
    };
    Json(json!({"results": results})).into_response()
}

/// `GET /crm/v3/pipelines/{objectType}/{pipelineId}`.
pub async fn get_one(
    State(sb): State<Sandbox>,
    Path((_ty, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sb, &headers, PIPELINE_SCOPES) {
        return r;
    }
    match PIPELINES.iter().find(|p| p.id == id) {
        Some(p) => Json(pipeline_json(p)).into_response(),
        None => errors::not_found(&format!("Pipeline {id} not found")),
    }
}

/// `GET /crm/v3/pipelines/{objectType}/{pipelineId}/stages`.
pub async fn stages(
    State(sb): State<Sandbox>,
    Path((_ty, id)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sb, &headers, PIPELINE_SCOPES) {
        return r;
    }
    match PIPELINES.iter().find(|p| p.id == id) {
        Some(p) => Json(json!({"results": pipeline_json(p)["stages"].clone()})).into_response(),
        None => errors::not_found(&format!("Pipeline {id} not found")),
    }
}

/// `GET /calling/v1/dispositions`: a bare JSON array of `{id, label, deleted}`.
pub async fn dispositions(State(sb): State<Sandbox>, headers: HeaderMap) -> Response {
    if let Err(r) = authorize(&sb, &headers, read_scopes(ObjectKind::Calls)) {
        return r;
    }
    let out: Vec<Value> = DISPOSITIONS
        .iter()
        .map(|(id, label)| json!({"id": id, "label": label, "deleted": false}))
        .collect();
    Json(Value::Array(out)).into_response()
}
