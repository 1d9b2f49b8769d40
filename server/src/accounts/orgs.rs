//! Organisations and their settings.

use anyhow::Context as _;
use app::domain::{OrgId, OrgSettings};
use sqlx::AnyConnection;

use crate::db::{Db, now_ms};

/// Creates an organisation and returns its id (inside a caller's transaction).
pub async fn create(conn: &mut AnyConnection, name: &str, timezone: &str) -> anyhow::Result<OrgId> {
    let (id,): (OrgId,) = sqlx::query_as(
        "INSERT INTO organizations (name, timezone, week_start, created_at) VALUES ($1, $2, 0, $3) RETURNING id",
    )
    .bind(name)
    .bind(timezone)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    .context("creating an organisation")?;
    Ok(id)
}

/// Finds an organisation by exact name (inside a caller's transaction).
pub async fn find_by_name(conn: &mut AnyConnection, name: &str) -> anyhow::Result<Option<OrgId>> {
    let row: Option<(OrgId,)> =
        sqlx::query_as("SELECT id FROM organizations WHERE name = $1 ORDER BY id LIMIT 1")
            .bind(name)
            .fetch_optional(&mut *conn)
            .await
            .context("finding an organisation")?;
    Ok(row.map(|(id,)| id))
}

/// The settings of one organisation.
pub async fn settings(db: &Db, org_id: OrgId) -> anyhow::Result<Option<OrgSettings>> {
    let row: Option<(String, String, i64)> =
        sqlx::query_as("SELECT name, timezone, week_start FROM organizations WHERE id = $1")
            .bind(org_id)
            .fetch_optional(&db.pool)
            .await
            .context("reading organisation settings")?;
    Ok(row.map(|(name, timezone, week_start)| OrgSettings {
        name,
        timezone,
        week_start: u8::try_from(week_start).unwrap_or(0),
    }))
}

/// Checks and normalises settings, naming the first bad field.
pub fn validate(settings: OrgSettings) -> Result<OrgSettings, (&'static str, String)> {
    let name = settings.name.trim().to_owned();
    if name.is_empty() || name.chars().count() > 120 {
        return Err(("name", "must be 1 to 120 characters".into()));
    }
    let timezone = settings.timezone.trim().to_owned();
    if timezone.parse::<chrono_tz::Tz>().is_err() {
        return Err((
            "timezone",
            format!("{timezone:?} is not an IANA timezone such as America/Chicago"),
        ));
    }
    if settings.week_start > 6 {
        return Err(("week_start", "must be 0 (Monday) to 6 (Sunday)".into()));
    }
    Ok(OrgSettings {
        name,
        timezone,
        week_start: settings.week_start,
    })
}

/// Saves already-validated settings.
pub async fn update(db: &Db, org_id: OrgId, settings: &OrgSettings) -> anyhow::Result<()> {
    sqlx::query("UPDATE organizations SET name = $1, timezone = $2, week_start = $3 WHERE id = $4")
        .bind(&settings.name)
        .bind(&settings.timezone)
        .bind(i64::from(settings.week_start))
        .bind(org_id)
        .execute(&db.pool)
        .await
        .context("saving organisation settings")?;
    Ok(())
}
