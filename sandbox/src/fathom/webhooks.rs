//! Fathom webhooks: `POST /webhooks` / `DELETE /webhooks/{id}` and the "new meeting content
//! ready" payload.
//!
//! Exists so Tally can register its webhook through the API after an OAuth connect, as with
//! real Fathom. Each registered webhook gets its own `whsec_` secret, `include_*` flags and
//! `triggered_for` rules; the payload is the Meeting object with the requested includes,
//! signed per Standard Webhooks by [`crate::webhooks`]. The statically configured target
//! (`fathom_webhook_url`) receives every new meeting with transcript, summary and action items.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use rand::Rng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::meetings::{Includes, connected_email, meeting_json};
use super::{authenticate, error};
use crate::model::iso_s;
use crate::options::SandboxOptions;
use crate::store::{FathomMeeting, Store};
use crate::{Sandbox, lock};

/// A webhook registered through the API.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct FathomWebhook {
    pub id: String,
    pub url: String,
    /// `whsec_...`; returned when created.
    #[serde(skip)]
    pub secret: String,
    pub created_at: i64,
    pub include_transcript: bool,
    pub include_summary: bool,
    pub include_action_items: bool,
    pub include_crm_matches: bool,
    pub triggered_for: Vec<String>,
}

impl FathomWebhook {
    fn includes(&self) -> Includes {
        Includes {
            transcript: self.include_transcript,
            summary: self.include_summary,
            action_items: self.include_action_items,
            crm_matches: self.include_crm_matches,
        }
    }

    /// Whether a recording by `recorder_email` triggers this webhook for `me`.
    fn wants(&self, recorder_email: &str, me: &str) -> bool {
        let mine = recorder_email.eq_ignore_ascii_case(me);
        self.triggered_for.iter().any(|t| match t.as_str() {
            "my_recordings" => mine,
            "shared_external_recordings"
            | "my_shared_with_team_recordings"
            | "shared_team_recordings" => !mine,
            _ => false,
        })
    }

    fn json(&self, with_secret: bool) -> Value {
        let mut v = json!({
            "id": self.id,
            "url": self.url,
            "created_at": iso_s(self.created_at),
            "include_transcript": self.include_transcript,
            "include_summary": self.include_summary,
            "include_action_items": self.include_action_items,
            "include_crm_matches": self.include_crm_matches,
            "triggered_for": self.triggered_for,
        });
        if with_secret {
            v["secret"] = json!(self.secret);
        }
        v
    }
}

/// The default payload (static target): the Meeting with transcript, summary, action items.
pub fn payload(s: &Store, opts: &SandboxOptions, m: &FathomMeeting) -> Value {
    meeting_json(s, opts, m, Includes::webhook())
}

/// `(url, secret, body)` for every target that wants this meeting.
pub fn deliveries_for(sb: &Sandbox, s: &Store, m: &FathomMeeting) -> Vec<(String, String, Value)> {
    let opts = &sb.inner.opts;
    let mut out = Vec::new();
    if let Some(url) = sb.webhook_targets().fathom_url {
        out.push((url, opts.fathom_webhook_secret.clone(), payload(s, opts, m)));
    }
    let me = connected_email(sb, s);
    let recorder = s
        .owners
        .get(m.recorder)
        .map(|o| o.email.clone())
        .unwrap_or_default();
    for w in lock(&sb.inner.fathom_webhooks).iter() {
        if w.wants(&recorder, &me) {
            out.push((
                w.url.clone(),
                w.secret.clone(),
                meeting_json(s, opts, m, w.includes()),
            ));
        }
    }
    out
}

/// Body of `POST /webhooks`.
#[derive(Debug, Deserialize)]
pub struct CreateWebhook {
    destination_url: String,
    #[serde(default)]
    triggered_for: Vec<String>,
    #[serde(default)]
    include_transcript: bool,
    #[serde(default)]
    include_summary: bool,
    #[serde(default)]
    include_action_items: bool,
    #[serde(default)]
    include_crm_matches: bool,
}

const TRIGGERS: &[&str] = &[
    "my_recordings",
    "shared_external_recordings",
    "my_shared_with_team_recordings",
    "shared_team_recordings",
];

/// `POST /webhooks`.
pub async fn create(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let b: CreateWebhook = match serde_json::from_slice(&body) {
        Ok(b) => b,
        Err(e) => return error(StatusCode::BAD_REQUEST, "invalid_request", &e.to_string()),
    };
    if !b.destination_url.starts_with("http://") && !b.destination_url.starts_with("https://") {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "destination_url must be an http(s) URL",
        );
    }
    if b.triggered_for.is_empty()
        || b.triggered_for
            .iter()
            .any(|t| !TRIGGERS.contains(&t.as_str()))
    {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "triggered_for needs at least one of my_recordings, shared_external_recordings, my_shared_with_team_recordings, shared_team_recordings",
        );
    }
    let key: [u8; 24] = rand::thread_rng().r#gen();
    let w = FathomWebhook {
        id: crate::grants::random_token("", 9),
        url: b.destination_url,
        secret: format!("whsec_{}", STANDARD.encode(key)),
        created_at: sb.now_ms(),
        include_transcript: b.include_transcript,
        include_summary: b.include_summary,
        include_action_items: b.include_action_items,
        include_crm_matches: b.include_crm_matches,
        triggered_for: b.triggered_for,
    };
    let out = w.json(true);
    lock(&sb.inner.fathom_webhooks).push(w);
    (StatusCode::CREATED, Json(out)).into_response()
}

/// `DELETE /webhooks/{id}`.
pub async fn delete(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let mut hooks = lock(&sb.inner.fathom_webhooks);
    let before = hooks.len();
    hooks.retain(|w| w.id != id);
    if hooks.len() == before {
        return error(StatusCode::NOT_FOUND, "not_found", "Webhook not found");
    }
    StatusCode::NO_CONTENT.into_response()
}

impl Sandbox {
    /// Webhooks registered through Fathom's `POST /webhooks` (secrets omitted).
    pub fn fathom_webhooks(&self) -> Vec<Value> {
        lock(&self.inner.fathom_webhooks)
            .iter()
            .map(|w| w.json(false))
            .collect()
    }
}
