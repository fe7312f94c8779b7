//! Wire types of the member area: sessions, the library, the profile.

use serde::{Deserialize, Serialize};
use tollgate_http_macros::bounds;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::{UserResponse, rfc3339};
use crate::routes::selling::MediaResponse;

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberLoginRequest {
    pub app_id: String,
    #[bound(length(min = 1, max = 254))]
    pub email: String,
    #[bound(length(min = 1, max = 256))]
    pub password: String,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkRequest {
    pub app_id: String,
    #[bound(length(min = 1, max = 254))]
    #[validate(email)]
    pub email: String,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkVerifyRequest {
    /// The `token` query parameter of the emailed link.
    #[bound(length(min = 10, max = 300))]
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

#[derive(Debug, Serialize, ToSchema)]
pub struct ProgressResponse {
    pub completed_pages: i64,
    pub total_pages: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RedirectResponse {
    /// Send the member's browser here.
    pub url: String,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ProfileRequest {
    #[bound(length(max = 200))]
    pub name: Option<String>,
    #[bound(length(min = 3, max = 254))]
    #[validate(email)]
    pub email: Option<String>,
    /// Needed to change email or password once a password is set.
    #[bound(length(max = 256))]
    pub current_password: Option<String>,
    #[bound(length(min = 10, max = 256))]
    pub new_password: Option<String>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConfirmEmailRequest {
    /// The `token` query parameter of the emailed confirmation link.
    #[bound(length(min = 10, max = 300))]
    pub token: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailConfirmedResponse {
    /// The member's sign-in email from now on.
    pub email: String,
}
