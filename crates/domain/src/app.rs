use time::OffsetDateTime;

use crate::ids::AppId;

/// A tenant: one membership site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct App {
    pub id: AppId,
    pub name: String,
    pub site_url: Option<String>,
    pub support_email: Option<String>,
    pub settings: AppSettings,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// The rules a site owner tunes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct AppSettings {
    /// Days without a login after which a member counts as inactive (User Inactive).
    pub inactivity_threshold_days: u16,
    /// Days a `past_due` subscription keeps access before it is removed.
    pub past_due_grace_days: u16,
    /// Whether a full refund of a one-off purchase removes the access it gave.
    pub refund_revokes_access: bool,
}

impl Default for AppSettings {
    fn default() -> Self {
        Self { inactivity_threshold_days: 30, past_due_grace_days: 7, refund_revokes_access: true }
    }
}

pub const MAX_INACTIVITY_DAYS: u16 = 3650;
pub const MAX_GRACE_DAYS: u16 = 90;
