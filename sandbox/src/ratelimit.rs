//! A rolling-window request counter shared by the HubSpot and Fathom limiters.
//!
//! Exists so both providers count requests the same way: a request is admitted when fewer
//! than `max` admitted requests fall inside the last `window_ms`; rejected requests don't count.

use std::collections::VecDeque;
use std::time::{Duration, Instant};

/// Outcome of [`SlidingWindow::hit`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Admission {
    pub allowed: bool,
    pub max: usize,
    /// Requests left in the window after this one.
    pub remaining: usize,
    /// Time until the oldest counted request leaves the window.
    pub reset: Duration,
}

/// A rolling window of admitted request instants.
#[derive(Debug)]
pub struct SlidingWindow {
    max: usize,
    window: Duration,
    hits: VecDeque<Instant>,
}

impl SlidingWindow {
    /// A window admitting `max` requests per `window_ms`.
    pub fn new(max: usize, window_ms: u64) -> SlidingWindow {
        SlidingWindow {
            max,
            window: Duration::from_millis(window_ms),
            hits: VecDeque::new(),
        }
    }

    /// Counts a request at `now` if there is room.
    pub fn hit(&mut self, now: Instant) -> Admission {
        while let Some(&front) = self.hits.front() {
            if now.duration_since(front) >= self.window {
                self.hits.pop_front();
            } else {
                break;
            }
        }
        let allowed = self.hits.len() < self.max;
        if allowed {
            self.hits.push_back(now);
        }
        let reset = self
            .hits
            .front()
            .map(|&f| self.window.saturating_sub(now.duration_since(f)))
            .unwrap_or(self.window);
        Admission {
            allowed,
            max: self.max,
            remaining: self.max.saturating_sub(self.hits.len()),
            reset,
        }
    }

    /// Forgets all counted requests.
    pub fn clear(&mut self) {
        self.hits.clear();
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn admits_up_to_max_then_recovers() {
        let mut w = SlidingWindow::new(2, 1000);
        let t0 = Instant::now();
        assert!(w.hit(t0).allowed);
        assert_eq!(w.hit(t0).remaining, 0);
        assert!(!w.hit(t0).allowed);
        assert!(w.hit(t0 + Duration::from_millis(1000)).allowed);
    }
}
