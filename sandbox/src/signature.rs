//! Webhook signing: HubSpot v1/v2/v3 signatures and Standard Webhooks (Fathom).
//!
//! Exists as pure functions so the sandbox's signer can be unit-tested against the
//! published test vectors, independently of Tally's own verifier.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

type HmacSha256 = Hmac<Sha256>;

fn hmac_sha256(key: &[u8], msg: &[u8]) -> [u8; 32] {
    let mut mac = HmacSha256::new_from_slice(key).expect("HMAC accepts keys of any length");
    mac.update(msg);
    mac.finalize().into_bytes().into()
}

/// The percent-escapes HubSpot decodes in the request URI before signing v3
/// (provider-facts §6: `%3A %2F %3F %40 %21 %24 %27 %28 %29 %2A %2C %3B`).
const V3_DECODED: [(&str, char); 12] = [
    ("3A", ':'),
    ("2F", '/'),
    ("3F", '?'),
    ("40", '@'),
    ("21", '!'),
    ("24", '$'),
    ("27", '\''),
    ("28", '('),
    ("29", ')'),
    ("2A", '*'),
    ("2C", ','),
    ("3B", ';'),
];

/// The URI as HubSpot signs it: the escapes of [`V3_DECODED`] decoded (hex
/// digits in either case), every other escape left as sent.
pub fn hubspot_v3_uri(uri: &str) -> String {
    let mut out = String::with_capacity(uri.len());
    let mut rest = uri;
    while let Some(i) = rest.find('%') {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        let decoded = tail.get(1..3).and_then(|hex| {
            V3_DECODED
                .iter()
                .find(|(h, _)| h.eq_ignore_ascii_case(hex))
                .map(|(_, c)| *c)
        });
        match decoded {
            Some(c) => {
                out.push(c);
                rest = &tail[3..];
            }
            None => {
                out.push('%');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// HubSpot v3: `base64(HMAC-SHA256(client_secret, method + uri + body + timestamp))`,
/// sent as `X-HubSpot-Signature-v3` with `X-HubSpot-Request-Timestamp` (epoch ms); the
/// URI is taken through [`hubspot_v3_uri`] first.
pub fn hubspot_signature_v3(
    client_secret: &str,
    method: &str,
    uri: &str,
    body: &str,
    timestamp_ms: i64,
) -> String {
    let uri = hubspot_v3_uri(uri);
    let source = format!("{method}{uri}{body}{timestamp_ms}");
    STANDARD.encode(hmac_sha256(client_secret.as_bytes(), source.as_bytes()))
}

/// HubSpot v1: hex SHA-256 of `client_secret + body`.
pub fn hubspot_signature_v1(client_secret: &str, body: &str) -> String {
    hex::encode(Sha256::digest(format!("{client_secret}{body}").as_bytes()))
}

/// HubSpot v2: hex SHA-256 of `client_secret + method + uri + body`.
pub fn hubspot_signature_v2(client_secret: &str, method: &str, uri: &str, body: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{client_secret}{method}{uri}{body}").as_bytes(),
    ))
}

/// Errors from [`standard_webhook_signature`].
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum SignatureError {
    #[error("webhook secret is not valid base64")]
    BadSecret,
}

/// Standard Webhooks: `v1,<base64(HMAC-SHA256(key, "{id}.{timestamp}.{body}"))>`, where the key
/// is the base64-decoded part of a `whsec_...` secret.
pub fn standard_webhook_signature(
    secret: &str,
    msg_id: &str,
    timestamp_s: i64,
    body: &str,
) -> Result<String, SignatureError> {
    let raw = secret.strip_prefix("whsec_").unwrap_or(secret);
    let key = STANDARD
        .decode(raw)
        .map_err(|_| SignatureError::BadSecret)?;
    let msg = format!("{msg_id}.{timestamp_s}.{body}");
    Ok(format!(
        "v1,{}",
        STANDARD.encode(hmac_sha256(&key, msg.as_bytes()))
    ))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    // HubSpot's published examples (developers.hubspot.com/docs/faq/v1-request-validation
    // and v2-request-validation), secret `yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy`.
    const SECRET: &str = "yyyyyyyy-yyyy-yyyy-yyyy-yyyyyyyyyyyy";

    #[test]
    fn hubspot_v1_published_vector() {
        let body = r#"[{"eventId":1,"subscriptionId":12345,"portalId":62515,"occurredAt":1564113600000,"subscriptionType":"contact.creation","attemptNumber":0,"objectId":123,"changeSource":"CRM","changeFlag":"NEW","appId":54321}]"#;
        assert_eq!(
            hubspot_signature_v1(SECRET, body),
            "232db2615f3d666fe21a8ec971ac7b5402d33b9a925784df3ca654d05f4817de"
        );
    }

    #[test]
    fn hubspot_v2_published_vector() {
        assert_eq!(
            hubspot_signature_v2(SECRET, "GET", "https://www.example.com/webhook_uri", ""),
            "eee2dddcc73c94d699f5e395f4b9d454a069a6855fbfa152e91e88823087200e"
        );
    }

    #[test]
    fn hubspot_v3_matches_reference_algorithm() {
        // Cross-checked with hubspot-api-client 12.0.0 `Signature.get_signature(..., "v3", ...)`.
        let sig = hubspot_signature_v3(
            SECRET,
            "POST",
            "https://www.example.com/webhook_uri",
            r#"[{"eventId":1}]"#,
            1_700_000_000_000,
        );
        assert_eq!(sig, V3_EXPECTED);
    }

    const V3_EXPECTED: &str = "vnX5Als0n2OhEZQxOS/1ftERzeabHuxE8jEarlPWRdE=";

    #[test]
    fn hubspot_v3_decodes_the_listed_escapes_only() {
        assert_eq!(
            hubspot_v3_uri(
                "https://x.example/hook?a=%3A%2F%3F%40%21%24%27%28%29%2A%2C%3B&b=%3a%20%25%2"
            ),
            "https://x.example/hook?a=:/?@!$'()*,;&b=:%20%25%2"
        );
        // Signing an encoded URI equals signing its decoded form, and differs
        // from signing the raw text.
        let encoded = "https://www.example.com/webhook_uri?portal=a%3Ab%40c";
        let decoded = "https://www.example.com/webhook_uri?portal=a:b@c";
        let body = r#"[{"eventId":1}]"#;
        let sig = hubspot_signature_v3(SECRET, "POST", encoded, body, 1_700_000_000_000);
        assert_eq!(
            sig,
            hubspot_signature_v3(SECRET, "POST", decoded, body, 1_700_000_000_000)
        );
        let raw = STANDARD.encode(hmac_sha256(
            SECRET.as_bytes(),
            format!("POST{encoded}{body}1700000000000").as_bytes(),
        ));
        assert_ne!(sig, raw);
    }

    #[test]
    fn standard_webhooks_published_vector() {
        // The example from the Standard Webhooks / Svix test suites.
        let sig = standard_webhook_signature(
            "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw",
            "msg_p5jXN8AQM9LWM0D4loKWxJek",
            1_614_265_330,
            r#"{"test": 2432232314}"#,
        )
        .unwrap();
        assert_eq!(sig, "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=");
    }
}
