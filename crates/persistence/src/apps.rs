use tollgate_domain::app::{AccentColor, App, AppSettings, Branding};
use tollgate_domain::ids::AppId;

use crate::{Conn, DbError, DbResult, at, ms, on};

#[derive(sqlx::FromRow)]
struct AppRow {
    id: String,
    name: String,
    site_url: Option<String>,
    support_email: Option<String>,
    inactivity_threshold_days: i64,
    past_due_grace_days: i64,
    refund_revokes_access: bool,
    logo_url: Option<String>,
    accent_color: Option<String>,
    favicon_url: Option<String>,
    created_at: i64,
    updated_at: i64,
}

impl TryFrom<AppRow> for App {
    type Error = DbError;
    fn try_from(r: AppRow) -> Result<Self, DbError> {
        Ok(App {
            id: AppId::from_trusted(r.id),
            name: r.name,
            site_url: r.site_url,
            support_email: r.support_email,
            settings: AppSettings {
                inactivity_threshold_days: u16::try_from(r.inactivity_threshold_days).map_err(DbError::corrupt)?,
                past_due_grace_days: u16::try_from(r.past_due_grace_days).map_err(DbError::corrupt)?,
                refund_revokes_access: r.refund_revokes_access,
            },
            branding: Branding {
                logo_url: r.logo_url,
                accent_color: r.accent_color.map(|c| AccentColor::parse(&c).map_err(|p| DbError::corrupt(p.message))).transpose()?,
                favicon_url: r.favicon_url,
            },
            created_at: at(r.created_at),
            updated_at: at(r.updated_at),
        })
    }
}

macro_rules! cols {
    () => {
        "id, name, site_url, support_email, inactivity_threshold_days, past_due_grace_days, refund_revokes_access, \
         logo_url, accent_color, favicon_url, created_at, updated_at"
    };
}

pub async fn insert(conn: &mut Conn<'_>, app: &App) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO apps (id, name, site_url, support_email, inactivity_threshold_days, past_due_grace_days, refund_revokes_access, created_at, updated_at, \
             logo_url, accent_color, favicon_url) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)",
        )
        .bind(app.id.as_str())
        .bind(&app.name)
        .bind(&app.site_url)
        .bind(&app.support_email)
        .bind(app.settings.inactivity_threshold_days as i64)
        .bind(app.settings.past_due_grace_days as i64)
        .bind(app.settings.refund_revokes_access)
        .bind(ms(app.created_at))
        .bind(ms(app.updated_at))
        .bind(&app.branding.logo_url)
        .bind(app.branding.accent_color.as_ref().map(AccentColor::as_str))
        .bind(&app.branding.favicon_url)
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, id: &AppId) -> DbResult<Option<App>> {
    let row: Option<AppRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM apps WHERE id = $1"))
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    row.map(App::try_from).transpose()
}

/// Writes the editable fields of `app` (name, URLs, settings).
pub async fn update(conn: &mut Conn<'_>, app: &App) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE apps SET name = $2, site_url = $3, support_email = $4, inactivity_threshold_days = $5, \
         past_due_grace_days = $6, refund_revokes_access = $7, updated_at = $8, logo_url = $9, accent_color = $10, favicon_url = $11 WHERE id = $1",
    )
    .bind(app.id.as_str())
    .bind(&app.name)
    .bind(&app.site_url)
    .bind(&app.support_email)
    .bind(app.settings.inactivity_threshold_days as i64)
    .bind(app.settings.past_due_grace_days as i64)
    .bind(app.settings.refund_revokes_access)
    .bind(ms(app.updated_at))
    .bind(&app.branding.logo_url)
    .bind(app.branding.accent_color.as_ref().map(AccentColor::as_str))
    .bind(&app.branding.favicon_url)
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// App ids in id order: all of them, or the first `n` (two tell a single-site install).
pub async fn list_ids(conn: &mut Conn<'_>, n: Option<i64>) -> DbResult<Vec<AppId>> {
    let ids: Vec<(String,)> = on!(conn, c => sqlx::query_as("SELECT id FROM apps ORDER BY id LIMIT $1").bind(n.unwrap_or(i64::MAX)).fetch_all(&mut **c).await?);
    Ok(ids.into_iter().map(|(s,)| AppId::from_trusted(s)).collect())
}
