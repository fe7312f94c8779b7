//! The app's team: admins, invitations, roles. Admin sessions only.

pub mod dto;

use actix_web::{HttpResponse, delete, get, patch, post, web};
use tollgate_app::Services;
use tollgate_app::auth::Principal;
use tollgate_app::usecases::team::TeamActor;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{AdminId, InvitationId};

pub use self::dto::*;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ClientIp, ValidJson, path_id};
use crate::dto::rfc3339;
use crate::routes::auth::{SessionResponse, with_session};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(preview_invitation)
        .service(accept_invite)
        .service(list_team)
        .service(create_invitation)
        .service(revoke_invitation)
        .service(update_admin)
        .service(remove_admin);
}

/// Team changes are made by people: API keys get 403.
fn actor(auth: &Auth) -> ApiResult<TeamActor> {
    match &auth.0 {
        Principal::Admin { admin_id, app_id, .. } => Ok(TeamActor { admin_id: admin_id.clone(), app_id: app_id.clone() }),
        Principal::ApiKey { .. } => Err(ApiError::new(actix_web::http::StatusCode::FORBIDDEN, "admin_only", "the team is managed with an admin session, not an API key")),
    }
}

/// The app's admins and open invitations. Every role may read it.
#[utoipa::path(tag = "team", security(("bearer" = [])), responses((status = 200, body = TeamResponse), (status = 403, body = Problem)))]
#[get("/admins")]
pub async fn list_team(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<TeamResponse>> {
    let a = actor(&auth)?;
    auth.0.require(Scope::read(Family::Admins))?;
    let team = s.team(&a.app_id).await?;
    let now = s.now();
    Ok(web::Json(TeamResponse {
        admins: team.members.into_iter().map(Into::into).collect(),
        invitations: team.invitations.into_iter().map(|i| InvitationResponse::new(i, now)).collect(),
    }))
}

/// Invites someone to the team and emails them a link to `/accept-invite` (valid 7 days, single use).
/// Owners may invite any role; admins may invite admins and viewers; viewers may not invite.
/// Inviting an email again replaces its open invitation.
#[utoipa::path(tag = "team", security(("bearer" = [])), request_body = CreateInvitationRequest, responses(
    (status = 201, body = InvitationResponse),
    (status = 403, body = Problem, description = "insufficient_role, owner_only"),
    (status = 409, body = Problem, description = "already_member"),
    (status = 422, body = Problem),
))]
#[post("/admins/invitations")]
pub async fn create_invitation(s: web::Data<Services>, auth: Auth, body: ValidJson<CreateInvitationRequest>) -> ApiResult<HttpResponse> {
    let a = actor(&auth)?;
    let id = s.invite_admin(&a, &body.0.email, &body.0.role).await?;
    let team = s.team(&a.app_id).await?;
    let open = team.invitations.into_iter().find(|i| i.id == id).ok_or_else(|| ApiError::not_found("invitation"))?;
    Ok(HttpResponse::Created().json(InvitationResponse::new(open, s.now())))
}

/// Revokes an open invitation: its link stops working.
#[utoipa::path(tag = "team", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 204),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "already_accepted, already_revoked"),
))]
#[delete("/admins/invitations/{id}")]
pub async fn revoke_invitation(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let a = actor(&auth)?;
    let id = path_id(&id, "invitation", InvitationId::parse)?;
    s.revoke_invitation(&a, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Changes an admin's role. Owners only; the last owner cannot step down.
/// Demoting revokes the admin's API keys that hold more than the new role allows.
#[utoipa::path(tag = "team", security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateAdminRequest, responses(
    (status = 200, body = TeamMemberResponse),
    (status = 403, body = Problem, description = "insufficient_role"),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "last_owner"),
    (status = 422, body = Problem),
))]
#[patch("/admins/{id}")]
pub async fn update_admin(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<UpdateAdminRequest>) -> ApiResult<web::Json<TeamMemberResponse>> {
    let a = actor(&auth)?;
    let id = path_id(&id, "admin", AdminId::parse)?;
    Ok(web::Json(s.change_admin_role(&a, &id, &body.0.role).await?.into()))
}

/// Removes an admin from the team (owners), or leaves it (anyone, with their own id).
/// Their sessions in this app end and the API keys they created are revoked.
#[utoipa::path(tag = "team", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 204),
    (status = 403, body = Problem, description = "insufficient_role"),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "last_owner"),
))]
#[delete("/admins/{id}")]
pub async fn remove_admin(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    let a = actor(&auth)?;
    let id = path_id(&id, "admin", AdminId::parse)?;
    s.remove_admin(&a, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// What an invitation link is for (app, role, whether the email has an account). Public.
#[utoipa::path(tag = "team", request_body = InvitationTokenRequest, responses(
    (status = 200, body = InvitationPreviewResponse),
    (status = 410, body = Problem, description = "invitation_invalid, invitation_expired, invitation_used, invitation_revoked"),
    (status = 422, body = Problem),
))]
#[post("/auth/invitation")]
pub async fn preview_invitation(s: web::Data<Services>, body: ValidJson<InvitationTokenRequest>) -> ApiResult<web::Json<InvitationPreviewResponse>> {
    let p = s.preview_invitation(&body.0.token).await?;
    Ok(web::Json(InvitationPreviewResponse {
        email: p.email.to_string(),
        role: p.role,
        app_name: p.app_name,
        invited_by_name: p.invited_by_name,
        account_exists: p.account_exists,
        expires_at: rfc3339(p.expires_at),
    }))
}

/// Accepts an invitation and logs in, like `POST /auth/login`. Public.
/// A new account takes `name` and `password`; an existing one needs its password.
#[utoipa::path(tag = "team", request_body = AcceptInvitationRequest, responses(
    (status = 200, body = SessionResponse, description = "Also sets the httpOnly refresh cookie"),
    (status = 409, body = Problem, description = "already_member"),
    (status = 410, body = Problem, description = "invitation_invalid, invitation_expired, invitation_used, invitation_revoked"),
    (status = 422, body = Problem, description = "name and password rules (too_short, too_weak); wrong_password for an existing account"),
    (status = 429, body = Problem, description = "too_many_attempts: too many failed passwords for this account or from this address; see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait"))),
))]
#[post("/auth/accept-invite")]
pub async fn accept_invite(s: web::Data<Services>, client: ClientIp, body: ValidJson<AcceptInvitationRequest>) -> ApiResult<HttpResponse> {
    let b = body.0;
    let session = s.accept_invitation(&b.token, &b.name, &b.password, client.0).await?;
    Ok(with_session(&s, actix_web::http::StatusCode::OK, session))
}
