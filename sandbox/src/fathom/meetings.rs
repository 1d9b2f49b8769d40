//! Fathom meetings (`GET /meetings`), transcripts, summaries, users and teams.
//!
//! Exists to serve the Meeting object as fathom-python 0.0.43 models it, newest first,
//! with an opaque cursor that is a position key (found by binary search, so paging is
//! O(log n) per page plus the filtered scan).

use axum::Json;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde_json::{Value, json};

use super::{Caller, authenticate, error};
use crate::Sandbox;
use crate::generate::fathom::{summary as summary_text, transcript as transcript_lines};
use crate::model::{iso_ms, iso_s, parse_time};
use crate::options::SandboxOptions;
use crate::store::{FathomMeeting, Store};
use crate::util::{first, query_pairs};

/// Optional parts of a Meeting.
#[derive(Debug, Clone, Copy, Default)]
pub struct Includes {
    pub transcript: bool,
    pub summary: bool,
    pub action_items: bool,
    pub crm_matches: bool,
}

impl Includes {
    /// What webhooks carry.
    pub fn webhook() -> Includes {
        Includes {
            transcript: true,
            summary: true,
            action_items: true,
            crm_matches: false,
        }
    }
}

fn domain(email: &str) -> &str {
    email.rsplit('@').next().unwrap_or("")
}

fn recorder_name(s: &Store, m: &FathomMeeting) -> String {
    s.owners
        .get(m.recorder)
        .map(|o| format!("{} {}", o.first_name, o.last_name))
        .unwrap_or_default()
}

fn transcript_json(s: &Store, m: &FathomMeeting) -> Value {
    let name = recorder_name(s, m);
    let lines: Vec<Value> = transcript_lines(m, &name)
        .into_iter()
        .map(|(speaker, text, ts)| {
            let email = m
                .invitees
                .iter()
                .find(|i| i.name == speaker)
                .map(|i| i.email.clone());
            json!({
                "speaker": {"display_name": speaker, "matched_calendar_invitee_email": email},
                "text": text,
                "timestamp": ts,
            })
        })
        .collect();
    Value::Array(lines)
}

fn summary_json(m: &FathomMeeting) -> Value {
    json!({"template_name": "General", "markdown_formatted": summary_text(m)})
}

/// Renders a Meeting.
pub fn meeting_json(s: &Store, opts: &SandboxOptions, m: &FathomMeeting, inc: Includes) -> Value {
    let owner = s.owners.get(m.recorder);
    let external = m.invitees.iter().any(|i| i.external);
    let invitees: Vec<Value> = m
        .invitees
        .iter()
        .map(|i| {
            json!({
                "name": i.name,
                "matched_speaker_display_name": null,
                "email": i.email,
                "email_domain": domain(&i.email),
                "is_external": i.external,
            })
        })
        .collect();
    let share =
        URL_SAFE_NO_PAD.encode((m.recording_id.wrapping_mul(0x9E37_79B9_7F4A_7C15)).to_be_bytes());
    let mut v = json!({
        "title": m.title,
        "meeting_title": m.meeting_title,
        "recording_id": m.recording_id,
        "url": format!("https://fathom.video/calls/{}", m.recording_id),
        "share_url": format!("https://fathom.video/share/{share}"),
        "created_at": iso_s(m.created_at),
        "scheduled_start_time": iso_s(m.scheduled_start),
        "scheduled_end_time": iso_s(m.scheduled_end),
        "recording_start_time": iso_s(m.recording_start),
        "recording_end_time": iso_s(m.recording_end),
        "calendar_invitees_domains_type": if external { "one_or_more_external" } else { "only_internal" },
        "transcript_language": "en",
        "meeting_type": m.meeting_type,
        "meeting_url": format!("https://zoom.us/j/{}", 80_000_000_000u64 + m.recording_id),
        "shared_with": "single_team",
        "calendar_invitees": invitees,
        "recorded_by": {
            "name": owner.map(|o| format!("{} {}", o.first_name, o.last_name)),
            "email": owner.map(|o| o.email.clone()),
            "email_domain": owner.map(|o| domain(&o.email).to_string()),
            "team": opts.fathom_team,
        },
        "transcript": null,
        "default_summary": null,
        "action_items": null,
        "crm_matches": null,
    });
    if inc.transcript {
        v["transcript"] = transcript_json(s, m);
    }
    if inc.summary {
        v["default_summary"] = summary_json(m);
    }
    if inc.action_items {
        v["action_items"] = json!([{
            "description": "Send managed services proposal",
            "user_generated": false,
            "completed": false,
            "recording_timestamp": "00:04:10",
            "recording_playback_url": format!("https://fathom.video/calls/{}?timestamp=250", m.recording_id),
            "assignee": {"name": owner.map(|o| format!("{} {}", o.first_name, o.last_name)), "email": owner.map(|o| o.email.clone()), "team": opts.fathom_team},
        }]);
    }
    if inc.crm_matches {
        v["crm_matches"] =
            json!({"contacts": [], "companies": [], "deals": [], "error": "no CRM connected"});
    }
    v
}

fn encode_cursor(key: (i64, u64)) -> String {
    URL_SAFE_NO_PAD.encode(format!("{}:{}", key.0, key.1))
}

fn decode_cursor(c: &str) -> Option<(i64, u64)> {
    let raw = String::from_utf8(URL_SAFE_NO_PAD.decode(c).ok()?).ok()?;
    let (a, b) = raw.split_once(':')?;
    Some((a.parse().ok()?, b.parse().ok()?))
}

fn multi(pairs: &[(String, String)], key: &str) -> Vec<String> {
    let bracket = format!("{key}[]");
    pairs
        .iter()
        .filter(|(k, _)| k == key || *k == bracket)
        .map(|(_, v)| v.to_lowercase())
        .collect()
}

fn flag(pairs: &[(String, String)], key: &str) -> bool {
    first(pairs, key).is_some_and(|v| v == "true" || v == "1")
}

/// `GET /meetings`.
pub async fn list(State(sb): State<Sandbox>, uri: Uri, headers: HeaderMap) -> Response {
    let caller = match authenticate(&sb, &headers) {
        Ok(c) => c,
        Err(r) => return r,
    };
    let pairs = query_pairs(&uri);
    let inc = Includes {
        transcript: flag(&pairs, "include_transcript"),
        summary: flag(&pairs, "include_summary"),
        action_items: flag(&pairs, "include_action_items"),
        crm_matches: flag(&pairs, "include_crm_matches"),
    };
    if caller == Caller::OAuth && (inc.transcript || inc.summary) {
        return error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "include_transcript and include_summary are not available to OAuth connected apps. Use GET /recordings/{recording_id}/transcript and GET /recordings/{recording_id}/summary instead.",
        );
    }
    let limit = first(&pairs, "limit")
        .and_then(|l| l.parse::<usize>().ok())
        .unwrap_or(10)
        .clamp(1, 100);
    let parse_bound = |k: &str| -> Result<Option<i64>, Response> {
        match first(&pairs, k) {
            None => Ok(None),
            Some(v) => parse_time(v).map(Some).ok_or_else(|| {
                error(
                    StatusCode::BAD_REQUEST,
                    "invalid_request",
                    &format!("{k} must be an ISO 8601 date-time"),
                )
            }),
        }
    };
    let after = match parse_bound("created_after") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let before = match parse_bound("created_before") {
        Ok(v) => v,
        Err(r) => return r,
    };
    let cursor = match first(&pairs, "cursor") {
        None => None,
        Some(c) => match decode_cursor(c) {
            Some(k) => Some(k),
            None => return error(StatusCode::BAD_REQUEST, "invalid_request", "invalid cursor"),
        },
    };
    let recorded_by = multi(&pairs, "recorded_by");
    let teams = multi(&pairs, "teams");
    let domains = multi(&pairs, "calendar_invitees_domains");
    let dtype = first(&pairs, "calendar_invitees_domains_type").unwrap_or("all");
    let mtype = first(&pairs, "meeting_type").map(str::to_lowercase);
    let s = sb.store();
    let opts = &sb.inner.opts;
    let end = match cursor {
        Some(k) => s.fathom.partition_point(|m| m.key() < k),
        None => s.fathom.len(),
    };
    let mut items = Vec::with_capacity(limit);
    let mut last_key = None;
    let mut more = false;
    for m in s.fathom[..end].iter().rev() {
        if after.is_some_and(|a| m.created_at <= a) {
            // Sorted by created_at: nothing older can match.
            break;
        }
        if m.deleted || before.is_some_and(|b| m.created_at >= b) {
            continue;
        }
        let email = s
            .owners
            .get(m.recorder)
            .map(|o| o.email.to_lowercase())
            .unwrap_or_default();
        if !recorded_by.is_empty() && !recorded_by.contains(&email) {
            continue;
        }
        if !teams.is_empty() && !teams.contains(&opts.fathom_team.to_lowercase()) {
            continue;
        }
        if !domains.is_empty()
            && !m
                .invitees
                .iter()
                .any(|i| domains.contains(&domain(&i.email).to_lowercase()))
        {
            continue;
        }
        let external = m.invitees.iter().any(|i| i.external);
        if (dtype == "only_internal" && external) || (dtype == "one_or_more_external" && !external)
        {
            continue;
        }
        if let Some(t) = &mtype
            && m.meeting_type.as_ref().map(|x| x.to_lowercase()).as_ref() != Some(t)
        {
            continue;
        }
        if items.len() == limit {
            more = true;
            break;
        }
        items.push(meeting_json(&s, opts, m, inc));
        last_key = Some(m.key());
    }
    let next = if more {
        last_key.map(encode_cursor)
    } else {
        None
    };
    Json(json!({"limit": limit, "next_cursor": next, "items": items})).into_response()
}

fn find(s: &Store, id: &str) -> Option<FathomMeeting> {
    let n = id.parse::<u64>().ok()?;
    s.fathom
        .iter()
        .find(|m| m.recording_id == n && !m.deleted)
        .cloned()
}

fn destination(sb: &Sandbox, uri: &Uri, body: Value) -> Option<Response> {
    let pairs = query_pairs(uri);
    let dest = first(&pairs, "destination_url")?.to_string();
    if tokio::runtime::Handle::try_current().is_ok() {
        let http = sb.inner.http.clone();
        let d = dest.clone();
        tokio::spawn(async move {
            if let Err(e) = http.post(&d).json(&body).send().await {
                tracing::warn!(error = %e, "fathom destination_url delivery failed");
            }
        });
    }
    Some(Json(json!({"destination_url": dest})).into_response())
}

/// `GET /recordings/{id}/transcript`.
pub async fn transcript(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let s = sb.store();
    let Some(m) = find(&s, &id) else {
        return error(StatusCode::NOT_FOUND, "not_found", "Recording not found");
    };
    let body = json!({"transcript": transcript_json(&s, &m)});
    drop(s);
    destination(&sb, &uri, body.clone()).unwrap_or_else(|| Json(body).into_response())
}

/// `GET /recordings/{id}/summary`.
pub async fn summary(
    State(sb): State<Sandbox>,
    Path(id): Path<String>,
    uri: Uri,
    headers: HeaderMap,
) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let s = sb.store();
    let Some(m) = find(&s, &id) else {
        return error(StatusCode::NOT_FOUND, "not_found", "Recording not found");
    };
    let body = json!({"summary": summary_json(&m)});
    drop(s);
    destination(&sb, &uri, body.clone()).unwrap_or_else(|| Json(body).into_response())
}

fn people(sb: &Sandbox, with_status: bool) -> Vec<Value> {
    let s = sb.store();
    let me = connected_email(sb, &s);
    let mut out: Vec<(bool, Value)> = s
        .owners
        .iter()
        .filter(|o| !o.archived)
        .map(|o| {
            let mut v = json!({
                "name": format!("{} {}", o.first_name, o.last_name),
                "email": o.email,
                "created_at": iso_ms(o.created),
            });
            if with_status {
                v["status"] = json!("active");
            }
            (o.email != me, v)
        })
        .collect();
    // The connected user first.
    out.sort_by_key(|(not_me, _)| *not_me);
    out.into_iter().map(|(_, v)| v).collect()
}

/// Email of the user who connects Fathom.
pub fn connected_email(sb: &Sandbox, s: &Store) -> String {
    sb.inner
        .opts
        .fathom_user_email
        .clone()
        .or_else(|| {
            s.owners
                .iter()
                .find(|o| !o.archived)
                .map(|o| o.email.clone())
        })
        .unwrap_or_default()
}

/// `GET /users` (the connected user first, then teammates).
pub async fn users(State(sb): State<Sandbox>, headers: HeaderMap) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let items = people(&sb, true);
    Json(json!({"limit": items.len().max(1), "next_cursor": null, "items": items})).into_response()
}

/// `GET /team_members`.
pub async fn team_members(State(sb): State<Sandbox>, headers: HeaderMap) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let items = people(&sb, false);
    Json(json!({"limit": items.len().max(1), "next_cursor": null, "items": items})).into_response()
}

/// `GET /teams`.
pub async fn teams(State(sb): State<Sandbox>, headers: HeaderMap) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let created = sb
        .store()
        .owners
        .iter()
        .map(|o| o.created)
        .min()
        .unwrap_or(0);
    Json(json!({
        "limit": 1,
        "next_cursor": null,
        "items": [{"name": sb.inner.opts.fathom_team, "created_at": iso_ms(created)}],
    }))
    .into_response()
}
