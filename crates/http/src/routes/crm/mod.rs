//! The CRM connectors (ActiveCampaign, Keap): connector cards, connecting,
//! options, the product ↔ tag mapping, "Sync now", Keap OAuth, and the
//! CRMs' webhooks.

pub mod dto;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, put, web};
use secrecy::SecretString;
use tollgate_app::Services;
use tollgate_app::crm::{ConnectCrm, OptionsPatch};
use tollgate_crm::CrmKind;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::ProductId;

pub use self::dto::*;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};
use crate::routes::stripe::OAuthStartResponse;

/// Registers the API routes of this capability (under `/api/v1`).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_crms)
        .service(keap_oauth_start)
        .service(get_crm)
        .service(connect_crm)
        .service(update_crm)
        .service(disconnect_crm)
        .service(crm_tags)
        .service(put_crm_tag)
        .service(sync_crm);
}

fn kind_of(raw: &str) -> Result<CrmKind, ApiError> {
    CrmKind::parse(raw).ok_or_else(|| ApiError::not_found("connector"))
}

/// Both CRM connector cards: connection, account, options, last sync and last error, counts.
#[utoipa::path(tag = "connectors", security(("bearer" = [])), responses((status = 200, body = CrmConnectorsResponse), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[get("/connectors/crm")]
pub async fn list_crms(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<CrmConnectorsResponse>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    Ok(web::Json(CrmConnectorsResponse { data: s.crm_statuses(auth.0.app_id()).await?.into_iter().map(Into::into).collect() }))
}

/// One CRM connector card.
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(("kind" = CrmKindDto, Path)),
    responses((status = 200, body = CrmConnectorResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/connectors/crm/{kind}")]
pub async fn get_crm(s: web::Data<Services>, auth: Auth, kind: web::Path<String>) -> ApiResult<web::Json<CrmConnectorResponse>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    let kind = kind_of(&kind)?;
    Ok(web::Json(s.crm_status(auth.0.app_id(), kind).await?.into()))
}

/// Connects a CRM with a key, validated by a cheap authenticated call and
/// stored encrypted. Tollgate then registers its webhooks in the CRM and
/// queues a sync that makes each product's tag and converges access.
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(("kind" = CrmKindDto, Path)), request_body = ConnectCrmRequest, responses(
    (status = 200, body = CrmConnectorResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "crm_account_changed: the key opens another account than the mapped one; send confirm_new_account"),
    (status = 422, body = Problem, description = "api_url (required, invalid_url, https_required, private_address, not_a_crm, not_allowed), api_key (invalid, rejected: with the CRM's own message)"),
    (status = 503, body = Problem, description = "crm_unavailable: the CRM did not answer"),
))]
#[post("/connectors/crm/{kind}")]
pub async fn connect_crm(s: web::Data<Services>, auth: Auth, kind: web::Path<String>, body: ValidJson<ConnectCrmRequest>) -> ApiResult<web::Json<CrmConnectorResponse>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let kind = kind_of(&kind)?;
    let b = body.0;
    let input = ConnectCrm { api_url: b.api_url, api_key: SecretString::from(b.api_key), confirm_new_account: b.confirm_new_account };
    Ok(web::Json(s.connect_crm(auth.0.app_id(), kind, input).await?.into()))
}

/// Changes the connector's options (tag pattern, creating members, what a removed tag revokes).
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(("kind" = CrmKindDto, Path)), request_body = CrmOptionsRequest, responses(
    (status = 200, body = CrmConnectorResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem, description = "never connected"),
    (status = 422, body = Problem, description = "tag_pattern, stage_tag_pattern (missing_placeholder, too_long)"),
))]
#[patch("/connectors/crm/{kind}")]
pub async fn update_crm(s: web::Data<Services>, auth: Auth, kind: web::Path<String>, body: ValidJson<CrmOptionsRequest>) -> ApiResult<web::Json<CrmConnectorResponse>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let kind = kind_of(&kind)?;
    let b = body.0;
    let patch = OptionsPatch {
        tag_pattern: b.tag_pattern,
        create_members: b.create_members,
        removal_revokes_all: b.removal_revokes_all,
        stage_tags: b.stage_tags,
        stage_tag_pattern: b.stage_tag_pattern,
    };
    Ok(web::Json(s.update_crm_options(auth.0.app_id(), kind, patch).await?.into()))
}

/// Disconnects: Tollgate's webhooks are deleted in the CRM and the key
/// forgotten. The product ↔ tag mapping and access already given stay.
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(("kind" = CrmKindDto, Path)),
    responses((status = 200, body = CrmConnectorResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[delete("/connectors/crm/{kind}")]
pub async fn disconnect_crm(s: web::Data<Services>, auth: Auth, kind: web::Path<String>) -> ApiResult<web::Json<CrmConnectorResponse>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let kind = kind_of(&kind)?;
    Ok(web::Json(s.disconnect_crm(auth.0.app_id(), kind).await?.into()))
}

/// Every product with its tag in this CRM.
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(("kind" = CrmKindDto, Path)),
    responses((status = 200, body = CrmTagsResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/connectors/crm/{kind}/tags")]
pub async fn crm_tags(s: web::Data<Services>, auth: Auth, kind: web::Path<String>) -> ApiResult<web::Json<CrmTagsResponse>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    let kind = kind_of(&kind)?;
    Ok(web::Json(CrmTagsResponse { data: s.crm_tag_mapping(auth.0.app_id(), kind).await?.into_iter().map(Into::into).collect() }))
}

/// Picks the tag of a product (an existing tag by id, or by name: found or
/// created). Access then follows the new tag (a sync of the product is queued).
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(("kind" = CrmKindDto, Path), ("product_id" = String, Path)), request_body = PutCrmTagRequest, responses(
    (status = 200, body = CrmTagMappingResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "crm_not_connected, crm_unauthorized, crm_rejected"),
    (status = 422, body = Problem, description = "tag_id (one_of, unknown_tag), tag_name (too_long)"),
    (status = 503, body = Problem, description = "crm_unavailable"),
))]
#[put("/connectors/crm/{kind}/tags/{product_id}")]
pub async fn put_crm_tag(s: web::Data<Services>, auth: Auth, path: web::Path<(String, String)>, body: ValidJson<PutCrmTagRequest>) -> ApiResult<web::Json<CrmTagMappingResponse>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let (kind, product) = path.into_inner();
    let kind = kind_of(&kind)?;
    let product: ProductId = path_id(&product, "product", ProductId::parse)?;
    let b = body.0;
    Ok(web::Json(s.put_crm_tag(auth.0.app_id(), kind, &product, b.tag_id, b.tag_name).await?.into()))
}

/// Queues a reconcile now: every product's tag is made sure of, and access
/// converges with who carries each tag in the CRM.
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(("kind" = CrmKindDto, Path)), responses(
    (status = 202, body = CrmSyncResponse),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "crm_not_connected"),
))]
#[post("/connectors/crm/{kind}/sync")]
pub async fn sync_crm(s: web::Data<Services>, auth: Auth, kind: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let kind = kind_of(&kind)?;
    let id = s.sync_crm(auth.0.app_id(), kind).await?;
    Ok(HttpResponse::Accepted().json(CrmSyncResponse { job_id: id.map(|i| i.to_string()) }))
}

/// Starts "Connect with Keap" (OAuth2 authorization code). Sets a short-lived
/// cookie that binds the connection to this browser, as for Stripe Connect.
#[utoipa::path(tag = "connectors", security(("bearer" = [])), params(KeapOAuthStartQuery),
    responses((status = 200, body = OAuthStartResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 409, body = Problem, description = "oauth_not_configured")))]
#[get("/connectors/crm/keap/oauth/start")]
pub async fn keap_oauth_start(s: web::Data<Services>, auth: Auth, q: ValidQuery<KeapOAuthStartQuery>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let (url, nonce) = s.keap_oauth_start(auth.0.app_id(), q.0.confirm_new_account)?;
    Ok(HttpResponse::Ok().cookie(crate::routes::stripe::oauth_cookie(&s, "keap", Some(nonce))).json(OAuthStartResponse { url }))
}

/// Keap OAuth callback: exchanges the code, connects, and returns the browser to the Connectors page.
#[utoipa::path(tag = "connectors", params(crate::routes::stripe::OAuthCallbackQuery), responses((status = 303, description = "Redirect to /settings/connectors?keap=connected|denied|error")))]
#[get("/oauth/keap/callback")]
pub async fn keap_oauth_callback(s: web::Data<Services>, req: HttpRequest, q: ValidQuery<crate::routes::stripe::OAuthCallbackQuery>) -> HttpResponse {
    let svc = s.clone();
    crate::routes::stripe::oauth_return(&s, &req, q.0, "keap", |code, state, nonce| async move { svc.keap_oauth_callback(&code, &state, nonce.as_deref()).await.map(|_| ()) }).await
}

