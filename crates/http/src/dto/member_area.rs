//! The member area's sign-in and profile; health.

use super::*;

// ---------- member area ----------

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MemberLoginRequest {
    pub app_id: String,
    #[validate(length(min = 1, max = 254))]
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkRequest {
    pub app_id: String,
    #[validate(length(min = 1, max = 254), email)]
    #[schema(min_length = 1, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MagicLinkVerifyRequest {
    /// The `token` query parameter of the emailed link.
    #[validate(length(min = 10, max = 300))]
    #[schema(min_length = 10, max_length = 300)]
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
