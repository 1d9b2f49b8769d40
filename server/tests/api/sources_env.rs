//! Test environment for the API-key sources (Autotask, Aircall): a sandbox
//! on its own port, a Tally pointed at its Aircall API and Autotask zone
//! lookup, and an organisation whose people are the sandbox's reps, in the
//! sandbox's time zone. Connections are made through the REST API, the way
//! a manager makes them.

use chrono_tz::Tz;
use sandbox::{Sandbox, SandboxOptions};
use serde_json::{Value, json};

use app::domain::ConnectionId;
use server::db::Backend;

use crate::{
    helpers::{TestApp, TestUser, spawn_app},
    sync_env::{test_limits, truth},
};

pub struct Sources {
    pub app: TestApp,
    pub sb: Sandbox,
    #[allow(dead_code)]
    pub base: String,
    pub admin: TestUser,
    pub tz: Tz,
    /// Lower-cased emails of the HubSpot reps (the admin is the first).
    pub reps: Vec<String>,
}

/// Options for a small data set in a time zone far from UTC.
pub fn opts() -> SandboxOptions {
    SandboxOptions {
        seed: 23,
        reps: 3,
        weeks: 4,
        scale: 0.3,
        timezone: "America/Los_Angeles".to_owned(),
        ..SandboxOptions::default()
    }
}

pub async fn sources(backend: Backend, opts: SandboxOptions) -> Option<Sources> {
    let tz: Tz = opts.timezone.parse().unwrap();
    let sb = Sandbox::new(opts);
    let (addr, _) = sandbox::serve_sandbox(&sb, "127.0.0.1:0".parse().unwrap())
        .await
        .unwrap();
    let base = format!("http://{addr}");
    let aircall = format!("{base}/aircall");
    let zone_lookup = format!("{base}/autotask/atservicesrest");
    let app = spawn_app(
        backend,
        &[
            "--aircall-api-base",
            &aircall,
            "--autotask-zone-lookup-url",
            &zone_lookup,
            "--sync-interval-minutes",
            "0",
        ],
    )
    .await?;
    app.state.sync.budgets().set_limits(test_limits());
    let reps: Vec<String> = truth(&base, "owners")
        .await
        .iter()
        .map(|o| o["email"].as_str().unwrap().to_lowercase())
        .collect();
    let admin = app.admin("Acme", &reps[0]).await;
    for email in reps.iter().skip(1) {
        app.member_of(&admin, email, "member").await;
    }
    sqlx::query("UPDATE organizations SET timezone = $1 WHERE id = $2")
        .bind(tz.name())
        .bind(admin.org_id)
        .execute(&app.db().pool)
        .await
        .unwrap();
    Some(Sources {
        app,
        sb,
        base,
        admin,
        tz,
        reps,
    })
}

impl Sources {
    /// `POST /api/v1/integrations/{provider}/connect` with `body`: status
    /// and answer.
    pub async fn connect(&self, provider: &str, body: Value) -> (u16, Value) {
        let url = self
            .app
            .url(&format!("/api/v1/integrations/{provider}/connect"));
        let r = self
            .admin
            .client
            .post(url)
            .json(&body)
            .send()
            .await
            .unwrap();
        let status = r.status().as_u16();
        (status, r.json().await.unwrap_or(Value::Null))
    }

    /// Connects and returns the connection.
    pub async fn connected(&self, provider: &str, body: Value) -> ConnectionId {
        let (status, v) = self.connect(provider, body).await;
        assert_eq!(status, 200, "{v}");
        ConnectionId(v["connection_id"].as_i64().unwrap())
    }

    /// One query's single number.
    pub async fn count(&self, sql: &str) -> i64 {
        let (n,): (i64,) = sqlx::query_as(sql)
            .fetch_one(&self.app.db().pool)
            .await
            .unwrap();
        n
    }

    /// A full run to its end (once a webhook run holding the lease is
    /// done); its (id, status, error).
    pub async fn full_run(&self, id: ConnectionId) -> (i64, String, Option<String>) {
        let mut run = None;
        for _ in 0..100 {
            run = self
                .app
                .state
                .sync
                .run(id, server::sync::Trigger::Manual, server::sync::Work::Full)
                .await
                .unwrap();
            if run.is_some() {
                break;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
        let run = run.expect("the lease came free");
        let (status, error): (String, Option<String>) =
            sqlx::query_as("SELECT status, error FROM sync_runs WHERE id = $1")
                .bind(run)
                .fetch_one(&self.app.db().pool)
                .await
                .unwrap();
        (run, status, error)
    }

    /// The API calls run `run` made.
    pub async fn api_calls(&self, run: i64) -> i64 {
        self.count(&format!("SELECT api_calls FROM sync_runs WHERE id = {run}"))
            .await
    }

    /// After a run the provider refused: asserts the connection needs
    /// re-auth and its reason contains `reason`.
    pub async fn assert_needs_reauth(&self, id: ConnectionId, reason: &str) {
        let (state, error): (String, Option<String>) =
            sqlx::query_as("SELECT status, last_error FROM connections WHERE id = $1")
                .bind(id)
                .fetch_one(&self.app.db().pool)
                .await
                .unwrap();
        assert_eq!(state, "needs_reauth");
        assert!(
            error.as_deref().unwrap_or_default().contains(reason),
            "{error:?}"
        );
    }

    /// A scorecard with one measurable per `(name, source)`, for `person`
    /// (None: the whole team); the scorecard id.
    pub async fn card(&self, person: Option<i64>, rows: &[(&str, Value)]) -> i64 {
        let card = crate::fixtures::first_card(&self.app, &self.admin).await;
        for (name, source) in rows {
            crate::fixtures::create(
                &self.app,
                &self.admin,
                card,
                json!({"section": "Sources", "name": name, "person_id": person, "source": source}),
            )
            .await;
        }
        card
    }

    /// The person whose email is `email`.
    pub async fn person(&self, email: &str) -> i64 {
        let (id,): (i64,) =
            sqlx::query_as("SELECT id FROM people WHERE org_id = $1 AND LOWER(email) = $2")
                .bind(self.admin.org_id)
                .bind(email)
                .fetch_one(&self.app.db().pool)
                .await
                .unwrap();
        id
    }

    /// Row `name`'s value in `week` of scorecard `card`.
    pub async fn value(&self, card: i64, week: chrono::NaiveDate, name: &str) -> Option<f64> {
        let view = crate::fixtures::get(
            &self.admin,
            self.app
                .url(&format!("/api/v1/scorecards/{card}?week={week}")),
        )
        .await;
        crate::fixtures::this_week(&view, name)
    }

    /// The last `n` weeks in the organisation's time zone, oldest first.
    pub fn weeks(&self, n: u64) -> Vec<chrono::NaiveDate> {
        let current = crate::counter::week_of(self.tz, chrono::Utc::now().timestamp_millis());
        (0..n)
            .rev()
            .map(|i| current - chrono::Days::new(7 * i))
            .collect()
    }
}
