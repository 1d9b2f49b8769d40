//! First-run setup is one atomic step: concurrent setups make exactly one
//! organisation and one admin, and a database that had users before the
//! setup singleton existed counts as set up.

use std::borrow::Cow;

use server::{
    accounts::{
        first_run::{self, Setup},
        service::FirstAdmin,
    },
    db::{Backend, Db},
};

use crate::helpers::{BACKENDS, client, spawn_app, test_db};

async fn count(db: &Db, table: &str) -> i64 {
    let (n,): (i64,) = sqlx::query_as(&format!("SELECT COUNT(*) FROM {table}"))
        .fetch_one(&db.pool)
        .await
        .unwrap();
    n
}

/// The organisation name of the i-th concurrent form: four of ten are "Acme".
fn org_of(i: usize) -> String {
    if i.is_multiple_of(3) {
        "Acme".to_owned()
    } else {
        format!("Org {i}")
    }
}

#[tokio::test]
async fn concurrent_setups_create_exactly_one_organisation_and_admin() {
    for backend in BACKENDS {
        let Some(app) = spawn_app(backend, &[]).await else {
            continue;
        };
        // Ten first-run forms at once; four share an organisation name.
        let posts = (0..10).map(|i| {
            let org = org_of(i);
            let url = app.url("/setup");
            async move {
                let c = client();
                let r = c
                    .post(url)
                    .form(&[
                        ("org_name", org.as_str()),
                        ("timezone", "UTC"),
                        ("name", &format!("Admin {i}")),
                        ("email", &format!("admin{i}@acme.test")),
                        ("password", "long enough password"),
                    ])
                    .send()
                    .await
                    .unwrap();
                let location = r.headers()["location"].to_str().unwrap().to_owned();
                (
                    r.status().as_u16(),
                    location,
                    r.headers().contains_key("set-cookie"),
                )
            }
        });
        let answers = futures::future::join_all(posts).await;
        let won: Vec<_> = answers.iter().filter(|(_, l, _)| l == "/").collect();
        let refused: Vec<_> = answers.iter().filter(|(_, l, _)| l == "/login").collect();
        assert_eq!(won.len(), 1, "{}: {answers:?}", backend.name());
        assert_eq!(refused.len(), 9, "{}: {answers:?}", backend.name());
        assert!(answers.iter().all(|(status, _, _)| *status == 303));
        assert!(won[0].2, "the winner is signed in");
        assert!(
            refused.iter().all(|(_, _, cookie)| !cookie),
            "no session for the refused"
        );

        let db = app.db();
        assert_eq!(count(db, "organizations").await, 1, "{}", backend.name());
        assert_eq!(count(db, "users").await, 1, "{}", backend.name());
        assert_eq!(count(db, "sessions").await, 1, "{}", backend.name());
        let (admins,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users WHERE role = 'admin'")
            .fetch_one(&db.pool)
            .await
            .unwrap();
        assert_eq!(admins, 1);
        // The admin belongs to the one organisation, which has their form's name.
        let (org_name, user_name): (String, String) = sqlx::query_as(
            "SELECT o.name, u.name FROM users u JOIN organizations o ON o.id = u.org_id",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        let i: usize = user_name.trim_start_matches("Admin ").parse().unwrap();
        assert_eq!(org_name, org_of(i));
    }
}

#[tokio::test]
async fn setup_never_joins_an_existing_organisation_of_the_same_name() {
    for backend in BACKENDS {
        let Some(app) = spawn_app(backend, &[]).await else {
            continue;
        };
        // An organisation without users (left by hand or by a failed import).
        sqlx::query(
            "INSERT INTO organizations (name, timezone, week_start, created_at) VALUES ('Acme', 'UTC', 0, 0)",
        )
        .execute(&app.db().pool)
        .await
        .unwrap();
        let r = client()
            .post(app.url("/setup"))
            .form(&[
                ("org_name", "Acme"),
                ("timezone", "UTC"),
                ("name", "Ann"),
                ("email", "ann@acme.test"),
                ("password", "long enough password"),
            ])
            .send()
            .await
            .unwrap();
        assert_eq!(r.headers()["location"], "/");
        let (first,): (i64,) = sqlx::query_as("SELECT MIN(id) FROM organizations")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        let (org_id,): (i64,) = sqlx::query_as("SELECT org_id FROM users")
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_ne!(
            org_id,
            first,
            "{}: setup reused an organisation",
            backend.name()
        );
    }
}

/// The migrations of a backend before the first-run singleton.
fn migrations_before_first_run(backend: Backend) -> sqlx::migrate::Migrator {
    let mut m = match backend {
        Backend::Sqlite => sqlx::migrate!("../migrations/sqlite"),
        Backend::Postgres => sqlx::migrate!("../migrations/postgres"),
    };
    let before: Vec<_> = m
        .migrations
        .iter()
        .filter(|m| m.version < 20261203000010)
        .cloned()
        .collect();
    m.migrations = Cow::Owned(before);
    m
}

#[tokio::test]
async fn a_database_with_users_before_the_migration_counts_as_set_up() {
    for backend in BACKENDS {
        let Some(test_db) = test_db(backend).await else {
            continue;
        };
        // Start over: an empty database migrated only up to the release
        // before the singleton, with an admin made the old way.
        let dir = tempfile::tempdir().unwrap();
        let sqlite;
        let db = match backend {
            Backend::Sqlite => {
                let url = format!("sqlite://{}/old.db", dir.path().display());
                sqlite = Db::connect(&url).await.unwrap();
                &sqlite
            }
            Backend::Postgres => {
                let db = &test_db.db;
                sqlx::query("DROP SCHEMA public CASCADE")
                    .execute(&db.pool)
                    .await
                    .unwrap();
                sqlx::query("CREATE SCHEMA public")
                    .execute(&db.pool)
                    .await
                    .unwrap();
                db
            }
        };
        migrations_before_first_run(backend)
            .run(&db.pool)
            .await
            .unwrap();
        let (org,): (i64,) = sqlx::query_as(
            "INSERT INTO organizations (name, timezone, week_start, created_at) VALUES ('Old', 'UTC', 0, 0) RETURNING id",
        )
        .fetch_one(&db.pool)
        .await
        .unwrap();
        sqlx::query(
            "INSERT INTO users (org_id, email, name, role, password_hash, active, must_change_password, created_at, updated_at) \
             VALUES ($1, 'old@acme.test', 'Old', 'admin', 'x', 1, 0, 5, 5)",
        )
        .bind(org)
        .execute(&db.pool)
        .await
        .unwrap();

        // The upgrade runs the new migrations.
        db.migrate().await.unwrap();
        assert!(first_run::is_done(db).await.unwrap(), "{}", backend.name());
        let outcome = first_run::setup(
            db,
            FirstAdmin {
                org_name: "New".into(),
                timezone: "UTC".into(),
                name: "New".into(),
                email: "new@acme.test".into(),
                password: "long enough password".to_owned().into(),
            },
        )
        .await
        .unwrap();
        assert_eq!(outcome, Setup::AlreadyDone);
        assert_eq!(count(db, "users").await, 1);
        assert_eq!(count(db, "organizations").await, 1);
    }
}

#[tokio::test]
async fn an_admin_made_by_the_cli_closes_setup() {
    for backend in BACKENDS {
        let Some(test_db) = test_db(backend).await else {
            continue;
        };
        let db = &test_db.db;
        assert!(!first_run::is_done(db).await.unwrap());
        let admin = |org: &str, email: &str| FirstAdmin {
            org_name: org.into(),
            timezone: "UTC".into(),
            name: "Ann".into(),
            email: email.into(),
            password: "long enough password".to_owned().into(),
        };
        server::accounts::service::create_admin(db, admin("Acme", "ann@acme.test"))
            .await
            .unwrap();
        // The CLI keeps joining an organisation by name.
        server::accounts::service::create_admin(db, admin("Acme", "bob@acme.test"))
            .await
            .unwrap();
        assert_eq!(count(db, "organizations").await, 1);
        assert!(first_run::is_done(db).await.unwrap());
        assert_eq!(
            first_run::setup(db, admin("Other", "cy@acme.test"))
                .await
                .unwrap(),
            Setup::AlreadyDone
        );
        assert_eq!(count(db, "users").await, 2);
    }
}
