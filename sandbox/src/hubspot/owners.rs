//! Owners: `GET /crm/v3/owners` (paged, `email`, `archived`) and `GET /crm/v3/owners/{id}`.
//!
//! Exists because Tally maps reps by owner id and email; deactivated owners have a null
//! `userId` and keep `userIdIncludingInactive`, as HubSpot documents.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::errors;
use super::scopes::authorize;
use crate::Sandbox;
use crate::model::iso_ms;
use crate::store::Owner;
use crate::util::{bool_param, first, link, query_pairs, with_param};

const SCOPES: &[&str] = &["crm.objects.owners.read", "automation"];

fn owner_json(o: &Owner) -> Value {
    json!({
        "id": o.id.to_string(),
        "email": o.email,
        "type": "PERSON",
        "firstName": o.first_name,
        "lastName": o.last_name,
        "userId": if o.archived { Value::Null } else { json!(o.user_id) },
        "userIdIncludingInactive": o.user_id,
        "createdAt": iso_ms(o.created),
        "updatedAt": iso_ms(o.updated),
        "archived": o.archived,
        "teams": [{"id": "4201", "name": o.team, "primary": true}],
    })
}

/// `GET /crm/v3/owners`.
pub async fn list(
    State(sb): State<Sandbox>,
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
        .clamp(1, 500);
    let after = first(&pairs, "after")
        .and_then(|a| a.parse::<u64>().ok())
        .unwrap_or(0);
    let archived = bool_param(&pairs, "archived");
    let email = first(&pairs, "email").map(str::to_lowercase);
    let s = sb.store();
    let mut owners: Vec<&Owner> = s
        .owners
        .iter()
        .filter(|o| o.archived == archived)
        .filter(|o| email.as_ref().is_none_or(|e| &o.email.to_lowercase() == e))
        .filter(|o| o.id >= after)
        .collect();
    owners.sort_by_key(|o| o.id);
    let results: Vec<Value> = owners.iter().take(limit).map(|o| owner_json(o)).collect();
    let mut body = json!({"results": results});
    if let Some(n) = owners.get(limit) {
        let a = n.id.to_string();
        body["paging"] = json!({"next": {"after": a, "link": link(&sb, &original, uri.path(), &with_param(&pairs, "after", &a))}});
    }
    Json(body).into_response()
}

/// `GET /crm/v3/owners/{ownerId}` (`idProperty=id|userId`).
pub async fn get_one(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authorize(&sb, &headers, SCOPES) {
        return r;
    }
    let pairs = query_pairs(&uri);
    let by_user = first(&pairs, "idProperty") == Some("userId");
    let s = sb.store();
    let n = id.parse::<u64>().unwrap_or(0);
    match s
        .owners
        .iter()
        .find(|o| if by_user { o.user_id == n } else { o.id == n })
    {
        Some(o) => Json(owner_json(o)).into_response(),
        None => errors::not_found(&format!("Owner {id} not found")),
    }
}
