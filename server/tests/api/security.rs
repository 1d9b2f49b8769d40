//! What a browser is told to refuse: user text is escaped wherever it is
//! rendered (also inside raw-text elements such as `<textarea>`), and every
//! response carries a strict Content-Security-Policy whose nonce matches the
//! page's inline scripts, plus the other security headers.

use serde_json::{Value, json};

use crate::helpers::{TestApp, TestUser, on_each_backend};

const PAYLOAD: &str =
    r#""><img src=x onerror="window.__xss=1"></textarea><script>window.__xss=1</script>"#;

async fn post(user: &TestUser, url: String, body: Value) -> (u16, Value) {
    let r = user.client.post(&url).json(&body).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json::<Value>().await.unwrap_or(Value::Null))
}

/// A manual measurable on a new scorecard, and the current week.
async fn manual_measurable(app: &TestApp, admin: &TestUser) -> (i64, String) {
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
