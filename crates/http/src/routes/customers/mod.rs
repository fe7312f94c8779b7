//! Customer 360: lifecycle stage definitions and totals per stage.

pub mod dto;

use actix_web::{get, put, web};
use tollgate_app::Services;
use tollgate_domain::auth::{Family, Scope};

pub use self::dto::*;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery};

/// Registers the routes of this capability.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_stages).service(put_stages).service(stage_totals).service(mrr_movements);
}

/// The app's lifecycle stages (the defaults until edited) and the progress of the recompute after the last edit.
#[utoipa::path(tag = "app", security(("bearer" = [])), responses((status = 200, body = StagesResponse), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[get("/app/stages")]
pub async fn get_stages(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<StagesResponse>> {
    auth.0.require(Scope::read(Family::App))?;
    Ok(web::Json(s.stages(auth.0.app_id()).await?.into()))
}

/// Replaces the app's lifecycle stages; every member's stage is recomputed in the background
/// (members whose stage changes get a `member.stage_changed` activity).
#[utoipa::path(tag = "app", security(("bearer" = [])), request_body = PutStagesRequest, responses(
    (status = 200, body = StagesResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 422, body = Problem, description = "stages (required, too_many), stages[i].name (required, too_long, duplicate), stages[i].statuses[j] (duplicate_status)"),
))]
#[put("/app/stages")]
pub async fn put_stages(s: web::Data<Services>, auth: Auth, body: ValidJson<PutStagesRequest>) -> ApiResult<web::Json<StagesResponse>> {
    auth.0.require(Scope::write(Family::App))?;
    Ok(web::Json(s.set_stages(auth.0.app_id(), body.0.into_raw()).await?.into()))
}

/// Members and MRR per lifecycle stage.
#[utoipa::path(tag = "app", security(("bearer" = [])), responses((status = 200, body = StageTotalsResponse), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[get("/app/metrics/stages")]
pub async fn stage_totals(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<StageTotalsResponse>> {
    auth.0.require(Scope::read(Family::App))?;
    let app = auth.0.app_id();
    let (totals, currency) = s.stage_totals(app).await?;
    Ok(web::Json(StageTotalsResponse {
        currency,
        data: totals.into_iter().map(|t| StageTotalResponse { stage: t.stage, members: t.members, mrr: t.mrr }).collect(),
    }))
}

/// New, expansion, contraction, churned and reactivated MRR over a range of
/// days (a subscription's contribution counts while it is active or past due).
#[utoipa::path(tag = "app", security(("bearer" = [])), params(MovementsQuery), responses(
    (status = 200, body = MovementsResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 422, body = Problem, description = "from (invalid_date, after_to, range_too_long), to (invalid_date, in_future)"),
))]
#[get("/app/metrics/mrr-movements")]
pub async fn mrr_movements(s: web::Data<Services>, auth: Auth, q: ValidQuery<MovementsQuery>) -> ApiResult<web::Json<MovementsResponse>> {
    auth.0.require(Scope::read(Family::App))?;
    let (range, totals) = s.mrr_movements(auth.0.app_id(), q.0.from.as_deref(), q.0.to.as_deref()).await?;
    use tollgate_domain::metrics::format_day;
    Ok(web::Json(MovementsResponse {
        from: format_day(range.from),
        to: format_day(range.to),
        data: totals
            .into_iter()
            .map(|t| MovementTotalsResponse {
                net: t.net(),
                currency: t.currency,
                new: t.new,
                expansion: t.expansion,
                contraction: t.contraction,
                churned: t.churn,
                reactivation: t.reactivation,
                new_subscriptions: t.new_count,
                churned_subscriptions: t.churn_count,
            })
            .collect(),
    }))
}
