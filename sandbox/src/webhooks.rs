//! Asynchronous, signed webhook delivery with a few retries, for both providers.
//!
//! Exists so control-API changes reach Tally's webhook endpoints the way HubSpot (v3
//! signature) and Fathom (Standard Webhooks) send them, without blocking the caller:
//! deliveries run on a spawned task and every attempt is recorded.

use std::time::Duration;

use serde::{Deserialize, Serialize};
use serde_json::Value;

use crate::model::iso_ms;
use crate::signature::{hubspot_signature_v3, standard_webhook_signature};
use crate::{Provider, Sandbox};

/// Where webhooks go.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct WebhookTargets {
    pub hubspot_url: Option<String>,
    pub fathom_url: Option<String>,
}

/// One delivery attempt.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct Delivery {
    pub provider: Provider,
    pub url: String,
    /// 0-based attempt number.
    pub attempt: u32,
    /// HTTP status, or None when the request failed.
    pub status: Option<u16>,
    pub error: Option<String>,
    pub ok: bool,
    pub timestamp: String,
    /// The JSON body that was sent.
    pub body: Value,
}

/// Attempts per delivery and the pause before each retry.
const BACKOFF_MS: [u64; 3] = [0, 250, 1000];

impl Sandbox {
    /// Sends HubSpot events (an array) to the HubSpot target, if one is set.
    pub(crate) fn send_hubspot(&self, events: Vec<Value>) {
        let Some(url) = self.webhook_targets().hubspot_url else {
            return;
        };
        if tokio::runtime::Handle::try_current().is_err() {
            tracing::warn!("no tokio runtime: HubSpot webhook not delivered");
            return;
        }
        if events.is_empty() {
            return;
        }
        let sb = self.clone();
        tokio::spawn(async move {
            for (attempt, pause) in BACKOFF_MS.iter().enumerate() {
                tokio::time::sleep(Duration::from_millis(*pause)).await;
                let body: Vec<Value> = events
                    .iter()
                    .cloned()
                    .map(|mut e| {
                        e["attemptNumber"] = serde_json::json!(attempt);
                        e
                    })
                    .collect();
                let raw = serde_json::to_string(&body).unwrap_or_default();
                let ts = chrono::Utc::now().timestamp_millis();
                let sig = hubspot_signature_v3(
                    &sb.inner.opts.hubspot_client_secret,
                    "POST",
                    &url,
                    &raw,
                    ts,
                );
                let req = sb
                    .inner
                    .http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("x-hubspot-signature-v3", sig)
                    .header("x-hubspot-request-timestamp", ts.to_string())
                    .body(raw);
                if sb
                    .attempt(
                        Provider::Hubspot,
                        &url,
                        attempt as u32,
                        req,
                        Value::Array(body),
                    )
                    .await
                {
                    break;
                }
            }
        });
    }

    /// Sends a Fathom payload to one target, signed with that target's secret.
    pub(crate) fn send_fathom(&self, url: String, secret: String, payload: Value) {
        if tokio::runtime::Handle::try_current().is_err() {
            tracing::warn!("no tokio runtime: Fathom webhook not delivered");
            return;
        }
        let sb = self.clone();
        let msg_id = format!("msg_{}", crate::grants::random_token("", 18));
        tokio::spawn(async move {
            let raw = serde_json::to_string(&payload).unwrap_or_default();
            for (attempt, pause) in BACKOFF_MS.iter().enumerate() {
                tokio::time::sleep(Duration::from_millis(*pause)).await;
                let ts = chrono::Utc::now().timestamp();
                let sig = match standard_webhook_signature(&secret, &msg_id, ts, &raw) {
                    Ok(s) => s,
                    Err(e) => {
                        tracing::error!(error = %e, "fathom webhook secret is invalid");
                        return;
                    }
                };
                let req = sb
                    .inner
                    .http
                    .post(&url)
                    .header("content-type", "application/json")
                    .header("webhook-id", &msg_id)
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", sig)
                    .body(raw.clone());
                if sb
                    .attempt(Provider::Fathom, &url, attempt as u32, req, payload.clone())
                    .await
                {
                    break;
                }
            }
        });
    }

    /// Sends one attempt and records it; true on a 2xx.
    async fn attempt(
        &self,
        provider: Provider,
        url: &str,
        attempt: u32,
        req: reqwest::RequestBuilder,
        body: Value,
    ) -> bool {
        let (status, error) = match req.send().await {
            Ok(r) => (Some(r.status().as_u16()), None),
            Err(e) => (None, Some(e.to_string())),
        };
        let ok = status.is_some_and(|s| (200..300).contains(&s));
        crate::push_capped(
            &self.inner.deliveries,
            Delivery {
                provider,
                url: url.to_string(),
                attempt,
                status,
                error,
                ok,
                timestamp: iso_ms(self.now_ms()),
                body,
            },
        );
        ok
    }
}
