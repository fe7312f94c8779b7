//! CRM connectors: the connection of an app to a CRM, the product ↔ tag
//! mapping and the tags Tollgate applied itself (the contact ↔ member
//! mapping is every connector's: `contacts`).

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, ProductId, UserId};

use crate::{Conn, DbError, DbResult, at, ms, on};

#[derive(Debug, Clone, PartialEq)]
pub struct CrmConnection {
    pub app_id: AppId,
    pub kind: String,
    pub account_id: String,
    pub account_name: String,
    /// `connected` or `disconnected`
    pub status: String,
    /// `api_key` or `oauth`
    pub auth: String,
    pub settings: serde_json::Value,
    /// Encrypted credentials, opaque here.
    pub secrets: Option<String>,
    pub hook_token: String,
    pub hook_ids: Vec<String>,
    pub connected_at: OffsetDateTime,
    pub last_sync_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub last_error_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

type ConnRow = (String, String, String, String, String, String, String, Option<String>, String, String, i64, Option<i64>, Option<String>, Option<i64>, i64);

const SELECT_ONE: &str = "SELECT app_id, kind, account_id, account_name, status, auth, settings, secrets, hook_token, hook_ids, connected_at, last_sync_at, last_error, last_error_at, updated_at \
     FROM crm_connections WHERE app_id = $1 AND kind = $2";

fn from_row(r: ConnRow) -> DbResult<CrmConnection> {
    Ok(CrmConnection {
        app_id: AppId::from_trusted(r.0),
        kind: r.1,
        account_id: r.2,
        account_name: r.3,
        status: r.4,
        auth: r.5,
        settings: serde_json::from_str(&r.6).map_err(DbError::corrupt)?,
        secrets: r.7,
        hook_token: r.8,
        hook_ids: serde_json::from_str(&r.9).map_err(DbError::corrupt)?,
        connected_at: at(r.10),
        last_sync_at: r.11.map(at),
        last_error: r.12,
        last_error_at: r.13.map(at),
        updated_at: at(r.14),
    })
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, kind: &str) -> DbResult<Option<CrmConnection>> {
    let r: Option<ConnRow> = on!(conn, c => sqlx::query_as(SELECT_ONE).bind(app.as_str()).bind(kind).fetch_optional(&mut **c).await?);
    r.map(from_row).transpose()
}

/// The kinds connected in an app (the access path asks this on every grant and removal).
pub async fn connected_kinds(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Vec<String>> {
    let r: Vec<(String,)> = on!(conn, c => sqlx::query_as("SELECT kind FROM crm_connections WHERE app_id = $1 AND status = 'connected' ORDER BY kind")
        .bind(app.as_str())
        .fetch_all(&mut **c)
        .await?);
    Ok(r.into_iter().map(|(k,)| k).collect())
}

/// Every connected (app, kind), for the periodic reconcile.
pub async fn all_connected(conn: &mut Conn<'_>) -> DbResult<Vec<(AppId, String)>> {
    let r: Vec<(String, String)> = on!(conn, c => sqlx::query_as("SELECT app_id, kind FROM crm_connections WHERE status = 'connected' ORDER BY app_id, kind")
        .fetch_all(&mut **c)
        .await?);
    Ok(r.into_iter().map(|(a, k)| (AppId::from_trusted(a), k)).collect())
}

pub async fn upsert(conn: &mut Conn<'_>, x: &CrmConnection) -> DbResult<()> {
    let hook_ids = serde_json::to_string(&x.hook_ids).map_err(DbError::corrupt)?;
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO crm_connections (app_id, kind, account_id, account_name, status, auth, settings, secrets, hook_token, hook_ids, connected_at, last_sync_at, last_error, last_error_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) \
             ON CONFLICT (app_id, kind) DO UPDATE SET account_id = excluded.account_id, account_name = excluded.account_name, status = excluded.status, \
             auth = excluded.auth, settings = excluded.settings, secrets = excluded.secrets, hook_token = excluded.hook_token, hook_ids = excluded.hook_ids, \
             connected_at = excluded.connected_at, last_sync_at = excluded.last_sync_at, last_error = excluded.last_error, last_error_at = excluded.last_error_at, \
             updated_at = excluded.updated_at",
        )
        .bind(x.app_id.as_str())
        .bind(&x.kind)
        .bind(&x.account_id)
        .bind(&x.account_name)
        .bind(&x.status)
        .bind(&x.auth)
        .bind(x.settings.to_string())
        .bind(&x.secrets)
        .bind(&x.hook_token)
        .bind(&hook_ids)
        .bind(ms(x.connected_at))
        .bind(x.last_sync_at.map(ms))
        .bind(&x.last_error)
        .bind(x.last_error_at.map(ms))
        .bind(ms(x.updated_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Replaces the encrypted credentials (a refreshed OAuth token pair).
pub async fn set_secrets(conn: &mut Conn<'_>, app: &AppId, kind: &str, sealed: &str, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => { sqlx::query("UPDATE crm_connections SET secrets = $3, updated_at = $4 WHERE app_id = $1 AND kind = $2")
        .bind(app.as_str()).bind(kind).bind(sealed).bind(ms(now)).execute(&mut **c).await?; });
    Ok(())
}

/// The connection's credentials, locked for update on PostgreSQL (SQLite
/// transactions are serial already): one OAuth refresh at a time.
pub async fn secrets_for_update(conn: &mut Conn<'_>, app: &AppId, kind: &str) -> DbResult<Option<String>> {
    let r: Option<(Option<String>,)> = match conn {
        Conn::Sqlite(c, _) => sqlx::query_as("SELECT secrets FROM crm_connections WHERE app_id = $1 AND kind = $2").bind(app.as_str()).bind(kind).fetch_optional(&mut **c).await?,
        Conn::Pg(c, _) => sqlx::query_as("SELECT secrets FROM crm_connections WHERE app_id = $1 AND kind = $2 FOR UPDATE").bind(app.as_str()).bind(kind).fetch_optional(&mut **c).await?,
    };
    Ok(r.and_then(|(s,)| s))
}

/// Notes a finished reconcile (and clears the last error when `ok`).
pub async fn record_sync(conn: &mut Conn<'_>, app: &AppId, kind: &str, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => { sqlx::query("UPDATE crm_connections SET last_sync_at = $3, last_error = NULL, last_error_at = NULL WHERE app_id = $1 AND kind = $2")
        .bind(app.as_str()).bind(kind).bind(ms(now)).execute(&mut **c).await?; });
    Ok(())
}

pub async fn record_error(conn: &mut Conn<'_>, app: &AppId, kind: &str, message: &str, now: OffsetDateTime) -> DbResult<()> {
    let message: String = message.chars().take(500).collect();
    on!(conn, c => { sqlx::query("UPDATE crm_connections SET last_error = $3, last_error_at = $4 WHERE app_id = $1 AND kind = $2")
        .bind(app.as_str()).bind(kind).bind(&message).bind(ms(now)).execute(&mut **c).await?; });
    Ok(())
}

/// Forgets what belonged to the previous account (a different account connects).
pub async fn forget_account(conn: &mut Conn<'_>, app: &AppId, kind: &str) -> DbResult<()> {
    for sql in [
        "DELETE FROM crm_tags WHERE app_id = $1 AND kind = $2",
        "DELETE FROM connector_contacts WHERE app_id = $1 AND connector = $2",
        "DELETE FROM crm_pushed_tags WHERE app_id = $1 AND kind = $2",
    ] {
        on!(conn, c => { sqlx::query(sql).bind(app.as_str()).bind(kind).execute(&mut **c).await?; });
    }
    Ok(())
}

// ---------- product ↔ tag ----------

#[derive(Debug, Clone, PartialEq)]
pub struct TagLink {
    pub product_id: ProductId,
    pub tag_id: String,
    pub tag_name: String,
    pub picked: bool,
    pub updated_at: OffsetDateTime,
}

type TagRow = (String, String, String, bool, i64);

fn tag_link(r: TagRow) -> TagLink {
    TagLink { product_id: ProductId::from_trusted(r.0), tag_id: r.1, tag_name: r.2, picked: r.3, updated_at: at(r.4) }
}

pub async fn tags(conn: &mut Conn<'_>, app: &AppId, kind: &str) -> DbResult<Vec<TagLink>> {
    let r: Vec<TagRow> = on!(conn, c => sqlx::query_as("SELECT product_id, tag_id, tag_name, picked, updated_at FROM crm_tags WHERE app_id = $1 AND kind = $2 ORDER BY product_id")
        .bind(app.as_str()).bind(kind).fetch_all(&mut **c).await?);
    Ok(r.into_iter().map(tag_link).collect())
}

pub async fn tag_of_product(conn: &mut Conn<'_>, app: &AppId, kind: &str, product: &ProductId) -> DbResult<Option<TagLink>> {
    let r: Option<TagRow> = on!(conn, c => sqlx::query_as("SELECT product_id, tag_id, tag_name, picked, updated_at FROM crm_tags WHERE app_id = $1 AND kind = $2 AND product_id = $3")
        .bind(app.as_str()).bind(kind).bind(product.as_str()).fetch_optional(&mut **c).await?);
    Ok(r.map(tag_link))
}

/// Maps a product to a tag; a tag mapped to another product moves to this one.
pub async fn put_tag(conn: &mut Conn<'_>, app: &AppId, kind: &str, link: &TagLink) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("DELETE FROM crm_tags WHERE app_id = $1 AND kind = $2 AND tag_id = $3 AND product_id <> $4")
            .bind(app.as_str()).bind(kind).bind(&link.tag_id).bind(link.product_id.as_str()).execute(&mut **c).await?;
        sqlx::query(
            "INSERT INTO crm_tags (app_id, kind, product_id, tag_id, tag_name, picked, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (app_id, kind, product_id) DO UPDATE SET tag_id = excluded.tag_id, tag_name = excluded.tag_name, picked = excluded.picked, updated_at = excluded.updated_at",
        )
        .bind(app.as_str()).bind(kind).bind(link.product_id.as_str()).bind(&link.tag_id).bind(&link.tag_name).bind(link.picked).bind(ms(link.updated_at))
        .execute(&mut **c).await?;
    });
    Ok(())
}

// ---------- contact ↔ member: `contacts` (connector `keap` / `activecampaign`) ----------

// ---------- tags Tollgate applied ----------

pub async fn mark_pushed(conn: &mut Conn<'_>, app: &AppId, kind: &str, user: &UserId, product: &ProductId, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => { sqlx::query("INSERT INTO crm_pushed_tags (app_id, kind, user_id, product_id, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
        .bind(app.as_str()).bind(kind).bind(user.as_str()).bind(product.as_str()).bind(ms(now)).execute(&mut **c).await?; });
    Ok(())
}

/// Whether a mark was there.
pub async fn unmark_pushed(conn: &mut Conn<'_>, app: &AppId, kind: &str, user: &UserId, product: &ProductId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM crm_pushed_tags WHERE app_id = $1 AND kind = $2 AND user_id = $3 AND product_id = $4")
        .bind(app.as_str()).bind(kind).bind(user.as_str()).bind(product.as_str()).execute(&mut **c).await?.rows_affected());
    Ok(n > 0)
}

pub async fn is_pushed(conn: &mut Conn<'_>, app: &AppId, kind: &str, user: &UserId, product: &ProductId) -> DbResult<bool> {
    let r: Option<(i32,)> = on!(conn, c => sqlx::query_as("SELECT 1 FROM crm_pushed_tags WHERE app_id = $1 AND kind = $2 AND user_id = $3 AND product_id = $4")
        .bind(app.as_str()).bind(kind).bind(user.as_str()).bind(product.as_str()).fetch_optional(&mut **c).await?);
    Ok(r.is_some())
}

/// Members holding an open grant from this CRM for a product (the reconcile's "had the tag" side).
pub async fn granted_members(conn: &mut Conn<'_>, app: &AppId, source: &str, product: &ProductId) -> DbResult<Vec<UserId>> {
    let r: Vec<(String,)> = on!(conn, c => sqlx::query_as(
        "SELECT DISTINCT user_id FROM access_grants WHERE app_id = $1 AND product_id = $2 AND source = $3 AND revoked_at IS NULL ORDER BY user_id")
        .bind(app.as_str()).bind(product.as_str()).bind(source).fetch_all(&mut **c).await?);
    Ok(r.into_iter().map(|(u,)| UserId::from_trusted(u)).collect())
}

/// Mapped tags, linked contacts and open grants this CRM gave, for the connector card.
pub async fn counts(conn: &mut Conn<'_>, app: &AppId, kind: &str) -> DbResult<(i64, i64, i64)> {
    let r: (i64, i64, i64) = on!(conn, c => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM crm_tags WHERE app_id = $1 AND kind = $2), \
                (SELECT COUNT(*) FROM connector_contacts WHERE app_id = $1 AND connector = $2), \
                (SELECT COUNT(*) FROM access_grants WHERE app_id = $1 AND source = $2 AND revoked_at IS NULL)")
        .bind(app.as_str()).bind(kind).fetch_one(&mut **c).await?);
    Ok(r)
}

pub async fn product_of_tag(conn: &mut Conn<'_>, app: &AppId, kind: &str, tag_id: &str) -> DbResult<Option<ProductId>> {
    let r: Option<(String,)> = on!(conn, c => sqlx::query_as("SELECT product_id FROM crm_tags WHERE app_id = $1 AND kind = $2 AND tag_id = $3")
        .bind(app.as_str()).bind(kind).bind(tag_id).fetch_optional(&mut **c).await?);
    Ok(r.map(|(p,)| ProductId::from_trusted(p)))
}

/// Members with access to the product now from a source other than this CRM,
/// whose tag Tollgate has not applied yet (existing access when a CRM is
/// connected, or a tag removed in the CRM while access stays).
pub async fn members_to_tag(conn: &mut Conn<'_>, app: &AppId, kind: &str, product: &ProductId, now: OffsetDateTime, limit: i64) -> DbResult<Vec<UserId>> {
    let r: Vec<(String,)> = on!(conn, c => sqlx::query_as(
        "SELECT DISTINCT g.user_id FROM access_grants g \
         WHERE g.app_id = $1 AND g.product_id = $2 AND g.revoked_at IS NULL AND (g.ends_at IS NULL OR g.ends_at > $4) AND g.source <> $3 \
           AND NOT EXISTS (SELECT 1 FROM access_grants x WHERE x.app_id = g.app_id AND x.user_id = g.user_id AND x.product_id = g.product_id AND x.source = $3 AND x.revoked_at IS NULL) \
           AND NOT EXISTS (SELECT 1 FROM crm_pushed_tags p WHERE p.app_id = g.app_id AND p.kind = $3 AND p.user_id = g.user_id AND p.product_id = g.product_id) \
         ORDER BY g.user_id LIMIT $5")
        .bind(app.as_str()).bind(product.as_str()).bind(kind).bind(ms(now)).bind(limit).fetch_all(&mut **c).await?);
    Ok(r.into_iter().map(|(u,)| UserId::from_trusted(u)).collect())
}

/// Whether a sync of this CRM is queued or running.
pub async fn sync_pending(conn: &mut Conn<'_>, app: &AppId, kind: &str) -> DbResult<bool> {
    let pattern = format!("%\"kind\":\"{kind}\"%");
    let r: Option<(i32,)> = on!(conn, c => sqlx::query_as(
        "SELECT 1 FROM jobs WHERE app_id = $1 AND kind = 'crm_sync' AND status IN ('queued', 'running') AND payload LIKE $2 LIMIT 1")
        .bind(app.as_str()).bind(&pattern).fetch_optional(&mut **c).await?);
    Ok(r.is_some())
}
