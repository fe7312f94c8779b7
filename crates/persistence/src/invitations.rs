//! Invitations to join an app's team, with single-use tokens stored hashed.

use std::str::FromStr;

use time::OffsetDateTime;
use tollgate_domain::auth::Role;
use tollgate_domain::email::Email;
use tollgate_domain::ids::{AdminId, AppId, InvitationId};

use crate::{Conn, DbError, DbResult, at, ms, on, opt_at};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Invitation {
    pub id: InvitationId,
    pub app_id: AppId,
    pub email: Email,
    pub role: Role,
    pub invited_by: AdminId,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
    pub accepted_at: Option<OffsetDateTime>,
    pub accepted_by: Option<AdminId>,
    pub revoked_at: Option<OffsetDateTime>,
}

/// An open invitation with who sent it, for the team page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvitation {
    pub invitation: Invitation,
    pub invited_by_email: String,
    pub invited_by_name: String,
}

#[derive(sqlx::FromRow)]
struct Row {
    app_id: String,
    id: String,
    email: String,
    role: String,
    invited_by: String,
    expires_at: i64,
    created_at: i64,
    accepted_at: Option<i64>,
    accepted_by: Option<String>,
    revoked_at: Option<i64>,
}

impl TryFrom<Row> for Invitation {
    type Error = DbError;
    fn try_from(r: Row) -> DbResult<Self> {
        Ok(Invitation {
            id: InvitationId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            email: Email::from_trusted(r.email),
            role: Role::from_str(&r.role).map_err(|_| DbError::corrupt(format!("role {}", r.role)))?,
            invited_by: AdminId::from_trusted(r.invited_by),
            expires_at: at(r.expires_at),
            created_at: at(r.created_at),
            accepted_at: opt_at(r.accepted_at),
            accepted_by: r.accepted_by.map(AdminId::from_trusted),
            revoked_at: opt_at(r.revoked_at),
        })
    }
}

macro_rules! cols {
    () => {
        "i.app_id, i.id, i.email, i.role, i.invited_by, i.expires_at, i.created_at, i.accepted_at, i.accepted_by, i.revoked_at"
    };
}

/// Stores a new invitation; `DbError::UniqueViolation` when the email already has an open one.
pub async fn insert(conn: &mut Conn<'_>, inv: &Invitation, token_hash: &str) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO admin_invitations (app_id, id, email, role, token_hash, invited_by, expires_at, created_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
        )
        .bind(inv.app_id.as_str())
        .bind(inv.id.as_str())
        .bind(inv.email.as_str())
        .bind(inv.role.as_str())
        .bind(token_hash)
        .bind(inv.invited_by.as_str())
        .bind(ms(inv.expires_at))
        .bind(ms(inv.created_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Invitations neither accepted nor revoked (expired ones included), oldest first.
pub async fn list_open(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Vec<OpenInvitation>> {
    #[derive(sqlx::FromRow)]
    struct OpenRow {
        #[sqlx(flatten)]
        row: Row,
        by_email: Option<String>,
        by_name: Option<String>,
    }
    let rows: Vec<OpenRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", cols!(), ", a.email AS by_email, a.name AS by_name FROM admin_invitations i LEFT JOIN admins a ON a.id = i.invited_by \
         WHERE i.app_id = $1 AND i.accepted_at IS NULL AND i.revoked_at IS NULL ORDER BY i.id"
    ))
    .bind(app.as_str())
    .fetch_all(&mut **c)
    .await?);
    rows.into_iter()
        .map(|r| {
            Ok(OpenInvitation {
                invitation: r.row.try_into()?,
                invited_by_email: r.by_email.unwrap_or_default(),
                invited_by_name: r.by_name.unwrap_or_default(),
            })
        })
        .collect()
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &InvitationId) -> DbResult<Option<Invitation>> {
    let r: Option<Row> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM admin_invitations i WHERE i.app_id = $1 AND i.id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    r.map(TryInto::try_into).transpose()
}

/// The invitation a link's token belongs to, whatever its state.
pub async fn find_by_token(conn: &mut Conn<'_>, app: &AppId, token_hash: &str) -> DbResult<Option<Invitation>> {
    let r: Option<Row> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM admin_invitations i WHERE i.app_id = $1 AND i.token_hash = $2"))
        .bind(app.as_str())
        .bind(token_hash)
        .fetch_optional(&mut **c)
        .await?);
    r.map(TryInto::try_into).transpose()
}

/// Revokes the open invitation of `email`, if any (before re-inviting).
pub async fn revoke_open_for_email(conn: &mut Conn<'_>, app: &AppId, email: &Email, now: OffsetDateTime) -> DbResult<u64> {
    let n = on!(conn, c => sqlx::query("UPDATE admin_invitations SET revoked_at = $3 WHERE app_id = $1 AND email = $2 AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(app.as_str())
        .bind(email.as_str())
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n)
}

/// Revokes an open invitation; false when it is not open in this app.
pub async fn revoke(conn: &mut Conn<'_>, app: &AppId, id: &InvitationId, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE admin_invitations SET revoked_at = $3 WHERE app_id = $1 AND id = $2 AND accepted_at IS NULL AND revoked_at IS NULL")
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Uses an invitation once: true when it was open and unexpired. Of two
/// concurrent calls only one gets true.
pub async fn mark_accepted(conn: &mut Conn<'_>, app: &AppId, id: &InvitationId, by: &AdminId, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE admin_invitations SET accepted_at = $4, accepted_by = $3 WHERE app_id = $1 AND id = $2 \
         AND accepted_at IS NULL AND revoked_at IS NULL AND expires_at > $4",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(by.as_str())
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}
