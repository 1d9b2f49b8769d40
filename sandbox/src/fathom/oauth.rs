//! Fathom OAuth: authorize page and token endpoint (authorization code and refresh).
//!
//! Exists to reproduce Fathom's flow: the only scope is `public_api`, the token endpoint
//! takes a form body, and (sandbox choice, see README) refresh tokens rotate on use.

use axum::Json;
use axum::body::Bytes;
use axum::extract::State;
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde_json::json;

use super::error;
use crate::consent::{self, ConsentPage};
use crate::grants::{AuthCode, pkce_ok};
use crate::util::{first, query_pairs};
use crate::{Provider, Sandbox};

const BRAND: &str = "Fathom";
const SCOPE: &str = "public_api";

#[derive(Debug, Clone, Default)]
struct Params {
    client_id: String,
    redirect_uri: String,
    scope: String,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

fn parse(pairs: &[(String, String)]) -> Params {
    Params {
        client_id: first(pairs, "client_id").unwrap_or("").into(),
        redirect_uri: first(pairs, "redirect_uri").unwrap_or("").into(),
        scope: first(pairs, "scope").unwrap_or("").into(),
        state: first(pairs, "state").map(str::to_string),
        code_challenge: first(pairs, "code_challenge").map(str::to_string),
        code_challenge_method: first(pairs, "code_challenge_method").map(str::to_string),
    }
}

fn validate(sb: &Sandbox, pairs: &[(String, String)], p: &Params) -> Result<(), Response> {
    if p.client_id != sb.inner.opts.fathom_client_id {
        return Err(consent::error_page(
            BRAND,
            "Client authentication failed: unknown client_id.",
        ));
    }
    if !sb.redirect_uris().iter().any(|u| u == &p.redirect_uri) {
        return Err(consent::error_page(
            BRAND,
            "The redirect uri included is not valid.",
        ));
    }
    if first(pairs, "response_type").is_some_and(|r| r != "code") {
        return Err(consent::error_page(
            BRAND,
            "The authorization server does not support this response type.",
        ));
    }
    let scopes: Vec<&str> = p
        .scope
        .split([' ', ','])
        .filter(|s| !s.is_empty())
        .collect();
    if scopes.is_empty() || scopes.iter().any(|s| *s != SCOPE) {
        return Err(consent::error_page(
            BRAND,
            "The requested scope is invalid, unknown, or malformed. The only scope is public_api.",
        ));
    }
    Ok(())
}

fn approve(sb: &Sandbox, p: &Params) -> Response {
    let code = sb.grants().issue_code(AuthCode {
        provider: Provider::Fathom,
        client_id: p.client_id.clone(),
        redirect_uri: p.redirect_uri.clone(),
        scopes: vec![SCOPE.into()],
        expires_at: sb.now_ms() + sb.inner.opts.auth_code_ttl as i64 * 1000,
        code_challenge: p.code_challenge.clone(),
        code_challenge_method: p.code_challenge_method.clone(),
    });
    let mut params = vec![("code", code.as_str())];
    if let Some(s) = &p.state {
        params.push(("state", s));
    }
    Redirect::to(&consent::redirect_with(&p.redirect_uri, &params)).into_response()
}

/// `GET /fathom/external/v1/oauth2/authorize`.
pub async fn authorize_page(State(sb): State<Sandbox>, uri: Uri) -> Response {
    let pairs = query_pairs(&uri);
    let p = parse(&pairs);
    if let Err(r) = validate(&sb, &pairs, &p) {
        return r;
    }
    if sb.inner.opts.auto_approve {
        return approve(&sb, &p);
    }
    let mut hidden = vec![
        ("client_id", p.client_id.clone()),
        ("redirect_uri", p.redirect_uri.clone()),
        ("scope", p.scope.clone()),
        ("response_type", "code".to_string()),
    ];
    for (k, v) in [
        ("state", &p.state),
        ("code_challenge", &p.code_challenge),
        ("code_challenge_method", &p.code_challenge_method),
    ] {
        if let Some(v) = v {
            hidden.push((k, v.clone()));
        }
    }
    let s = sb.store();
    let account = format!(
        "{} ({})",
        super::meetings::connected_email(&sb, &s),
        sb.inner.opts.fathom_team
    );
    drop(s);
    consent::consent(&ConsentPage {
        brand: BRAND,
        app_name: "Tally (unverified app)",
        account: &account,
        action: "authorize",
        required: &[SCOPE.to_string()],
        optional: &[],
        hidden: &hidden,
    })
}

/// `POST /fathom/external/v1/oauth2/authorize`.
pub async fn authorize_submit(State(sb): State<Sandbox>, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let p = parse(&pairs);
    if let Err(r) = validate(&sb, &pairs, &p) {
        return r;
    }
    if first(&pairs, "decision") == Some("approve") {
        return approve(&sb, &p);
    }
    let mut params = vec![
        ("error", "access_denied"),
        (
            "error_description",
            "The resource owner or authorization server denied the request.",
        ),
    ];
    if let Some(s) = &p.state {
        params.push(("state", s));
    }
    Redirect::to(&consent::redirect_with(&p.redirect_uri, &params)).into_response()
}

fn basic_auth(headers: &HeaderMap) -> Option<(String, String)> {
    let v = headers.get("authorization")?.to_str().ok()?;
    let raw = v
        .strip_prefix("Basic ")
        .or_else(|| v.strip_prefix("basic "))?;
    let decoded = String::from_utf8(STANDARD.decode(raw.trim()).ok()?).ok()?;
    let (a, b) = decoded.split_once(':')?;
    Some((a.to_string(), b.to_string()))
}

fn token_json(sb: &Sandbox, access: &str, refresh: &str) -> Response {
    Json(json!({
        "access_token": access,
        "token_type": "Bearer",
        "expires_in": sb.inner.opts.access_token_ttl,
        "refresh_token": refresh,
        "scope": SCOPE,
        "created_at": sb.now_ms() / 1000,
    }))
    .into_response()
}

/// `POST /fathom/external/v1/oauth2/token`.
pub async fn token(State(sb): State<Sandbox>, headers: HeaderMap, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let (client_id, client_secret) = match basic_auth(&headers) {
        Some(c) => c,
        None => (
            first(&pairs, "client_id").unwrap_or("").to_string(),
            first(&pairs, "client_secret").unwrap_or("").to_string(),
        ),
    };
    let o = &sb.inner.opts;
    if client_id != o.fathom_client_id || client_secret != o.fathom_client_secret {
        return error(
            StatusCode::UNAUTHORIZED,
            "invalid_client",
            "Client authentication failed due to unknown client, no client authentication included, or unsupported authentication method.",
        );
    }
    let now = sb.now_ms();
    let invalid_grant = || {
        error(
            StatusCode::BAD_REQUEST,
            "invalid_grant",
            "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client.",
        )
    };
    match first(&pairs, "grant_type").unwrap_or("") {
        "authorization_code" => {
            let code = first(&pairs, "code").unwrap_or("");
            let Some(c) = sb.grants().codes.remove(code) else {
                return invalid_grant();
            };
            if c.provider != Provider::Fathom
                || c.client_id != client_id
                || c.expires_at <= now
                || first(&pairs, "redirect_uri").unwrap_or("") != c.redirect_uri
            {
                return invalid_grant();
            }
            if let Some(ch) = &c.code_challenge {
                let v = first(&pairs, "code_verifier").unwrap_or("");
                if !pkce_ok(ch, c.code_challenge_method.as_deref(), v) {
                    return invalid_grant();
                }
            }
            let (access, refresh) = sb.grants().issue_grant(
                Provider::Fathom,
                &client_id,
                c.scopes,
                now,
                o.access_token_ttl,
            );
            token_json(&sb, &access, &refresh)
        }
        "refresh_token" => {
            let old = first(&pairs, "refresh_token").unwrap_or("");
            let mut g = sb.grants();
            let Some(grant) = g
                .refresh
                .get(old)
                .filter(|gr| gr.provider == Provider::Fathom && gr.client_id == client_id)
                .cloned()
            else {
                return invalid_grant();
            };
            // Rotate: the old refresh token stops working, its access tokens keep working.
            g.refresh.remove(old);
            let (access, refresh) = g.issue_grant(
                Provider::Fathom,
                &client_id,
                grant.scopes,
                now,
                o.access_token_ttl,
            );
            drop(g);
            token_json(&sb, &access, &refresh)
        }
        "" => error(
            StatusCode::BAD_REQUEST,
            "invalid_request",
            "Missing grant_type.",
        ),
        _ => error(
            StatusCode::BAD_REQUEST,
            "unsupported_grant_type",
            "The authorization grant type is not supported by the authorization server.",
        ),
    }
}
