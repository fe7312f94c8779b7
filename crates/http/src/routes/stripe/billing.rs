//! Members' Stripe subscriptions and purchases; the app's revenue figures.

use actix_web::{get, web};
use tollgate_app::Services;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::UserId;

use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, ValidQuery, path_id};

use super::dto::*;

/// A member's Stripe subscriptions with status, renewal date and MRR.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = SubscriptionList), (status = 404, body = Problem)))]
#[get("/users/{id}/subscriptions")]
pub async fn user_subscriptions(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<SubscriptionList>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let subs = s.member_subscriptions(auth.0.app_id(), &id).await?;
    Ok(web::Json(SubscriptionList { data: subs.into_iter().map(Into::into).collect() }))
}

/// A member's one-off purchases (the Purchases tab).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = PurchaseList), (status = 404, body = Problem)))]
#[get("/users/{id}/purchases")]
pub async fn user_purchases(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<PurchaseList>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let list = s.member_purchases(auth.0.app_id(), &id).await?;
    Ok(web::Json(PurchaseList { data: list.into_iter().map(Into::into).collect() }))
}

/// Revenue figures of the app.
#[utoipa::path(tag = "app", security(("bearer" = [])), responses((status = 200, body = MetricsResponse)))]
#[get("/app/metrics")]
pub async fn metrics(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<MetricsResponse>> {
    auth.0.require(Scope::read(Family::App))?;
    let (mrr, n, currency) = s.mrr_summary(auth.0.app_id()).await?;
    Ok(web::Json(MetricsResponse { mrr, paying_subscriptions: n, currency }))
}

/// MRR per day, for the dashboard chart. Tollgate records the figure while
/// it runs (each minute); the range spans at most 366 days.
#[utoipa::path(tag = "app", security(("bearer" = [])), params(MrrHistoryQuery), responses((status = 200, body = MrrHistoryResponse), (status = 422, body = Problem)))]
#[get("/app/metrics/mrr")]
pub async fn mrr_history(s: web::Data<Services>, auth: Auth, q: ValidQuery<MrrHistoryQuery>) -> ApiResult<web::Json<MrrHistoryResponse>> {
    auth.0.require(Scope::read(Family::App))?;
    let q = q.0;
    let (range, points, currency) = s.mrr_history(auth.0.app_id(), q.from.as_deref(), q.to.as_deref()).await?;
    use tollgate_domain::metrics::format_day;
    Ok(web::Json(MrrHistoryResponse {
        from: format_day(range.from),
        to: format_day(range.to),
        currency,
        data: points.into_iter().map(|p| MrrPoint { day: format_day(p.day), mrr: p.mrr, paying_subscriptions: p.paying_subscriptions }).collect(),
    }))
}
