//! Online backups of a SQLite database: `VACUUM INTO` writes a consistent
//! copy from one read transaction, so it is safe while `tollgate serve`
//! writes (WAL readers do not block the writer, nor it them). PostgreSQL is
//! backed up with its own tools (`pg_dump`).

use std::path::{Path, PathBuf};
use std::str::FromStr;

use sqlx::{ConnectOptions, Connection};
use sqlx::sqlite::SqliteConnectOptions;

use crate::{DbError, DbResult};

/// What a backup wrote.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BackupInfo {
    pub source: PathBuf,
    pub bytes: u64,
    /// Applied migrations in the copy (its schema version).
    pub migrations: i64,
}

/// Copies the SQLite database at `url` into the new file `dest`, then checks
/// the copy (`PRAGMA integrity_check`). Refuses an existing `dest`, a
/// missing database and PostgreSQL URLs.
pub async fn sqlite_backup(url: &str, dest: &Path) -> DbResult<BackupInfo> {
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        return Err(DbError::Config(
            "`tollgate backup` copies SQLite databases; back PostgreSQL up with pg_dump (see the README's Backups section)".into(),
        ));
    }
    let opts = SqliteConnectOptions::from_str(url).map_err(|e| DbError::Config(format!("database URL: {e}")))?;
    let source = opts.get_filename().to_path_buf();
    if !source.is_file() {
        return Err(DbError::Config(format!("no database at {}", source.display())));
    }
    if dest.exists() {
        return Err(DbError::Config(format!("{} exists; backups never overwrite a file", dest.display())));
    }
    let dest_str = dest.to_str().ok_or_else(|| DbError::Config("the backup path is not UTF-8".into()))?;
    {
        // Read-only: a backup never changes the live database (nor creates one).
        let mut c = opts.read_only(true).busy_timeout(std::time::Duration::from_secs(30)).connect().await?;
        sqlx::query("VACUUM INTO $1").bind(dest_str).execute(&mut c).await?;
        c.close().await?;
    }
    let mut copy = SqliteConnectOptions::new().filename(dest).read_only(true).connect().await?;
    let check: String = sqlx::query_scalar("PRAGMA integrity_check").fetch_one(&mut copy).await?;
    if check != "ok" {
        return Err(DbError::Corrupt(format!("the copy at {} fails its integrity check: {check}", dest.display())));
    }
    let migrations: i64 = sqlx::query_scalar("SELECT count(*) FROM _sqlx_migrations WHERE success").fetch_one(&mut copy).await?;
    copy.close().await?;
    let bytes = std::fs::metadata(dest).map_err(|e| DbError::Config(format!("{}: {e}", dest.display())))?.len();
    Ok(BackupInfo { source, bytes, migrations })
}
