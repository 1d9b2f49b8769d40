//! Health, readiness, metrics and request ids.

use crate::helpers::{client, on_each_backend};

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
