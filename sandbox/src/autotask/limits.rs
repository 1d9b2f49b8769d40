//! Autotask's request limits: 10,000 requests per rolling hour per database,
//! and three requests at once per object endpoint (its "thread limit").
//!
//! Exists so Tally's sync learns to back off. Both are enforced only while
//! rate limits are on. A request over the hourly limit gets `429` from the
//! provider middleware ([`limit`]); one that would be the fourth in flight
//! on the same entity gets `429` from the handler ([`Threads::enter`]).
//! Both bodies are Autotask's `{"errors": [...]}`. Autotask sends no
//! rate-limit headers (it reports usage through `ThresholdInformation`),
//! so none are added. A test can slow every answer (`latency_ms`) to make
//! concurrency visible, and change both numbers at runtime, which also
//! empties the hour.

use std::collections::{HashMap, VecDeque};
use std::time::{Duration, Instant};

use axum::http::StatusCode;
use axum::response::Response;
use serde::{Deserialize, Serialize};

use super::error;
use crate::{Sandbox, lock};

/// Requests per rolling hour a database allows.
pub const DEFAULT_HOURLY: usize = 10_000;
/// Requests in flight per object endpoint.
pub const DEFAULT_THREADS: usize = 3;
const HOUR: Duration = Duration::from_secs(3600);

/// The limit numbers, changeable through the control API.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct AutotaskLimits {
    /// Requests per rolling hour.
    pub hourly: usize,
    /// Requests in flight per entity.
    pub threads: usize,
    /// Added to every answer (tests only; Autotask adds latency near its limit).
    pub latency_ms: u64,
}

impl Default for AutotaskLimits {
    fn default() -> Self {
        AutotaskLimits {
            hourly: DEFAULT_HOURLY,
            threads: DEFAULT_THREADS,
            latency_ms: 0,
        }
    }
}

/// The database's hour and the requests in flight.
#[derive(Debug, Default)]
pub struct Limiter {
    pub limits: AutotaskLimits,
    hits: VecDeque<Instant>,
    in_flight: HashMap<String, usize>,
}

impl Limiter {
    /// Counts a request at `now` if the hour has room.
    fn hit(&mut self, now: Instant) -> bool {
        while self
            .hits
            .front()
            .is_some_and(|&f| now.duration_since(f) >= HOUR)
        {
            self.hits.pop_front();
        }
        let allowed = self.hits.len() < self.limits.hourly;
        if allowed {
            self.hits.push_back(now);
        }
        allowed
    }
}

/// The hourly-limit refusal (also the `rate_limit` fault).
pub fn too_many() -> Response {
    error(
        StatusCode::TOO_MANY_REQUESTS,
        "The request limit for this database has been exceeded: at most 10000 requests per \
         rolling hour",
    )
}

/// Counts a request against the hour (the middleware calls this only while
/// rate limits are on). The zone lookup is not counted: it is not a
/// database's.
pub fn limit(sb: &Sandbox, path: &str) -> Result<Vec<(&'static str, String)>, Response> {
    if path.to_ascii_lowercase().contains("zoneinformation") {
        return Ok(Vec::new());
    }
    if lock(&sb.inner.autotask).limiter.hit(Instant::now()) {
        Ok(Vec::new())
    } else {
        Err(too_many())
    }
}

/// A request in flight on an entity; leaving frees its thread.
pub struct Threads {
    sb: Sandbox,
    entity: String,
}

impl Threads {
    /// Takes a thread on `entity` (only counted while rate limits are on),
    /// or the thread-limit refusal; then waits the configured latency.
    pub async fn enter(sb: &Sandbox, entity: &str) -> Result<Option<Threads>, Response> {
        let on = sb
            .inner
            .rate_limits_enabled
            .load(std::sync::atomic::Ordering::SeqCst);
        let (latency, guard) = {
            let mut st = lock(&sb.inner.autotask);
            let limits = st.limiter.limits;
            let guard = if on {
                let n = st
                    .limiter
                    .in_flight
                    .entry(entity.to_ascii_lowercase())
                    .or_default();
                if *n >= limits.threads {
                    return Err(error(
                        StatusCode::TOO_MANY_REQUESTS,
                        &format!(
                            "The thread limit has been exceeded: at most {} requests at once \
                             on {entity}",
                            limits.threads
                        ),
                    ));
                }
                *n += 1;
                Some(Threads {
                    sb: sb.clone(),
                    entity: entity.to_ascii_lowercase(),
                })
            } else {
                None
            };
            (limits.latency_ms, guard)
        };
        if latency > 0 {
            tokio::time::sleep(Duration::from_millis(latency)).await;
        }
        Ok(guard)
    }
}

impl Drop for Threads {
    fn drop(&mut self) {
        if let Some(n) = lock(&self.sb.inner.autotask)
            .limiter
            .in_flight
            .get_mut(&self.entity)
        {
            *n = n.saturating_sub(1);
        }
    }
}

impl Sandbox {
    /// Sets Autotask's limits and empties the hour.
    pub fn autotask_set_limits(&self, limits: AutotaskLimits) {
        let mut st = lock(&self.inner.autotask);
        st.limiter = Limiter {
            limits,
            ..Limiter::default()
        };
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hour_fills_and_empties() {
        let mut l = Limiter {
            limits: AutotaskLimits {
                hourly: 2,
                ..AutotaskLimits::default()
            },
            ..Limiter::default()
        };
        let t = Instant::now();
        assert!(l.hit(t));
        assert!(l.hit(t));
        assert!(!l.hit(t + Duration::from_secs(10)));
        assert!(l.hit(t + HOUR));
    }
}
