//! CRM object endpoints: list, read one and batch read, at `/crm/v3/objects/{type}` and
//! `/crm/objects/2026-03/{type}`.
//!
//! Exists to serve records exactly as HubSpot does: all-string properties, only requested
//! ones, `paging.next.{after, link}` cursors that are O(log n) (the cursor is the id of the
//! next record, found by binary search).

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Map, Value, json};

use super::errors;
use super::scopes::{authorize, read_scopes};
use crate::Sandbox;
use crate::model::{ObjectKind, Record, iso_ms};
use crate::store::{Store, association_type};
use crate::util::{bool_param, first, link, list_param, query_pairs, with_param};

/// Resolves a `{type}` path segment.
pub fn parse_kind(ty: &str) -> Result<ObjectKind, Response> {
    ObjectKind::parse(ty)
        .ok_or_else(|| errors::validation(&format!("Unable to infer object type from: {ty}")))
}

/// One record as `SimplePublicObject(WithAssociations)`.
pub fn object_json(
    s: &Store,
    kind: ObjectKind,
    rec: &Record,
    properties: Option<&[String]>,
    associations: Option<&[ObjectKind]>,
) -> Value {
    let mut o = Map::new();
    o.insert("id".into(), json!(rec.id.to_string()));
    o.insert(
        "properties".into(),
        Value::Object(s.properties_json(kind, rec, properties)),
    );
    o.insert("createdAt".into(), json!(iso_ms(rec.created)));
    o.insert("updatedAt".into(), json!(iso_ms(rec.updated)));
    o.insert("archived".into(), json!(rec.archived));
    if rec.archived {
        o.insert("archivedAt".into(), json!(iso_ms(rec.updated)));
    }
    if let Some(kinds) = associations {
        let mut a = Map::new();
        for &to in kinds {
            let mut ids: Vec<u64> = rec
                .assoc
                .iter()
                .filter(|(k, _)| *k == to)
                .map(|(_, id)| *id)
                .collect();
            if ids.is_empty() {
                continue;
            }
            ids.sort_unstable();
            let (_, name) = association_type(kind, to);
            let results: Vec<Value> = ids
                .iter()
                .map(|id| json!({"id": id.to_string(), "type": name}))
                .collect();
            a.insert(to.plural().into(), json!({"results": results}));
        }
        if !a.is_empty() {
            o.insert("associations".into(), Value::Object(a));
        }
    }
    Value::Object(o)
}

fn assoc_kinds(pairs: &[(String, String)]) -> Result<Option<Vec<ObjectKind>>, Response> {
    match list_param(pairs, "associations") {
        None => Ok(None),
        Some(names) => names
            .iter()
            .map(|n| parse_kind(n))
            .collect::<Result<Vec<_>, _>>()
            .map(Some),
    }
}

/// `GET .../objects/{type}`.
pub async fn list(
    State(sb): State<Sandbox>,
    Path(ty): Path<String>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let kind = match parse_kind(&ty) {
        Ok(k) => k,
        Err(r) => return r,
    };
    if let Err(r) = authorize(&sb, &headers, read_scopes(kind)) {
        return r;
    }
    let pairs = query_pairs(&uri);
    let limit = match first(&pairs, "limit").map(str::parse::<usize>) {
        None => 10,
        Some(Ok(n)) => n.clamp(1, 100),
        Some(Err(_)) => return errors::validation("limit must be an integer"),
    };
    let after = match first(&pairs, "after").map(str::parse::<u64>) {
        None => 0,
        Some(Ok(n)) => n,
        Some(Err(_)) => return errors::validation("Invalid 'after' value"),
    };
    let archived = bool_param(&pairs, "archived");
    let props = list_param(&pairs, "properties");
    let assocs = match assoc_kinds(&pairs) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let s = sb.store();
    let table = s.table(kind);
    let start = table.lower_bound(after);
    let mut page: Vec<&Record> = Vec::with_capacity(limit);
    let mut next = None;
    for r in table.records[start..]
        .iter()
        .filter(|r| r.archived == archived)
    {
        if page.len() == limit {
            next = Some(r.id);
            break;
        }
        page.push(r);
    }
    let results: Vec<Value> = page
        .iter()
        .map(|r| object_json(&s, kind, r, props.as_deref(), assocs.as_deref()))
        .collect();
    let mut body = json!({ "results": results });
    if let Some(n) = next {
        let after = n.to_string();
        let l = link(
            &sb,
            &original,
            uri.path(),
            &with_param(&pairs, "after", &after),
        );
        body["paging"] = json!({"next": {"after": after, "link": l}});
    }
    Json(body).into_response()
}

/// Finds a record by id or by a unique property (`idProperty`).
fn find<'a>(
    s: &'a Store,
    kind: ObjectKind,
    id: &str,
    id_property: Option<&str>,
) -> Option<&'a Record> {
    match id_property {
        None | Some("hs_object_id") => id.parse::<u64>().ok().and_then(|n| s.table(kind).get(n)),
        Some(p) => s.table(kind).records.iter().find(|r| {
            s.prop_string(r, p)
                .is_some_and(|v| v.eq_ignore_ascii_case(id))
        }),
    }
}

/// `GET .../objects/{type}/{id}`.
pub async fn get_one(
    State(sb): State<Sandbox>,
    Path((ty, id)): Path<(String, String)>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    let kind = match parse_kind(&ty) {
        Ok(k) => k,
        Err(r) => return r,
    };
    if let Err(r) = authorize(&sb, &headers, read_scopes(kind)) {
        return r;
    }
    let pairs = query_pairs(&uri);
    let archived = bool_param(&pairs, "archived");
    let props = list_param(&pairs, "properties");
    let assocs = match assoc_kinds(&pairs) {
        Ok(a) => a,
        Err(r) => return r,
    };
    let s = sb.store();
    match find(&s, kind, &id, first(&pairs, "idProperty")).filter(|r| r.archived == archived) {
        Some(r) => Json(object_json(
            &s,
            kind,
            r,
            props.as_deref(),
            assocs.as_deref(),
        ))
        .into_response(),
        None => errors::not_found("Object not found.  objectId are usually numeric."),
    }
}

/// Body of a batch read.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct BatchReadBody {
    #[serde(default)]
    inputs: Vec<BatchInput>,
    #[serde(default)]
    properties: Option<Vec<String>>,
    #[serde(default)]
    id_property: Option<String>,
}

/// One batch input.
#[derive(Debug, Deserialize)]
pub struct BatchInput {
    id: Value,
}

/// `POST .../objects/{type}/batch/read`.
pub async fn batch_read(
    State(sb): State<Sandbox>,
    Path(ty): Path<String>,
    uri: Uri,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let kind = match parse_kind(&ty) {
        Ok(k) => k,
        Err(r) => return r,
    };
    if let Err(r) = authorize(&sb, &headers, read_scopes(kind)) {
        return r;
    }
    let req: BatchReadBody = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return errors::validation(&format!("Invalid input JSON: {e}")),
    };
    if req.inputs.len() > 100 {
        return errors::validation("Batch input limit exceeded: at most 100 inputs are allowed.");
    }
    let archived = bool_param(&query_pairs(&uri), "archived");
    let started = iso_ms(sb.now_ms());
    let s = sb.store();
    let props: Option<Vec<String>> = req.properties.filter(|p| !p.is_empty());
    let mut results = Vec::new();
    let mut missing = Vec::new();
    for input in &req.inputs {
        let id = match &input.id {
            Value::String(s) => s.clone(),
            other => other.to_string(),
        };
        match find(&s, kind, &id, req.id_property.as_deref()).filter(|r| r.archived == archived) {
            Some(r) => results.push(object_json(&s, kind, r, props.as_deref(), None)),
            None => missing.push(id),
        }
    }
    let mut body = json!({
        "status": "COMPLETE",
        "results": results,
        "startedAt": started,
        "completedAt": iso_ms(sb.now_ms()),
    });
    if missing.is_empty() {
        return Json(body).into_response();
    }
    body["numErrors"] = json!(1);
    body["errors"] = json!([{
        "status": "error",
        "category": "OBJECT_NOT_FOUND",
        "message": format!(
            "Could not get some {} objects, they may be deleted or not exist. Check that ids are valid.",
            kind.singular().to_uppercase()
        ),
        "context": {"ids": missing},
    }]);
    (StatusCode::MULTI_STATUS, Json(body)).into_response()
}
