//! Account details: `GET /account-info/v3/details`.
//!
//! Exists because a scorecard's weeks start at local Monday midnight in the portal's time
//! zone, and the portal's time zone is what this endpoint tells an app (`timeZone`, plus the
//! current `utcOffset`). The sandbox serves `SandboxOptions::timezone` here.

use axum::Json;
use axum::extract::State;
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use chrono::{Offset, TimeZone, Utc};
use serde_json::{Value, json};

use super::scopes::authorize;
use crate::Sandbox;

/// `+HH:MM` / `-HH:MM` for an offset in seconds.
fn offset_string(secs: i32) -> String {
    let sign = if secs < 0 { '-' } else { '+' };
    let a = secs.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 3600, (a % 3600) / 60)
}

/// The account details body at sandbox time `now_ms`.
pub fn details_json(sb: &Sandbox, now_ms: i64) -> Value {
    let o = sb.options();
    let tz = o.tz();
    let now = Utc
        .timestamp_millis_opt(now_ms)
        .single()
        .unwrap_or_default();
    let secs = tz
        .offset_from_utc_datetime(&now.naive_utc())
        .fix()
        .local_minus_utc();
    json!({
        "portalId": o.portal_id,
        "accountType": "STANDARD",
        "timeZone": tz.name(),
        "companyCurrency": "USD",
        "additionalCurrencies": [],
        "utcOffset": offset_string(secs),
        "utcOffsetMilliseconds": i64::from(secs) * 1000,
        "uiDomain": "app.hubspot.com",
        "dataHostingLocation": "na1",
    })
}

/// `GET /account-info/v3/details`: any valid token may read it.
pub async fn details(State(sb): State<Sandbox>, headers: HeaderMap) -> Response {
    if let Err(r) = authorize(&sb, &headers, &[]) {
        return r;
    }
    let body = details_json(&sb, sb.now_ms());
    Json(body).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_format_like_hubspot() {
        assert_eq!(offset_string(-18_000), "-05:00");
        assert_eq!(offset_string(19_800), "+05:30");
        assert_eq!(offset_string(0), "+00:00");
    }
}
