//! Aircall's per-company request limit: 60 requests per rolling minute.
//!
//! Exists so Tally's sync learns to pace itself. While rate limits are on (the provider
//! middleware calls [`limit`] only then), every answer under `/aircall/` carries
//! `X-AircallApi-Limit`, `X-AircallApi-Remaining` and `X-AircallApi-Reset` (UNIX seconds,
//! on the sandbox clock, when the oldest counted request leaves the window); a request
//! over the limit gets `429` with Aircall's error body and the same headers. Refused
//! requests don't count. The number is changeable at runtime
//! ([`crate::Sandbox::aircall_set_limit`]), which also empties the window.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

use axum::http::{HeaderValue, StatusCode};
use axum::response::Response;

use super::error;
use crate::{Sandbox, lock};

/// Requests per rolling minute Aircall allows a company.
pub const DEFAULT_PER_MINUTE: usize = 60;
const WINDOW: Duration = Duration::from_secs(60);

/// The company's rolling window.
#[derive(Debug)]
pub struct Limiter {
    per_minute: usize,
    hits: VecDeque<Instant>,
}

/// Where the window stands after a request.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Standing {
    allowed: bool,
    remaining: usize,
    /// Until the oldest counted request leaves the window.
    reset: Duration,
}

impl Limiter {
    /// An empty window admitting `per_minute` requests.
    pub fn new(per_minute: usize) -> Limiter {
        Limiter {
            per_minute,
            hits: VecDeque::new(),
        }
    }

    fn prune(&mut self, now: Instant) {
        while self
            .hits
            .front()
            .is_some_and(|&f| now.duration_since(f) >= WINDOW)
        {
            self.hits.pop_front();
        }
    }

    fn standing(&self, now: Instant, allowed: bool) -> Standing {
        Standing {
            allowed,
            remaining: self.per_minute.saturating_sub(self.hits.len()),
            reset: self
                .hits
                .front()
                .map_or(WINDOW, |&f| WINDOW.saturating_sub(now.duration_since(f))),
        }
    }

    /// Counts a request at `now` if there is room.
    fn hit(&mut self, now: Instant) -> Standing {
        self.prune(now);
        let allowed = self.hits.len() < self.per_minute;
        if allowed {
            self.hits.push_back(now);
        }
        self.standing(now, allowed)
    }

    /// The standing without counting anything.
    fn peek(&mut self, now: Instant) -> Standing {
        self.prune(now);
        self.standing(now, self.hits.len() < self.per_minute)
    }

    /// Changes the limit and empties the window.
    pub fn set(&mut self, per_minute: usize) {
        self.per_minute = per_minute;
        self.hits.clear();
    }
}

fn headers(sb: &Sandbox, limit: usize, s: Standing) -> Vec<(&'static str, String)> {
    let reset_s = (sb.now_ms() + s.reset.as_millis() as i64 + 999) / 1000;
    vec![
        ("x-aircallapi-limit", limit.to_string()),
        ("x-aircallapi-remaining", s.remaining.to_string()),
        ("x-aircallapi-reset", reset_s.to_string()),
    ]
}

fn refusal(limit: usize, hs: Vec<(&'static str, String)>) -> Response {
    let mut r = error(
        StatusCode::TOO_MANY_REQUESTS,
        "Too Many Requests",
        &format!(
            "Rate limit reached: {limit} requests per minute per company. Wait until X-AircallApi-Reset"
        ),
    );
    for (k, v) in hs {
        if let Ok(v) = HeaderValue::from_str(&v) {
            r.headers_mut().insert(k, v);
        }
    }
    r
}

/// Counts a request against the company's window: headers to add, or the 429.
pub fn limit(sb: &Sandbox, _path: &str) -> Result<Vec<(&'static str, String)>, Response> {
    let (per_minute, s) = {
        let mut st = lock(&sb.inner.aircall);
        (st.limiter.per_minute, st.limiter.hit(Instant::now()))
    };
    let hs = headers(sb, per_minute, s);
    if s.allowed {
        Ok(hs)
    } else {
        Err(refusal(per_minute, hs))
    }
}

/// The 429 with the current headers (`Remaining: 0`); counts nothing.
pub fn too_many(sb: &Sandbox) -> Response {
    let (per_minute, s) = {
        let mut st = lock(&sb.inner.aircall);
        (st.limiter.per_minute, st.limiter.peek(Instant::now()))
    };
    let s = Standing { remaining: 0, ..s };
    refusal(per_minute, headers(sb, per_minute, s))
}

impl Sandbox {
    /// Sets Aircall's requests-per-minute limit (60 by default) and empties the window.
    /// It is enforced only while rate limits are on.
    pub fn aircall_set_limit(&self, per_minute: usize) {
        lock(&self.inner.aircall).limiter.set(per_minute);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_the_limit_then_recovers() {
        let mut l = Limiter::new(2);
        let t0 = Instant::now();
        assert_eq!(l.hit(t0).remaining, 1);
        assert!(l.hit(t0).allowed);
        let s = l.hit(t0 + Duration::from_secs(10));
        assert!(!s.allowed);
        assert_eq!(s.reset, Duration::from_secs(50));
        assert!(l.hit(t0 + WINDOW).allowed);
        l.set(5);
        assert_eq!(l.peek(t0).remaining, 5);
    }
}
