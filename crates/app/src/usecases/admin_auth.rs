//! First-run setup, admin accounts and admin sessions.

use std::net::IpAddr;

use time::OffsetDateTime;
use tollgate_domain::app::{App, AppSettings};
use tollgate_domain::auth::{Role, password};
use tollgate_domain::email::Email;
use tollgate_domain::error::{ValidationErrors, http_url, text};
use tollgate_domain::ids::{AdminId, AppId};
use tollgate_persistence::admins::{self, Admin, Membership};
use tollgate_persistence::sessions::SubjectKind;
use tollgate_persistence::{DbError, Unique, apps};

use crate::auth::TokenPair;
use crate::crypto::{hash_password_async, verify_password_async};
use crate::error::{AppError, AppResult};
use crate::throttle::Account;
use crate::services::Services;

/// Input of first-run setup and of `tollgate admin create`.
#[derive(Debug, Clone)]
pub struct NewAdminAndApp {
    pub email: String,
    pub password: String,
    pub name: String,
    pub app_name: String,
    pub site_url: Option<String>,
}

/// An admin (their password hash stays inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AdminView {
    pub id: AdminId,
    pub email: Email,
    pub name: String,
    pub created_at: OffsetDateTime,
}

impl From<Admin> for AdminView {
    fn from(a: Admin) -> Self {
        AdminView { id: a.id, email: a.email, name: a.name, created_at: a.created_at }
    }
}

/// An app an admin belongs to, with their role in it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppMembership {
    pub app_id: AppId,
    pub app_name: String,
    pub role: Role,
}

impl From<Membership> for AppMembership {
    fn from(m: Membership) -> Self {
        AppMembership { app_id: m.app_id, app_name: m.app_name, role: m.role }
    }
}

#[derive(Debug, Clone)]
pub struct Session {
    pub admin: AdminView,
    pub app: App,
    pub role: Role,
    pub memberships: Vec<AppMembership>,
    pub tokens: Option<TokenPair>,
}

impl Services {
    pub async fn needs_setup(&self) -> AppResult<bool> {
        let mut c = self.db.acquire().await?;
        Ok(admins::count(&mut c.conn()).await? == 0)
    }

    /// Creates an admin who owns a new app. With `only_if_first`, refuses
    /// once any admin exists (the unauthenticated setup endpoint).
    pub async fn create_admin_and_app(&self, input: NewAdminAndApp, only_if_first: bool) -> AppResult<(AdminView, App)> {
        let mut errs = ValidationErrors::new();
        let email = errs.check("email", Email::parse(&input.email));
        let pw = errs.check("password", password(&input.password, &[&input.email, &input.name, &input.app_name]));
        let name = errs.check("name", text(&input.name, 0, 200));
        let app_name = errs.check("app_name", text(&input.app_name, 1, 200));
        let site_url = match input.site_url.as_deref().filter(|s| !s.trim().is_empty()) {
            Some(u) => errs.check("site_url", http_url(u)).map(Some),
            None => Some(None),
        };
        errs.clone().into_result()?;
        let (Some(email), Some(pw), Some(name), Some(app_name), Some(site_url)) = (email, pw, name, app_name, site_url) else {
            return Err(errs.into());
        };
        let hash = hash_password_async(&pw).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if only_if_first && admins::count(&mut tx.conn()).await? > 0 {
            return Err(AppError::conflict("already_set_up", "Tollgate already has an admin; log in instead"));
        }
        let app = App {
            id: AppId::new(),
            name: app_name,
            site_url,
            support_email: Some(email.to_string()),
            settings: AppSettings::default(),
            branding: Default::default(),
            created_at: now,
            updated_at: now,
        };
        let admin = Admin { id: AdminId::new(), email, name, created_at: now };
        apps::insert(&mut tx.conn(), &app).await?;
        match admins::insert(&mut tx.conn(), &admin, &hash).await {
            Err(DbError::Taken(Unique::AdminEmail)) => return Err(AppError::field("email", "taken", "an admin with this email exists")),
            r => r?,
        }
        admins::add_to_app(&mut tx.conn(), &app.id, &admin.id, Role::Owner, now).await?;
        tx.commit().await?;
        tracing::info!(admin_id = %admin.id, app_id = %app.id, "admin and app created");
        Ok((admin.into(), app))
    }

    /// Checks an admin's password and opens a session in `app` (default:
    /// the first app they joined). Throttled per client IP and per email
    /// (see [`crate::throttle`]).
    pub async fn admin_login(&self, email: &str, pw: &str, app: Option<&AppId>, client: Option<IpAddr>) -> AppResult<Session> {
        let bad = || AppError::unauthorized("invalid_credentials", "email or password is wrong");
        let attempt = self.password_attempt(client, Account::Admin(email)).await?;
        let email = Email::parse(email).ok();
        let mut c = self.db.acquire().await?;
        let creds = match &email {
            Some(e) => admins::find_by_email(&mut c.conn(), e).await?,
            None => None,
        };
        // The connection goes back to the pool while the hash is checked.
        drop(c);
        // Unknown emails cost the same time and count as failures too.
        if !verify_password_async(pw, creds.as_ref().map(|c| c.password_hash.as_str())).await {
            self.password_failed(attempt).await?;
            return Err(bad());
        }
        self.password_ok(attempt).await?;
        let admin = creds.ok_or_else(bad)?.admin;
        self.open_admin_session(admin, app).await
    }

    pub(crate) async fn open_admin_session(&self, admin: Admin, app: Option<&AppId>) -> AppResult<Session> {
        let mut tx = self.db.begin().await?;
        let memberships = admins::memberships(&mut tx.conn(), &admin.id).await?;
        let m = match app {
            Some(a) => memberships.iter().find(|m| &m.app_id == a).ok_or_else(|| AppError::forbidden("not_a_member", "you are not an admin of this app"))?,
            None => memberships.first().ok_or_else(|| AppError::forbidden("no_apps", "this admin belongs to no app"))?,
        }
        .clone();
        let appv = apps::find(&mut tx.conn(), &m.app_id).await?.ok_or(AppError::NotFound("app"))?;
        // A sign-in (or a switch of app) is recorded in the app it opens, with the session.
        tollgate_persistence::audit::set_actor(&m.app_id, crate::audit::actor_of(&crate::auth::Principal::Admin { admin_id: admin.id.clone(), app_id: m.app_id.clone(), role: m.role }));
        tollgate_persistence::audit::set_target_id(&admin.id);
        let tokens = self.issue_tokens(&mut tx.conn(), SubjectKind::Admin, admin.id.as_str(), &m.app_id).await?;
        tx.commit().await?;
        Ok(Session { admin: admin.into(), app: appv, role: m.role, memberships: memberships.into_iter().map(AppMembership::from).collect(), tokens: Some(tokens) })
    }

    /// Rotates an admin refresh token.
    pub async fn admin_refresh(&self, refresh: &str) -> AppResult<Session> {
        let (app_id, subject, tokens) = self.rotate_refresh(refresh, SubjectKind::Admin).await?;
        let admin_id = AdminId::from_trusted(subject);
        let mut s = self.admin_session_info(&admin_id, &app_id).await?;
        s.tokens = Some(tokens);
        Ok(s)
    }

    /// Who the admin is and where (for `GET /auth/me`).
    pub async fn admin_session_info(&self, admin_id: &AdminId, app_id: &AppId) -> AppResult<Session> {
        let mut c = self.db.acquire().await?;
        let admin = admins::find_by_id(&mut c.conn(), admin_id)
            .await?
            .ok_or_else(|| AppError::unauthorized("invalid_token", "this admin no longer exists"))?;
        let memberships = admins::memberships(&mut c.conn(), admin_id).await?;
        let role = memberships
            .iter()
            .find(|m| &m.app_id == app_id)
            .map(|m| m.role)
            .ok_or_else(|| AppError::unauthorized("invalid_token", "this admin no longer belongs to the app"))?;
        let app = apps::find(&mut c.conn(), app_id).await?.ok_or(AppError::NotFound("app"))?;
        Ok(Session { admin: admin.into(), app, role, memberships: memberships.into_iter().map(AppMembership::from).collect(), tokens: None })
    }

    /// Opens a session in another app the admin belongs to.
    pub async fn admin_switch_app(&self, admin_id: &AdminId, app: &AppId) -> AppResult<Session> {
        let mut c = self.db.acquire().await?;
        let admin = admins::find_by_id(&mut c.conn(), admin_id).await?.ok_or(AppError::NotFound("admin"))?;
        drop(c);
        self.open_admin_session(admin, Some(app)).await
    }
}
