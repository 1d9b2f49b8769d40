//! Injected faults: error statuses, delays, dropped connections and 429 storms.
//!
//! Exists so tests can exercise Tally's retry and backoff paths deterministically.

use serde::{Deserialize, Serialize};

use crate::Provider;

/// What a fault does to a request.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum FaultKind {
    /// Answer with this status (500, 502, 503, ...) and a provider-shaped error body.
    Status { status: u16 },
    /// Wait this many milliseconds, then answer normally.
    Delay { ms: u64 },
    /// Close the connection without a complete response.
    Drop,
    /// Answer 429 as if the rate limit were hit.
    RateLimit,
}

/// A fault rule: applies to the next `count` matching requests, or until `until_ms`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Fault {
    #[serde(flatten)]
    pub kind: FaultKind,
    /// Number of requests still to affect (None = unlimited while `until_ms` holds).
    #[serde(default)]
    pub count: Option<u32>,
    /// Sandbox-clock epoch ms after which the fault ends.
    #[serde(default)]
    pub until_ms: Option<i64>,
    /// Restrict to one provider.
    #[serde(default)]
    pub provider: Option<Provider>,
}

/// The set of active faults.
#[derive(Debug, Default)]
pub struct Faults {
    pub rules: Vec<Fault>,
}

impl Faults {
    /// Consumes one use of the first fault matching `provider`, if any.
    pub fn take(&mut self, provider: Provider, now_ms: i64) -> Option<FaultKind> {
        self.rules
            .retain(|f| f.count.is_none_or(|c| c > 0) && f.until_ms.is_none_or(|u| now_ms < u));
        let f = self
            .rules
            .iter_mut()
            .find(|f| f.provider.is_none_or(|p| p == provider))?;
        if let Some(c) = f.count.as_mut() {
            *c -= 1;
        }
        Some(f.kind.clone())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counted_fault_expires() {
        let mut f = Faults::default();
        f.rules.push(Fault {
            kind: FaultKind::Status { status: 503 },
            count: Some(2),
            until_ms: None,
            provider: Some(Provider::Hubspot),
        });
        assert_eq!(f.take(Provider::Fathom, 0), None);
        assert!(f.take(Provider::Hubspot, 0).is_some());
        assert!(f.take(Provider::Hubspot, 0).is_some());
        assert_eq!(f.take(Provider::Hubspot, 0), None);
    }
}
