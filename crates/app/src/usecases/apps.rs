use tollgate_domain::app::{AccentColor, App, MAX_GRACE_DAYS, MAX_INACTIVITY_DAYS};
use tollgate_domain::email::Email;
use tollgate_domain::error::{FieldProblem, ValidationErrors, http_url, text};
use tollgate_domain::ids::AppId;
use tollgate_persistence::apps;

use crate::error::{AppError, AppResult};
use crate::services::Services;

/// A partial update of app settings; `Some(None)` clears an optional field.
#[derive(Debug, Clone, Default)]
pub struct AppPatch {
    pub name: Option<String>,
    pub site_url: Option<Option<String>>,
    pub support_email: Option<Option<String>>,
    pub inactivity_threshold_days: Option<i64>,
    pub past_due_grace_days: Option<i64>,
    pub refund_revokes_access: Option<bool>,
    pub logo_url: Option<Option<String>>,
    pub accent_color: Option<Option<String>>,
    pub favicon_url: Option<Option<String>>,
}

/// An optional http(s) URL: blank clears it.
fn optional_url(e: &mut ValidationErrors, field: &str, v: Option<String>) -> Option<String> {
    match v.filter(|s| !s.trim().is_empty()) {
        Some(u) => e.check(field, http_url(&u)),
        None => None,
    }
}

fn days(v: i64, max: u16) -> Result<u16, FieldProblem> {
    if (1..=max as i64).contains(&v) { Ok(v as u16) } else { Err(FieldProblem::new("out_of_range", format!("must be between 1 and {max}"))) }
}

impl Services {
    pub async fn get_app(&self, app: &AppId) -> AppResult<App> {
        let mut c = self.db.acquire().await?;
        apps::find(&mut c.conn(), app).await?.ok_or(AppError::NotFound("app"))
    }

    /// The only app of a single-site install; `None` when there are none or several.
    pub async fn default_app(&self) -> AppResult<Option<App>> {
        let mut c = self.db.acquire().await?;
        let ids = apps::list_ids(&mut c.conn(), Some(2)).await?;
        match ids.as_slice() {
            [only] => Ok(apps::find(&mut c.conn(), only).await?),
            _ => Ok(None),
        }
    }

    pub async fn update_app(&self, app_id: &AppId, p: AppPatch) -> AppResult<App> {
        let mut tx = self.db.begin().await?;
        let mut app = apps::find(&mut tx.conn(), app_id).await?.ok_or(AppError::NotFound("app"))?;
        tollgate_persistence::audit::set_before(serde_json::json!({"name": app.name, "site_url": app.site_url, "support_email": app.support_email}));
        let mut e = ValidationErrors::new();
        if let Some(n) = p.name {
            if let Some(v) = e.check("name", text(&n, 1, 200)) {
                app.name = v;
            }
        }
        if let Some(u) = p.site_url {
            app.site_url = match u.filter(|s| !s.trim().is_empty()) {
                Some(u) => e.check("site_url", http_url(&u)),
                None => None,
            };
        }
        if let Some(m) = p.support_email {
            app.support_email = match m.filter(|s| !s.trim().is_empty()) {
                Some(m) => e.check("support_email", Email::parse(&m)).map(|m| m.to_string()),
                None => None,
            };
        }
        if let Some(d) = p.inactivity_threshold_days {
            if let Some(v) = e.check("inactivity_threshold_days", days(d, MAX_INACTIVITY_DAYS)) {
                app.settings.inactivity_threshold_days = v;
            }
        }
        if let Some(d) = p.past_due_grace_days {
            let r = if d == 0 { Ok(0) } else { days(d, MAX_GRACE_DAYS) };
            if let Some(v) = e.check("past_due_grace_days", r) {
                app.settings.past_due_grace_days = v;
            }
        }
        if let Some(b) = p.refund_revokes_access {
            app.settings.refund_revokes_access = b;
        }
        if let Some(u) = p.logo_url {
            app.branding.logo_url = optional_url(&mut e, "logo_url", u);
        }
        if let Some(u) = p.favicon_url {
            app.branding.favicon_url = optional_url(&mut e, "favicon_url", u);
        }
        if let Some(c) = p.accent_color {
            app.branding.accent_color = match c.filter(|s| !s.trim().is_empty()) {
                Some(c) => e.check("accent_color", AccentColor::parse(&c)),
                None => None,
            };
        }
        e.into_result()?;
        app.updated_at = self.now();
        apps::update(&mut tx.conn(), &app).await?;
        tx.commit().await?;
        Ok(app)
    }
}
