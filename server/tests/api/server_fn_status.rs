//! Refusals of server functions answer with their 4xx status, like the REST
//! API, not 500 (which the trace layer also logged at ERROR).

use crate::helpers::on_each_backend;

#[tokio::test]
async fn server_function_refusals_answer_their_status() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let member = app.member_of(&admin, "mo@acme.test", "member").await;
        let post = |client: reqwest::Client, endpoint: &str, form: Vec<(&'static str, String)>| {
            let url = app.url(&format!("/api/fn/{endpoint}"));
            async move {
                client
                    .post(&url)
                    .header("accept", "application/json")
                    .form(&form)
                    .send()
                    .await
                    .unwrap()
            }
        };

        let forbidden = post(
            member.client.clone(),
            "set_auto_sync",
            vec![("id", "1".into()), ("on", "false".into())],
        )
        .await;
        assert_eq!(forbidden.status(), 403);
        assert!(forbidden.text().await.unwrap().contains("Forbidden"));

        let unknown = post(
            admin.client.clone(),
            "set_auto_sync",
            vec![("id", "987654".into()), ("on", "false".into())],
        )
        .await;
        assert_eq!(unknown.status(), 404);
        assert!(unknown.text().await.unwrap().contains("NotFound"));

        let invalid = post(
            admin.client.clone(),
            "update_org_settings",
            vec![
                ("name", "Acme".into()),
                ("timezone", "Not/AZone".into()),
                ("week_start", "0".into()),
            ],
        )
        .await;
        assert_eq!(invalid.status(), 422);
        assert!(invalid.text().await.unwrap().contains("timezone"));

        let malformed = post(admin.client.clone(), "update_org_settings", vec![]).await;
        assert_eq!(malformed.status(), 400);

        let anonymous = post(
            crate::helpers::client(),
            "set_auto_sync",
            vec![("id", "1".into()), ("on", "false".into())],
        )
        .await;
        assert_eq!(anonymous.status(), 401);
    })
    .await;
}
