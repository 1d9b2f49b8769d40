//! Request budgets per connection, so a sync never trips a provider limit.
//!
//! Each connection has a rolling window per bucket: HubSpot's general limit
//! (110 requests per 10 s for public apps), HubSpot CRM search (5 per second,
//! its own limit) and Fathom (60 per 60 s). A request waits until its window
//! has room; what the provider says is left (`X-HubSpot-RateLimit-Remaining`,
//! `RateLimit-Remaining` / `RateLimit-Reset`) and 429s pause a bucket for the
//! rest of its window. Windows are stretched by a small margin because the
//! provider counts arrival times, not send times.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use tokio::time::Instant;

/// Which limit a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// HubSpot, every API call except CRM search.
    Hubspot,
    /// HubSpot CRM search.
    HubspotSearch,
    /// Fathom.
    Fathom,
}

/// The numbers; production defaults are the documented limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// HubSpot requests per window.
    pub hubspot_max: usize,
    /// HubSpot window.
    pub hubspot_window: Duration,
    /// HubSpot searches per second.
    pub search_per_second: usize,
    /// Fathom requests per window.
    pub fathom_max: usize,
    /// Fathom window.
    pub fathom_window: Duration,
    /// First back-off after a 5xx or timeout (doubled each try, with jitter).
    pub backoff_base: Duration,
    /// Tries per request for 5xx and timeouts.
    pub max_tries: u32,
    /// 429s tolerated per request before the run gives up.
    pub max_throttles: u32,
    /// Per-request timeout.
    pub timeout: Duration,
}

impl Default for Limits {
    fn default() -> Self {
        Self {
            hubspot_max: 110,
            hubspot_window: Duration::from_secs(10),
            search_per_second: 5,
            fathom_max: 60,
            fathom_window: Duration::from_secs(60),
            backoff_base: Duration::from_millis(500),
            max_tries: 6,
            max_throttles: 30,
            timeout: Duration::from_secs(30),
        }
    }
}

impl Limits {
    /// (max, window) of a bucket.
    pub fn of(&self, b: Bucket) -> (usize, Duration) {
        match b {
            Bucket::Hubspot => (self.hubspot_max, self.hubspot_window),
            Bucket::HubspotSearch => (self.search_per_second, Duration::from_secs(1)),
            Bucket::Fathom => (self.fathom_max, self.fathom_window),
        }
    }
}

#[derive(Debug, Default)]
struct Window {
    sent: VecDeque<Instant>,
    paused_until: Option<Instant>,
}

/// Budgets of every connection. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Budgets {
    windows: Arc<Mutex<HashMap<(i64, Bucket), Window>>>,
    limits: Arc<Mutex<Limits>>,
}

fn margin(window: Duration) -> Duration {
    window / 50 + Duration::from_millis(60)
}

impl Budgets {
    /// Budgets with these limits.
    pub fn new(limits: Limits) -> Self {
        Self {
            windows: Arc::default(),
            limits: Arc::new(Mutex::new(limits)),
        }
    }

    /// The current limits.
    pub fn limits(&self) -> Limits {
        self.limits.lock().map(|l| l.clone()).unwrap_or_default()
    }

    /// Replaces the limits (tests use short windows).
    pub fn set_limits(&self, limits: Limits) {
        if let Ok(mut l) = self.limits.lock() {
            *l = limits;
        }
    }

    /// Waits until the connection's bucket has room, and takes a slot.
    pub async fn acquire(&self, connection_id: i64, b: Bucket) {
        let (max, window) = self.limits().of(b);
        let span = window + margin(window);
        loop {
            let wait = {
                let Ok(mut all) = self.windows.lock() else {
                    return;
                };
                let w = all.entry((connection_id, b)).or_default();
                let now = Instant::now();
                match w.paused_until {
                    Some(until) if until > now => until - now,
                    _ => {
                        while w
                            .sent
                            .front()
                            .is_some_and(|t| now.duration_since(*t) >= span)
                        {
                            w.sent.pop_front();
                        }
                        if w.sent.len() < max.max(1) {
                            w.sent.push_back(now);
                            return;
                        }
                        w.sent
                            .front()
                            .map_or(Duration::from_millis(10), |t| (*t + span) - now)
                    }
                }
            };
            tokio::time::sleep(wait + Duration::from_millis(1)).await;
        }
    }

    /// Pauses a bucket for `d` (a 429, or nothing left per the headers).
    pub fn pause(&self, connection_id: i64, b: Bucket, d: Duration) {
        if let Ok(mut all) = self.windows.lock() {
            let w = all.entry((connection_id, b)).or_default();
            let until = Instant::now() + d;
            if w.paused_until.is_none_or(|p| p < until) {
                w.paused_until = Some(until);
            }
        }
    }

    /// Reads what the provider says is left and pauses when nothing is.
    pub fn observe(&self, connection_id: i64, b: Bucket, headers: &reqwest::header::HeaderMap) {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
        };
        let (_, window) = self.limits().of(b);
        match b {
            Bucket::Hubspot | Bucket::HubspotSearch => {
                if num("x-hubspot-ratelimit-remaining").is_some_and(|r| r <= 0.0) {
                    let ms = num("x-hubspot-ratelimit-interval-milliseconds")
                        .map_or(window, |m| Duration::from_millis(m as u64))
                        .min(window);
                    self.pause(connection_id, b, ms + margin(window));
                }
            }
            Bucket::Fathom => {
                if num("ratelimit-remaining").is_some_and(|r| r <= 0.0) {
                    let reset = num("ratelimit-reset")
                        .map_or(window, Duration::from_secs_f64)
                        .min(window);
                    self.pause(connection_id, b, reset + margin(window));
                }
            }
        }
    }

    /// How long a 429 waits: `Retry-After` when given, else the policy's
    /// window (one second for HubSpot's secondly search limit), never more
    /// than the bucket's window.
    pub fn throttle_wait(&self, b: Bucket, retry_after: Option<f64>, secondly: bool) -> Duration {
        let (_, window) = self.limits().of(b);
        let d = match (retry_after, secondly) {
            (Some(s), _) => Duration::from_secs_f64(s.max(0.0)),
            (None, true) => Duration::from_secs(1),
            (None, false) => window,
        };
        d.min(window) + margin(window)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_full_window_waits_for_the_oldest_request() {
        let b = Budgets::new(Limits {
            hubspot_max: 3,
            hubspot_window: Duration::from_millis(300),
            ..Limits::default()
        });
        let start = Instant::now();
        for _ in 0..3 {
            b.acquire(1, Bucket::Hubspot).await;
        }
        assert!(start.elapsed() < Duration::from_millis(100));
        b.acquire(1, Bucket::Hubspot).await;
        assert!(start.elapsed() >= Duration::from_millis(300));
        // Other connections have their own budget.
        let t = Instant::now();
        b.acquire(2, Bucket::Hubspot).await;
        assert!(t.elapsed() < Duration::from_millis(100));
    }

    #[tokio::test]
    async fn a_pause_holds_the_bucket() {
        let b = Budgets::new(Limits::default());
        b.pause(1, Bucket::Fathom, Duration::from_millis(200));
        let t = Instant::now();
        b.acquire(1, Bucket::Fathom).await;
        assert!(t.elapsed() >= Duration::from_millis(200));
    }

    #[test]
    fn a_429_waits_out_its_window_but_never_longer() {
        let b = Budgets::new(Limits::default());
        let ten = b.throttle_wait(Bucket::Hubspot, None, false);
        assert!(ten >= Duration::from_secs(10) && ten < Duration::from_secs(11));
        let search = b.throttle_wait(Bucket::HubspotSearch, None, true);
        assert!(search >= Duration::from_secs(1) && search < Duration::from_secs(2));
        let fathom = b.throttle_wait(Bucket::Fathom, Some(600.0), false);
        assert!(fathom <= Duration::from_secs(62));
    }
}
