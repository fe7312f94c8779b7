//! The member area: member sessions (password, magic link), the public app,
//! and the area itself: library, content, progress, media, checkout, billing
//! portal, profile.

pub mod dto;

use actix_web::{HttpRequest, HttpResponse, delete, get, patch, post, web};
use tollgate_app::Services;
use tollgate_app::auth::TokenPair;
use tollgate_domain::ids::{AppId, PageId, ProductId};
use tollgate_domain::user::User;

pub use self::dto::*;
use crate::dto::Accepted;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{ClientIp, MemberAuth, ValidJson, path_id};
use crate::routes::auth::{MEMBER_REFRESH_COOKIE, read_cookie, refresh_cookie};
use crate::routes::stripe::{PurchaseList, SubscriptionList};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(member_login)
        .service(request_magic_link)
        .service(verify_magic_link)
        .service(member_refresh)
        .service(member_logout)
        .service(member_me)
        .service(public_app)
        .service(default_app)
        .service(library)
        .service(public_library)
        .service(product)
        .service(complete_page)
        .service(uncomplete_page)
        .service(media)
        .service(media_played)
        .service(checkout)
        .service(billing_portal)
        .service(update_profile)
        .service(cancel_pending_email)
        .service(confirm_email)
        .service(purchases)
        .service(subscriptions);
}

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

// ---------- the member area ----------

fn library_items(items: Vec<tollgate_app::member_area::LibraryItem>) -> LibraryResponse {
    LibraryResponse {
        data: items
            .into_iter()
            .map(|i| LibraryItemResponse {
                product_id: i.product.id.into_string(),
                name: i.product.fields.name,
                description: i.product.fields.description,
                image_url: i.product.fields.image_url,
                locked: !i.has_access,
                has_access: i.has_access,
                purchase_target: i.purchase_target.map(|t| PurchaseTargetResponse {
                    kind: t.kind,
                    url: t.url,
                }),
                completed_pages: i.completed_pages,
                total_pages: i.total_pages,
            })
            .collect(),
    }
}

/// The member's library: every product they can open, and locked cards with their purchase target.
#[utoipa::path(tag = "member", security(("member_bearer" = [])), responses((status = 200, body = LibraryResponse), (status = 401, body = Problem)))]
#[get("/member/library")]
pub async fn library(s: web::Data<Services>, m: MemberAuth) -> ApiResult<web::Json<LibraryResponse>> {
    Ok(web::Json(library_items(s.library(&m.0.app_id, Some(&m.0.user_id)).await?)))
}

/// The library a visitor sees: products shown as locked cards with their purchase target.
#[utoipa::path(tag = "member", params(("app_id" = String, Path)), responses((status = 200, body = LibraryResponse), (status = 404, body = Problem)))]
#[get("/public/apps/{app_id}/library")]
pub async fn public_library(s: web::Data<Services>, app: web::Path<String>) -> ApiResult<web::Json<LibraryResponse>> {
    let app = path_id(&app, "app", tollgate_domain::ids::AppId::parse)?;
    s.get_app(&app).await?;
    Ok(web::Json(library_items(s.library(&app, None).await?)))
}

/// A product's content for a member with access (403 `no_access` otherwise).
#[utoipa::path(tag = "member", security(("member_bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = MemberProductResponse), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/member/products/{id}")]
pub async fn product(s: web::Data<Services>, m: MemberAuth, id: web::Path<String>) -> ApiResult<web::Json<MemberProductResponse>> {
    let id = path_id(&id, "product", ProductId::parse)?;
    let c = s.member_product(&m.0.app_id, &m.0.user_id, &id).await?;
    let done = c.pages.iter().filter(|(_, d)| *d).count() as i64;
    let total = c.pages.len() as i64;
    Ok(web::Json(MemberProductResponse {
        product_id: c.product.id.into_string(),
        name: c.product.fields.name,
        description: c.product.fields.description,
        image_url: c.product.fields.image_url,
        pages: c.pages.into_iter().map(|(p, d)| MemberPage {
                id: p.id.into_string(),
                title: p.title,
                body_html: tollgate_app::markdown::to_html(&p.body),
                body: p.body,
                position: p.position,
                completed: d,
            }).collect(),
        media: c.media.into_iter().map(Into::into).collect(),
        completed_pages: done,
        total_pages: total,
    }))
}

/// Ticks a page in the progress tracker (User Page Completed; User Product Completed once all are ticked).
#[utoipa::path(tag = "member", security(("member_bearer" = [])), params(("id" = String, Path), ("page_id" = String, Path)),
    responses((status = 200, body = ProgressResponse), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[post("/member/products/{id}/pages/{page_id}/complete")]
pub async fn complete_page(s: web::Data<Services>, m: MemberAuth, path: web::Path<(String, String)>) -> ApiResult<web::Json<ProgressResponse>> {
    let id = path_id(&path.0, "product", ProductId::parse)?;
    let page = path_id(&path.1, "page", PageId::parse)?;
    let (done, total) = s.set_page_complete(&m.0.app_id, &m.0.user_id, &id, &page, true).await?;
    Ok(web::Json(ProgressResponse { completed_pages: done, total_pages: total }))
}

/// Unticks a page.
#[utoipa::path(tag = "member", security(("member_bearer" = [])), params(("id" = String, Path), ("page_id" = String, Path)),
    responses((status = 200, body = ProgressResponse), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[delete("/member/products/{id}/pages/{page_id}/complete")]
pub async fn uncomplete_page(s: web::Data<Services>, m: MemberAuth, path: web::Path<(String, String)>) -> ApiResult<web::Json<ProgressResponse>> {
    let id = path_id(&path.0, "product", ProductId::parse)?;
    let page = path_id(&path.1, "page", PageId::parse)?;
    let (done, total) = s.set_page_complete(&m.0.app_id, &m.0.user_id, &id, &page, false).await?;
    Ok(web::Json(ProgressResponse { completed_pages: done, total_pages: total }))
}

/// Downloads a hosted file (records User File Downloaded for files).
#[utoipa::path(tag = "member", security(("member_bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, content_type = "application/octet-stream", body = Vec<u8>), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/member/media/{id}")]
pub async fn media(s: web::Data<Services>, m: MemberAuth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    if !id.starts_with("med_") || id.len() > 64 {
        return Err(crate::error::ApiError::not_found("media"));
    }
    let (meta, body) = s.member_media(&m.0.app_id, &m.0.user_id, &id).await?;
    let disposition = if meta.kind == "file" { "attachment" } else { "inline" };
    let safe_name: String = meta.filename.chars().filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '-' | '_' | ' ')).collect();
    Ok(HttpResponse::Ok()
        .insert_header(("content-type", meta.content_type.as_str()))
        .insert_header(("content-disposition", format!("{disposition}; filename=\"{safe_name}\"")))
        .insert_header(("x-content-type-options", "nosniff"))
        // Streamed from storage in chunks, with its length known up front.
        .no_chunking(body.size)
        .streaming(futures_util::StreamExt::map(body.chunks, |c| c.map(actix_web::web::Bytes::from))))
}

/// Reports that the member pressed play on hosted video or audio (User Video Watched / Audio Listened).
#[utoipa::path(tag = "member", security(("member_bearer" = [])), params(("id" = String, Path)),
    responses((status = 204), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[post("/member/media/{id}/played")]
pub async fn media_played(s: web::Data<Services>, m: MemberAuth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    if !id.starts_with("med_") || id.len() > 64 {
        return Err(crate::error::ApiError::not_found("media"));
    }
    s.member_media_played(&m.0.app_id, &m.0.user_id, &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// "Buy": a Stripe Checkout session for this member (their customer or email prefilled).
#[utoipa::path(tag = "member", security(("member_bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = RedirectResponse), (status = 404, body = Problem), (status = 409, body = Problem, description = "checkout_disabled"),
        (status = 422, body = Problem, description = "stripe_rejected: Stripe refused the request (its path, status and message are in `stripe`)"),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[post("/member/products/{id}/checkout")]
pub async fn checkout(s: web::Data<Services>, m: MemberAuth, id: web::Path<String>) -> ApiResult<web::Json<RedirectResponse>> {
    let id = path_id(&id, "product", ProductId::parse)?;
    let start = s.member_checkout(&m.0.app_id, &m.0.user_id, &id).await?;
    Ok(web::Json(RedirectResponse { url: start.url }))
}

/// A Stripe Customer Portal session ("Billing" in the profile menu).
#[utoipa::path(tag = "member", security(("member_bearer" = [])),
    responses((status = 200, body = RedirectResponse), (status = 409, body = Problem, description = "portal_disabled or no_billing_account"),
        (status = 422, body = Problem, description = "stripe_rejected: Stripe refused the request (its path, status and message are in `stripe`)"),
        (status = 502, body = Problem, description = "stripe_misconfigured: Stripe refused the key, or the API base URL does not lead to Stripe"),
        (status = 503, body = Problem, description = "stripe_unavailable: Stripe did not answer (timeout, network, 5xx); try again later")))]
#[post("/member/billing-portal")]
pub async fn billing_portal(s: web::Data<Services>, m: MemberAuth) -> ApiResult<web::Json<RedirectResponse>> {
    Ok(web::Json(RedirectResponse { url: s.member_portal(&m.0.app_id, &m.0.user_id).await? }))
}

/// Updates the member's profile. Name and password change at once; a new
/// email does not: it becomes `pending_email`, a confirmation link goes to the
/// new address (valid 24 hours, see POST /member/confirm-email) and a notice
/// to the current one. A new request replaces a pending one. At most 5 email
/// changes an hour; wrong current passwords count like failed logins.
#[utoipa::path(tag = "member", security(("member_bearer" = [])), request_body = ProfileRequest,
    responses((status = 200, body = MemberProfileResponse),
        (status = 422, body = Problem, description = "validation_failed: wrong current_password, email taken, new_password too_short or too_weak, …"),
        (status = 429, body = Problem, description = "too_many_attempts: too many email changes this hour, or too many wrong passwords; see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")))))]
#[patch("/member/me")]
pub async fn update_profile(s: web::Data<Services>, m: MemberAuth, client: ClientIp, body: ValidJson<ProfileRequest>) -> ApiResult<web::Json<MemberProfileResponse>> {
    let b = body.0;
    Ok(web::Json(s.update_own_profile(&m.0.app_id, &m.0.user_id, b.name, b.email, b.current_password, b.new_password, client.0).await?.into()))
}

/// Cancels the member's pending email change; its confirmation link stops working.
#[utoipa::path(tag = "member", security(("member_bearer" = [])),
    responses((status = 200, body = MemberProfileResponse), (status = 404, body = Problem, description = "no change is pending")))]
#[delete("/member/me/pending-email")]
pub async fn cancel_pending_email(s: web::Data<Services>, m: MemberAuth) -> ApiResult<web::Json<MemberProfileResponse>> {
    Ok(web::Json(s.cancel_email_change(&m.0.app_id, &m.0.user_id).await?.into()))
}

/// Confirms a member's new email with the token from the link sent to it; the
/// token decides who (no sign-in needed) and works once.
#[utoipa::path(tag = "member", request_body = ConfirmEmailRequest,
    responses((status = 200, body = EmailConfirmedResponse),
        (status = 409, body = Problem, description = "email_taken: another member uses the address now; the change is dropped"),
        (status = 422, body = Problem, description = "validation_failed on `token`: invalid_token (unknown, used, cancelled or replaced) or token_expired")))]
#[post("/member/confirm-email")]
pub async fn confirm_email(s: web::Data<Services>, body: ValidJson<ConfirmEmailRequest>) -> ApiResult<web::Json<EmailConfirmedResponse>> {
    let u = s.confirm_email_change(&body.0.token).await?;
    Ok(web::Json(EmailConfirmedResponse { email: u.email.to_string() }))
}

/// The member's purchases (Purchases tab).
#[utoipa::path(tag = "member", security(("member_bearer" = [])), responses((status = 200, body = PurchaseList)))]
#[get("/member/purchases")]
pub async fn purchases(s: web::Data<Services>, m: MemberAuth) -> ApiResult<web::Json<PurchaseList>> {
    let list = s.member_purchases(&m.0.app_id, &m.0.user_id).await?;
    Ok(web::Json(PurchaseList { data: list.into_iter().map(Into::into).collect() }))
}

/// The member's subscriptions with status and renewal date.
#[utoipa::path(tag = "member", security(("member_bearer" = [])), responses((status = 200, body = SubscriptionList)))]
#[get("/member/subscriptions")]
pub async fn subscriptions(s: web::Data<Services>, m: MemberAuth) -> ApiResult<web::Json<SubscriptionList>> {
    let subs = s.member_subscriptions(&m.0.app_id, &m.0.user_id).await?;
    Ok(web::Json(SubscriptionList { data: subs.into_iter().map(Into::into).collect() }))
}
