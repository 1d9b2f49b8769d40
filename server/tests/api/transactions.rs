//! A transaction whose opener is dropped half-way leaves nothing open.
//!
//! Sync runs are cut off whenever they lose their lease or their task is
//! cancelled, and that can land inside `BEGIN`. The connection must not go
//! back to the pool inside a transaction: what ran on it later would never be
//! committed, and on SQLite nobody else could write again.

use std::{
    future::{Future, poll_fn},
    pin::pin,
    task::Poll,
    time::Duration,
};

use server::db::Db;
use sqlx::any::AnyPoolOptions;

use crate::helpers::{BACKENDS, test_db};

/// Polls `opening` up to `polls` times, letting the database answer in
/// between, then drops it (unless it finished first).
async fn cut_off<F: Future>(opening: F, polls: usize) {
    let mut opening = pin!(opening);
    for _ in 0..polls {
        let step = poll_fn(|cx| Poll::Ready(opening.as_mut().poll(cx))).await;
        if step.is_ready() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(5)).await;
    }
}

#[tokio::test]
async fn a_transaction_cut_off_while_opening_leaves_nothing_open() {
    for backend in BACKENDS {
        let Some(t) = test_db(backend).await else {
            continue;
        };
        sqlx::query("CREATE TABLE cut_probe (n BIGINT NOT NULL)")
            .execute(&t.db.pool)
            .await
            .unwrap();
        // One connection: what a cut-off opener leaves behind is what the
        // next statement gets.
        let one = Db {
            pool: AnyPoolOptions::new()
                .max_connections(1)
                .connect(&t.url)
                .await
                .unwrap(),
            backend,
        };
        let mut n = 0_i64;
        for write in [false, true] {
            for polls in 1..=4 {
                n += 1;
                // Warm: the connection exists, so the first poll sends BEGIN.
                sqlx::query("SELECT 1").execute(&one.pool).await.unwrap();
                if write {
                    cut_off(one.begin_write(), polls).await;
                } else {
                    cut_off(one.begin(), polls).await;
                }
                let insert = sqlx::query("INSERT INTO cut_probe (n) VALUES ($1)")
                    .bind(n)
                    .execute(&one.pool);
                tokio::time::timeout(Duration::from_secs(3), insert)
                    .await
                    .unwrap_or_else(|_| {
                        panic!("{backend:?}: a write waits on a BEGIN cut off after {polls} polls")
                    })
                    .unwrap();
                let (seen,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM cut_probe WHERE n = $1")
                    .bind(n)
                    .fetch_one(&t.db.pool)
                    .await
                    .unwrap();
                assert_eq!(
                    seen, 1,
                    "{backend:?}: a write after a BEGIN (write: {write}) cut off after {polls} polls \
                     was not committed"
                );
            }
        }
    }
}
