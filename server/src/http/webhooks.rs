//! `POST /webhooks/hubspot`, `POST /webhooks/fathom` and
//! `POST /webhooks/aircall`: signed (Aircall: token-carrying) deliveries
//! that queue a webhook-triggered run fetching just the changed records.
//! Refused deliveries (401 unsigned or stale, 400 malformed) change nothing.
//! An accepted one is in the webhook inbox (with its delivery ids, in one
//! transaction) before the 2xx goes out, so a crash loses nothing.

use std::collections::BTreeMap;

use axum::{
    Json, Router,
    body::Bytes,
    extract::{OriginalUri, State},
    http::{HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::post,
};
use secrecy::ExposeSecret as _;
use serde_json::{Value, json};

use app::domain::{ConnectionId, Provider};

use crate::{
    db::now_ms,
    state::AppState,
    sync::{
        Work, inbox,
        webhooks::{self, Refused},
    },
};

/// The webhook routes.
pub fn router() -> Router<AppState> {
    Router::new()
        .route("/webhooks/hubspot", post(hubspot))
        .route("/webhooks/fathom", post(fathom))
        .route("/webhooks/aircall", post(aircall))
}

fn refuse(r: &Refused) -> Response {
    let status = match r {
        Refused::Unauthorized(_) => StatusCode::UNAUTHORIZED,
        Refused::Malformed(_) => StatusCode::BAD_REQUEST,
    };
    tracing::warn!(reason = %r, "refused a webhook delivery");
    (status, Json(json!({"error": r.to_string()}))).into_response()
}

fn header<'a>(h: &'a HeaderMap, name: &str) -> Option<&'a str> {
    h.get(name).and_then(|v| v.to_str().ok())
}

fn failed(e: &anyhow::Error) -> Response {
    tracing::error!(error = format!("{e:#}"), "handling a webhook");
    StatusCode::INTERNAL_SERVER_ERROR.into_response()
}

async fn hubspot(
    State(state): State<AppState>,
    OriginalUri(uri): OriginalUri,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let Some(secret) = state
        .integrations
        .provider(Provider::Hubspot)
        .client
        .as_ref()
        .map(|c| c.client_secret.expose_secret().to_owned())
    else {
        return refuse(&Refused::Unauthorized("HubSpot is not configured"));
    };
    let full = match uri.query() {
        Some(q) => format!("{}{}?{q}", state.config.public_url, uri.path()),
        None => format!("{}{}", state.config.public_url, uri.path()),
    };
    if let Err(r) = webhooks::verify_hubspot(
        &secret,
        "POST",
        &full,
        &body,
        header(&headers, "x-hubspot-signature-v3"),
        header(&headers, "x-hubspot-request-timestamp"),
        now_ms(),
    ) {
        return refuse(&r);
    }
    let events = match webhooks::parse_hubspot(&body) {
        Ok(e) => e,
        Err(r) => return refuse(&r),
    };
    let queued = match queue_hubspot(&state, events).await {
        Ok(q) => q,
        Err(e) => return failed(&e),
    };
    kick(&state, queued);
    StatusCode::NO_CONTENT.into_response()
}

/// Records the fresh events' ids and queues their work per connection, in
/// one transaction; returns the connections that got work.
async fn queue_hubspot(
    state: &AppState,
    events: Vec<webhooks::HubspotEvent>,
) -> anyhow::Result<Vec<ConnectionId>> {
    let mut tx = state.db.begin_write().await?;
    let mut fresh: BTreeMap<String, Vec<_>> = BTreeMap::new();
    for e in events {
        if inbox::first_delivery(&mut tx, Provider::Hubspot, &e.0).await? {
            fresh.entry(e.1.clone()).or_default().push(e);
        }
    }
    let mut queued = Vec::new();
    for (portal, events) in fresh {
        let conns: Vec<(ConnectionId,)> = sqlx::query_as(
            "SELECT id FROM connections WHERE provider = $2 AND account_id = $1 \
             AND status NOT IN ('disconnected', 'needs_reauth')",
        )
        .bind(&portal)
        .bind(Provider::Hubspot.as_str())
        .fetch_all(&mut *tx)
        .await?;
        let work = webhooks::hubspot_work(&events);
        for (id,) in conns {
            inbox::push(&mut tx, id, &work).await?;
            queued.push(id);
        }
    }
    tx.commit().await?;
    Ok(queued)
}

/// Starts runs for queued work now where the lease is free.
fn kick(state: &AppState, connections: Vec<ConnectionId>) {
    for id in connections {
        let sync = state.sync.clone();
        tokio::spawn(async move {
            if let Err(e) = sync.drain(id).await {
                tracing::warn!(error = format!("{e:#}"), "starting a webhook run");
            }
        });
    }
}

async fn fathom(State(state): State<AppState>, headers: HeaderMap, body: Bytes) -> Response {
    let secret = match &state.config.fathom_webhook_secret {
        Some(s) => s.expose_secret().to_owned(),
        #[cfg(feature = "demo")]
        None if state.config.demo => crate::demo::fathom_webhook_secret(),
        None => return refuse(&Refused::Unauthorized("FATHOM_WEBHOOK_SECRET is not set")),
    };
    if let Err(r) = webhooks::verify_standard(
        &secret,
        header(&headers, "webhook-id"),
        header(&headers, "webhook-timestamp"),
        header(&headers, "webhook-signature"),
        &body,
        now_ms(),
    ) {
        return refuse(&r);
    }
    let meeting: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) if v.get("recording_id").is_some() => v,
        _ => {
            return refuse(&Refused::Malformed(
                "expected a meeting object with recording_id",
            ));
        }
    };
    let id = header(&headers, "webhook-id")
        .unwrap_or_default()
        .to_owned();
    let queued = match queue_fathom(&state, &id, meeting).await {
        Ok(q) => q,
        Err(e) => return failed(&e),
    };
    kick(&state, queued);
    StatusCode::NO_CONTENT.into_response()
}

/// Records the delivery id and queues the meeting for the recorder's
/// connections, in one transaction; returns the connections that got work.
async fn queue_fathom(
    state: &AppState,
    id: &str,
    meeting: Value,
) -> anyhow::Result<Vec<ConnectionId>> {
    let mut tx = state.db.begin_write().await?;
    if !inbox::first_delivery(&mut tx, Provider::Fathom, id).await? {
        return Ok(Vec::new());
    }
    let recorder = meeting["recorded_by"]["email"]
        .as_str()
        .unwrap_or_default()
        .to_lowercase();
    // The recorder's own connection, or any connection that has seen them.
    let conns: Vec<(ConnectionId,)> = sqlx::query_as(
        "SELECT c.id FROM connections c WHERE c.provider = $2 \
         AND c.status NOT IN ('disconnected', 'needs_reauth') AND (lower(c.account_id) = $1 \
         OR EXISTS (SELECT 1 FROM owners o WHERE o.connection_id = c.id AND o.external_id = $1))",
    )
    .bind(&recorder)
    .bind(Provider::Fathom.as_str())
    .fetch_all(&mut *tx)
    .await?;
    let work = Work::FathomMeetings(vec![meeting]);
    let mut queued = Vec::new();
    for (cid,) in conns {
        inbox::push(&mut tx, cid, &work).await?;
        queued.push(cid);
    }
    tx.commit().await?;
    Ok(queued)
}

/// Aircall's `call.ended`: the body carries the webhook's `token`, which
/// names the connection (Tally registered the webhook when connecting);
/// the call inside is queued whole. Other events are acknowledged and
/// ignored.
async fn aircall(State(state): State<AppState>, body: Bytes) -> Response {
    let delivery: Value = match serde_json::from_slice(&body) {
        Ok(v @ Value::Object(_)) => v,
        _ => return refuse(&Refused::Malformed("expected an Aircall webhook object")),
    };
    let Some(token) = delivery["token"].as_str().filter(|t| !t.is_empty()) else {
        return refuse(&Refused::Unauthorized("the delivery carries no token"));
    };
    let conns = match state.integrations.aircall_webhook_connections(token).await {
        Ok(c) => c,
        Err(e) => return failed(&e),
    };
    if conns.is_empty() {
        return refuse(&Refused::Unauthorized(
            "no Aircall connection has this webhook token",
        ));
    }
    if delivery["event"].as_str() != Some("call.ended") {
        return StatusCode::NO_CONTENT.into_response();
    }
    let call = delivery["data"].clone();
    if call.get("id").is_none() {
        return refuse(&Refused::Malformed("expected a call with an id in data"));
    }
    let id = format!("{}:{}", call["id"], delivery["timestamp"]);
    let queued = match queue_aircall(&state, &id, &conns, call).await {
        Ok(q) => q,
        Err(e) => return failed(&e),
    };
    kick(&state, queued);
    StatusCode::NO_CONTENT.into_response()
}

/// Records the delivery and queues the call for the connections, in one
/// transaction; returns the connections that got work.
async fn queue_aircall(
    state: &AppState,
    id: &str,
    conns: &[ConnectionId],
    call: Value,
) -> anyhow::Result<Vec<ConnectionId>> {
    let mut tx = state.db.begin_write().await?;
    if !inbox::first_delivery(&mut tx, Provider::Aircall, id).await? {
        return Ok(Vec::new());
    }
    let work = Work::AircallCalls(vec![call]);
    for cid in conns {
        inbox::push(&mut tx, *cid, &work).await?;
    }
    tx.commit().await?;
    Ok(conns.to_vec())
}
