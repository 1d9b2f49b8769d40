//! Aircall webhooks: `POST`/`GET /v1/webhooks`, `GET`/`DELETE /v1/webhooks/{id}`, and
//! the deliveries when a call is added.
//!
//! Exists so Tally can register for `call.ended` through the API and trust deliveries by
//! their `token`. Each webhook gets a UUID `webhook_id` and its own random 32-hex `token`
//! (returned on creation and listing); `events` defaults to every call and user event.
//! Aircall signs nothing: the payload `{"resource", "event", "timestamp", "token", "data"}`
//! carries the webhook's token, which the receiver compares. `call.created` sends the call
//! as it was when it started ringing (`status: "initial"`), `call.ended` the finished call.
//! Deliveries are awaited (one attempt each, as Aircall retries are not modelled) and
//! logged as [`crate::webhooks::Delivery`] entries.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::auth::authenticate;
use super::model::{Call, api_base, call_json, initial_call_json};
use super::paging::{LinkCtx, Page};
use super::{error, not_found};
use crate::model::iso_ms;
use crate::webhooks::Delivery;
use crate::{Provider, Sandbox, lock, util};

/// The events a webhook may subscribe to.
pub const EVENTS: &[&str] = &[
    "call.created",
    "call.ringing_on_agent",
    "call.agent_declined",
    "call.answered",
    "call.transferred",
    "call.unsuccessful_transfer",
    "call.hungup",
    "call.ended",
    "call.voicemail_left",
    "call.assigned",
    "call.archived",
    "call.tagged",
    "call.untagged",
    "call.commented",
    "call.comm_assets_generated",
    "user.created",
    "user.deleted",
    "user.connected",
    "user.disconnected",
    "user.opened",
    "user.closed",
    "user.wut_start",
    "user.wut_end",
];

/// A registered webhook.
#[derive(Clone)]
pub struct Webhook {
    pub id: String,
    pub custom_name: String,
    pub url: String,
    pub events: Vec<String>,
    pub token: String,
    pub active: bool,
    /// Epoch ms.
    pub created_ms: i64,
}

impl std::fmt::Debug for Webhook {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Webhook")
            .field("id", &self.id)
            .field("url", &self.url)
            .field("events", &self.events)
            .field("active", &self.active)
            .finish_non_exhaustive()
    }
}

/// The Webhook object.
pub fn webhook_json(base: &str, w: &Webhook) -> Value {
    json!({
        "webhook_id": w.id,
        "direct_link": format!("{base}/v1/webhooks/{}", w.id),
        "created_at": iso_ms(w.created_ms),
        "url": w.url,
        "active": w.active,
        "token": w.token,
        "events": w.events,
        "custom_name": w.custom_name,
    })
}

/// Every webhook, oldest first.
pub fn all(sb: &Sandbox) -> Vec<Value> {
    let base = api_base(&sb.inner.opts);
    lock(&sb.inner.aircall)
        .webhooks
        .iter()
        .map(|w| webhook_json(&base, w))
        .collect()
}

/// Body of `POST /v1/webhooks`.
#[derive(Debug, Deserialize)]
struct CreateWebhook {
    url: String,
    #[serde(default)]
    custom_name: Option<String>,
    #[serde(default)]
    events: Option<Vec<String>>,
}

fn bad(msg: &str) -> Response {
    error(StatusCode::BAD_REQUEST, "Bad Request", msg)
}

/// `POST /v1/webhooks`.
pub async fn create(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let b: CreateWebhook = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(_) => return bad("Body must be JSON with a url"),
    };
    if !b.url.starts_with("https://") && !b.url.starts_with("http://") {
        return bad("url must be a valid http(s) URL");
    }
    let events = b
        .events
        .unwrap_or_else(|| EVENTS.iter().map(|e| (*e).to_string()).collect());
    if events.is_empty() || events.iter().any(|e| !EVENTS.contains(&e.as_str())) {
        return bad("events must be a list of known Aircall events, e.g. call.ended");
    }
    let w = Webhook {
        id: uuid::Uuid::new_v4().to_string(),
        custom_name: b.custom_name.unwrap_or_else(|| "Webhook".into()),
        url: b.url,
        events,
        token: crate::util::random_hex(16),
        active: true,
        created_ms: sb.now_ms(),
    };
    let out = webhook_json(&api_base(&sb.inner.opts), &w);
    lock(&sb.inner.aircall).webhooks.push(w);
    (StatusCode::CREATED, Json(json!({"webhook": out}))).into_response()
}

/// `GET /v1/webhooks`.
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
    let hooks = all(&sb);
    let page: Vec<Value> = hooks[p.range(hooks.len())].to_vec();
    let ctx = LinkCtx {
        sb: &sb,
        headers: &headers,
        uri: &uri,
        original: &original,
    };
    let meta = ctx.meta(&pairs, p, page.len(), hooks.len());
    Json(json!({"webhooks": page, "meta": meta})).into_response()
}

/// `GET /v1/webhooks/{id}`.
pub async fn get(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let base = api_base(&sb.inner.opts);
    let st = lock(&sb.inner.aircall);
    match st.webhooks.iter().find(|w| w.id == id) {
        Some(w) => Json(json!({"webhook": webhook_json(&base, w)})).into_response(),
        None => not_found("Webhook"),
    }
}

/// `DELETE /v1/webhooks/{id}`.
pub async fn delete(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let mut st = lock(&sb.inner.aircall);
    let before = st.webhooks.len();
    st.webhooks.retain(|w| w.id != id);
    if st.webhooks.len() == before {
        return not_found("Webhook");
    }
    StatusCode::NO_CONTENT.into_response()
}

/// `(url, payloads in order)` for every active webhook that wants `call.created` or
/// `call.ended` of `call`.
fn targets(sb: &Sandbox, call: &Call) -> Vec<(String, Vec<Value>)> {
    let base = api_base(&sb.inner.opts);
    let now_s = sb.now_ms() / 1000;
    let st = lock(&sb.inner.aircall);
    let created = initial_call_json(&base, call, &st.users, &st.numbers);
    let ended = call_json(&base, call, &st.users, &st.numbers);
    st.webhooks
        .iter()
        .filter(|w| w.active)
        .filter_map(|w| {
            let bodies: Vec<Value> = [("call.created", &created), ("call.ended", &ended)]
                .into_iter()
                .filter(|(e, _)| w.events.iter().any(|x| x == e))
                .map(|(e, data)| {
                    json!({"resource": "call", "event": e, "timestamp": now_s, "token": w.token, "data": data})
                })
                .collect();
            (!bodies.is_empty()).then(|| (w.url.clone(), bodies))
        })
        .collect()
}

/// POSTs one payload and logs the attempt; true on a 2xx.
async fn post(sb: &Sandbox, url: &str, body: Value) -> bool {
    let res = sb
        .inner
        .http
        .post(url)
        .header("content-type", "application/json")
        .body(serde_json::to_string(&body).unwrap_or_default())
        .send()
        .await;
    let (status, err) = match res {
        Ok(r) => (Some(r.status().as_u16()), None),
        Err(e) => (None, Some(e.to_string())),
    };
    let ok = status.is_some_and(|s| (200..300).contains(&s));
    crate::push_capped(
        &sb.inner.deliveries,
        Delivery {
            provider: Provider::Aircall,
            url: url.to_string(),
            attempt: 0,
            status,
            error: err,
            ok,
            timestamp: iso_ms(sb.now_ms()),
            body,
        },
    );
    ok
}

/// Sends `call.created` then `call.ended` to every webhook that wants them (webhooks in
/// parallel) and waits for all of them.
pub async fn deliver_call(sb: &Sandbox, call: &Call) {
    let sends = targets(sb, call)
        .into_iter()
        .map(|(url, bodies)| async move {
            for b in bodies {
                post(sb, &url, b).await;
            }
        });
    futures::future::join_all(sends).await;
}
