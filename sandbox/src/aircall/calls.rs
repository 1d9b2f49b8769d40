//! `GET /v1/calls` (with `from`, `to`, `order` and paging), `GET /v1/calls/{id}`, and
//! adding a finished call from a test or the control API.
//!
//! Exists so Tally can sync calls incrementally. Aircall documents `from` as the
//! "minimal" and `to` as the "maximal" creation date of the calls, as UNIX timestamps:
//! both bounds are **inclusive** here (`from <= started_at <= to`), so a client sliding
//! its window must expect the call exactly at a bound twice (dedupe by `id`). ISO-8601
//! values are accepted too. The default order is ascending by `started_at` (ties by id);
//! `order=desc` reverses it.

use axum::Json;
use axum::extract::{OriginalUri, Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Response};
use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::auth::authenticate;
use super::model::{Call, Direction, api_base, call_json};
use super::paging::{LinkCtx, Page};
use super::team::{self, SALES_LINE, SUPPORT_LINE};
use super::{error, not_found};
use crate::{Sandbox, lock, util};

/// A finished call to add (tests and `POST /_sandbox/aircall/calls`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AircallCallInput {
    /// The user who placed or took it; `None` for an inbound call nobody took.
    pub user_id: Option<i64>,
    /// `inbound` or `outbound`.
    pub direction: String,
    /// When it started ringing, epoch ms.
    pub started_ms: i64,
    /// Whether someone picked up.
    pub answered: bool,
    /// Total length (ringing included), seconds.
    pub duration_s: i64,
}

/// A UNIX timestamp (seconds) or an ISO-8601 instant.
fn parse_time(v: &str) -> Option<i64> {
    let v = v.trim();
    v.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(v)
            .ok()
            .map(|t| t.timestamp())
    })
}

fn bound(pairs: &[(String, String)], key: &str) -> Result<Option<i64>, Response> {
    match util::first(pairs, key) {
        None | Some("") => Ok(None),
        Some(v) => parse_time(v).map(Some).ok_or_else(|| {
            error(
                StatusCode::BAD_REQUEST,
                "Bad Request",
                &format!("{key} must be a UNIX timestamp"),
            )
        }),
    }
}

/// The calls with `from <= started_at <= to` (a slice of the sorted list).
fn window(calls: &[Call], from: Option<i64>, to: Option<i64>) -> &[Call] {
    let lo = from.map_or(0, |f| calls.partition_point(|c| c.started_at < f));
    let hi = to.map_or(calls.len(), |t| {
        calls.partition_point(|c| c.started_at <= t)
    });
    calls.get(lo..hi.max(lo)).unwrap_or(&[])
}

/// `GET /v1/calls?from=&to=&order=&page=&per_page=`.
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
    let (from, to) = match (bound(&pairs, "from"), bound(&pairs, "to")) {
        (Ok(f), Ok(t)) => (f, t),
        (Err(r), _) | (_, Err(r)) => return r,
    };
    let desc = util::first(&pairs, "order") == Some("desc");
    let base = api_base(&sb.inner.opts);
    let (page, total) = {
        let st = lock(&sb.inner.aircall);
        let w = window(&st.calls, from, to);
        let range = p.range(w.len());
        let page: Vec<Value> = range
            .map(|i| if desc { &w[w.len() - 1 - i] } else { &w[i] })
            .map(|c| call_json(&base, c, &st.users, &st.numbers))
            .collect();
        (page, w.len())
    };
    let ctx = LinkCtx {
        sb: &sb,
        headers: &headers,
        uri: &uri,
        original: &original,
    };
    let meta = ctx.meta(&pairs, p, page.len(), total);
    Json(json!({"calls": page, "meta": meta})).into_response()
}

/// `GET /v1/calls/{id}`.
pub async fn get(
    State(sb): State<Sandbox>,
    headers: HeaderMap,
    Path(id): Path<String>,
) -> Response {
    if let Err(r) = authenticate(&sb, &headers) {
        return r;
    }
    let Ok(id) = id.parse::<i64>() else {
        return not_found("Call");
    };
    let base = api_base(&sb.inner.opts);
    let st = lock(&sb.inner.aircall);
    match st.calls.iter().find(|c| c.id == id) {
        Some(c) => {
            Json(json!({"call": call_json(&base, c, &st.users, &st.numbers)})).into_response()
        }
        None => not_found("Call"),
    }
}

impl super::State {
    /// Stores a finished call built from `input`; returns a copy. The sandbox seed and the
    /// call's id make its `sid` and external number deterministic.
    pub(super) fn add_call(&mut self, seed: u64, input: &AircallCallInput) -> Result<Call, String> {
        let direction = Direction::parse(&input.direction)
            .ok_or_else(|| "direction must be inbound or outbound".to_string())?;
        if input.duration_s < 0 {
            return Err("duration_s must not be negative".into());
        }
        if let Some(uid) = input.user_id
            && !self.users.iter().any(|u| u.id == uid)
        {
            return Err(format!("no Aircall user {uid}"));
        }
        let id = self
            .calls
            .iter()
            .map(|c| c.id)
            .max()
            .unwrap_or(2_140_000_000)
            + 1;
        let mut rng = StdRng::seed_from_u64(seed ^ (id as u64).rotate_left(17));
        let started = input.started_ms.div_euclid(1000);
        let answered = input.answered.then(|| started + input.duration_s.min(5));
        let missed_call_reason = match (direction, input.answered, input.user_id) {
            (Direction::Inbound, false, Some(_)) => Some("agents_did_not_answer"),
            (Direction::Inbound, false, None) => Some("no_available_agent"),
            _ => None,
        };
        let support = self
            .users
            .iter()
            .any(|u| Some(u.id) == input.user_id && u.email.starts_with("support@"));
        let call = Call {
            id,
            sid: format!("CA{:032x}", rand::Rng::r#gen::<u128>(&mut rng)),
            direction,
            started_at: started,
            answered_at: answered,
            ended_at: started + input.duration_s,
            raw_digits: team::stranger(&mut rng),
            user: input.user_id,
            assigned_to: match direction {
                Direction::Inbound if input.answered => input.user_id,
                _ => None,
            },
            number: if support { SUPPORT_LINE } else { SALES_LINE },
            missed_call_reason,
            recording: input.answered,
            voicemail: missed_call_reason.is_some(),
            archived: false,
            contact: None,
        };
        let at = self.calls.partition_point(|c| c.key() <= call.key());
        self.calls.insert(at, call.clone());
        Ok(call)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn both_bounds_are_inclusive() {
        let mk = |t: i64| Call {
            id: t,
            sid: String::new(),
            direction: Direction::Outbound,
            started_at: t,
            answered_at: None,
            ended_at: t,
            raw_digits: String::new(),
            user: None,
            assigned_to: None,
            number: 0,
            missed_call_reason: None,
            recording: false,
            voicemail: false,
            archived: false,
            contact: None,
        };
        let calls: Vec<Call> = [10, 20, 20, 30, 40].into_iter().map(mk).collect();
        let ids = |w: &[Call]| w.iter().map(|c| c.started_at).collect::<Vec<_>>();
        assert_eq!(ids(window(&calls, Some(20), Some(30))), vec![20, 20, 30]);
        assert_eq!(ids(window(&calls, Some(31), None)), vec![40]);
        assert_eq!(ids(window(&calls, Some(40), Some(10))), Vec::<i64>::new());
        assert_eq!(parse_time("2026-01-01T00:00:00Z"), Some(1_767_225_600));
    }
}
