//! Wire types of the team: admins, invitations, roles.

use serde::{Deserialize, Serialize};
use tollgate_http_macros::bounds;
use utoipa::ToSchema;
use validator::Validate;
use time::OffsetDateTime;
use tollgate_app::usecases::team::{OpenInvitationView, TeamMemberView};

use crate::dto::rfc3339;
pub use tollgate_domain::auth::Role;

/// An admin on the app's team.
#[derive(Debug, Serialize, ToSchema)]
pub struct TeamMemberResponse {
    pub id: String,
    pub email: String,
    pub name: String,
    pub role: Role,
    /// When they joined this app's team.
    #[schema(format = DateTime)]
    pub joined_at: String,
}

impl From<TeamMemberView> for TeamMemberResponse {
    fn from(m: TeamMemberView) -> Self {
        TeamMemberResponse {
            id: m.id.into_string(),
            email: m.email.to_string(),
            name: m.name,
            role: m.role,
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
    pub role: Role,
    pub invited_by: InvitedByResponse,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub expires_at: String,
    /// True once `expires_at` has passed: the link no longer works; invite again.
    pub expired: bool,
}

impl InvitationResponse {
    pub fn new(inv: OpenInvitationView, now: OffsetDateTime) -> Self {
        InvitationResponse {
            id: inv.id.into_string(),
            email: inv.email.to_string(),
            role: inv.role,
            invited_by: InvitedByResponse { id: inv.invited_by.into_string(), email: inv.invited_by_email, name: inv.invited_by_name },
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

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateInvitationRequest {
    #[bound(length(min = 3, max = 254))]
    pub email: String,
    /// Admins may invite admins and viewers; only owners invite owners.
    #[schema(value_type = Role)]
    pub role: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAdminRequest {
    #[schema(value_type = Role)]
    pub role: String,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct InvitationTokenRequest {
    /// The `token` parameter of the invitation link.
    #[bound(length(min = 1, max = 300))]
    pub token: String,
}

/// What an invitation link is for, before accepting it.
#[derive(Debug, Serialize, ToSchema)]
pub struct InvitationPreviewResponse {
    pub email: String,
    pub role: Role,
    pub app_name: String,
    pub invited_by_name: String,
    /// True when this email already has a Tollgate admin account: accept with its password (name is ignored).
    pub account_exists: bool,
    #[schema(format = DateTime)]
    pub expires_at: String,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AcceptInvitationRequest {
    #[bound(length(min = 1, max = 300))]
    pub token: String,
    /// Your name, for a new account (ignored when the account exists).
    #[serde(default)]
    #[bound(length(max = 200))]
    pub name: String,
    /// A new password (10 to 256 characters), or the existing account's password.
    #[bound(length(min = 1, max = 256))]
    pub password: String,
}
