//! Checkout settings of linked products, sales pages, member progress and
//! hosted media.

use std::collections::HashMap;

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, PageId, ProductId, UserId};
use tollgate_domain::selling::Block;

use crate::{Conn, DbError, DbResult, at, ms, on};

// ---------- checkout ----------

#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct CheckoutSettings {
    pub enabled: bool,
    pub price_id: Option<String>,
    /// `payment` or `subscription`, from the price.
    pub mode: Option<String>,
    pub trial_period_days: Option<i64>,
    pub payment_link_id: Option<String>,
    pub payment_link_url: Option<String>,
}

pub async fn checkout_for(conn: &mut Conn<'_>, app: &AppId, product: &ProductId) -> DbResult<Option<CheckoutSettings>> {
    type Row = (bool, Option<String>, Option<String>, Option<i64>, Option<String>, Option<String>);
    let r: Option<Row> = on!(conn, c => sqlx::query_as(
        "SELECT checkout_enabled, checkout_price_id, checkout_mode, trial_period_days, payment_link_id, payment_link_url \
         FROM stripe_product_links WHERE app_id = $1 AND product_id = $2",
    )
    .bind(app.as_str())
    .bind(product.as_str())
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(|r| CheckoutSettings { enabled: r.0, price_id: r.1, mode: r.2, trial_period_days: r.3, payment_link_id: r.4, payment_link_url: r.5 }))
}

pub async fn set_checkout(conn: &mut Conn<'_>, app: &AppId, product: &ProductId, s: &CheckoutSettings, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE stripe_product_links SET checkout_enabled = $3, checkout_price_id = $4, checkout_mode = $5, trial_period_days = $6, \
         payment_link_id = $7, payment_link_url = $8, updated_at = $9 WHERE app_id = $1 AND product_id = $2",
    )
    .bind(app.as_str())
    .bind(product.as_str())
    .bind(s.enabled)
    .bind(&s.price_id)
    .bind(&s.mode)
    .bind(s.trial_period_days)
    .bind(&s.payment_link_id)
    .bind(&s.payment_link_url)
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Payment link URLs of products with Checkout on.
pub async fn checkout_urls(conn: &mut Conn<'_>, app: &AppId) -> DbResult<HashMap<ProductId, String>> {
    let rows: Vec<(String, String)> = on!(conn, c => sqlx::query_as(
        "SELECT product_id, payment_link_url FROM stripe_product_links WHERE app_id = $1 AND checkout_enabled = TRUE AND payment_link_url IS NOT NULL LIMIT 10000",
    )
    .bind(app.as_str())
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(|(p, u)| (ProductId::from_trusted(p), u)).collect())
}

// ---------- sales pages ----------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SalesPage {
    pub product_id: ProductId,
    pub title: String,
    pub blocks: Vec<Block>,
    pub cta_label: String,
    pub template: Option<String>,
    pub updated_at: OffsetDateTime,
}

pub async fn sales_page(conn: &mut Conn<'_>, app: &AppId, product: &ProductId) -> DbResult<Option<SalesPage>> {
    type Row = (String, String, String, String, Option<String>, i64);
    let r: Option<Row> = on!(conn, c => sqlx::query_as(
        "SELECT product_id, title, blocks, cta_label, template, updated_at FROM sales_pages WHERE app_id = $1 AND product_id = $2",
    )
    .bind(app.as_str())
    .bind(product.as_str())
    .fetch_optional(&mut **c)
    .await?);
    r.map(|r| {
        Ok(SalesPage {
            product_id: ProductId::from_trusted(r.0),
            title: r.1,
            blocks: serde_json::from_str(&r.2).map_err(DbError::corrupt)?,
            cta_label: r.3,
            template: r.4,
            updated_at: at(r.5),
        })
    })
    .transpose()
}

pub async fn upsert_sales_page(conn: &mut Conn<'_>, app: &AppId, p: &SalesPage) -> DbResult<()> {
    let blocks = serde_json::to_string(&p.blocks).map_err(DbError::corrupt)?;
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO sales_pages (app_id, product_id, title, blocks, cta_label, template, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) \
             ON CONFLICT (app_id, product_id) DO UPDATE SET title = excluded.title, blocks = excluded.blocks, cta_label = excluded.cta_label, \
             template = excluded.template, updated_at = excluded.updated_at",
        )
        .bind(app.as_str())
        .bind(p.product_id.as_str())
        .bind(&p.title)
        .bind(&blocks)
        .bind(&p.cta_label)
        .bind(&p.template)
        .bind(ms(p.updated_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Products that have a sales page.
pub async fn products_with_sales_pages(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Vec<ProductId>> {
    let rows: Vec<(String,)> = on!(conn, c => sqlx::query_as("SELECT product_id FROM sales_pages WHERE app_id = $1 LIMIT 10000")
        .bind(app.as_str())
        .fetch_all(&mut **c)
        .await?);
    Ok(rows.into_iter().map(|(p,)| ProductId::from_trusted(p)).collect())
}

// ---------- progress ----------

/// Marks a page complete; false when it already was.
pub async fn complete_page(conn: &mut Conn<'_>, app: &AppId, user: &UserId, product: &ProductId, page: &PageId, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "INSERT INTO page_completions (app_id, user_id, page_id, product_id, completed_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
    )
    .bind(app.as_str())
    .bind(user.as_str())
    .bind(page.as_str())
    .bind(product.as_str())
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

pub async fn uncomplete_page(conn: &mut Conn<'_>, app: &AppId, user: &UserId, page: &PageId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM page_completions WHERE app_id = $1 AND user_id = $2 AND page_id = $3")
        .bind(app.as_str())
        .bind(user.as_str())
        .bind(page.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Completed page ids of one member in one product (only pages that still exist).
pub async fn completed_pages(conn: &mut Conn<'_>, app: &AppId, user: &UserId, product: &ProductId) -> DbResult<Vec<PageId>> {
    let rows: Vec<(String,)> = on!(conn, c => sqlx::query_as(
        "SELECT pc.page_id FROM page_completions pc JOIN product_pages p ON p.app_id = pc.app_id AND p.id = pc.page_id \
         WHERE pc.app_id = $1 AND pc.user_id = $2 AND pc.product_id = $3",
    )
    .bind(app.as_str())
    .bind(user.as_str())
    .bind(product.as_str())
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(|(p,)| PageId::from_trusted(p)).collect())
}

/// (completed, total) pages per product for one member.
pub async fn progress(conn: &mut Conn<'_>, app: &AppId, user: &UserId) -> DbResult<HashMap<ProductId, (i64, i64)>> {
    let totals: Vec<(String, i64)> = on!(conn, c => sqlx::query_as("SELECT product_id, COUNT(*) FROM product_pages WHERE app_id = $1 GROUP BY product_id")
        .bind(app.as_str())
        .fetch_all(&mut **c)
        .await?);
    let done: Vec<(String, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT pc.product_id, COUNT(*) FROM page_completions pc JOIN product_pages p ON p.app_id = pc.app_id AND p.id = pc.page_id \
         WHERE pc.app_id = $1 AND pc.user_id = $2 GROUP BY pc.product_id",
    )
    .bind(app.as_str())
    .bind(user.as_str())
    .fetch_all(&mut **c)
    .await?);
    let done: HashMap<String, i64> = done.into_iter().collect();
    Ok(totals.into_iter().map(|(p, t)| (ProductId::from_trusted(p.clone()), (done.get(&p).copied().unwrap_or(0), t))).collect())
}

/// Records that a member completed a product; false when it was recorded before.
pub async fn record_product_completion(conn: &mut Conn<'_>, app: &AppId, user: &UserId, product: &ProductId, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "INSERT INTO product_completions (app_id, user_id, product_id, completed_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(app.as_str())
    .bind(user.as_str())
    .bind(product.as_str())
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

// ---------- media ----------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Media {
    pub id: String,
    pub product_id: ProductId,
    /// video | audio | file
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    pub storage_key: String,
    /// The lesson it belongs to; `None`: the product's general media.
    pub page_id: Option<PageId>,
    pub created_at: OffsetDateTime,
}

type MediaRow = (String, String, String, String, String, i64, String, i64, Option<String>);

fn media(r: MediaRow) -> Media {
    Media {
        id: r.0,
        product_id: ProductId::from_trusted(r.1),
        kind: r.2,
        filename: r.3,
        content_type: r.4,
        size: r.5,
        storage_key: r.6,
        created_at: at(r.7),
        page_id: r.8.map(PageId::from_trusted),
    }
}

macro_rules! media_cols {
    () => {
        "id, product_id, kind, filename, content_type, size, storage_key, created_at, page_id"
    };
}

pub async fn insert_media(conn: &mut Conn<'_>, app: &AppId, m: &Media) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO media (app_id, id, product_id, kind, filename, content_type, size, storage_key, created_at, page_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)",
        )
        .bind(app.as_str())
        .bind(&m.id)
        .bind(m.product_id.as_str())
        .bind(&m.kind)
        .bind(&m.filename)
        .bind(&m.content_type)
        .bind(m.size)
        .bind(&m.storage_key)
        .bind(ms(m.created_at))
        .bind(m.page_id.as_ref().map(|p| p.as_str()))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Writes a media item's editable fields: its file name and its lesson.
pub async fn update_media(conn: &mut Conn<'_>, app: &AppId, m: &Media) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE media SET filename = $3, page_id = $4 WHERE app_id = $1 AND id = $2")
        .bind(app.as_str())
        .bind(&m.id)
        .bind(&m.filename)
        .bind(m.page_id.as_ref().map(|p| p.as_str()))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// A deleted lesson's media goes back to the product's general media.
pub async fn detach_media_of_page(conn: &mut Conn<'_>, app: &AppId, page: &PageId) -> DbResult<u64> {
    Ok(on!(conn, c => sqlx::query("UPDATE media SET page_id = NULL WHERE app_id = $1 AND page_id = $2")
        .bind(app.as_str())
        .bind(page.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected()))
}

pub async fn find_media(conn: &mut Conn<'_>, app: &AppId, id: &str) -> DbResult<Option<Media>> {
    let r: Option<MediaRow> = on!(conn, c => sqlx::query_as(
        concat!("SELECT ", media_cols!(), " FROM media WHERE app_id = $1 AND id = $2"),
    )
    .bind(app.as_str())
    .bind(id)
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(media))
}

pub async fn media_of_product(conn: &mut Conn<'_>, app: &AppId, product: &ProductId) -> DbResult<Vec<Media>> {
    let rows: Vec<MediaRow> = on!(conn, c => sqlx::query_as(
        concat!("SELECT ", media_cols!(), " FROM media WHERE app_id = $1 AND product_id = $2 ORDER BY id LIMIT 1000"),
    )
    .bind(app.as_str())
    .bind(product.as_str())
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(media).collect())
}

pub async fn delete_media(conn: &mut Conn<'_>, app: &AppId, product: &ProductId, id: &str) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM media WHERE app_id = $1 AND product_id = $2 AND id = $3")
        .bind(app.as_str())
        .bind(product.as_str())
        .bind(id)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}
