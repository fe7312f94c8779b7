//! Access grants.

use time::OffsetDateTime;
use tollgate_domain::access::{AccessGrant, AccessSource};
use tollgate_domain::ids::{AppId, GrantId, ProductId, UserId};
use tollgate_domain::page::{Limit, Page};

use crate::{Conn, DbError, DbResult, at, ms, on, opt_at};

#[derive(sqlx::FromRow)]
struct GrantRow {
    app_id: String,
    id: String,
    user_id: String,
    product_id: String,
    source: String,
    source_ref: Option<String>,
    reason: Option<String>,
    granted_at: i64,
    ends_at: Option<i64>,
    revoked_at: Option<i64>,
    revoke_reason: Option<String>,
}

impl TryFrom<GrantRow> for AccessGrant {
    type Error = DbError;
    fn try_from(r: GrantRow) -> Result<Self, DbError> {
        Ok(AccessGrant {
            id: GrantId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            user_id: UserId::from_trusted(r.user_id),
            product_id: ProductId::from_trusted(r.product_id),
            source: r.source.parse::<AccessSource>().map_err(|_| DbError::corrupt(format!("source {}", r.source)))?,
            source_ref: r.source_ref,
            reason: r.reason,
            granted_at: at(r.granted_at),
            ends_at: opt_at(r.ends_at),
            revoked_at: opt_at(r.revoked_at),
            revoke_reason: r.revoke_reason,
        })
    }
}

macro_rules! cols {
    () => {
        "app_id, id, user_id, product_id, source, source_ref, reason, granted_at, ends_at, revoked_at, revoke_reason"
    };
}

fn convert(rows: Vec<GrantRow>) -> DbResult<Vec<AccessGrant>> {
    rows.into_iter().map(AccessGrant::try_from).collect()
}

/// Inserts a grant; `DbError::UniqueViolation` when an open grant with the
/// same member, product, source and source reference exists.
pub async fn insert(conn: &mut Conn<'_>, g: &AccessGrant, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(concat!("INSERT INTO access_grants (", cols!(), ", created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $12)"))
            .bind(g.app_id.as_str())
            .bind(g.id.as_str())
            .bind(g.user_id.as_str())
            .bind(g.product_id.as_str())
            .bind(g.source.as_str())
            .bind(&g.source_ref)
            .bind(&g.reason)
            .bind(ms(g.granted_at))
            .bind(g.ends_at.map(ms))
            .bind(g.revoked_at.map(ms))
            .bind(&g.revoke_reason)
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &GrantId) -> DbResult<Option<AccessGrant>> {
    let r: Option<GrantRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM access_grants WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    r.map(AccessGrant::try_from).transpose()
}

/// Every unrevoked grant of one member for one product (active or not yet ended).
pub async fn open_for(conn: &mut Conn<'_>, app: &AppId, user: &UserId, product: &ProductId) -> DbResult<Vec<AccessGrant>> {
    let rows: Vec<GrantRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", cols!(), " FROM access_grants WHERE app_id = $1 AND user_id = $2 AND product_id = $3 AND revoked_at IS NULL"
    ))
    .bind(app.as_str())
    .bind(user.as_str())
    .bind(product.as_str())
    .fetch_all(&mut **c)
    .await?);
    convert(rows)
}

/// Unrevoked grants that came from one outside object (a subscription, a charge).
pub async fn open_by_source(conn: &mut Conn<'_>, app: &AppId, source: AccessSource, source_ref: &str) -> DbResult<Vec<AccessGrant>> {
    let rows: Vec<GrantRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", cols!(), " FROM access_grants WHERE app_id = $1 AND source = $2 AND source_ref = $3 AND revoked_at IS NULL"
    ))
    .bind(app.as_str())
    .bind(source.as_str())
    .bind(source_ref)
    .fetch_all(&mut **c)
    .await?);
    convert(rows)
}

/// A member's grants, newest first, optionally for one product.
pub async fn list_for_user(
    conn: &mut Conn<'_>,
    app: &AppId,
    user: &UserId,
    product: Option<&ProductId>,
    after: Option<&GrantId>,
    limit: Limit,
) -> DbResult<Page<AccessGrant>> {
    let rows: Vec<GrantRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!("SELECT ", cols!(), " FROM access_grants WHERE app_id = "));
        qb.push_bind(app.as_str()).push(" AND user_id = ").push_bind(user.as_str());
        if let Some(p) = product {
            qb.push(" AND product_id = ").push_bind(p.as_str());
        }
        if let Some(a) = after {
            qb.push(" AND id < ").push_bind(a.as_str());
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(Page::from_probe(convert(rows)?, limit, |g| g.id.to_string()))
}

/// Every unrevoked grant of a member (for the library view and access checks).
pub async fn open_for_user(conn: &mut Conn<'_>, app: &AppId, user: &UserId) -> DbResult<Vec<AccessGrant>> {
    let rows: Vec<GrantRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", cols!(), " FROM access_grants WHERE app_id = $1 AND user_id = $2 AND revoked_at IS NULL LIMIT 10000"
    ))
    .bind(app.as_str())
    .bind(user.as_str())
    .fetch_all(&mut **c)
    .await?);
    convert(rows)
}

/// Revokes an open grant; false when it was already revoked.
pub async fn revoke(conn: &mut Conn<'_>, app: &AppId, id: &GrantId, reason: Option<&str>, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE access_grants SET revoked_at = $3, revoke_reason = $4, updated_at = $3 WHERE app_id = $1 AND id = $2 AND revoked_at IS NULL",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(ms(now))
    .bind(reason)
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Moves an open grant's end (e.g. a subscription canceled at period end).
pub async fn set_ends_at(conn: &mut Conn<'_>, app: &AppId, id: &GrantId, ends_at: Option<OffsetDateTime>, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE access_grants SET ends_at = $3, updated_at = $4 WHERE app_id = $1 AND id = $2 AND revoked_at IS NULL")
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(ends_at.map(ms))
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Open grants whose end has passed (to revoke and record the removal).
pub async fn ended_open(conn: &mut Conn<'_>, app: &AppId, now: OffsetDateTime, limit: i64) -> DbResult<Vec<AccessGrant>> {
    let rows: Vec<GrantRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", cols!(), " FROM access_grants WHERE app_id = $1 AND revoked_at IS NULL AND ends_at <= $2 ORDER BY ends_at LIMIT $3"
    ))
    .bind(app.as_str())
    .bind(ms(now))
    .bind(limit)
    .fetch_all(&mut **c)
    .await?);
    convert(rows)
}

/// A grant with its member's email, for the grants export.
#[derive(Debug, Clone)]
pub struct GrantExportRow {
    pub grant: AccessGrant,
    pub email: String,
}

/// Grants of the app, newest id first, keyset-paginated on the id;
/// optionally of one product, one source, and only those still open.
pub async fn list_for_export(
    conn: &mut Conn<'_>,
    app: &AppId,
    product: Option<&ProductId>,
    source: Option<AccessSource>,
    open_only: bool,
    after: Option<&GrantId>,
    limit: Limit,
) -> DbResult<Page<GrantExportRow>> {
    #[derive(sqlx::FromRow)]
    struct Row {
        #[sqlx(flatten)]
        g: GrantRow,
        email: String,
    }
    let rows: Vec<Row> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT g.app_id, g.id, g.user_id, g.product_id, g.source, g.source_ref, g.reason, g.granted_at, g.ends_at, g.revoked_at, g.revoke_reason, u.email \
             FROM access_grants g JOIN users u ON u.app_id = g.app_id AND u.id = g.user_id WHERE g.app_id = ",
        );
        qb.push_bind(app.as_str());
        if let Some(p) = product {
            qb.push(" AND g.product_id = ").push_bind(p.as_str());
        }
        if let Some(s) = source {
            qb.push(" AND g.source = ").push_bind(s.as_str());
        }
        if open_only {
            qb.push(" AND g.revoked_at IS NULL");
        }
        if let Some(a) = after {
            qb.push(" AND g.id < ").push_bind(a.as_str());
        }
        qb.push(" ORDER BY g.id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows.into_iter().map(|r| Ok(GrantExportRow { grant: AccessGrant::try_from(r.g)?, email: r.email })).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(items, limit, |r| r.grant.id.to_string()))
}
