//! Health, readiness, metrics and request ids.

use server::db::Backend;

use crate::helpers::{client, on_each_backend, spawn_app};

#[tokio::test]
async fn health_readiness_and_metrics_answer() {
    on_each_backend(|app| async move {
        let c = client();
        assert_eq!(
            c.get(app.url("/healthz"))
                .send()
                .await
                .unwrap()
                .text()
                .await
                .unwrap(),
            "ok"
        );
        let ready = c.get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(ready.status(), 200);
        assert!(ready.headers().contains_key("x-request-id"));
        let _ = c.get(app.url("/api/v1/me")).send().await.unwrap();
        let metrics = c
            .get(app.url("/metrics"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(
            metrics.contains(
                "tally_http_requests_total{method=\"GET\",route=\"/api/v1/me\",status=\"401\"} 1"
            ),
            "{metrics}"
        );
        assert!(metrics.contains(
            "tally_http_request_duration_seconds_bucket{route=\"/readyz\",le=\"+Inf\"} 1"
        ));
        assert!(metrics.contains("tally_db_pool_connections"));
    })
    .await;
}

#[tokio::test]
async fn readiness_fails_when_migrations_are_missing() {
    on_each_backend(|app| async move {
        sqlx::query("DELETE FROM _sqlx_migrations")
            .execute(&app.db().pool)
            .await
            .unwrap();
        let r = client().get(app.url("/readyz")).send().await.unwrap();
        assert_eq!(r.status(), 503);
        assert_eq!(r.text().await.unwrap(), "database not migrated");
    })
    .await;
}

#[tokio::test]
async fn openapi_documents_every_api_route() {
    on_each_backend(|app| async move {
        let doc: serde_json::Value = client()
            .get(app.url("/api/v1/openapi.json"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(doc["openapi"], "3.1.0");
        for op in server::http::openapi::OPERATIONS {
            let path = format!("/api/v1{}", op.path);
            assert!(
                doc["paths"][&path][op.method].is_object(),
                "{} {path} undocumented",
                op.method
            );
        }
        // An undocumented path is a JSON 404, not a page.
        let r = client()
            .get(app.url("/api/v1/nothing-here"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
    })
    .await;
}

#[tokio::test]
async fn metrics_can_move_to_their_own_address_and_require_a_token() {
    let app = spawn_app(
        Backend::Sqlite,
        &[
            "--metrics-addr",
            "127.0.0.1:0",
            "--metrics-token",
            "scrape-me-7",
        ],
    )
    .await
    .unwrap();
    let c = client();
    // The public address no longer serves them, with or without the token.
    let public = c
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me-7")
        .send()
        .await
        .unwrap();
    assert_eq!(public.status(), 404);
    assert!(
        !public
            .text()
            .await
            .unwrap()
            .contains("tally_http_requests_total")
    );

    let metrics = format!("{}/metrics", app.metrics_base.as_deref().unwrap());
    let bare = c.get(&metrics).send().await.unwrap();
    assert_eq!(bare.status(), 401);
    assert!(bare.headers().contains_key("www-authenticate"));
    assert!(!bare.text().await.unwrap().contains("tally_"));
    let wrong = c
        .get(&metrics)
        .bearer_auth("scrape-me-8")
        .send()
        .await
        .unwrap();
    assert_eq!(wrong.status(), 401);
    let right = c
        .get(&metrics)
        .bearer_auth("scrape-me-7")
        .send()
        .await
        .unwrap();
    assert_eq!(right.status(), 200);
    let text = right.text().await.unwrap();
    assert!(text.contains("tally_db_pool_connections"), "{text}");
    // The metrics listener serves nothing else.
    let login = c
        .get(format!("{}/login", app.metrics_base.as_deref().unwrap()))
        .send()
        .await
        .unwrap();
    assert_eq!(login.status(), 404);
}

#[tokio::test]
async fn a_token_alone_guards_metrics_on_the_main_address() {
    let app = spawn_app(Backend::Sqlite, &["--metrics-token", "scrape-me-7"])
        .await
        .unwrap();
    assert!(app.metrics_base.is_none());
    let c = client();
    assert_eq!(
        c.get(app.url("/metrics")).send().await.unwrap().status(),
        401
    );
    let r = c
        .get(app.url("/metrics"))
        .bearer_auth("scrape-me-7")
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
}
