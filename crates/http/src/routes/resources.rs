//! App settings, products and pages, members and their access.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use time::OffsetDateTime;
use tollgate_app::Services;
use tollgate_app::usecases::apps::AppPatch;
use tollgate_app::usecases::products::PageInput;
use tollgate_app::usecases::users::{MemberPatch, NewMemberInput};
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{GrantId, PageId, ProductId, UserId};
use tollgate_domain::page::{Limit, id_cursor};
use tollgate_domain::product::ProductInput;

use crate::dto::*;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};

pub(crate) fn limit(v: Option<i64>) -> ApiResult<Limit> {
    Limit::parse(v).map_err(|p| ApiError::field("limit", p.code, p.message))
}

pub(crate) fn cursor(v: Option<&str>) -> ApiResult<Option<String>> {
    v.map(|c| id_cursor(c).map_err(|p| ApiError::field("cursor", p.code, p.message))).transpose()
}

pub(crate) fn parse_time(field: &str, v: &str) -> ApiResult<OffsetDateTime> {
    OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
        .map_err(|_| ApiError::field(field, "invalid_datetime", "must be an RFC 3339 date-time like 2026-01-31T12:00:00Z"))
}

// ---------- app ----------

/// The app (tenant) of the credential, with its settings.
#[utoipa::path(tag = "app", security(("bearer" = [])), responses((status = 200, body = AppResponse), (status = 401, body = Problem)))]
#[get("/app")]
pub async fn get_app(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<AppResponse>> {
    auth.0.require(Scope::read(Family::App))?;
    Ok(web::Json(s.get_app(auth.0.app_id()).await?.into()))
}

/// Updates app settings; send only the fields to change (`null` clears optional ones).
#[utoipa::path(tag = "app", security(("bearer" = [])), request_body = UpdateAppRequest, responses((status = 200, body = AppResponse), (status = 422, body = Problem)))]
#[patch("/app")]
pub async fn update_app(s: web::Data<Services>, auth: Auth, body: ValidJson<UpdateAppRequest>) -> ApiResult<web::Json<AppResponse>> {
    auth.0.require(Scope::write(Family::App))?;
    let b = body.0;
    let app = s
        .update_app(
            auth.0.app_id(),
            AppPatch {
                name: b.name,
                site_url: b.site_url,
                support_email: b.support_email,
                inactivity_threshold_days: b.inactivity_threshold_days,
                past_due_grace_days: b.past_due_grace_days,
                refund_revokes_access: b.refund_revokes_access,
                logo_url: b.logo_url,
                accent_color: b.accent_color,
                favicon_url: b.favicon_url,
            },
        )
        .await?;
    Ok(web::Json(app.into()))
}

// ---------- products ----------

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

// ---------- members ----------

/// Lists members newest first; `q` searches email (prefix) and name; the
/// other parameters filter (stage, renewal, product access, grant source,
/// MRR range, last login, active or inactive, creation date); `include_total` counts all matches.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(UserListQuery), responses((status = 200, body = ListResponse<UserResponse>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/users")]
pub async fn list_users(s: web::Data<Services>, auth: Auth, q: ValidQuery<UserListQuery>) -> ApiResult<web::Json<ListResponse<UserResponse>>> {
    auth.0.require(Scope::read(Family::Users))?;
    let q = q.0;
    let after = cursor(q.cursor.as_deref())?.map(UserId::from_trusted);
    let filter = q.filter();
    let app = auth.0.app_id();
    let page = s.list_members(app, &filter, after.as_ref(), limit(q.limit)?).await?;
    let mut r = ListResponse::from_page(page, Into::into);
    if q.include_total == Some(true) {
        r.total = Some(s.count_members(app, &filter).await?);
    }
    Ok(web::Json(r))
}

/// Creates a member (records User Created; optionally emails an invitation). Accepts an `Idempotency-Key` header.
#[utoipa::path(tag = "users", security(("bearer" = [])), request_body = CreateUserRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a create safely: the same key and body give the same answer")),
    responses((status = 201, body = UserResponse), (status = 422, body = Problem, description = "validation_failed, e.g. email taken")))]
#[post("/users")]
pub async fn create_user(s: web::Data<Services>, auth: Auth, body: ValidJson<CreateUserRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let b = body.0;
    let u = s
        .create_member(auth.0.app_id(), NewMemberInput { email: b.email, name: b.name, password: b.password, send_invite: b.send_invite.unwrap_or(false) })
        .await?;
    Ok(HttpResponse::Created().json(UserResponse::from(u)))
}

#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = UserResponse), (status = 404, body = Problem)))]
#[get("/users/{id}")]
pub async fn get_user(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<UserResponse>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    Ok(web::Json(s.get_member(auth.0.app_id(), &id).await?.into()))
}

#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateUserRequest,
    responses((status = 200, body = UserResponse), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[patch("/users/{id}")]
pub async fn update_user(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<UpdateUserRequest>) -> ApiResult<web::Json<UserResponse>> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let b = body.0;
    Ok(web::Json(s.update_member(auth.0.app_id(), &id, MemberPatch { email: b.email, name: b.name, password: b.password }).await?.into()))
}

/// A member's access grants, newest first (revoked ones included).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path), GrantListQuery),
    responses((status = 200, body = ListResponse<GrantResponse>), (status = 404, body = Problem)))]
#[get("/users/{id}/access")]
pub async fn list_access(s: web::Data<Services>, auth: Auth, id: web::Path<String>, q: ValidQuery<GrantListQuery>) -> ApiResult<web::Json<ListResponse<GrantResponse>>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let q = q.0;
    let product = q.product_id.as_deref().map(ProductId::parse).transpose().map_err(|p| ApiError::field("product_id", p.code, p.message))?;
    let after = cursor(q.cursor.as_deref())?.map(GrantId::from_trusted);
    let page = s.list_grants(auth.0.app_id(), &id, product.as_ref(), after.as_ref(), limit(q.limit)?).await?;
    let now = s.now();
    Ok(web::Json(ListResponse::from_page(page, |g| GrantResponse::new(g, now))))
}

/// Grants a member access to a product by hand (records Product Access Granted if the member had none).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path),
    ("Idempotency-Key" = Option<String>, Header, description = "Repeat a create safely")), request_body = GrantAccessRequest,
    responses((status = 201, body = GrantResponse), (status = 404, body = Problem), (status = 409, body = Problem, description = "access_already_granted or product_archived"), (status = 422, body = Problem)))]
#[post("/users/{id}/access")]
pub async fn grant_access(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<GrantAccessRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let b = body.0;
    let product = ProductId::parse(&b.product_id).map_err(|p| ApiError::field("product_id", p.code, p.message))?;
    let ends_at = b.ends_at.as_deref().map(|e| parse_time("ends_at", e)).transpose()?;
    let g = s.grant_access(auth.0.app_id(), &id, &product, ends_at, b.reason, b.notify.unwrap_or(true)).await?;
    Ok(HttpResponse::Created().json(GrantResponse::new(g, s.now())))
}

/// Revokes one grant (records Product Access Removed if the member has no other access to the product).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path), ("grant_id" = String, Path)), request_body = RevokeAccessRequest,
    responses((status = 200, body = GrantResponse), (status = 404, body = Problem), (status = 409, body = Problem, description = "already_revoked")))]
#[post("/users/{id}/access/{grant_id}/revoke")]
pub async fn revoke_access(s: web::Data<Services>, auth: Auth, path: web::Path<(String, String)>, body: ValidJson<RevokeAccessRequest>) -> ApiResult<web::Json<GrantResponse>> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&path.0, "user", UserId::parse)?;
    let grant = path_id(&path.1, "grant", GrantId::parse)?;
    let g = s.revoke_access(auth.0.app_id(), &id, &grant, body.0.reason).await?;
    Ok(web::Json(GrantResponse::new(g, s.now())))
}
