//! Every route, walked as strangers: no session, a member, and an admin of
//! another organisation. Nothing that is not theirs may answer 2xx.

use reqwest::Method;
use server::http::openapi::{Access, OPERATIONS};

use crate::helpers::{TestApp, TestUser, client, on_each_backend};

/// A server function call: endpoint, form body, who may call it.
type ServerFnCall = (&'static str, Vec<(&'static str, String)>, Access);

/// Server functions that take a measurable id of organisation A.
const MEASURABLE_FNS: [&str; 5] = [
    "get_measurable",
    "delete_measurable",
    "set_cell_value",
    "set_cell_note",
    "scorecard_cell",
];

fn scorecard_fns(m: i64) -> Vec<ServerFnCall> {
    let cell = |extra: Vec<(&'static str, String)>| {
        let mut form = vec![
            ("measurable_id", m.to_string()),
            ("week", "2026-01-05".into()),
        ];
        form.extend(extra);
        form
    };
    vec![
        ("scorecard_week", vec![], Access::Member),
        ("scorecard_people", vec![], Access::Member),
        ("scorecard_cell", cell(vec![]), Access::Member),
        (
            "set_cell_value",
            cell(vec![("value", "1".into()), ("reason", "x".into())]),
            Access::Member,
        ),
        (
            "set_cell_note",
            cell(vec![("note", "hijacked".into())]),
            Access::Member,
        ),
        (
            "get_measurable",
            vec![("id", m.to_string())],
            Access::Manager,
        ),
        (
            "delete_measurable",
            vec![("id", m.to_string())],
            Access::Manager,
        ),
        (
            "apply_template",
            [
                "inside_sales",
                "outside_sales",
                "hybrid",
                "warm_250",
                "reactive_operations",
            ]
            .into_iter()
            .map(|f| (f, String::new()))
            .collect(),
            Access::Manager,
        ),
    ]
}

/// Server functions: (endpoint, form body, who may call it).
fn server_fns(target_user: i64, connection: i64) -> Vec<ServerFnCall> {
    vec![
        ("integrations", vec![], Access::Member),
        (
            "connection",
            vec![("id", connection.to_string())],
            Access::Member,
        ),
        (
            "set_auto_sync",
            vec![("id", connection.to_string()), ("on", "false".into())],
            Access::Manager,
        ),
        (
            "disconnect",
            vec![("id", connection.to_string()), ("purge", "true".into())],
            Access::Manager,
        ),
        (
            "sync_now",
            vec![("id", connection.to_string())],
            Access::Manager,
        ),
        (
            "connect_api_key",
            vec![
                ("provider", "aircall".into()),
                ("api_id", "x".into()),
                ("api_token", "y".into()),
            ],
            Access::Manager,
        ),
        ("people", vec![], Access::Member),
        (
            "link_person",
            vec![
                ("connection_id", connection.to_string()),
                ("external_id", "1".into()),
                ("person_id", "0".into()),
            ],
            Access::Manager,
        ),
        ("org_settings", vec![], Access::Member),
        (
            "update_org_settings",
            vec![
                ("name", "X".into()),
                ("timezone", "UTC".into()),
                ("week_start", "0".into()),
            ],
            Access::Admin,
        ),
        ("list_users", vec![], Access::Admin),
        (
            "invite_user",
            vec![
                ("email", "eve@evil.test".into()),
                ("name", "Eve".into()),
                ("role", "admin".into()),
            ],
            Access::Admin,
        ),
        (
            "set_user_role",
            vec![
                ("user_id", target_user.to_string()),
                ("role", "member".into()),
            ],
            Access::Admin,
        ),
        (
            "set_user_active",
            vec![
                ("user_id", target_user.to_string()),
                ("active", "false".into()),
            ],
            Access::Admin,
        ),
    ]
}

fn method(name: &str) -> Method {
    Method::from_bytes(name.to_uppercase().as_bytes()).unwrap()
}

fn body_for(path: &str) -> serde_json::Value {
    match path {
        "/org" => serde_json::json!({"name": "Hijacked", "timezone": "UTC", "week_start": 0}),
        "/users" => serde_json::json!({"email": "eve@evil.test", "name": "Eve", "role": "admin"}),
        "/users/{id}" => serde_json::json!({"role": "member", "active": false}),
        "/session" => serde_json::json!({"email": "nobody@x.test", "password": "nothing at all"}),
        "/connections/{id}" => serde_json::json!({"auto_sync": false}),
        "/integrations/{provider}/connect" => {
            serde_json::json!({"api_id": "x", "api_token": "y"})
        }
        "/scorecards" => serde_json::json!({"name": "Hijacked"}),
        "/scorecards/{id}/measurables" | "/measurables/{id}" => {
            serde_json::json!({"section": "X", "name": "Hijacked", "source": {"type": "manual"}})
        }
        "/measurables/{id}/values" => {
            serde_json::json!({"week": "2026-01-05", "value": 1.0, "reason": "x"})
        }
        "/measurables/{id}/notes" => serde_json::json!({"week": "2026-01-05", "note": "hijacked"}),
        _ => serde_json::json!({}),
    }
}

async fn call(app: &TestApp, who: Option<&TestUser>, verb: &str, path: &str, id: i64) -> u16 {
    let c = who.map_or_else(client, |u| u.client.clone());
    let concrete = path
        .replace("{id}", &id.to_string())
        .replace("{provider}", "hubspot");
    let url = app.url(&format!("/api/v1{concrete}"));
    let mut req = c.request(method(verb), url);
    if verb != "get" && verb != "delete" {
        req = req.json(&body_for(path));
    }
    req.send().await.unwrap().status().as_u16()
}

/// A stored connection of the admin's organisation.
async fn a_connection(app: &TestApp, admin: &TestUser) -> app::domain::ConnectionId {
    use server::{integrations::store, vault::SecretToken};
    store::upsert(
        app.db(),
        &app.state.vault,
        store::NewConnection {
            org_id: admin.org_id,
            provider: app::domain::Provider::Hubspot,
            account_id: "42",
            account_name: "acme.example",
            account_user: "ann@acme.test",
            status: app::domain::ConnectionStatus::Connected,
            scopes: &[],
            user_id: admin.id,
            access_expires_at: Some(server::db::now_ms() + 1_800_000),
            secrets: vec![(store::ACCESS_TOKEN, SecretToken::new("at-123"))],
            api_base: None,
        },
    )
    .await
    .unwrap()
}

#[tokio::test]
async fn strangers_get_401_403_or_404_on_everything_not_theirs() {
    on_each_backend(|app| async move {
        let admin_a = app.admin("Acme", "ann@acme.test").await;
        let member_a = app.member_of(&admin_a, "mo@acme.test", "member").await;
        let manager_a = app.member_of(&admin_a, "meg@acme.test", "manager").await;
        let admin_b = app.admin("Rival", "rob@rival.test").await;
        let (token_id, _) = server::accounts::api_tokens::create(app.db(), admin_a.id, "a's token")
            .await
            .unwrap();

        let connection_id = a_connection(&app, &admin_a).await;

        // A scorecard with one manual measurable that nobody else may touch.
        let created: serde_json::Value = admin_a
            .client
            .post(app.url("/api/v1/scorecards"))
            .json(&serde_json::json!({"name": "A's scorecard"}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let card_a = created["id"].as_i64().unwrap();
        let created: serde_json::Value = admin_a
            .client
            .post(app.url(&format!("/api/v1/scorecards/{card_a}/measurables")))
            .json(&serde_json::json!({"section": "Ops", "name": "Tickets", "source": {"type": "manual"}}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let measurable_a = created["id"].as_i64().unwrap();

        for op in OPERATIONS {
            let id = if op.path.starts_with("/tokens") {
                token_id
            } else if op.path.starts_with("/connections") {
                connection_id.0
            } else if op.path.starts_with("/scorecards/") {
                card_a
            } else if op.path.starts_with("/measurables/") {
                measurable_a
            } else {
                admin_a.id
            };
            if op.access != Access::Public {
                let status = call(&app, None, op.method, op.path, id).await;
                assert_eq!(status, 401, "anonymous {} {}", op.method, op.path);
            }
            if matches!(op.access, Access::Admin | Access::Manager) {
                let status = call(&app, Some(&member_a), op.method, op.path, id).await;
                assert_eq!(status, 403, "member {} {}", op.method, op.path);
            }
            if op.access == Access::Admin {
                let status = call(&app, Some(&manager_a), op.method, op.path, id).await;
                assert_eq!(status, 403, "manager {} {}", op.method, op.path);
            }
            if op.path.contains("{id}") {
                let status = call(&app, Some(&admin_b), op.method, op.path, id).await;
                assert_eq!(
                    status, 404,
                    "other organisation's admin {} {}",
                    op.method, op.path
                );
            }
        }

        let mut fns = server_fns(admin_a.id, connection_id.0);
        fns.extend(scorecard_fns(measurable_a));
        for (endpoint, form, access) in fns {
            let url = app.url(&format!("/api/fn/{endpoint}"));
            let post = |c: reqwest::Client| {
                c.post(&url)
                    .header("accept", "application/json")
                    .form(&form)
                    .send()
            };
            let anon = post(client()).await.unwrap();
            assert!(!anon.status().is_success(), "anonymous {endpoint}");
            assert!(
                anon.text().await.unwrap().contains("Unauthorized"),
                "anonymous {endpoint}"
            );
            if access == Access::Admin {
                let r = post(member_a.client.clone()).await.unwrap();
                assert!(
                    r.text().await.unwrap().contains("Forbidden"),
                    "member {endpoint}"
                );
                let r = post(manager_a.client.clone()).await.unwrap();
                assert!(
                    r.text().await.unwrap().contains("Forbidden"),
                    "manager {endpoint}"
                );
            }
            if access == Access::Manager {
                let r = post(member_a.client.clone()).await.unwrap();
                assert!(
                    r.text().await.unwrap().contains("Forbidden"),
                    "member {endpoint}"
                );
            }
            let takes_connection = form.iter().any(|(k, _)| *k == "id");
            if endpoint.starts_with("set_user")
                || takes_connection
                || MEASURABLE_FNS.contains(&endpoint)
            {
                let r = post(admin_b.client.clone()).await.unwrap();
                assert!(
                    r.text().await.unwrap().contains("NotFound"),
                    "other organisation's admin {endpoint}"
                );
            }
        }

        let card: serde_json::Value = admin_a
            .client
            .get(app.url(&format!("/api/v1/scorecards/{card_a}")))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        assert_eq!(card["name"], "A's scorecard");
        assert_eq!(card["sections"][0]["rows"][0]["name"], "Tickets");
        assert!(card["sections"][0]["rows"][0]["this_week"]["note"].is_null());

        // After all that, organisation A is untouched.
        let (status, auto_sync): (String, i64) =
            sqlx::query_as("SELECT status, auto_sync FROM connections WHERE id = $1")
                .bind(connection_id)
                .fetch_one(&app.db().pool)
                .await
                .unwrap();
        assert_eq!((status.as_str(), auto_sync), ("connected", 1));
        let org = admin_a.get_json(app.url("/api/v1/org")).await;
        assert_eq!(org["name"], "Acme");
        let users = admin_a.get_json(app.url("/api/v1/users")).await;
        assert_eq!(users.as_array().unwrap().len(), 3);
        assert!(
            users
                .as_array()
                .unwrap()
                .iter()
                .all(|u| u["active"] == true)
        );
        let b_users = admin_b.get_json(app.url("/api/v1/users")).await;
        assert_eq!(
            b_users.as_array().unwrap().len(),
            1,
            "other organisation sees only its own users"
        );
        let me = admin_a.get_json(app.url("/api/v1/me")).await;
        assert_eq!(me["role"], "admin");
        // A's token survived B's revoke attempt.
        let tokens = admin_a.get_json(app.url("/api/v1/tokens")).await;
        assert!(tokens[0]["revoked_at"].is_null());
    })
    .await;
}

#[tokio::test]
async fn pages_need_a_session() {
    on_each_backend(|app| async move {
        let _admin = app.admin("Acme", "ann@acme.test").await;
        for page in [
            "/",
            "/dashboard",
            "/scorecard/template",
            "/scorecard/measurables/new",
            "/integrations",
            "/settings",
            "/account/password",
        ] {
            let r = client().get(app.url(page)).send().await.unwrap();
            assert_eq!(r.status(), 303, "{page}");
            assert!(
                r.headers()["location"]
                    .to_str()
                    .unwrap()
                    .starts_with("/login?next="),
                "{page}"
            );
        }
    })
    .await;
}
