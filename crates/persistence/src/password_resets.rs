//! Single-use, expiring admin password reset links, stored hashed.

use time::OffsetDateTime;
use tollgate_domain::ids::AdminId;

use crate::{Conn, DbResult, at, ms, on};

pub async fn insert(conn: &mut Conn<'_>, token_hash: &str, admin: &AdminId, expires_at: OffsetDateTime, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("INSERT INTO admin_password_resets (token_hash, admin_id, expires_at, created_at) VALUES ($1, $2, $3, $4)")
            .bind(token_hash)
            .bind(admin.as_str())
            .bind(ms(expires_at))
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// A stored link: whose it is, when it expires and whether it was used.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ResetLink {
    pub admin_id: AdminId,
    pub expires_at: OffsetDateTime,
    pub used: bool,
}

pub async fn find(conn: &mut Conn<'_>, token_hash: &str) -> DbResult<Option<ResetLink>> {
    let r: Option<(String, i64, Option<i64>)> = on!(conn, c => sqlx::query_as("SELECT admin_id, expires_at, used_at FROM admin_password_resets WHERE token_hash = $1")
        .bind(token_hash)
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(|(a, e, u)| ResetLink { admin_id: AdminId::from_trusted(a), expires_at: at(e), used: u.is_some() }))
}

/// Uses a link once: true when it was unused and unexpired (then it is spent).
pub async fn consume(conn: &mut Conn<'_>, token_hash: &str, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE admin_password_resets SET used_at = $2 WHERE token_hash = $1 AND used_at IS NULL AND expires_at > $2")
        .bind(token_hash)
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Spends every open link of an admin (after a reset, older links stop working).
pub async fn spend_all(conn: &mut Conn<'_>, admin: &AdminId, now: OffsetDateTime) -> DbResult<u64> {
    Ok(on!(conn, c => sqlx::query("UPDATE admin_password_resets SET used_at = $2 WHERE admin_id = $1 AND used_at IS NULL")
        .bind(admin.as_str())
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected()))
}
