//! Members and their access grants; the CSV exports (export.rs).

pub mod dto;
pub mod export;

use actix_web::{HttpResponse, get, patch, post, web};
use tollgate_app::Services;
use tollgate_app::usecases::users::{MemberPatch, NewMemberInput};
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{GrantId, ProductId, UserId};

pub use self::dto::*;
use crate::dto::{ListResponse, UserResponse};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};
use crate::routes::{cursor, limit, parse_time};

/// The exports, then the list and the member routes (`/users/{id}` would take `export.csv` for an id).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(export::export_users)
        .service(export::export_activities)
        .service(export::export_grants)
        // Member imports (/users/imports…), before /users/{id}.
        .configure(crate::routes::import::configure)
        .service(list_users)
        .service(create_user)
        .service(get_user)
        .service(update_user)
        .service(list_access)
        .service(grant_access)
        .service(revoke_access);
}

/// Lists members newest first; `q` searches email (prefix) and name; the
/// other parameters filter (stage, renewal, product access, grant source,
/// MRR range, last login, active or inactive, creation date); `include_total` counts all matches.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(UserListQuery), responses((status = 200, body = ListResponse<UserResponse>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/users")]
pub async fn list_users(s: web::Data<Services>, auth: Auth, q: ValidQuery<UserListQuery>) -> ApiResult<web::Json<ListResponse<UserResponse>>> {
    auth.0.require(Scope::read(Family::Users))?;
    let q = q.0;
    let after = cursor(q.cursor.as_deref())?.map(UserId::from_trusted);
    let filter = q.filter();
    let app = auth.0.app_id();
    let page = s.list_members(app, &filter, after.as_ref(), limit(q.limit)?).await?;
    let mut r = ListResponse::from_page(page, Into::into);
    if q.include_total == Some(true) {
        r.total = Some(s.count_members(app, &filter).await?);
    }
    Ok(web::Json(r))
}

/// Creates a member (records User Created; optionally emails an invitation). Accepts an `Idempotency-Key` header.
#[utoipa::path(tag = "users", security(("bearer" = [])), request_body = CreateUserRequest,
    params(("Idempotency-Key" = Option<String>, Header, description = "Repeat a create safely: the same key and body give the same answer")),
    responses((status = 201, body = UserResponse), (status = 422, body = Problem, description = "validation_failed, e.g. email taken")))]
#[post("/users")]
pub async fn create_user(s: web::Data<Services>, auth: Auth, body: ValidJson<CreateUserRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let b = body.0;
    let u = s
        .create_member(auth.0.app_id(), NewMemberInput { email: b.email, name: b.name, password: b.password, send_invite: b.send_invite.unwrap_or(false) })
        .await?;
    Ok(HttpResponse::Created().json(UserResponse::from(u)))
}

#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = UserResponse), (status = 404, body = Problem)))]
#[get("/users/{id}")]
pub async fn get_user(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<UserResponse>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    Ok(web::Json(s.get_member(auth.0.app_id(), &id).await?.into()))
}

#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateUserRequest,
    responses((status = 200, body = UserResponse), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[patch("/users/{id}")]
pub async fn update_user(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<UpdateUserRequest>) -> ApiResult<web::Json<UserResponse>> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let b = body.0;
    Ok(web::Json(s.update_member(auth.0.app_id(), &id, MemberPatch { email: b.email, name: b.name, password: b.password }).await?.into()))
}

/// A member's access grants, newest first (revoked ones included).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path), GrantListQuery),
    responses((status = 200, body = ListResponse<GrantResponse>), (status = 404, body = Problem)))]
#[get("/users/{id}/access")]
pub async fn list_access(s: web::Data<Services>, auth: Auth, id: web::Path<String>, q: ValidQuery<GrantListQuery>) -> ApiResult<web::Json<ListResponse<GrantResponse>>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let q = q.0;
    let product = q.product_id.as_deref().map(ProductId::parse).transpose().map_err(|p| ApiError::field("product_id", p.code, p.message))?;
    let after = cursor(q.cursor.as_deref())?.map(GrantId::from_trusted);
    let page = s.list_grants(auth.0.app_id(), &id, product.as_ref(), after.as_ref(), limit(q.limit)?).await?;
    let now = s.now();
    Ok(web::Json(ListResponse::from_page(page, |g| GrantResponse::new(g, now))))
}

/// Grants a member access to a product by hand (records Product Access Granted if the member had none).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path),
    ("Idempotency-Key" = Option<String>, Header, description = "Repeat a create safely")), request_body = GrantAccessRequest,
    responses((status = 201, body = GrantResponse), (status = 404, body = Problem), (status = 409, body = Problem, description = "access_already_granted or product_archived"), (status = 422, body = Problem)))]
#[post("/users/{id}/access")]
pub async fn grant_access(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<GrantAccessRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let b = body.0;
    let product = ProductId::parse(&b.product_id).map_err(|p| ApiError::field("product_id", p.code, p.message))?;
    let ends_at = b.ends_at.as_deref().map(|e| parse_time("ends_at", e)).transpose()?;
    let g = s.grant_access(auth.0.app_id(), &id, &product, ends_at, b.reason, b.notify.unwrap_or(true)).await?;
    Ok(HttpResponse::Created().json(GrantResponse::new(g, s.now())))
}

/// Revokes one grant (records Product Access Removed if the member has no other access to the product).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path), ("grant_id" = String, Path)), request_body = RevokeAccessRequest,
    responses((status = 200, body = GrantResponse), (status = 404, body = Problem), (status = 409, body = Problem, description = "already_revoked")))]
#[post("/users/{id}/access/{grant_id}/revoke")]
pub async fn revoke_access(s: web::Data<Services>, auth: Auth, path: web::Path<(String, String)>, body: ValidJson<RevokeAccessRequest>) -> ApiResult<web::Json<GrantResponse>> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&path.0, "user", UserId::parse)?;
    let grant = path_id(&path.1, "grant", GrantId::parse)?;
    let g = s.revoke_access(auth.0.app_id(), &id, &grant, body.0.reason).await?;
    Ok(web::Json(GrantResponse::new(g, s.now())))
}
