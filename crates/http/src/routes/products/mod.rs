//! Products and their content pages; the Markdown preview of the admin
//! editors (the renderer of the member area, the public sales page and
//! emails); products that cannot be sold yet.

pub mod dto;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use tollgate_app::Services;
use tollgate_app::usecases::products::PageInput;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{PageId, ProductId};
use tollgate_domain::product::ProductInput;

pub use self::dto::*;
use crate::dto::{ListResponse, ProductResponse};
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};
use crate::routes::{cursor, limit};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_products)
        // Before /products/{id}, which would take "sale-problems" for an id.
        .service(sale_problems)
        .service(create_product)
        .service(get_product)
        .service(update_product)
        .service(delete_product)
        .service(archive_product)
        .service(unarchive_product)
        .service(list_pages)
        .service(create_page)
        .service(update_page)
        .service(delete_page)
        .service(markdown_preview);
}

/// Lists products, newest first.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(ProductListQuery), responses((status = 200, body = ListResponse<ProductResponse>), (status = 422, body = Problem)))]
#[get("/products")]
pub async fn list_products(s: web::Data<Services>, auth: Auth, q: ValidQuery<ProductListQuery>) -> ApiResult<web::Json<ListResponse<ProductResponse>>> {
    auth.0.require(Scope::read(Family::Products))?;
    let q = q.0;
    let after = cursor(q.cursor.as_deref())?.map(ProductId::from_trusted);
    let page = s.list_products(auth.0.app_id(), q.include_archived.unwrap_or(false), after.as_ref(), limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

/// Creates a product. Accepts an `Idempotency-Key` header.
#[utoipa::path(tag = "products", security(("bearer" = [])), request_body = CreateProductRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a create safely: the same key and body give the same answer")),
    responses((status = 201, body = ProductResponse), (status = 422, body = Problem)))]
#[post("/products")]
pub async fn create_product(s: web::Data<Services>, auth: Auth, body: ValidJson<CreateProductRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Products))?;
    let b = body.0;
    let input = ProductInput {
        name: Some(b.name),
        description: b.description,
        image_url: Some(b.image_url),
        purchase_method: b.purchase_method,
        external_url: Some(b.external_url),
        show_locked_card: b.show_locked_card,
    };
    let p = s.create_product(auth.0.app_id(), input).await?;
    Ok(HttpResponse::Created().json(ProductResponse::from(p)))
}

#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = ProductResponse), (status = 404, body = Problem)))]
#[get("/products/{id}")]
pub async fn get_product(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<ProductResponse>> {
    auth.0.require(Scope::read(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    Ok(web::Json(s.get_product(auth.0.app_id(), &id).await?.into()))
}

/// Updates a product; send only the fields to change.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateProductRequest,
    responses((status = 200, body = ProductResponse), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[patch("/products/{id}")]
pub async fn update_product(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<UpdateProductRequest>) -> ApiResult<web::Json<ProductResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    let b = body.0;
    let input = ProductInput {
        name: b.name,
        description: b.description,
        image_url: b.image_url,
        purchase_method: b.purchase_method,
        external_url: b.external_url,
        show_locked_card: b.show_locked_card,
    };
    Ok(web::Json(s.update_product(auth.0.app_id(), &id, input).await?.into()))
}

/// Deletes a product that was never used (no grants, purchases, link, media or sales page); otherwise 409: archive it.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem, description = "product_in_use")))]
#[delete("/products/{id}")]
pub async fn delete_product(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    s.delete_product(auth.0.app_id(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Archives a product: hidden from the library and from sale; grants are kept.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = ProductResponse), (status = 404, body = Problem)))]
#[post("/products/{id}/archive")]
pub async fn archive_product(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<ProductResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    Ok(web::Json(s.set_product_archived(auth.0.app_id(), &id, true).await?.into()))
}

#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = ProductResponse), (status = 404, body = Problem)))]
#[post("/products/{id}/unarchive")]
pub async fn unarchive_product(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<ProductResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    Ok(web::Json(s.set_product_archived(auth.0.app_id(), &id, false).await?.into()))
}

/// A product's content pages in reading order.
#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = PageListResponse), (status = 404, body = Problem)))]
#[get("/products/{id}/pages")]
pub async fn list_pages(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<PageListResponse>> {
    auth.0.require(Scope::read(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    let pages = s.list_pages(auth.0.app_id(), &id).await?;
    Ok(web::Json(PageListResponse { data: pages.into_iter().map(Into::into).collect() }))
}

#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = String, Path)), request_body = CreatePageRequest,
    responses((status = 201, body = PageResponse), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[post("/products/{id}/pages")]
pub async fn create_page(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<CreatePageRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    let b = body.0;
    let page = s.create_page(auth.0.app_id(), &id, PageInput { title: Some(b.title), body: b.body, position: b.position }).await?;
    Ok(HttpResponse::Created().json(PageResponse::from(page)))
}

#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = String, Path), ("page_id" = String, Path)), request_body = UpdatePageRequest,
    responses((status = 200, body = PageResponse), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[patch("/products/{id}/pages/{page_id}")]
pub async fn update_page(s: web::Data<Services>, auth: Auth, path: web::Path<(String, String)>, body: ValidJson<UpdatePageRequest>) -> ApiResult<web::Json<PageResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&path.0, "product", ProductId::parse)?;
    let page_id = path_id(&path.1, "page", PageId::parse)?;
    let b = body.0;
    let page = s.update_page(auth.0.app_id(), &id, &page_id, PageInput { title: b.title, body: b.body, position: b.position }).await?;
    Ok(web::Json(page.into()))
}

#[utoipa::path(tag = "products", security(("bearer" = [])), params(("id" = String, Path), ("page_id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
#[delete("/products/{id}/pages/{page_id}")]
pub async fn delete_page(s: web::Data<Services>, auth: Auth, path: web::Path<(String, String)>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&path.0, "product", ProductId::parse)?;
    let page_id = path_id(&path.1, "page", PageId::parse)?;
    s.delete_page(auth.0.app_id(), &id, &page_id).await?;
    Ok(HttpResponse::NoContent().finish())
}

// ---------- content helpers ----------

/// Renders Markdown the way members will see it.
#[utoipa::path(tag = "products", security(("bearer" = [])), request_body = MarkdownPreviewRequest,
    responses((status = 200, body = MarkdownPreviewResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "validation_failed: `markdown` longer than 200,000 characters")))]
#[post("/markdown/preview")]
pub async fn markdown_preview(auth: Auth, body: ValidJson<MarkdownPreviewRequest>) -> ApiResult<web::Json<MarkdownPreviewResponse>> {
    auth.0.require(Scope::read(Family::Products))?;
    Ok(web::Json(MarkdownPreviewResponse { html: tollgate_app::markdown::to_html(&body.0.markdown) }))
}

/// Products whose purchase method cannot sell them yet (no Checkout, no custom order page URL, no sales page).
#[utoipa::path(tag = "products", security(("bearer" = [])), responses((status = 200, body = SaleProblemList), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[get("/products/sale-problems")]
pub async fn sale_problems(s: web::Data<tollgate_app::Services>, auth: Auth) -> ApiResult<web::Json<SaleProblemList>> {
    auth.0.require(Scope::read(Family::Products))?;
    let list = s.sale_problems(auth.0.app_id()).await?;
    Ok(web::Json(SaleProblemList {
        data: list
            .into_iter()
            .map(|(id, why)| SaleProblemResponse {
                product_id: id.into_string(),
                code: serde_json::to_value(why).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                message: why.message().to_owned(),
                blocks_sale: why.blocks_sale(),
            })
            .collect(),
    }))
}
