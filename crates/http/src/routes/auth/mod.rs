//! First-run setup, admin sessions, and "forgot password?" for admins (an
//! emailed link, then a new password with it).

pub mod dto;

use actix_web::cookie::{Cookie, SameSite, time::Duration as CookieDuration};
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use tollgate_app::Services;
use tollgate_app::auth::{Principal, TokenPair};
use tollgate_app::usecases::admin_auth::NewAdminAndApp;
use tollgate_domain::ids::AppId;

pub use self::dto::*;
use crate::dto::Accepted;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ClientIp, ValidJson, path_id};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(setup_status)
        .service(setup)
        .service(login)
        .service(refresh)
        .service(logout)
        .service(request_password_reset)
        .service(confirm_password_reset)
        .service(me)
        .service(switch_app);
}

pub const ADMIN_REFRESH_COOKIE: &str = "tollgate_admin_refresh";
pub const MEMBER_REFRESH_COOKIE: &str = "tollgate_member_refresh";

/// The refresh cookie: httpOnly, SameSite=Strict, scoped to the auth paths,
/// Secure when Tollgate is served over https.
pub fn refresh_cookie(s: &Services, name: &'static str, path: &'static str, t: Option<&TokenPair>) -> Cookie<'static> {
    let secure = s.config.public_url.starts_with("https://");
    let mut c = Cookie::build(name, t.map(|t| t.refresh_token.clone()).unwrap_or_default())
        .path(path)
        .http_only(true)
        .secure(secure)
        .same_site(SameSite::Strict)
        .finish();
    match t {
        Some(t) => c.set_max_age(CookieDuration::seconds(t.refresh_max_age)),
        None => c.make_removal(),
    }
    c
}

pub fn read_cookie(req: &HttpRequest, name: &str) -> Option<String> {
    req.cookie(name).map(|c| c.value().to_owned()).filter(|v| !v.is_empty() && v.len() <= 512)
}

pub(crate) fn with_session(s: &Services, status: actix_web::http::StatusCode, session: tollgate_app::usecases::admin_auth::Session) -> HttpResponse {
    let cookie = refresh_cookie(s, ADMIN_REFRESH_COOKIE, "/api/v1/auth", session.tokens.as_ref());
    HttpResponse::build(status).cookie(cookie).json(SessionResponse::from(session))
}

/// Whether Tollgate still needs its first admin.
#[utoipa::path(tag = "auth", responses((status = 200, body = SetupStatus)))]
#[get("/setup")]
pub async fn setup_status(s: web::Data<Services>) -> ApiResult<web::Json<SetupStatus>> {
    Ok(web::Json(SetupStatus { needs_setup: s.needs_setup().await? }))
}

/// Creates the first admin and their app, and logs them in. Refused once an admin exists.
#[utoipa::path(tag = "auth", request_body = SetupRequest, responses(
    (status = 201, body = SessionResponse, description = "Also sets the httpOnly refresh cookie"),
    (status = 409, body = Problem, description = "already_set_up"),
    (status = 422, body = Problem, description = "validation_failed, e.g. `password`: too_short or too_weak (with advice)"),
))]
#[post("/setup")]
pub async fn setup(s: web::Data<Services>, client: ClientIp, body: ValidJson<SetupRequest>) -> ApiResult<HttpResponse> {
    let b = body.0;
    let pw = b.password.clone();
    let email = b.email.clone();
    s.create_admin_and_app(NewAdminAndApp { email: b.email, password: b.password, name: b.name, app_name: b.app_name, site_url: b.site_url }, true)
        .await?;
    let session = s.admin_login(&email, &pw, None, client.0).await?;
    Ok(with_session(&s, actix_web::http::StatusCode::CREATED, session))
}

/// Logs an admin in: returns a short-lived access token and sets the refresh cookie.
/// After 10 failed passwords for one email the account is locked for a
/// minute, doubling with each further failure (up to an hour); too many
/// failures from one address are refused too. Both answer 429.
#[utoipa::path(tag = "auth", request_body = LoginRequest, responses(
    (status = 200, body = SessionResponse),
    (status = 401, body = Problem, description = "invalid_credentials"),
    (status = 422, body = Problem),
    (status = 429, body = Problem, description = "too_many_attempts: too many failed passwords for this account or from this address; see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait"))),
))]
#[post("/auth/login")]
pub async fn login(s: web::Data<Services>, client: ClientIp, body: ValidJson<LoginRequest>) -> ApiResult<HttpResponse> {
    let b = body.0;
    let app = b.app_id.as_deref().map(AppId::parse).transpose().map_err(|p| ApiError::field("app_id", p.code, p.message))?;
    let session = s.admin_login(&b.email, &b.password, app.as_ref(), client.0).await?;
    Ok(with_session(&s, actix_web::http::StatusCode::OK, session))
}

/// Trades the refresh cookie for a new access token (and a new refresh cookie).
#[utoipa::path(tag = "auth", responses(
    (status = 200, body = SessionResponse),
    (status = 401, body = Problem, description = "invalid_refresh_token"),
))]
#[post("/auth/refresh")]
pub async fn refresh(s: web::Data<Services>, req: HttpRequest) -> ApiResult<HttpResponse> {
    let token = read_cookie(&req, ADMIN_REFRESH_COOKIE).ok_or_else(|| ApiError::unauthorized("invalid_refresh_token", "no session cookie; log in"))?;
    // A failed refresh leaves the cookie alone: when two tabs refresh at once,
    // the loser's answer must not delete the cookie the winner just received.
    let session = s.admin_refresh(&token).await?;
    Ok(with_session(&s, actix_web::http::StatusCode::OK, session))
}

/// Ends the session of the refresh cookie.
#[utoipa::path(tag = "auth", responses((status = 204)))]
#[post("/auth/logout")]
pub async fn logout(s: web::Data<Services>, req: HttpRequest) -> ApiResult<HttpResponse> {
    if let Some(t) = read_cookie(&req, ADMIN_REFRESH_COOKIE) {
        s.end_session(&t).await?;
    }
    Ok(HttpResponse::NoContent().cookie(refresh_cookie(&s, ADMIN_REFRESH_COOKIE, "/api/v1/auth", None)).finish())
}

/// The current admin, app and role.
#[utoipa::path(tag = "auth", security(("bearer" = [])), responses((status = 200, body = SessionResponse), (status = 401, body = Problem)))]
#[get("/auth/me")]
pub async fn me(s: web::Data<Services>, auth: Auth) -> ApiResult<web::Json<SessionResponse>> {
    match auth.0 {
        Principal::Admin { admin_id, app_id, .. } => Ok(web::Json(s.admin_session_info(&admin_id, &app_id).await?.into())),
        Principal::ApiKey { .. } => Err(ApiError::new(actix_web::http::StatusCode::FORBIDDEN, "admin_only", "API keys have no admin session")),
    }
}

/// Opens a session in another app the admin belongs to.
#[utoipa::path(tag = "auth", security(("bearer" = [])), request_body = SwitchAppRequest, responses((status = 200, body = SessionResponse), (status = 403, body = Problem)))]
#[post("/auth/switch")]
pub async fn switch_app(s: web::Data<Services>, auth: Auth, body: ValidJson<SwitchAppRequest>) -> ApiResult<HttpResponse> {
    let Principal::Admin { admin_id, .. } = auth.0 else {
        return Err(ApiError::new(actix_web::http::StatusCode::FORBIDDEN, "admin_only", "API keys cannot switch apps"));
    };
    let app = path_id(&body.0.app_id, "app", AppId::parse).map_err(|_| ApiError::field("app_id", "invalid_id", "is not an app id"))?;
    let session = s.admin_switch_app(&admin_id, &app).await?;
    Ok(with_session(&s, actix_web::http::StatusCode::OK, session))
}

// ---------- password reset ----------

/// Emails a single-use link (valid for one hour) to set a new password, when the email is an admin's.
/// The answer is the same either way; an account gets at most a few links an hour (later requests send nothing).
#[utoipa::path(tag = "auth", request_body = PasswordResetRequest, responses((status = 202, body = Accepted), (status = 422, body = Problem, description = "validation_failed: `email` is not an email address"),
    (status = 429, body = Problem, description = "too_many_attempts: too many requests from this address; see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")))))]
#[post("/auth/password-reset")]
pub async fn request_password_reset(s: web::Data<Services>, client: ClientIp, body: ValidJson<PasswordResetRequest>) -> ApiResult<HttpResponse> {
    s.request_admin_password_reset(&body.0.email, client.0).await?;
    Ok(HttpResponse::Accepted().json(Accepted { status: "accepted".into() }))
}

/// Sets a new password with the emailed token. The link works once; every session of the account ends (log in again).
#[utoipa::path(tag = "auth", request_body = PasswordResetConfirm, responses((status = 204),
    (status = 422, body = Problem, description = "validation_failed: `token` invalid_token (unknown or used) or token_expired; `password` too_short or too_weak (with advice)")))]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(s: web::Data<Services>, body: ValidJson<PasswordResetConfirm>) -> ApiResult<HttpResponse> {
    s.reset_admin_password(&body.0.token, &body.0.password).await?;
    Ok(HttpResponse::NoContent().finish())
}
