//! The database handle shared by every part of the server.
//!
//! Tally runs on SQLite (embedded, one process) or PostgreSQL (several
//! replicas). Both are reached through sqlx's `Any` driver so that one query
//! text, with `$1`-style placeholders that both accept, serves both backends
//! and the same tests run on each. Backend-specific work (connection pragmas,
//! the migration set, locking) is chosen here from [`Backend`].

use std::{path::Path, str::FromStr, time::Duration};

use anyhow::Context as _;
use sqlx::{
    Any, AnyPool, Executor as _, Transaction, any::AnyPoolOptions, migrate::Migrator,
    sqlite::SqliteConnectOptions,
};

/// Which database engine is behind the pool.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite file.
    Sqlite,
    /// PostgreSQL server.
    Postgres,
}

impl Backend {
    /// The backend a URL points at.
    pub fn of_url(url: &str) -> anyhow::Result<Self> {
        if url.starts_with("sqlite:") {
            Ok(Self::Sqlite)
        } else if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            Ok(Self::Postgres)
        } else {
            anyhow::bail!("unsupported database URL scheme (expected sqlite: or postgres:)")
        }
    }

    /// The aggregate and the constructor that pack rows into one JSON
    /// array of arrays: `(json_group_array, json_array)` on SQLite,
    /// `(json_agg, json_build_array)` on PostgreSQL. Cast the result to
    /// TEXT (PostgreSQL answers `json`).
    pub fn json_pack(self) -> (&'static str, &'static str) {
        match self {
            Self::Sqlite => ("json_group_array", "json_array"),
            Self::Postgres => ("json_agg", "json_build_array"),
        }
    }

    /// SQL reading one top-level property of a JSON text column as text,
    /// NULL when it is absent or `null`. `path` is the placeholder bound to
    /// [`Backend::json_key`] of the property name.
    pub fn json_text(self, column: &str, path: &str) -> String {
        match self {
            Self::Sqlite => format!("CAST(json_extract({column}, {path}) AS TEXT)"),
            Self::Postgres => format!("(CAST({column} AS jsonb) ->> {path})"),
        }
    }

    /// What [`Backend::json_text`]'s placeholder is bound to for `name`: a
    /// JSON path on SQLite, the key itself on PostgreSQL.
    pub fn json_key(self, name: &str) -> String {
        match self {
            Self::Sqlite => format!("$.\"{}\"", name.replace('"', "")),
            Self::Postgres => name.to_owned(),
        }
    }

    /// Short name for logs and test output.
    pub fn name(self) -> &'static str {
        match self {
            Self::Sqlite => "sqlite",
            Self::Postgres => "postgres",
        }
    }

    fn migrator(self) -> &'static Migrator {
        static SQLITE: Migrator = sqlx::migrate!("../migrations/sqlite");
        static POSTGRES: Migrator = sqlx::migrate!("../migrations/postgres");
        match self {
            Self::Sqlite => &SQLITE,
            Self::Postgres => &POSTGRES,
        }
    }
}

/// A connection pool plus the backend it talks to. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Db {
    /// The pool; use `$1` placeholders and only types both backends share.
    pub pool: AnyPool,
    /// The engine behind the pool.
    pub backend: Backend,
}

impl Db {
    /// Opens a pool. For SQLite the file (and its folder) is created if
    /// missing, readable by Tally's user only (see `private_files`), WAL mode is switched on, foreign keys are enforced and writers
    /// wait for each other instead of failing with "database is locked".
    pub async fn connect(url: &str) -> anyhow::Result<Self> {
        sqlx::any::install_default_drivers();
        let backend = Backend::of_url(url)?;
        let options = AnyPoolOptions::new().acquire_timeout(Duration::from_secs(10));
        let pool = match backend {
            Backend::Sqlite => {
                let sqlite =
                    SqliteConnectOptions::from_str(url).context("parsing the SQLite URL")?;
                let file = sqlite.get_filename();
                if file != Path::new(":memory:") && !url.contains("mode=memory") {
                    crate::private_files::prepare_database(file)?;
                }
                let url = if url.contains('?') {
                    url.to_owned()
                } else {
                    format!("{url}?mode=rwc")
                };
                options
                    .max_connections(8)
                    .after_connect(|conn, _meta| {
                        Box::pin(async move {
                            conn.execute(
                                "PRAGMA journal_mode = WAL; PRAGMA foreign_keys = ON; \
                                 PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL;",
                            )
                            .await?;
                            Ok(())
                        })
                    })
                    .connect(&url)
                    .await
                    .context("opening the SQLite database")?
            }
            Backend::Postgres => options
                .max_connections(16)
                .connect(url)
                .await
                .context("connecting to PostgreSQL")?,
        };
        Ok(Self { pool, backend })
    }

    /// Opens a transaction (`BEGIN`, deferred on SQLite).
    ///
    /// Use this, never `pool.begin()`: a caller dropped mid-`BEGIN` must not
    /// leave its connection inside a transaction (see `open` below).
    pub async fn begin(&self) -> anyhow::Result<Transaction<'static, Any>> {
        self.open(None).await
    }

    /// Opens a transaction that writes. On SQLite it is `BEGIN IMMEDIATE`,
    /// so two writers wait for each other (busy timeout) instead of failing
    /// with "database is locked" when a read lock cannot be upgraded.
    pub async fn begin_write(&self) -> anyhow::Result<Transaction<'static, Any>> {
        match self.backend {
            Backend::Sqlite => self.open(Some("BEGIN IMMEDIATE")).await,
            Backend::Postgres => self.open(None).await,
        }
    }

    /// Runs the `BEGIN` in a task of its own, so that dropping the caller
    /// cannot cut it in half.
    ///
    /// sqlx 0.8 leaves a connection inside a transaction when the future
    /// opening it is dropped at the wrong moment: on PostgreSQL after `BEGIN`
    /// is sent and before its answer is read, on SQLite after a custom
    /// `BEGIN` while its result is checked. No `Transaction` exists yet to
    /// roll back, so the connection returns to the pool mid-transaction:
    /// whatever runs on it later is never committed, and its locks (on
    /// SQLite, the whole database's write lock) are never released. Sync runs
    /// are dropped mid-way whenever they lose their lease or are cancelled.
    /// Here the `BEGIN` always finishes; a transaction nobody is waiting for
    /// any more is dropped, which rolls it back.
    async fn open(
        &self,
        statement: Option<&'static str>,
    ) -> anyhow::Result<Transaction<'static, Any>> {
        let pool = self.pool.clone();
        let opened = tokio::spawn(async move {
            match statement {
                Some(statement) => pool.begin_with(statement).await,
                None => pool.begin().await,
            }
        })
        .await
        .context("opening a transaction")?;
        Ok(opened?)
    }

    /// Applies every pending migration of this backend's set.
    pub async fn migrate(&self) -> anyhow::Result<()> {
        self.backend
            .migrator()
            .run(&self.pool)
            .await
            .with_context(|| format!("running {} migrations", self.backend.name()))
    }

    /// True when every migration this binary knows has been applied.
    pub async fn is_migrated(&self) -> anyhow::Result<bool> {
        let applied: Vec<(i64,)> =
            sqlx::query_as("SELECT version FROM _sqlx_migrations WHERE success = TRUE")
                .fetch_all(&self.pool)
                .await
                .context("reading the migration table")?;
        Ok(self
            .backend
            .migrator()
            .iter()
            .all(|m| applied.iter().any(|(v,)| *v == m.version)))
    }
}

/// Milliseconds since the Unix epoch: how every timestamp is stored.
pub fn now_ms() -> i64 {
    chrono::Utc::now().timestamp_millis()
}
