//! HubSpot OAuth: authorize page, token endpoints (v1, v3, 2026-03), token info,
//! introspection and revocation.
//!
//! Exists to reproduce the install flow Tally drives, including its failure modes: exact
//! redirect-URI matching, unknown-scope refusal, single-use 10-minute codes, and errors in
//! HubSpot's combined legacy + RFC 6749 shape.

use axum::Json;
use axum::body::Bytes;
use axum::extract::{Path, State};
use axum::http::{HeaderMap, StatusCode, Uri};
use axum::response::{IntoResponse, Redirect, Response};
use serde_json::{Value, json};

use super::errors::{self, oauth};
use crate::consent::{self, ConsentPage};
use crate::grants::{AuthCode, pkce_ok};
use crate::util::{first, query_pairs};
use crate::{Provider, Sandbox};

const BRAND: &str = "HubSpot";

/// Parameters of an authorize request (query on GET, form on POST).
#[derive(Debug, Default, Clone)]
struct AuthorizeParams {
    client_id: String,
    redirect_uri: String,
    scope: Vec<String>,
    optional_scope: Vec<String>,
    state: Option<String>,
    code_challenge: Option<String>,
    code_challenge_method: Option<String>,
}

fn split_scopes(s: Option<&str>) -> Vec<String> {
    s.unwrap_or("")
        .split([' ', ','])
        .filter(|x| !x.is_empty())
        .map(str::to_string)
        .collect()
}

fn parse_params(pairs: &[(String, String)]) -> AuthorizeParams {
    AuthorizeParams {
        client_id: first(pairs, "client_id").unwrap_or("").to_string(),
        redirect_uri: first(pairs, "redirect_uri").unwrap_or("").to_string(),
        scope: split_scopes(first(pairs, "scope")),
        optional_scope: split_scopes(first(pairs, "optional_scope")),
        state: first(pairs, "state").map(str::to_string),
        code_challenge: first(pairs, "code_challenge").map(str::to_string),
        code_challenge_method: first(pairs, "code_challenge_method").map(str::to_string),
    }
}

/// Validates an authorize request; `Err` is the error page.
fn validate(sb: &Sandbox, p: &AuthorizeParams) -> Result<(), Response> {
    let o = &sb.inner.opts;
    if p.client_id != o.hubspot_client_id {
        return Err(consent::error_page(
            BRAND,
            "Authorization failed because of an invalid client_id.",
        ));
    }
    if !sb.redirect_uris().iter().any(|u| u == &p.redirect_uri) {
        return Err(consent::error_page(
            BRAND,
            &format!(
                "Authorization failed as the redirect URL {} doesn't match the app's registered redirect URL.",
                p.redirect_uri
            ),
        ));
    }
    if p.scope.is_empty() {
        return Err(consent::error_page(
            BRAND,
            "Authorization failed: the scope parameter is required.",
        ));
    }
    let unknown: Vec<&String> = p
        .scope
        .iter()
        .chain(p.optional_scope.iter())
        .filter(|s| !o.hubspot_app_scopes.iter().any(|k| k == *s))
        .collect();
    if !unknown.is_empty() {
        let list: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
        return Err(consent::error_page(
            BRAND,
            &format!(
                "Authorization failed because there is a mismatch between the scopes in the install URL and the app's configured scopes: {}",
                list.join(", ")
            ),
        ));
    }
    if let Some(m) = &p.code_challenge_method
        && m != "S256"
        && m != "plain"
    {
        return Err(consent::error_page(
            BRAND,
            "Authorization failed: unsupported code_challenge_method.",
        ));
    }
    Ok(())
}

fn approve(sb: &Sandbox, p: &AuthorizeParams) -> Response {
    let mut scopes: Vec<String> = vec!["oauth".into()];
    for s in p.scope.iter().chain(p.optional_scope.iter()) {
        if !scopes.contains(s) {
            scopes.push(s.clone());
        }
    }
    let code = sb.grants().issue_code(AuthCode {
        provider: Provider::Hubspot,
        client_id: p.client_id.clone(),
        redirect_uri: p.redirect_uri.clone(),
        scopes,
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

fn deny(p: &AuthorizeParams) -> Response {
    let mut params = vec![
        ("error", "access_denied"),
        ("error_description", "The user denied the request."),
    ];
    if let Some(s) = &p.state {
        params.push(("state", s));
    }
    Redirect::to(&consent::redirect_with(&p.redirect_uri, &params)).into_response()
}

/// `GET /hubspot/oauth/authorize` (also `/hubspot/oauth/{portalId}/authorize`).
pub async fn authorize_page(State(sb): State<Sandbox>, uri: Uri) -> Response {
    let p = parse_params(&query_pairs(&uri));
    if let Err(r) = validate(&sb, &p) {
        return r;
    }
    if sb.inner.opts.auto_approve {
        return approve(&sb, &p);
    }
    let mut hidden = vec![
        ("client_id", p.client_id.clone()),
        ("redirect_uri", p.redirect_uri.clone()),
        ("scope", p.scope.join(" ")),
        ("optional_scope", p.optional_scope.join(" ")),
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
    let account = format!("{} ({})", sb.inner.opts.hub_domain, sb.inner.opts.portal_id);
    consent::consent(&ConsentPage {
        brand: BRAND,
        app_name: "Tally",
        account: &account,
        action: "authorize",
        required: &p.scope,
        optional: &p.optional_scope,
        hidden: &hidden,
    })
}

/// `POST /hubspot/oauth/authorize`: the consent form's Approve / Deny.
pub async fn authorize_submit(State(sb): State<Sandbox>, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let p = parse_params(&pairs);
    if let Err(r) = validate(&sb, &p) {
        return r;
    }
    match first(&pairs, "decision") {
        Some("approve") => approve(&sb, &p),
        _ => deny(&p),
    }
}

/// Installing user: the first active owner.
fn installer(sb: &Sandbox) -> (String, u64) {
    let s = sb.store();
    s.owners
        .iter()
        .find(|o| !o.archived)
        .map(|o| (o.email.clone(), o.user_id))
        .unwrap_or_default()
}

fn token_body(sb: &Sandbox, access: &str, refresh: &str, scopes: &[String]) -> Value {
    let (_, user_id) = installer(sb);
    json!({
        "token_type": "bearer",
        "refresh_token": refresh,
        "access_token": access,
        "expires_in": sb.inner.opts.access_token_ttl,
        "token_use": "access_token",
        "hub_id": sb.inner.opts.portal_id,
        "user_id": user_id,
        "scopes": scopes,
    })
}

/// `POST /hubspot/oauth/{v1,v3,2026-03}/token`.
pub async fn token(State(sb): State<Sandbox>, uri: Uri, body: Bytes) -> Response {
    let mut pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if uri.path().contains("/oauth/v1/") {
        // v1 also accepts parameters in the query string.
        pairs.extend(query_pairs(&uri));
    }
    let get = |k: &str| first(&pairs, k).unwrap_or("").to_string();
    let o = &sb.inner.opts;
    let now = sb.now_ms();
    let client_id = get("client_id");
    let client_secret = get("client_secret");
    let bad_client = || {
        oauth(
            StatusCode::BAD_REQUEST,
            "BAD_CLIENT_ID",
            "invalid_client",
            "missing or invalid client_id",
        )
    };
    if client_id != o.hubspot_client_id {
        return bad_client();
    }
    if client_secret != o.hubspot_client_secret {
        return oauth(
            StatusCode::BAD_REQUEST,
            "BAD_CLIENT_SECRET",
            "invalid_client",
            "missing or invalid client_secret",
        );
    }
    match get("grant_type").as_str() {
        "authorization_code" => {
            let code = get("code");
            let Some(c) = sb.grants().codes.remove(&code) else {
                return oauth(
                    StatusCode::BAD_REQUEST,
                    "BAD_AUTH_CODE",
                    "invalid_grant",
                    "missing or unknown auth code",
                );
            };
            if c.provider != Provider::Hubspot || c.client_id != client_id {
                return oauth(
                    StatusCode::BAD_REQUEST,
                    "BAD_AUTH_CODE",
                    "invalid_grant",
                    "missing or unknown auth code",
                );
            }
            if c.expires_at <= now {
                return oauth(
                    StatusCode::BAD_REQUEST,
                    "BAD_AUTH_CODE",
                    "invalid_grant",
                    "auth code is expired",
                );
            }
            if get("redirect_uri") != c.redirect_uri {
                return oauth(
                    StatusCode::BAD_REQUEST,
                    "BAD_REDIRECT_URI",
                    "invalid_grant",
                    "redirect_uri does not match the one used to obtain the auth code",
                );
            }
            if let Some(ch) = &c.code_challenge {
                let v = get("code_verifier");
                if v.is_empty() || !pkce_ok(ch, c.code_challenge_method.as_deref(), &v) {
                    return oauth(
                        StatusCode::BAD_REQUEST,
                        "BAD_AUTH_CODE",
                        "invalid_grant",
                        "code_verifier does not match the code_challenge",
                    );
                }
            }
            let (access, refresh) = sb.grants().issue_grant(
                Provider::Hubspot,
                &client_id,
                c.scopes.clone(),
                now,
                o.access_token_ttl,
            );
            Json(token_body(&sb, &access, &refresh, &c.scopes)).into_response()
        }
        "refresh_token" => {
            let refresh = get("refresh_token");
            let mut g = sb.grants();
            let grant = g
                .refresh
                .get(&refresh)
                .filter(|gr| gr.provider == Provider::Hubspot && gr.client_id == client_id)
                .cloned();
            let Some(grant) = grant else {
                return oauth(
                    StatusCode::BAD_REQUEST,
                    "BAD_REFRESH_TOKEN",
                    "invalid_grant",
                    "refresh token is invalid, expired or revoked",
                );
            };
            let access = g
                .issue_access(&refresh, now, o.access_token_ttl)
                .unwrap_or_default();
            drop(g);
            Json(token_body(&sb, &access, &refresh, &grant.scopes)).into_response()
        }
        "" => oauth(
            StatusCode::BAD_REQUEST,
            "BAD_GRANT_TYPE",
            "invalid_request",
            "missing grant_type",
        ),
        _ => oauth(
            StatusCode::BAD_REQUEST,
            "BAD_GRANT_TYPE",
            "unsupported_grant_type",
            "grant_type must be authorization_code or refresh_token",
        ),
    }
}

fn access_info(sb: &Sandbox, token: &str) -> Option<Value> {
    let now = sb.now_ms();
    let t = sb.grants().access.get(token).cloned()?;
    if t.provider != Provider::Hubspot || t.expires_at <= now {
        return None;
    }
    let (email, user_id) = installer(sb);
    let o = &sb.inner.opts;
    Some(json!({
        "token": token,
        "user": email,
        "hub_domain": o.hub_domain,
        "scopes": t.scopes,
        "scope_to_scope_group_pks": [],
        "trial_scopes": [],
        "trial_scope_to_scope_group_pks": [],
        "hub_id": o.portal_id,
        "app_id": o.app_id,
        "expires_in": (t.expires_at - now) / 1000,
        "user_id": user_id,
        "token_type": "access",
        "is_private_distribution": false,
    }))
}

fn refresh_info(sb: &Sandbox, token: &str) -> Option<Value> {
    let g = sb.grants().refresh.get(token).cloned()?;
    if g.provider != Provider::Hubspot {
        return None;
    }
    let (email, user_id) = installer(sb);
    let o = &sb.inner.opts;
    Some(json!({
        "token": token,
        "user": email,
        "hub_id": o.portal_id,
        "hub_domain": o.hub_domain,
        "scopes": g.scopes,
        "client_id": g.client_id,
        "user_id": user_id,
        "token_type": "refresh",
    }))
}

/// `GET /hubspot/oauth/v1/access-tokens/{token}`.
pub async fn access_token_info(State(sb): State<Sandbox>, Path(token): Path<String>) -> Response {
    match access_info(&sb, &token) {
        Some(v) => Json(v).into_response(),
        None => errors::error(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            "access token not found or expired",
        ),
    }
}

/// `POST /hubspot/oauth/v2/private-apps/get/access-token-info` with
/// `{"tokenKey": "pat-…"}`: the private app's hub, app, user and scopes.
/// Any live HubSpot access token answers; an unknown or revoked one is 401.
pub async fn private_app_token_info(State(sb): State<Sandbox>, body: Bytes) -> Response {
    let key = serde_json::from_slice::<Value>(&body)
        .ok()
        .and_then(|v| v.get("tokenKey").and_then(Value::as_str).map(str::to_owned));
    let Some(key) = key.filter(|k| !k.is_empty()) else {
        return errors::error(
            StatusCode::BAD_REQUEST,
            "VALIDATION_ERROR",
            "tokenKey is required",
        );
    };
    let now = sb.now_ms();
    let Some(t) = sb
        .grants()
        .access
        .get(&key)
        .filter(|t| t.provider == Provider::Hubspot && t.expires_at > now)
        .cloned()
    else {
        return errors::error(
            StatusCode::UNAUTHORIZED,
            "INVALID_AUTHENTICATION",
            "The access token provided is invalid or has been revoked.",
        );
    };
    let (_, user_id) = installer(&sb);
    let o = &sb.inner.opts;
    Json(json!({
        "userId": user_id,
        "hubId": o.portal_id,
        "appId": o.app_id,
        "scopes": t.scopes,
    }))
    .into_response()
}

/// `GET /hubspot/oauth/v1/refresh-tokens/{token}`.
pub async fn refresh_token_info(State(sb): State<Sandbox>, Path(token): Path<String>) -> Response {
    match refresh_info(&sb, &token) {
        Some(v) => Json(v).into_response(),
        None => errors::error(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            "refresh token not found",
        ),
    }
}

/// `DELETE /hubspot/oauth/v1/refresh-tokens/{token}`: 204; access tokens keep working.
pub async fn refresh_token_delete(
    State(sb): State<Sandbox>,
    Path(token): Path<String>,
) -> Response {
    if sb.grants().revoke_refresh(&token) {
        StatusCode::NO_CONTENT.into_response()
    } else {
        errors::error(
            StatusCode::NOT_FOUND,
            "OBJECT_NOT_FOUND",
            "refresh token not found",
        )
    }
}

fn client_ok(sb: &Sandbox, pairs: &[(String, String)]) -> bool {
    let id = first(pairs, "client_id");
    let secret = first(pairs, "client_secret");
    id.is_none_or(|i| i == sb.inner.opts.hubspot_client_id)
        && secret.is_none_or(|s| s == sb.inner.opts.hubspot_client_secret)
}

/// The token named in an introspect / revoke body: `token`, or the field named by the hint.
fn named_token(pairs: &[(String, String)]) -> (Option<String>, Option<String>) {
    let hint = first(pairs, "token_type_hint").map(str::to_string);
    let token = first(pairs, "token")
        .or_else(|| first(pairs, "access_token"))
        .or_else(|| first(pairs, "refresh_token"))
        .map(str::to_string);
    (token, hint)
}

/// `POST /hubspot/oauth/{v3,2026-03}/token/introspect`.
pub async fn introspect(State(sb): State<Sandbox>, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !client_ok(&sb, &pairs) {
        return oauth(
            StatusCode::UNAUTHORIZED,
            "BAD_CLIENT_ID",
            "invalid_client",
            "invalid client credentials",
        );
    }
    let (Some(token), hint) = named_token(&pairs) else {
        return oauth(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "invalid_request",
            "missing token",
        );
    };
    let as_refresh = hint.as_deref() == Some("refresh_token")
        || (hint.is_none() && first(&pairs, "refresh_token").is_some());
    let found = if as_refresh {
        refresh_info(&sb, &token).map(|mut v| {
            v["token_use"] = json!("refresh_token");
            v
        })
    } else {
        access_info(&sb, &token)
            .map(|mut v| {
                v["token_use"] = json!("access_token");
                v["token_type"] = json!("Bearer");
                v
            })
            .or_else(|| {
                refresh_info(&sb, &token).map(|mut v| {
                    v["token_use"] = json!("refresh_token");
                    v
                })
            })
    };
    match found {
        Some(mut v) => {
            v["active"] = json!(true);
            v["client_id"] = json!(sb.inner.opts.hubspot_client_id);
            v["app_id"] = json!(sb.inner.opts.app_id);
            Json(v).into_response()
        }
        None => Json(json!({"active": false})).into_response(),
    }
}

/// `POST /hubspot/oauth/{v3,2026-03}/token/revoke`.
pub async fn revoke(State(sb): State<Sandbox>, _headers: HeaderMap, body: Bytes) -> Response {
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    if !client_ok(&sb, &pairs) {
        return oauth(
            StatusCode::UNAUTHORIZED,
            "BAD_CLIENT_ID",
            "invalid_client",
            "invalid client credentials",
        );
    }
    let (Some(token), _) = named_token(&pairs) else {
        return oauth(
            StatusCode::BAD_REQUEST,
            "BAD_REQUEST",
            "invalid_request",
            "missing token",
        );
    };
    let mut g = sb.grants();
    if !g.revoke_refresh(&token) {
        g.access.remove(&token);
    }
    StatusCode::NO_CONTENT.into_response()
}
