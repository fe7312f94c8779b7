//! Refresh tokens of admin and member sessions, stored hashed. Rotation
//! chains the sessions of one login into a family (see migration 0011).

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
    /// The family of the session this one replaces; `None` starts a family
    /// (named by this session's token hash).
    pub family_id: Option<&'a str>,
    pub expires_at: OffsetDateTime,
    pub now: OffsetDateTime,
}

/// A session used up by [`consume`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Consumed {
    pub subject_id: String,
    pub family_id: String,
}

pub async fn insert(conn: &mut Conn<'_>, s: &NewSession<'_>) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO sessions (app_id, token_hash, subject_kind, subject_id, family_id, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7)",
        )
        .bind(s.app_id.as_str())
        .bind(s.token_hash)
        .bind(s.kind.as_str())
        .bind(s.subject_id)
        .bind(s.family_id.unwrap_or(s.token_hash))
        .bind(ms(s.expires_at))
        .bind(ms(s.now))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Marks a live session used up and returns its subject and family; `None`
/// when the token is unknown, expired, already used or of another kind.
/// Single use: of two concurrent calls with the same token only one gets `Some`.
pub async fn consume(conn: &mut Conn<'_>, app: &AppId, token_hash: &str, kind: SubjectKind, now: OffsetDateTime) -> DbResult<Option<Consumed>> {
    let r: Option<(String, String)> = on!(conn, c => sqlx::query_as(
        "UPDATE sessions SET revoked_at = $4 WHERE app_id = $1 AND token_hash = $2 AND subject_kind = $3 \
         AND revoked_at IS NULL AND expires_at > $4 RETURNING subject_id, COALESCE(family_id, token_hash)",
    )
    .bind(app.as_str())
    .bind(token_hash)
    .bind(kind.as_str())
    .bind(ms(now))
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(|(subject_id, family_id)| Consumed { subject_id, family_id }))
}

/// A token of `kind` that was used up or revoked before `ended_before`:
/// presenting it again is a replay. Returns its subject and family.
pub async fn find_replayed(conn: &mut Conn<'_>, app: &AppId, token_hash: &str, kind: SubjectKind, ended_before: OffsetDateTime) -> DbResult<Option<Consumed>> {
    let r: Option<(String, String)> = on!(conn, c => sqlx::query_as(
        "SELECT subject_id, COALESCE(family_id, token_hash) FROM sessions WHERE app_id = $1 AND token_hash = $2 AND subject_kind = $3 \
         AND revoked_at IS NOT NULL AND revoked_at < $4",
    )
    .bind(app.as_str())
    .bind(token_hash)
    .bind(kind.as_str())
    .bind(ms(ended_before))
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(|(subject_id, family_id)| Consumed { subject_id, family_id }))
}

/// Ends every live session of a family; returns how many were live.
pub async fn revoke_family(conn: &mut Conn<'_>, app: &AppId, family_id: &str, now: OffsetDateTime) -> DbResult<u64> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE sessions SET revoked_at = $3 WHERE app_id = $1 AND revoked_at IS NULL \
         AND (family_id = $2 OR (family_id IS NULL AND token_hash = $2))",
    )
    .bind(app.as_str())
    .bind(family_id)
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n)
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
