//! The only place in gongkai that speaks SQL.
//!
//! One [`Store`] wraps a connection pool for SQLite (the default, embedded) or PostgreSQL (the
//! scale-out backend); callers never see which. SQL is written once, portable to both; the few
//! real differences (auto-increment keys, serialising audit appends, connection set-up) live in
//! this crate and nowhere else.
//!
//! Invariants:
//! - Every state change goes through a function here that writes its audit entry in the same
//!   transaction ([`audit::append`]); nothing on the public record is hard-deleted.
//! - Times are stored as RFC 3339 UTC text of fixed width, so they sort as text on both backends.
//! - Integers are BIGINT / `i64`; booleans are stored as 0/1.

pub mod applications;
pub mod audit;
pub mod auth;
pub mod calendar;
pub mod cluster;
pub mod consultations;
pub mod decisions;
pub mod demo_sites;
pub mod disclosure;
pub mod evaluation;
pub mod files;
pub mod finance;
pub mod inspections;
pub mod jobs;
pub mod messages;
pub mod migrate;
pub mod org;
pub mod oversight;
pub mod plans;
pub mod power;
pub mod ratings;
pub mod standards;
pub mod training;
pub mod webhooks;
mod write;

pub use write::Unrecorded;

use chrono::{DateTime, Utc};
use sqlx::any::{AnyConnectOptions, AnyPoolOptions};
use sqlx::{Any, AnyPool, Transaction};
use std::str::FromStr;
use std::time::Duration;

pub use sqlx::Error as SqlxError;

/// Errors of the storage layer.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database could not be reached or opened.
    #[error("无法连接数据库（cannot connect to the database {url}）：{reason}")]
    Unreachable {
        /// The address, without password.
        url: String,
        /// What the driver said.
        reason: String,
    },
    /// The database address is not one gongkai understands.
    #[error(
        "数据库地址无效（invalid database URL）：{0}。应为 sqlite://路径 或 postgres://用户@主机:端口/库"
    )]
    BadUrl(String),
    /// The change conflicts with what is stored: a record with the same unique key exists
    /// (`… 已存在`), or the record's state changed meanwhile. The text is a whole sentence.
    #[error("{0}")]
    Conflict(String),
    /// The record asked for does not exist.
    #[error("记录不存在（not found）：{0}")]
    NotFound(String),
    /// Stored data could not be interpreted.
    #[error("数据损坏（corrupt data）：{0}")]
    Corrupt(String),
    /// A store function tried to commit a state change without recording it in the audit
    /// trail: a bug in gongkai, refused so that no change goes unrecorded.
    #[error("内部错误：变更未写入审计记录，已拒绝（a change without its audit entry was refused）")]
    Unaudited,
    /// Any other database error.
    #[error("数据库错误（database error）：{0}")]
    Db(#[from] sqlx::Error),
}

/// Result alias for this crate.
pub type Result<T> = std::result::Result<T, StoreError>;

/// Which database a [`Store`] runs on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    /// Embedded SQLite (WAL mode).
    Sqlite,
    /// PostgreSQL.
    Postgres,
}

/// Who makes a change: written into every audit entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    /// Staff id, or `None` for the system, the CLI or the public.
    pub id: Option<i64>,
    /// Readable name: the account name, `system`, `cli`, `demo`.
    pub name: String,
}

impl Actor {
    /// A staff member acting under their own account.
    pub fn of(staff: &org::Staff) -> Self {
        Actor {
            id: Some(staff.id),
            name: staff.username.clone(),
        }
    }

    /// The system itself (start-up, demo loading).
    pub fn system(name: &str) -> Self {
        Actor {
            id: None,
            name: name.to_string(),
        }
    }
}

/// How to open a store.
#[derive(Debug, Clone)]
pub struct ConnectOptions {
    /// `sqlite://PATH` or `postgres://...`.
    pub url: String,
    /// PostgreSQL only: run inside this schema (created if missing). Used to isolate test runs.
    pub pg_schema: Option<String>,
    /// Pool size.
    pub max_connections: u32,
    /// How long to wait for a connection before giving up.
    pub connect_timeout: Duration,
}

impl ConnectOptions {
    /// Options with defaults for `url`.
    pub fn new(url: &str) -> Self {
        ConnectOptions {
            url: url.to_string(),
            pg_schema: None,
            max_connections: 8,
            connect_timeout: Duration::from_secs(5),
        }
    }
}

/// The database: a pool and the backend it talks to.
#[derive(Clone)]
pub struct Store {
    pool: AnyPool,
    backend: Backend,
    /// PostgreSQL: the address, for connections of their own (change notifications).
    url: Option<std::sync::Arc<str>>,
}

impl std::fmt::Debug for Store {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Store")
            .field("backend", &self.backend)
            .field("url", &self.url.as_deref().map(redact_url))
            .finish()
    }
}

/// Removes a password from a database address for messages.
pub fn redact_url(url: &str) -> String {
    if let Some((scheme, rest)) = url.split_once("://")
        && let Some((cred, host)) = rest.split_once('@')
    {
        let user = cred.split(':').next().unwrap_or("");
        return format!("{scheme}://{user}@{host}");
    }
    url.to_string()
}

/// The SQLite address for a data directory: `DIR/gongkai.db`.
pub fn sqlite_url_for_dir(dir: &std::path::Path) -> String {
    format!("sqlite://{}?mode=rwc", dir.join("gongkai.db").display())
}

impl Store {
    /// Opens the database, applies pending migrations and returns the store.
    pub async fn open(opts: ConnectOptions) -> Result<Store> {
        sqlx::any::install_default_drivers();
        let backend = if opts.url.starts_with("sqlite:") {
            Backend::Sqlite
        } else if opts.url.starts_with("postgres://") || opts.url.starts_with("postgresql://") {
            Backend::Postgres
        } else {
            return Err(StoreError::BadUrl(redact_url(&opts.url)));
        };
        let unreachable = |e: sqlx::Error| StoreError::Unreachable {
            url: redact_url(&opts.url),
            reason: e.to_string(),
        };
        let connect = AnyConnectOptions::from_str(&opts.url)
            .map_err(|e| StoreError::BadUrl(format!("{}: {e}", redact_url(&opts.url))))?;
        if let Some(schema) = &opts.pg_schema {
            if backend != Backend::Postgres || !is_identifier(schema) {
                return Err(StoreError::BadUrl(format!("schema {schema}")));
            }
            let setup = AnyPoolOptions::new()
                .max_connections(1)
                .acquire_timeout(opts.connect_timeout)
                .connect_with(connect.clone())
                .await
                .map_err(unreachable)?;
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "CREATE SCHEMA IF NOT EXISTS {schema}"
            )))
            .execute(&setup)
            .await?;
            setup.close().await;
        }
        let schema = opts.pg_schema.clone();
        let pool = AnyPoolOptions::new()
            .max_connections(if backend == Backend::Sqlite {
                opts.max_connections.min(4)
            } else {
                opts.max_connections
            })
            .acquire_timeout(opts.connect_timeout)
            .after_connect(move |conn, _| {
                let schema = schema.clone();
                Box::pin(async move {
                    let setup = match (backend, schema) {
                        // the file is read through a memory map (up to SQLite's 2 GiB cap): pages
                        // come from the OS cache without a read() each, which at a million
                        // rows was half the time of a scan in a fresh process
                        (Backend::Sqlite, _) => {
                            "PRAGMA foreign_keys = ON; PRAGMA busy_timeout = 10000; PRAGMA synchronous = NORMAL; \
                             PRAGMA mmap_size = 2147483648;"
                                .to_string()
                        }
                        (Backend::Postgres, Some(s)) => format!("SET search_path TO {s}"),
                        (Backend::Postgres, None) => "SELECT 1".to_string(),
                    };
                    sqlx::raw_sql(sqlx::AssertSqlSafe(setup)).execute(conn).await?;
                    Ok(())
                })
            })
            .connect_with(connect)
            .await
            .map_err(unreachable)?;
        if backend == Backend::Sqlite {
            sqlx::raw_sql("PRAGMA journal_mode = WAL")
                .execute(&pool)
                .await?;
        }
        let url = (backend == Backend::Postgres).then(|| std::sync::Arc::from(opts.url.as_str()));
        let store = Store { pool, backend, url };
        migrate::run(&store).await?;
        Ok(store)
    }

    /// The backend in use.
    pub fn backend(&self) -> Backend {
        self.backend
    }

    /// Checks that the database answers.
    pub async fn ping(&self) -> Result<()> {
        sqlx::raw_sql("SELECT 1").execute(&self.pool).await?;
        Ok(())
    }

    /// Refreshes the query planner's statistics (after a bulk load; PostgreSQL's autovacuum and
    /// SQLite's `PRAGMA optimize` do it on their own over time).
    pub async fn analyze(&self) -> Result<()> {
        sqlx::raw_sql("ANALYZE").execute(&self.pool).await?;
        Ok(())
    }

    /// SQLite: writes a consistent copy of the whole database to `path` while the server runs
    /// (`VACUUM INTO`; readers and writers go on). The file must not exist.
    pub async fn snapshot_sqlite(&self, path: &std::path::Path) -> Result<()> {
        if self.backend != Backend::Sqlite {
            return Err(StoreError::BadUrl("VACUUM INTO needs SQLite".into()));
        }
        sqlx::query("VACUUM INTO $1")
            .bind(path.to_string_lossy().into_owned())
            .execute(&self.pool)
            .await?;
        Ok(())
    }

    /// PostgreSQL: the schema the store's tables are in (`public`, or a deployment's own).
    pub async fn current_schema(&self) -> Result<Option<String>> {
        if self.backend != Backend::Postgres {
            return Ok(None);
        }
        let (s,): (Option<String>,) = sqlx::query_as("SELECT CAST(current_schema() AS TEXT)")
            .fetch_one(&self.pool)
            .await?;
        Ok(s)
    }

    /// The newest migration applied to the database at `url`, without opening a store (no
    /// migration runs): `None` when it holds no gongkai tables (an empty database to restore
    /// into).
    pub async fn schema_version_at(url: &str) -> Result<Option<i64>> {
        use sqlx::Connection;
        sqlx::any::install_default_drivers();
        let mut conn =
            sqlx::AnyConnection::connect(url)
                .await
                .map_err(|e| StoreError::Unreachable {
                    url: redact_url(url),
                    reason: e.to_string(),
                })?;
        let version: std::result::Result<(Option<i64>,), _> =
            sqlx::query_as("SELECT MAX(version) FROM schema_migrations")
                .fetch_one(&mut conn)
                .await;
        let _ = conn.close().await;
        Ok(version.ok().and_then(|(v,)| v))
    }

    /// Closes the pool, waiting for connections to be returned.
    pub async fn close(&self) {
        self.pool.close().await;
    }

    /// Begins a write transaction. On SQLite the transaction takes the write lock at once
    /// (`BEGIN IMMEDIATE`) so that two writers never deadlock upgrading a read.
    pub(crate) async fn begin(&self) -> Result<Transaction<'static, Any>> {
        let tx = match self.backend {
            Backend::Sqlite => self.pool.begin_with("BEGIN IMMEDIATE").await?,
            Backend::Postgres => self.pool.begin().await?,
        };
        Ok(tx)
    }

    pub(crate) fn pool(&self) -> &AnyPool {
        &self.pool
    }

    /// Drops a PostgreSQL schema made for an isolated run (tests). Does nothing on SQLite.
    pub async fn drop_schema(&self, schema: &str) -> Result<()> {
        if self.backend == Backend::Postgres && is_identifier(schema) {
            sqlx::raw_sql(sqlx::AssertSqlSafe(format!(
                "DROP SCHEMA IF EXISTS {schema} CASCADE"
            )))
            .execute(&self.pool)
            .await?;
        }
        Ok(())
    }

    /// Lists the PostgreSQL schemas whose names start with `prefix` (test clean-up).
    pub async fn schemas_with_prefix(&self, prefix: &str) -> Result<Vec<String>> {
        if self.backend != Backend::Postgres {
            return Ok(Vec::new());
        }
        let rows: Vec<(String,)> = sqlx::query_as(
            "SELECT schema_name FROM information_schema.schemata WHERE schema_name LIKE $1",
        )
        .bind(format!("{prefix}%"))
        .fetch_all(&self.pool)
        .await?;
        Ok(rows.into_iter().map(|r| r.0).collect())
    }
}

/// A plain SQL identifier: ASCII letters, digits and `_`, not starting with a digit.
fn is_identifier(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
        && !s.as_bytes()[0].is_ascii_digit()
}

/// Current time as stored: RFC 3339 UTC with microseconds, fixed width.
pub fn now_text() -> String {
    time_text(Utc::now())
}

/// A time as stored.
pub fn time_text(t: DateTime<Utc>) -> String {
    t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string()
}

/// `$1, $2, …, $n`: the placeholders of an `IN (…)` list of `n` values.
pub(crate) fn placeholders(n: usize) -> String {
    (1..=n)
        .map(|i| format!("${i}"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The `VALUES` list of a multi-row insert: `rows` groups of `cols` placeholders numbered on
/// from `$1`, each group followed by `extra(row)` (more expressions, may be empty).
pub(crate) fn values_rows(rows: usize, cols: usize, extra: impl Fn(usize) -> String) -> String {
    (0..rows)
        .map(|r| {
            let p: Vec<String> = (1..=cols).map(|c| format!("${}", r * cols + c)).collect();
            format!("({}{})", p.join(", "), extra(r))
        })
        .collect::<Vec<_>>()
        .join(", ")
}

/// Maps a unique-constraint violation to [`StoreError::Conflict`].
pub(crate) fn conflict(what: &str) -> impl Fn(sqlx::Error) -> StoreError + '_ {
    move |e| match &e {
        sqlx::Error::Database(d) if d.is_unique_violation() => {
            StoreError::Conflict(format!("{what} 已存在"))
        }
        _ => StoreError::Db(e),
    }
}
