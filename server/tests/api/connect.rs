//! Connecting HubSpot and Fathom against the demo sandbox: the whole OAuth
//! flow, refused states, token refresh and its failure modes, disconnecting,
//! key rotation, and that no secret reaches a table, a log line or a
//! response body.

use app::domain::{ConnectionId, OrgId};
use server::{
    db::{Backend, now_ms},
    integrations::TokenError,
    vault::{Keyring, SecretContext, Vault, rotate},
};

use crate::helpers::{BACKENDS, TestApp, TestUser, client, spawn_app};

const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const K2: &str = "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=";

/// Every table a secret could end up in.
const TABLES: &[&str] = &[
    "organizations",
    "users",
    "sessions",
    "api_tokens",
    "login_failures",
    "connections",
    "connection_secrets",
    "oauth_states",
    "connection_object_counts",
    "sync_runs",
];

/// Runs `body` on each backend with a demo-mode app (sandbox at /sandbox).
async fn on_each_demo<F, Fut>(extra: &[&str], body: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: std::future::Future<Output = ()>,
{
    for backend in BACKENDS {
        let mut args = vec!["--demo", "true"];
        args.extend_from_slice(extra);
        if let Some(app) = spawn_app(backend, &args).await {
            body(app).await;
        }
    }
}

fn unescape(s: &str) -> String {
    s.replace("&quot;", "\"")
        .replace("&#39;", "'")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&amp;", "&")
}

/// The hidden inputs of the sandbox consent form.
fn hidden_fields(html: &str) -> Vec<(String, String)> {
    html.split("<input type=\"hidden\" ")
        .skip(1)
        .map(|chunk| {
            let name = chunk
                .split("name=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            let value = chunk
                .split("value=\"")
                .nth(1)
                .unwrap()
                .split('"')
                .next()
                .unwrap();
            (unescape(name), unescape(value))
        })
        .collect()
}

/// Bodies seen during a test, to search for secrets afterwards.
#[derive(Default)]
struct Seen(Vec<String>);

impl Seen {
    async fn body(&mut self, r: reqwest::Response) -> (u16, Option<String>, String) {
        let status = r.status().as_u16();
        let location = r
            .headers()
            .get("location")
            .map(|l| l.to_str().unwrap().to_owned());
        let text = r.text().await.unwrap();
        self.0.push(text.clone());
        if let Some(l) = &location {
            self.0.push(l.clone());
        }
        (status, location, text)
    }
}

/// Clicks Connect, answers the consent page, and returns the callback URL.
async fn authorize(
    app: &TestApp,
    user: &TestUser,
    provider: &str,
    decision: &str,
    seen: &mut Seen,
) -> String {
    let r = user
        .client
        .get(app.url(&format!("/oauth/{provider}/start")))
        .send()
        .await
        .unwrap();
    let (status, location, _) = seen.body(r).await;
    assert_eq!(status, 302, "start {provider}");
    let authorize = location.unwrap();
    assert!(authorize.starts_with(&app.url("/sandbox/")), "{authorize}");
    let r = client().get(&authorize).send().await.unwrap();
    let (status, _, html) = seen.body(r).await;
    assert_eq!(status, 200, "consent page: {html}");
    let mut form = hidden_fields(&html);
    form.push(("decision".into(), decision.into()));
    let action = authorize.split('?').next().unwrap();
    let r = client().post(action).form(&form).send().await.unwrap();
    let (status, location, body) = seen.body(r).await;
    assert!(
        status == 303 || status == 302 || status == 307,
        "{status} {body}"
    );
    let callback = location.unwrap();
    assert!(
        callback.starts_with(&app.url(&format!("/oauth/{provider}/callback?"))),
        "{callback}"
    );
    callback
}

/// The full flow; returns the connection id.
async fn connect(app: &TestApp, user: &TestUser, provider: &str, seen: &mut Seen) -> ConnectionId {
    let callback = authorize(app, user, provider, "approve", seen).await;
    let r = user.client.get(&callback).send().await.unwrap();
    let (status, location, body) = seen.body(r).await;
    assert_eq!(status, 303, "callback: {body}");
    assert_eq!(location.as_deref(), Some("/integrations"));
    let (id,): (ConnectionId,) =
        sqlx::query_as("SELECT id FROM connections WHERE org_id = $1 AND provider = $2")
            .bind(user.org_id)
            .bind(provider)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
    id
}

async fn status_of(app: &TestApp, id: ConnectionId) -> (String, Option<String>) {
    sqlx::query_as("SELECT status, last_error FROM connections WHERE id = $1")
        .bind(id)
        .fetch_one(&app.db().pool)
        .await
        .unwrap()
}

async fn count(app: &TestApp, sql: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(sql).fetch_one(&app.db().pool).await.unwrap();
    n
}

/// Makes the stored access token expire in one minute (inside the margin).
async fn expire_soon(app: &TestApp, id: ConnectionId) {
    sqlx::query("UPDATE connections SET access_expires_at = $1 WHERE id = $2")
        .bind(now_ms() + 60_000)
        .bind(id)
        .execute(&app.db().pool)
        .await
        .unwrap();
}

async fn stored(app: &TestApp, id: ConnectionId, field: &str) -> String {
    let (org_id, text): (OrgId, String) = sqlx::query_as(
        "SELECT org_id, ciphertext FROM connection_secrets WHERE connection_id = $1 AND field = $2",
    )
    .bind(id)
    .bind(field)
    .fetch_one(&app.db().pool)
    .await
    .unwrap();
    app.state
        .vault
        .open(
            SecretContext {
                org_id,
                connection_id: id,
                field,
            },
            &text,
        )
        .unwrap()
        .expose()
        .to_owned()
}

/// Every text value of every table.
async fn all_text(app: &TestApp) -> String {
    use sqlx::Row as _;
    let mut out = String::new();
    for table in TABLES {
        let rows = sqlx::query(&format!("SELECT * FROM {table}"))
            .fetch_all(&app.db().pool)
            .await
            .unwrap();
        for row in rows {
            for (i, _) in row.columns().iter().enumerate() {
                if let Ok(Some(v)) = row.try_get::<Option<String>, _>(i) {
                    out.push_str(&v);
                    out.push('\n');
                }
            }
        }
    }
    out
}

fn sandbox(app: &TestApp) -> &sandbox::Sandbox {
    app.state
        .sandbox
        .as_ref()
        .expect("demo mode runs the sandbox")
}

fn token_requests(app: &TestApp, provider: &str) -> usize {
    sandbox(app)
        .request_log()
        .iter()
        .filter(|e| e.method == "POST" && e.path.ends_with("/token") && e.provider == provider)
        .count()
}

#[tokio::test]
async fn connect_hubspot_and_fathom_end_to_end() {
    on_each_demo(&[], |app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let mut seen = Seen::default();

        // The authorize URL asks for exactly the declared scopes, with PKCE for HubSpot.
        let r = admin.client.get(app.url("/oauth/hubspot/start")).send().await.unwrap();
        let location = r.headers()["location"].to_str().unwrap().to_owned();
        let url = reqwest::Url::parse(&location).unwrap();
        let q: std::collections::HashMap<_, _> = url.query_pairs().into_owned().collect();
        assert_eq!(
            q["scope"],
            "crm.objects.contacts.read crm.objects.companies.read crm.objects.deals.read crm.objects.owners.read crm.lists.read"
        );
        assert_eq!(q["optional_scope"], "sales-email-read");
        assert_eq!(q["code_challenge_method"], "S256");
        assert_eq!(q["redirect_uri"], app.url("/oauth/hubspot/callback"));
        assert!(q["state"].len() >= 43, "256-bit state");
        let stored_state = count(&app, "SELECT COUNT(*) FROM oauth_states").await;
        assert_eq!(stored_state, 1);
        let hashed: (String,) = sqlx::query_as("SELECT state_hash FROM oauth_states")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_ne!(hashed.0, q["state"], "the state is stored hashed");

        let hubspot = connect(&app, &admin, "hubspot", &mut seen).await;
        let (status, _) = status_of(&app, hubspot).await;
        assert_eq!(status, "connected");
        let (account, name, user, scopes): (String, String, String, String) = sqlx::query_as(
            "SELECT account_id, account_name, account_user, scopes_granted FROM connections WHERE id = $1",
        )
        .bind(hubspot)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        let opts = sandbox(&app).options();
        assert_eq!(account, opts.portal_id.to_string());
        assert_eq!(name, opts.hub_domain);
        assert!(user.contains('@'));
        assert!(scopes.contains("crm.lists.read"));

        let fathom = connect(&app, &admin, "fathom", &mut seen).await;
        assert_eq!(status_of(&app, fathom).await.0, "connected");

        // Tokens are encrypted: their raw strings appear in no table.
        let everything = all_text(&app).await;
        for id in [hubspot, fathom] {
            for field in ["access_token", "refresh_token"] {
                let raw = stored(&app, id, field).await;
                assert!(raw.len() > 8);
                assert!(!everything.contains(&raw), "{field} of {id} stored in clear");
            }
        }
        assert_eq!(count(&app, "SELECT COUNT(*) FROM connection_secrets").await, 4);

        // Reconnecting keeps the same row (and so its synced history).
        sqlx::query(
            "INSERT INTO connection_object_counts (connection_id, object, count, updated_at) VALUES ($1, 'calls', 12, 0)",
        )
        .bind(hubspot)
        .execute(&app.db().pool)
        .await
        .unwrap();
        let again = connect(&app, &admin, "hubspot", &mut seen).await;
        assert_eq!(again, hubspot);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM connection_object_counts").await, 1);

        // The API reports health, never secrets.
        let member = app.member_of(&admin, "mo@acme.test", "member").await;
        let r = member.client.get(app.url("/api/v1/connections")).send().await.unwrap();
        let (status, _, body) = seen.body(r).await;
        assert_eq!(status, 200);
        let list: serde_json::Value = serde_json::from_str(&body).unwrap();
        let hs = list.as_array().unwrap().iter().find(|c| c["provider"] == "hubspot").unwrap();
        assert_eq!(hs["status"], "connected");
        assert_eq!(hs["items_total"], 12);
        assert_eq!(hs["connected_by"], "Admin of Acme");
        assert!(hs["scopes_missing"].as_array().unwrap().is_empty());
        let secret = stored(&app, hubspot, "access_token").await;
        assert!(!body.contains(&secret));

        // Members see the page read-only and cannot start a connection.
        let r = member.client.get(app.url("/oauth/hubspot/start")).send().await.unwrap();
        assert_eq!(r.status(), 403);
        let r = member
            .client
            .post(app.url("/api/v1/integrations/hubspot/connect"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 403);
        let r = admin
            .client
            .post(app.url("/api/v1/integrations/fathom/connect"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let json: serde_json::Value = r.json().await.unwrap();
        assert!(
            json["authorize_url"]
                .as_str()
                .unwrap()
                .contains("/sandbox/fathom/external/v1/oauth2/authorize?")
        );
    })
    .await;
}

#[tokio::test]
async fn deny_and_refused_states_store_nothing() {
    on_each_demo(&[], |app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let other = app.member_of(&admin, "meg@acme.test", "manager").await;
        let mut seen = Seen::default();

        // Cancel at the provider.
        let callback = authorize(&app, &admin, "hubspot", "deny", &mut seen).await;
        assert!(callback.contains("error=access_denied"));
        let r = admin.client.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), 200);
        let text = r.text().await.unwrap();
        assert!(text.contains("You cancelled; nothing changed"), "{text}");
        assert!(text.contains("href=\"/integrations\""));

        // Forged state.
        let r = admin
            .client
            .get(app.url("/oauth/hubspot/callback?code=abc&state=forged"))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        let text = r.text().await.unwrap();
        assert!(text.contains("not issued by Tally"), "{text}");
        assert!(text.contains("alert alert-error"));

        // Another user's state.
        let callback = authorize(&app, &admin, "fathom", "approve", &mut seen).await;
        let r = other.client.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains("another user"));

        // Expired state.
        let callback = authorize(&app, &admin, "hubspot", "approve", &mut seen).await;
        sqlx::query("UPDATE oauth_states SET expires_at = 1")
            .execute(&app.db().pool)
            .await
            .unwrap();
        let r = admin.client.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains("expired"));

        assert_eq!(count(&app, "SELECT COUNT(*) FROM connections").await, 0);
        assert_eq!(
            count(&app, "SELECT COUNT(*) FROM connection_secrets").await,
            0
        );

        // Replayed state: the first use connects, the second is refused.
        let callback = authorize(&app, &admin, "hubspot", "approve", &mut seen).await;
        let r = admin.client.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), 303);
        let r = admin.client.get(&callback).send().await.unwrap();
        assert_eq!(r.status(), 400);
        assert!(r.text().await.unwrap().contains("already used"));
        assert_eq!(count(&app, "SELECT COUNT(*) FROM connections").await, 1);
    })
    .await;
}

#[tokio::test]
async fn tokens_refresh_silently_once_and_fail_safely() {
    on_each_demo(&[], |app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let mut seen = Seen::default();
        let hubspot = connect(&app, &admin, "hubspot", &mut seen).await;
        let integrations = &app.state.integrations;

        // Fresh token: no refresh.
        sandbox(&app).clear_request_log();
        let first = integrations.access_token(hubspot).await.unwrap();
        assert_eq!(token_requests(&app, "hubspot"), 0);

        // Expiring: two concurrent callers, exactly one token request.
        expire_soon(&app, hubspot).await;
        let other = app.state.integrations.clone();
        let (a, b) = tokio::join!(
            integrations.access_token(hubspot),
            other.access_token(hubspot)
        );
        let (a, b) = (a.unwrap(), b.unwrap());
        assert_eq!(token_requests(&app, "hubspot"), 1);
        assert_eq!(a.token.expose(), b.token.expose());
        assert_ne!(a.token.expose(), first.token.expose());
        assert!(a.expires_at.unwrap() > now_ms() + 20 * 60_000);
        // The new token works at the provider.
        let info = reqwest::get(app.url(&format!(
            "/sandbox/hubspot/oauth/v1/access-tokens/{}",
            a.token.expose()
        )))
        .await
        .unwrap();
        assert_eq!(info.status(), 200);

        // A 503 while the old token is still valid: degraded, old token served.
        expire_soon(&app, hubspot).await;
        sandbox(&app).inject_fault(sandbox::Fault {
            kind: sandbox::FaultKind::Status { status: 503 },
            count: Some(1),
            until_ms: None,
            provider: Some(sandbox::Provider::Hubspot),
        });
        let served = integrations.access_token(hubspot).await.unwrap();
        assert_eq!(served.token.expose(), a.token.expose());
        let (status, error) = status_of(&app, hubspot).await;
        assert_eq!(status, "degraded");
        assert!(error.unwrap().contains("refresh"));

        // After the back-off a refresh succeeds and the connection recovers.
        sqlx::query("UPDATE connections SET retry_after = NULL WHERE id = $1")
            .bind(hubspot)
            .execute(&app.db().pool)
            .await
            .unwrap();
        integrations.access_token(hubspot).await.unwrap();
        assert_eq!(status_of(&app, hubspot).await, ("connected".into(), None));

        // The grant is revoked at the provider: needs re-auth at once.
        sandbox(&app).revoke_all_grants(Some(sandbox::Provider::Hubspot));
        expire_soon(&app, hubspot).await;
        let err = integrations.access_token(hubspot).await.unwrap_err();
        assert!(matches!(err, TokenError::NeedsReauth), "{err:?}");
        assert_eq!(status_of(&app, hubspot).await.0, "needs_reauth");
        let err = integrations.access_token(hubspot).await.unwrap_err();
        assert!(matches!(err, TokenError::NeedsReauth));
    })
    .await;
}

#[tokio::test]
async fn disconnect_revokes_deletes_secrets_and_keeps_or_purges() {
    on_each_demo(&[], |app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let rival = app.admin("Rival", "rob@rival.test").await;
        let mut seen = Seen::default();
        let hubspot = connect(&app, &admin, "hubspot", &mut seen).await;
        let fathom = connect(&app, &admin, "fathom", &mut seen).await;
        for id in [hubspot, fathom] {
            sqlx::query(
                "INSERT INTO connection_object_counts (connection_id, object, count, updated_at) VALUES ($1, 'meetings', 3, 0)",
            )
            .bind(id)
            .execute(&app.db().pool)
            .await
            .unwrap();
        }
        let refresh = stored(&app, hubspot, "refresh_token").await;

        let r = rival
            .client
            .delete(app.url(&format!("/api/v1/connections/{hubspot}")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 404);

        // Keep: HubSpot's refresh token is revoked at the provider, data stays.
        let r = admin
            .client
            .delete(app.url(&format!("/api/v1/connections/{hubspot}?purge=false")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        let info = reqwest::get(app.url(&format!("/sandbox/hubspot/oauth/v1/refresh-tokens/{refresh}")))
            .await
            .unwrap();
        assert_eq!(info.status(), 404, "refresh token revoked at HubSpot");
        assert_eq!(status_of(&app, hubspot).await.0, "disconnected");
        assert!(matches!(
            app.state.integrations.access_token(hubspot).await,
            Err(TokenError::Disconnected)
        ));

        // Purge: synced rows go too.
        let r = admin
            .client
            .delete(app.url(&format!("/api/v1/connections/{fathom}?purge=true")))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 204);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM connection_secrets").await, 0);
        let kept: Vec<(ConnectionId,)> = sqlx::query_as("SELECT connection_id FROM connection_object_counts")
            .fetch_all(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(kept, vec![(hubspot,)]);
        let (purge,): (i64,) = sqlx::query_as("SELECT purge_requested FROM connections WHERE id = $1")
            .bind(fathom)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(purge, 1);

        // Cards no longer list them.
        let cards = app
            .state
            .integrations
            .provider_cards(admin.org_id)
            .await
            .unwrap();
        assert!(cards.iter().all(|c| c.connections.is_empty()));
    })
    .await;
}

#[tokio::test]
async fn keys_rotate_with_live_connections_and_moved_ciphertexts_fail() {
    let keys = format!("old:{K1}");
    on_each_demo(&["--secret-keys", &keys], |app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let mut seen = Seen::default();
        let hubspot = connect(&app, &admin, "hubspot", &mut seen).await;
        let fathom = connect(&app, &admin, "fathom", &mut seen).await;
        let before = stored(&app, hubspot, "access_token").await;

        // A ciphertext copied to another row does not decrypt.
        let (copied,): (String,) = sqlx::query_as(
            "SELECT ciphertext FROM connection_secrets WHERE connection_id = $1 AND field = 'access_token'",
        )
        .bind(hubspot)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        let (original,): (String,) = sqlx::query_as(
            "SELECT ciphertext FROM connection_secrets WHERE connection_id = $1 AND field = 'access_token'",
        )
        .bind(fathom)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();
        let set = |text: String| {
            sqlx::query(
                "UPDATE connection_secrets SET ciphertext = $1 WHERE connection_id = $2 AND field = 'access_token'",
            )
            .bind(text)
            .bind(fathom)
            .execute(&app.db().pool)
        };
        set(copied).await.unwrap();
        let err = app.state.integrations.access_token(fathom).await.unwrap_err();
        assert!(matches!(err, TokenError::Internal(_)), "{err:?}");
        set(original).await.unwrap();
        app.state.integrations.access_token(fathom).await.unwrap();

        // Rotate to a new active key with the old one still in the keyring.
        let vault = Vault::new(Keyring::parse(&format!("new:{K2},old:{K1}")).unwrap());
        let report = rotate::rotate(app.db(), &vault).await.unwrap();
        assert_eq!(report.rotated, 4);
        let ids: Vec<(String,)> = sqlx::query_as("SELECT DISTINCT key_id FROM connection_secrets")
            .fetch_all(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(ids, vec![("new".to_owned(),)]);
        let texts: Vec<(String,)> = sqlx::query_as("SELECT ciphertext FROM connection_secrets")
            .fetch_all(&app.db().pool)
            .await
            .unwrap();
        for (t,) in texts {
            assert_eq!(server::vault::cipher::key_id_of(&t).unwrap(), "new");
        }
        // Idempotent.
        assert_eq!(rotate::rotate(app.db(), &vault).await.unwrap().rotated, 0);

        // Tokens still decrypt, now with only the new key.
        let only_new = Vault::new(Keyring::parse(&format!("new:{K2}")).unwrap());
        let integrations = server::integrations::Integrations::new(
            app.db().clone(),
            only_new.clone(),
            app.state.config.clone(),
        )
        .unwrap();
        let token = integrations.access_token(hubspot).await.unwrap();
        assert_eq!(token.token.expose(), before);
        rotate::check_keys(app.db(), &only_new).await.unwrap();

        // A keyring without the key in use refuses to start.
        let mut config = (*app.state.config).clone();
        config.secret_keys = Some(format!("other:{K2}").into());
        let err = server::startup::vault(&config, app.db()).await.unwrap_err();
        let message = format!("{err:#}");
        assert!(message.contains("new") && message.contains("keys rotate"), "{message}");
        assert!(!message.contains(K2));
    })
    .await;
}

#[tokio::test]
async fn no_secret_reaches_logs_or_response_bodies() {
    use std::sync::{Arc, Mutex};

    #[derive(Clone, Default)]
    struct Buffer(Arc<Mutex<Vec<u8>>>);
    impl std::io::Write for Buffer {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            self.0.lock().unwrap().extend_from_slice(buf);
            Ok(buf.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    let buffer = Buffer::default();
    let writer = buffer.clone();
    let subscriber = tracing_subscriber::fmt()
        .with_env_filter("debug")
        .with_writer(move || writer.clone())
        .with_ansi(false)
        .finish();
    // Global, not thread-scoped: a scoped subscriber missed lines when other
    // tests ran beside it (tracing caches callsite interest process-wide).
    // No other test in this binary installs a subscriber; their lines land
    // here too, which only widens the search.
    tracing::subscriber::set_global_default(subscriber)
        .expect("the only global subscriber in this binary");

    let Some(app) = spawn_app(Backend::Sqlite, &["--demo", "true"]).await else {
        return;
    };
    let admin = app.admin("Acme", "ann@acme.test").await;
    let mut seen = Seen::default();
    let mut secrets = vec![
        sandbox(&app).options().hubspot_client_secret.clone(),
        sandbox(&app).options().fathom_client_secret.clone(),
    ];
    let key_file = std::fs::read_to_string(app.state.config.data_dir.join("secret.key")).unwrap();
    let key = key_file.trim().split_once(':').unwrap().1.to_owned();
    secrets.push(key);

    let hubspot = connect(&app, &admin, "hubspot", &mut seen).await;
    let fathom = connect(&app, &admin, "fathom", &mut seen).await;
    for id in [hubspot, fathom] {
        secrets.push(stored(&app, id, "access_token").await);
        secrets.push(stored(&app, id, "refresh_token").await);
    }
    for path in ["/integrations", "/api/v1/connections"] {
        let r = admin.client.get(app.url(path)).send().await.unwrap();
        seen.body(r).await;
    }
    expire_soon(&app, hubspot).await;
    let refreshed = app.state.integrations.access_token(hubspot).await.unwrap();
    secrets.push(refreshed.token.expose().to_owned());
    let r = admin
        .client
        .get(app.url(&format!("/api/v1/connections/{hubspot}")))
        .send()
        .await
        .unwrap();
    seen.body(r).await;
    for id in [hubspot, fathom] {
        let r = admin
            .client
            .delete(app.url(&format!("/api/v1/connections/{id}")))
            .send()
            .await
            .unwrap();
        seen.body(r).await;
    }

    let logs = String::from_utf8(buffer.0.lock().unwrap().clone()).unwrap();
    assert!(
        logs.contains("connection stored"),
        "the buffer captured the server's logs"
    );
    assert!(logs.contains("access token refreshed"));
    for secret in &secrets {
        assert!(secret.len() >= 16, "a real secret: {}", secret.len());
        assert!(!logs.contains(secret.as_str()), "a secret reached the logs");
        for body in &seen.0 {
            assert!(
                !body.contains(secret.as_str()),
                "a secret reached a response body"
            );
        }
    }
}

#[tokio::test]
async fn integrations_page_shows_health_and_is_read_only_for_members() {
    on_each_demo(&[], |app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let member = app.member_of(&admin, "mo@acme.test", "member").await;
        let page = |user: &TestUser, path: &str| {
            let request = user.client.get(app.url(path));
            async move {
                let r = request.send().await.unwrap();
                assert_eq!(r.status(), 200);
                r.text().await.unwrap()
            }
        };
        let html = page(&admin, "/integrations").await;
        for text in [
            "Connect HubSpot",
            "Connect Fathom",
            "Not connected",
            "Aircall",
            "API token",
            "Autotask",
            "Tracking identifier (integration code)",
        ] {
            assert!(html.contains(text), "{text} missing from the page");
        }
        assert!(html.contains("href=\"/oauth/hubspot/start\""));
        // Every provider syncs: none is marked as not released.
        assert!(!html.contains("Coming soon"));

        let mut seen = Seen::default();
        let id = connect(&app, &admin, "hubspot", &mut seen).await;
        let html = page(&admin, "/integrations").await;
        let hub_domain = sandbox(&app).options().hub_domain.clone();
        for text in [
            ">Connected<",
            hub_domain.as_str(),
            "Disconnect",
            "Keep synced data",
            "Reconnect",
            "5 of 5 required granted",
            "never",
            "Turn auto-sync off",
        ] {
            assert!(html.contains(text), "{text} missing after connecting");
        }
        assert!(
            html.contains("Sync now"),
            "the sync engine is installed, so Sync now shows"
        );

        let html = page(&member, "/integrations").await;
        assert!(html.contains(">Connected<"));
        for text in ["Connect HubSpot", "Disconnect", "Reconnect", "API token"] {
            assert!(!html.contains(text), "members must not see {text}");
        }
        let html = page(&member, &format!("/integrations/{id}")).await;
        assert!(html.contains("No sync runs yet"), "{html}");

        // The page's forms work without JavaScript.
        let r = member
            .client
            .post(app.url("/api/fn/disconnect"))
            .form(&[("id", id.to_string()), ("purge", "false".into())])
            .send()
            .await
            .unwrap();
        assert!(!r.status().is_success());
        let r = admin
            .client
            .post(app.url("/api/fn/set_auto_sync"))
            .form(&[("id", id.to_string()), ("on", "false".into())])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status().is_redirection());
        assert!(
            page(&admin, "/integrations")
                .await
                .contains("Turn auto-sync on")
        );
        let r = admin
            .client
            .post(app.url("/api/fn/disconnect"))
            .form(&[("id", id.to_string()), ("purge", "true".into())])
            .send()
            .await
            .unwrap();
        assert!(r.status().is_success() || r.status().is_redirection());
        assert_eq!(status_of(&app, id).await.0, "disconnected");
        assert!(
            page(&admin, "/integrations")
                .await
                .contains("Connect HubSpot")
        );
    })
    .await;
}

#[tokio::test]
async fn unconfigured_providers_say_which_variables_to_set() {
    let Some(app) = spawn_app(Backend::Sqlite, &[]).await else {
        return;
    };
    let admin = app.admin("Acme", "ann@acme.test").await;
    let html = admin
        .client
        .get(app.url("/integrations"))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(html.contains("Not configured"));
    assert!(html.contains("HUBSPOT_CLIENT_ID and HUBSPOT_CLIENT_SECRET"));
    assert!(html.contains("FATHOM_CLIENT_ID"));
    assert!(!html.contains("Connect HubSpot"));
    let r = admin
        .client
        .get(app.url("/oauth/hubspot/start"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
    let r = admin
        .client
        .post(app.url("/api/v1/integrations/hubspot/connect"))
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 409);
}

/// A stand-in for Aircall's `GET /v1/ping`: accepts `id1:tok-aircall-secret`.
async fn fake_aircall() -> String {
    use axum::{http::HeaderMap, routing::get};
    async fn ping(headers: HeaderMap) -> axum::http::StatusCode {
        use base64::Engine as _;
        let good = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD.encode("id1:tok-aircall-secret")
        );
        if headers.get("authorization").and_then(|v| v.to_str().ok()) == Some(good.as_str()) {
            axum::http::StatusCode::OK
        } else {
            axum::http::StatusCode::UNAUTHORIZED
        }
    }
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move {
        axum::serve(listener, axum::Router::new().route("/v1/ping", get(ping)))
            .await
            .unwrap();
    });
    format!("http://{addr}")
}

#[tokio::test]
async fn aircall_keys_are_checked_before_they_are_saved() {
    for backend in BACKENDS {
        let base = fake_aircall().await;
        let Some(app) = spawn_app(backend, &["--aircall-api-base", &base]).await else {
            continue;
        };
        let admin = app.admin("Acme", "ann@acme.test").await;
        let url = app.url("/api/v1/integrations/aircall/connect");
        let r = admin
            .client
            .post(&url)
            .json(&serde_json::json!({"api_id": "id1", "api_token": "wrong"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 422);
        assert_eq!(count(&app, "SELECT COUNT(*) FROM connections").await, 0);
        let r = admin
            .client
            .post(&url)
            .json(&serde_json::json!({"api_id": "id1", "api_token": "tok-aircall-secret"}))
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
        let id = ConnectionId(
            r.json::<serde_json::Value>().await.unwrap()["connection_id"]
                .as_i64()
                .unwrap(),
        );
        assert_eq!(status_of(&app, id).await.0, "connected");
        assert_eq!(stored(&app, id, "api_token").await, "tok-aircall-secret");
        assert!(!all_text(&app).await.contains("tok-aircall-secret"));
    }
}
