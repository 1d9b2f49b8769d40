//! Users: creation, lookup, roles and activation.

use anyhow::Context as _;
use app::domain::{OrgId, Role, UserSummary, Viewer};
use sqlx::{AnyConnection, Row as _};

use crate::db::{Db, now_ms};

/// What sign-in needs to know about an account.
#[derive(Debug)]
pub struct Credentials {
    /// User id.
    pub id: i64,
    /// Stored argon2id hash; never leaves the server.
    pub password_hash: String,
    /// Deactivated users cannot sign in.
    pub active: bool,
}

/// A new user's fields.
#[derive(Debug)]
pub struct NewUser<'a> {
    /// Organisation the user joins.
    pub org_id: OrgId,
    /// Normalised email.
    pub email: &'a str,
    /// Display name.
    pub name: &'a str,
    /// Role.
    pub role: Role,
    /// argon2id hash.
    pub password_hash: &'a str,
    /// Created with a one-time password.
    pub must_change_password: bool,
}

/// Outcome of creating a user.
#[derive(Debug, PartialEq, Eq)]
pub enum Created {
    /// The new user's id.
    Id(i64),
    /// The email is taken (by anyone: emails are unique across organisations).
    EmailTaken,
}

/// Inserts a user.
pub async fn create(db: &Db, user: NewUser<'_>) -> anyhow::Result<Created> {
    let mut conn = db.pool.acquire().await.context("creating a user")?;
    create_in(&mut conn, user).await
}

/// Inserts a user on a connection (inside a caller's transaction).
pub async fn create_in(conn: &mut AnyConnection, user: NewUser<'_>) -> anyhow::Result<Created> {
    let now = now_ms();
    let result: Result<(i64,), sqlx::Error> = sqlx::query_as(
        "INSERT INTO users (org_id, email, name, role, password_hash, active, must_change_password, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, 1, $6, $7, $7) RETURNING id",
    )
    .bind(user.org_id)
    .bind(user.email)
    .bind(user.name)
    .bind(user.role.as_str())
    .bind(user.password_hash)
    .bind(i64::from(user.must_change_password))
    .bind(now)
    .fetch_one(&mut *conn)
    .await;
    match result {
        Ok((id,)) => Ok(Created::Id(id)),
        Err(sqlx::Error::Database(e)) if e.is_unique_violation() => Ok(Created::EmailTaken),
        Err(e) => Err(e).context("creating a user"),
    }
}

/// How many users exist at all (setup is offered only while this is zero).
pub async fn count_all(db: &Db) -> anyhow::Result<i64> {
    let (n,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM users")
        .fetch_one(&db.pool)
        .await
        .context("counting users")?;
    Ok(n)
}

/// Sign-in data for an email.
pub async fn credentials(db: &Db, email: &str) -> anyhow::Result<Option<Credentials>> {
    let row = sqlx::query("SELECT id, password_hash, active FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&db.pool)
        .await
        .context("looking up a user")?;
    row.map(|r| {
        Ok(Credentials {
            id: r.try_get(0)?,
            password_hash: r.try_get(1)?,
            active: r.try_get::<i64, _>(2)? != 0,
        })
    })
    .transpose()
    .map_err(|e: sqlx::Error| anyhow::Error::from(e).context("reading a user"))
}

/// The columns [`viewer_from`] reads, in order, from `users u JOIN organizations o`.
pub(crate) const VIEWER_COLUMNS: &str =
    "u.id, u.org_id, o.name, u.name, u.email, u.role, u.must_change_password";

/// A viewer from a row that starts with [`VIEWER_COLUMNS`].
pub(crate) fn viewer_from(r: &sqlx::any::AnyRow) -> anyhow::Result<Viewer> {
    let role: String = r.try_get(5)?;
    Ok(Viewer {
        user_id: r.try_get(0)?,
        org_id: r.try_get(1)?,
        org_name: r.try_get(2)?,
        name: r.try_get(3)?,
        email: r.try_get(4)?,
        role: Role::parse(&role).context("unknown role in the database")?,
        must_change_password: r.try_get::<i64, _>(6)? != 0,
        session: None,
    })
}

/// The viewer for a user id, if the user is active.
pub async fn viewer(db: &Db, user_id: i64) -> anyhow::Result<Option<Viewer>> {
    let row = sqlx::query(&format!(
        "SELECT {VIEWER_COLUMNS} FROM users u JOIN organizations o ON o.id = u.org_id \
         WHERE u.id = $1 AND u.active = 1"
    ))
    .bind(user_id)
    .fetch_optional(&db.pool)
    .await
    .context("loading the signed-in user")?;
    row.as_ref().map(viewer_from).transpose()
}

/// Users of one organisation, by name.
pub async fn list(db: &Db, org_id: OrgId) -> anyhow::Result<Vec<UserSummary>> {
    let rows = sqlx::query(
        "SELECT id, email, name, role, active, must_change_password FROM users WHERE org_id = $1 ORDER BY name, id",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
    .context("listing users")?;
    rows.into_iter()
        .map(|r| {
            let role: String = r.try_get(3)?;
            Ok(UserSummary {
                id: r.try_get(0)?,
                email: r.try_get(1)?,
                name: r.try_get(2)?,
                role: Role::parse(&role).context("unknown role in the database")?,
                active: r.try_get::<i64, _>(4)? != 0,
                must_change_password: r.try_get::<i64, _>(5)? != 0,
            })
        })
        .collect()
}

/// The role and active flag of a user in an organisation, if that user is in it.
pub async fn role_in_org(
    db: &Db,
    org_id: OrgId,
    user_id: i64,
) -> anyhow::Result<Option<(Role, bool)>> {
    let row: Option<(String, i64)> =
        sqlx::query_as("SELECT role, active FROM users WHERE id = $1 AND org_id = $2")
            .bind(user_id)
            .bind(org_id)
            .fetch_optional(&db.pool)
            .await
            .context("reading a user's role")?;
    Ok(row.and_then(|(role, active)| Role::parse(&role).map(|r| (r, active != 0))))
}

/// Active admins of an organisation.
pub async fn active_admins(db: &Db, org_id: OrgId) -> anyhow::Result<i64> {
    let (n,): (i64,) = sqlx::query_as(
        "SELECT COUNT(*) FROM users WHERE org_id = $1 AND role = 'admin' AND active = 1",
    )
    .bind(org_id)
    .fetch_one(&db.pool)
    .await
    .context("counting admins")?;
    Ok(n)
}

/// Sets a user's role within an organisation.
pub async fn set_role(db: &Db, org_id: OrgId, user_id: i64, role: Role) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET role = $1, updated_at = $2 WHERE id = $3 AND org_id = $4")
        .bind(role.as_str())
        .bind(now_ms())
        .bind(user_id)
        .bind(org_id)
        .execute(&db.pool)
        .await
        .context("changing a role")?;
    Ok(())
}

/// Activates or deactivates a user within an organisation.
pub async fn set_active(db: &Db, org_id: OrgId, user_id: i64, active: bool) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET active = $1, updated_at = $2 WHERE id = $3 AND org_id = $4")
        .bind(i64::from(active))
        .bind(now_ms())
        .bind(user_id)
        .bind(org_id)
        .execute(&db.pool)
        .await
        .context("changing a user's status")?;
    Ok(())
}

/// Replaces a user's password hash and clears the one-time flag.
pub async fn set_password(db: &Db, user_id: i64, password_hash: &str) -> anyhow::Result<()> {
    sqlx::query("UPDATE users SET password_hash = $1, must_change_password = 0, updated_at = $2 WHERE id = $3")
        .bind(password_hash)
        .bind(now_ms())
        .bind(user_id)
        .execute(&db.pool)
        .await
        .context("changing a password")?;
    Ok(())
}

/// The password hash of a user.
pub async fn password_hash(db: &Db, user_id: i64) -> anyhow::Result<Option<String>> {
    let row: Option<(String,)> = sqlx::query_as("SELECT password_hash FROM users WHERE id = $1")
        .bind(user_id)
        .fetch_optional(&db.pool)
        .await
        .context("reading a password hash")?;
    Ok(row.map(|(h,)| h))
}

/// The id of a user by email.
pub async fn id_by_email(db: &Db, email: &str) -> anyhow::Result<Option<i64>> {
    let row: Option<(i64,)> = sqlx::query_as("SELECT id FROM users WHERE email = $1")
        .bind(email)
        .fetch_optional(&db.pool)
        .await
        .context("finding a user")?;
    Ok(row.map(|(id,)| id))
}
