//! The Stripe inbox inspector: every event Stripe sent, filtered and a page
//! at a time; one event with its payload and processing tries; processing a
//! failed or ignored event again. (The receiver is `routes::connectors`.)

use actix_web::{get, post, web};
use tollgate_app::Services;
use tollgate_app::webhooks::InboxSearch;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::connector::ConnectorKind;

use super::dto::*;
use crate::dto::ListResponse;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidQuery};
use crate::routes::{limit, parse_time};

pub(crate) const STATUSES: [&str; 4] = ["pending", "processed", "ignored", "failed"];

fn event_id(id: &str) -> ApiResult<&str> {
    if id.is_empty() || id.len() > 255 || id.contains('\0') {
        return Err(ApiError::not_found("event"));
    }
    Ok(id)
}

/// The webhook inbox: every Stripe event received, newest first, filtered by
/// status, type and time, a page at a time.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), params(InboxQuery),
    responses((status = 200, body = ListResponse<InboxEventResponse>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/connectors/stripe/events")]
pub async fn inbox(s: web::Data<Services>, auth: Auth, q: ValidQuery<InboxQuery>) -> ApiResult<web::Json<ListResponse<InboxEventResponse>>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    let q = q.0;
    if let Some(st) = &q.status {
        if !STATUSES.contains(&st.as_str()) {
            return Err(ApiError::field("status", "invalid_choice", "must be one of pending, processed, ignored, failed"));
        }
    }
    let since = q.since.as_deref().map(|v| parse_time("since", v)).transpose()?;
    let until = q.until.as_deref().map(|v| parse_time("until", v)).transpose()?;
    if let (Some(a), Some(b)) = (since, until) {
        if a >= b {
            return Err(ApiError::field("until", "before_since", "must be after since"));
        }
    }
    let filter = InboxSearch { event_type: q.event_type, status: q.status, since, until };
    let page = s.inbox(ConnectorKind::Stripe, auth.0.app_id(), &filter, q.cursor.as_deref(), limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

/// One event: its payload and each try to process it.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), params(("id" = String, Path, description = "The Stripe event id (`evt_…`)")),
    responses((status = 200, body = InboxEventDetailResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/connectors/stripe/events/{id}")]
pub async fn inbox_event(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<InboxEventDetailResponse>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    Ok(web::Json(s.inbox_event(ConnectorKind::Stripe, auth.0.app_id(), event_id(&id)?).await?.into()))
}

/// Processes a failed or ignored event again (e.g. after linking its product):
/// it goes back to pending and the worker applies it as if it had just arrived.
#[utoipa::path(tag = "stripe", security(("bearer" = [])), params(("id" = String, Path, description = "The Stripe event id (`evt_…`)")),
    responses((status = 200, body = InboxEventDetailResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 409, body = Problem, description = "event_not_reprocessable: the event is pending or processed")))]
#[post("/connectors/stripe/events/{id}/process")]
pub async fn reprocess_event(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<InboxEventDetailResponse>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    Ok(web::Json(s.reprocess_inbox_event(ConnectorKind::Stripe, auth.0.app_id(), event_id(&id)?).await?.into()))
}
