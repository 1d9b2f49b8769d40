//! Writing synced rows: one idempotent upsert for every synced table.
//!
//! Every synced row is keyed by its connection and provider id (plus kind
//! where a table holds several), so writing the same record twice is a no-op
//! and a record seen again after an upstream delete comes back to life. Rows
//! are never removed: an upstream delete sets `deleted = 1`, so the scorecard
//! can recompute the weeks a record touched.
//!
//! A page of rows is written with [`upsert_many`]: one `SELECT … IN (…)`
//! finds the stored ones, new rows go in as multi-row `INSERT`s and only
//! changed rows are updated one by one, so a backfill costs a few statements
//! per page instead of two per record.

use app::domain::{ConnectionId, OrgId};
use sqlx::{Any, Transaction};

/// A column value; `None` is NULL.
#[derive(Debug, Clone, PartialEq)]
pub enum Val {
    /// Text.
    Text(Option<String>),
    /// 64-bit integer (also booleans as 0/1 and timestamps in ms).
    Int(Option<i64>),
    /// Double precision.
    Float(Option<f64>),
}

impl From<&str> for Val {
    fn from(v: &str) -> Self {
        Val::Text(Some(v.to_owned()))
    }
}
impl From<String> for Val {
    fn from(v: String) -> Self {
        Val::Text(Some(v))
    }
}
impl From<Option<String>> for Val {
    fn from(v: Option<String>) -> Self {
        Val::Text(v)
    }
}
impl From<i64> for Val {
    fn from(v: i64) -> Self {
        Val::Int(Some(v))
    }
}
impl From<OrgId> for Val {
    fn from(v: OrgId) -> Self {
        Val::Int(Some(v.0))
    }
}
impl From<Option<i64>> for Val {
    fn from(v: Option<i64>) -> Self {
        Val::Int(v)
    }
}
impl From<bool> for Val {
    fn from(v: bool) -> Self {
        Val::Int(Some(i64::from(v)))
    }
}
impl From<Option<f64>> for Val {
    fn from(v: Option<f64>) -> Self {
        Val::Float(v)
    }
}

/// What an upsert did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new row.
    Added,
    /// An existing row changed (or was deleted / restored).
    Updated,
    /// Already up to date.
    Unchanged,
}

/// A row of one synced table: key columns identify it, the rest are written.
#[derive(Debug, Clone)]
pub struct Row {
    /// Table name (one of the synced tables; never user input).
    pub table: &'static str,
    /// Identifying columns, `connection_id` first.
    pub key: Vec<(&'static str, Val)>,
    /// Every other column written.
    pub cols: Vec<(&'static str, Val)>,
}

impl Row {
    /// A row of `table` keyed by connection and `key`.
    pub fn new(table: &'static str, connection_id: ConnectionId) -> Self {
        Self {
            table,
            key: vec![("connection_id", Val::Int(Some(connection_id.0)))],
            cols: Vec::new(),
        }
    }

    /// Adds a key column.
    pub fn key(mut self, name: &'static str, v: impl Into<Val>) -> Self {
        self.key.push((name, v.into()));
        self
    }

    /// Adds a written column.
    pub fn col(mut self, name: &'static str, v: impl Into<Val>) -> Self {
        self.cols.push((name, v.into()));
        self
    }

    fn value(&self, name: &str) -> Option<&Val> {
        self.cols.iter().find(|(n, _)| *n == name).map(|(_, v)| v)
    }
}

fn bind<'q>(
    q: sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>>,
    v: &Val,
) -> sqlx::query::Query<'q, Any, sqlx::any::AnyArguments<'q>> {
    match v.clone() {
        Val::Text(t) => q.bind(t),
        Val::Int(i) => q.bind(i),
        Val::Float(f) => q.bind(f),
    }
}

/// Inserts or updates `row`. Change detection compares the `properties`
/// Overwrites the columns of the stored row `id` with `row`'s.
async fn update_by_id(
    tx: &mut Transaction<'static, Any>,
    row: &Row,
    id: i64,
) -> anyhow::Result<()> {
    let sets: Vec<String> = row
        .cols
        .iter()
        .enumerate()
        .map(|(i, (n, _))| format!("{n} = ${}", i + 1))
        .collect();
    let sql = format!(
        "UPDATE {} SET {} WHERE id = ${}",
        row.table,
        sets.join(", "),
        row.cols.len() + 1
    );
    let mut q = sqlx::query(&sql);
    for (_, v) in &row.cols {
        q = bind(q, v);
    }
    q.bind(id).execute(&mut **tx).await?;
    Ok(())
}

/// and `deleted` columns when the row has them.
pub async fn upsert(tx: &mut Transaction<'static, Any>, row: &Row) -> anyhow::Result<Change> {
    let where_sql = row
        .key
        .iter()
        .enumerate()
        .map(|(i, (n, _))| format!("{n} = ${}", i + 1))
        .collect::<Vec<_>>()
        .join(" AND ");
    let has_props = row.value("properties").is_some();
    let has_deleted = row.value("deleted").is_some();
    let select = format!(
        "SELECT id, {}, {} FROM {} WHERE {where_sql}",
        if has_props { "properties" } else { "''" },
        if has_deleted { "deleted" } else { "0" },
        row.table
    );
    let mut q = sqlx::query_as::<_, (i64, String, i64)>(&select);
    for (_, v) in &row.key {
        q = match v.clone() {
            Val::Text(t) => q.bind(t),
            Val::Int(i) => q.bind(i),
            Val::Float(f) => q.bind(f),
        };
    }
    let existing = q.fetch_optional(&mut **tx).await?;
    match existing {
        None => {
            let names: Vec<&str> = row.key.iter().chain(&row.cols).map(|(n, _)| *n).collect();
            let marks: Vec<String> = (1..=names.len()).map(|i| format!("${i}")).collect();
            let sql = format!(
                "INSERT INTO {} ({}) VALUES ({})",
                row.table,
                names.join(", "),
                marks.join(", ")
            );
            let mut q = sqlx::query(&sql);
            for (_, v) in row.key.iter().chain(&row.cols) {
                q = bind(q, v);
            }
            q.execute(&mut **tx).await?;
            Ok(Change::Added)
        }
        Some((id, props, deleted)) => {
            let same_props =
                matches!(row.value("properties"), Some(Val::Text(Some(p))) if *p == props);
            let same_deleted = matches!(row.value("deleted"), Some(Val::Int(Some(d))) if *d == deleted)
                || !has_deleted;
            if has_props && same_props && same_deleted {
                return Ok(Change::Unchanged);
            }
            update_by_id(tx, row, id).await?;
            if !has_props && same_deleted {
                Ok(Change::Unchanged)
            } else {
                Ok(Change::Updated)
            }
        }
    }
}

/// Bound parameters per statement, under SQLite's 32,766 and PostgreSQL's
/// 65,535.
const MAX_PARAMS: usize = 8_000;

/// Whether a transaction is on SQLite.
pub fn is_sqlite(tx: &Transaction<'static, Any>) -> bool {
    tx.backend_name() == "SQLite"
}

/// The `n`th (1-based) parameter of a generated many-parameter statement:
/// `$n` on PostgreSQL, a bare `?` on SQLite. sqlx binds SQLite's named
/// parameters (`$n`) by looking each name up in a list, which makes a
/// statement's binding cost grow with the square of its parameters; bare
/// `?` parameters bind in order, in constant time each.
pub fn mark(sqlite: bool, n: usize) -> String {
    if sqlite {
        "?".to_owned()
    } else {
        format!("${n}")
    }
}

fn key_text(v: &Val) -> String {
    match v {
        Val::Text(Some(t)) => format!("t{t}"),
        Val::Int(Some(i)) => format!("i{i}"),
        Val::Float(Some(f)) => format!("f{f}"),
        _ => "null".to_owned(),
    }
}

/// Writes `rows` (one table, one set of key and written columns) like
/// [`upsert`] on each in turn, returning one [`Change`] per row; a key seen
/// twice counts once, its last row winning.
pub async fn upsert_many(
    tx: &mut Transaction<'static, Any>,
    rows: &[Row],
) -> anyhow::Result<Vec<Change>> {
    let Some(first) = rows.first() else {
        return Ok(Vec::new());
    };
    let shape = |r: &Row| {
        r.table == first.table
            && r.key.len() == first.key.len()
            && r.cols.len() == first.cols.len()
            && r.key.iter().zip(&first.key).all(|(a, b)| a.0 == b.0)
            && r.cols.iter().zip(&first.cols).all(|(a, b)| a.0 == b.0)
    };
    if first.key.is_empty() || !rows.iter().all(shape) {
        // Mixed shapes: one at a time.
        let mut out = Vec::with_capacity(rows.len());
        for r in rows {
            out.push(upsert(tx, r).await?);
        }
        return Ok(out);
    }
    // The last row of each key wins.
    let mut last: std::collections::HashMap<Vec<String>, usize> = std::collections::HashMap::new();
    for (i, r) in rows.iter().enumerate() {
        last.insert(r.key.iter().map(|(_, v)| key_text(v)).collect(), i);
    }
    let mut unique: Vec<usize> = last.into_values().collect();
    unique.sort_unstable();

    // Stored rows, by key: key columns equal in every row are matched with
    // `=`, the first that varies with `IN (…)`, and the rest in memory.
    let has_props = first.value("properties").is_some();
    let has_deleted = first.value("deleted").is_some();
    let nkey = first.key.len();
    let fixed: Vec<usize> = (0..nkey)
        .filter(|&c| unique.iter().all(|&i| rows[i].key[c].1 == first.key[c].1))
        .collect();
    let varying = (0..nkey).find(|c| !fixed.contains(c)).unwrap_or(nkey - 1);
    let mut in_values: Vec<&Val> = Vec::new();
    let mut in_seen = std::collections::HashSet::new();
    for &i in &unique {
        let v = &rows[i].key[varying].1;
        if in_seen.insert(key_text(v)) {
            in_values.push(v);
        }
    }
    let key_names: Vec<&str> = first.key.iter().map(|(n, _)| *n).collect();
    let sqlite = is_sqlite(tx);
    let mut stored: std::collections::HashMap<Vec<String>, (i64, String, i64)> =
        std::collections::HashMap::new();
    for chunk in in_values.chunks(MAX_PARAMS - 8) {
        let mut where_sql: Vec<String> = fixed
            .iter()
            .filter(|&&c| c != varying)
            .enumerate()
            .map(|(i, &c)| format!("{} = {}", key_names[c], mark(sqlite, i + 1)))
            .collect();
        let base = where_sql.len();
        let marks: Vec<String> = (0..chunk.len())
            .map(|j| mark(sqlite, base + j + 1))
            .collect();
        where_sql.push(format!("{} IN ({})", key_names[varying], marks.join(", ")));
        let select = format!(
            "SELECT id, {}, {}, {} FROM {} WHERE {}",
            if has_props { "properties" } else { "''" },
            if has_deleted { "deleted" } else { "0" },
            key_names.join(", "),
            first.table,
            where_sql.join(" AND ")
        );
        let mut q = sqlx::query(&select);
        for &c in fixed.iter().filter(|&&c| c != varying) {
            q = bind(q, &first.key[c].1);
        }
        for v in chunk {
            q = bind(q, v);
        }
        use sqlx::Row as _;
        for r in q.fetch_all(&mut **tx).await? {
            let id: i64 = r.try_get(0)?;
            let props: String = r.try_get(1)?;
            let deleted: i64 = r.try_get(2)?;
            let mut key = Vec::with_capacity(nkey);
            for (j, (_, v)) in first.key.iter().enumerate() {
                key.push(match v {
                    Val::Text(_) => key_text(&Val::Text(r.try_get::<Option<String>, _>(3 + j)?)),
                    Val::Int(_) => key_text(&Val::Int(r.try_get::<Option<i64>, _>(3 + j)?)),
                    Val::Float(_) => key_text(&Val::Float(r.try_get::<Option<f64>, _>(3 + j)?)),
                });
            }
            stored.insert(key, (id, props, deleted));
        }
    }

    let mut changes = vec![Change::Unchanged; rows.len()];
    let mut fresh = Vec::new();
    for &i in &unique {
        let row = &rows[i];
        let key: Vec<String> = row.key.iter().map(|(_, v)| key_text(v)).collect();
        match stored.get(&key) {
            None => {
                fresh.push(i);
                changes[i] = Change::Added;
            }
            Some((id, props, deleted)) => {
                let same_props =
                    matches!(row.value("properties"), Some(Val::Text(Some(p))) if p == props);
                let same_deleted = !has_deleted
                    || matches!(row.value("deleted"), Some(Val::Int(Some(d))) if d == deleted);
                if has_props && same_props && same_deleted {
                    continue;
                }
                update_by_id(tx, row, *id).await?;
                changes[i] = if !has_props && same_deleted {
                    Change::Unchanged
                } else {
                    Change::Updated
                };
            }
        }
    }

    // New rows, many per INSERT.
    let names: Vec<&str> = first
        .key
        .iter()
        .chain(&first.cols)
        .map(|(n, _)| *n)
        .collect();
    let per_row = names.len();
    for chunk in fresh.chunks((MAX_PARAMS / per_row).max(1)) {
        let tuples: Vec<String> = (0..chunk.len())
            .map(|r| {
                let marks: Vec<String> = (1..=per_row)
                    .map(|c| mark(sqlite, r * per_row + c))
                    .collect();
                format!("({})", marks.join(", "))
            })
            .collect();
        let sql = format!(
            "INSERT INTO {} ({}) VALUES {}",
            first.table,
            names.join(", "),
            tuples.join(", ")
        );
        let mut q = sqlx::query(&sql);
        for &i in chunk {
            for (_, v) in rows[i].key.iter().chain(&rows[i].cols) {
                q = bind(q, v);
            }
        }
        q.execute(&mut **tx).await?;
    }
    Ok(changes)
}

/// Marks rows of `table` (activities need `kind`) deleted by external id;
/// returns how many changed.
pub async fn mark_deleted(
    tx: &mut Transaction<'static, Any>,
    table: &'static str,
    connection_id: ConnectionId,
    kind: Option<&str>,
    external_ids: &[String],
    now: i64,
) -> anyhow::Result<u64> {
    let mut n = 0;
    for id in external_ids {
        let sql = match kind {
            Some(_) => format!(
                "UPDATE {table} SET deleted = 1, synced_at = $1 WHERE connection_id = $2 \
                 AND external_id = $3 AND deleted = 0 AND kind = $4"
            ),
            None => format!(
                "UPDATE {table} SET deleted = 1, synced_at = $1 WHERE connection_id = $2 \
                 AND external_id = $3 AND deleted = 0"
            ),
        };
        let mut q = sqlx::query(&sql)
            .bind(now)
            .bind(connection_id)
            .bind(id.clone());
        if let Some(k) = kind {
            q = q.bind(k.to_owned());
        }
        n += q.execute(&mut **tx).await?.rows_affected();
    }
    Ok(n)
}

/// Reads a cursor.
pub async fn cursor(
    db: &crate::db::Db,
    connection_id: ConnectionId,
    object: &str,
) -> anyhow::Result<Option<String>> {
    let row: Option<(String,)> =
        sqlx::query_as("SELECT cursor FROM sync_cursors WHERE connection_id = $1 AND object = $2")
            .bind(connection_id)
            .bind(object)
            .fetch_optional(&db.pool)
            .await?;
    Ok(row.map(|r| r.0))
}

/// Writes a cursor inside the transaction of the data it covers.
pub async fn set_cursor(
    tx: &mut Transaction<'static, Any>,
    connection_id: ConnectionId,
    object: &str,
    cursor: &str,
    now: i64,
) -> anyhow::Result<()> {
    let done = sqlx::query(
        "UPDATE sync_cursors SET cursor = $1, updated_at = $2 WHERE connection_id = $3 AND object = $4",
    )
    .bind(cursor)
    .bind(now)
    .bind(connection_id)
    .bind(object)
    .execute(&mut **tx)
    .await?
    .rows_affected();
    if done == 0 {
        sqlx::query(
            "INSERT INTO sync_cursors (connection_id, object, cursor, updated_at) VALUES ($1, $2, $3, $4)",
        )
        .bind(connection_id)
        .bind(object)
        .bind(cursor)
        .bind(now)
        .execute(&mut **tx)
        .await?;
    }
    Ok(())
}
