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
