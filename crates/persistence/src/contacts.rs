//! Which member each of a connector's contacts is, in one table
//! (`connector_contacts`) keyed by connector kind: Stripe customers and
//! CRM contacts alike.
//!
//! The connectors differ in one rule, kept here and in the table's partial
//! unique index (`WHERE connector <> 'stripe'`): a member may have several
//! Stripe customers, and a customer linked to a member stays theirs; a
//! member has one contact per CRM, and linking another replaces it (a
//! contact linked to another member moves).

use time::OffsetDateTime;
use tollgate_domain::connector::ConnectorKind;
use tollgate_domain::ids::{AppId, UserId};

use crate::{Conn, DbResult, ms, on};

/// Whether a member has at most one contact in this connector (the CRMs).
pub fn one_per_member(kind: ConnectorKind) -> bool {
    kind != ConnectorKind::Stripe
}

/// The member a contact is linked to.
pub async fn member_of(conn: &mut Conn<'_>, app: &AppId, kind: ConnectorKind, contact: &str) -> DbResult<Option<UserId>> {
    let r: Option<(String,)> = on!(conn, c => sqlx::query_as("SELECT user_id FROM connector_contacts WHERE app_id = $1 AND connector = $2 AND contact_id = $3")
        .bind(app.as_str())
        .bind(kind.as_str())
        .bind(contact)
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(|(u,)| UserId::from_trusted(u)))
}

/// A member's contacts in one connector, oldest link first (at most 100).
pub async fn contacts_of(conn: &mut Conn<'_>, app: &AppId, kind: ConnectorKind, user: &UserId) -> DbResult<Vec<String>> {
    let r: Vec<(String,)> = on!(conn, c => sqlx::query_as(
        "SELECT contact_id FROM connector_contacts WHERE app_id = $1 AND connector = $2 AND user_id = $3 ORDER BY created_at, contact_id LIMIT 100")
        .bind(app.as_str())
        .bind(kind.as_str())
        .bind(user.as_str())
        .fetch_all(&mut **c)
        .await?);
    Ok(r.into_iter().map(|(x,)| x).collect())
}

/// A member's contact in a connector with one per member (a CRM).
pub async fn contact_of(conn: &mut Conn<'_>, app: &AppId, kind: ConnectorKind, user: &UserId) -> DbResult<Option<String>> {
    Ok(contacts_of(conn, app, kind, user).await?.into_iter().next())
}

/// Links a contact to a member, by the connector's rule: Stripe adds the
/// customer unless it is linked already (to anyone); a CRM makes it the
/// member's one contact (either side's previous link is replaced).
pub async fn link(conn: &mut Conn<'_>, app: &AppId, kind: ConnectorKind, user: &UserId, contact: &str, now: OffsetDateTime) -> DbResult<()> {
    if !one_per_member(kind) {
        on!(conn, c => {
            sqlx::query(
                "INSERT INTO connector_contacts (app_id, connector, contact_id, user_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
                 ON CONFLICT DO NOTHING",
            )
            .bind(app.as_str()).bind(kind.as_str()).bind(contact).bind(user.as_str()).bind(ms(now))
            .execute(&mut **c)
            .await?;
        });
        return Ok(());
    }
    on!(conn, c => {
        sqlx::query("DELETE FROM connector_contacts WHERE app_id = $1 AND connector = $2 AND contact_id = $3 AND user_id <> $4")
            .bind(app.as_str()).bind(kind.as_str()).bind(contact).bind(user.as_str()).execute(&mut **c).await?;
        sqlx::query(
            "INSERT INTO connector_contacts (app_id, connector, contact_id, user_id, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5) \
             ON CONFLICT (app_id, connector, user_id) WHERE connector <> 'stripe' DO UPDATE SET contact_id = excluded.contact_id, updated_at = excluded.updated_at",
        )
        .bind(app.as_str()).bind(kind.as_str()).bind(contact).bind(user.as_str()).bind(ms(now))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Forgets a contact (deleted in its system); returns how many links went.
pub async fn unlink(conn: &mut Conn<'_>, app: &AppId, kind: ConnectorKind, contact: &str) -> DbResult<u64> {
    let n = on!(conn, c => sqlx::query("DELETE FROM connector_contacts WHERE app_id = $1 AND connector = $2 AND contact_id = $3")
        .bind(app.as_str())
        .bind(kind.as_str())
        .bind(contact)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n)
}

/// Forgets every contact of a connector (another account was connected).
pub async fn forget_all(conn: &mut Conn<'_>, app: &AppId, kind: ConnectorKind) -> DbResult<u64> {
    let n = on!(conn, c => sqlx::query("DELETE FROM connector_contacts WHERE app_id = $1 AND connector = $2")
        .bind(app.as_str())
        .bind(kind.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n)
}

/// How many contacts of a connector are linked to members.
pub async fn count(conn: &mut Conn<'_>, app: &AppId, kind: ConnectorKind) -> DbResult<i64> {
    let (n,): (i64,) = on!(conn, c => sqlx::query_as("SELECT COUNT(*) FROM connector_contacts WHERE app_id = $1 AND connector = $2")
        .bind(app.as_str())
        .bind(kind.as_str())
        .fetch_one(&mut **c)
        .await?);
    Ok(n)
}
