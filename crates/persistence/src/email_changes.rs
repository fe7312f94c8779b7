//! Pending email changes of members: one per member, confirmed by a
//! single-use token (stored hashed) sent to the new address.

use tollgate_domain::email::Email;
use tollgate_domain::ids::{AppId, UserId};
use tollgate_domain::user::PendingEmailChange;

use crate::{Conn, DbResult, at, ms, on};

#[derive(sqlx::FromRow)]
struct Row {
    app_id: String,
    user_id: String,
    new_email: String,
    expires_at: i64,
    created_at: i64,
}

impl From<Row> for PendingEmailChange {
    fn from(r: Row) -> Self {
        PendingEmailChange {
            app_id: AppId::from_trusted(r.app_id),
            user_id: UserId::from_trusted(r.user_id),
            new_email: Email::from_trusted(r.new_email),
            expires_at: at(r.expires_at),
            created_at: at(r.created_at),
        }
    }
}

macro_rules! cols {
    () => {
        "app_id, user_id, new_email, expires_at, created_at"
    };
}

/// Stores the member's pending change, replacing any earlier one (whose token stops working).
pub async fn replace(conn: &mut Conn<'_>, p: &PendingEmailChange, token_hash: &str) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO email_changes (app_id, user_id, new_email, token_hash, expires_at, created_at) VALUES ($1, $2, $3, $4, $5, $6) \
             ON CONFLICT (app_id, user_id) DO UPDATE SET new_email = excluded.new_email, token_hash = excluded.token_hash, \
             expires_at = excluded.expires_at, created_at = excluded.created_at",
        )
        .bind(p.app_id.as_str())
        .bind(p.user_id.as_str())
        .bind(p.new_email.as_str())
        .bind(token_hash)
        .bind(ms(p.expires_at))
        .bind(ms(p.created_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// The member's pending change, expired or not.
pub async fn find_by_user(conn: &mut Conn<'_>, app: &AppId, user: &UserId) -> DbResult<Option<PendingEmailChange>> {
    let r: Option<Row> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM email_changes WHERE app_id = $1 AND user_id = $2"))
        .bind(app.as_str())
        .bind(user.as_str())
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(Into::into))
}

/// Removes the change a token belongs to and returns it, expired or not
/// (the caller decides). Single use: of two concurrent calls with the same
/// token only one gets `Some`.
pub async fn take_by_token(conn: &mut Conn<'_>, app: &AppId, token_hash: &str) -> DbResult<Option<PendingEmailChange>> {
    let r: Option<Row> = on!(conn, c => sqlx::query_as(concat!("DELETE FROM email_changes WHERE app_id = $1 AND token_hash = $2 RETURNING ", cols!()))
        .bind(app.as_str())
        .bind(token_hash)
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(Into::into))
}

/// Cancels the member's pending change; false when there was none.
pub async fn delete_by_user(conn: &mut Conn<'_>, app: &AppId, user: &UserId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM email_changes WHERE app_id = $1 AND user_id = $2")
        .bind(app.as_str())
        .bind(user.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}
