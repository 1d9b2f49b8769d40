//! First-run setup: the `/setup` form that creates the first organisation
//! and its admin, exactly once.
//!
//! Exists because "no user yet?" checked and then acted on is a race: ten
//! setup forms posted at once all saw zero users, and each made an
//! organisation and an admin (and one with the same organisation name as an
//! earlier form joined that organisation as its admin). Here the claim is a
//! row: `first_run` holds at most one (its id is fixed to 1), inserted in the
//! same transaction that creates the organisation and the admin. A second
//! setup cannot insert it: on SQLite the write transactions run one after the
//! other, on PostgreSQL the second insert waits for the first transaction and
//! then finds the row. It then rolls back, having written nothing. Setup
//! always makes a new organisation; only `tally admin create --org` joins one
//! by name (see `service::create_admin`, which marks setup done).
//! The checks both share live in `admins`.

use anyhow::Context as _;
use app::error::ApiError;
use sqlx::AnyConnection;

use super::{
    admins::{FirstAdmin, check_admin, insert_admin},
    orgs,
};
use crate::{
    db::{Db, now_ms},
    error::answer,
};

/// What a setup did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Setup {
    /// This setup created the organisation and its admin (the user id).
    Created(i64),
    /// Setup had already happened (or another one won the race); nothing
    /// was written.
    AlreadyDone,
}

/// True once first-run setup has happened.
pub async fn is_done(db: &Db) -> anyhow::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM first_run WHERE id = 1")
        .fetch_optional(&db.pool)
        .await
        .context("reading the first-run row")?;
    Ok(row.is_some())
}

/// Claims first-run setup inside a transaction: true if this transaction
/// inserted the row, false if setup is already done (or users exist).
async fn claim(conn: &mut AnyConnection) -> anyhow::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "INSERT INTO first_run (id, completed_at) \
         SELECT 1, $1 WHERE NOT EXISTS (SELECT 1 FROM users) \
         ON CONFLICT (id) DO NOTHING RETURNING id",
    )
    .bind(now_ms())
    .fetch_optional(&mut *conn)
    .await
    .context("claiming first-run setup")?;
    Ok(row.is_some())
}

/// Marks setup done if it is not yet, inside the caller's transaction (for
/// admins created outside the form: the CLI and the demo).
pub async fn mark_done(conn: &mut AnyConnection) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO first_run (id, completed_at) VALUES (1, $1) ON CONFLICT (id) DO NOTHING",
    )
    .bind(now_ms())
    .execute(&mut *conn)
    .await
    .context("marking first-run setup done")?;
    Ok(())
}

/// Runs first-run setup: a new organisation and its admin, or
/// [`Setup::AlreadyDone`] with nothing written. Field errors name the field
/// (and are only reported while setup is still open).
pub async fn setup(db: &Db, input: FirstAdmin) -> Result<Setup, ApiError> {
    answer(async {
        if is_done(db).await? {
            return Ok(Setup::AlreadyDone);
        }
        // Validation and the (slow) password hash happen before the
        // transaction, so the write lock is held only for three inserts.
        let admin = check_admin(db, input).await?;
        let mut tx = db.begin_write().await?;
        if !claim(&mut tx).await? {
            // Dropping the transaction rolls it back.
            return Ok(Setup::AlreadyDone);
        }
        let org_id = orgs::create(&mut tx, &admin.org.name, &admin.org.timezone).await?;
        let user_id = insert_admin(&mut tx, org_id, &admin).await?;
        tx.commit().await?;
        Ok(Setup::Created(user_id))
    })
    .await
}
