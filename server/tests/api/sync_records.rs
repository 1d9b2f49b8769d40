//! `records::upsert_many`: a page written at once behaves like the same rows
//! upserted one by one, on both backends.

use server::sync::records::{self, Change, Row};

use crate::helpers::on_each_backend;

fn contact(
    conn: app::domain::ConnectionId,
    org: app::domain::OrgId,
    id: &str,
    name: &str,
    deleted: bool,
) -> Row {
    Row::new("contacts", conn)
        .key("external_id", id)
        .col("org_id", org)
        .col("first_name", name)
        .col("last_name", "")
        .col("email", None::<String>)
        .col("properties", format!("{{\"firstname\":\"{name}\"}}"))
        .col("deleted", deleted)
        .col("synced_at", 1_i64)
}

#[tokio::test]
async fn sync_upsert_many_adds_updates_and_skips_like_single_upserts() {
    on_each_backend(|app| async move {
        let admin = app.admin("Acme", "ann@acme.test").await;
        let org = admin.org_id;
        let (conn,): (app::domain::ConnectionId,) = sqlx::query_as(
            "INSERT INTO connections (org_id, provider, account_id, status, connected_at, created_at, updated_at) \
             VALUES ($1, 'hubspot', 'portal', 'connected', 0, 0, 0) RETURNING id",
        )
        .bind(org)
        .fetch_one(&app.db().pool)
        .await
        .unwrap();

        // 2,500 new rows: more than one multi-row INSERT and one IN (…) lookup.
        let rows: Vec<Row> = (0..2500)
            .map(|i| contact(conn, org, &format!("c{i}"), &format!("n{i}"), false))
            .collect();
        let mut tx = app.db().begin_write().await.unwrap();
        let changes = records::upsert_many(&mut tx, &rows).await.unwrap();
        tx.commit().await.unwrap();
        assert_eq!(changes.len(), 2500);
        assert!(changes.iter().all(|c| *c == Change::Added));

        // The same page again: nothing changes. One renamed, one deleted,
        // one new, and a key twice (the last row wins).
        let mut again = rows.clone();
        again[7] = contact(conn, org, "c7", "renamed", false);
        again[9] = contact(conn, org, "c9", "n9", true);
        again.push(contact(conn, org, "new", "first", false));
        again.push(contact(conn, org, "new", "second", false));
        let mut tx = app.db().begin_write().await.unwrap();
        let changes = records::upsert_many(&mut tx, &again).await.unwrap();
        tx.commit().await.unwrap();
        let count = |c: Change| changes.iter().filter(|x| **x == c).count();
        assert_eq!(count(Change::Added), 1);
        assert_eq!(count(Change::Updated), 2);
        assert_eq!(changes[7], Change::Updated);
        assert_eq!(changes[9], Change::Updated);
        assert_eq!(changes[2501], Change::Added);

        let stored: Vec<(String, String, i64)> = sqlx::query_as(
            "SELECT external_id, first_name, deleted FROM contacts WHERE connection_id = $1 \
             AND external_id IN ('c7', 'c9', 'new', 'c2499') ORDER BY external_id",
        )
        .bind(conn)
        .fetch_all(&app.db().pool)
        .await
        .unwrap();
        assert_eq!(
            stored,
            vec![
                ("c2499".to_owned(), "n2499".to_owned(), 0),
                ("c7".to_owned(), "renamed".to_owned(), 0),
                ("c9".to_owned(), "n9".to_owned(), 1),
                ("new".to_owned(), "second".to_owned(), 0),
            ]
        );
        let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM contacts WHERE connection_id = $1")
            .bind(conn)
            .fetch_one(&app.db().pool)
            .await
            .unwrap();
        assert_eq!(n, 2501);
    })
    .await;
}
