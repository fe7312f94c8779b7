//! A fresh database per measured run: a new SQLite file or a new
//! PostgreSQL database, opened with Tollgate's own `Db::connect` so the
//! baseline and Tollgate get the same pool and the same connection
//! settings (SQLite: WAL, synchronous=NORMAL, busy timeout).

use std::path::PathBuf;

use tollgate_persistence::{Backend, Db, DbOptions};

pub struct FreshDb {
    pub db: Db,
    url: String,
    cleanup: Cleanup,
}

enum Cleanup {
    File(PathBuf),
    PgDatabase(String),
}

/// The PostgreSQL server to create databases on (`TOLLGATE_TEST_PG_URL`,
/// default `postgres://postgres@127.0.0.1:5432/postgres`, as the tests use).
pub fn pg_admin_url() -> String {
    tollgate_persistence::testing::pg_admin_url()
}

impl FreshDb {
    /// `label` names the file or database (`baseline`, `tollgate`).
    pub async fn create(backend: Backend, label: &str, pool: u32) -> anyhow::Result<FreshDb> {
        let name = format!("tollgate_bench_{label}_{}", uuid::Uuid::new_v4().simple());
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join("tollgate-bench");
                std::fs::create_dir_all(&dir)?;
                let path = dir.join(format!("{name}.db"));
                (format!("sqlite://{}", path.display()), Cleanup::File(path))
            }
            Backend::Postgres => {
                let admin = pg_admin_url();
                let conn = Db::connect(&DbOptions { max_connections: 1, ..DbOptions::new(admin.clone()) }).await?;
                if let Db::Pg(p) = &conn {
                    sqlx::query(sqlx::AssertSqlSafe(format!("CREATE DATABASE {name}"))).execute(p).await?;
                }
                conn.close().await;
                let root = admin.rsplit_once('/').map(|(r, _)| r.to_owned()).unwrap_or(admin);
                (format!("{root}/{name}"), Cleanup::PgDatabase(name))
            }
        };
        let db = Db::connect(&DbOptions { max_connections: pool, ..DbOptions::new(url.clone()) }).await?;
        Ok(FreshDb { db, url, cleanup })
    }

    /// Closes the pool and removes the file or database.
    pub async fn remove(self) -> anyhow::Result<()> {
        // PostgreSQL connections whose runtime is gone cannot say goodbye;
        // DROP DATABASE … WITH (FORCE) ends them anyway.
        let _ = tokio::time::timeout(std::time::Duration::from_secs(2), self.db.close()).await;
        match self.cleanup {
            Cleanup::File(p) => {
                for suffix in ["", "-wal", "-shm"] {
                    let _ = std::fs::remove_file(format!("{}{suffix}", p.display()));
                }
            }
            Cleanup::PgDatabase(name) => {
                let conn = Db::connect(&DbOptions { max_connections: 1, ..DbOptions::new(pg_admin_url()) }).await?;
                if let Db::Pg(p) = &conn {
                    sqlx::query(sqlx::AssertSqlSafe(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).execute(p).await?;
                }
                conn.close().await;
            }
        }
        Ok(())
    }

    /// Rows in `table` (for the after-run check of what was stored), on a
    /// connection of its own: the pool's PostgreSQL connections belong to
    /// the runtimes of the server's workers, which are gone after a run.
    pub async fn count(&self, table: &str) -> anyhow::Result<i64> {
        let sql = format!("SELECT COUNT(*) FROM {table}");
        let db = Db::connect(&DbOptions { max_connections: 1, ..DbOptions::new(self.url.clone()) }).await?;
        let n = match &db {
            Db::Sqlite(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await?,
            Db::Pg(p) => sqlx::query_scalar(sqlx::AssertSqlSafe(sql)).fetch_one(p).await?,
        };
        db.close().await;
        Ok(n)
    }
}

/// The pool size `Db::connect` really opens (it caps SQLite at 8).
pub fn effective_pool(backend: Backend, requested: u32) -> u32 {
    match backend {
        Backend::Sqlite => requested.min(8),
        Backend::Postgres => requested,
    }
}
