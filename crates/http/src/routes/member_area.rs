//! The member area API: library, content, progress, media, checkout,
//! billing portal, profile.

use actix_web::{HttpResponse, delete, get, patch, post, web};
use serde::{Deserialize, Serialize};
use tollgate_app::Services;
use tollgate_domain::ids::{PageId, ProductId};
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::MemberProfileResponse;
use crate::error::{ApiResult, Problem};
use crate::extract::{ClientIp, MemberAuth, ValidJson, path_id};
use crate::routes::selling::MediaResponse;
use crate::routes::stripe::{PurchaseList, SubscriptionList};

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseTargetResponse {
    pub kind: tollgate_domain::selling::TargetKind,
    pub url: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryItemResponse {
    pub product_id: String,
    pub name: String,
    pub description: String,
    pub image_url: Option<String>,
    pub has_access: bool,
    /// Shown as a locked card (no access, and the product shows locked cards).
    pub locked: bool,
    /// Where a click on the locked card leads (null when not for sale or unlocked).
    pub purchase_target: Option<PurchaseTargetResponse>,
    /// Pages the member ticked (0 for visitors). A locked card of kind `checkout`
    /// can be bought by a logged-in member with POST /member/products/{id}/checkout.
    pub completed_pages: i64,
    pub total_pages: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct LibraryResponse {
    pub data: Vec<LibraryItemResponse>,
}

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

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPage {
    pub id: String,
    pub title: String,
    /// Markdown as written.
    pub body: String,
    /// The body rendered to sanitized HTML: safe to insert as markup.
    pub body_html: String,
    pub position: i32,
    pub completed: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberProductResponse {
    pub product_id: String,
    pub name: String,
    pub description: String,
    pub image_url: Option<String>,
    pub pages: Vec<MemberPage>,
    pub media: Vec<MediaResponse>,
    pub completed_pages: i64,
    pub total_pages: i64,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressResponse {
    pub completed_pages: i64,
    pub total_pages: i64,
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

#[derive(Debug, Serialize, ToSchema)]
pub struct RedirectResponse {
    /// Send the member's browser here.
    pub url: String,
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[validate(length(min = 3, max = 254), email)]
    #[schema(min_length = 3, max_length = 254)]
    pub email: Option<String>,
    /// Needed to change email or password once a password is set.
    #[validate(length(max = 256))]
    #[schema(max_length = 256)]
    pub current_password: Option<String>,
    #[validate(length(min = 10, max = 256))]
    #[schema(min_length = 10, max_length = 256)]
    pub new_password: Option<String>,
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailRequest {
    /// The `token` query parameter of the emailed confirmation link.
    #[validate(length(min = 10, max = 300))]
    #[schema(min_length = 10, max_length = 300)]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailConfirmedResponse {
    /// The member's sign-in email from now on.
    pub email: String,
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
