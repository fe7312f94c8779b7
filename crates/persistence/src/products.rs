//! Products and their content pages.

use tollgate_domain::ids::{AppId, PageId, ProductId};
use tollgate_domain::page::{Limit, Page};
use tollgate_domain::product::{ContentPage, Product, ProductFields};

use crate::{Conn, DbError, DbResult, at, ms, on, opt_at};

#[derive(sqlx::FromRow)]
struct ProductRow {
    app_id: String,
    id: String,
    name: String,
    description: String,
    image_url: Option<String>,
    purchase_method: String,
    external_url: Option<String>,
    show_locked_card: bool,
    archived_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<ProductRow> for Product {
    type Error = DbError;
    fn try_from(r: ProductRow) -> Result<Self, DbError> {
        Ok(Product {
            id: ProductId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            fields: ProductFields {
                name: r.name,
                description: r.description,
                image_url: r.image_url,
                purchase_method: r.purchase_method.parse().map_err(|_| DbError::corrupt(format!("purchase_method {}", r.purchase_method)))?,
                external_url: r.external_url,
                show_locked_card: r.show_locked_card,
            },
            archived_at: opt_at(r.archived_at),
            created_at: at(r.created_at),
            updated_at: at(r.updated_at),
        })
    }
}

macro_rules! cols {
    () => {
        "app_id, id, name, description, image_url, purchase_method, external_url, show_locked_card, archived_at, created_at, updated_at"
    };
}

pub async fn insert(conn: &mut Conn<'_>, p: &Product) -> DbResult<()> {
    let f = &p.fields;
    on!(conn, c => {
        sqlx::query(concat!("INSERT INTO products (", cols!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)"))
            .bind(p.app_id.as_str())
            .bind(p.id.as_str())
            .bind(&f.name)
            .bind(&f.description)
            .bind(&f.image_url)
            .bind(f.purchase_method.as_str())
            .bind(&f.external_url)
            .bind(f.show_locked_card)
            .bind(p.archived_at.map(ms))
            .bind(ms(p.created_at))
            .bind(ms(p.updated_at))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Writes the editable fields and the archive state.
pub async fn update(conn: &mut Conn<'_>, p: &Product) -> DbResult<bool> {
    let f = &p.fields;
    let n = on!(conn, c => sqlx::query(
        "UPDATE products SET name = $3, description = $4, image_url = $5, purchase_method = $6, external_url = $7, \
         show_locked_card = $8, archived_at = $9, updated_at = $10 WHERE app_id = $1 AND id = $2",
    )
    .bind(p.app_id.as_str())
    .bind(p.id.as_str())
    .bind(&f.name)
    .bind(&f.description)
    .bind(&f.image_url)
    .bind(f.purchase_method.as_str())
    .bind(&f.external_url)
    .bind(f.show_locked_card)
    .bind(p.archived_at.map(ms))
    .bind(ms(p.updated_at))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &ProductId) -> DbResult<Option<Product>> {
    let r: Option<ProductRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM products WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    r.map(Product::try_from).transpose()
}

/// Lists products newest first; archived ones only when asked.
pub async fn list(conn: &mut Conn<'_>, app: &AppId, include_archived: bool, after: Option<&ProductId>, limit: Limit) -> DbResult<Page<Product>> {
    let rows: Vec<ProductRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!("SELECT ", cols!(), " FROM products WHERE app_id = "));
        qb.push_bind(app.as_str());
        if !include_archived {
            qb.push(" AND archived_at IS NULL");
        }
        if let Some(a) = after {
            qb.push(" AND id < ").push_bind(a.as_str());
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows.into_iter().map(Product::try_from).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(items, limit, |p| p.id.to_string()))
}

#[derive(sqlx::FromRow)]
struct PageRow {
    app_id: String,
    id: String,
    product_id: String,
    title: String,
    body: String,
    position: i64,
    created_at: i64,
    updated_at: i64,
}

impl From<PageRow> for ContentPage {
    fn from(r: PageRow) -> Self {
        ContentPage {
            id: PageId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            product_id: ProductId::from_trusted(r.product_id),
            title: r.title,
            body: r.body,
            position: r.position as i32,
            created_at: at(r.created_at),
            updated_at: at(r.updated_at),
        }
    }
}

macro_rules! page_cols {
    () => {
        "app_id, id, product_id, title, body, position, created_at, updated_at"
    };
}

pub async fn insert_page(conn: &mut Conn<'_>, p: &ContentPage) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(concat!("INSERT INTO product_pages (", page_cols!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8)"))
            .bind(p.app_id.as_str())
            .bind(p.id.as_str())
            .bind(p.product_id.as_str())
            .bind(&p.title)
            .bind(&p.body)
            .bind(p.position as i64)
            .bind(ms(p.created_at))
            .bind(ms(p.updated_at))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

pub async fn update_page(conn: &mut Conn<'_>, p: &ContentPage) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE product_pages SET title = $4, body = $5, position = $6, updated_at = $7 WHERE app_id = $1 AND product_id = $2 AND id = $3",
    )
    .bind(p.app_id.as_str())
    .bind(p.product_id.as_str())
    .bind(p.id.as_str())
    .bind(&p.title)
    .bind(&p.body)
    .bind(p.position as i64)
    .bind(ms(p.updated_at))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

pub async fn delete_page(conn: &mut Conn<'_>, app: &AppId, product: &ProductId, id: &PageId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM product_pages WHERE app_id = $1 AND product_id = $2 AND id = $3")
        .bind(app.as_str())
        .bind(product.as_str())
        .bind(id.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

pub async fn find_page(conn: &mut Conn<'_>, app: &AppId, product: &ProductId, id: &PageId) -> DbResult<Option<ContentPage>> {
    let r: Option<PageRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", page_cols!(), " FROM product_pages WHERE app_id = $1 AND product_id = $2 AND id = $3"
    ))
    .bind(app.as_str())
    .bind(product.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(Into::into))
}

/// A product's pages in reading order (position, then creation).
pub async fn list_pages(conn: &mut Conn<'_>, app: &AppId, product: &ProductId) -> DbResult<Vec<ContentPage>> {
    let rows: Vec<PageRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", page_cols!(), " FROM product_pages WHERE app_id = $1 AND product_id = $2 ORDER BY position, id LIMIT 1000"
    ))
    .bind(app.as_str())
    .bind(product.as_str())
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(Into::into).collect())
}

/// Deletes a product and its pages when nothing else refers to it; false
/// when it is referenced (grants, links, purchases, media, a sales page).
pub async fn delete_if_unused(conn: &mut Conn<'_>, app: &AppId, id: &ProductId) -> DbResult<bool> {
    let (n,): (i64,) = on!(conn, c => sqlx::query_as(
        "SELECT (SELECT COUNT(*) FROM access_grants WHERE app_id = $1 AND product_id = $2) \
              + (SELECT COUNT(*) FROM stripe_product_links WHERE app_id = $1 AND product_id = $2) \
              + (SELECT COUNT(*) FROM stripe_purchases WHERE app_id = $1 AND product_id = $2) \
              + (SELECT COUNT(*) FROM media WHERE app_id = $1 AND product_id = $2) \
              + (SELECT COUNT(*) FROM sales_pages WHERE app_id = $1 AND product_id = $2)",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .fetch_one(&mut **c)
    .await?);
    if n > 0 {
        return Ok(false);
    }
    on!(conn, c => {
        sqlx::query("DELETE FROM page_completions WHERE app_id = $1 AND product_id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?;
        sqlx::query("DELETE FROM product_completions WHERE app_id = $1 AND product_id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?;
        sqlx::query("DELETE FROM product_pages WHERE app_id = $1 AND product_id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?;
        // A CRM tag stays in the CRM; only the mapping to this product goes.
        sqlx::query("DELETE FROM crm_tags WHERE app_id = $1 AND product_id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?;
        sqlx::query("DELETE FROM crm_pushed_tags WHERE app_id = $1 AND product_id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?;
        sqlx::query("DELETE FROM products WHERE app_id = $1 AND id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?;
    });
    Ok(true)
}
