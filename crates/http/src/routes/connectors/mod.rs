//! What every connector shares: its settings, and the webhook receiver:
//! one route for every kind,
//! `POST /webhooks/{kind}/{app_id}` (Stripe: signed events) and
//! `POST /webhooks/{kind}/{app_id}/{token}` (Keap, ActiveCampaign: the
//! token is the credential). What a delivery says is stored before the
//! answer; the connector decides how (`tollgate_app::connector`).

pub mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, patch, post, web};
use tollgate_app::Services;
use tollgate_app::connector::{Ack, Inbound};
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::connector::ConnectorKind;

use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson};

pub use self::dto::*;

/// The /api/v1 routes; the receiver (`webhook`, `webhook_with_token`) is outside /api/v1.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_connector_settings)
        .service(update_connector_settings);
}

// ---------- connectors ----------

/// A connector's public settings (secrets are never returned).
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(("kind" = String, Path, description = "stripe")),
    responses((status = 200, body = Object), (status = 404, body = Problem)))]
#[get("/connectors/{kind}/settings")]
pub async fn get_connector_settings(s: web::Data<Services>, auth: Auth, kind: web::Path<String>) -> ApiResult<web::Json<serde_json::Value>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    Ok(web::Json(s.connector_settings(auth.0.app_id(), &kind).await?))
}

/// Merges settings into a connector's settings; a `null` value removes a key.
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(("kind" = String, Path, description = "stripe")), request_body = Object,
    responses((status = 200, body = Object), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[patch("/connectors/{kind}/settings")]
pub async fn update_connector_settings(
    s: web::Data<Services>,
    auth: Auth,
    kind: web::Path<String>,
    body: ValidJson<SettingsPatch>,
) -> ApiResult<web::Json<serde_json::Value>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    Ok(web::Json(s.update_connector_settings(auth.0.app_id(), &kind, body.0.0).await?))
}

// ---------- the webhook receiver ----------

fn kind_of(raw: &str) -> ApiResult<ConnectorKind> {
    ConnectorKind::parse(raw).ok_or_else(|| ApiError::not_found("connector"))
}

async fn receive(s: &Services, req: &HttpRequest, kind: &str, app: &str, token: Option<&str>, body: &[u8]) -> ApiResult<HttpResponse> {
    let kind = kind_of(kind)?;
    let headers: Vec<(&str, &str)> = req.headers().iter().filter_map(|(n, v)| Some((n.as_str(), v.to_str().ok()?))).collect();
    let result = s.receive_webhook(kind, app, Inbound { token, headers: &headers, body }).await;
    if kind == ConnectorKind::Stripe {
        crate::metrics::webhook_outcome(match &result {
            Ok(Ack::Stored) => "stored",
            Ok(Ack::Duplicate) => "duplicate",
            Ok(_) => "ignored",
            Err(tollgate_app::AppError::Unauthorized { .. }) => "rejected",
            Err(tollgate_app::AppError::Validation(_)) => "invalid",
            Err(_) => "error",
        });
    }
    let ack = |outcome| HttpResponse::Ok().json(WebhookAck { received: true, outcome });
    match result {
        Ok(Ack::Stored) => Ok(ack(WebhookOutcome::Stored)),
        Ok(Ack::Duplicate) => Ok(ack(WebhookOutcome::Duplicate)),
        Ok(Ack::Queued(_)) => Ok(ack(WebhookOutcome::Queued)),
        Ok(Ack::Ignored(why)) => {
            tracing::info!(kind = kind.as_str(), reason = why, "webhook delivery ignored");
            Ok(ack(WebhookOutcome::Ignored))
        }
        Ok(Ack::Handshake(secret)) => Ok(HttpResponse::Ok().insert_header(("X-Hook-Secret", secret)).json(WebhookAck { received: true, outcome: WebhookOutcome::Handshake })),
        Ok(Ack::Gone) => Err(ApiError::new(StatusCode::GONE, "crm_not_connected", format!("{} is no longer connected to Tollgate", kind.label()))),
        Err(tollgate_app::AppError::Unauthorized { code, message }) => Err(ApiError::new(StatusCode::BAD_REQUEST, code, message)),
        Err(tollgate_app::AppError::Validation(v)) => Err(ApiError::new(StatusCode::BAD_REQUEST, "invalid_event", v.0.first().map(|f| f.message.clone()).unwrap_or_default())),
        Err(e) => Err(e.into()),
    }
}

/// Receives a connector's webhook deliveries for an app. Stripe: the
/// `Stripe-Signature` is checked over the raw bytes (300 s tolerance, any
/// current secret); the event is stored before the 200 and processed by the
/// job worker; a bad or missing signature is 400. The CRMs' URLs carry a
/// token (next route).
#[utoipa::path(tag = "connectors", params(("kind" = ConnectorKind, Path), ("app_id" = String, Path), ("Stripe-Signature" = Option<String>, Header, description = "Stripe: required")),
    request_body(content = String, content_type = "application/json"),
    responses((status = 200, body = WebhookAck), (status = 400, body = Problem, description = "invalid_signature or invalid_event"), (status = 404, body = Problem, description = "not a connector, or its URL needs a token")))]
#[post("/webhooks/{kind}/{app_id}")]
pub async fn webhook(s: web::Data<Services>, req: HttpRequest, path: web::Path<(String, String)>, body: web::Bytes) -> ApiResult<HttpResponse> {
    let (kind, app) = path.into_inner();
    receive(&s, &req, &kind, &app, None, &body).await
}

/// A CRM's webhook (ActiveCampaign: form-encoded tag events; Keap: REST
/// hooks, with the `X-Hook-Secret` handshake echoed). The URL's token is the
/// only credential; the delivery only names what to re-read from the CRM's
/// API. Stored (as a queued job) before it is acknowledged. Another app's,
/// a wrong token or an unused event: 200, ignored and logged. A disconnected CRM: 410.
#[utoipa::path(tag = "connectors", params(("kind" = ConnectorKind, Path), ("app_id" = String, Path), ("token" = String, Path), ("X-Hook-Secret" = Option<String>, Header, description = "Keap's subscription check: echoed back")),
    request_body(content = Option<std::collections::BTreeMap<String, String>>, content_type = "application/x-www-form-urlencoded", description = "ActiveCampaign: form-encoded; Keap: JSON; may be empty (Keap's `X-Hook-Secret` check)"),
    responses((status = 200, body = WebhookAck), (status = 400, body = Problem), (status = 404, body = Problem, description = "not a connector, or one whose URL has no token"), (status = 410, body = Problem)))]
#[post("/webhooks/{kind}/{app_id}/{token}")]
pub async fn webhook_with_token(s: web::Data<Services>, req: HttpRequest, path: web::Path<(String, String, String)>, body: web::Bytes) -> ApiResult<HttpResponse> {
    let (kind, app, token) = path.into_inner();
    receive(&s, &req, &kind, &app, Some(&token), &body).await
}
