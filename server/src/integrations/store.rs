//! Rows of `connections` and `connection_secrets`: the only SQL about them.
//!
//! Secrets go in and out through the vault here, so no other module handles
//! ciphertexts; every read that serves a user is scoped by organisation.

use anyhow::Context as _;
use app::domain::{ConnectionId, ConnectionStatus, OrgId, Provider};

use crate::{
    db::{Db, now_ms},
    vault::{SecretContext, SecretToken, Vault},
};

/// Field name of the access token secret.
pub const ACCESS_TOKEN: &str = "access_token";
/// Field name of the refresh token secret.
pub const REFRESH_TOKEN: &str = "refresh_token";
/// Field name of an API key's secret part.
pub const API_TOKEN: &str = "api_token";

/// A connection row (no secrets).
#[derive(Debug, Clone)]
pub struct Connection {
    /// Id.
    pub id: ConnectionId,
    /// Organisation.
    pub org_id: OrgId,
    /// Provider.
    pub provider: Provider,
    /// Provider account id.
    pub account_id: String,
    /// Provider account name.
    pub account_name: String,
    /// Provider user who granted access.
    pub account_user: String,
    /// Health.
    pub status: ConnectionStatus,
    /// Granted scopes.
    pub scopes_granted: Vec<String>,
    /// Tally user who connected it.
    pub connected_by: Option<String>,
    /// When it was connected.
    pub connected_at: i64,
    /// Access token expiry.
    pub access_expires_at: Option<i64>,
    /// Refresh lease held until.
    pub refresh_lock_until: Option<i64>,
    /// Consecutive refresh failures.
    pub refresh_failures: i64,
    /// No refresh attempt before this instant (back-off).
    pub retry_after: Option<i64>,
    /// Last error.
    pub last_error: Option<String>,
    /// Last sync.
    pub last_sync_at: Option<i64>,
    /// Scheduled sync on.
    pub auto_sync: bool,
    /// This connection's own API base (an Autotask zone), when the
    /// provider's is not the one to use.
    pub api_base: Option<String>,
}

const COLUMNS: &str = "c.id, c.org_id, c.provider, c.account_id, c.account_name, c.account_user, \
     c.status, c.scopes_granted, u.name AS connected_by_name, c.connected_at, c.access_expires_at, \
     c.refresh_lock_until, c.refresh_failures, c.retry_after, c.last_error, c.last_sync_at, \
     c.auto_sync, c.api_base";

#[derive(sqlx::FromRow)]
struct Row {
    id: ConnectionId,
    org_id: OrgId,
    provider: String,
    account_id: String,
    account_name: String,
    account_user: String,
    status: String,
    scopes_granted: String,
    connected_by_name: Option<String>,
    connected_at: i64,
    access_expires_at: Option<i64>,
    refresh_lock_until: Option<i64>,
    refresh_failures: i64,
    retry_after: Option<i64>,
    last_error: Option<String>,
    last_sync_at: Option<i64>,
    auto_sync: i64,
    api_base: Option<String>,
}

fn from_row(r: Row) -> anyhow::Result<Connection> {
    let provider = Provider::parse(&r.provider).with_context(|| {
        format!(
            "connection {} names no known provider ({:?})",
            r.id, r.provider
        )
    })?;
    Ok(Connection {
        id: r.id,
        org_id: r.org_id,
        provider,
        account_id: r.account_id,
        account_name: r.account_name,
        account_user: r.account_user,
        status: ConnectionStatus::parse(&r.status).unwrap_or(ConnectionStatus::Degraded),
        scopes_granted: split_scopes(&r.scopes_granted),
        connected_by: r.connected_by_name,
        connected_at: r.connected_at,
        access_expires_at: r.access_expires_at,
        refresh_lock_until: r.refresh_lock_until,
        refresh_failures: r.refresh_failures,
        retry_after: r.retry_after,
        last_error: r.last_error,
        last_sync_at: r.last_sync_at,
        auto_sync: r.auto_sync != 0,
        api_base: r.api_base,
    })
}

/// Splits a space-separated scope list.
pub fn split_scopes(s: &str) -> Vec<String> {
    s.split_whitespace().map(str::to_owned).collect()
}

/// A connection by id, whatever its organisation (internal callers only).
pub async fn get(db: &Db, id: ConnectionId) -> anyhow::Result<Option<Connection>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM connections c LEFT JOIN users u ON u.id = c.connected_by WHERE c.id = $1"
    );
    let row: Option<Row> = sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(&db.pool)
        .await?;
    row.map(from_row).transpose()
}

/// A connection of an organisation.
pub async fn get_in_org(
    db: &Db,
    org_id: OrgId,
    id: ConnectionId,
) -> anyhow::Result<Option<Connection>> {
    Ok(get(db, id).await?.filter(|c| c.org_id == org_id))
}

/// Every connection of an organisation, newest first.
pub async fn list(db: &Db, org_id: OrgId) -> anyhow::Result<Vec<Connection>> {
    let sql = format!(
        "SELECT {COLUMNS} FROM connections c LEFT JOIN users u ON u.id = c.connected_by \
         WHERE c.org_id = $1 ORDER BY c.connected_at DESC, c.id DESC"
    );
    let rows: Vec<Row> = sqlx::query_as(&sql)
        .bind(org_id)
        .fetch_all(&db.pool)
        .await?;
    rows.into_iter().map(from_row).collect()
}

/// What a completed authorization (or key check) established.
#[derive(Debug)]
pub struct NewConnection<'a> {
    /// Organisation.
    pub org_id: OrgId,
    /// Provider.
    pub provider: Provider,
    /// Provider account id.
    pub account_id: &'a str,
    /// Provider account name.
    pub account_name: &'a str,
    /// Provider user.
    pub account_user: &'a str,
    /// Health to start with.
    pub status: ConnectionStatus,
    /// Granted scopes.
    pub scopes: &'a [String],
    /// Tally user connecting it.
    pub user_id: i64,
    /// Access token expiry.
    pub access_expires_at: Option<i64>,
    /// Secrets by field name.
    pub secrets: Vec<(&'static str, SecretToken)>,
    /// The connection's own API base, if any (see [`Connection::api_base`]).
    pub api_base: Option<&'a str>,
}

/// Creates or re-authorises the connection for (org, provider, account) and
/// stores its secrets; synced history and settings of an existing row stay.
pub async fn upsert(
    db: &Db,
    vault: &Vault,
    new: NewConnection<'_>,
) -> anyhow::Result<ConnectionId> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    let (id,): (ConnectionId,) = sqlx::query_as(
        "INSERT INTO connections (org_id, provider, account_id, account_name, account_user, \
         status, scopes_granted, connected_by, connected_at, access_expires_at, api_base, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $9, $9) \
         ON CONFLICT (org_id, provider, account_id) DO UPDATE SET \
         account_name = excluded.account_name, account_user = excluded.account_user, \
         status = excluded.status, scopes_granted = excluded.scopes_granted, \
         connected_by = excluded.connected_by, connected_at = excluded.connected_at, \
         access_expires_at = excluded.access_expires_at, api_base = excluded.api_base, refresh_lock_until = NULL, \
         refresh_failures = 0, retry_after = NULL, last_error = NULL, last_error_at = NULL, \
         purge_requested = 0, disconnected_at = NULL, updated_at = excluded.updated_at \
         RETURNING id",
    )
    .bind(new.org_id)
    .bind(new.provider.as_str())
    .bind(new.account_id)
    .bind(new.account_name)
    .bind(new.account_user)
    .bind(new.status.as_str())
    .bind(new.scopes.join(" "))
    .bind(new.user_id)
    .bind(now)
    .bind(new.access_expires_at)
    .bind(new.api_base)
    .fetch_one(&mut *tx)
    .await
    .context("saving the connection")?;
    sqlx::query("DELETE FROM connection_secrets WHERE connection_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    for (field, secret) in &new.secrets {
        put_secret(&mut tx, vault, new.org_id, id, field, secret).await?;
    }
    tx.commit().await?;
    Ok(id)
}

async fn put_secret(
    tx: &mut sqlx::Transaction<'_, sqlx::Any>,
    vault: &Vault,
    org_id: OrgId,
    connection_id: ConnectionId,
    field: &str,
    secret: &SecretToken,
) -> anyhow::Result<()> {
    let sealed = vault.seal(
        SecretContext {
            org_id,
            connection_id,
            field,
        },
        secret.expose(),
    )?;
    sqlx::query(
        "INSERT INTO connection_secrets (connection_id, org_id, field, key_id, ciphertext, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (connection_id, field) DO UPDATE SET key_id = excluded.key_id, \
         ciphertext = excluded.ciphertext, updated_at = excluded.updated_at",
    )
    .bind(connection_id)
    .bind(org_id)
    .bind(field)
    .bind(&sealed.key_id)
    .bind(&sealed.text)
    .bind(now_ms())
    .execute(&mut **tx)
    .await
    .context("saving a secret")?;
    Ok(())
}

/// A decrypted secret of a connection, if stored.
pub async fn secret(
    db: &Db,
    vault: &Vault,
    conn: &Connection,
    field: &str,
) -> anyhow::Result<Option<SecretToken>> {
    let row: Option<(String,)> = sqlx::query_as(
        "SELECT ciphertext FROM connection_secrets WHERE connection_id = $1 AND field = $2",
    )
    .bind(conn.id)
    .bind(field)
    .fetch_optional(&db.pool)
    .await?;
    row.map(|(text,)| {
        vault.open(
            SecretContext {
                org_id: conn.org_id,
                connection_id: conn.id,
                field,
            },
            &text,
        )
    })
    .transpose()
}

/// Stores refreshed tokens and marks the connection healthy.
pub async fn save_refresh(
    db: &Db,
    vault: &Vault,
    conn: &Connection,
    access: &SecretToken,
    refresh: Option<&SecretToken>,
    expires_at: Option<i64>,
    status: ConnectionStatus,
) -> anyhow::Result<()> {
    let mut tx = db.begin().await?;
    put_secret(&mut tx, vault, conn.org_id, conn.id, ACCESS_TOKEN, access).await?;
    if let Some(refresh) = refresh {
        put_secret(&mut tx, vault, conn.org_id, conn.id, REFRESH_TOKEN, refresh).await?;
    }
    sqlx::query(
        "UPDATE connections SET access_expires_at = $1, status = $2, refresh_failures = 0, \
         retry_after = NULL, last_error = NULL, refresh_lock_until = NULL, updated_at = $3 \
         WHERE id = $4",
    )
    .bind(expires_at)
    .bind(status.as_str())
    .bind(now_ms())
    .bind(conn.id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Records a failure: a new status, the error, and when to try again.
pub async fn record_failure(
    db: &Db,
    id: ConnectionId,
    status: ConnectionStatus,
    error: &str,
    retry_after: Option<i64>,
) -> anyhow::Result<()> {
    let now = now_ms();
    sqlx::query(
        "UPDATE connections SET status = $1, last_error = $2, last_error_at = $3, \
         refresh_failures = refresh_failures + 1, retry_after = $4, refresh_lock_until = NULL, \
         updated_at = $3 WHERE id = $5",
    )
    .bind(status.as_str())
    .bind(error)
    .bind(now)
    .bind(retry_after)
    .bind(id)
    .execute(&db.pool)
    .await?;
    Ok(())
}

/// Marks the stored access token expired, so the next
/// [`Integrations::access_token`](super::Integrations::access_token) refreshes.
pub async fn expire_access(db: &Db, id: ConnectionId) -> anyhow::Result<()> {
    sqlx::query("UPDATE connections SET access_expires_at = $1 WHERE id = $2")
        .bind(now_ms())
        .bind(id)
        .execute(&db.pool)
        .await
        .context("expiring a refused token")?;
    Ok(())
}

/// Takes the refresh lease for 30 s; false when another task holds it.
pub async fn try_lock(db: &Db, id: ConnectionId) -> anyhow::Result<bool> {
    let now = now_ms();
    let done = sqlx::query(
        "UPDATE connections SET refresh_lock_until = $1 WHERE id = $2 \
         AND (refresh_lock_until IS NULL OR refresh_lock_until < $3)",
    )
    .bind(now + 30_000)
    .bind(id)
    .bind(now)
    .execute(&db.pool)
    .await?;
    Ok(done.rows_affected() == 1)
}

/// Releases the refresh lease.
pub async fn unlock(db: &Db, id: ConnectionId) -> anyhow::Result<()> {
    sqlx::query("UPDATE connections SET refresh_lock_until = NULL WHERE id = $1")
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}

/// Deletes a connection's secrets and marks it disconnected.
pub async fn mark_disconnected(db: &Db, id: ConnectionId, purge: bool) -> anyhow::Result<()> {
    let now = now_ms();
    let mut tx = db.begin().await?;
    sqlx::query("DELETE FROM connection_secrets WHERE connection_id = $1")
        .bind(id)
        .execute(&mut *tx)
        .await?;
    sqlx::query(
        "UPDATE connections SET status = 'disconnected', disconnected_at = $1, \
         purge_requested = $2, access_expires_at = NULL, refresh_lock_until = NULL, \
         updated_at = $1 WHERE id = $3",
    )
    .bind(now)
    .bind(i64::from(purge))
    .bind(id)
    .execute(&mut *tx)
    .await?;
    tx.commit().await?;
    Ok(())
}

/// Turns scheduled sync on or off.
pub async fn set_auto_sync(db: &Db, id: ConnectionId, on: bool) -> anyhow::Result<()> {
    sqlx::query("UPDATE connections SET auto_sync = $1, updated_at = $2 WHERE id = $3")
        .bind(i64::from(on))
        .bind(now_ms())
        .bind(id)
        .execute(&db.pool)
        .await?;
    Ok(())
}
