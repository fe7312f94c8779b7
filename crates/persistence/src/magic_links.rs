//! Single-use, expiring member login links, stored hashed.

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, UserId};

use crate::{Conn, DbResult, ms, on};

pub async fn insert(conn: &mut Conn<'_>, app: &AppId, token_hash: &str, user: &UserId, expires_at: OffsetDateTime, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("INSERT INTO magic_links (app_id, token_hash, user_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(app.as_str())
            .bind(token_hash)
            .bind(user.as_str())
            .bind(ms(expires_at))
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Uses a link once: returns the member when the link exists, is unused and unexpired.
pub async fn consume(conn: &mut Conn<'_>, app: &AppId, token_hash: &str, now: OffsetDateTime) -> DbResult<Option<UserId>> {
    let r: Option<(String,)> = on!(conn, c => sqlx::query_as(
        "UPDATE magic_links SET used_at = $3 WHERE app_id = $1 AND token_hash = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id",
    )
    .bind(app.as_str())
    .bind(token_hash)
    .bind(ms(now))
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(|(s,)| UserId::from_trusted(s)))
}
