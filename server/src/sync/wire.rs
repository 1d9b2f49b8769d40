//! Wire helpers every provider's mapping uses: ids, timestamps as HubSpot and
//! Fathom send them (epoch milliseconds, RFC 3339, or a bare date), and
//! the escaping of the opaque paging tokens both hand back.

/// Percent-encodes an opaque paging token for a query string (HubSpot's
/// `after` and Fathom's `cursor` are base64-ish: `=`, `+` and `/` must not
/// reach the query raw).
pub fn query_escape(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// An id-like value (a number or a non-blank string) as text, as Autotask
/// and Aircall send ids.
pub fn id_text(v: &serde_json::Value) -> Option<String> {
    match v {
        serde_json::Value::Number(n) => Some(n.to_string()),
        serde_json::Value::String(s) if !s.trim().is_empty() => Some(s.trim().to_owned()),
        _ => None,
    }
}

/// Epoch ms from a HubSpot value: ms digits or ISO-8601.
pub fn ts(v: Option<&str>) -> Option<i64> {
    let v = v?.trim();
    if v.is_empty() {
        return None;
    }
    if let Ok(n) = v.parse::<i64>() {
        return Some(n);
    }
    chrono::DateTime::parse_from_rfc3339(v)
        .ok()
        .map(|d| d.timestamp_millis())
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(v, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc().timestamp_millis())
        })
}
