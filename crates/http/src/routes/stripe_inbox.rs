//! The Stripe inbox inspector: every event Stripe sent, filtered and a page
//! at a time; one event with its payload and processing tries; processing a
//! failed or ignored event again. (The receiver is `routes::webhooks`.)

use actix_web::{get, post, web};
use serde::{Deserialize, Serialize};
use tollgate_app::Services;
use tollgate_app::webhooks::InboxEventDetail;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::connector::ConnectorKind;
use tollgate_persistence::inbox::{Attempt, InboxEvent, InboxFilter};
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::{ListResponse, rfc3339};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidQuery};
use crate::routes::resources::{limit, parse_time};

pub(crate) const STATUSES: [&str; 4] = ["pending", "processed", "ignored", "failed"];

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    #[param(value_type = Option<crate::dto::InboxStatus>)]
    pub status: Option<String>,
    /// An event type, e.g. `customer.subscription.updated`.
    #[validate(length(min = 1, max = 255))]
    #[param(min_length = 1, max_length = 255)]
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// Received at or after (RFC 3339).
    pub since: Option<String>,
    /// Received before (RFC 3339).
    pub until: Option<String>,
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[validate(length(min = 1, max = 300))]
    #[param(min_length = 1, max_length = 300, pattern = r"^[+-]?[0-9]{1,18}\..+$")]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxEventResponse {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    #[schema(value_type = crate::dto::InboxStatus)]
    pub status: String,
    #[schema(format = DateTime)]
    pub received_at: String,
    #[schema(format = DateTime)]
    pub processed_at: Option<String>,
    pub error: Option<String>,
}

impl From<InboxEvent> for InboxEventResponse {
    fn from(e: InboxEvent) -> Self {
        InboxEventResponse {
            id: e.event_id,
            event_type: e.event_type,
            status: e.status,
            received_at: rfc3339(e.received_at),
            processed_at: e.processed_at.map(rfc3339),
            error: e.error,
        }
    }
}

/// One try to process an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxAttemptResponse {
    /// 1 for the first try.
    pub attempt: i64,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub finished_at: String,
    #[schema(value_type = crate::dto::InboxOutcome)]
    pub outcome: String,
    pub error: Option<String>,
}

impl From<Attempt> for InboxAttemptResponse {
    fn from(a: Attempt) -> Self {
        InboxAttemptResponse { attempt: a.attempt, started_at: rfc3339(a.started_at), finished_at: rfc3339(a.finished_at), outcome: a.outcome, error: a.error }
    }
}

/// An event as Stripe sent it, and how processing it went.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxEventDetailResponse {
    #[serde(flatten)]
    pub event: InboxEventResponse,
    /// Stripe's `created` (Unix seconds).
    pub created: i64,
    /// The event exactly as delivered (or as recovered from Stripe's event list).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Processing tries, oldest first.
    pub attempts: Vec<InboxAttemptResponse>,
}

impl From<InboxEventDetail> for InboxEventDetailResponse {
    fn from(d: InboxEventDetail) -> Self {
        let payload = serde_json::from_str(&d.event.payload).unwrap_or(serde_json::Value::String(d.event.payload.clone()));
        let created = d.event.created;
        InboxEventDetailResponse { event: d.event.into(), created, payload, attempts: d.attempts.into_iter().map(Into::into).collect() }
    }
}

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
    let filter = InboxFilter { event_type: q.event_type, status: q.status, since, until };
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
