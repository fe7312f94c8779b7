use tollgate_domain::error::ValidationErrors;
use tollgate_domain::ids::{AppId, PageId, ProductId};
use tollgate_domain::page::{Limit, Page};
use tollgate_domain::product::{ContentPage, Product, ProductFields, ProductInput, page_body, page_position, page_title};
use tollgate_persistence::{DbError, products};

use crate::error::{AppError, AppResult};
use crate::services::Services;

/// Input for a new or edited content page.
#[derive(Debug, Clone, Default)]
pub struct PageInput {
    pub title: Option<String>,
    pub body: Option<String>,
    pub position: Option<i64>,
}

impl Services {
    pub async fn create_product(&self, app: &AppId, input: ProductInput) -> AppResult<Product> {
        let fields = ProductFields::parse_new(input)?;
        let now = self.now();
        let p = Product { id: ProductId::new(), app_id: app.clone(), fields, archived_at: None, created_at: now, updated_at: now };
        let mut tx = self.db.begin().await?;
        products::insert(&mut tx.conn(), &p).await?;
        // Each connected CRM makes the product's tag.
        crate::events::crm::on_product_changed_in(&mut tx.conn(), app, &p.id, now).await?;
        tollgate_persistence::audit::set_target_id(&p.id);
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(p)
    }

    pub async fn get_product(&self, app: &AppId, id: &ProductId) -> AppResult<Product> {
        let mut c = self.db.acquire().await?;
        products::find(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("product"))
    }

    pub async fn list_products(&self, app: &AppId, include_archived: bool, after: Option<&ProductId>, limit: Limit) -> AppResult<Page<Product>> {
        let mut c = self.db.acquire().await?;
        Ok(products::list(&mut c.conn(), app, include_archived, after, limit).await?)
    }

    pub async fn update_product(&self, app: &AppId, id: &ProductId, input: ProductInput) -> AppResult<Product> {
        let mut tx = self.db.begin().await?;
        let mut p = products::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("product"))?;
        crate::audit::set_before_of(&crate::wire::ProductResponse::from(p.clone()));
        let renamed_from = p.fields.name.clone();
        p.fields = p.fields.apply(input)?;
        p.updated_at = self.now();
        products::update(&mut tx.conn(), &p).await?;
        // A renamed product's tag is checked in each connected CRM (made again if it was deleted there).
        if p.fields.name != renamed_from {
            crate::events::crm::on_product_changed_in(&mut tx.conn(), app, &p.id, p.updated_at).await?;
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(p)
    }

    /// Archives (hides from the library and from sale) or restores a product. Grants are kept.
    pub async fn set_product_archived(&self, app: &AppId, id: &ProductId, archived: bool) -> AppResult<Product> {
        let mut tx = self.db.begin().await?;
        let mut p = products::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("product"))?;
        let now = self.now();
        p.archived_at = if archived { p.archived_at.or(Some(now)) } else { None };
        p.updated_at = now;
        products::update(&mut tx.conn(), &p).await?;
        tx.commit().await?;
        Ok(p)
    }

    /// Deletes a product nobody has used yet; one with grants, purchases, a
    /// Stripe link, media or a sales page is archived instead (409).
    pub async fn delete_product(&self, app: &AppId, id: &ProductId) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        products::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("product"))?;
        if !products::delete_if_unused(&mut tx.conn(), app, id).await? {
            return Err(AppError::conflict("product_in_use", "this product has access grants, purchases, a Stripe link, media or a sales page; archive it instead"));
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_pages(&self, app: &AppId, product: &ProductId) -> AppResult<Vec<ContentPage>> {
        let mut c = self.db.acquire().await?;
        products::find(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        Ok(products::list_pages(&mut c.conn(), app, product).await?)
    }

    pub async fn create_page(&self, app: &AppId, product: &ProductId, input: PageInput) -> AppResult<ContentPage> {
        let mut e = ValidationErrors::new();
        let title = match &input.title {
            Some(t) => e.check("title", page_title(t)),
            None => {
                e.add("title", "required", "must not be empty");
                None
            }
        };
        let body = e.check("body", page_body(input.body.as_deref().unwrap_or("")));
        let mut tx = self.db.begin().await?;
        let existing = products::list_pages(&mut tx.conn(), app, product).await?;
        let position = match input.position {
            Some(p) => e.check("position", page_position(p)),
            None => Some(existing.iter().map(|p| p.position + 1).max().unwrap_or(0)),
        };
        e.clone().into_result()?;
        let (Some(title), Some(body), Some(position)) = (title, body, position) else { return Err(e.into()) };
        products::find(&mut tx.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        let now = self.now();
        let page = ContentPage { id: PageId::new(), app_id: app.clone(), product_id: product.clone(), title, body, position, created_at: now, updated_at: now };
        products::insert_page(&mut tx.conn(), &page).await?;
        tollgate_persistence::audit::set_target_id(&page.id);
        tx.commit().await?;
        Ok(page)
    }

    pub async fn update_page(&self, app: &AppId, product: &ProductId, id: &PageId, input: PageInput) -> AppResult<ContentPage> {
        let mut tx = self.db.begin().await?;
        let mut page = products::find_page(&mut tx.conn(), app, product, id).await?.ok_or(AppError::NotFound("page"))?;
        let mut e = ValidationErrors::new();
        if let Some(t) = input.title {
            if let Some(v) = e.check("title", page_title(&t)) {
                page.title = v;
            }
        }
        if let Some(b) = input.body {
            if let Some(v) = e.check("body", page_body(&b)) {
                page.body = v;
            }
        }
        if let Some(p) = input.position {
            if let Some(v) = e.check("position", page_position(p)) {
                page.position = v;
            }
        }
        e.into_result()?;
        page.updated_at = self.now();
        products::update_page(&mut tx.conn(), &page).await?;
        tx.commit().await?;
        Ok(page)
    }

    pub async fn delete_page(&self, app: &AppId, product: &ProductId, id: &PageId) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        // Its media stays with the product, shown as general media.
        tollgate_persistence::selling::detach_media_of_page(&mut tx.conn(), app, id).await?;
        match products::delete_page(&mut tx.conn(), app, product, id).await {
            Ok(true) => Ok(tx.commit().await?),
            Ok(false) => Err(AppError::NotFound("page")),
            Err(DbError::ForeignKeyViolation) => Err(AppError::conflict("page_in_use", "the page is referenced elsewhere")),
            Err(e) => Err(e.into()),
        }
    }
}
