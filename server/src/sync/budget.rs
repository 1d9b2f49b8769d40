//! Request budgets per connection, so a sync never trips a provider limit.
//!
//! Each connection has a rolling window per bucket: HubSpot's general limit
//! (110 requests per 10 s for public OAuth apps, 190 or 250 for private apps),
//! HubSpot CRM search (5 per second, its own limit) and Fathom (60 per 60 s).
//! The numbers are configuration (`TALLY_HUBSPOT_RATE_LIMIT`,
//! `TALLY_HUBSPOT_SEARCH_RATE_LIMIT`), defaulting to HubSpot's public-app
//! limits; a limit of 0 means the provider does not limit and Tally adds no
//! cap of its own. What the provider says wins over the configuration: a
//! response's `X-HubSpot-RateLimit-Max` and `-Interval-Milliseconds` become
//! the connection's window, and `X-HubSpot-RateLimit-Remaining` (or Fathom's
//! `RateLimit-Remaining` / `RateLimit-Reset`) at zero and 429s pause a bucket
//! for the rest of its window. Windows are stretched by a small margin
//! because the provider counts arrival times, not send times.

use std::{
    collections::{HashMap, VecDeque},
    sync::{Arc, Mutex},
    time::Duration,
};

use app::domain::ConnectionId;

use tokio::time::Instant;

/// How long an Autotask 429 without `Retry-After` waits.
pub const AUTOTASK_THROTTLE_WAIT: Duration = Duration::from_secs(3);

/// Which limit a request counts against.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Bucket {
    /// HubSpot, every API call except CRM search.
    Hubspot,
    /// HubSpot CRM search.
    HubspotSearch,
    /// Fathom.
    Fathom,
    /// One Autotask database (its hourly request limit).
    Autotask,
    /// One Aircall company (its per-minute limit).
    Aircall,
}

/// The numbers; production defaults are the documented limits.
#[derive(Debug, Clone, PartialEq)]
pub struct Limits {
    /// HubSpot requests per window; 0: no cap of Tally's own (the
    /// provider's headers and 429s still apply).
    pub hubspot_max: usize,
    /// HubSpot window.
    pub hubspot_window: Duration,
    /// HubSpot searches per second; 0: no cap of Tally's own.
    pub search_per_second: usize,
    /// Fathom requests per window.
    pub fathom_max: usize,
    /// Fathom window.
    pub fathom_window: Duration,
    /// Autotask requests per window (its per-database limit).
    pub autotask_max: usize,
    /// Autotask window.
    pub autotask_window: Duration,
    /// Aircall requests per window (its per-company limit).
    pub aircall_max: usize,
    /// Aircall window.
    pub aircall_window: Duration,
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
            autotask_max: 10_000,
            autotask_window: Duration::from_secs(3600),
            aircall_max: 60,
            aircall_window: Duration::from_secs(60),
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
            Bucket::Autotask => (self.autotask_max, self.autotask_window),
            Bucket::Aircall => (self.aircall_max, self.aircall_window),
        }
    }
}

/// Parses a configured limit: `off` (0, no cap of Tally's own), `N`
/// (per `default_window`) or `N/<window>` with the window in `s` or `ms`,
/// e.g. `110/10s`, `190/10s`, `5/1s`.
pub fn parse_limit(value: &str, default_window: Duration) -> Result<(usize, Duration), String> {
    let v = value.trim().to_ascii_lowercase();
    if matches!(v.as_str(), "off" | "none" | "unlimited" | "0") {
        return Ok((0, default_window));
    }
    let (n, w) = v.split_once('/').unwrap_or((v.as_str(), ""));
    let n: usize = n
        .trim()
        .parse()
        .map_err(|_| "must be `off` or a request count like `110/10s`".to_owned())?;
    let w = w.trim();
    let window = if w.is_empty() {
        default_window
    } else if let Some(ms) = w.strip_suffix("ms") {
        Duration::from_millis(ms.trim().parse().map_err(|_| "bad window".to_owned())?)
    } else if let Some(s) = w.strip_suffix('s') {
        let s = if s.trim().is_empty() { "1" } else { s.trim() };
        Duration::from_secs(s.parse().map_err(|_| "bad window".to_owned())?)
    } else {
        return Err("the window needs a unit, e.g. `10s` or `1000ms`".to_owned());
    };
    if window.is_zero() || window > Duration::from_secs(3600) {
        return Err("the window must be between 1 ms and 1 hour".to_owned());
    }
    Ok((n, window))
}

#[derive(Debug, Default)]
struct Window {
    sent: VecDeque<Instant>,
    paused_until: Option<Instant>,
    /// What the provider's headers say this connection may send.
    told: Option<(usize, Duration)>,
}

/// Budgets of every connection. Cheap to clone.
#[derive(Debug, Clone, Default)]
pub struct Budgets {
    windows: Arc<Mutex<HashMap<(ConnectionId, Bucket), Window>>>,
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
    pub async fn acquire(&self, connection_id: ConnectionId, b: Bucket) {
        let configured = self.limits().of(b);
        loop {
            let wait = {
                let Ok(mut all) = self.windows.lock() else {
                    return;
                };
                let w = all.entry((connection_id, b)).or_default();
                let (max, window) = w.told.unwrap_or(configured);
                let span = window + margin(window);
                let now = Instant::now();
                match w.paused_until {
                    Some(until) if until > now => until - now,
                    _ if max == 0 => return,
                    _ => {
                        while w
                            .sent
                            .front()
                            .is_some_and(|t| now.duration_since(*t) >= span)
                        {
                            w.sent.pop_front();
                        }
                        if w.sent.len() < max {
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
    pub fn pause(&self, connection_id: ConnectionId, b: Bucket, d: Duration) {
        if let Ok(mut all) = self.windows.lock() {
            let w = all.entry((connection_id, b)).or_default();
            let until = Instant::now() + d;
            if w.paused_until.is_none_or(|p| p < until) {
                w.paused_until = Some(until);
            }
        }
    }

    /// The window a connection's bucket uses: what the provider said, else
    /// the configured one.
    pub fn window_of(&self, connection_id: ConnectionId, b: Bucket) -> (usize, Duration) {
        let told = self
            .windows
            .lock()
            .ok()
            .and_then(|all| all.get(&(connection_id, b)).and_then(|w| w.told));
        told.unwrap_or_else(|| self.limits().of(b))
    }

    /// Reads what the provider says the window is and what is left; pauses
    /// when nothing is.
    pub fn observe(
        &self,
        connection_id: ConnectionId,
        b: Bucket,
        headers: &reqwest::header::HeaderMap,
    ) {
        let num = |name: &str| {
            headers
                .get(name)
                .and_then(|v| v.to_str().ok())
                .and_then(|v| v.trim().parse::<f64>().ok())
        };
        let (_, configured_window) = self.limits().of(b);
        match b {
            Bucket::Hubspot | Bucket::HubspotSearch => {
                let max = num("x-hubspot-ratelimit-max").filter(|m| *m >= 1.0);
                let interval = num("x-hubspot-ratelimit-interval-milliseconds")
                    .filter(|m| *m >= 1.0 && *m <= 3_600_000.0)
                    .map(|m| Duration::from_millis(m as u64));
                if let (Some(max), Some(interval)) = (max, interval)
                    && let Ok(mut all) = self.windows.lock()
                {
                    all.entry((connection_id, b)).or_default().told =
                        Some((max as usize, interval));
                }
                let window = interval.unwrap_or(configured_window);
                if num("x-hubspot-ratelimit-remaining").is_some_and(|r| r <= 0.0) {
                    self.pause(connection_id, b, window + margin(window));
                }
            }
            Bucket::Fathom => {
                let window = configured_window;
                if num("ratelimit-remaining").is_some_and(|r| r <= 0.0) {
                    let reset = num("ratelimit-reset")
                        .map_or(window, Duration::from_secs_f64)
                        .min(window);
                    self.pause(connection_id, b, reset + margin(window));
                }
            }
            // Autotask sends no limit headers; its 429s are waited out.
            Bucket::Autotask => {}
            Bucket::Aircall => {
                let window = configured_window;
                if num("x-aircallapi-remaining").is_some_and(|r| r <= 0.0) {
                    let now = chrono::Utc::now().timestamp_millis() as f64 / 1000.0;
                    let reset = num("x-aircallapi-reset")
                        .map_or(window, |at| Duration::from_secs_f64((at - now).max(0.0)))
                        .min(window);
                    self.pause(connection_id, b, reset + margin(window));
                }
            }
        }
    }

    /// How long a 429 waits: `Retry-After` when given, else the policy's
    /// window (one second for HubSpot's secondly search limit), never more
    /// than the bucket's window.
    pub fn throttle_wait(
        &self,
        connection_id: ConnectionId,
        b: Bucket,
        retry_after: Option<f64>,
        secondly: bool,
    ) -> Duration {
        let (_, window) = self.window_of(connection_id, b);
        // Autotask's limit is hourly, but its 429s mostly mean "too many
        // threads at once": a few seconds, not the hour.
        let window = if b == Bucket::Autotask {
            AUTOTASK_THROTTLE_WAIT
        } else {
            window
        };
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
            b.acquire(ConnectionId(1), Bucket::Hubspot).await;
        }
        assert!(start.elapsed() < Duration::from_millis(100));
        b.acquire(ConnectionId(1), Bucket::Hubspot).await;
        assert!(start.elapsed() >= Duration::from_millis(300));
        // Other connections have their own budget.
        let t = Instant::now();
        b.acquire(ConnectionId(2), Bucket::Hubspot).await;
        assert!(t.elapsed() < Duration::from_millis(100));
    }

    #[tokio::test]
    async fn a_pause_holds_the_bucket() {
        let b = Budgets::new(Limits::default());
        b.pause(ConnectionId(1), Bucket::Fathom, Duration::from_millis(200));
        let t = Instant::now();
        b.acquire(ConnectionId(1), Bucket::Fathom).await;
        assert!(t.elapsed() >= Duration::from_millis(200));
    }

    #[test]
    fn a_429_waits_out_its_window_but_never_longer() {
        let b = Budgets::new(Limits::default());
        let ten = b.throttle_wait(ConnectionId(1), Bucket::Hubspot, None, false);
        assert!(ten >= Duration::from_secs(10) && ten < Duration::from_secs(11));
        let search = b.throttle_wait(ConnectionId(1), Bucket::HubspotSearch, None, true);
        assert!(search >= Duration::from_secs(1) && search < Duration::from_secs(2));
        let fathom = b.throttle_wait(ConnectionId(1), Bucket::Fathom, Some(600.0), false);
        assert!(fathom <= Duration::from_secs(62));
    }

    fn headers(pairs: &[(&'static str, &str)]) -> reqwest::header::HeaderMap {
        let mut h = reqwest::header::HeaderMap::new();
        for (k, v) in pairs {
            h.insert(*k, v.parse().unwrap());
        }
        h
    }

    #[tokio::test]
    async fn the_providers_headers_set_the_window() {
        // Configured for a 110/10 s public app; the provider says 3 per 300 ms.
        let b = Budgets::new(Limits::default());
        b.observe(
            ConnectionId(1),
            Bucket::Hubspot,
            &headers(&[
                ("x-hubspot-ratelimit-max", "3"),
                ("x-hubspot-ratelimit-remaining", "2"),
                ("x-hubspot-ratelimit-interval-milliseconds", "300"),
            ]),
        );
        assert_eq!(
            b.window_of(ConnectionId(1), Bucket::Hubspot),
            (3, Duration::from_millis(300))
        );
        assert_eq!(
            b.window_of(ConnectionId(2), Bucket::Hubspot),
            (110, Duration::from_secs(10))
        );
        let start = Instant::now();
        for _ in 0..3 {
            b.acquire(ConnectionId(1), Bucket::Hubspot).await;
        }
        assert!(start.elapsed() < Duration::from_millis(100));
        b.acquire(ConnectionId(1), Bucket::Hubspot).await;
        assert!(start.elapsed() >= Duration::from_millis(300));
        // Nothing left: the bucket waits out the provider's interval.
        b.observe(
            ConnectionId(1),
            Bucket::Hubspot,
            &headers(&[
                ("x-hubspot-ratelimit-max", "3"),
                ("x-hubspot-ratelimit-remaining", "0"),
                ("x-hubspot-ratelimit-interval-milliseconds", "300"),
            ]),
        );
        let t = Instant::now();
        b.acquire(ConnectionId(1), Bucket::Hubspot).await;
        assert!(t.elapsed() >= Duration::from_millis(300));
    }

    #[tokio::test]
    async fn a_zero_limit_adds_no_cap_until_the_provider_names_one() {
        let b = Budgets::new(Limits {
            hubspot_max: 0,
            search_per_second: 0,
            ..Limits::default()
        });
        let start = Instant::now();
        for _ in 0..1000 {
            b.acquire(ConnectionId(1), Bucket::Hubspot).await;
            b.acquire(ConnectionId(1), Bucket::HubspotSearch).await;
        }
        assert!(start.elapsed() < Duration::from_millis(500));
        b.observe(
            ConnectionId(1),
            Bucket::Hubspot,
            &headers(&[
                ("x-hubspot-ratelimit-max", "2"),
                ("x-hubspot-ratelimit-remaining", "1"),
                ("x-hubspot-ratelimit-interval-milliseconds", "250"),
            ]),
        );
        let t = Instant::now();
        for _ in 0..3 {
            b.acquire(ConnectionId(1), Bucket::Hubspot).await;
        }
        assert!(t.elapsed() >= Duration::from_millis(250));
    }

    #[test]
    fn limits_parse_from_configuration() {
        let ten = Duration::from_secs(10);
        assert_eq!(parse_limit("110/10s", ten), Ok((110, ten)));
        assert_eq!(parse_limit(" 190 ", ten), Ok((190, ten)));
        assert_eq!(parse_limit("5/s", ten), Ok((5, Duration::from_secs(1))));
        assert_eq!(
            parse_limit("25/1000ms", ten),
            Ok((25, Duration::from_millis(1000)))
        );
        assert_eq!(parse_limit("off", ten), Ok((0, ten)));
        assert!(parse_limit("fast", ten).is_err());
        assert!(parse_limit("110/10", ten).is_err());
        assert!(parse_limit("110/0s", ten).is_err());
    }
}
