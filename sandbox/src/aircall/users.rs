//! `GET /v1/users` and `GET /v1/users/{id}`.
//!
//! Exists so Tally can map Aircall users to its people by email. The list holds the
//! account's current users in creation order (`order=desc` reverses it), paged like every
//! Aircall list; deleted users are gone from it and answer 404, though their calls still
//! name them.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, Uri};
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::auth::authenticate;
use super::model::{api_base, user_json};
use super::not_found;
use super::paging::{LinkCtx, Page};
use crate::{Sandbox, lock, util};

/// Every current user as `/users` lists them (ascending).
pub fn listed(sb: &Sandbox) -> Vec<Value> {
    let base = api_base(&sb.inner.opts);
    lock(&sb.inner.aircall)
        .users
        .iter()
        .filter(|u| !u.deleted)
        .map(|u| user_json(&base, u))
        .collect()
}

/// `GET /v1/users?page=&per_page=&order=`.
pub async fn list(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    uri: Uri,
    OriginalUri(original): OriginalUri,
) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let pairs = util::query_pairs(&uri);
    let p = Page::from_query(&pairs);
    if let Err(r) = p.check_cap() {
        return r;
    }
    let mut all = listed(&sb);
    if util::first(&pairs, "order") == Some("desc") {
        all.reverse();
    }
    let range = p.range(all.len());
    let page: Vec<Value> = all[range].to_vec();
    let ctx = LinkCtx {
        sb: &sb,
        headers: &headers,
        uri: &uri,
        original: &original,
    };
    let meta = ctx.meta(&pairs, p, page.len(), all.len());
    Json(json!({"users": page, "meta": meta})).into_response()
}

/// `GET /v1/users/{id}`.
pub async fn get(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return not_found("User");
    };
    let base = api_base(&sb.inner.opts);
    let st = lock(&sb.inner.aircall);
    match st.users.iter().find(|u| u.id == id && !u.deleted) {
        Some(u) => Json(json!({"user": user_json(&base, u)})).into_response(),
        None => not_found("User"),
    }
}
