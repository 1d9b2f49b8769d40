//! The sandbox control API under `/_sandbox/...` (JSON).
//!
//! Exists so out-of-process tests (and the conformance runner) can change data and fire
//! webhooks, inject faults, revoke grants, read the request log and compare against the
//! truth. Each route is a thin wrapper over a public `Sandbox` method.

use std::collections::BTreeMap;

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{delete, get, post};
use axum::{Json, Router};
use serde::Deserialize;
use serde_json::{Value, json};

use crate::faults::{Fault, FaultKind};
use crate::model::ObjectKind;
use crate::records::{FathomMeetingInput, RecordError};
use crate::store::Store;
use crate::webhooks::WebhookTargets;
use crate::{Provider, Sandbox};

fn err(status: StatusCode, msg: &str) -> Response {
    (status, Json(json!({"error": msg}))).into_response()
}

fn record_err(e: RecordError) -> Response {
    match e {
        RecordError::NotFound(_) => err(StatusCode::NOT_FOUND, &e.to_string()),
        RecordError::UnknownKind(_) | RecordError::Invalid(_) => {
            err(StatusCode::BAD_REQUEST, &e.to_string())
        }
    }
}

fn kind(ty: &str) -> Result<ObjectKind, Response> {
    ObjectKind::parse(ty).ok_or_else(|| record_err(RecordError::UnknownKind(ty.into())))
}

/// Counts per kind.
pub fn counts_json(s: &Store) -> Value {
    let mut hub = serde_json::Map::new();
    for k in ObjectKind::ALL {
        let t = s.table(k);
        hub.insert(
            k.plural().into(),
            json!({"total": t.records.len(), "active": t.live_count(), "archived": t.records.len() - t.live_count()}),
        );
    }
    json!({
        "hubspot": hub,
        "owners": s.owners.len(),
        "active_owners": s.owners.iter().filter(|o| !o.archived).count(),
        "lists": s.lists.iter().map(|l| json!({"listId": l.id.to_string(), "name": l.name, "size": l.members.len()})).collect::<Vec<_>>(),
        "fathom": {"meetings": s.fathom.iter().filter(|m| !m.deleted).count()},
        "total_records": s.total_records(),
    })
}

/// Control routes.
pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route(
            "/_sandbox/health",
            get(|| async { Json(json!({"ok": true})) }),
        )
        .route("/_sandbox/config", get(config))
        .route("/_sandbox/truth", get(truth))
        .route("/_sandbox/truth/hubspot/{ty}", get(truth_kind))
        .route("/_sandbox/truth/owners", get(truth_owners))
        .route("/_sandbox/truth/lists", get(truth_lists))
        .route("/_sandbox/truth/fathom/meetings", get(truth_fathom))
        .route("/_sandbox/hubspot/{ty}", post(create))
        .route(
            "/_sandbox/hubspot/{ty}/{id}",
            axum::routing::patch(update).delete(archive),
        )
        .route("/_sandbox/hubspot/associations", post(associate))
        .route("/_sandbox/hubspot/lists", post(create_list))
        .route("/_sandbox/fathom/meetings", post(create_fathom))
        .route(
            "/_sandbox/fathom/meetings/{id}",
            axum::routing::patch(update_fathom).delete(delete_fathom),
        )
        .route("/_sandbox/webhooks", get(get_webhooks).put(put_webhooks))
        .route("/_sandbox/webhooks/deliveries", get(deliveries))
        .route(
            "/_sandbox/faults",
            post(add_fault).get(list_faults).delete(clear_faults),
        )
        .route("/_sandbox/rate-limits", axum::routing::put(set_rate_limits))
        .route("/_sandbox/oauth/revoke", post(revoke))
        .route(
            "/_sandbox/hubspot/private-app-tokens",
            post(create_private_app_token),
        )
        .route("/_sandbox/oauth/expire-access-tokens", post(expire))
        .route(
            "/_sandbox/oauth/redirect-uris",
            post(add_redirect).get(list_redirects),
        )
        .route("/_sandbox/clock/advance", post(advance_clock))
        .route("/_sandbox/requests", get(requests).delete(clear_requests))
        .route("/_sandbox/requests/clear", delete(clear_requests))
}

async fn config(State(sb): State<Sandbox>) -> Json<Value> {
    let o = sb.options();
    Json(json!({
        "seed": o.seed, "reps": o.reps, "weeks": o.weeks, "scale": o.scale,
        "now": o.now.to_rfc3339(), "portal_id": o.portal_id, "app_id": o.app_id,
        "hub_domain": o.hub_domain, "timezone": o.tz().name(), "hubspot_client_id": o.hubspot_client_id,
        "fathom_client_id": o.fathom_client_id, "fathom_team": o.fathom_team,
        "redirect_uris": sb.redirect_uris(), "access_token_ttl": o.access_token_ttl,
        "sandbox_now": crate::model::iso_ms(sb.now_ms()),
    }))
}

async fn truth(State(sb): State<Sandbox>) -> Json<Value> {
    Json(sb.counts())
}

async fn truth_kind(State(sb): State<Sandbox>, Path(ty): Path<String>) -> Response {
    match kind(&ty) {
        Ok(k) => Json(json!({"results": sb.dump(k)})).into_response(),
        Err(r) => r,
    }
}

async fn truth_owners(State(sb): State<Sandbox>) -> Json<Value> {
    let s = sb.store();
    Json(json!({"results": s.owners.iter().map(|o| json!({
        "id": o.id.to_string(), "userId": o.user_id, "email": o.email,
        "firstName": o.first_name, "lastName": o.last_name, "archived": o.archived,
    })).collect::<Vec<_>>()}))
}

async fn truth_lists(State(sb): State<Sandbox>) -> Json<Value> {
    let s = sb.store();
    Json(json!({"results": s.lists.iter().map(|l| json!({
        "listId": l.id.to_string(), "name": l.name,
        "members": l.members.iter().map(|m| m.0.to_string()).collect::<Vec<_>>(),
    })).collect::<Vec<_>>()}))
}

async fn truth_fathom(State(sb): State<Sandbox>) -> Json<Value> {
    let s = sb.store();
    let opts = sb.options();
    let items: Vec<Value> = s
        .fathom
        .iter()
        .filter(|m| !m.deleted)
        .map(|m| {
            crate::fathom::meetings::meeting_json(
                &s,
                opts,
                m,
                crate::fathom::meetings::Includes::default(),
            )
        })
        .collect();
    Json(json!({"results": items}))
}

/// Body of a create.
#[derive(Debug, Deserialize)]
struct CreateBody {
    #[serde(default)]
    properties: BTreeMap<String, Value>,
    /// `[{"type": "contacts", "id": "123"}]`
    #[serde(default)]
    associations: Vec<AssocRef>,
}

#[derive(Debug, Deserialize)]
struct AssocRef {
    #[serde(rename = "type")]
    kind: String,
    id: Value,
}

fn stringify(props: BTreeMap<String, Value>) -> BTreeMap<String, String> {
    props
        .into_iter()
        .map(|(k, v)| {
            let s = match v {
                Value::String(s) => s,
                Value::Null => String::new(),
                other => other.to_string(),
            };
            (k, s)
        })
        .collect()
}

fn id_of(v: &Value) -> Option<u64> {
    match v {
        Value::String(s) => s.parse().ok(),
        Value::Number(n) => n.as_u64(),
        _ => None,
    }
}

async fn create(
    State(sb): State<Sandbox>,
    Path(ty): Path<String>,
    Json(b): Json<CreateBody>,
) -> Response {
    let k = match kind(&ty) {
        Ok(k) => k,
        Err(r) => return r,
    };
    let mut assoc = Vec::new();
    for a in &b.associations {
        let (Some(ak), Some(id)) = (ObjectKind::parse(&a.kind), id_of(&a.id)) else {
            return err(StatusCode::BAD_REQUEST, "bad association reference");
        };
        assoc.push((ak, id));
    }
    match sb.create_record(k, stringify(b.properties), assoc) {
        Ok(v) => (StatusCode::CREATED, Json(v)).into_response(),
        Err(e) => record_err(e),
    }
}

#[derive(Debug, Deserialize)]
struct UpdateBody {
    #[serde(default)]
    properties: BTreeMap<String, Value>,
}

async fn update(
    State(sb): State<Sandbox>,
    Path((ty, id)): Path<(String, u64)>,
    Json(b): Json<UpdateBody>,
) -> Response {
    let k = match kind(&ty) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match sb.update_record(k, id, stringify(b.properties)) {
        Ok(v) => Json(v).into_response(),
        Err(e) => record_err(e),
    }
}

async fn archive(State(sb): State<Sandbox>, Path((ty, id)): Path<(String, u64)>) -> Response {
    let k = match kind(&ty) {
        Ok(k) => k,
        Err(r) => return r,
    };
    match sb.archive_record(k, id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => record_err(e),
    }
}

#[derive(Debug, Deserialize)]
struct AssociateBody {
    from_type: String,
    from_id: Value,
    to_type: String,
    to_id: Value,
}

async fn associate(State(sb): State<Sandbox>, Json(b): Json<AssociateBody>) -> Response {
    let (Some(a), Some(aid), Some(c), Some(cid)) = (
        ObjectKind::parse(&b.from_type),
        id_of(&b.from_id),
        ObjectKind::parse(&b.to_type),
        id_of(&b.to_id),
    ) else {
        return err(StatusCode::BAD_REQUEST, "bad association");
    };
    match sb.associate(a, aid, c, cid) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => record_err(e),
    }
}

#[derive(Debug, Deserialize)]
struct ListBody {
    name: String,
    #[serde(default)]
    record_ids: Vec<Value>,
}

async fn create_list(State(sb): State<Sandbox>, Json(b): Json<ListBody>) -> Response {
    let Some(ids) = b.record_ids.iter().map(id_of).collect::<Option<Vec<u64>>>() else {
        return err(StatusCode::BAD_REQUEST, "record_ids must be contact ids");
    };
    match sb.create_list(&b.name, &ids) {
        Ok(id) => (
            StatusCode::CREATED,
            Json(json!({"listId": id.to_string(), "name": b.name.trim()})),
        )
            .into_response(),
        Err(e) => record_err(e),
    }
}

async fn create_fathom(State(sb): State<Sandbox>, Json(b): Json<FathomMeetingInput>) -> Response {
    match sb.create_fathom_meeting(b) {
        Ok(v) => (StatusCode::CREATED, Json(v)).into_response(),
        Err(e) => record_err(e),
    }
}

#[derive(Debug, Deserialize)]
struct FathomUpdate {
    title: String,
}

async fn update_fathom(
    State(sb): State<Sandbox>,
    Path(id): Path<u64>,
    Json(b): Json<FathomUpdate>,
) -> Response {
    match sb.update_fathom_meeting(id, &b.title) {
        Ok(v) => Json(v).into_response(),
        Err(e) => record_err(e),
    }
}

async fn delete_fathom(State(sb): State<Sandbox>, Path(id): Path<u64>) -> Response {
    match sb.delete_fathom_meeting(id) {
        Ok(()) => StatusCode::NO_CONTENT.into_response(),
        Err(e) => record_err(e),
    }
}

async fn get_webhooks(State(sb): State<Sandbox>) -> Json<Value> {
    let t = sb.webhook_targets();
    Json(json!({
        "hubspot_url": t.hubspot_url,
        "fathom_url": t.fathom_url,
        "fathom_secret": sb.options().fathom_webhook_secret,
    }))
}

async fn put_webhooks(State(sb): State<Sandbox>, Json(t): Json<WebhookTargets>) -> Json<Value> {
    sb.set_webhook_targets(t.clone());
    Json(json!(t))
}

async fn deliveries(State(sb): State<Sandbox>) -> Json<Value> {
    Json(json!({"results": sb.deliveries()}))
}

/// Body of `POST /_sandbox/faults`.
#[derive(Debug, Deserialize)]
struct FaultBody {
    #[serde(flatten)]
    kind: FaultKind,
    #[serde(default)]
    count: Option<u32>,
    /// Duration of the fault in seconds (alternative to `count`).
    #[serde(default)]
    seconds: Option<u64>,
    #[serde(default)]
    provider: Option<Provider>,
}

async fn add_fault(State(sb): State<Sandbox>, Json(b): Json<FaultBody>) -> Response {
    if b.count.is_none() && b.seconds.is_none() {
        return err(StatusCode::BAD_REQUEST, "give count or seconds");
    }
    let f = Fault {
        kind: b.kind,
        count: b.count,
        until_ms: b.seconds.map(|s| sb.now_ms() + s as i64 * 1000),
        provider: b.provider,
    };
    sb.inject_fault(f.clone());
    (StatusCode::CREATED, Json(json!(f))).into_response()
}

async fn list_faults(State(sb): State<Sandbox>) -> Json<Value> {
    Json(json!({"results": sb.faults()}))
}

async fn clear_faults(State(sb): State<Sandbox>) -> StatusCode {
    sb.clear_faults();
    StatusCode::NO_CONTENT
}

#[derive(Debug, Deserialize)]
struct RateLimitBody {
    enabled: bool,
}

async fn set_rate_limits(State(sb): State<Sandbox>, Json(b): Json<RateLimitBody>) -> Json<Value> {
    sb.set_rate_limits_enabled(b.enabled);
    Json(json!({"enabled": b.enabled}))
}

#[derive(Debug, Deserialize, Default)]
struct PrivateAppBody {
    /// Scopes of the private app; every scope the sandbox knows when absent.
    #[serde(default)]
    scopes: Option<Vec<String>>,
}

/// Creates a private app and answers its access token, as HubSpot's settings
/// page shows it: `{"token": "pat-na1-…", "scopes": […]}`.
async fn create_private_app_token(
    State(sb): State<Sandbox>,
    body: Option<Json<PrivateAppBody>>,
) -> Json<Value> {
    let scopes = body.and_then(|Json(b)| b.scopes).unwrap_or_else(|| {
        crate::hubspot::scopes::KNOWN_SCOPES
            .iter()
            .map(|s| (*s).to_owned())
            .collect()
    });
    let refs: Vec<&str> = scopes.iter().map(String::as_str).collect();
    Json(json!({"token": sb.private_app_token(&refs), "scopes": scopes}))
}

#[derive(Debug, Deserialize)]
struct RevokeBody {
    #[serde(default)]
    refresh_token: Option<String>,
    /// One access token to revoke (a private-app token).
    #[serde(default)]
    access_token: Option<String>,
    #[serde(default)]
    provider: Option<Provider>,
}

async fn revoke(State(sb): State<Sandbox>, Json(b): Json<RevokeBody>) -> Response {
    if let Some(t) = b.access_token {
        return if sb.revoke_access_token(&t) {
            Json(json!({"revoked": 1})).into_response()
        } else {
            err(StatusCode::NOT_FOUND, "unknown access token")
        };
    }
    match b.refresh_token {
        Some(t) => {
            if sb.revoke_refresh_token(&t) {
                Json(json!({"revoked": 1})).into_response()
            } else {
                err(StatusCode::NOT_FOUND, "unknown refresh token")
            }
        }
        None => Json(json!({"revoked": sb.revoke_all_grants(b.provider)})).into_response(),
    }
}

#[derive(Debug, Deserialize, Default)]
struct ExpireBody {
    #[serde(default)]
    provider: Option<Provider>,
}

async fn expire(State(sb): State<Sandbox>, body: axum::body::Bytes) -> Json<Value> {
    let b: ExpireBody = serde_json::from_slice(&body).unwrap_or_default();
    Json(json!({"expired": sb.expire_access_tokens(b.provider)}))
}

#[derive(Debug, Deserialize)]
struct RedirectBody {
    uri: String,
}

async fn add_redirect(State(sb): State<Sandbox>, Json(b): Json<RedirectBody>) -> Json<Value> {
    sb.add_redirect_uri(b.uri);
    Json(json!({"redirect_uris": sb.redirect_uris()}))
}

async fn list_redirects(State(sb): State<Sandbox>) -> Json<Value> {
    Json(json!({"redirect_uris": sb.redirect_uris()}))
}

#[derive(Debug, Deserialize)]
struct ClockBody {
    seconds: u64,
}

async fn advance_clock(State(sb): State<Sandbox>, Json(b): Json<ClockBody>) -> Json<Value> {
    sb.advance_clock(std::time::Duration::from_secs(b.seconds));
    Json(json!({"now": crate::model::iso_ms(sb.now_ms())}))
}

async fn requests(State(sb): State<Sandbox>) -> Json<Value> {
    Json(json!({"results": sb.request_log()}))
}

async fn clear_requests(State(sb): State<Sandbox>) -> StatusCode {
    sb.clear_request_log();
    StatusCode::NO_CONTENT
}
