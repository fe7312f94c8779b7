//! Stripe products and prices, and the link of a Tollgate product to them.

use actix_web::{HttpResponse, delete, get, put, web};
use tollgate_app::Services;
use tollgate_app::stripe::{LinkInput, LinkStatus, NewStripePrice};
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::ProductId;

use crate::dto::rfc3339;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson, path_id};

use super::dto::*;

/// The connected account's active products with prices, for the product-sync picker.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), responses((status = 200, body = StripeProductList), (status = 409, body = Problem),
        (status = 422, body = Problem, description = "stripe_rejected: Stripe refused the request (its path, status and message are in `stripe`)"),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[get("/connectors/stripe/products")]
pub async fn stripe_products(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<StripeProductList>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    let list = s.stripe_products(auth.0.app_id()).await?;
    Ok(web::Json(StripeProductList {
        data: list
            .into_iter()
            .map(|p| StripeProductResponse {
                id: p.id,
                name: p.name,
                description: p.description,
                active: p.active,
                active_subscriptions: p.active_subscriptions,
                linked_product_id: p.linked_product_id,
                prices: p
                    .prices
                    .into_iter()
                    .map(|x| StripePriceResponse { id: x.id, unit_amount: x.unit_amount, currency: x.currency, interval: x.interval, interval_count: x.interval_count, nickname: x.nickname })
                    .collect(),
            })
            .collect(),
    }))
}

fn link_response(l: LinkStatus) -> StripeLinkResponse {
    StripeLinkResponse {
        product_id: l.link.product_id.into_string(),
        stripe_product_id: l.link.stripe_product_id,
        stripe_product_name: l.link.stripe_product_name,
        created_price_id: l.created_price_id,
        linked_at: rfc3339(l.link.linked_at),
        import: ImportProgress {
            job_id: l.link.import_job_id,
            status: l.import_status.map(|s| s.as_str().to_owned()),
            done: l.import_done,
            total: l.import_total,
            error: l.import_error,
        },
    }
}

/// The product's Stripe link. A product that is not linked is a normal state,
/// answered 204 (no body) rather than an error; 404 means no such product.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = StripeLinkResponse), (status = 204, description = "the product is not linked to Stripe"), (status = 404, body = Problem)))]
#[get("/products/{id}/stripe")]
pub async fn get_link(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::read(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    match s.stripe_link_status(auth.0.app_id(), &id).await {
        Ok(st) => Ok(HttpResponse::Ok().json(link_response(st))),
        Err(tollgate_app::AppError::NotFound("Stripe link")) => Ok(HttpResponse::NoContent().finish()),
        Err(e) => Err(e.into()),
    }
}

/// Links the product to a Stripe product and imports its current
/// subscribers and past buyers in the background (progress in `import`).
#[utoipa::path(tag = "stripe", security(("bearer" = [])), params(("id" = String, Path)), request_body = LinkStripeRequest,
    responses((status = 200, body = StripeLinkResponse), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "active_subscriptions, stripe_product_already_linked or stripe_not_connected"), (status = 422, body = Problem),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[put("/products/{id}/stripe")]
pub async fn put_link(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<LinkStripeRequest>) -> ApiResult<web::Json<StripeLinkResponse>> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    let input = match (body.0.stripe_product_id, body.0.create_with_price) {
        (Some(p), None) => {
            if !p.starts_with("prod_") {
                return Err(ApiError::field("stripe_product_id", "invalid_id", "must be a Stripe product id (prod_…)"));
            }
            LinkInput::Existing { stripe_product_id: p }
        }
        (None, Some(price)) => {
            if let Some(i) = &price.interval {
                if !["day", "week", "month", "year"].contains(&i.as_str()) {
                    return Err(ApiError::field("create_with_price.interval", "invalid_choice", "must be day, week, month or year"));
                }
            }
            if !price.currency.bytes().all(|b| b.is_ascii_alphabetic()) {
                return Err(ApiError::field("create_with_price.currency", "invalid_currency", "must be a three-letter currency code"));
            }
            LinkInput::Create {
                price: NewStripePrice { unit_amount: price.unit_amount, currency: price.currency.to_lowercase(), interval: price.interval, interval_count: price.interval_count },
            }
        }
        _ => return Err(ApiError::field("stripe_product_id", "one_of", "give exactly one of stripe_product_id or create_with_price")),
    };
    Ok(web::Json(link_response(s.stripe_link_product(auth.0.app_id(), &id, input).await?)))
}

/// Removes the link; refused (409) while the Stripe product has active subscriptions.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 404, body = Problem), (status = 409, body = Problem, description = "active_subscriptions"),
        (status = 422, body = Problem, description = "stripe_rejected: Stripe refused the request (its path, status and message are in `stripe`)"),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[delete("/products/{id}/stripe")]
pub async fn delete_link(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Products))?;
    let id = path_id(&id, "product", ProductId::parse)?;
    s.stripe_unlink_product(auth.0.app_id(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}
