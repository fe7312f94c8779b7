//! Member sessions for the member area.

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use tollgate_app::Services;
use tollgate_app::auth::TokenPair;
use tollgate_domain::ids::AppId;
use tollgate_domain::user::User;

use crate::dto::{Accepted, MagicLinkRequest, MagicLinkVerifyRequest, MemberLoginRequest, MemberProfileResponse, MemberSessionResponse};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ClientIp, MemberAuth, ValidJson};
use crate::routes::auth::{MEMBER_REFRESH_COOKIE, read_cookie, refresh_cookie};

const PATH: &str = "/api/v1/member/auth";

fn session(s: &Services, user: User, t: TokenPair) -> HttpResponse {
    let cookie = refresh_cookie(s, MEMBER_REFRESH_COOKIE, PATH, Some(&t));
    HttpResponse::Ok().cookie(cookie).json(MemberSessionResponse {
        app_id: user.app_id.to_string(),
        access_token: t.access_token,
        token_type: "Bearer".into(),
        expires_in: t.expires_in,
        user: user.into(),
    })
}

fn app_id(v: &str) -> ApiResult<AppId> {
    AppId::parse(v).map_err(|p| ApiError::field("app_id", p.code, p.message))
}

/// Member login with email and password (records User Login). Throttled
/// like admin login: per email in the site and per client address (429).
#[utoipa::path(tag = "member", request_body = MemberLoginRequest,
    responses((status = 200, body = MemberSessionResponse), (status = 401, body = Problem), (status = 422, body = Problem),
    (status = 429, body = Problem, description = "too_many_attempts: too many failed passwords for this account or from this address; see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait"))),))]
#[post("/member/auth/login")]
pub async fn member_login(s: web::Data<Services>, client: ClientIp, body: ValidJson<MemberLoginRequest>) -> ApiResult<HttpResponse> {
    let b = body.0;
    let (u, t) = s.member_password_login(&app_id(&b.app_id)?, &b.email, &b.password, client.0).await?;
    Ok(session(&s, u, t))
}

/// Emails a single-use login link (15 minutes). Answers 202 whether or not the email is a member.
/// A member gets at most 5 links an hour: further requests answer 202 too but
/// send nothing. Too many requests from one address answer 429.
#[utoipa::path(tag = "member", request_body = MagicLinkRequest, responses((status = 202, body = Accepted), (status = 422, body = Problem),
    (status = 429, body = Problem, description = "too_many_attempts: too many requests from this address; see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")))))]
#[post("/member/auth/magic-link")]
pub async fn request_magic_link(s: web::Data<Services>, client: ClientIp, body: ValidJson<MagicLinkRequest>) -> ApiResult<HttpResponse> {
    let b = body.0;
    s.request_magic_link(&app_id(&b.app_id)?, &b.email, client.0).await?;
    Ok(HttpResponse::Accepted().json(Accepted { status: "accepted".into() }))
}

/// Logs in with a magic link's token (records User Login). The token works once.
#[utoipa::path(tag = "member", request_body = MagicLinkVerifyRequest,
    responses((status = 200, body = MemberSessionResponse), (status = 401, body = Problem, description = "invalid_magic_link")))]
#[post("/member/auth/magic-link/verify")]
pub async fn verify_magic_link(s: web::Data<Services>, body: ValidJson<MagicLinkVerifyRequest>) -> ApiResult<HttpResponse> {
    let (u, t) = s.member_magic_login(&body.0.token).await?;
    Ok(session(&s, u, t))
}

#[utoipa::path(tag = "member", responses((status = 200, body = MemberSessionResponse), (status = 401, body = Problem)))]
#[post("/member/auth/refresh")]
pub async fn member_refresh(s: web::Data<Services>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let token = read_cookie(&req, MEMBER_REFRESH_COOKIE).ok_or_else(|| ApiError::unauthorized("invalid_refresh_token", "no session cookie; log in"))?;
    let (u, t) = s.member_refresh(&token).await?;
    Ok(session(&s, u, t))
}

#[utoipa::path(tag = "member", responses((status = 204)))]
#[post("/member/auth/logout")]
pub async fn member_logout(s: web::Data<Services>, req: HttpRequest) -> ApiResult<HttpResponse> {
    if let Some(t) = read_cookie(&req, MEMBER_REFRESH_COOKIE) {
        s.end_session(&t).await?;
    }
    Ok(HttpResponse::NoContent().cookie(refresh_cookie(&s, MEMBER_REFRESH_COOKIE, PATH, None)).finish())
}

/// The logged-in member, with an email change waiting for confirmation.
#[utoipa::path(tag = "member", security(("member_bearer" = [])), responses((status = 200, body = MemberProfileResponse), (status = 401, body = Problem)))]
#[get("/member/me")]
pub async fn member_me(s: web::Data<Services>, m: MemberAuth) -> ApiResult<web::Json<MemberProfileResponse>> {
    Ok(web::Json(s.member_profile(&m.0.app_id, &m.0.user_id).await?.into()))
}

#[derive(Debug, serde::Serialize, utoipa::ToSchema)]
pub struct PublicApp {
    pub id: String,
    pub name: String,
    pub site_url: Option<String>,
    /// Whether members can open the Stripe billing portal ("Billing" in the profile menu).
    pub billing_portal_enabled: bool,
    pub logo_url: Option<String>,
    /// `#rrggbb`, or null for the default.
    pub accent_color: Option<String>,
    pub favicon_url: Option<String>,
}

async fn public_app_of(s: &Services, a: tollgate_domain::app::App) -> ApiResult<PublicApp> {
    let portal = s.portal_settings(&a.id).await?.enabled;
    Ok(PublicApp {
        id: a.id.into_string(),
        name: a.name,
        site_url: a.site_url,
        billing_portal_enabled: portal,
        logo_url: a.branding.logo_url,
        accent_color: a.branding.accent_color.map(|c| c.as_str().to_owned()),
        favicon_url: a.branding.favicon_url,
    })
}

/// A site's public name (for the member login page).
#[utoipa::path(tag = "member", params(("app_id" = String, Path)), responses((status = 200, body = PublicApp), (status = 404, body = Problem)))]
#[get("/public/apps/{app_id}")]
pub async fn public_app(s: web::Data<Services>, app: web::Path<String>) -> ApiResult<web::Json<PublicApp>> {
    let id = crate::extract::path_id(&app, "app", AppId::parse)?;
    let a = s.get_app(&id).await?;
    Ok(web::Json(public_app_of(&s, a).await?))
}

/// The site of a single-site install (404 when the install hosts several), so
/// the member area works without an app id in its URL.
#[utoipa::path(tag = "member", responses((status = 200, body = PublicApp), (status = 404, body = Problem)))]
#[get("/public/default-app")]
pub async fn default_app(s: web::Data<Services>) -> ApiResult<web::Json<PublicApp>> {
    let a = s.default_app().await?.ok_or_else(|| ApiError::not_found("default app"))?;
    Ok(web::Json(public_app_of(&s, a).await?))
}
