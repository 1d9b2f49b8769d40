//! Scorecard rows in the database: scorecards, sections, measurables and
//! their goal histories, entries, notes and audit trail.
//!
//! Every function takes the organisation id and scopes its query by it, so
//! an id from another organisation simply is not found. Writes take a
//! connection rather than the pool, so a change and its audit line share the
//! caller's transaction: either both are stored or neither is.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context as _;
use app::{
    domain::{
        measurable::{Source, SyncedQuery},
        measurable_rules::OrgFacts,
        scorecard::AuditLine,
    },
    scorecard::{Goal, GoalChange, GoalHistory, Unit},
};
use chrono::NaiveDate;
use sqlx::{AnyConnection, Row as _};

use app::domain::{ConnectionId, MeasurableId, OrgId};

use crate::db::{Db, now_ms};

/// A measurable as stored, with its goal history.
#[derive(Debug, Clone)]
pub struct Measurable {
    /// Id.
    pub id: MeasurableId,
    /// Scorecard.
    pub scorecard_id: i64,
    /// Section name.
    pub section: String,
    /// Label.
    pub name: String,
    /// Owning person.
    pub person_id: Option<i64>,
    /// Display unit.
    pub unit: Unit,
    /// Decimal places.
    pub decimals: u8,
    /// Definition.
    pub source: Source,
    /// Goal changes, in the order they were made.
    pub goals: GoalHistory,
}

/// Storage name of a unit.
pub fn unit_name(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "count",
        Unit::Currency => "currency",
        Unit::Percent => "percent",
        Unit::Duration => "duration",
    }
}

fn parse_unit(s: &str) -> Unit {
    match s {
        "currency" => Unit::Currency,
        "percent" => Unit::Percent,
        "duration" => Unit::Duration,
        _ => Unit::Count,
    }
}

/// Scorecards of an organisation: (id, name, number of measurables).
pub async fn scorecards(db: &Db, org_id: OrgId) -> anyhow::Result<Vec<(i64, String, i64)>> {
    sqlx::query_as(
        "SELECT s.id, s.name, (SELECT COUNT(*) FROM measurables m WHERE m.scorecard_id = s.id) \
         FROM scorecards s WHERE s.org_id = $1 ORDER BY s.id",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
    .context("listing scorecards")
}

/// The name of a scorecard of the organisation.
pub async fn scorecard_name(db: &Db, org_id: OrgId, id: i64) -> anyhow::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT name FROM scorecards WHERE id = $1 AND org_id = $2")
            .bind(id)
            .bind(org_id)
            .fetch_optional(&db.pool)
            .await
            .context("reading a scorecard")?;
    Ok(row.map(|(n,)| n))
}

/// Creates a scorecard.
pub async fn create_scorecard(
    conn: &mut AnyConnection,
    org_id: OrgId,
    name: &str,
) -> anyhow::Result<i64> {
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO scorecards (org_id, name, created_at) VALUES ($1, $2, $3) RETURNING id",
    )
    .bind(org_id)
    .bind(name)
    .bind(now_ms())
    .fetch_one(&mut *conn)
    .await
    .context("creating a scorecard")?;
    Ok(id)
}

/// The section of a scorecard with this name, created at the end if new.
pub async fn section_id(
    conn: &mut AnyConnection,
    scorecard_id: i64,
    name: &str,
) -> anyhow::Result<i64> {
    let existing: Option<(i64,)> =
        sqlx::query_as("SELECT id FROM scorecard_sections WHERE scorecard_id = $1 AND name = $2")
            .bind(scorecard_id)
            .bind(name)
            .fetch_optional(&mut *conn)
            .await
            .context("finding a section")?;
    if let Some((id,)) = existing {
        return Ok(id);
    }
    let (id,): (i64,) = sqlx::query_as(
        "INSERT INTO scorecard_sections (scorecard_id, name, position) \
         VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM scorecard_sections WHERE scorecard_id = $1)) \
         RETURNING id",
    )
    .bind(scorecard_id)
    .bind(name)
    .fetch_one(&mut *conn)
    .await
    .context("creating a section")?;
    Ok(id)
}

const MEASURABLE_COLUMNS: &str =
    "m.id, m.scorecard_id, s.name, m.name, m.person_id, m.unit, m.decimals, m.source";

fn measurable_of(r: &sqlx::any::AnyRow) -> anyhow::Result<Measurable> {
    let source: String = r.try_get(7)?;
    let unit: String = r.try_get(5)?;
    let goals: String = r.try_get(8)?;
    let goals: Vec<(String, Option<String>)> =
        serde_json::from_str(&goals).context("a measurable's packed goals")?;
    Ok(Measurable {
        id: r.try_get(0)?,
        scorecard_id: r.try_get(1)?,
        section: r.try_get(2)?,
        name: r.try_get(3)?,
        person_id: r.try_get(4)?,
        unit: parse_unit(&unit),
        decimals: u8::try_from(r.try_get::<i64, _>(6)?).unwrap_or(0),
        source: serde_json::from_str(&source).context("a stored measurable definition")?,
        goals: goals
            .into_iter()
            .map(|(from, goal)| {
                Ok(GoalChange {
                    effective_from: NaiveDate::parse_from_str(&from, "%Y-%m-%d")?,
                    goal: goal.map(|g| serde_json::from_str::<Goal>(&g)).transpose()?,
                })
            })
            .collect::<anyhow::Result<_>>()?,
    })
}

/// Every measurable of the organisation, in scorecard and section order,
/// with its goal history (packed into the same row: one query a page).
pub async fn measurables(db: &Db, org_id: OrgId) -> anyhow::Result<Vec<Measurable>> {
    let (pack, array) = db.backend.json_pack();
    let rows = sqlx::query(&format!(
        "SELECT {MEASURABLE_COLUMNS}, \
         CAST(COALESCE((SELECT {pack}({array}(g.effective_from, g.goal) ORDER BY g.id) \
         FROM measurable_goals g WHERE g.measurable_id = m.id), '[]') AS TEXT) \
         FROM measurables m JOIN scorecard_sections s ON s.id = m.section_id \
         WHERE m.org_id = $1 ORDER BY m.scorecard_id, s.position, m.position, m.id"
    ))
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
    .context("listing measurables")?;
    rows.iter().map(measurable_of).collect()
}

/// One measurable of the organisation.
pub async fn measurable(
    db: &Db,
    org_id: OrgId,
    id: MeasurableId,
) -> anyhow::Result<Option<Measurable>> {
    Ok(measurables(db, org_id)
        .await?
        .into_iter()
        .find(|m| m.id == id))
}

/// Fields written when creating or updating a measurable.
#[derive(Debug)]
pub struct MeasurableRow<'a> {
    /// Section id.
    pub section_id: i64,
    /// Label.
    pub name: &'a str,
    /// Owner.
    pub person_id: Option<i64>,
    /// Unit.
    pub unit: Unit,
    /// Decimals.
    pub decimals: u8,
    /// Definition.
    pub source: &'a Source,
}

/// The synced definitions of the organisation's measurables (one it cannot
/// read, from a newer build, defines nothing this one knows).
pub async fn synced_queries(db: &Db, org_id: OrgId) -> anyhow::Result<Vec<SyncedQuery>> {
    let sources: Vec<(String,)> =
        sqlx::query_as("SELECT source FROM measurables WHERE org_id = $1")
            .bind(org_id)
            .fetch_all(&db.pool)
            .await
            .context("reading measurable definitions")?;
    Ok(sources
        .into_iter()
        .filter_map(|(source,)| match serde_json::from_str::<Source>(&source) {
            Ok(Source::Synced(q)) => Some(*q),
            _ => None,
        })
        .collect())
}

/// The list names the organisation's synced measurables filter on
/// (`contact_in_list`), de-duplicated ignoring case: the sync engine keeps
/// their memberships.
pub async fn filtered_lists(db: &Db, org_id: OrgId) -> anyhow::Result<Vec<String>> {
    let mut names: Vec<String> = Vec::new();
    for q in synced_queries(db, org_id).await? {
        if let Some(list) = q.filters.contact_in_list.as_deref().map(str::trim)
            && !list.is_empty()
            && !names.iter().any(|n| n.eq_ignore_ascii_case(list))
        {
            names.push(list.to_owned());
        }
    }
    Ok(names)
}

/// Whether a list of this name (ignoring case) has synced members in the
/// organisation.
pub async fn list_has_members(db: &Db, org_id: OrgId, name: &str) -> anyhow::Result<bool> {
    let row: Option<(i64,)> = sqlx::query_as(
        "SELECT lm.id FROM list_memberships lm JOIN lists l ON l.connection_id = lm.connection_id \
         AND l.external_id = lm.list_external_id AND l.deleted = 0 \
         WHERE l.org_id = $1 AND LOWER(l.name) = $2 AND lm.deleted = 0 LIMIT 1",
    )
    .bind(org_id)
    .bind(name.trim().to_lowercase())
    .fetch_optional(&db.pool)
    .await
    .context("looking up a list's members")?;
    Ok(row.is_some())
}

/// The organisation's connections to `provider` that can sync.
pub async fn live_connections(
    db: &Db,
    org_id: OrgId,
    provider: app::domain::Provider,
) -> anyhow::Result<Vec<ConnectionId>> {
    let rows: Vec<(ConnectionId,)> = sqlx::query_as(
        "SELECT id FROM connections WHERE org_id = $1 AND provider = $2 \
         AND status IN ('connected', 'degraded', 'missing_scopes') ORDER BY id",
    )
    .bind(org_id)
    .bind(provider.as_str())
    .fetch_all(&db.pool)
    .await
    .with_context(|| format!("listing {} connections", provider.name()))?;
    Ok(rows.into_iter().map(|(id,)| id).collect())
}

/// Inserts a measurable at the end of its section.
pub async fn insert_measurable(
    conn: &mut AnyConnection,
    org_id: OrgId,
    scorecard_id: i64,
    row: &MeasurableRow<'_>,
) -> anyhow::Result<MeasurableId> {
    let now = now_ms();
    let (id,): (MeasurableId,) = sqlx::query_as(
        "INSERT INTO measurables (org_id, scorecard_id, section_id, name, person_id, unit, decimals, source, position, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, (SELECT COALESCE(MAX(position), 0) + 1 FROM measurables WHERE section_id = $3), $9, $9) RETURNING id",
    )
    .bind(org_id)
    .bind(scorecard_id)
    .bind(row.section_id)
    .bind(row.name)
    .bind(row.person_id)
    .bind(unit_name(row.unit))
    .bind(i64::from(row.decimals))
    .bind(serde_json::to_string(row.source)?)
    .bind(now)
    .fetch_one(&mut *conn)
    .await
    .context("creating a measurable")?;
    Ok(id)
}

/// Rewrites a measurable's fields.
pub async fn update_measurable(
    conn: &mut AnyConnection,
    org_id: OrgId,
    id: MeasurableId,
    row: &MeasurableRow<'_>,
) -> anyhow::Result<()> {
    sqlx::query(
        "UPDATE measurables SET section_id = $1, name = $2, person_id = $3, unit = $4, decimals = $5, source = $6, updated_at = $7 \
         WHERE id = $8 AND org_id = $9",
    )
    .bind(row.section_id)
    .bind(row.name)
    .bind(row.person_id)
    .bind(unit_name(row.unit))
    .bind(i64::from(row.decimals))
    .bind(serde_json::to_string(row.source)?)
    .bind(now_ms())
    .bind(id)
    .bind(org_id)
    .execute(&mut *conn)
    .await
    .context("updating a measurable")?;
    Ok(())
}

/// Deletes a measurable; true when it existed.
pub async fn delete_measurable(db: &Db, org_id: OrgId, id: MeasurableId) -> anyhow::Result<bool> {
    let done = sqlx::query("DELETE FROM measurables WHERE id = $1 AND org_id = $2")
        .bind(id)
        .bind(org_id)
        .execute(&db.pool)
        .await
        .context("deleting a measurable")?;
    Ok(done.rows_affected() > 0)
}

/// Appends a goal change effective from `week`.
pub async fn add_goal(
    conn: &mut AnyConnection,
    measurable_id: MeasurableId,
    week: NaiveDate,
    goal: Option<&Goal>,
    user_id: Option<i64>,
) -> anyhow::Result<()> {
    let goal = goal.map(serde_json::to_string).transpose()?;
    sqlx::query(
        "INSERT INTO measurable_goals (measurable_id, effective_from, goal, created_by, created_at) VALUES ($1, $2, $3, $4, $5)",
    )
    .bind(measurable_id)
    .bind(week.format("%Y-%m-%d").to_string())
    .bind(goal)
    .bind(user_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await
    .context("recording a goal")?;
    Ok(())
}

/// The manual value or override of one cell and its reason.
pub async fn entry(
    db: &Db,
    measurable_id: MeasurableId,
    week: &str,
) -> anyhow::Result<Option<(Option<f64>, String)>> {
    sqlx::query_as(
        "SELECT value, reason FROM measurable_entries WHERE measurable_id = $1 AND week = $2",
    )
    .bind(measurable_id)
    .bind(week)
    .fetch_optional(&db.pool)
    .await
    .context("reading an entry")
}

/// One column of a per-cell table (`measurable_entries`,
/// `measurable_notes`, `measurable_weeks`) for the organisation's
/// measurables in weeks `[from, to]`: (measurable, week, column).
pub async fn cells<T>(
    db: &Db,
    table: &'static str,
    column: &'static str,
    org_id: OrgId,
    from: &str,
    to: &str,
) -> anyhow::Result<Vec<(MeasurableId, String, T)>>
where
    T: for<'r> sqlx::Decode<'r, sqlx::Any> + sqlx::Type<sqlx::Any> + Send + Unpin,
{
    sqlx::query_as(&format!(
        "SELECT c.measurable_id, c.week, c.{column} FROM {table} c JOIN measurables m ON m.id = c.measurable_id \
         WHERE m.org_id = $1 AND c.week >= $2 AND c.week <= $3"
    ))
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await
    .with_context(|| format!("reading {table}"))
}

/// Every entry of the organisation's measurables in `[from, to]`:
/// (measurable, week, value).
pub async fn entries(
    db: &Db,
    org_id: OrgId,
    from: &str,
    to: &str,
) -> anyhow::Result<Vec<(MeasurableId, String, Option<f64>)>> {
    cells(db, "measurable_entries", "value", org_id, from, to).await
}

/// What a week view marks on its cells in `[from, to]`: the cells with a
/// manual entry, and the notes, read in one query (a page view's cost is
/// mostly its number of round trips to the database).
pub async fn marks(
    db: &Db,
    org_id: OrgId,
    from: &str,
    to: &str,
) -> anyhow::Result<(
    BTreeSet<(MeasurableId, String)>,
    HashMap<(MeasurableId, String), String>,
)> {
    // Notes are never empty (an empty note is deleted), so a NULL note is an entry.
    let rows: Vec<(MeasurableId, String, Option<String>)> = sqlx::query_as(
        "SELECT c.measurable_id, c.week, CAST(NULL AS TEXT) FROM measurable_entries c \
         JOIN measurables m ON m.id = c.measurable_id WHERE m.org_id = $1 AND c.week >= $2 AND c.week <= $3 \
         UNION ALL \
         SELECT c.measurable_id, c.week, c.note FROM measurable_notes c \
         JOIN measurables m ON m.id = c.measurable_id WHERE m.org_id = $1 AND c.week >= $2 AND c.week <= $3",
    )
    .bind(org_id)
    .bind(from)
    .bind(to)
    .fetch_all(&db.pool)
    .await
    .context("reading entries and notes")?;
    let mut entries = BTreeSet::new();
    let mut notes = HashMap::new();
    for (id, week, note) in rows {
        match note {
            None => {
                entries.insert((id, week));
            }
            Some(n) => {
                notes.insert((id, week), n);
            }
        }
    }
    Ok((entries, notes))
}

/// Writes (or with `None` removes) a cell's entry.
pub async fn set_entry(
    conn: &mut AnyConnection,
    measurable_id: MeasurableId,
    week: &str,
    value: Option<(Option<f64>, &str)>,
    user_id: i64,
) -> anyhow::Result<()> {
    match value {
        None => {
            sqlx::query("DELETE FROM measurable_entries WHERE measurable_id = $1 AND week = $2")
                .bind(measurable_id)
                .bind(week)
                .execute(&mut *conn)
                .await
                .context("clearing an entry")?;
        }
        Some((value, reason)) => {
            // A literal for "no value": NULL doubles bound through the Any
            // driver are mis-encoded on PostgreSQL.
            let value_sql = match value {
                Some(v) if v.is_finite() => format!("{v:?}"),
                _ => "NULL".to_owned(),
            };
            sqlx::query(&format!(
                "INSERT INTO measurable_entries (measurable_id, week, value, reason, updated_by, updated_at) \
                 VALUES ($1, $2, {value_sql}, $3, $4, $5) ON CONFLICT (measurable_id, week) DO UPDATE \
                 SET value = excluded.value, reason = excluded.reason, updated_by = excluded.updated_by, updated_at = excluded.updated_at"
            ))
            .bind(measurable_id)
            .bind(week)
            .bind(reason)
            .bind(user_id)
            .bind(now_ms())
            .execute(&mut *conn)
            .await
            .context("saving an entry")?;
        }
    }
    Ok(())
}

/// Notes of the organisation's cells in `[from, to]`: (measurable, week, note).
pub async fn notes(
    db: &Db,
    org_id: OrgId,
    from: &str,
    to: &str,
) -> anyhow::Result<Vec<(MeasurableId, String, String)>> {
    cells(db, "measurable_notes", "note", org_id, from, to).await
}

/// Sets (or with an empty text removes) a cell's note.
pub async fn set_note(
    conn: &mut AnyConnection,
    measurable_id: MeasurableId,
    week: &str,
    note: &str,
    user_id: i64,
) -> anyhow::Result<()> {
    if note.is_empty() {
        sqlx::query("DELETE FROM measurable_notes WHERE measurable_id = $1 AND week = $2")
            .bind(measurable_id)
            .bind(week)
            .execute(&mut *conn)
            .await
            .context("removing a note")?;
        return Ok(());
    }
    sqlx::query(
        "INSERT INTO measurable_notes (measurable_id, week, note, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5) \
         ON CONFLICT (measurable_id, week) DO UPDATE SET note = excluded.note, updated_by = excluded.updated_by, updated_at = excluded.updated_at",
    )
    .bind(measurable_id)
    .bind(week)
    .bind(note)
    .bind(user_id)
    .bind(now_ms())
    .execute(&mut *conn)
    .await
    .context("saving a note")?;
    Ok(())
}

/// One audit record.
#[derive(Debug)]
pub struct Audit<'a> {
    /// Organisation.
    pub org_id: OrgId,
    /// Measurable.
    pub measurable_id: MeasurableId,
    /// Week, for cell changes.
    pub week: Option<&'a str>,
    /// `entry`, `override`, `clear`, `note`, `definition`, `goal`, `delete`.
    pub action: &'a str,
    /// Before.
    pub old_value: Option<String>,
    /// After.
    pub new_value: Option<String>,
    /// Why.
    pub reason: &'a str,
    /// Who.
    pub user_id: i64,
    /// Their name at the time.
    pub user_name: &'a str,
}

/// Records one change.
pub async fn audit(conn: &mut AnyConnection, a: Audit<'_>) -> anyhow::Result<()> {
    sqlx::query(
        "INSERT INTO measurable_audit (org_id, measurable_id, week, action, old_value, new_value, reason, user_id, user_name, at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
    )
    .bind(a.org_id)
    .bind(a.measurable_id)
    .bind(a.week)
    .bind(a.action)
    .bind(a.old_value)
    .bind(a.new_value)
    .bind(a.reason)
    .bind(a.user_id)
    .bind(a.user_name)
    .bind(now_ms())
    .execute(&mut *conn)
    .await
    .context("auditing a change")?;
    Ok(())
}

/// The audit trail of one cell (and of the measurable's definition), newest first.
pub async fn audit_trail(
    db: &Db,
    org_id: OrgId,
    measurable_id: MeasurableId,
    week: &str,
) -> anyhow::Result<Vec<AuditLine>> {
    type AuditRow = (String, String, i64, Option<String>, Option<String>, String);
    let rows: Vec<AuditRow> = sqlx::query_as(
        "SELECT action, user_name, at, old_value, new_value, reason FROM measurable_audit \
         WHERE org_id = $1 AND measurable_id = $2 AND (week = $3 OR week IS NULL) ORDER BY at DESC, id DESC LIMIT 200",
    )
    .bind(org_id)
    .bind(measurable_id)
    .bind(week)
    .fetch_all(&db.pool)
    .await
    .context("reading the audit trail")?;
    Ok(rows
        .into_iter()
        .map(
            |(action, user_name, at, old_value, new_value, reason)| AuditLine {
                action,
                user_name,
                at,
                old_value,
                new_value,
                reason,
            },
        )
        .collect())
}

/// What a definition is checked against: the organisation's people and
/// each measurable's formula references.
pub async fn org_facts(db: &Db, org_id: OrgId) -> anyhow::Result<OrgFacts> {
    let people = people(db, org_id).await?.into_iter().map(|(id, _, _)| id);
    let formulas = measurables(db, org_id).await?.into_iter().map(|m| {
        let references = m.source.formula().map(|f| f.references());
        (m.id, references.unwrap_or_default())
    });
    Ok(OrgFacts {
        people: people.collect(),
        formulas: formulas.collect(),
    })
}

/// People of the organisation: (id, name, linked user).
pub async fn people(db: &Db, org_id: OrgId) -> anyhow::Result<Vec<(i64, String, Option<i64>)>> {
    sqlx::query_as("SELECT id, name, user_id FROM people WHERE org_id = $1 ORDER BY name, id")
        .bind(org_id)
        .fetch_all(&db.pool)
        .await
        .context("listing people")
}
