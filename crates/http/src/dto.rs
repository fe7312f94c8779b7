//! Wire types: what the API accepts and returns.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tollgate_domain::access::AccessGrant;
use tollgate_domain::app::App;
use tollgate_domain::page::Page;
use tollgate_domain::product::ContentPage;
use tollgate_persistence::api_keys::ApiKey;
use tollgate_persistence::jobs::Job;
use tollgate_persistence::outbox::OutboxEmail;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::extract::double_option;

/// Members, products and activities have one wire shape, shared with the
/// payloads of outbound events.
pub use tollgate_app::wire::{ActivityResponse, ProductResponse, UserResponse, rfc3339};

/// A page of a list, in a stable order. Pass `next_cursor` as `cursor` to read the next page.
#[derive(Debug, Serialize, ToSchema)]
pub struct ListResponse<T> {
    pub data: Vec<T>,
    pub has_more: bool,
    pub next_cursor: Option<String>,
    /// How many items match in all (only where the list offers `include_total`, when asked).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub total: Option<i64>,
}

impl<T> ListResponse<T> {
    pub fn from_page<U>(p: Page<U>, f: impl FnMut(U) -> T) -> Self {
        let next_cursor = p.next_cursor;
        ListResponse { data: p.items.into_iter().map(f).collect(), has_more: next_cursor.is_some(), next_cursor, total: None }
    }
}

/// Paging parameters shared by lists.
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ListQuery {
    /// How many items to return (1 to 100, default 25).
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[validate(length(min = 1, max = 100))]
    pub cursor: Option<String>,
}


// ---------- app ----------

#[derive(Debug, Serialize, ToSchema)]
pub struct AppResponse {
    pub id: String,
    pub name: String,
    pub site_url: Option<String>,
    pub support_email: Option<String>,
    /// Days without login after which a member counts as inactive.
    pub inactivity_threshold_days: u16,
    /// Days a past_due subscription keeps access.
    pub past_due_grace_days: u16,
    /// Whether a full refund of a one-off purchase removes its access.
    pub refund_revokes_access: bool,
    /// The site's logo on member pages, the public sales page and emails.
    pub logo_url: Option<String>,
    /// `#rrggbb`: buttons and links on member pages.
    pub accent_color: Option<String>,
    pub favicon_url: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<App> for AppResponse {
    fn from(a: App) -> Self {
        AppResponse {
            id: a.id.into_string(),
            name: a.name,
            site_url: a.site_url,
            support_email: a.support_email,
            inactivity_threshold_days: a.settings.inactivity_threshold_days,
            past_due_grace_days: a.settings.past_due_grace_days,
            refund_revokes_access: a.settings.refund_revokes_access,
            logo_url: a.branding.logo_url,
            accent_color: a.branding.accent_color.map(|c| c.as_str().to_owned()),
            favicon_url: a.branding.favicon_url,
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAppRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub site_url: Option<Option<String>>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub support_email: Option<Option<String>>,
    /// 1 to 3650 (checked with the other fields, so every error is reported at once).
    pub inactivity_threshold_days: Option<i64>,
    /// 0 to 90.
    pub past_due_grace_days: Option<i64>,
    pub refund_revokes_access: Option<bool>,
    /// An http(s) URL of the logo; null or "" removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub logo_url: Option<Option<String>>,
    /// `#rrggbb` (invalid_color otherwise); null or "" goes back to the default.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub accent_color: Option<Option<String>>,
    /// An http(s) URL of the favicon; null or "" removes it.
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub favicon_url: Option<Option<String>>,
}

// ---------- auth ----------

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    #[validate(length(min = 3, max = 254), email)]
    pub email: String,
    #[validate(length(min = 10, max = 256))]
    pub password: String,
    #[serde(default)]
    #[validate(length(max = 200))]
    pub name: String,
    #[validate(length(min = 1, max = 200))]
    pub app_name: String,
    pub site_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SetupStatus {
    /// True until the first admin exists.
    pub needs_setup: bool,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[validate(length(min = 1, max = 254))]
    pub email: String,
    #[validate(length(min = 1, max = 256))]
    pub password: String,
    /// The app to open; default: the first app the admin joined.
    pub app_id: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SwitchAppRequest {
    pub app_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AdminResponse {
    pub id: String,
    pub email: String,
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MembershipResponse {
    pub app_id: String,
    pub app_name: String,
    pub role: String,
}

/// An admin session. The refresh token travels only in an httpOnly cookie.
#[derive(Debug, Serialize, ToSchema)]
pub struct SessionResponse {
    /// Short-lived bearer token; keep it in memory only. Null on `GET /auth/me`.
    pub access_token: Option<String>,
    pub token_type: String,
    /// Seconds until the access token expires.
    pub expires_in: Option<i64>,
    pub admin: AdminResponse,
    pub app: AppResponse,
    /// owner | admin | viewer
    pub role: String,
    pub apps: Vec<MembershipResponse>,
}

impl From<tollgate_app::usecases::admin_auth::Session> for SessionResponse {
    fn from(s: tollgate_app::usecases::admin_auth::Session) -> Self {
        SessionResponse {
            access_token: s.tokens.as_ref().map(|t| t.access_token.clone()),
            token_type: "Bearer".into(),
            expires_in: s.tokens.as_ref().map(|t| t.expires_in),
            admin: AdminResponse { id: s.admin.id.into_string(), email: s.admin.email.to_string(), name: s.admin.name },
            app: s.app.into(),
            role: s.role.as_str().into(),
            apps: s
                .memberships
                .into_iter()
                .map(|m| MembershipResponse { app_id: m.app_id.into_string(), app_name: m.app_name, role: m.role.as_str().into() })
                .collect(),
        }
    }
}

// ---------- products ----------

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProductRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: String,
    #[validate(length(max = 20000))]
    pub description: Option<String>,
    #[validate(length(max = 2048))]
    pub image_url: Option<String>,
    /// none (default) | sales_page_then_checkout | direct_checkout | external_url
    pub purchase_method: Option<String>,
    #[validate(length(max = 2048))]
    pub external_url: Option<String>,
    pub show_locked_card: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProductRequest {
    #[validate(length(min = 1, max = 200))]
    pub name: Option<String>,
    #[validate(length(max = 20000))]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub image_url: Option<Option<String>>,
    pub purchase_method: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub external_url: Option<Option<String>>,
    pub show_locked_card: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[validate(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Include archived products (default false).
    pub include_archived: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse {
    pub id: String,
    pub product_id: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// The body rendered to sanitized HTML (what members see).
    pub body_html: String,
    pub position: i32,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<ContentPage> for PageResponse {
    fn from(p: ContentPage) -> Self {
        PageResponse {
            id: p.id.into_string(),
            product_id: p.product_id.into_string(),
            title: p.title,
            body_html: tollgate_app::markdown::to_html(&p.body),
            body: p.body,
            position: p.position,
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageListResponse {
    /// The product's pages in reading order.
    pub data: Vec<PageResponse>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePageRequest {
    #[validate(length(min = 1, max = 200))]
    pub title: String,
    #[validate(length(max = 200000))]
    pub body: Option<String>,
    /// Reading order; default: after the last page.
    #[validate(range(min = 0, max = 100000))]
    pub position: Option<i64>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePageRequest {
    #[validate(length(min = 1, max = 200))]
    pub title: Option<String>,
    #[validate(length(max = 200000))]
    pub body: Option<String>,
    #[validate(range(min = 0, max = 100000))]
    pub position: Option<i64>,
}

// ---------- members ----------

/// The signed-in member's own account, with an email change waiting for confirmation.
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberProfileResponse {
    pub id: String,
    /// The sign-in email in use (a requested change applies only once the new address confirms it).
    pub email: String,
    pub name: String,
    pub has_password: bool,
    #[schema(format = DateTime)]
    pub last_login_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// The address a confirmation link was sent to; null when no change is pending.
    pub pending_email: Option<String>,
    /// When that link stops working.
    #[schema(format = DateTime)]
    pub pending_email_expires_at: Option<String>,
}

impl From<tollgate_app::member_area::MemberProfile> for MemberProfileResponse {
    fn from(p: tollgate_app::member_area::MemberProfile) -> Self {
        let u = UserResponse::from(p.user);
        MemberProfileResponse {
            id: u.id,
            email: u.email,
            name: u.name,
            has_password: u.has_password,
            last_login_at: u.last_login_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
            pending_email: p.pending_email.as_ref().map(|c| c.new_email.to_string()),
            pending_email_expires_at: p.pending_email.map(|c| rfc3339(c.expires_at)),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[validate(length(min = 3, max = 254), email)]
    pub email: String,
    #[validate(length(max = 200))]
    pub name: Option<String>,
    /// Optional; members can also log in with a magic link.
    #[validate(length(min = 10, max = 256))]
    pub password: Option<String>,
    /// Email the member an invitation with a login link (default false).
    pub send_invite: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[validate(length(min = 3, max = 254), email)]
    pub email: Option<String>,
    #[validate(length(max = 200))]
    pub name: Option<String>,
    #[validate(length(min = 10, max = 256))]
    pub password: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UserListQuery {
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[validate(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Matches the start of the email or any part of the name, case-insensitively.
    #[validate(length(max = 200))]
    pub q: Option<String>,
    /// Members in this lifecycle stage (a stage name).
    #[validate(length(min = 1, max = 40))]
    pub stage: Option<String>,
    /// Members whose renewal date falls within this many days from now (1 to 366).
    #[validate(range(min = 1, max = 366))]
    pub renews_within_days: Option<i64>,
    /// Members with access to this product now (a product id).
    #[validate(length(min = 1, max = 64))]
    pub has_product: Option<String>,
    /// Members without access to this product now.
    #[validate(length(min = 1, max = 64))]
    pub lacks_product: Option<String>,
    /// Members holding an open grant from this source (manual, stripe_subscription, stripe_purchase, import, api, automation, activecampaign, keap…).
    #[validate(length(min = 1, max = 40))]
    pub source: Option<String>,
    /// MRR at least this many minor units.
    #[validate(range(min = 0))]
    pub mrr_min: Option<i64>,
    /// MRR at most this many minor units.
    #[validate(range(min = 0))]
    pub mrr_max: Option<i64>,
    /// Last login on or after this UTC day (`YYYY-MM-DD`).
    #[validate(length(max = 10))]
    pub last_login_after: Option<String>,
    /// Last login before this UTC day (`YYYY-MM-DD`), or never.
    #[validate(length(max = 10))]
    pub last_login_before: Option<String>,
    /// `active` or `inactive` (past the app's inactivity threshold).
    #[validate(length(max = 10))]
    pub status: Option<String>,
    /// Created on or after this UTC day (`YYYY-MM-DD`).
    #[validate(length(max = 10))]
    pub created_after: Option<String>,
    /// Created before this UTC day (`YYYY-MM-DD`).
    #[validate(length(max = 10))]
    pub created_before: Option<String>,
    /// Also count every member matching the filters (`total` in the answer).
    pub include_total: Option<bool>,
}

impl UserListQuery {
    /// The filters of this query.
    pub fn filter(&self) -> tollgate_domain::members::RawMemberFilter {
        tollgate_domain::members::RawMemberFilter {
            q: self.q.clone(),
            stage: self.stage.clone(),
            renews_within_days: self.renews_within_days,
            has_product: self.has_product.clone(),
            lacks_product: self.lacks_product.clone(),
            source: self.source.clone(),
            mrr_min: self.mrr_min,
            mrr_max: self.mrr_max,
            last_login_after: self.last_login_after.clone(),
            last_login_before: self.last_login_before.clone(),
            status: self.status.clone(),
            created_after: self.created_after.clone(),
            created_before: self.created_before.clone(),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantResponse {
    pub id: String,
    pub user_id: String,
    pub product_id: String,
    /// manual | stripe_subscription | stripe_purchase | import | crm_tag | api | automation | activecampaign | keap
    pub source: String,
    /// The outside object behind the grant (Stripe subscription, charge, tag…).
    pub source_ref: Option<String>,
    pub reason: Option<String>,
    #[schema(format = DateTime)]
    pub granted_at: String,
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<String>,
    /// Whether the grant gives access now.
    pub active: bool,
}

impl GrantResponse {
    pub fn new(g: AccessGrant, now: OffsetDateTime) -> Self {
        GrantResponse {
            active: g.is_active(now),
            id: g.id.into_string(),
            user_id: g.user_id.into_string(),
            product_id: g.product_id.into_string(),
            source: g.source.as_str().into(),
            source_ref: g.source_ref,
            reason: g.reason,
            granted_at: rfc3339(g.granted_at),
            ends_at: g.ends_at.map(rfc3339),
            revoked_at: g.revoked_at.map(rfc3339),
            revoke_reason: g.revoke_reason,
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantAccessRequest {
    pub product_id: String,
    /// When access ends by itself (RFC 3339); default: open-ended.
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    #[validate(length(max = 500))]
    pub reason: Option<String>,
    /// Email the member that access was granted (default true).
    pub notify: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeAccessRequest {
    #[validate(length(max = 500))]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GrantListQuery {
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[validate(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Only grants of this product.
    pub product_id: Option<String>,
}

// ---------- activities ----------

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[validate(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Comma-separated kinds, e.g. `user.login,product.access_granted`.
    #[validate(length(max = 1000))]
    pub kind: Option<String>,
    pub user_id: Option<String>,
    pub product_id: Option<String>,
    /// Inclusive lower bound (RFC 3339).
    pub since: Option<String>,
    /// Exclusive upper bound (RFC 3339).
    pub until: Option<String>,
}

// ---------- api keys ----------

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyResponse {
    pub id: String,
    pub name: String,
    /// The last four characters of the secret, to tell keys apart.
    pub last4: String,
    pub scopes: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

impl From<ApiKey> for ApiKeyResponse {
    fn from(k: ApiKey) -> Self {
        ApiKeyResponse {
            id: k.id.into_string(),
            name: k.name,
            last4: k.last4,
            scopes: k.scopes.iter().map(|s| s.to_string()).collect(),
            created_at: rfc3339(k.created_at),
            last_used_at: k.last_used_at.map(rfc3339),
            revoked_at: k.revoked_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    #[validate(length(min = 1, max = 100))]
    pub name: String,
    /// e.g. ["products:read", "users:write"]
    #[validate(length(min = 1, max = 32))]
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyResponse {
    pub key: ApiKeyResponse,
    /// The full key. Shown this once; only its hash is stored.
    pub secret: String,
}

// ---------- jobs, emails ----------

#[derive(Debug, Serialize, ToSchema)]
pub struct JobResponse {
    pub id: String,
    pub kind: String,
    /// queued | running | succeeded | dead
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    #[schema(format = DateTime)]
    pub run_at: String,
    pub last_error: Option<String>,
    pub progress_done: Option<i64>,
    pub progress_total: Option<i64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
}

impl From<Job> for JobResponse {
    fn from(j: Job) -> Self {
        JobResponse {
            id: j.id.into_string(),
            kind: j.kind,
            status: j.status.as_str().into(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: rfc3339(j.run_at),
            last_error: j.last_error,
            progress_done: j.progress_done,
            progress_total: j.progress_total,
            created_at: rfc3339(j.created_at),
            finished_at: j.finished_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobListQuery {
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[validate(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// queued | running | succeeded | dead
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailResponse {
    pub id: String,
    /// magic_link | member_invite | access_granted | admin_invite | endpoint_disabled | …
    pub template: String,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// queued | sent | logged (no SMTP configured) | failed (being retried)
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub sent_at: Option<String>,
}

impl From<OutboxEmail> for EmailResponse {
    fn from(e: OutboxEmail) -> Self {
        EmailResponse {
            id: e.id.into_string(),
            template: e.template,
            to: e.to_email,
            subject: e.subject,
            text_body: e.text_body,
            html_body: e.html_body,
            status: e.status,
            attempts: e.attempts,
            last_error: e.last_error,
            created_at: rfc3339(e.created_at),
            sent_at: e.sent_at.map(rfc3339),
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmailListQuery {
    #[validate(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[validate(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Only messages to this address.
    #[validate(length(max = 254))]
    pub to: Option<String>,
}

// ---------- member area ----------

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberLoginRequest {
    pub app_id: String,
    #[validate(length(min = 1, max = 254))]
    pub email: String,
    #[validate(length(min = 1, max = 256))]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkRequest {
    pub app_id: String,
    #[validate(length(min = 1, max = 254), email)]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkVerifyRequest {
    /// The `token` query parameter of the emailed link.
    #[validate(length(min = 10, max = 300))]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberSessionResponse {
    /// The site the member belongs to.
    pub app_id: String,
    pub access_token: String,
    pub token_type: String,
    pub expires_in: i64,
    pub user: MemberUserResponse,
}

/// The signed-in member, as the member sees themselves (no admin-side figures such as stage or MRR).
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberUserResponse {
    pub id: String,
    pub email: String,
    pub name: String,
    pub has_password: bool,
    #[schema(format = DateTime)]
    pub last_login_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<tollgate_domain::user::User> for MemberUserResponse {
    fn from(u: tollgate_domain::user::User) -> Self {
        let u = UserResponse::from(u);
        MemberUserResponse {
            id: u.id,
            email: u.email,
            name: u.name,
            has_password: u.has_password,
            last_login_at: u.last_login_at,
            created_at: u.created_at,
            updated_at: u.updated_at,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Accepted {
    /// Always "accepted": the answer does not reveal whether the email is a member.
    pub status: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}

// ---------- team ----------

/// An admin on the app's team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMemberResponse {
    pub id: String,
    pub email: String,
    pub name: String,
    /// owner | admin | viewer
    pub role: String,
    /// When they joined this app's team.
    #[schema(format = DateTime)]
    pub joined_at: String,
}

impl From<tollgate_persistence::admins::TeamMember> for TeamMemberResponse {
    fn from(m: tollgate_persistence::admins::TeamMember) -> Self {
        TeamMemberResponse {
            id: m.admin.id.into_string(),
            email: m.admin.email.to_string(),
            name: m.admin.name,
            role: m.role.as_str().into(),
            joined_at: rfc3339(m.joined_at),
        }
    }
}

/// Who sent an invitation.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitedByResponse {
    pub id: String,
    pub email: String,
    pub name: String,
}

/// An invitation that is neither accepted nor revoked (it may have expired).
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationResponse {
    pub id: String,
    pub email: String,
    /// owner | admin | viewer
    pub role: String,
    pub invited_by: InvitedByResponse,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// True once `expires_at` has passed: the link no longer works; invite again.
    pub expired: bool,
}

impl InvitationResponse {
    pub fn new(i: tollgate_persistence::invitations::OpenInvitation, now: OffsetDateTime) -> Self {
        let inv = i.invitation;
        InvitationResponse {
            id: inv.id.into_string(),
            email: inv.email.to_string(),
            role: inv.role.as_str().into(),
            invited_by: InvitedByResponse { id: inv.invited_by.into_string(), email: i.invited_by_email, name: i.invited_by_name },
            created_at: rfc3339(inv.created_at),
            expires_at: rfc3339(inv.expires_at),
            expired: inv.expires_at <= now,
        }
    }
}

/// The app's team and its open invitations.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamResponse {
    pub admins: Vec<TeamMemberResponse>,
    pub invitations: Vec<InvitationResponse>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    #[validate(length(min = 3, max = 254))]
    pub email: String,
    /// owner | admin | viewer. Admins may invite admins and viewers; only owners invite owners.
    pub role: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAdminRequest {
    /// owner | admin | viewer
    pub role: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationTokenRequest {
    /// The `token` parameter of the invitation link.
    #[validate(length(min = 1, max = 300))]
    pub token: String,
}

/// What an invitation link is for, before accepting it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPreviewResponse {
    pub email: String,
    pub role: String,
    pub app_name: String,
    pub invited_by_name: String,
    /// True when this email already has a Tollgate admin account: accept with its password (name is ignored).
    pub account_exists: bool,
    #[schema(format = DateTime)]
    pub expires_at: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    #[validate(length(min = 1, max = 300))]
    pub token: String,
    /// Your name, for a new account (ignored when the account exists).
    #[serde(default)]
    #[validate(length(max = 200))]
    pub name: String,
    /// A new password (10 to 256 characters), or the existing account's password.
    #[validate(length(min = 1, max = 256))]
    pub password: String,
}
