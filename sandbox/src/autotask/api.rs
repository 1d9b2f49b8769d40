//! The Autotask REST API v1.0 handlers, dispatched from one route because
//! Autotask's paths ignore case (`/ATServicesRest/V1.0/Tickets/query` and
//! `/atservicesrest/v1.0/tickets/query` are the same call).
//!
//! Exists so Tally meets the calls its connect and sync make:
//! - `GET {lookup}/V1.0/zoneInformation?user=` (no credentials): the API
//!   user's zone, `{"zoneName", "url", "webUrl", "ci"}`, whose `url` is the
//!   zone's absolute base (`…/autotask/zone5/ATServicesRest/`); an unknown
//!   user gets `500`, as Autotask answers it.
//! - On the zone, with the three headers: `GET V1.0/{Entity}/entityInformation`,
//!   `GET V1.0/Tickets/entityInformation/fields` (the picklists),
//!   `POST V1.0/{Entity}/query` (also `GET …/query?search=`),
//!   `GET V1.0/{Entity}/query/next?paging=`, `POST V1.0/{Entity}/query/count`
//!   and `GET V1.0/{Entity}/{id}`, for Tickets, TimeEntries and Resources.
//! - A query Autotask cannot run (no filter, an unknown field or op, a bad
//!   `MaxRecords`) gets `500` with the reason in `errors`: Autotask reports
//!   query errors that way. Calls on the lookup host other than the zone
//!   lookup get `404`.

use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, Method, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use axum::{Json, Router, routing::any};
use serde_json::{Value, json};

use super::limits::Threads;
use super::model::{self, entity_information, ticket_fields};
use super::query::{self, Cond, Query};
use super::{auth, error};
use crate::{Sandbox, lock, util};

/// The zone lookup host's path under the sandbox.
pub const LOOKUP_PATH: &str = "/autotask/atservicesrest";
/// The zone every API user's database lives in.
pub const ZONE_PATH: &str = "/autotask/zone5/ATServicesRest";
/// The zone's name in the lookup answer.
pub const ZONE_NAME: &str = "America East 5 (sandbox)";

/// The entities the simulator serves.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Entity {
    Tickets,
    TimeEntries,
    Resources,
}

impl Entity {
    fn parse(s: &str) -> Option<Entity> {
        match s.to_ascii_lowercase().as_str() {
            "tickets" => Some(Entity::Tickets),
            "timeentries" => Some(Entity::TimeEntries),
            "resources" => Some(Entity::Resources),
            _ => None,
        }
    }

    fn name(self) -> &'static str {
        match self {
            Entity::Tickets => "Tickets",
            Entity::TimeEntries => "TimeEntries",
            Entity::Resources => "Resources",
        }
    }

    /// Every record as the API renders it, in id order.
    fn records(self, sb: &Sandbox) -> Vec<Value> {
        let st = lock(&sb.inner.autotask);
        match self {
            Entity::Tickets => st.tickets.iter().map(model::ticket_json).collect(),
            Entity::TimeEntries => st.time_entries.iter().map(model::time_entry_json).collect(),
            Entity::Resources => st.resources.iter().map(model::resource_json).collect(),
        }
    }

    /// The entity's field names (what a filter may name).
    fn fields(self) -> Vec<String> {
        let sample = match self {
            Entity::Tickets => model::ticket_json(&Default::default()),
            Entity::TimeEntries => model::time_entry_json(&Default::default()),
            Entity::Resources => model::resource_json(&Default::default()),
        };
        sample
            .as_object()
            .map(|o| o.keys().cloned().collect())
            .unwrap_or_default()
    }
}

/// Where the sandbox is reachable from the caller: its public base, else
/// the request's `Host`.
fn origin(sb: &Sandbox, headers: &HeaderMap) -> String {
    match &sb.inner.opts.public_base_url {
        Some(b) => b.trim_end_matches('/').to_string(),
        None => {
            let host = headers
                .get(axum::http::header::HOST)
                .and_then(|h| h.to_str().ok())
                .unwrap_or("localhost");
            format!("http://{host}")
        }
    }
}

fn query_error(message: &str) -> Response {
    error(StatusCode::INTERNAL_SERVER_ERROR, message)
}

fn not_found(path: &str) -> Response {
    error(
        StatusCode::NOT_FOUND,
        &format!("No HTTP resource was found that matches the request URI {path}"),
    )
}

/// `GET …/V1.0/zoneInformation?user=`.
fn zone_information(sb: &Sandbox, uri: &Uri, headers: &HeaderMap) -> Response {
    let pairs = util::query_pairs(uri);
    let user = util::first(&pairs, "user").unwrap_or_default();
    if !auth::known(sb, user) {
        return query_error("Zone information could not be determined for this user");
    }
    let origin = origin(sb, headers);
    Json(json!({
        "zoneName": ZONE_NAME,
        "url": format!("{origin}{ZONE_PATH}/"),
        "webUrl": format!("{origin}/autotask/ww5/"),
        "ci": 5,
    }))
    .into_response()
}

/// Runs one page of a query and renders Autotask's answer.
fn answer(
    sb: &Sandbox,
    headers: &HeaderMap,
    entity: Entity,
    q: &Query,
    conds: &[Cond],
) -> Response {
    let (items, last) = query::page(entity.records(sb), conds, q);
    let next = last.map(|id| {
        format!(
            "{}{ZONE_PATH}/V1.0/{}/query/next?paging={}",
            origin(sb, headers),
            entity.name(),
            query::token(q, id)
        )
    });
    let count = items.len();
    Json(json!({
        "items": items,
        "pageDetails": {
            "count": count,
            "requestCount": q.max,
            "prevPageUrl": Value::Null,
            "nextPageUrl": next,
        }
    }))
    .into_response()
}

/// The parsed conditions of a query body, or Autotask's refusal.
fn parsed(entity: Entity, body: &Value) -> Result<(Query, Vec<Cond>), Response> {
    let fields = entity.fields();
    let names: Vec<&str> = fields.iter().map(String::as_str).collect();
    query::parse_body(body, &names).map_err(|e| query_error(&e))
}

/// Every call on the zone, after authentication.
async fn zone_call(
    sb: &Sandbox,
    method: &Method,
    uri: &Uri,
    headers: &HeaderMap,
    body: &Bytes,
    rest: &[&str],
) -> Response {
    if let Err(r) = auth::authenticate(sb, headers) {
        return r;
    }
    let lower: Vec<String> = rest.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    let Some(name) = rest.first() else {
        return not_found(uri.path());
    };
    if let (["companies", "entityinformation"], &Method::GET) = (&lower[..], method) {
        return Json(entity_information("Companies")).into_response();
    }
    let Some(entity) = Entity::parse(name) else {
        return not_found(uri.path());
    };
    let _thread = match Threads::enter(sb, entity.name()).await {
        Ok(t) => t,
        Err(r) => return r,
    };
    let json_body = || -> Result<Value, Response> {
        serde_json::from_slice(body).map_err(|e| {
            error(
                StatusCode::BAD_REQUEST,
                &format!("The request body is not valid JSON: {e}"),
            )
        })
    };
    match (&lower[1..], method) {
        (["entityinformation"], &Method::GET) => {
            Json(entity_information(entity.name())).into_response()
        }
        (["entityinformation", "fields"], &Method::GET) if entity == Entity::Tickets => {
            Json(ticket_fields()).into_response()
        }
        (["query"], &Method::POST) => match json_body().and_then(|b| parsed(entity, &b)) {
            Ok((q, conds)) => answer(sb, headers, entity, &q, &conds),
            Err(r) => r,
        },
        (["query"], &Method::GET) => {
            let pairs = util::query_pairs(uri);
            let search = util::first(&pairs, "search").unwrap_or_default();
            match serde_json::from_str::<Value>(search) {
                Ok(b) => match parsed(entity, &b) {
                    Ok((q, conds)) => answer(sb, headers, entity, &q, &conds),
                    Err(r) => r,
                },
                Err(_) => query_error("The search parameter is not a query"),
            }
        }
        (["query", "next"], &Method::GET) => {
            let pairs = util::query_pairs(uri);
            let Some(q) = util::first(&pairs, "paging").and_then(query::from_token) else {
                return query_error("The paging parameter is not valid");
            };
            match parsed(entity, &json!({"MaxRecords": q.max, "filter": q.filter})) {
                Ok((_, conds)) => answer(sb, headers, entity, &q, &conds),
                Err(r) => r,
            }
        }
        (["query", "count"], &Method::POST) => match json_body().and_then(|b| parsed(entity, &b)) {
            Ok((_, conds)) => {
                Json(json!({"queryCount": query::count(&entity.records(sb), &conds)}))
                    .into_response()
            }
            Err(r) => r,
        },
        ([id], &Method::GET) => {
            let item = id
                .parse::<i64>()
                .ok()
                .and_then(|id| entity.records(sb).into_iter().find(|r| r["id"] == id));
            match item {
                Some(item) => Json(json!({ "item": item })).into_response(),
                None => not_found(uri.path()),
            }
        }
        _ => not_found(uri.path()),
    }
}

/// Splits `/autotask/...` into the host part and the path after `V1.0`.
async fn dispatch(
    State(sb): State<Sandbox>,
    method: Method,
    uri: Uri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let segments: Vec<&str> = uri
        .path()
        .trim_start_matches('/')
        .split('/')
        .filter(|s| !s.is_empty())
        .collect();
    let lower: Vec<String> = segments.iter().map(|s| s.to_ascii_lowercase()).collect();
    let lower: Vec<&str> = lower.iter().map(String::as_str).collect();
    match &lower[..] {
        ["autotask", "atservicesrest", "v1.0", "zoneinformation"] if method == Method::GET => {
            zone_information(&sb, &uri, &headers)
        }
        ["autotask", "zone5", "atservicesrest", "v1.0", ..] => {
            zone_call(&sb, &method, &uri, &headers, &body, &segments[4..]).await
        }
        _ => not_found(uri.path()),
    }
}

/// The API routes (state applied by the caller).
pub fn routes() -> Router<Sandbox> {
    Router::new().route("/autotask/{*rest}", any(dispatch))
}
