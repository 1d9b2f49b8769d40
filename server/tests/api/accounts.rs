//! Sign-in, setup, sessions, invitations and API tokens, end to end.

use server::accounts::api_tokens;

use crate::helpers::{BACKENDS, TestUser, client, on_each_backend, spawn_app};

#[tokio::test]
async fn first_run_setup_creates_the_admin_and_then_closes() {
    for backend in BACKENDS {
        let Some(app) = spawn_app(backend, &[]).await else {
            continue;
        };
        let c = client();
        let r = c.get(app.url("/")).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/setup");

        let page = c.get(app.url("/setup")).send().await.unwrap();
        assert_eq!(page.status(), 200);
        assert!(page.text().await.unwrap().contains("Create organisation"));

        let weak = [
            ("org_name", "Acme"),
            ("timezone", "UTC"),
            ("name", "Ann"),
            ("email", "ann@acme.test"),
            ("password", "short"),
        ];
        let r = c.post(app.url("/setup")).form(&weak).send().await.unwrap();
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        assert!(location.starts_with("/setup?error=password"), "{location}");
        assert_eq!(
            server::accounts::users::count_all(app.db()).await.unwrap(),
            0,
            "nothing half-written"
        );

        let bad_tz = [
            ("org_name", "Acme"),
            ("timezone", "Mars/Base"),
            ("name", "Ann"),
            ("email", "ann@acme.test"),
            ("password", "long enough password"),
        ];
        let r = c
            .post(app.url("/setup"))
            .form(&bad_tz)
            .send()
            .await
            .unwrap();
        assert!(
            r.headers()["location"]
                .to_str()
                .unwrap()
                .starts_with("/setup?error=timezone")
        );

        let good = [
            ("org_name", "Acme"),
            ("timezone", "America/Chicago"),
            ("name", "Ann"),
            ("email", "Ann@Acme.test"),
            ("password", "long enough password"),
        ];
        let r = c.post(app.url("/setup")).form(&good).send().await.unwrap();
        assert_eq!(r.status(), 303);
        assert_eq!(r.headers()["location"], "/");
        let me: serde_json::Value = c
            .get(app.url("/api/v1/me"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(me["email"], "ann@acme.test");
        assert_eq!(me["role"], "admin");

        // Setup is closed now, for everyone.
        let r = client().get(app.url("/setup")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/login");
        let r = client()
            .post(app.url("/setup"))
            .form(&good)
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], "/login");
        assert_eq!(
            server::accounts::users::count_all(app.db()).await.unwrap(),
            1
        );
    }
}

#[tokio::test]
async fn sign_in_sets_a_safe_cookie_and_sign_out_ends_the_session() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let c = client();
        let r = app
            .post_login(
                &c,
                &[
                    ("email", "ann@acme.test"),
                    ("password", admin.password.as_str()),
                    ("next", "/settings"),
                ],
            )
            .await;
        assert_eq!(r.headers()["location"], "/settings");
        let cookie = r.headers()["set-cookie"].to_str().unwrap().to_owned();
        assert!(
            cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax"),
            "{cookie}"
        );
        assert!(!cookie.contains("Secure"), "plain http must not set Secure");

        assert_eq!(
            c.get(app.url("/settings")).send().await.unwrap().status(),
            200
        );
        let r = c.post(app.url("/logout")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/login");
        assert_eq!(
            c.get(app.url("/api/v1/me")).send().await.unwrap().status(),
            401
        );
        let r = c.get(app.url("/settings")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/login?next=%2Fsettings");
    })
    .await;
}

#[tokio::test]
async fn a_session_ends_when_it_expires_or_its_user_is_deactivated() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let member = app.member_of(&admin, "bob@acme.test", "member").await;
        let me = || admin.get(app.url("/api/v1/me"));
        let r = me().await;
        assert_eq!(r.status(), 200);
        let body: serde_json::Value = r.json().await.unwrap();
        assert_eq!(body["email"], "ann@acme.test");
        assert_eq!(body["org_name"], "Acme");

        // Use slides an old expiry forward (at most once a minute).
        let soon = server::db::now_ms() + 120_000;
        sqlx::query("UPDATE sessions SET expires_at = $1 WHERE user_id = $2")
            .bind(soon)
            .bind(admin.id)
            .execute(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(me().await.status(), 200);
        let (expires,): (i64,) =
            sqlx::query_as("SELECT expires_at FROM sessions WHERE user_id = $1")
                .bind(admin.id)
                .fetch_one(&app.db().pool)
                .await
                .unwrap();
        assert!(expires > soon + 3_600_000, "expiry not extended: {expires}");

        // An expired session is refused and removed.
        sqlx::query("UPDATE sessions SET expires_at = 1 WHERE user_id = $1")
            .bind(admin.id)
            .execute(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(me().await.status(), 401);
        let (left,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM sessions WHERE user_id = $1")
            .bind(admin.id)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(left, 0);

        // A live session of a user no longer active is refused.
        assert_eq!(member.get(app.url("/api/v1/me")).await.status(), 200);
        sqlx::query("UPDATE users SET active = 0 WHERE id = $1")
            .bind(member.id)
            .execute(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(member.get(app.url("/api/v1/me")).await.status(), 401);
    })
    .await;
}

#[tokio::test]
async fn cookies_are_secure_behind_https() {
    let Some(app) = spawn_app(
        server::db::Backend::Sqlite,
        &["--public-url", "https://tally.example.com"],
    )
    .await
    else {
        return;
    };
    let admin = app.admin("Acme", "ann@acme.test").await;
    let r = app
        .post_login(
            &client(),
            &[
                ("email", "ann@acme.test"),
                ("password", admin.password.as_str()),
            ],
        )
        .await;
    assert!(
        r.headers()["set-cookie"]
            .to_str()
            .unwrap()
            .contains("; Secure")
    );
}

#[tokio::test]
async fn wrong_passwords_are_refused_then_throttled() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let c = client();
        for _ in 0..5 {
            let r = app
                .post_login(
                    &c,
                    &[("email", "ann@acme.test"), ("password", "wrong password!")],
                )
                .await;
            assert_eq!(r.headers()["location"], "/login?error=invalid");
        }
        // Even the right password waits now.
        let r = app
            .post_login(
                &c,
                &[
                    ("email", "ann@acme.test"),
                    ("password", admin.password.as_str()),
                ],
            )
            .await;
        assert_eq!(r.headers()["location"], "/login?error=throttled");
        let r = c
            .post(app.url("/api/v1/session"))
            .json(&serde_json::json!({"email": "ann@acme.test", "password": admin.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 429);
        assert!(r.headers().contains_key("retry-after"));
        // Unknown accounts get the same answer as wrong passwords.
        let r = app
            .post_login(
                &client(),
                &[
                    ("email", "nobody@acme.test"),
                    ("password", "whatever it is"),
                ],
            )
            .await;
        assert_eq!(r.headers()["location"], "/login?error=invalid");
    })
    .await;
}

#[tokio::test]
async fn invited_users_must_replace_their_one_time_password() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let r = admin
            .client
            .post(app.url("/api/v1/users"))
            .json(&serde_json::json!({"email": "bob@acme.test", "name": "Bob", "role": "member"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 201);
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
        let r = bob.client.get(app.url("/")).send().await.unwrap();
        assert_eq!(r.headers()["location"], "/account/password");
        assert_eq!(
            bob.client
                .get(app.url("/account/password"))
                .send()
                .await
                .unwrap()
                .status(),
            200
        );

        let weak = bob
            .client
            .post(app.url("/api/fn/change_password"))
            .header("accept", "application/json")
            .form(&[
                ("current_password", otp.as_str()),
                ("new_password", "short"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(weak.status(), 422, "a refused server fn answers its 4xx");
        assert!(weak.text().await.unwrap().contains("new_password"));

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
        assert_eq!(
            bob.client.get(app.url("/")).send().await.unwrap().status(),
            200
        );

        // Duplicate email is a field error, not a crash.
        let r = admin
            .client
            .post(app.url("/api/v1/users"))
            .json(&serde_json::json!({"email": "BOB@acme.test", "name": "Bob 2", "role": "member"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(
            r.json::<serde_json::Value>().await.unwrap()["field"],
            "email"
        );
    })
    .await;
}

#[tokio::test]
async fn the_last_admin_cannot_be_demoted_or_deactivated() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        for patch in [
            serde_json::json!({"role": "member"}),
            serde_json::json!({"active": false}),
        ] {
            let r = admin
                .client
                .patch(app.url(&format!("/api/v1/users/{}", admin.id)))
                .json(&patch)
                .send()
                .await
                .unwrap();
            assert_eq!(r.status(), 409);
        }
        // With a second admin, the first may step down.
        let second = app.member_of(&admin, "cy@acme.test", "admin").await;
        let r = second
            .client
            .patch(app.url(&format!("/api/v1/users/{}", admin.id)))
            .json(&serde_json::json!({"active": false}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        // Deactivation ends the sessions at once.
        assert_eq!(admin.get(app.url("/api/v1/me")).await.status(), 401);
    })
    .await;
}

#[tokio::test]
async fn api_tokens_work_on_the_api_only_and_can_be_revoked() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let (id, token) = api_tokens::create(app.db(), admin.id, "ci").await.unwrap();
        assert!(token.starts_with("tally_"));
        let bare = client();
        let me = bare
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 200);
        // Bearer tokens are for /api/v1 only, not for pages or server functions.
        let page = bare
            .get(app.url("/settings"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(page.status(), 303);
        let listed: serde_json::Value = bare
            .get(app.url("/api/v1/tokens"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(listed[0]["name"], "ci");
        assert!(
            !listed.to_string().contains(&token),
            "token values are never listed"
        );
        let r = bare
            .delete(app.url(&format!("/api/v1/tokens/{id}")))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let me = bare
            .get(app.url("/api/v1/me"))
            .bearer_auth(&token)
            .send()
            .await
            .unwrap();
        assert_eq!(me.status(), 401);
        assert!(me.headers().contains_key("www-authenticate"));
        let stored: Vec<(String,)> = sqlx::query_as("SELECT token_hash FROM api_tokens")
            .fetch_all(&app.db().pool)
            .await
            .unwrap();
        assert!(
            stored.iter().all(|(h,)| h != &token),
            "only the hash is stored"
        );
    })
    .await;
}

#[tokio::test]
async fn api_session_login_works_for_scripts() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let c = client();
        let r = c
            .post(app.url("/api/v1/session"))
            .json(&serde_json::json!({"email": "ann@acme.test", "password": admin.password}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        assert_eq!(
            c.get(app.url("/api/v1/org")).send().await.unwrap().status(),
            200
        );
        let bad = client()
            .post(app.url("/api/v1/session"))
            .json(&serde_json::json!({"email": "ann@acme.test", "password": "nope nope nope"}))
            .send()
            .await
            .unwrap();
        assert_eq!(bad.status(), 401);
        let r = c.delete(app.url("/api/v1/session")).send().await.unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(
            c.get(app.url("/api/v1/org")).send().await.unwrap().status(),
            401
        );
    })
    .await;
}

#[tokio::test]
async fn org_settings_are_validated_field_by_field() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let put =
            |body: serde_json::Value| admin.client.put(app.url("/api/v1/org")).json(&body).send();
        let r =
            put(serde_json::json!({"name": "Acme", "timezone": "Nowhere/City", "week_start": 0}))
                .await
                .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(
            r.json::<serde_json::Value>().await.unwrap()["field"],
            "timezone"
        );
        let r = put(serde_json::json!({"name": "Acme", "timezone": "UTC", "week_start": 9}))
            .await
            .unwrap();
        assert_eq!(
            r.json::<serde_json::Value>().await.unwrap()["field"],
            "week_start"
        );
        let r = put(
            serde_json::json!({"name": "Acme Sales", "timezone": "Europe/Berlin", "week_start": 6}),
        )
        .await
        .unwrap();
        assert_eq!(r.status(), 204);
        let org: serde_json::Value = admin
            .client
            .get(app.url("/api/v1/org"))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(
            org,
            serde_json::json!({"name": "Acme Sales", "timezone": "Europe/Berlin", "week_start": 6})
        );
        // The settings page shows them, rendered on the server.
        let html = admin
            .client
            .get(app.url("/settings"))
            .send()
            .await
            .unwrap()
            .text()
            .await
            .unwrap();
        assert!(html.contains("value=\"Europe/Berlin\""));
        assert!(html.contains("<option value=\"6\" selected"));
    })
    .await;
}

#[tokio::test]
async fn one_address_guessing_many_accounts_is_throttled() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        // Twenty failures spread over twenty accounts: no account reaches its
        // limit, but the address does.
        for i in 0..20 {
            let email = format!("guess{i}@acme.test");
            let r = app
                .post_login(
                    &client(),
                    &[("email", email.as_str()), ("password", "guessing again")],
                )
                .await;
            assert_eq!(r.headers()["location"], "/login?error=invalid");
        }
        let r = app
            .post_login(
                &client(),
                &[
                    ("email", "ann@acme.test"),
                    ("password", admin.password.as_str()),
                ],
            )
            .await;
        assert_eq!(r.headers()["location"], "/login?error=throttled");
    })
    .await;
}
