//! The Autotask part of the sandbox control API (`/_sandbox/autotask/...`)
//! and the Rust API tests use.
//!
//! Exists so tests (in-process or over HTTP) can read the truth (every
//! ticket, time entry and resource as the API renders them), open, complete
//! and reopen tickets, enter time, deactivate the API user and change the
//! limits. Each change stamps `lastActivityDate` / `lastModifiedDateTime`
//! with the sandbox clock, as Autotask does, so an incremental sync sees it.
//! Each route is a thin wrapper over a `Sandbox` method.

use axum::extract::{Path, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use axum::{Json, Router};
use chrono::NaiveDate;
use serde::Deserialize;
use serde_json::{Value, json};

use super::limits::AutotaskLimits;
use super::model::{self, COMPLETE, IN_PROGRESS, NEW, QUEUES, Ticket, TimeEntry};
use crate::{Sandbox, lock};

/// A ticket to open.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(default)]
pub struct AutotaskTicketInput {
    /// The assigned resource (`None`: unassigned).
    pub resource_id: Option<i64>,
    /// The queue's label or id (`None`: no queue).
    pub queue: Option<String>,
    pub title: Option<String>,
    /// When it was created (default: the sandbox clock).
    pub created_ms: Option<i64>,
}

/// Time to enter.
#[derive(Debug, Clone, Deserialize)]
pub struct AutotaskTimeEntryInput {
    pub resource_id: i64,
    #[serde(default)]
    pub ticket_id: Option<i64>,
    /// The local date worked.
    pub date: NaiveDate,
    pub hours: f64,
    #[serde(default = "yes")]
    pub billable: bool,
}

fn yes() -> bool {
    true
}

impl Sandbox {
    /// Every ticket, in id order, as the API renders it.
    pub fn autotask_tickets(&self) -> Vec<Value> {
        lock(&self.inner.autotask)
            .tickets
            .iter()
            .map(model::ticket_json)
            .collect()
    }

    /// Every time entry, in id order, as the API renders it.
    pub fn autotask_time_entries(&self) -> Vec<Value> {
        lock(&self.inner.autotask)
            .time_entries
            .iter()
            .map(model::time_entry_json)
            .collect()
    }

    /// Every resource (inactive ones and the API user too).
    pub fn autotask_resources(&self) -> Vec<Value> {
        lock(&self.inner.autotask)
            .resources
            .iter()
            .map(model::resource_json)
            .collect()
    }

    /// The ticket queues as `(id, label)`.
    pub fn autotask_queues(&self) -> Vec<(i64, &'static str)> {
        QUEUES.iter().map(|q| (q.value, q.label)).collect()
    }

    /// Opens a ticket; an unknown resource or queue is refused with the reason.
    pub fn autotask_add_ticket(&self, input: AutotaskTicketInput) -> Result<Value, String> {
        let now = self.now_ms();
        let mut st = lock(&self.inner.autotask);
        if let Some(r) = input.resource_id
            && !st.resources.iter().any(|x| x.id == r)
        {
            return Err(format!("no resource has id {r}"));
        }
        let queue = match input.queue.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(q) => Some(
                QUEUES
                    .iter()
                    .find(|p| p.label.eq_ignore_ascii_case(q) || p.value.to_string() == q)
                    .ok_or_else(|| format!("no queue is named {q}"))?
                    .value,
            ),
        };
        let created = input.created_ms.unwrap_or(now);
        let id = st
            .tickets
            .last()
            .map_or(super::generate::FIRST_TICKET_ID, |t| t.id + 1);
        let day = chrono::DateTime::from_timestamp_millis(created)
            .unwrap_or_default()
            .format("%Y%m%d");
        let t = Ticket {
            id,
            number: format!("T{day}.{:04}", 9000 + id % 1000),
            title: input
                .title
                .unwrap_or_else(|| "Ticket opened by a test".into()),
            status: NEW,
            queue,
            resource: input.resource_id,
            company: 0,
            priority: 2,
            created_ms: created,
            completed_ms: None,
            last_activity_ms: now.max(created),
        };
        let out = model::ticket_json(&t);
        st.tickets.push(t);
        Ok(out)
    }

    fn autotask_ticket(&self, id: i64, f: impl FnOnce(&mut Ticket, i64)) -> Result<Value, String> {
        let now = self.now_ms();
        let mut st = lock(&self.inner.autotask);
        let t = st
            .tickets
            .iter_mut()
            .find(|t| t.id == id)
            .ok_or_else(|| format!("no ticket has id {id}"))?;
        f(t, now);
        t.last_activity_ms = now;
        Ok(model::ticket_json(t))
    }

    /// Completes a ticket at `at_ms` (default: now).
    pub fn autotask_complete_ticket(&self, id: i64, at_ms: Option<i64>) -> Result<Value, String> {
        self.autotask_ticket(id, |t, now| {
            t.status = COMPLETE;
            t.completed_ms = Some(at_ms.unwrap_or(now));
        })
    }

    /// Reopens a ticket: back to In Progress, its `completedDate` cleared.
    pub fn autotask_reopen_ticket(&self, id: i64) -> Result<Value, String> {
        self.autotask_ticket(id, |t, _| {
            t.status = IN_PROGRESS;
            t.completed_ms = None;
        })
    }

    /// Enters time; an unknown resource or ticket, or hours outside 0–24,
    /// are refused with the reason.
    pub fn autotask_add_time_entry(&self, input: AutotaskTimeEntryInput) -> Result<Value, String> {
        if !(0.0..=24.0).contains(&input.hours) {
            return Err(format!("hours must be between 0 and 24: {}", input.hours));
        }
        let now = self.now_ms();
        let mut st = lock(&self.inner.autotask);
        if !st.resources.iter().any(|r| r.id == input.resource_id) {
            return Err(format!("no resource has id {}", input.resource_id));
        }
        if let Some(t) = input.ticket_id
            && !st.tickets.iter().any(|x| x.id == t)
        {
            return Err(format!("no ticket has id {t}"));
        }
        let id = st
            .time_entries
            .last()
            .map_or(super::generate::FIRST_TIME_ENTRY_ID, |e| e.id + 1);
        let e = TimeEntry {
            id,
            resource: input.resource_id,
            ticket: input.ticket_id,
            task: input.ticket_id.is_none().then_some(7_001),
            date_worked: input.date,
            span_ms: None,
            hours: input.hours,
            non_billable: !input.billable,
            notes: "Entered by a test".into(),
            created_ms: now,
            modified_ms: now,
        };
        let out = model::time_entry_json(&e);
        st.time_entries.push(e);
        Ok(out)
    }
}

fn refused(e: String) -> Response {
    (StatusCode::BAD_REQUEST, Json(json!({ "errors": [e] }))).into_response()
}

fn reply(r: Result<Value, String>) -> Response {
    r.map_or_else(refused, |v| Json(v).into_response())
}

#[derive(Debug, Default, Deserialize)]
#[serde(default)]
struct CompleteBody {
    at_ms: Option<i64>,
}

/// The control routes.
pub fn routes() -> Router<Sandbox> {
    Router::new()
        .route(
            "/_sandbox/autotask/credentials",
            get(|State(sb): State<Sandbox>| async move {
                let c = sb.autotask_credentials();
                Json(json!({
                    "username": c.username,
                    "secret": c.secret,
                    "integration_code": c.integration_code,
                }))
            }),
        )
        .route(
            "/_sandbox/autotask/tickets",
            get(|State(sb): State<Sandbox>| async move { Json(sb.autotask_tickets()) }).post(
                |State(sb): State<Sandbox>, Json(b): Json<AutotaskTicketInput>| async move {
                    reply(sb.autotask_add_ticket(b))
                },
            ),
        )
        .route(
            "/_sandbox/autotask/tickets/{id}/complete",
            post(
                |State(sb): State<Sandbox>, Path(id): Path<i64>, b: Option<Json<CompleteBody>>| async move {
                    let at = b.map(|Json(b)| b.at_ms).unwrap_or_default();
                    reply(sb.autotask_complete_ticket(id, at))
                },
            ),
        )
        .route(
            "/_sandbox/autotask/tickets/{id}/reopen",
            post(|State(sb): State<Sandbox>, Path(id): Path<i64>| async move {
                reply(sb.autotask_reopen_ticket(id))
            }),
        )
        .route(
            "/_sandbox/autotask/time-entries",
            get(|State(sb): State<Sandbox>| async move { Json(sb.autotask_time_entries()) })
                .post(
                    |State(sb): State<Sandbox>, Json(b): Json<AutotaskTimeEntryInput>| async move {
                        reply(sb.autotask_add_time_entry(b))
                    },
                ),
        )
        .route(
            "/_sandbox/autotask/resources",
            get(|State(sb): State<Sandbox>| async move { Json(sb.autotask_resources()) }),
        )
        .route(
            "/_sandbox/autotask/revoke",
            post(|State(sb): State<Sandbox>| async move {
                sb.autotask_revoke();
                StatusCode::NO_CONTENT
            }),
        )
        .route(
            "/_sandbox/autotask/limits",
            post(
                |State(sb): State<Sandbox>, Json(l): Json<AutotaskLimits>| async move {
                    sb.autotask_set_limits(l);
                    StatusCode::NO_CONTENT
                },
            ),
        )
}
