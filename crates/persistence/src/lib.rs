//! Persistence for Tollgate on SQLite (embedded default) and PostgreSQL.
//!
//! One set of SQL statements serves both databases: each repository function
//! is written once and the [`on!`] macro expands it for each backend's own
//! connection type, so rows decode with each driver's native types. (sqlx's
//! `Any` driver was tried first: it cannot decode SQLite `BOOLEAN` columns.)
//! Statements use `$1`-style placeholders, which sqlx accepts on SQLite too.
//! The conformance suite in `tests/` runs every repository test against both.

use std::str::FromStr;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Duration;

use sqlx::postgres::{PgConnectOptions, PgPoolOptions};
use sqlx::sqlite::{SqliteConnectOptions, SqliteJournalMode, SqlitePoolOptions, SqliteSynchronous};
use sqlx::{PgConnection, PgPool, Postgres, Sqlite, SqliteConnection, SqlitePool, Transaction};

pub mod access;
pub mod accounts;
pub mod activities;
pub mod admins;
pub mod api_keys;
pub mod apps;
pub mod audit;
pub mod automations;
pub mod backup;
pub mod connectors;
pub mod contacts;
pub mod crm;
pub mod email_changes;
pub mod idempotency;
pub mod images;
pub mod invitations;
pub mod jobs;
pub mod magic_links;
pub mod member_imports;
pub mod metrics;
pub mod ops_metrics;
pub mod outbound;
pub mod outbox;
pub mod password_resets;
pub mod products;
pub mod segments;
pub mod selling;
pub mod stages;
pub mod sessions;
pub mod inbox;
pub mod stripe;
pub mod throttle;
pub mod users;

mod error;
pub mod testing;
pub use error::{DbError, Unique};

pub type DbResult<T> = Result<T, DbError>;

/// Runs the same body against whichever backend `conn` holds; inside, `$c`
/// is `&mut SqliteConnection` or `&mut PgConnection`.
#[macro_export]
macro_rules! on {
    ($conn:expr, $c:ident => $body:expr) => {
        match $conn {
            $crate::Conn::Sqlite($c, _) => $body,
            $crate::Conn::Pg($c, _) => $body,
        }
    };
}

/// Which database a [`Db`] talks to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// A connection pool on one of the two backends.
#[derive(Debug, Clone)]
pub enum Db {
    Sqlite(SqlitePool),
    Pg(PgPool),
}

/// A borrowed connection (pooled or inside a transaction). The second field
/// is what its transaction does after committing (`None` outside one).
pub enum Conn<'a> {
    Sqlite(&'a mut SqliteConnection, Option<&'a AfterCommit>),
    Pg(&'a mut PgConnection, Option<&'a AfterCommit>),
}

impl Conn<'_> {
    pub fn backend(&self) -> Backend {
        match self {
            Conn::Sqlite(..) => Backend::Sqlite,
            Conn::Pg(..) => Backend::Postgres,
        }
    }

    /// Wakes the outbound dispatchers once this connection's writes are
    /// committed: when its transaction commits (not if it rolls back), or
    /// now outside a transaction. For writes that make deliveries due.
    pub fn wake_outbound_after_commit(&self) {
        match self {
            Conn::Sqlite(_, Some(a)) | Conn::Pg(_, Some(a)) => a.wake_outbound.store(true, Ordering::Relaxed),
            Conn::Sqlite(_, None) | Conn::Pg(_, None) => outbound::wake::ring(),
        }
    }
}

/// What a transaction does once it has committed.
#[derive(Debug, Default)]
pub struct AfterCommit {
    /// Deliveries were queued or made due: wake the dispatchers.
    wake_outbound: AtomicBool,
}

/// A connection taken from the pool.
pub enum PooledConn {
    Sqlite(sqlx::pool::PoolConnection<Sqlite>),
    Pg(sqlx::pool::PoolConnection<Postgres>),
}

impl PooledConn {
    pub fn conn(&mut self) -> Conn<'_> {
        match self {
            PooledConn::Sqlite(c) => Conn::Sqlite(&mut **c, None),
            PooledConn::Pg(c) => Conn::Pg(&mut **c, None),
        }
    }
}

/// A write transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    inner: TxInner,
    after: AfterCommit,
}

enum TxInner {
    Sqlite(Transaction<'static, Sqlite>),
    Pg(Transaction<'static, Postgres>),
}

impl Tx {
    fn new(inner: TxInner) -> Self {
        Self { inner, after: AfterCommit::default() }
    }

    pub fn conn(&mut self) -> Conn<'_> {
        match &mut self.inner {
            TxInner::Sqlite(t) => Conn::Sqlite(&mut **t, Some(&self.after)),
            TxInner::Pg(t) => Conn::Pg(&mut **t, Some(&self.after)),
        }
    }
    /// Commits. Inside an audited request, the request's audit entry is
    /// written into this transaction first (see [`audit`]). Once committed,
    /// wakes the outbound dispatchers if the transaction queued deliveries
    /// (see [`Conn::wake_outbound_after_commit`]).
    pub async fn commit(mut self) -> DbResult<()> {
        let audited = audit::flush_in(&mut self.conn()).await?;
        let wake = self.after.wake_outbound.load(Ordering::Relaxed);
        if wake {
            if let TxInner::Pg(t) = &mut self.inner {
                // Delivered at the commit, to the dispatchers of every process
                // (the channel is `outbound::wake::CHANNEL`).
                sqlx::query("NOTIFY tollgate_outbound").execute(&mut **t).await?;
            }
        }
        match self.inner {
            TxInner::Sqlite(t) => t.commit().await?,
            TxInner::Pg(t) => t.commit().await?,
        }
        if audited {
            audit::mark_written();
        }
        if wake {
            outbound::wake::ring();
        }
        Ok(())
    }
    /// Rolls back now (dropping a `Tx` rolls back too, but lazily).
    pub async fn rollback(self) -> DbResult<()> {
        match self.inner {
            TxInner::Sqlite(t) => t.rollback().await?,
            TxInner::Pg(t) => t.rollback().await?,
        }
        Ok(())
    }
}

/// How to open the database.
#[derive(Debug, Clone)]
pub struct DbOptions {
    pub url: String,
    pub max_connections: u32,
    pub acquire_timeout: Duration,
    /// PostgreSQL: a pooled connection idle at least this long is pinged
    /// before it is handed out, and replaced if the ping fails (the server
    /// restarted, or closed it). One in recent use is not: sqlx's default
    /// pings every one, a round trip per use of the pool.
    pub ping_idle: Duration,
}

impl DbOptions {
    pub fn new(url: impl Into<String>) -> Self {
        Self { url: url.into(), max_connections: 16, acquire_timeout: Duration::from_secs(10), ping_idle: Duration::from_secs(10) }
    }
}

static SQLITE_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/sqlite");
static PG_MIGRATOR: sqlx::migrate::Migrator = sqlx::migrate!("../../migrations/postgres");

impl Db {
    /// Opens a pool. `sqlite:` URLs create the file (and its directory) if
    /// missing and use WAL; `postgres://` URLs select PostgreSQL.
    pub async fn connect(opts: &DbOptions) -> DbResult<Db> {
        let url = opts.url.as_str();
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let o = PgConnectOptions::from_str(url)?;
            // sqlx pings every connection it hands out (a round trip each);
            // only one that sat idle long enough to have been closed by the
            // server, a restart or the network in between is pinged here.
            let ping_idle = opts.ping_idle;
            let pool = PgPoolOptions::new()
                .max_connections(opts.max_connections)
                .acquire_timeout(opts.acquire_timeout)
                .test_before_acquire(false)
                .before_acquire(move |c, meta| {
                    Box::pin(async move {
                        if meta.idle_for >= ping_idle {
                            sqlx::Connection::ping(c).await?;
                        }
                        Ok(true)
                    })
                })
                .connect_with(o)
                .await?;
            Ok(Db::Pg(pool))
        } else if url.starts_with("sqlite:") {
            let o = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                // Each connection runs on a thread of its own and hands rows
                // back through a bounded channel: with sqlx's 50, a statement
                // returning more rows (a claim of 256 deliveries, a batch of
                // 1,024 answers) stopped the thread every 50 rows until the
                // caller's task had taken them (a futex wait and wake each
                // time). 1,024 rows fit the dispatcher's batches.
                .row_buffer_size(1024)
                // A statement that changes several rows inside a transaction
                // keeps a journal of its own (to undo just itself): in memory,
                // not a temporary file written through system calls.
                .pragma("temp_store", "memory");
            if let Some(dir) = o.get_filename().parent() {
                if !dir.as_os_str().is_empty() {
                    std::fs::create_dir_all(dir).map_err(|e| DbError::Config(format!("cannot create {}: {e}", dir.display())))?;
                }
            }
            // No ping before handing a connection out: nothing can close a
            // connection to a file under us.
            let pool = SqlitePoolOptions::new()
                .max_connections(opts.max_connections.min(8))
                .acquire_timeout(opts.acquire_timeout)
                .test_before_acquire(false)
                .connect_with(o)
                .await?;
            Ok(Db::Sqlite(pool))
        } else {
            Err(DbError::Config("database URL must start with sqlite: or postgres://".into()))
        }
    }

    pub fn backend(&self) -> Backend {
        match self {
            Db::Sqlite(_) => Backend::Sqlite,
            Db::Pg(_) => Backend::Postgres,
        }
    }

    /// Applies every pending migration of this backend.
    pub async fn migrate(&self) -> DbResult<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATOR.run(p).await?,
            Db::Pg(p) => PG_MIGRATOR.run(p).await?,
        }
        // Data the SQL migrations cannot compute the same way on both backends.
        let filled = users::backfill_folded_names(&mut self.acquire().await?.conn()).await?;
        if filled > 0 {
            tracing::info!(members = filled, "filled the search form of member names");
        }
        Ok(())
    }

    /// Applies the migrations up to `version` only (upgrade tests); `migrate` applies the rest.
    #[doc(hidden)]
    pub async fn migrate_to(&self, version: i64) -> DbResult<()> {
        match self {
            Db::Sqlite(p) => SQLITE_MIGRATOR.run_to(version, p).await?,
            Db::Pg(p) => PG_MIGRATOR.run_to(version, p).await?,
        }
        Ok(())
    }

    pub async fn acquire(&self) -> DbResult<PooledConn> {
        Ok(match self {
            Db::Sqlite(p) => PooledConn::Sqlite(p.acquire().await?),
            Db::Pg(p) => PooledConn::Pg(p.acquire().await?),
        })
    }

    /// Begins a write transaction. On SQLite it takes the write lock at once
    /// (`BEGIN IMMEDIATE`) so a read-then-write never fails to upgrade.
    pub async fn begin(&self) -> DbResult<Tx> {
        Ok(match self {
            Db::Sqlite(p) => Tx::new(TxInner::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?)),
            Db::Pg(p) => Tx::new(TxInner::Pg(p.begin().await?)),
        })
    }

    /// The pool's connections: open, idle, and the most it opens.
    pub fn pool_stats(&self) -> PoolStats {
        match self {
            Db::Sqlite(p) => PoolStats { open: p.size(), idle: p.num_idle() as u32, max: p.options().get_max_connections() },
            Db::Pg(p) => PoolStats { open: p.size(), idle: p.num_idle() as u32, max: p.options().get_max_connections() },
        }
    }

    /// Checks the database answers.
    pub async fn ping(&self) -> DbResult<()> {
        let mut c = self.acquire().await?;
        on!(c.conn(), c => { sqlx::query("SELECT 1").execute(&mut *c).await?; });
        Ok(())
    }

    pub async fn close(&self) {
        match self {
            Db::Sqlite(p) => p.close().await,
            Db::Pg(p) => p.close().await,
        }
    }
}

/// A connection pool's usage.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PoolStats {
    pub open: u32,
    pub idle: u32,
    pub max: u32,
}

/// Serializes transactions that touch the same logical object (e.g. one
/// Stripe subscription) until the transaction ends. PostgreSQL takes a
/// transaction-scoped advisory lock; SQLite needs nothing, as a write
/// transaction (`BEGIN IMMEDIATE`) already excludes every other writer.
pub async fn lock_for_update(conn: &mut Conn<'_>, key: &str) -> DbResult<()> {
    if let Conn::Pg(c, _) = conn {
        sqlx::query("SELECT pg_advisory_xact_lock(hashtextextended($1, 0))").bind(key).execute(&mut **c).await?;
    }
    Ok(())
}

/// Lets this transaction's commit return before its WAL record reaches disk
/// (PostgreSQL's `synchronous_commit = off`; SQLite in WAL mode with
/// `synchronous = NORMAL` already does). Only for writes whose loss in a
/// crash is recovered anyway: a delivery's lease or answer, lost, means the
/// delivery is sent again (at-least-once). Never for anything acknowledged.
pub async fn relax_durability(conn: &mut Conn<'_>) -> DbResult<()> {
    if let Conn::Pg(c, _) = conn {
        sqlx::query("SET LOCAL synchronous_commit = off").execute(&mut **c).await?;
    }
    Ok(())
}

pub(crate) fn ms(t: time::OffsetDateTime) -> i64 {
    tollgate_domain::clock::to_millis(t)
}

pub(crate) fn at(ms: i64) -> time::OffsetDateTime {
    tollgate_domain::clock::from_millis(ms)
}

pub(crate) fn opt_at(ms: Option<i64>) -> Option<time::OffsetDateTime> {
    ms.map(at)
}
