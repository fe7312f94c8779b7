//! The app (tenant) of the credential and its settings.

pub mod dto;

use actix_web::{get, patch, web};
use tollgate_app::Services;
use tollgate_app::usecases::apps::AppPatch;
use tollgate_domain::auth::{Family, Scope};

pub use self::dto::*;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, ValidJson};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_app).service(update_app);
}

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
