//! Lists v3: search by name, read one, read by name, and paged memberships.
//!
//! Exists so Tally can find the "Warm 250" list and page through its contacts.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::errors;
use super::scopes::authorize;
use crate::Sandbox;
use crate::model::iso_ms;
use crate::store::List;
use crate::util::{first, link, query_pairs, with_param};

const SCOPES: &[&str] = &["crm.lists.read"];

fn list_json(l: &List) -> Value {
    let last_added = l.members.iter().map(|m| m.1).max().unwrap_or(l.created);
    json!({
        "listId": l.id.to_string(),
        "listVersion": 3,
        "name": l.name,
        "objectTypeId": "0-1",
        "processingStatus": "COMPLETE",
        "processingType": "MANUAL",
        "createdAt": iso_ms(l.created),
        "updatedAt": iso_ms(l.updated),
        "filtersUpdatedAt": iso_ms(l.created),
        "createdById": "9000001",
        "updatedById": "9000001",
        "size": l.members.len(),
        "additionalProperties": {
            "hs_list_size": l.members.len().to_string(),
            "hs_last_record_added_at": last_added.to_string(),
            "hs_list_reference_count": "0",
        },
    })
}

/// Body of `POST /crm/v3/lists/search`.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SearchBody {
    #[serde(default)]
    query: Option<String>,
    #[serde(default)]
    offset: Option<usize>,
    #[serde(default)]
    count: Option<usize>,
    #[serde(default)]
    list_ids: Option<Vec<String>>,
    #[serde(default)]
    processing_types: Option<Vec<String>>,
}

/// `POST /crm/v3/lists/search`.
pub async fn search(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authorize(&sb, &headers, SCOPES) {
        return r;
    }
    let b: SearchBody = if body.is_empty() {
        SearchBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => return errors::validation(&format!("Invalid input JSON: {e}")),
        }
    };
    let count = b.count.unwrap_or(20).clamp(1, 500);
    let offset = b.offset.unwrap_or(0);
    let q = b.query.unwrap_or_default().to_lowercase();
    let s = sb.store();
    let hits: Vec<&List> = s
        .lists
        .iter()
        .filter(|l| q.is_empty() || l.name.to_lowercase().contains(&q))
        .filter(|l| {
            b.list_ids
                .as_ref()
                .is_none_or(|ids| ids.contains(&l.id.to_string()))
        })
        .filter(|_| {
            b.processing_types
                .as_ref()
                .is_none_or(|t| t.is_empty() || t.iter().any(|x| x == "MANUAL"))
        })
        .collect();
    let total = hits.len();
    let page: Vec<Value> = hits
        .iter()
        .skip(offset)
        .take(count)
        .map(|l| list_json(l))
        .collect();
    let next = offset + page.len();
    Json(json!({"lists": page, "offset": next, "hasMore": next < total, "total": total}))
        .into_response()
}

/// `GET /crm/v3/lists/{listId}`.
pub async fn get_one(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sb, &headers, SCOPES) {
        return r;
    }
    let s = sb.store();
    match s.lists.iter().find(|l| l.id.to_string() == id) {
        Some(l) => Json(json!({"list": list_json(l)})).into_response(),
        None => errors::not_found(&format!("List {id} not found")),
    }
}

/// `GET /crm/v3/lists/object-type-id/{objectTypeId}/name/{listName}`.
pub async fn by_name(
    State(sb): State<Sandbox>,
    Path((otid, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sb, &headers, SCOPES) {
        return r;
    }
    let s = sb.store();
    match s
        .lists
        .iter()
        .find(|l| (otid == "0-1" || otid == "contacts") && l.name.eq_ignore_ascii_case(&name))
    {
        Some(l) => Json(json!({"list": list_json(l)})).into_response(),
        None => errors::not_found(&format!("List with name {name} not found")),
    }
}

/// `GET /crm/v3/lists/{listId}/memberships` (ordered by record id; `after` is the next id).
pub async fn memberships(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    OriginalUri(original): OriginalUri,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sb, &headers, SCOPES) {
        return r;
    }
    let pairs = query_pairs(&uri);
    let limit = first(&pairs, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(100)
        .clamp(1, 250);
    let after = first(&pairs, "after")
        .and_then(|a| a.parse::<u64>().ok())
        .unwrap_or(0);
    let s = sb.store();
    let Some(l) = s.lists.iter().find(|l| l.id.to_string() == id) else {
        return errors::not_found(&format!("List {id} not found"));
    };
    let start = l.members.partition_point(|m| m.0 < after);
    let results: Vec<Value> = l.members[start..]
        .iter()
        .take(limit)
        .map(|(rid, ts)| json!({"recordId": rid.to_string(), "membershipTimestamp": iso_ms(*ts)}))
        .collect();
    let mut body = json!({"results": results, "total": l.members.len()});
    if let Some(n) = l.members.get(start + limit) {
        let a = n.0.to_string();
        body["paging"] = json!({"next": {"after": a, "link": link(&sb, &original, uri.path(), &with_param(&pairs, "after", &a))}});
    }
    Json(body).into_response()
}
