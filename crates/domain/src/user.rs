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
    /// Lifecycle stage, MRR and renewal date, kept current from the member's subscriptions.
    pub customer: crate::stages::CustomerFigures,
}

pub fn user_name(s: &str) -> Result<String, crate::error::FieldProblem> {
    crate::error::text(s, 0, 200)
}

/// A member's request to change their sign-in email, waiting for the new
/// address to confirm it (the email stays unchanged until then).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PendingEmailChange {
    pub app_id: AppId,
    pub user_id: UserId,
    pub new_email: Email,
    pub expires_at: OffsetDateTime,
    pub created_at: OffsetDateTime,
}

impl PendingEmailChange {
    pub fn is_expired(&self, now: OffsetDateTime) -> bool {
        self.expires_at <= now
    }
}
