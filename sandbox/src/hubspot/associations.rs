//! Associations v4: per-record reads and batch reads.
//!
//! Exists because Tally links engagements to contacts and deals through these endpoints;
//! responses carry `toObjectId` (a number) and `associationTypes` with HubSpot's type ids.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::crm::parse_kind;
use super::errors;
use super::scopes::{authorize, read_scopes};
use crate::Sandbox;
use crate::model::{ObjectKind, Record, iso_ms};
use crate::store::association_type;
use crate::util::{first, query_pairs};

fn targets(rec: &Record, to: ObjectKind) -> Vec<u64> {
    let mut ids: Vec<u64> = rec
        .assoc
        .iter()
        .filter(|(k, _)| *k == to)
        .map(|(_, id)| *id)
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids
}

fn to_json(from: ObjectKind, to: ObjectKind, id: u64) -> Value {
    let (type_id, _) = association_type(from, to);
    json!({
        "toObjectId": id,
        "associationTypes": [{"category": "HUBSPOT_DEFINED", "typeId": type_id, "label": null}],
    })
}

/// `GET /crm/v4/objects/{from}/{id}/associations/{to}`.
pub async fn list(
    State(sb): State<Sandbox>,
    Path((from, id, to)): Path<(String, String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let (from, to) = match (parse_kind(&from), parse_kind(&to)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if let Err(r) = authorize(&sb, &headers, read_scopes(from)) {
        return r;
    }
    let pairs = query_pairs(&uri);
    let limit = first(&pairs, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(500)
        .clamp(1, 500);
    let after = first(&pairs, "after")
        .and_then(|a| a.parse::<u64>().ok())
        .unwrap_or(0);
    let s = sb.store();
    let Some(rec) = id.parse::<u64>().ok().and_then(|n| s.table(from).get(n)) else {
        return errors::not_found(&format!("No {} with id {id}", from.singular()));
    };
    let ids = targets(rec, to);
    let start = ids.partition_point(|&x| x < after);
    let page: Vec<Value> = ids[start..]
        .iter()
        .take(limit)
        .map(|&t| to_json(from, to, t))
        .collect();
    let mut body = json!({"results": page});
    if let Some(&n) = ids.get(start + limit) {
        body["paging"] = json!({"next": {"after": n.to_string(), "link": format!("?after={n}")}});
    }
    Json(body).into_response()
}

/// Body of an associations batch read.
#[derive(Debug, Deserialize)]
pub struct BatchBody {
    #[serde(default)]
    inputs: Vec<BatchInput>,
}

/// One input.
#[derive(Debug, Deserialize)]
pub struct BatchInput {
    id: Value,
}

/// `POST /crm/v4/associations/{from}/{to}/batch/read`.
pub async fn batch_read(
    State(sb): State<Sandbox>,
    Path((from, to)): Path<(String, String)>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let (from, to) = match (parse_kind(&from), parse_kind(&to)) {
        (Ok(a), Ok(b)) => (a, b),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    if let Err(r) = authorize(&sb, &headers, read_scopes(from)) {
        return r;
    }
    let req: BatchBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return errors::validation(&format!("Invalid input JSON: {e}")),
    };
    if req.inputs.len() > 1000 {
        return errors::validation("Batch input limit exceeded: at most 1000 inputs are allowed.");
    }
    let started = iso_ms(sb.now_ms());
    let s = sb.store();
    let mut results = Vec::new();
    let mut errors_out = Vec::new();
    for input in &req.inputs {
        let id = match &input.id {
            Value::String(x) => x.clone(),
            other => other.to_string(),
        };
        let rec = id.parse::<u64>().ok().and_then(|n| s.table(from).get(n));
        let ids = rec.map(|r| targets(r, to)).unwrap_or_default();
        if ids.is_empty() {
            errors_out.push(json!({
                "status": "error",
                "category": "OBJECT_NOT_FOUND",
                "subCategory": "crm.associations.NO_ASSOCIATIONS_FOUND",
                "message": format!("No {} is associated with {} {}.", to.plural(), from.singular(), id),
                "context": {"fromObjectId": [id]},
            }));
            continue;
        }
        let to_list: Vec<Value> = ids.iter().map(|&t| to_json(from, to, t)).collect();
        results.push(json!({"from": {"id": id}, "to": to_list}));
    }
    let mut body = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": iso_ms(sb.now_ms()),
    });
    if errors_out.is_empty() {
        return Json(body).into_response();
    }
    body["numErrors"] = json!(errors_out.len());
    body["errors"] = Value::Array(errors_out);
    (StatusCode::MULTI_STATUS, Json(body)).into_response()
}
