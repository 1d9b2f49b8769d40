//! The layer in front of every provider route: fault injection, rate limiting, rate-limit
//! headers and the request log.
//!
//! Exists so handlers only implement API semantics; everything cross-cutting happens here.

use std::time::{Duration, Instant};

use axum::body::Body;
use axum::extract::{Request, State};
use axum::http::{HeaderValue, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use serde_json::json;

use crate::faults::FaultKind;
use crate::model::iso_ms;
use crate::request_log::{RequestLogEntry, redact_path, redact_query};
use crate::{Provider, Sandbox, hubspot, lock};

fn classify(path: &str) -> Option<Provider> {
    if path.starts_with("/hubspot/") {
        Some(Provider::Hubspot)
    } else if path.starts_with("/fathom/") {
        Some(Provider::Fathom)
    } else if path.starts_with("/autotask/") {
        Some(Provider::Autotask)
    } else if path.starts_with("/aircall/") {
        Some(Provider::Aircall)
    } else {
        None
    }
}

/// HubSpot API paths that count against limits (OAuth endpoints don't).
fn hubspot_limited(path: &str) -> bool {
    !path.starts_with("/hubspot/oauth/")
}

fn is_crm_search(path: &str) -> bool {
    path.starts_with("/hubspot/crm/") && path.ends_with("/search") && !path.contains("/lists/")
}

fn fathom_limited(path: &str) -> bool {
    !path.starts_with("/fathom/external/v1/oauth2/")
}

fn dropped_response() -> Response {
    let stream = futures::stream::once(async {
        Err::<axum::body::Bytes, std::io::Error>(std::io::Error::new(
            std::io::ErrorKind::ConnectionAborted,
            "sandbox: injected connection drop",
        ))
    });
    Response::builder()
        .status(StatusCode::OK)
        .header("content-type", "application/json")
        .body(Body::from_stream(stream))
        .unwrap_or_default()
}

fn fault_status_response(provider: Provider, status: u16) -> Response {
    let code = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    match provider {
        Provider::Hubspot => hubspot::errors::error(
            code,
            "INTERNAL_ERROR",
            "internal error (injected by the sandbox)",
        ),
        Provider::Fathom => (
            code,
            axum::Json(json!({"error": "internal error (injected by the sandbox)"})),
        )
            .into_response(),
        Provider::Autotask => {
            crate::autotask::error(code, "internal error (injected by the sandbox)")
        }
        Provider::Aircall => crate::aircall::error(
            code,
            "Internal Server Error",
            "internal error (injected by the sandbox)",
        ),
    }
}

fn fathom_429(reset: Duration) -> Response {
    let mut r = (
        StatusCode::TOO_MANY_REQUESTS,
        axum::Json(json!({"error": "Rate limit exceeded"})),
    )
        .into_response();
    let secs = reset.as_secs_f64().ceil() as u64;
    if let Ok(v) = HeaderValue::from_str(&secs.to_string()) {
        r.headers_mut().insert("retry-after", v.clone());
        r.headers_mut().insert("ratelimit-reset", v);
    }
    r
}

fn set_header(r: &mut Response, name: &'static str, value: String) {
    if let Ok(v) = HeaderValue::from_str(&value) {
        r.headers_mut().insert(name, v);
    }
}

/// The provider layer.
pub async fn provider_layer(State(sb): State<Sandbox>, req: Request, next: Next) -> Response {
    let path = req.uri().path().to_string();
    let Some(provider) = classify(&path) else {
        return next.run(req).await;
    };
    let method = req.method().to_string();
    let query = req.uri().query().unwrap_or("").to_string();
    let now = sb.now_ms();

    let mut fault_label = None;
    let mut rate_limited = false;
    let fault = lock(&sb.inner.faults).take(provider, now);
    let mut early: Option<Response> = None;
    match fault {
        Some(FaultKind::Delay { ms }) => {
            fault_label = Some(format!("delay {ms}ms"));
            tokio::time::sleep(Duration::from_millis(ms)).await;
        }
        Some(FaultKind::Status { status }) => {
            fault_label = Some(format!("status {status}"));
            early = Some(fault_status_response(provider, status));
        }
        Some(FaultKind::Drop) => {
            fault_label = Some("drop".into());
            early = Some(dropped_response());
        }
        Some(FaultKind::RateLimit) => {
            fault_label = Some("rate_limit".into());
            rate_limited = true;
            early = Some(match provider {
                Provider::Hubspot => {
                    hubspot::limits::too_many(is_crm_search(&path), &sb.inner.opts.limits)
                }
                Provider::Fathom => {
                    let mut r = fathom_429(Duration::from_secs(60));
                    set_header(
                        &mut r,
                        "ratelimit-limit",
                        sb.inner.opts.limits.fathom_per_window.to_string(),
                    );
                    set_header(&mut r, "ratelimit-remaining", "0".into());
                    r
                }
                Provider::Autotask => crate::autotask::too_many(),
                Provider::Aircall => crate::aircall::too_many(&sb),
            });
        }
        None => {}
    }

    let limits_on = sb
        .inner
        .rate_limits_enabled
        .load(std::sync::atomic::Ordering::SeqCst);
    let mut headers_to_add: Vec<(&'static str, String)> = Vec::new();
    if early.is_none() && limits_on {
        let instant = Instant::now();
        match provider {
            Provider::Hubspot if hubspot_limited(&path) => {
                if is_crm_search(&path) {
                    let a = lock(&sb.inner.hubspot_search_window).hit(instant);
                    if !a.allowed {
                        rate_limited = true;
                        early = Some(hubspot::limits::too_many(true, &sb.inner.opts.limits));
                    }
                } else {
                    let a = lock(&sb.inner.hubspot_window).hit(instant);
                    if a.allowed {
                        headers_to_add = hubspot::limits::headers(&a, &sb.inner.opts.limits);
                    } else {
                        rate_limited = true;
                        let mut r = hubspot::limits::too_many(false, &sb.inner.opts.limits);
                        for (k, v) in hubspot::limits::headers(&a, &sb.inner.opts.limits) {
                            set_header(&mut r, k, v);
                        }
                        early = Some(r);
                    }
                }
            }
            Provider::Fathom if fathom_limited(&path) => {
                let a = lock(&sb.inner.fathom_window).hit(instant);
                let hs = vec![
                    ("ratelimit-limit", a.max.to_string()),
                    ("ratelimit-remaining", a.remaining.to_string()),
                    (
                        "ratelimit-reset",
                        (a.reset.as_secs_f64().ceil() as u64).to_string(),
                    ),
                ];
                if a.allowed {
                    headers_to_add = hs;
                } else {
                    rate_limited = true;
                    let mut r = fathom_429(a.reset);
                    for (k, v) in hs {
                        set_header(&mut r, k, v);
                    }
                    early = Some(r);
                }
            }
            Provider::Autotask => match crate::autotask::limit(&sb, &path) {
                Ok(hs) => headers_to_add = hs,
                Err(r) => {
                    rate_limited = true;
                    early = Some(r);
                }
            },
            Provider::Aircall => match crate::aircall::limit(&sb, &path) {
                Ok(hs) => headers_to_add = hs,
                Err(r) => {
                    rate_limited = true;
                    early = Some(r);
                }
            },
            _ => {}
        }
    }

    let mut resp = match early {
        Some(r) => r,
        None => next.run(req).await,
    };
    for (k, v) in headers_to_add {
        set_header(&mut resp, k, v);
    }
    if provider == Provider::Hubspot && !resp.headers().contains_key("x-hubspot-correlation-id") {
        set_header(
            &mut resp,
            "x-hubspot-correlation-id",
            crate::grants::uuid_like(),
        );
    }
    let status = resp.status().as_u16();
    let entry = RequestLogEntry {
        provider: match provider {
            Provider::Hubspot => "hubspot".into(),
            Provider::Fathom => "fathom".into(),
            Provider::Autotask => "autotask".into(),
            Provider::Aircall => "aircall".into(),
        },
        method,
        path: redact_path(&path),
        query: redact_query(&query),
        status,
        timestamp: iso_ms(now),
        timestamp_ms: now,
        rate_limited: rate_limited || status == 429,
        fault: fault_label,
    };
    tracing::info!(
        method = %entry.method,
        path = %entry.path,
        status = entry.status,
        rate_limited = entry.rate_limited,
        fault = entry.fault.as_deref().unwrap_or(""),
        "sandbox request"
    );
    crate::push_capped(&sb.inner.log, entry);
    resp
}

/// Unknown routes: a 404 in the shape of the provider the path belongs to.
pub async fn not_found(uri: axum::http::Uri) -> Response {
    let path = uri.path().to_string();
    match classify(&path) {
        Some(Provider::Hubspot) => hubspot::errors::error(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            &format!("No sandbox HubSpot route for {}", redact_path(&path)),
        ),
        Some(Provider::Fathom) => (
            StatusCode::NOT_FOUND,
            axum::Json(
                json!({"error": "not_found", "error_description": "No such Fathom endpoint"}),
            ),
        )
            .into_response(),
        Some(Provider::Autotask) => crate::autotask::error(
            StatusCode::NOT_FOUND,
            &format!("No sandbox Autotask route for {}", redact_path(&path)),
        ),
        Some(Provider::Aircall) => crate::aircall::error(
            StatusCode::NOT_FOUND,
            "Not Found",
            "No such Aircall endpoint",
        ),
        None => (
            StatusCode::NOT_FOUND,
            axum::Json(json!({"error": "unknown sandbox route"})),
        )
            .into_response(),
    }
}
