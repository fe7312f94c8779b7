//! Customer 360: lifecycle stage definitions and totals per stage.

pub mod dto;

use actix_web::{get, put, web};
use tollgate_app::Services;
use tollgate_domain::auth::{Family, Scope};

pub use self::dto::*;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, ValidJson};

/// Registers the routes of this capability.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_stages).service(put_stages).service(stage_totals);
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
