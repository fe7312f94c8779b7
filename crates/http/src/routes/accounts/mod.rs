//! Accounts (contact type "accounts"): the setting, the admin's accounts
//! and seats, and the owner's seats in the member area.

pub mod dto;

use actix_web::{HttpResponse, delete, get, post, put, web};
use tollgate_app::Services;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{AccountId, UserId};

pub use self::dto::*;
use crate::dto::{ListQuery, ListResponse};
use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, MemberAuth, ValidJson, ValidQuery, path_id};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(get_account_settings)
        .service(put_account_settings)
        .service(list_accounts)
        .service(get_account)
        .service(add_seat)
        .service(remove_seat)
        .service(user_account)
        .service(member_account)
        .service(member_add_seat)
        .service(member_remove_seat);
}

/// Whether Stripe customers are members (`users`) or companies (`accounts`).
#[utoipa::path(tag = "accounts", security(("bearer" = [])), responses((status = 200, body = AccountSettings), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[get("/accounts/settings")]
pub async fn get_account_settings(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<AccountSettings>> {
    auth.0.require(Scope::read(Family::Connectors))?;
    let (t, key) = s.account_settings(auth.0.app_id()).await?;
    Ok(web::Json(AccountSettings { contact_type: if t == "accounts" { ContactType::Accounts } else { ContactType::Users }, account_metadata_key: key }))
}

/// Sets the contact type; with `accounts`, each Stripe customer's next subscription event makes its account.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), request_body = AccountSettings, responses(
    (status = 200, body = AccountSettings), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem),
    (status = 422, body = Problem, description = "account_metadata_key (invalid_key)"),
))]
#[put("/accounts/settings")]
pub async fn put_account_settings(s: web::Data<Services>, auth: Auth, body: ValidJson<AccountSettings>) -> ApiResult<web::Json<AccountSettings>> {
    auth.0.require(Scope::write(Family::Connectors))?;
    let b = body.0;
    let t = if b.contact_type == ContactType::Accounts { "accounts" } else { "users" };
    let (t, key) = s.set_account_settings(auth.0.app_id(), t, b.account_metadata_key).await?;
    Ok(web::Json(AccountSettings { contact_type: if t == "accounts" { ContactType::Accounts } else { ContactType::Users }, account_metadata_key: key }))
}

#[utoipa::path(tag = "accounts", security(("bearer" = [])), params(ListQuery), responses((status = 200, body = ListResponse<AccountSummary>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/accounts")]
pub async fn list_accounts(s: web::Data<Services>, auth: Auth, q: ValidQuery<ListQuery>) -> ApiResult<web::Json<ListResponse<AccountSummary>>> {
    auth.0.require(Scope::read(Family::Users))?;
    let after = crate::routes::cursor(q.0.cursor.as_deref())?.map(AccountId::from_trusted);
    let page = s.list_accounts(auth.0.app_id(), after.as_ref(), crate::routes::limit(q.0.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

/// An account: its seats, and its stage, MRR and renewal date.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = AccountResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/accounts/{id}")]
pub async fn get_account(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<AccountResponse>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "account", AccountId::parse)?;
    Ok(web::Json(s.get_account(auth.0.app_id(), &id).await?.into()))
}

/// Seats a teammate (a new member gets an invitation) with the account's access.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), params(("id" = String, Path)), request_body = AddSeatRequest, responses(
    (status = 201, body = SeatResponse), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
    (status = 409, body = Problem, description = "seats_full, member_in_an_account"),
    (status = 422, body = Problem, description = "email (invalid_email), name (too_long)"),
))]
#[post("/accounts/{id}/seats")]
pub async fn add_seat(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<AddSeatRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&id, "account", AccountId::parse)?;
    let seat = s.add_seat(auth.0.app_id(), &id, &body.0.email, body.0.name.as_deref(), None).await?;
    Ok(HttpResponse::Created().json(SeatResponse::from(seat)))
}

/// Removes a teammate's seat and the access it gave.
#[utoipa::path(tag = "accounts", security(("bearer" = [])), params(("id" = String, Path), ("user_id" = String, Path)), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "owner_seat"),
))]
#[delete("/accounts/{id}/seats/{user_id}")]
pub async fn remove_seat(s: web::Data<Services>, auth: Auth, path: web::Path<(String, String)>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&path.0, "account", AccountId::parse)?;
    let user = path_id(&path.1, "seat", UserId::parse)?;
    s.remove_seat(auth.0.app_id(), &id, &user, None).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// The account a member sits in (`account` null when none).
#[utoipa::path(tag = "accounts", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = MemberAccountResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/users/{id}/account")]
pub async fn user_account(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<MemberAccountResponse>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "user", UserId::parse)?;
    let app = auth.0.app_id();
    s.get_member(app, &id).await?;
    Ok(web::Json(match s.account_of_member(app, &id).await? {
        Some((v, role)) => MemberAccountResponse { account: Some(v.into()), role: Some(role) },
        None => MemberAccountResponse { account: None, role: None },
    }))
}

/// The signed-in member's account and their role in it.
#[utoipa::path(tag = "member", security(("member_bearer" = [])), responses((status = 200, body = MemberAccountResponse), (status = 401, body = Problem)))]
#[get("/member/account")]
pub async fn member_account(s: web::Data<Services>, m: MemberAuth) -> ApiResult<web::Json<MemberAccountResponse>> {
    Ok(web::Json(match s.account_of_member(&m.0.app_id, &m.0.user_id).await? {
        Some((v, role)) => MemberAccountResponse { account: Some(v.into()), role: Some(role) },
        None => MemberAccountResponse { account: None, role: None },
    }))
}

/// The account's owner seats a teammate.
#[utoipa::path(tag = "member", security(("member_bearer" = [])), request_body = AddSeatRequest, responses(
    (status = 201, body = SeatResponse), (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem, description = "not_account_owner"), (status = 404, body = Problem, description = "no account"),
    (status = 409, body = Problem, description = "seats_full, member_in_an_account"), (status = 422, body = Problem),
))]
#[post("/member/account/seats")]
pub async fn member_add_seat(s: web::Data<Services>, m: MemberAuth, body: ValidJson<AddSeatRequest>) -> ApiResult<HttpResponse> {
    let (v, _) = s.account_of_member(&m.0.app_id, &m.0.user_id).await?.ok_or(tollgate_app::AppError::NotFound("account"))?;
    let seat = s.add_seat(&m.0.app_id, &v.account.id, &body.0.email, body.0.name.as_deref(), Some(&m.0.user_id)).await?;
    Ok(HttpResponse::Created().json(SeatResponse::from(seat)))
}

/// The account's owner removes a teammate's seat.
#[utoipa::path(tag = "member", security(("member_bearer" = [])), params(("user_id" = String, Path)), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem, description = "not_account_owner"), (status = 404, body = Problem), (status = 409, body = Problem, description = "owner_seat"),
))]
#[delete("/member/account/seats/{user_id}")]
pub async fn member_remove_seat(s: web::Data<Services>, m: MemberAuth, user: web::Path<String>) -> ApiResult<HttpResponse> {
    let user = path_id(&user, "seat", UserId::parse)?;
    let (v, _) = s.account_of_member(&m.0.app_id, &m.0.user_id).await?.ok_or(tollgate_app::AppError::NotFound("account"))?;
    s.remove_seat(&m.0.app_id, &v.account.id, &user, Some(&m.0.user_id)).await?;
    Ok(HttpResponse::NoContent().finish())
}
