use time::OffsetDateTime;

use crate::email::Email;
use crate::ids::{AppId, UserId};

/// A member of a site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct User {
    pub id: UserId,
    pub app_id: AppId,
    pub email: Email,
    pub name: String,
    pub has_password: bool,
    pub last_login_at: Option<OffsetDateTime>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

pub fn user_name(s: &str) -> Result<String, crate::error::FieldProblem> {
    crate::error::text(s, 0, 200)
}
