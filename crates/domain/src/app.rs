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
    pub branding: Branding,
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

/// How member pages, the public sales page and emails look: the site's own
/// logo, accent colour and favicon instead of Tollgate's.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Branding {
    /// An http(s) URL, or a hosted image (`/api/v1/public/...`).
    pub logo_url: Option<String>,
    pub accent_color: Option<AccentColor>,
    pub favicon_url: Option<String>,
}

/// A colour as `#rrggbb` (lowercase); built only through [`AccentColor::parse`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccentColor(String);

impl AccentColor {
    pub fn parse(s: &str) -> Result<Self, crate::error::FieldProblem> {
        let t = s.trim();
        let hex = t.strip_prefix('#').unwrap_or("");
        if hex.len() == 6 && hex.bytes().all(|b| b.is_ascii_hexdigit()) {
            Ok(Self(format!("#{}", hex.to_ascii_lowercase())))
        } else {
            Err(crate::error::FieldProblem::new("invalid_color", "must be a colour like #1d4ed8"))
        }
    }
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

pub const MAX_INACTIVITY_DAYS: u16 = 3650;
pub const MAX_GRACE_DAYS: u16 = 90;

#[cfg(test)]
mod tests {
    use super::AccentColor;

    #[test]
    fn accent_colours_are_six_hex_digits() {
        assert_eq!(AccentColor::parse(" #1D4ED8 ").unwrap().as_str(), "#1d4ed8");
        for bad in ["1d4ed8", "#fff", "#1d4ed8ff", "#gggggg", "red", "", "#1d4ed"] {
            assert_eq!(AccentColor::parse(bad).unwrap_err().code, "invalid_color", "{bad}");
        }
    }
}
