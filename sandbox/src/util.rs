//! Small helpers shared by the HTTP handlers: query parsing, link building, HTML escaping.
//!
//! Links are built either from `public_base_url` or from the original request path, so the
//! router keeps working when nested under any prefix.

use axum::http::Uri;

use crate::Sandbox;

/// Parsed query pairs (repeated keys preserved).
pub fn query_pairs(uri: &Uri) -> Vec<(String, String)> {
    uri.query()
        .and_then(|q| serde_urlencoded::from_str::<Vec<(String, String)>>(q).ok())
        .unwrap_or_default()
}

/// The first value of a key.
pub fn first<'a>(pairs: &'a [(String, String)], key: &str) -> Option<&'a str> {
    pairs
        .iter()
        .find(|(k, _)| k == key)
        .map(|(_, v)| v.as_str())
}

/// All values of a key, also splitting comma lists (HubSpot accepts both forms).
pub fn list_param(pairs: &[(String, String)], key: &str) -> Option<Vec<String>> {
    let vals: Vec<String> = pairs
        .iter()
        .filter(|(k, _)| k == key)
        .flat_map(|(_, v)| v.split(',').map(|s| s.trim().to_string()))
        .filter(|s| !s.is_empty())
        .collect();
    if pairs.iter().any(|(k, _)| k == key) {
        Some(vals)
    } else {
        None
    }
}

/// Boolean parameter (`true`/`false`).
pub fn bool_param(pairs: &[(String, String)], key: &str) -> bool {
    first(pairs, key).is_some_and(|v| v.eq_ignore_ascii_case("true") || v == "1")
}

/// A link to `inner_path` (the path inside the sandbox) with `pairs` as the query.
///
/// With `public_base_url` the link is absolute; otherwise it is an absolute-path reference
/// built from the original request path (which includes any nesting prefix).
pub fn link(sb: &Sandbox, original: &Uri, inner_path: &str, pairs: &[(String, String)]) -> String {
    let q = serde_urlencoded::to_string(pairs).unwrap_or_default();
    let path = match &sb.inner.opts.public_base_url {
        Some(base) => format!("{}{}", base.trim_end_matches('/'), inner_path),
        None => original.path().to_string(),
    };
    if q.is_empty() {
        path
    } else {
        format!("{path}?{q}")
    }
}

/// Replaces (or adds) `key=value` in a query.
pub fn with_param(pairs: &[(String, String)], key: &str, value: &str) -> Vec<(String, String)> {
    let mut out: Vec<(String, String)> = pairs.iter().filter(|(k, _)| k != key).cloned().collect();
    out.push((key.to_string(), value.to_string()));
    out
}

/// Escapes text for HTML.
pub fn html_escape(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
        .replace('\'', "&#39;")
}

/// Bearer token from an `Authorization` header.
pub fn bearer(headers: &axum::http::HeaderMap) -> Option<String> {
    let v = headers
        .get(axum::http::header::AUTHORIZATION)?
        .to_str()
        .ok()?;
    let (scheme, token) = v.split_once(' ')?;
    if scheme.eq_ignore_ascii_case("bearer") {
        Some(token.trim().to_string())
    } else {
        None
    }
}

/// `bytes` random bytes as lower-case hex (Aircall's ids and tokens, Autotask's secrets).
pub fn random_hex(bytes: usize) -> String {
    use rand::Rng;
    let mut rng = rand::thread_rng();
    (0..bytes)
        .map(|_| format!("{:02x}", rng.r#gen::<u8>()))
        .collect()
}
