//! The SQLite and PostgreSQL migration sets describe the same schema.
//!
//! Both are migrated and introspected; every table must have the same
//! columns with the same type family and nullability, and the same indexes.

use std::collections::BTreeSet;

use server::db::{Backend, Db};

use crate::helpers::test_db;

type Column = (String, String, String, bool);

fn family(sql_type: &str) -> String {
    let t = sql_type.to_lowercase();
    let family = if t.contains("int") {
        "integer"
    } else if t.contains("char") || t.contains("text") {
        "text"
    } else if t.contains("bool") {
        "boolean"
    } else if t.contains("real")
        || t.contains("double")
        || t.contains("float")
        || t.contains("numeric")
    {
        "float"
    } else if t.contains("blob") || t.contains("bytea") {
        "bytes"
    } else {
        t.as_str()
    };
    family.to_owned()
}

async fn columns(db: &Db) -> BTreeSet<Column> {
    let rows: Vec<(String, String, String, bool)> = match db.backend {
        Backend::Sqlite => sqlx::query_as::<_, (String, String, String, i64, i64)>(
            "SELECT m.name, p.name, p.type, p.\"notnull\", p.pk FROM sqlite_master m \
             JOIN pragma_table_info(m.name) p \
             WHERE m.type = 'table' AND m.name NOT LIKE 'sqlite_%' AND m.name <> '_sqlx_migrations'",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|(t, c, ty, notnull, pk)| (t, c, ty, notnull == 1 || pk > 0))
        .collect(),
        Backend::Postgres => sqlx::query_as::<_, (String, String, String, String)>(
            "SELECT table_name::text, column_name::text, data_type::text, is_nullable::text \
             FROM information_schema.columns \
             WHERE table_schema = 'public' AND table_name <> '_sqlx_migrations'",
        )
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .map(|(t, c, ty, nullable)| (t, c, ty, nullable == "NO"))
        .collect(),
    };
    rows.into_iter()
        .map(|(t, c, ty, notnull)| (t, c, family(&ty), notnull))
        .collect()
}

async fn indexes(db: &Db) -> BTreeSet<(String, String)> {
    let sql = match db.backend {
        Backend::Sqlite => {
            "SELECT tbl_name, name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_autoindex%'"
        }
        Backend::Postgres => {
            "SELECT tablename::text, indexname::text FROM pg_indexes \
             WHERE schemaname = 'public' AND indexname NOT LIKE '%_pkey'"
        }
    };
    sqlx::query_as(sql)
        .fetch_all(&db.pool)
        .await
        .unwrap()
        .into_iter()
        .collect()
}

#[tokio::test]
async fn sqlite_and_postgres_migrations_define_the_same_schema() {
    let sqlite = test_db(Backend::Sqlite).await.unwrap();
    let Some(postgres) = test_db(Backend::Postgres).await else {
        return;
    };
    let (a, b) = (columns(&sqlite.db).await, columns(&postgres.db).await);
    assert!(!a.is_empty());
    let only_sqlite: Vec<_> = a.difference(&b).collect();
    let only_postgres: Vec<_> = b.difference(&a).collect();
    assert!(
        only_sqlite.is_empty() && only_postgres.is_empty(),
        "schemas differ\n only in SQLite: {only_sqlite:#?}\n only in PostgreSQL: {only_postgres:#?}"
    );
    assert_eq!(
        indexes(&sqlite.db).await,
        indexes(&postgres.db).await,
        "indexes differ"
    );
}

#[tokio::test]
async fn migration_sets_have_the_same_files() {
    let names = |dir: &str| -> BTreeSet<String> {
        std::fs::read_dir(format!(
            "{}/../migrations/{dir}",
            env!("CARGO_MANIFEST_DIR")
        ))
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect()
    };
    assert_eq!(names("sqlite"), names("postgres"));
}

#[tokio::test]
async fn migrating_twice_is_harmless() {
    let sqlite = test_db(Backend::Sqlite).await.unwrap();
    sqlite.db.migrate().await.unwrap();
    assert!(sqlite.db.is_migrated().await.unwrap());
}
