//! Limits and odd values: what the API answers to bodies it cannot decode,
//! to names and lists longer than anyone types, and how the files it writes
//! are protected.

use serde_json::Value;

use crate::helpers::on_each_backend;

#[tokio::test]
async fn undecodable_json_bodies_are_answered_in_the_error_envelope() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let url = app.url("/api/v1/users");
        for (content_type, body, status, code, field, says) in [
            (
                "application/json",
                "{\"name\": ",
                400,
                "invalid_body",
                "body",
                "EOF",
            ),
            (
                "application/json",
                "\"hello\"",
                422,
                "invalid",
                "body",
                "expected struct",
            ),
            (
                "application/json",
                "{\"name\": 7}",
                422,
                "invalid",
                "name",
                "invalid type",
            ),
            (
                "text/plain",
                "{\"name\": \"x\"}",
                415,
                "invalid_body",
                "body",
                "application/json",
            ),
        ] {
            let r = admin
                .client
                .post(&url)
                .header("content-type", content_type)
                .body(body)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), status, "{body}");
            assert!(
                r.headers()["content-type"]
                    .to_str()
                    .unwrap()
                    .starts_with("application/json")
            );
            let v: Value = r.json().await.unwrap();
            assert_eq!(v["error"], code, "{v}");
            assert_eq!(v["field"], field, "{v}");
            assert!(v["message"].as_str().unwrap().contains(says), "{v}");
        }
    })
    .await;
}

#[cfg(unix)]
#[tokio::test]
async fn the_data_folder_database_and_key_are_private() {
    use std::os::unix::fs::PermissionsExt as _;
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    let root = tempfile::tempdir().unwrap();
    let data = root.path().join("data");
    let db = server::db::Db::connect(&format!("sqlite://{}/tally.db", data.display()))
        .await
        .unwrap();
    db.migrate().await.unwrap();
    server::vault::Keyring::load(None, &data).unwrap();
    assert_eq!(mode(&data), 0o700, "data/");
    for file in ["tally.db", "tally.db-wal", "tally.db-shm", "secret.key"] {
        assert_eq!(mode(&data.join(file)), 0o600, "{file}");
    }
}

#[tokio::test]
async fn names_lists_and_keywords_longer_than_anyone_types_are_refused_whole() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let long = "x".repeat(201);
        let send = |method: reqwest::Method, path: String, body: Value| {
            let client = admin.client.clone();
            let url = app.url(&path);
            async move {
                let r = client.request(method, url).json(&body).send().await.unwrap();
                let status = r.status().as_u16();
                (status, r.json::<Value>().await.unwrap_or(Value::Null))
            }
        };
        let (status, card) = send(
            reqwest::Method::POST,
            "/api/v1/scorecards".into(),
            serde_json::json!({"name": "S"}),
        )
        .await;
        assert_eq!(status, 201);
        let card = card["id"].as_i64().unwrap();
        let measurables = format!("/api/v1/scorecards/{card}/measurables");
        let synced = |filters: Value| {
            serde_json::json!({"section": "Sales", "name": "Notes",
                "source": {"type": "synced", "kind": "note", "filters": filters}})
        };
        let many: Vec<String> = (0..101).map(|i| format!("k{i}")).collect();
        for (body, field) in [
            (synced(serde_json::json!({"keywords": [long]})), "source.filters.keywords"),
            (synced(serde_json::json!({"keywords": many})), "source.filters.keywords"),
            (synced(serde_json::json!({"contact_in_list": long})), "source.filters.contact_in_list"),
            (
                serde_json::json!({"section": "S", "name": "F",
                    "source": {"type": "formula", "formula": "1 + ".repeat(300) + "1"}}),
                "source.formula",
            ),
            (
                serde_json::json!({"section": "S", "name": "y".repeat(121), "source": {"type": "manual"}}),
                "name",
            ),
        ] {
            let (status, v) = send(reqwest::Method::POST, measurables.clone(), body).await;
            assert_eq!(status, 422, "{v}");
            assert_eq!(v["field"], field, "{v}");
        }
        let (status, v) = send(
            reqwest::Method::POST,
            "/api/v1/people".into(),
            serde_json::json!({"name": "p".repeat(121), "email": "p@acme.test"}),
        )
        .await;
        assert_eq!((status, v["field"].as_str()), (422, Some("name")), "{v}");
        let people: Value = admin.get_json(app.url("/api/v1/people")).await;
        assert!(!people.to_string().contains("ppppp"), "no person was stored");

        // Sync settings: a bad list leaves the backfill weeks as they were.
        let id = crate::fixtures::connection(&app, admin.org_id, "hubspot").await;
        let settings = format!("/api/v1/connections/{id}/sync-settings");
        let before = admin.get_json(app.url(&settings)).await;
        let lists: Vec<String> = (0..51).map(|i| format!("List {i}")).collect();
        for lists in [serde_json::json!(lists), serde_json::json!([long])] {
            let (status, v) = send(
                reqwest::Method::PUT,
                settings.clone(),
                serde_json::json!({"backfill_weeks": 7, "lists": lists}),
            )
            .await;
            assert_eq!((status, v["field"].as_str()), (422, Some("lists")), "{v}");
        }
        assert_eq!(admin.get_json(app.url(&settings)).await, before);
    })
    .await;
}
