//! OAuth flows of both providers, including their failure modes.
#![allow(clippy::unwrap_used)]

mod common;

use common::*;
use serde_json::Value;

#[tokio::test]
async fn hubspot_happy_path_page_code_token_info_refresh() {
    let (_sb, base) = start(small_opts()).await;
    let c = client();
    // Consent page lists required and optional scopes and posts to a relative action.
    let page = c
        .get(format!("{base}/hubspot/oauth/authorize"))
        .query(&[
            ("client_id", "sandbox-hubspot-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "oauth crm.objects.contacts.read"),
            ("optional_scope", "sales-email-read"),
            ("state", "xyz"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(page.status(), 200);
    let html = page.text().await.unwrap();
    assert!(html.contains("crm.objects.contacts.read"));
    assert!(html.contains("sales-email-read"));
    assert!(html.contains(r#"action="authorize""#));
    assert!(html.contains(r#"value="approve""#) && html.contains(r#"value="deny""#));

    let code = hubspot_code(&c, &base, "oauth crm.objects.contacts.read", "xyz").await;
    let r = exchange(&c, &base, &code).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["token_type"], "bearer");
    assert_eq!(v["expires_in"], 1800);
    let access = v["access_token"].as_str().unwrap();
    let refresh = v["refresh_token"].as_str().unwrap();
    assert!(refresh.starts_with("na1-"));

    let info: Value = c
        .get(format!("{base}/hubspot/oauth/v1/access-tokens/{access}"))
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    for k in [
        "token",
        "user",
        "hub_domain",
        "scopes",
        "hub_id",
        "app_id",
        "expires_in",
        "user_id",
        "token_type",
    ] {
        assert!(info.get(k).is_some(), "missing {k}");
    }
    assert!(
        info["scopes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|s| s == "oauth")
    );

    let r = c
        .post(format!("{base}/hubspot/oauth/2026-03/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "sandbox-hubspot-client"),
            ("client_secret", "sandbox-hubspot-secret"),
            ("refresh_token", refresh),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let v2: Value = r.json().await.unwrap();
    assert_ne!(v2["access_token"], v["access_token"]);
    assert_eq!(
        v2["refresh_token"], v["refresh_token"],
        "HubSpot does not rotate"
    );

    // Introspection (v3) and revoke (2026-03).
    let i: Value = c
        .post(format!("{base}/hubspot/oauth/v3/token/introspect"))
        .form(&[
            ("token", v2["access_token"].as_str().unwrap()),
            ("token_type_hint", "access_token"),
        ])
        .send()
        .await
        .unwrap()
        .json()
        .await
        .unwrap();
    assert_eq!(i["active"], true);
    assert_eq!(i["token_use"], "access_token");
    let r = c
        .delete(format!("{base}/hubspot/oauth/v1/refresh-tokens/{refresh}"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 204);
    let r = c
        .post(format!("{base}/hubspot/oauth/v1/token"))
        .form(&[
            ("grant_type", "refresh_token"),
            ("client_id", "sandbox-hubspot-client"),
            ("client_secret", "sandbox-hubspot-secret"),
            ("refresh_token", refresh),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["status"], "BAD_REFRESH_TOKEN");
    assert_eq!(e["error"], "invalid_grant");
    assert!(e["correlationId"].is_string());
}

#[tokio::test]
async fn hubspot_deny_redirects_with_access_denied_and_state() {
    let (_sb, base) = start(small_opts()).await;
    let r = client()
        .post(format!("{base}/hubspot/oauth/authorize"))
        .form(&[
            ("client_id", "sandbox-hubspot-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "oauth"),
            ("state", "st8"),
            ("decision", "deny"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let loc = r.headers()["location"].to_str().unwrap();
    assert!(loc.starts_with(REDIRECT));
    let q = query_of(loc);
    assert_eq!(get(&q, "error"), Some("access_denied"));
    assert!(get(&q, "error_description").is_some());
    assert_eq!(get(&q, "state"), Some("st8"));
    assert!(get(&q, "code").is_none());
}

#[tokio::test]
async fn hubspot_bad_redirect_and_unknown_scope_show_error_pages() {
    let (sb, base) = start(small_opts()).await;
    let c = client();
    for (redirect, scope) in [
        ("http://localhost:3000/other", "oauth"),
        ("http://localhost:3000/oauth/hubspot/callback/", "oauth"),
        (REDIRECT, "oauth crm.objects.nonsense.read"),
    ] {
        let r = c
            .get(format!("{base}/hubspot/oauth/authorize"))
            .query(&[
                ("client_id", "sandbox-hubspot-client"),
                ("redirect_uri", redirect),
                ("scope", scope),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400, "{redirect} {scope}");
        assert!(r.headers().get("location").is_none());
        assert!(r.text().await.unwrap().contains("Authorization failed"));
    }
    // A redirect URI added at runtime is accepted.
    sb.add_redirect_uri("http://localhost:3000/other");
    let r = c
        .get(format!("{base}/hubspot/oauth/authorize"))
        .query(&[
            ("client_id", "sandbox-hubspot-client"),
            ("redirect_uri", "http://localhost:3000/other"),
            ("scope", "oauth"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}

#[tokio::test]
async fn hubspot_code_is_single_use_and_expires() {
    let (sb, base) = start(small_opts()).await;
    let c = client();
    let code = hubspot_code(&c, &base, "oauth", "a").await;
    assert_eq!(exchange(&c, &base, &code).await.status(), 200);
    let r = exchange(&c, &base, &code).await;
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["status"], "BAD_AUTH_CODE");
    assert_eq!(e["error"], "invalid_grant");

    let code = hubspot_code(&c, &base, "oauth", "b").await;
    sb.advance_clock(std::time::Duration::from_secs(601));
    let r = exchange(&c, &base, &code).await;
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["status"], "BAD_AUTH_CODE");
}

#[tokio::test]
async fn hubspot_pkce_s256_is_verified() {
    let (_sb, base) = start(small_opts()).await;
    let c = client();
    let verifier = "dBjftJeZ4CVP-mJ0kXk_N2Nnq2nmX2ZRs-LXG8cJh6Y";
    let challenge = "UDrukQnVXCyFlukxayTa5hUzfREIUW34QoLn129ktQM";
    let mut codes = Vec::new();
    for _ in 0..2 {
        let r = c
            .post(format!("{base}/hubspot/oauth/authorize"))
            .form(&[
                ("client_id", "sandbox-hubspot-client"),
                ("redirect_uri", REDIRECT),
                ("scope", "oauth"),
                ("code_challenge", challenge),
                ("code_challenge_method", "S256"),
                ("decision", "approve"),
            ])
            .send()
            .await
            .unwrap();
        let loc = r.headers()["location"].to_str().unwrap().to_string();
        codes.push(get(&query_of(&loc), "code").unwrap().to_string());
    }
    let ex = |code: String, v: &'static str| {
        let c = c.clone();
        let base = base.clone();
        async move {
            c.post(format!("{base}/hubspot/oauth/v3/token"))
                .form(&[
                    ("grant_type", "authorization_code"),
                    ("client_id", "sandbox-hubspot-client"),
                    ("client_secret", "sandbox-hubspot-secret"),
                    ("redirect_uri", REDIRECT),
                    ("code", &code),
                    ("code_verifier", v),
                ])
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    assert_eq!(ex(codes[0].clone(), "wrong-verifier").await, 400);
    assert_eq!(ex(codes[1].clone(), verifier).await, 200);
}

#[tokio::test]
async fn token_errors_for_bad_client_and_redirect() {
    let (_sb, base) = start(small_opts()).await;
    let c = client();
    let code = hubspot_code(&c, &base, "oauth", "a").await;
    let r = c
        .post(format!("{base}/hubspot/oauth/v1/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "sandbox-hubspot-client"),
            ("client_secret", "nope"),
            ("redirect_uri", REDIRECT),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"], "invalid_client");
    let r = c
        .post(format!("{base}/hubspot/oauth/v1/token"))
        .form(&[
            ("grant_type", "authorization_code"),
            ("client_id", "sandbox-hubspot-client"),
            ("client_secret", "sandbox-hubspot-secret"),
            ("redirect_uri", "http://localhost:3000/elsewhere"),
            ("code", &code),
        ])
        .send()
        .await
        .unwrap();
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["status"], "BAD_REDIRECT_URI");
}

#[tokio::test]
async fn auto_approve_skips_the_page() {
    let mut o = small_opts();
    o.auto_approve = true;
    let (_sb, base) = start(o).await;
    let r = client()
        .get(format!("{base}/hubspot/oauth/authorize"))
        .query(&[
            ("client_id", "sandbox-hubspot-client"),
            ("redirect_uri", REDIRECT),
            ("scope", "oauth"),
            ("state", "q"),
        ])
        .send()
        .await
        .unwrap();
    assert!(r.status().is_redirection());
    let q = query_of(r.headers()["location"].to_str().unwrap());
    assert!(get(&q, "code").is_some());
}

#[tokio::test]
async fn fathom_oauth_scope_and_refresh_rotation() {
    let (_sb, base) = start(small_opts()).await;
    let c = client();
    let r = c
        .get(format!("{base}/fathom/external/v1/oauth2/authorize"))
        .query(&[
            ("client_id", "sandbox-fathom-client"),
            ("redirect_uri", FATHOM_REDIRECT),
            ("scope", "public_api other"),
            ("response_type", "code"),
        ])
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let (access, refresh) = fathom_token(&base).await;
    let r = c
        .get(format!("{base}/fathom/external/v1/meetings"))
        .bearer_auth(&access)
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let refresh_form = |rt: String| {
        let c = c.clone();
        let base = base.clone();
        async move {
            c.post(format!("{base}/fathom/external/v1/oauth2/token"))
                .form(&[
                    ("grant_type", "refresh_token"),
                    ("client_id", "sandbox-fathom-client"),
                    ("client_secret", "sandbox-fathom-secret"),
                    ("refresh_token", &rt),
                ])
                .send()
                .await
                .unwrap()
        }
    };
    let r = refresh_form(refresh.clone()).await;
    assert_eq!(r.status(), 200);
    let v: Value = r.json().await.unwrap();
    assert_ne!(v["refresh_token"].as_str().unwrap(), refresh);
    let r = refresh_form(refresh).await;
    assert_eq!(r.status(), 400);
    let e: Value = r.json().await.unwrap();
    assert_eq!(e["error"], "invalid_grant");
}

#[tokio::test]
async fn access_token_ttl_is_configurable_and_enforced() {
    let mut o = small_opts();
    o.access_token_ttl = 60;
    let (sb, base) = start(o).await;
    let (tok, _) = hubspot_token(&base, SCOPES).await;
    let c = client();
    let url = format!("{base}/hubspot/crm/v3/objects/contacts");
    assert_eq!(
        c.get(&url).bearer_auth(&tok).send().await.unwrap().status(),
        200
    );
    sb.advance_clock(std::time::Duration::from_secs(61));
    let r = c.get(&url).bearer_auth(&tok).send().await.unwrap();
    assert_eq!(r.status(), 401);
    let v: Value = r.json().await.unwrap();
    assert_eq!(v["category"], "EXPIRED_AUTHENTICATION");
}
