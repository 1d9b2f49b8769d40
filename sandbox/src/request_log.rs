//! Log of provider requests, so tests can assert how Tally used the APIs.
//!
//! Secrets never enter the log: token path segments and secret-bearing query parameters
//! are redacted before an entry is stored.

use serde::Serialize;

/// One request to a provider route.
#[derive(Debug, Clone, Serialize, PartialEq)]
pub struct RequestLogEntry {
    /// `hubspot` or `fathom`.
    pub provider: String,
    pub method: String,
    /// Path inside the sandbox (e.g. `/hubspot/crm/v3/objects/calls`), tokens redacted.
    pub path: String,
    /// Query string, secrets redacted; empty when absent.
    pub query: String,
    pub status: u16,
    /// RFC 3339 timestamp (sandbox clock).
    pub timestamp: String,
    /// Epoch ms of `timestamp`.
    pub timestamp_ms: i64,
    /// True when the sandbox answered 429 (real limit or injected storm).
    pub rate_limited: bool,
    /// The injected fault that shaped this response, if any.
    pub fault: Option<String>,
}

const SECRET_PARAMS: &[&str] = &[
    "client_secret",
    "refresh_token",
    "access_token",
    "code",
    "code_verifier",
    "token",
    "hapikey",
];

/// Replaces token path segments with `[redacted]`.
pub fn redact_path(path: &str) -> String {
    let markers = ["/access-tokens/", "/refresh-tokens/"];
    for m in markers {
        if let Some(i) = path.find(m) {
            return format!("{}{}[redacted]", &path[..i], m);
        }
    }
    path.to_string()
}

/// Replaces the values of secret-bearing query parameters with `[redacted]`.
pub fn redact_query(query: &str) -> String {
    if query.is_empty() {
        return String::new();
    }
    query
        .split('&')
        .map(|pair| {
            let name = pair.split('=').next().unwrap_or("");
            if SECRET_PARAMS.contains(&name) {
                format!("{name}=[redacted]")
            } else {
                pair.to_string()
            }
        })
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn redacts_tokens() {
        assert_eq!(
            redact_path("/hubspot/oauth/v1/access-tokens/CJabc"),
            "/hubspot/oauth/v1/access-tokens/[redacted]"
        );
        assert_eq!(
            redact_query("a=1&client_secret=s&refresh_token=r"),
            "a=1&client_secret=[redacted]&refresh_token=[redacted]"
        );
    }
}
