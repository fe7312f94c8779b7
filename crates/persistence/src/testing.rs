//! Fresh databases for tests: a new SQLite file or a new PostgreSQL
//! database per test, migrated. PostgreSQL comes from
//! `TOLLGATE_TEST_PG_URL` (default: the machine's 127.0.0.1:5432, user postgres).

use crate::{Backend, Db, DbOptions, DbResult};

pub fn pg_admin_url() -> String {
    std::env::var("TOLLGATE_TEST_PG_URL").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".to_owned())
}

/// A migrated database that removes itself (file or PostgreSQL database) on drop.
pub struct TestDb {
    pub db: Db,
    pub url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(std::path::PathBuf),
    PgDatabase(String),
}

impl TestDb {
    pub async fn new(backend: Backend) -> DbResult<TestDb> {
        Self::at_version(backend, None).await
    }

    /// A database migrated up to `version` only (`None`: every migration):
    /// for tests of what an upgrade does to rows an older version wrote.
    pub async fn at_version(backend: Backend, version: Option<i64>) -> DbResult<TestDb> {
        let name = format!("tollgate_test_{}", uuid::Uuid::new_v4().simple());
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join("tollgate-tests");
                std::fs::create_dir_all(&dir).map_err(|e| crate::DbError::Config(e.to_string()))?;
                let path = dir.join(format!("{name}.db"));
                (format!("sqlite://{}", path.display()), Cleanup::File(path))
            }
            Backend::Postgres => {
                let admin = Db::connect(&DbOptions { max_connections: 1, ..DbOptions::new(pg_admin_url()) }).await?;
                if let Db::Pg(p) = &admin {
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(p).await?;
                }
                admin.close().await;
                let base = pg_admin_url();
                let root = base.rsplit_once('/').map(|(r, _)| r.to_owned()).unwrap_or(base);
                (format!("{root}/{name}"), Cleanup::PgDatabase(name))
            }
        };
        let db = Db::connect(&DbOptions { max_connections: 8, ..DbOptions::new(url.clone()) }).await?;
        match version {
            None => db.migrate().await?,
            Some(v) => db.migrate_to(v).await?,
        }
        Ok(TestDb { db, url, cleanup })
    }
}

impl std::ops::Deref for TestDb {
    type Target = Db;
    fn deref(&self) -> &Db {
        &self.db
    }
}

/// A fresh migrated database on `backend`, for [`both!`](crate::both).
pub async fn fresh(backend: Backend) -> TestDb {
    match TestDb::new(backend).await {
        Ok(t) => t,
        Err(e) => panic!("a fresh {backend:?} test database (is PostgreSQL running on 127.0.0.1:5432?): {e}"),
    }
}

/// Runs each named test on SQLite and on PostgreSQL: declares a `sqlite` and
/// a `postgres` module with one `#[tokio::test]` per name, calling
/// `super::name` with a fresh fixture for that backend.
///
/// - `both!(a, b)`: each test is `async fn a(db: &Db)` on a fresh migrated
///   database (the persistence tests);
/// - `both!(@on sqlite postgres; val make; a, b)`: each test gets what
///   `make(backend).await` returns, by value (`ref make`: by reference). The
///   HTTP tests' own `both!` forms (a test server, a configured one, the
///   backend alone) are written on this one.
#[macro_export]
macro_rules! both {
    (@call ref $make:path, $b:expr) => { &*$make($b).await };
    (@call val $make:path, $b:expr) => { $make($b).await };
    (@on $s:ident $p:ident; $how:ident $make:path; $($name:ident),* $(,)?) => {
        mod $s {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::both!(@call $how $make, $crate::Backend::Sqlite)).await;
            })*
        }
        mod $p {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                super::$name($crate::both!(@call $how $make, $crate::Backend::Postgres)).await;
            })*
        }
    };
    ($($name:ident),* $(,)?) => { $crate::both!(@on sqlite postgres; ref $crate::testing::fresh; $($name),*); };
}

impl Drop for TestDb {
    fn drop(&mut self) {
        match &self.cleanup {
            Cleanup::File(p) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
                }
            }
            Cleanup::PgDatabase(name) => {
                // Best effort, off the async runtime: drop the database once its pool is gone.
                let name = name.clone();
                std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build();
                    if let Ok(rt) = rt {
                        rt.block_on(async move {
                            if let Ok(admin) = Db::connect(&DbOptions { max_connections: 1, ..DbOptions::new(pg_admin_url()) }).await {
                                if let Db::Pg(p) = &admin {
                                    let _ = sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(p).await;
                                }
                                admin.close().await;
                            }
                        });
                    }
                });
            }
        }
    }
}

/// How many transactions of this database wait for a lock held elsewhere
/// (PostgreSQL: its sessions waiting on a lock; SQLite: connections taken
/// from the pool beyond `held`, the ones the caller holds itself, since a
/// writer waiting for SQLite's lock cannot be seen otherwise). Tests use it
/// to know that concurrent work has reached a lock before releasing it.
pub async fn lock_waiters(db: &Db, held: usize) -> DbResult<i64> {
    Ok(match db {
        Db::Pg(p) => {
            sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'")
                .fetch_one(p)
                .await?
        }
        Db::Sqlite(p) => (p.size() as usize).saturating_sub(p.num_idle() + held) as i64,
    })
}
