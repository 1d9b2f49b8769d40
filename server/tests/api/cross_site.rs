//! Cross-site request forgery: a page on another site cannot sign someone
//! in, or make a signed-in user's browser call a server function or the REST
//! API; a server function refuses a `text/plain` body, the one type an HTML
//! form can post across sites besides form encoding.

use crate::helpers::{TestApp, TestUser, client, on_each_backend};
use crate::security::manual_measurable;

const EVIL: &str = "https://evil.example";

/// The note a cell page shows, read from its textarea.
async fn note_of(app: &TestApp, user: &TestUser, id: i64, week: &str) -> String {
    let html = user
        .get(app.url(&format!("/scorecard/cell?measurable={id}&week={week}")))
        .await
        .text()
        .await
        .unwrap();
    html.split("<textarea")
        .nth(1)
        .and_then(|t| t.split_once('>'))
        .and_then(|(_, t)| t.split("</textarea>").next())
        .unwrap_or_default()
        .to_owned()
}

#[tokio::test]
async fn a_sign_in_posted_from_another_site_is_refused_without_a_cookie() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let form = [
            ("email", "ann@acme.test"),
            ("password", admin.password.as_str()),
        ];
        for (name, value) in [("origin", EVIL), ("sec-fetch-site", "cross-site")] {
            let r = client()
                .post(app.url("/login"))
                .header(name, value)
                .form(&form)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 403, "{name}: {value}");
            assert!(r.headers().get("set-cookie").is_none(), "{name}");
            let body: serde_json::Value = r.json().await.unwrap();
            assert_eq!(body["error"], "cross_site");
        }
        // The same form from Tally's own page signs in.
        let r = client()
            .post(app.url("/login"))
            .header("origin", app.url(""))
            .header("sec-fetch-site", "same-origin")
            .form(&form)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 303);
        assert!(r.headers().get("set-cookie").is_some());
    })
    .await;
}

#[tokio::test]
async fn a_server_function_called_from_another_site_changes_nothing() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let (id, week) = manual_measurable(&app, &admin).await;
        let id_text = id.to_string();
        let fields = [
            ("measurable_id", id_text.as_str()),
            ("week", week.as_str()),
            ("note", "forged"),
        ];
        let forged = admin
            .client
            .post(app.url("/api/fn/set_cell_note"))
            .header("origin", EVIL)
            .form(&fields)
            .send()
            .await
            .unwrap();
        assert_eq!(forged.status(), 403);
        let body = format!("measurable_id={id}&week={week}&note=plain");
        let plain = admin
            .client
            .post(app.url("/api/fn/set_cell_note"))
            .header("content-type", "text/plain")
            .body(body)
            .send()
            .await
            .unwrap();
        assert_eq!(plain.status(), 415);
        let rest = admin
            .client
            .post(app.url(&format!("/api/v1/measurables/{id}/notes")))
            .header("sec-fetch-site", "cross-site")
            .json(&serde_json::json!({"week": week, "note": "forged by fetch"}))
            .send()
            .await
            .unwrap();
        assert_eq!(rest.status(), 403);
        assert_eq!(note_of(&app, &admin, id, &week).await, "");

        // Tally's own page, posting the same form, saves the note.
        let own = admin
            .client
            .post(app.url("/api/fn/set_cell_note"))
            .header("origin", app.url(""))
            .form(&[
                ("measurable_id", id_text.as_str()),
                ("week", week.as_str()),
                ("note", "ours"),
            ])
            .send()
            .await
            .unwrap();
        assert!(own.status().is_redirection() || own.status().is_success());
        assert_eq!(note_of(&app, &admin, id, &week).await, "ours");
    })
    .await;
}
