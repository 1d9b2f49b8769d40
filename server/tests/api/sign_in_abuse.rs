//! What a hostile teammate or a crafted link tries against sign-in and
//! password change: concurrent guessing, open redirects, skipping the
//! forced password change, keeping old sessions and tokens alive.

use server::accounts::api_tokens;

use crate::helpers::{TestUser, client, on_each_backend};

#[tokio::test]
async fn concurrent_guesses_are_counted_before_they_are_checked() {
    on_each_backend(|app| async move {
        app.admin("Acme", "ann@acme.test").await;
        let guesses = (0..40).map(|i| {
            let app = &app;
            async move {
                let form = [
                    ("email", "ann@acme.test".to_owned()),
                    ("password", format!("wrong password {i}")),
                ];
                let r = client()
                    .post(app.url("/login"))
                    .form(&form)
                    .send()
                    .await
                    .unwrap();
                r.headers()["location"].to_str().unwrap().to_owned()
            }
        });
        let answers = futures::future::join_all(guesses).await;
        let evaluated = answers
            .iter()
            .filter(|a| *a == "/login?error=invalid")
            .count();
        let throttled = answers
            .iter()
            .filter(|a| *a == "/login?error=throttled")
            .count();
        assert_eq!(evaluated + throttled, 40, "{answers:?}");
        assert!(
            evaluated <= 5,
            "at most the account's 5 failures are checked, got {evaluated}"
        );
    })
    .await;
}

#[tokio::test]
async fn only_paths_on_this_site_are_followed_after_sign_in() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        for (next, expected) in [
            ("/\t/evil.example", "/"),
            ("/\\evil.example", "/"),
            ("//evil.example", "/"),
            ("https://evil.example", "/"),
            ("/settings", "/settings"),
        ] {
            let r = app
                .post_login(
                    &client(),
                    &[
                        ("email", "ann@acme.test"),
                        ("password", admin.password.as_str()),
                        ("next", next),
                    ],
                )
                .await;
            assert_eq!(r.status(), 303, "{next:?}");
            assert_eq!(r.headers()["location"], expected, "{next:?}");
        }
        let r = app
            .post_login(
                &client(),
                &[
                    ("email", "ann@acme.test"),
                    ("password", admin.password.as_str()),
                    ("next", "/\r\nSet-Cookie: x=1"),
                ],
            )
            .await;
        assert_eq!(r.status(), 400);
        assert!(!r.headers().contains_key("set-cookie"), "no session");
        assert!(r.text().await.unwrap().contains("next"));
    })
    .await;
}

#[tokio::test]
async fn a_one_time_password_opens_nothing_but_its_replacement() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let r = admin
            .client
            .post(app.url("/api/v1/users"))
            .json(&serde_json::json!({"email": "bob@acme.test", "name": "Bob", "role": "member"}))
            .send()
            .await
            .unwrap();
        let body: serde_json::Value = r.json().await.unwrap();
        let otp = body["one_time_password"].as_str().unwrap().to_owned();
        let bob = TestUser {
            id: 0,
            org_id: admin.org_id,
            email: "bob@acme.test".into(),
            password: otp.clone(),
            client: client(),
        };
        app.sign_in(&bob).await;
        let laptop = TestUser {
            id: 0,
            org_id: admin.org_id,
            email: "bob@acme.test".into(),
            password: otp.clone(),
            client: client(),
        };
        app.sign_in(&laptop).await;

        // REST and other server functions refuse until the password changes.
        let r = bob.client.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = bob
            .client
            .get(app.url("/api/v1/scorecards"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);

        // The one-time password cannot be kept.
        let same = bob
            .client
            .post(app.url("/api/fn/change_password"))
            .header("accept", "application/json")
            .form(&[
                ("current_password", otp.as_str()),
                ("new_password", otp.as_str()),
            ])
            .send()
            .await
            .unwrap();
        assert!(!same.status().is_success());
        assert!(same.text().await.unwrap().contains("must differ"));

        let ok = bob
            .client
            .post(app.url("/api/fn/change_password"))
            .form(&[
                ("current_password", otp.as_str()),
                ("new_password", "bob's own password"),
            ])
            .send()
            .await
            .unwrap();
        assert!(ok.status().is_success() || ok.status().is_redirection());
        let r = bob.client.get(app.url("/api/v1/me")).send().await.unwrap();
        assert_eq!(r.status(), 200, "this browser stays signed in");
        // The other browser that knew the one-time password is signed out.
        let r = laptop.client.get(app.url("/")).send().await.unwrap();
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/login"),
            "the other session ended"
        );
    })
    .await;
}

#[tokio::test]
async fn changing_a_password_revokes_api_tokens_and_wrong_guesses_are_throttled() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let (_, token) = api_tokens::create(app.db(), admin.id, "script")
            .await
            .unwrap();
        let r = client()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);

        let change = |current: &str| {
            admin
                .client
                .post(app.url("/api/fn/change_password"))
                .header("accept", "application/json")
                .form(&[
                    ("current_password", current.to_owned()),
                    ("new_password", "ann's next password".to_owned()),
                ])
                .send()
        };
        for i in 0..5 {
            let r = change(&format!("not it {i}")).await.unwrap();
            assert!(r.text().await.unwrap().contains("current_password"));
        }
        let r = change(admin.password.as_str()).await.unwrap();
        let text = r.text().await.unwrap();
        assert!(
            text.contains("TooManyRequests"),
            "a sixth guess is throttled, even the right one: {text}"
        );
        sqlx::query("DELETE FROM login_failures")
            .execute(&app.db().pool)
            .await
            .unwrap();
        let r = change(admin.password.as_str()).await.unwrap();
        assert!(r.status().is_success() || r.status().is_redirection());
        let r = client()
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 401, "the token died with the old password");
    })
    .await;
}
