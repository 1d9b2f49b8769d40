//! The test harness: a fresh database per test and the app on port 0.
//!
//! SQLite tests use a temporary file. PostgreSQL tests create a database per
//! test on the server named by `TEST_POSTGRES_URL` and drop it afterwards;
//! without that variable they are skipped with a note, unless
//! `TALLY_REQUIRE_POSTGRES=1` (set by `make test` when a server is reachable)
//! turns the absence into a failure.

use std::future::Future;

use clap::Parser as _;
use server::{
    accounts::service::{FirstAdmin, create_admin},
    config::RawConfig,
    db::{Backend, Db},
    state::AppState,
};
use sqlx::Connection as _;

/// Which backends a test runs on.
pub const BACKENDS: [Backend; 2] = [Backend::Sqlite, Backend::Postgres];

/// Tally's command-line flags, parsed as `tally serve` would.
#[derive(clap::Parser)]
pub struct Wrapper {
    #[command(flatten)]
    pub raw: RawConfig,
}

/// A database that lives as long as the test.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    _dir: tempfile::TempDir,
    pg_drop: Option<(String, String)>,
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Some((admin_url, name)) = self.pg_drop.take() {
            // Dropping needs async; do it on a private runtime in a thread.
            // The pool is left alone: its connections belong to the test's
            // runtime, which is blocked here, so closing them could hang.
            // `WITH (FORCE)` ends them from the server side instead.
            let _ = std::thread::spawn(move || {
                let rt = tokio::runtime::Builder::new_current_thread()
                    .enable_all()
                    .build()
                    .unwrap();
                rt.block_on(async move {
                    if let Ok(mut conn) = sqlx::PgConnection::connect(&admin_url).await {
                        let _ = sqlx::query(&format!(
                            "DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)"
                        ))
                        .execute(&mut conn)
                        .await;
                    }
                });
            })
            .join();
        }
    }
}

fn postgres_url() -> Option<String> {
    match std::env::var("TEST_POSTGRES_URL") {
        Ok(url) if !url.is_empty() => Some(url),
        _ => {
            assert!(
                std::env::var("TALLY_REQUIRE_POSTGRES").as_deref() != Ok("1"),
                "TALLY_REQUIRE_POSTGRES=1 but TEST_POSTGRES_URL is not set"
            );
            None
        }
    }
}

/// A fresh, migrated database, or `None` when the backend is unavailable.
pub async fn test_db(backend: Backend) -> Option<TestDb> {
    let dir = tempfile::tempdir().unwrap();
    let (url, pg_drop) = match backend {
        Backend::Sqlite => (format!("sqlite://{}/tally.db", dir.path().display()), None),
        Backend::Postgres => {
            let Some(admin_url) = postgres_url() else {
                eprintln!("skipped on PostgreSQL: TEST_POSTGRES_URL is not set");
                return None;
            };
            let name = format!("tally_test_{}", uuid::Uuid::new_v4().simple());
            let mut conn = sqlx::PgConnection::connect(&admin_url)
                .await
                .expect("connecting to TEST_POSTGRES_URL");
            sqlx::query(&format!("CREATE DATABASE \"{name}\""))
                .execute(&mut conn)
                .await
                .unwrap();
            let base = admin_url
                .rsplit_once('/')
                .map_or(admin_url.as_str(), |(b, _)| b)
                .to_owned();
            (format!("{base}/{name}"), Some((admin_url, name)))
        }
    };
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    Some(TestDb {
        db,
        url,
        _dir: dir,
        pg_drop,
    })
}

/// Runs `body` once per available backend.
pub async fn on_each_backend<F, Fut>(body: F)
where
    F: Fn(TestApp) -> Fut,
    Fut: Future<Output = ()>,
{
    for backend in BACKENDS {
        if let Some(app) = spawn_app(backend, &[]).await {
            body(app).await;
        }
    }
}

/// A running Tally and a client for it.
pub struct TestApp {
    pub base: String,
    /// The metrics listener's base URL, when `--metrics-addr` gave it one.
    pub metrics_base: Option<String>,
    pub state: AppState,
    _data_dir: tempfile::TempDir,
    _test_db: TestDb,
    server: tokio::task::JoinHandle<anyhow::Result<()>>,
}

/// Starts the app on port 0 with extra config flags.
pub async fn spawn_app(backend: Backend, extra: &[&str]) -> Option<TestApp> {
    let test_db = test_db(backend).await?;
    Some(spawn_app_on((test_db, tempfile::tempdir().unwrap()), extra).await)
}

/// Starts the app on an existing database and data folder (what a stopped
/// app left: the folder holds the key its secrets are encrypted with).
pub async fn spawn_app_on(
    (test_db, data_dir): (TestDb, tempfile::TempDir),
    extra: &[&str],
) -> TestApp {
    let mut args = vec![
        "tally".to_owned(),
        "--database-url".into(),
        test_db.url.clone(),
        "--addr".into(),
        "127.0.0.1:0".into(),
        "--data-dir".into(),
        data_dir.path().display().to_string(),
    ];
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let config = Wrapper::try_parse_from(args).unwrap().raw.check().unwrap();
    let app = server::startup::Application::build(config).await.unwrap();
    let addr = app.local_addr().unwrap();
    let metrics_base = app.metrics_addr().unwrap().map(|a| format!("http://{a}"));
    let state = app.state().clone();
    let server = tokio::spawn(app.run());
    TestApp {
        base: format!("http://{addr}"),
        metrics_base,
        state,
        _data_dir: data_dir,
        _test_db: test_db,
        server,
    }
}

/// A user created for a test, with a signed-in client.
pub struct TestUser {
    pub id: i64,
    pub org_id: app::domain::OrgId,
    pub email: String,
    pub password: String,
    pub client: reqwest::Client,
}

impl TestUser {
    /// GETs `url` as this user.
    pub async fn get(&self, url: String) -> reqwest::Response {
        self.client.get(&url).send().await.unwrap()
    }

    /// GETs `url` as this user and decodes the JSON body.
    pub async fn get_json(&self, url: String) -> serde_json::Value {
        self.get(url).await.json().await.unwrap()
    }
}

/// A client that keeps cookies and does not follow redirects.
pub fn client() -> reqwest::Client {
    reqwest::Client::builder()
        .cookie_store(true)
        .redirect(reqwest::redirect::Policy::none())
        .build()
        .unwrap()
}

impl TestApp {
    pub fn url(&self, path: &str) -> String {
        format!("{}{path}", self.base)
    }

    pub fn db(&self) -> &Db {
        &self.state.db
    }

    /// Stops serving and syncing, as a crashed process would (nothing is
    /// flushed), and hands back the database and data folder for a new app.
    pub fn stop(self) -> (TestDb, tempfile::TempDir) {
        self.state.sync.stop();
        self.server.abort();
        (self._test_db, self._data_dir)
    }

    /// Creates an admin of `org` (creating the organisation) and signs in.
    pub async fn admin(&self, org: &str, email: &str) -> TestUser {
        let password = "correct horse battery".to_owned();
        let id = create_admin(
            self.db(),
            FirstAdmin {
                org_name: org.into(),
                timezone: "UTC".into(),
                name: format!("Admin of {org}"),
                email: email.into(),
                password: password.clone().into(),
            },
        )
        .await
        .unwrap();
        self.state
            .setup_done
            .store(true, std::sync::atomic::Ordering::Relaxed);
        let org_id = server::accounts::users::viewer(self.db(), id)
            .await
            .unwrap()
            .unwrap()
            .org_id;
        let user = TestUser {
            id,
            org_id,
            email: email.into(),
            password,
            client: client(),
        };
        self.sign_in(&user).await;
        user
    }

    /// Creates a user with a role in the organisation of `admin`, signed in.
    pub async fn member_of(&self, admin: &TestUser, email: &str, role: &str) -> TestUser {
        let invited: serde_json::Value = admin
            .client
            .post(self.url("/api/v1/users"))
            .json(&serde_json::json!({"email": email, "name": email, "role": role}))
            .send()
            .await
            .unwrap()
            .json()
            .await
            .unwrap();
        let otp = invited["one_time_password"].as_str().unwrap().to_owned();
        let id = invited["user"]["id"].as_i64().unwrap();
        let user = TestUser {
            id,
            org_id: admin.org_id,
            email: email.into(),
            password: otp,
            client: client(),
        };
        self.sign_in(&user).await;
        // Replace the one-time password so pages are not redirected.
        let response = user
            .client
            .post(self.url("/api/fn/change_password"))
            .form(&[
                ("current_password", user.password.as_str()),
                ("new_password", "a brand new password"),
            ])
            .send()
            .await
            .unwrap();
        assert!(
            response.status().is_success() || response.status().is_redirection(),
            "{}",
            response.status()
        );
        TestUser {
            password: "a brand new password".into(),
            ..user
        }
    }

    /// Posts the sign-in form with the given fields.
    pub async fn post_login(
        &self,
        client: &reqwest::Client,
        form: &[(&str, &str)],
    ) -> reqwest::Response {
        client
            .post(self.url("/login"))
            .form(form)
            .send()
            .await
            .unwrap()
    }

    /// Signs a user in through the HTML form.
    pub async fn sign_in(&self, user: &TestUser) {
        let form = [
            ("email", user.email.as_str()),
            ("password", user.password.as_str()),
        ];
        let response = self.post_login(&user.client, &form).await;
        assert_eq!(response.status(), 303);
        assert_eq!(
            response.headers()["location"],
            "/",
            "sign-in of {} failed",
            user.email
        );
    }
}
