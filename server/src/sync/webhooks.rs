//! Provider webhooks: verify, de-duplicate, and queue a targeted run.
//!
//! HubSpot signs with v3: base64 HMAC-SHA256, keyed with the app's client
//! secret, over method + full URI (`TALLY_PUBLIC_URL` + path + query, with
//! the twelve escapes HubSpot decodes first decoded, see [`signed_uri`]) +
//! raw body + `X-HubSpot-Request-Timestamp`, which must be within 5 minutes.
//! Fathom signs per Standard Webhooks: `webhook-signature: v1,<base64>`
//! HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}`, keyed with the
//! base64 part of the `whsec_` secret. Anything unsigned, stale or malformed
//! is refused before it touches the database. Each delivery id (HubSpot
//! `eventId`, Fathom `webhook-id`) is handled once (see [`super::inbox`]).

use std::collections::BTreeMap;

use base64::{Engine as _, engine::general_purpose::STANDARD};
use hmac::{Hmac, Mac};
use serde_json::Value;
use sha2::Sha256;

use super::{hubspot, work::Work};

/// Accepted clock difference.
pub const TOLERANCE_MS: i64 = 5 * 60 * 1000;

/// Why a delivery was refused.
#[derive(Debug, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    /// Missing or wrong signature, or stale timestamp: 401.
    #[error("{0}")]
    Unauthorized(&'static str),
    /// Signed, but not a body we understand: 400.
    #[error("{0}")]
    Malformed(&'static str),
}

fn hmac(key: &[u8], msg: &[u8]) -> Option<Vec<u8>> {
    let mut m = Hmac::<Sha256>::new_from_slice(key).ok()?;
    m.update(msg);
    Some(m.finalize().into_bytes().to_vec())
}

fn constant_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0_u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// The URI as HubSpot v3 signs it: `%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A
/// %2C %3B` decoded to `: / ? @ ! $ ' ( ) * , ;` (hex in either case); every
/// other escape stays as sent.
pub fn signed_uri(uri: &str) -> String {
    fn decoded(hex: &[u8]) -> Option<u8> {
        let byte = u8::from_str_radix(std::str::from_utf8(hex).ok()?, 16).ok()?;
        b":/?@!$'()*,;".contains(&byte).then_some(byte)
    }
    let bytes = uri.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%'
            && let Some(b) = bytes.get(i + 1..i + 3).and_then(decoded)
        {
            out.push(b);
            i += 3;
            continue;
        }
        out.push(bytes[i]);
        i += 1;
    }
    // Only ASCII bytes were substituted for ASCII escapes: still UTF-8.
    String::from_utf8(out).unwrap_or_else(|_| uri.to_owned())
}

/// Checks a HubSpot v3 signature.
pub fn verify_hubspot(
    client_secret: &str,
    method: &str,
    uri: &str,
    body: &[u8],
    signature: Option<&str>,
    timestamp: Option<&str>,
    now: i64,
) -> Result<(), Refused> {
    let sig = signature.ok_or(Refused::Unauthorized("missing X-HubSpot-Signature-v3"))?;
    let ts: i64 = timestamp
        .and_then(|t| t.trim().parse().ok())
        .ok_or(Refused::Unauthorized(
            "missing or bad X-HubSpot-Request-Timestamp",
        ))?;
    if (now - ts).abs() > TOLERANCE_MS {
        return Err(Refused::Unauthorized(
            "timestamp outside the 5-minute window",
        ));
    }
    let uri = signed_uri(uri);
    let mut msg = Vec::with_capacity(body.len() + uri.len() + 32);
    msg.extend_from_slice(method.as_bytes());
    msg.extend_from_slice(uri.as_bytes());
    msg.extend_from_slice(body);
    msg.extend_from_slice(ts.to_string().as_bytes());
    let expected = hmac(client_secret.as_bytes(), &msg).ok_or(Refused::Unauthorized("bad key"))?;
    let given = STANDARD
        .decode(sig.trim())
        .map_err(|_| Refused::Unauthorized("signature is not base64"))?;
    if constant_eq(&expected, &given) {
        Ok(())
    } else {
        Err(Refused::Unauthorized("signature does not match"))
    }
}

/// Checks a Standard Webhooks signature (Fathom).
pub fn verify_standard(
    secret: &str,
    id: Option<&str>,
    timestamp: Option<&str>,
    signature: Option<&str>,
    body: &[u8],
    now: i64,
) -> Result<(), Refused> {
    let id = id.ok_or(Refused::Unauthorized("missing webhook-id"))?;
    let ts: i64 = timestamp
        .and_then(|t| t.trim().parse().ok())
        .ok_or(Refused::Unauthorized("missing or bad webhook-timestamp"))?;
    if (now - ts * 1000).abs() > TOLERANCE_MS {
        return Err(Refused::Unauthorized(
            "timestamp outside the 5-minute window",
        ));
    }
    let sigs = signature.ok_or(Refused::Unauthorized("missing webhook-signature"))?;
    let key = STANDARD
        .decode(secret.strip_prefix("whsec_").unwrap_or(secret))
        .map_err(|_| Refused::Unauthorized("the webhook secret is not base64"))?;
    let mut msg = format!("{id}.{ts}.").into_bytes();
    msg.extend_from_slice(body);
    let expected = hmac(&key, &msg).ok_or(Refused::Unauthorized("bad key"))?;
    let ok = sigs.split(' ').any(|s| {
        s.strip_prefix("v1,")
            .and_then(|b| STANDARD.decode(b).ok())
            .is_some_and(|given| constant_eq(&expected, &given))
    });
    if ok {
        Ok(())
    } else {
        Err(Refused::Unauthorized("signature does not match"))
    }
}

/// One HubSpot event: (event id, portal, object id, kind, deleted).
pub type HubspotEvent = (String, String, String, hubspot::Kind, bool);

/// HubSpot events grouped by portal into per-kind fetch and delete lists.
pub fn parse_hubspot(body: &[u8]) -> Result<Vec<HubspotEvent>, Refused> {
    let events: Vec<Value> = serde_json::from_slice(body)
        .map_err(|_| Refused::Malformed("expected a JSON array of events"))?;
    let mut out = Vec::new();
    for e in events {
        let id_of = |v: &Value| match v {
            Value::Number(n) => Some(n.to_string()),
            Value::String(s) => Some(s.clone()),
            _ => None,
        };
        let (Some(event_id), Some(portal), Some(object_id), Some(sub)) = (
            id_of(&e["eventId"]),
            id_of(&e["portalId"]),
            id_of(&e["objectId"]),
            e["subscriptionType"].as_str(),
        ) else {
            return Err(Refused::Malformed(
                "an event lacks eventId, portalId, objectId or subscriptionType",
            ));
        };
        let (prefix, action) = sub.split_once('.').unwrap_or((sub, ""));
        let kind = match e["objectTypeId"].as_str() {
            Some(t) => hubspot::kind(t),
            None => hubspot::kind(prefix),
        };
        let Some(kind) = kind else {
            // Not an object Tally syncs: acknowledged and ignored.
            continue;
        };
        let deleted = action == "deletion" || action == "privacyDeletion";
        out.push((event_id, portal, object_id, kind, deleted));
    }
    Ok(out)
}

/// Turns parsed events into the work of one connection.
pub fn hubspot_work(events: &[HubspotEvent]) -> Work {
    let mut by_kind: BTreeMap<&str, (hubspot::Kind, Vec<String>, Vec<String>)> = BTreeMap::new();
    for (_, _, id, kind, deleted) in events {
        let entry = by_kind
            .entry(kind.plural)
            .or_insert_with(|| (*kind, Vec::new(), Vec::new()));
        if *deleted {
            entry.1.retain(|x| x != id);
            entry.2.push(id.clone());
        } else {
            entry.2.retain(|x| x != id);
            if !entry.1.contains(id) {
                entry.1.push(id.clone());
            }
        }
    }
    Work::HubspotIds(by_kind.into_values().collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hubspot_v3_round_trip_and_refusals() {
        let body = br#"[{"eventId":1}]"#;
        let uri = "https://tally.example.com/webhooks/hubspot";
        let now = 1_700_000_000_000;
        let sig = sandbox::hubspot_signature_v3(
            "secret",
            "POST",
            uri,
            std::str::from_utf8(body).unwrap(),
            now,
        );
        let ts = now.to_string();
        assert_eq!(
            verify_hubspot(
                "secret",
                "POST",
                uri,
                body,
                Some(&sig),
                Some(&ts),
                now + 1000
            ),
            Ok(())
        );
        assert!(verify_hubspot("other", "POST", uri, body, Some(&sig), Some(&ts), now).is_err());
        assert!(verify_hubspot("secret", "POST", uri, b"[]", Some(&sig), Some(&ts), now).is_err());
        assert!(
            verify_hubspot(
                "secret",
                "POST",
                uri,
                body,
                Some(&sig),
                Some(&ts),
                now + TOLERANCE_MS + 1
            )
            .is_err()
        );
        assert!(verify_hubspot("secret", "POST", uri, body, None, Some(&ts), now).is_err());
    }

    #[test]
    fn hubspot_v3_signs_the_uri_with_hubspots_escapes_decoded() {
        assert_eq!(
            signed_uri("/w?q=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B%3a&x=%20%25%2G%2"),
            "/w?q=:/?@!$'()*,;:&x=%20%25%2G%2"
        );
        let uri = "https://tally.example.com/webhooks/hubspot?tag=a%3Ab%40c%2Cd";
        let body = br#"[{"eventId":1}]"#;
        let now = 1_700_000_000_000;
        let ts = now.to_string();
        // What HubSpot sends: the signature of the decoded URI.
        let decoded_sig = sandbox::hubspot_signature_v3(
            "secret",
            "POST",
            "https://tally.example.com/webhooks/hubspot?tag=a:b@c,d",
            std::str::from_utf8(body).unwrap(),
            now,
        );
        assert_eq!(
            verify_hubspot(
                "secret",
                "POST",
                uri,
                body,
                Some(&decoded_sig),
                Some(&ts),
                now
            ),
            Ok(())
        );
        // A signature over the raw, still-encoded text is not HubSpot's.
        let mut raw = format!("POST{uri}").into_bytes();
        raw.extend_from_slice(body);
        raw.extend_from_slice(ts.as_bytes());
        let raw_sig = STANDARD.encode(hmac(b"secret", &raw).unwrap());
        assert!(
            verify_hubspot("secret", "POST", uri, body, Some(&raw_sig), Some(&ts), now).is_err()
        );
    }

    #[test]
    fn standard_webhooks_round_trip_and_refusals() {
        let secret = "whsec_c2FuZGJveC1mYXRob20td2ViaG9vay1zZWNyZXQtMzJi";
        let body = br#"{"recording_id":1}"#;
        let now_s = 1_700_000_000;
        let sig = sandbox::standard_webhook_signature(
            secret,
            "msg_1",
            now_s,
            std::str::from_utf8(body).unwrap(),
        )
        .unwrap();
        let ts = now_s.to_string();
        let now = now_s * 1000;
        assert_eq!(
            verify_standard(secret, Some("msg_1"), Some(&ts), Some(&sig), body, now),
            Ok(())
        );
        assert!(verify_standard(secret, Some("msg_2"), Some(&ts), Some(&sig), body, now).is_err());
        assert!(
            verify_standard(
                secret,
                Some("msg_1"),
                Some(&ts),
                Some(&sig),
                body,
                now + TOLERANCE_MS + 1000
            )
            .is_err()
        );
        assert!(
            verify_standard(secret, Some("msg_1"), Some(&ts), Some("v1,AAAA"), body, now).is_err()
        );
    }
}
