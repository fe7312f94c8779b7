//! Wire types of setup, admin sessions and password resets.

use serde::{Deserialize, Serialize};
use tollgate_http_macros::bounds;
use utoipa::ToSchema;
use validator::Validate;

use crate::routes::app::AppResponse;

pub use tollgate_domain::auth::Role;

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SetupRequest {
    #[bound(length(min = 3, max = 254))]
    #[validate(email)]
    pub email: String,
    #[bound(length(min = 10, max = 256))]
    pub password: String,
    #[serde(default)]
    #[bound(length(max = 200))]
    pub name: String,
    #[bound(length(min = 1, max = 200))]
    pub app_name: String,
    pub site_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SetupStatus {
    /// True until the first admin exists.
    pub needs_setup: bool,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LoginRequest {
    #[bound(length(min = 1, max = 254))]
    pub email: String,
    #[bound(length(min = 1, max = 256))]
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
    pub role: Role,
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
    pub role: Role,
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
            role: s.role,
            apps: s
                .memberships
                .into_iter()
                .map(|m| MembershipResponse { app_id: m.app_id.into_string(), app_name: m.app_name, role: m.role })
                .collect(),
        }
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[bound(length(min = 3, max = 254))]
    pub email: String,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The `token` of the emailed link.
    #[bound(length(min = 1, max = 200))]
    pub token: String,
    #[bound(length(min = 1, max = 256))]
    pub password: String,
}
