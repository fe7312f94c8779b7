//! Checkout, sales pages, the billing portal, hosted media (admin side),
//! and the public sales page.

pub mod dto;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use tollgate_app::Services;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{AppId, PageId, ProductId, UserId};
use tollgate_domain::selling::{Block, TargetKind, purchase_target};

use crate::dto::rfc3339;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};

pub use self::dto::*;

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_checkout)
        .service(put_checkout)
        .service(get_portal)
        .service(put_portal)
        .service(cancel_subscription)
        .service(get_sales_page)
        .service(put_sales_page)
        .service(sales_page_from)
        .service(public_sales_page)
        .service(upload_media)
        .service(list_media)
        .service(delete_media)
        .service(update_media);
}

/// The product's Checkout settings. A product not linked to Stripe has none:
/// a normal state, answered 204 (no body) rather than an error.
#[utoipa::path(tag = "selling", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = CheckoutResponse), (status = 204, description = "the product is not linked to Stripe"), (status = 404, body = Problem)))]
#[get("/products/{id}/stripe/checkout")]
pub async fn get_checkout(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::read(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    match s.checkout_settings(auth.0.app_id(), &id).await {
        Ok(c) => Ok(HttpResponse::Ok().json(CheckoutResponse::from(c))),
        Err(tollgate_app::AppError::Conflict { code: "not_linked", .. }) => Ok(HttpResponse::NoContent().finish()),
        Err(e) => Err(e.into()),
    }
}

/// Turns Checkout on (with one of the linked product's prices; a Stripe
/// payment link is created and kept in step) or off.
#[utoipa::path(tag = "selling", security(("bearer" = [])), params(("id" = String, Path)), request_body = CheckoutRequest,
    responses((status = 200, body = CheckoutResponse), (status = 409, body = Problem, description = "not_linked or stripe_not_connected"), (status = 422, body = Problem),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[put("/products/{id}/stripe/checkout")]
pub async fn put_checkout(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<CheckoutRequest>) -> ApiResult<web::Json<CheckoutResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    let b = body.0;
    Ok(web::Json(s.set_checkout(auth.0.app_id(), &id, b.enabled, b.price_id.as_deref(), b.trial_period_days).await?.into()))
}

#[utoipa::path(tag = "selling", security(("bearer" = [])), responses((status = 200, body = PortalResponse)))]
#[get("/connectors/stripe/portal")]
pub async fn get_portal(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<PortalResponse>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    Ok(web::Json(s.portal_settings(auth.0.app_id()).await?.into()))
}

/// Customer Portal options; Tollgate keeps one portal configuration in the connected account up to date.
#[utoipa::path(tag = "selling", security(("bearer" = [])), request_body = PortalRequest,
    responses((status = 200, body = PortalResponse), (status = 409, body = Problem), (status = 422, body = Problem),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[put("/connectors/stripe/portal")]
pub async fn put_portal(s: web::Data<Services>, auth: Auth, body: ValidJson<PortalRequest>) -> ApiResult<web::Json<PortalResponse>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let b = body.0;
    Ok(web::Json(s.set_portal(auth.0.app_id(), b.enabled, b.privacy_policy_url, b.terms_of_service_url, b.allow_cancel).await?.into()))
}

/// Cancels a member's subscription in Stripe, now or at period end; access follows at once.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path), ("subscription_id" = String, Path)), request_body = CancelSubscriptionRequest,
    responses((status = 200, body = CanceledSubscription), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "stripe_rejected: Stripe refused the request (its path, status and message are in `stripe`)"),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[post("/users/{id}/subscriptions/{subscription_id}/cancel")]
pub async fn cancel_subscription(
    s: web::Data<Services>,
    auth: Auth,
    path: web::Path<(String, String)>,
    body: ValidJson<CancelSubscriptionRequest>,
) -> ApiResult<web::Json<CanceledSubscription>> {
    auth.0.require(Scope::write(Family::Users))?;
    let user = path_id(&path.0, "user", UserId::parse)?;
    if !path.1.starts_with("sub_") || path.1.len() > 255 {
        return Err(ApiError::not_found("subscription"));
    }
    let r = s.cancel_member_subscription(auth.0.app_id(), &user, &path.1, body.0.at_period_end).await?;
    Ok(web::Json(CanceledSubscription {
        id: r.subscription_id,
        status: r.status.as_str().into(),
        cancel_at_period_end: r.cancel_at_period_end,
        current_period_end: r.current_period_end.map(rfc3339),
    }))
}

/// The product's sales page. No sales page yet is a normal state, answered
/// 204 (no body) rather than an error; 404 means no such product.
#[utoipa::path(tag = "selling", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = SalesPageResponse), (status = 204, description = "the product has no sales page yet"), (status = 404, body = Problem)))]
#[get("/products/{id}/sales-page")]
pub async fn get_sales_page(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::read(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    match s.sales_page(auth.0.app_id(), &id).await {
        Ok(page) => Ok(HttpResponse::Ok().json(SalesPageResponse::from(page))),
        Err(tollgate_app::AppError::NotFound("sales page")) => Ok(HttpResponse::NoContent().finish()),
        Err(e) => Err(e.into()),
    }
}

#[utoipa::path(tag = "selling", security(("bearer" = [])), params(("id" = String, Path)), request_body = SalesPageRequest,
    responses((status = 200, body = SalesPageResponse), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[put("/products/{id}/sales-page")]
pub async fn put_sales_page(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<SalesPageRequest>) -> ApiResult<web::Json<SalesPageResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    let b = body.0;
    Ok(web::Json(s.save_sales_page(auth.0.app_id(), &id, &b.title, b.blocks, &b.cta_label, None).await?.into()))
}

/// Creates the sales page from a template or by duplicating another product's.
#[utoipa::path(tag = "selling", security(("bearer" = [])), params(("id" = String, Path)), request_body = SalesPageFromRequest,
    responses((status = 200, body = SalesPageResponse), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[post("/products/{id}/sales-page/create-from")]
pub async fn sales_page_from(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<SalesPageFromRequest>) -> ApiResult<web::Json<SalesPageResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    let app = auth.0.app_id();
    let page = match (body.0.template, body.0.from_product_id) {
        (Some(t), None) => s.sales_page_from_template(app, &id, &t).await?,
        (None, Some(from)) => {
            let from = ProductId::parse(&from).map_err(|p| ApiError::field("from_product_id", p.code, p.message))?;
            s.duplicate_sales_page(app, &id, &from).await?
        }
        _ => return Err(ApiError::field("template", "one_of", "give exactly one of template or from_product_id")),
    };
    Ok(web::Json(page.into()))
}

/// A product's sales page for visitors (no login).
#[utoipa::path(tag = "selling", params(("app_id" = String, Path), ("id" = String, Path)), responses((status = 200, body = PublicSalesPage), (status = 404, body = Problem)))]
#[get("/public/apps/{app_id}/products/{id}/sales-page")]
pub async fn public_sales_page(s: web::Data<Services>, path: web::Path<(String, String)>) -> ApiResult<web::Json<PublicSalesPage>> {
    let app = path_id(&path.0, "sales page", AppId::parse)?;
    let id = path_id(&path.1, "sales page", ProductId::parse)?;
    let (p, page, checkout) = s.public_sales_page(&app, &id).await?;
    // The sales page's own target is what comes after it: the sale.
    let target = purchase_target(&p.fields, checkout.as_deref(), None).filter(|t| t.kind != TargetKind::SalesPage);
    let site = s.get_app(&app).await?;
    Ok(web::Json(PublicSalesPage {
        site_name: site.name,
        logo_url: site.branding.logo_url,
        accent_color: site.branding.accent_color.map(|c| c.as_str().to_owned()),
        product_id: p.id.into_string(),
        product_name: p.fields.name,
        description: p.fields.description,
        image_url: p.fields.image_url,
        title: page.title,
        blocks: page.blocks.iter().map(public_block).collect(),
        cta_label: page.cta_label,
        cta_url: target.map(|t| t.url),
    }))
}

/// A block as visitors get it: text blocks with their rendered HTML beside the Markdown.
fn public_block(b: &Block) -> serde_json::Value {
    let mut v = serde_json::to_value(b).unwrap_or(serde_json::Value::Null);
    if let (Block::Text { text }, Some(o)) = (b, v.as_object_mut()) {
        o.insert("html".into(), tollgate_app::markdown::to_html(text).into());
    }
    v
}

/// Uploads a file for a product: the raw bytes are the body, with their Content-Type.
#[utoipa::path(tag = "selling", security(("bearer" = [])), params(("id" = String, Path), UploadQuery), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = MediaResponse), (status = 404, body = Problem), (status = 413, body = Problem), (status = 422, body = Problem)))]
#[post("/products/{id}/media")]
pub async fn upload_media(s: web::Data<Services>, auth: Auth, req: HttpRequest, id: web::Path<String>, q: ValidQuery<UploadQuery>, payload: web::Payload) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    // Read up to the media limit (the app-wide body limit is for JSON).
    let too_large = || {
        ApiError::new(
            actix_web::http::StatusCode::PAYLOAD_TOO_LARGE,
            "payload_too_large",
            format!("a media file must be at most {} MiB", tollgate_app::member_area::MAX_MEDIA_BYTES / (1024 * 1024)),
        )
    };
    let body = crate::extract::read_body(crate::extract::declared_length(&req), payload, tollgate_app::member_area::MAX_MEDIA_BYTES, too_large).await?;
    let ct = req.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("application/octet-stream");
    let ct: String = ct.chars().take(100).collect();
    let m = s.upload_media(auth.0.app_id(), &id, &q.0.kind, &q.0.filename, &ct, &body).await?;
    Ok(HttpResponse::Created().json(MediaResponse::from(m)))
}

/// Deletes a hosted file.
#[utoipa::path(tag = "selling", security(("bearer" = [])), params(("id" = String, Path), ("media_id" = String, Path)), responses((status = 204), (status = 404, body = Problem)))]
#[delete("/products/{id}/media/{media_id}")]
pub async fn delete_media(s: web::Data<Services>, auth: Auth, path: web::Path<(String, String)>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&path.0, "product", ProductId::parse)?;
    if !path.1.starts_with("med_") || path.1.len() > 64 {
        return Err(ApiError::not_found("media"));
    }
    s.delete_media(auth.0.app_id(), &id, &path.1).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Renames a hosted file or places it in a lesson, where members play it inline.
#[utoipa::path(tag = "selling", security(("bearer" = [])), params(("id" = String, Path), ("media_id" = String, Path)), request_body = UpdateMediaRequest,
    responses((status = 200, body = MediaResponse), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "validation_failed: `filename` empty, too long or a path; `page_id` not a lesson of this product (unknown_page)")))]
#[patch("/products/{id}/media/{media_id}")]
pub async fn update_media(s: web::Data<Services>, auth: Auth, path: web::Path<(String, String)>, body: ValidJson<UpdateMediaRequest>) -> ApiResult<web::Json<MediaResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&path.0, "product", ProductId::parse)?;
    if !path.1.starts_with("med_") || path.1.len() > 64 {
        return Err(ApiError::not_found("media"));
    }
    let b = body.0;
    let page = match b.page_id {
        Some(Some(p)) => Some(Some(PageId::parse(&p).map_err(|_| ApiError::field("page_id", "unknown_page", "must be a lesson of this product"))?)),
        Some(None) => Some(None),
        None => None,
    };
    Ok(web::Json(s.update_media(auth.0.app_id(), &id, &path.1, b.filename, page).await?.into()))
}

#[utoipa::path(tag = "selling", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = MediaList), (status = 404, body = Problem)))]
#[get("/products/{id}/media")]
pub async fn list_media(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<MediaList>> {
    auth.0.require(Scope::read(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    Ok(web::Json(MediaList { data: s.list_media(auth.0.app_id(), &id).await?.into_iter().map(Into::into).collect() }))
}
