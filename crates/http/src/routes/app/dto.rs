//! Wire types of the app and its settings.

use serde::{Deserialize, Serialize};
use tollgate_domain::app::App;
use tollgate_http_macros::bounds;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rfc3339;
use crate::extract::double_option;

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

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAppRequest {
    #[bound(length(min = 1, max = 200))]
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
