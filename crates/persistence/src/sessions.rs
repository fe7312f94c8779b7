//! Refresh tokens of admin and member sessions, stored hashed.

use time::OffsetDateTime;
use tollgate_domain::ids::AppId;

use crate::{Conn, DbResult, ms, on};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SubjectKind {
    Admin,
    Member,
}

impl SubjectKind {
    fn as_str(self) -> &'static str {
        match self {
            SubjectKind::Admin => "admin",
            SubjectKind::Member => "member",
        }
    }
}

pub struct NewSession<'a> {
    pub app_id: &'a AppId,
    pub token_hash: &'a str,
    pub kind: SubjectKind,
    pub subject_id: &'a str,
    pub expires_at: OffsetDateTime,
    pub now: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn<'_>, s: &NewSession<'_>) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO sessions (app_id, token_hash, subject_kind, subject_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6)",
        )
        .bind(s.app_id.as_str())
        .bind(s.token_hash)
        .bind(s.kind.as_str())
        .bind(s.subject_id)
        .bind(ms(s.expires_at))
        .bind(ms(s.now))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Marks a live session used up and returns its subject id; `None` when the
/// token is unknown, expired, already used or of another kind. Single use:
/// of two concurrent calls with the same token only one gets `Some`.
pub async fn consume(conn: &mut Conn<'_>, app: &AppId, token_hash: &str, kind: SubjectKind, now: OffsetDateTime) -> DbResult<Option<String>> {
    let r: Option<(String,)> = on!(conn, c => sqlx::query_as(
        "UPDATE sessions SET revoked_at = $4 WHERE app_id = $1 AND token_hash = $2 AND subject_kind = $3 \
         AND revoked_at IS NULL AND expires_at > $4 RETURNING subject_id",
    )
    .bind(app.as_str())
    .bind(token_hash)
    .bind(kind.as_str())
    .bind(ms(now))
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(|(s,)| s))
}

pub async fn revoke(conn: &mut Conn<'_>, app: &AppId, token_hash: &str, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("UPDATE sessions SET revoked_at = $3 WHERE app_id = $1 AND token_hash = $2 AND revoked_at IS NULL")
            .bind(app.as_str())
            .bind(token_hash)
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Ends every live session of one subject in `app` (an admin removed from its team).
pub async fn revoke_subject(conn: &mut Conn<'_>, app: &AppId, kind: SubjectKind, subject_id: &str, now: OffsetDateTime) -> DbResult<u64> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE sessions SET revoked_at = $4 WHERE app_id = $1 AND subject_kind = $2 AND subject_id = $3 AND revoked_at IS NULL",
    )
    .bind(app.as_str())
    .bind(kind.as_str())
    .bind(subject_id)
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n)
}
