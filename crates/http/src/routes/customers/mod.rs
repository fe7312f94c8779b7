//! Customer 360: lifecycle stage definitions and totals per stage.

pub mod dto;

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use tollgate_app::customers::bulk::BulkTarget;
use tollgate_domain::ids::{SegmentId, UserId};
use tollgate_app::Services;
use tollgate_domain::auth::{Family, Scope};

pub use self::dto::*;
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};

/// Registers the routes of this capability.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_stages)
        .service(put_stages)
        .service(stage_totals)
        .service(mrr_movements)
        .service(list_segments)
        .service(create_segment)
        .service(get_segment)
        .service(update_segment)
        .service(delete_segment)
        .service(bulk_members);
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

/// The app's saved segments, by name.
#[utoipa::path(tag = "users", security(("bearer" = [])), responses((status = 200, body = SegmentsResponse), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[get("/segments")]
pub async fn list_segments(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<SegmentsResponse>> {
    auth.0.require(Scope::read(Family::Users))?;
    Ok(web::Json(SegmentsResponse { data: s.list_segments(auth.0.app_id()).await?.into_iter().map(Into::into).collect() }))
}

/// Saves a segment: a name and a members filter (checked like the members list's parameters).
#[utoipa::path(tag = "users", security(("bearer" = [])), request_body = SegmentRequest, responses(
    (status = 201, body = SegmentResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 422, body = Problem, description = "name (required, invalid_name, taken), the filter's fields as the members list names them"),
))]
#[post("/segments")]
pub async fn create_segment(s: web::Data<Services>, auth: Auth, body: ValidJson<SegmentRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let b = body.0;
    let seg = s.save_segment(auth.0.app_id(), None, b.name.as_deref(), Some(b.filter.unwrap_or_default().into())).await?;
    Ok(HttpResponse::Created().json(SegmentResponse::from(seg)))
}

#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = SegmentResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/segments/{id}")]
pub async fn get_segment(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<SegmentResponse>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "segment", SegmentId::parse)?;
    Ok(web::Json(s.get_segment(auth.0.app_id(), &id).await?.into()))
}

/// Renames a segment or replaces its filter.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), request_body = SegmentRequest, responses(
    (status = 200, body = SegmentResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 422, body = Problem),
))]
#[patch("/segments/{id}")]
pub async fn update_segment(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<SegmentRequest>) -> ApiResult<web::Json<SegmentResponse>> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&id, "segment", SegmentId::parse)?;
    let b = body.0;
    Ok(web::Json(s.save_segment(auth.0.app_id(), Some(&id), b.name.as_deref(), b.filter.map(Into::into)).await?.into()))
}

/// Deletes a segment (an automation condition naming it then matches no one).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[delete("/segments/{id}")]
pub async fn delete_segment(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&id, "segment", SegmentId::parse)?;
    s.delete_segment(auth.0.app_id(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Grants or revokes a product, or adds or removes a CRM tag, for every
/// member matching a filter or a segment, or for up to 1000 chosen members.
/// Runs as a job with progress; a retried job converges (members with access
/// are skipped).
#[utoipa::path(tag = "users", security(("bearer" = [])), request_body = BulkRequest, responses(
    (status = 202, body = BulkResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 409, body = Problem, description = "product_archived, crm_not_connected"),
    (status = 422, body = Problem, description = "target (one_of), action.product_id (required, unknown_product), action.days (out_of_range), action.tag (invalid_tag), segment_id (unknown_segment), user_ids (out_of_range, unknown_member), the filter's fields"),
))]
#[post("/users/bulk")]
pub async fn bulk_members(s: web::Data<Services>, auth: Auth, body: ValidJson<BulkRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let b = body.0;
    let target = match (b.filter, b.segment_id, b.user_ids) {
        (Some(f), None, None) => BulkTarget::Filter(f.into()),
        (None, Some(id), None) => BulkTarget::Segment(SegmentId::parse(&id).map_err(|_| tollgate_app::AppError::field("segment_id", "unknown_segment", "not a segment of this app"))?),
        (None, None, Some(ids)) => BulkTarget::Members(
            ids.iter()
                .map(|i| UserId::parse(i).map_err(|_| tollgate_app::AppError::field("user_ids", "unknown_member", format!("{i} is not a member id"))))
                .collect::<Result<_, _>>()?,
        ),
        _ => return Err(tollgate_app::AppError::field("target", "one_of", "give exactly one of filter, segment_id, user_ids").into()),
    };
    let (job, total) = s.start_bulk(auth.0.app_id(), b.action, target).await?;
    Ok(HttpResponse::Accepted().json(BulkResponse { job_id: job.to_string(), total }))
}
