//! Outbound webhooks (Standard Webhooks endpoints, their delivery log) and
//! Zapier REST hooks. The event payloads are described in the document's
//! top-level `webhooks` section (see [`webhooks_section`]).

pub mod dto;
mod events;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use tollgate_app::Services;
use tollgate_app::outbound::endpoints::{EndpointPatch, NewEndpoint};
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{DeliveryId, EndpointId};
use tollgate_domain::outbound::{DeliveryFilter, EndpointKind, EventType};

pub use self::dto::*;
pub use self::events::{WebhookEvent, WebhookEventData, webhooks_section};
use crate::dto::ListResponse;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};
use crate::routes::{cursor, limit, parse_time};

/// Registers the routes of this capability.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(event_types)
        .service(list_endpoints)
        .service(create_endpoint)
        .service(get_endpoint)
        .service(update_endpoint)
        .service(delete_endpoint)
        .service(rotate_secret)
        .service(send_test)
        .service(replay)
        .service(list_deliveries)
        .service(get_delivery)
        .service(redeliver)
        .service(create_hook)
        .service(delete_hook)
        .service(hook_samples);
}

/// The outbound event catalogue: every type an endpoint or hook can receive.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), responses((status = 200, body = EventTypeList), (status = 401, body = Problem)))]
#[get("/webhooks/event-types")]
pub async fn event_types(auth: Auth) -> ApiResult<web::Json<EventTypeList>> {
    auth.0.require(Scope::read(Family::Webhooks))?;
    Ok(web::Json(EventTypeList { data: EventType::all().into_iter().map(Into::into).collect() }))
}

/// The app's endpoints and Zapier hooks, oldest first.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(EndpointListQuery), responses(
    (status = 200, body = ListResponse<EndpointResponse>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/webhooks/endpoints")]
pub async fn list_endpoints(s: web::Data<Services>, auth: Auth, q: ValidQuery<EndpointListQuery>) -> ApiResult<web::Json<ListResponse<EndpointResponse>>> {
    auth.0.require(Scope::read(Family::Webhooks))?;
    let q = q.0;
    let after = cursor(q.cursor.as_deref())?.map(EndpointId::from_trusted);
    let page = s.list_endpoints(auth.0.app_id(), q.kind.map(Into::into), after.as_ref(), limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

/// Adds a Standard Webhooks endpoint. The answer carries its signing secret, shown this once.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), request_body = CreateEndpointRequest, responses(
    (status = 201, body = EndpointWithSecret),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 422, body = Problem, description = "url (invalid_url, https_required, private_address, limit_reached), event_types, description"),
))]
#[post("/webhooks/endpoints")]
pub async fn create_endpoint(s: web::Data<Services>, auth: Auth, body: ValidJson<CreateEndpointRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Webhooks))?;
    let b = body.0;
    let (e, secret) = s
        .create_endpoint(auth.0.app_id(), NewEndpoint { url: b.url, description: b.description, event_types: b.event_types.unwrap_or_default(), enabled: b.enabled })
        .await?;
    Ok(HttpResponse::Created().json(EndpointWithSecret { endpoint: e.into(), secret }))
}

#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = EndpointResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/webhooks/endpoints/{id}")]
pub async fn get_endpoint(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<EndpointResponse>> {
    auth.0.require(Scope::read(Family::Webhooks))?;
    let id = path_id(&id, "endpoint", EndpointId::parse)?;
    Ok(web::Json(s.get_endpoint(auth.0.app_id(), &id).await?.into()))
}

/// Edits an endpoint; `enabled: false` disables it (what waits for it fails), `true` enables it again.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateEndpointRequest, responses(
    (status = 200, body = EndpointResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 422, body = Problem),
))]
#[patch("/webhooks/endpoints/{id}")]
pub async fn update_endpoint(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<UpdateEndpointRequest>) -> ApiResult<web::Json<EndpointResponse>> {
    auth.0.require(Scope::write(Family::Webhooks))?;
    let id = path_id(&id, "endpoint", EndpointId::parse)?;
    let b = body.0;
    let e = s
        .update_endpoint(auth.0.app_id(), &id, EndpointPatch { url: b.url, description: b.description, event_types: b.event_types, enabled: b.enabled })
        .await?;
    Ok(web::Json(e.into()))
}

/// Deletes an endpoint (or a Zapier hook); deliveries waiting for it fail.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[delete("/webhooks/endpoints/{id}")]
pub async fn delete_endpoint(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Webhooks))?;
    let id = path_id(&id, "endpoint", EndpointId::parse)?;
    s.delete_endpoint(auth.0.app_id(), &id, None).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// A new signing secret, shown once. The previous one keeps signing beside it
/// for 24 hours (two `v1,` signatures), so receivers can switch without losing events.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = EndpointWithSecret),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "not_signed (a Zapier hook)"),
))]
#[post("/webhooks/endpoints/{id}/rotate-secret")]
pub async fn rotate_secret(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<EndpointWithSecret>> {
    auth.0.require(Scope::write(Family::Webhooks))?;
    let id = path_id(&id, "endpoint", EndpointId::parse)?;
    let (e, secret) = s.rotate_endpoint_secret(auth.0.app_id(), &id).await?;
    Ok(web::Json(EndpointWithSecret { endpoint: e.into(), secret }))
}

/// Sends a made-up event (with `data.test = true`) to this endpoint, whatever its filter.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path)), request_body = TestEventRequest, responses(
    (status = 202, body = DeliveryResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "endpoint_disabled"),
    (status = 422, body = Problem),
))]
#[post("/webhooks/endpoints/{id}/test")]
pub async fn send_test(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<TestEventRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Webhooks))?;
    let id = path_id(&id, "endpoint", EndpointId::parse)?;
    let d = s.send_test_event(auth.0.app_id(), &id, body.0.event_type.as_deref()).await?;
    Ok(HttpResponse::Accepted().json(DeliveryResponse::from(d)))
}

/// Queues again every failed delivery of this endpoint since a time.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path)), request_body = ReplayRequest, responses(
    (status = 202, body = ReplayResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "endpoint_disabled"),
    (status = 422, body = Problem),
))]
#[post("/webhooks/endpoints/{id}/replay")]
pub async fn replay(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<ReplayRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Webhooks))?;
    let id = path_id(&id, "endpoint", EndpointId::parse)?;
    let since = parse_time("since", &body.0.since)?;
    let queued = s.replay_failed(auth.0.app_id(), &id, since).await?;
    Ok(HttpResponse::Accepted().json(ReplayResponse { queued }))
}

/// The endpoint's delivery log, newest first, each delivery with its tries.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path), DeliveryListQuery), responses(
    (status = 200, body = ListResponse<DeliveryResponse>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[get("/webhooks/endpoints/{id}/deliveries")]
pub async fn list_deliveries(s: web::Data<Services>, auth: Auth, id: web::Path<String>, q: ValidQuery<DeliveryListQuery>) -> ApiResult<web::Json<ListResponse<DeliveryResponse>>> {
    auth.0.require(Scope::read(Family::Webhooks))?;
    let id = path_id(&id, "endpoint", EndpointId::parse)?;
    let q = q.0;
    if let Some(t) = &q.event_type {
        t.parse::<EventType>().map_err(|p| ApiError::field("event_type", p.code, p.message))?;
    }
    let before = cursor(q.cursor.as_deref())?.map(DeliveryId::from_trusted);
    let f = DeliveryFilter { status: q.status.map(Into::into), event_type: q.event_type };
    let page = s.list_deliveries(auth.0.app_id(), &id, &f, before.as_ref(), limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

/// One delivery with its tries and the exact body it sends.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = DeliveryDetail), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/webhooks/deliveries/{id}")]
pub async fn get_delivery(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<DeliveryDetail>> {
    auth.0.require(Scope::read(Family::Webhooks))?;
    let id = path_id(&id, "delivery", DeliveryId::parse)?;
    let (log, payload) = s.get_delivery(auth.0.app_id(), &id).await?;
    Ok(web::Json(DeliveryDetail { delivery: log.into(), payload }))
}

/// Sends a delivery again now, with the same `webhook-id`, and a fresh retry schedule.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 202, body = DeliveryResponse),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "endpoint_disabled"),
))]
#[post("/webhooks/deliveries/{id}/redeliver")]
pub async fn redeliver(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Webhooks))?;
    let id = path_id(&id, "delivery", DeliveryId::parse)?;
    s.redeliver(auth.0.app_id(), &id).await?;
    let (log, _) = s.get_delivery(auth.0.app_id(), &id).await?;
    Ok(HttpResponse::Accepted().json(DeliveryResponse::from(log)))
}

/// Zapier REST hooks: subscribes `target_url` to one event type. Events are
/// POSTed as unsigned JSON (the same body as webhooks); a 410 answer removes the hook.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), request_body = CreateHookRequest, responses(
    (status = 201, body = HookResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 422, body = Problem, description = "target_url, event"),
))]
#[post("/hooks")]
pub async fn create_hook(s: web::Data<Services>, auth: Auth, body: ValidJson<CreateHookRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Webhooks))?;
    let e = s.create_hook(auth.0.app_id(), &body.0.target_url, &body.0.event).await?;
    let event = e.event_types.first().map(|t| t.as_str().to_owned()).unwrap_or_default();
    Ok(HttpResponse::Created().json(HookResponse { id: e.id.into_string(), target_url: e.url, event }))
}

/// Unsubscribes a Zapier hook.
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[delete("/hooks/{id}")]
pub async fn delete_hook(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Webhooks))?;
    let id = path_id(&id, "hook", EndpointId::parse)?;
    s.delete_endpoint(auth.0.app_id(), &id, Some(EndpointKind::Zapier)).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Up to three recent events of a type, or one made-up sample when there are none (Zapier's performList).
#[utoipa::path(tag = "webhooks", security(("bearer" = [])), params(("event" = String, Path)), responses(
    (status = 200, body = Vec<Object>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/hooks/samples/{event}")]
pub async fn hook_samples(s: web::Data<Services>, auth: Auth, event: web::Path<String>) -> ApiResult<web::Json<Vec<serde_json::Value>>> {
    auth.0.require(Scope::read(Family::Webhooks))?;
    Ok(web::Json(s.event_samples(auth.0.app_id(), &event).await?))
}
