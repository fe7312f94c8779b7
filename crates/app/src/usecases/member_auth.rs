//! Member login for the member area: password or magic link.

use std::net::IpAddr;

use tollgate_domain::activity::NewActivity;
use tollgate_domain::activity::data::{ActivityData, LoginMethod, UserActivateData, UserLoginData};
use tollgate_domain::email::Email;
use tollgate_domain::ids::{AppId, UserId};
use tollgate_domain::user::User;
use tollgate_persistence::sessions::SubjectKind;
use tollgate_persistence::{apps, magic_links, users};

use crate::auth::TokenPair;
use crate::crypto::{random_token, token_hash, verify_password_async};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::mail;
use crate::services::Services;
use crate::throttle::Account;

impl Services {
    /// Member login with a password; throttled per client IP and per email in the app.
    pub async fn member_password_login(&self, app: &AppId, email: &str, pw: &str, client: Option<IpAddr>) -> AppResult<(User, TokenPair)> {
        let bad = || AppError::unauthorized("invalid_credentials", "email or password is wrong");
        let attempt = self.password_attempt(client, Account::Member(app, email)).await?;
        let email = Email::parse(email).ok();
        let mut c = self.db.acquire().await?;
        let found = match &email {
            Some(e) => users::find_credentials(&mut c.conn(), app, e).await?,
            None => None,
        };
        drop(c);
        let hash = found.as_ref().and_then(|(_, h)| h.as_deref());
        if !verify_password_async(pw, hash).await {
            self.password_failed(attempt).await?;
            return Err(bad());
        }
        self.password_ok(attempt).await?;
        let (user, _) = found.ok_or_else(bad)?;
        self.member_logged_in(app, &user.id, LoginMethod::Password).await
    }

    /// Emails a single-use login link if the member exists. Always succeeds,
    /// so the answer does not tell whether an email is a member; a member
    /// over `magic_links_per_hour` gets no more links for now, with the same
    /// answer. Too many requests from one client IP are refused (429).
    pub async fn request_magic_link(&self, app: &AppId, email: &str, client: Option<IpAddr>) -> AppResult<()> {
        let Ok(email) = Email::parse(email) else { return Err(AppError::field("email", "invalid_email", "must be an email address")) };
        self.throttle.ip_send(client)?;
        let mut tx = self.db.begin().await?;
        let Some(appv) = apps::find(&mut tx.conn(), app).await? else { return Err(AppError::NotFound("app")) };
        let Some(user) = users::find_by_email(&mut tx.conn(), app, &email).await? else {
            tracing::info!(app_id = %app, "magic link asked for an unknown email");
            return Ok(());
        };
        let cap = self.throttle.settings().magic_links_per_hour;
        if self.count_send(&mut tx.conn(), "magic_link", app, user.id.as_str(), cap).await?.is_err() {
            tx.commit().await?;
            tracing::warn!(app_id = %app, user_id = %user.id, "magic link not sent: the member asked for too many this hour");
            return Ok(());
        }
        let now = self.now();
        let raw = random_token();
        magic_links::insert(&mut tx.conn(), app, &token_hash(&raw), &user.id, now + self.config.magic_link_ttl, now).await?;
        let link = self.magic_link_url(app, &raw);
        mail::enqueue(&mut tx.conn(), app, user.email.as_str(), mail::magic_link(&mail::Site::of(Some(&appv)), &link, self.config.magic_link_ttl.whole_minutes()), now).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(())
    }

    /// Uses a magic link (`<app_id>.<token>`) and opens a member session.
    pub async fn member_magic_login(&self, token: &str) -> AppResult<(User, TokenPair)> {
        let bad = || AppError::unauthorized("invalid_magic_link", "this login link is invalid, expired or already used");
        let (app, raw) = token.split_once('.').ok_or_else(bad)?;
        let app = AppId::parse(app).map_err(|_| bad())?;
        let mut c = self.db.acquire().await?;
        let user = magic_links::consume(&mut c.conn(), &app, &token_hash(raw), self.now()).await?.ok_or_else(bad)?;
        drop(c);
        self.member_logged_in(&app, &user, LoginMethod::MagicLink).await
    }

    /// Records User Login (and User Activate after a long absence) and issues tokens.
    async fn member_logged_in(&self, app: &AppId, user: &UserId, method: LoginMethod) -> AppResult<(User, TokenPair)> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let appv = apps::find(&mut tx.conn(), app).await?.ok_or(AppError::NotFound("app"))?;
        let prev = users::record_login(&mut tx.conn(), app, user, now).await?;
        let threshold = time::Duration::days(appv.settings.inactivity_threshold_days as i64);
        // Back after crossing the threshold: marked inactive by the sweep, or
        // the sweep has not run yet but the gap says so.
        let was_marked = users::clear_inactive(&mut tx.conn(), app, user).await?;
        if was_marked || prev.is_some_and(|p| now - p >= threshold) {
            record(&mut tx.conn(), app, NewActivity::of(ActivityData::UserActivate(UserActivateData {}), Some(user.clone()), None, now)).await?;
        }
        record(&mut tx.conn(), app, NewActivity::of(ActivityData::UserLogin(UserLoginData { method }), Some(user.clone()), None, now)).await?;
        let tokens = self.issue_tokens(&mut tx.conn(), SubjectKind::Member, user.as_str(), app).await?;
        let u = users::find(&mut tx.conn(), app, user).await?.ok_or(AppError::NotFound("user"))?;
        tx.commit().await?;
        Ok((u, tokens))
    }

    pub async fn member_refresh(&self, refresh: &str) -> AppResult<(User, TokenPair)> {
        let (app, subject, tokens) = self.rotate_refresh(refresh, SubjectKind::Member).await?;
        let u = self.get_member(&app, &UserId::from_trusted(subject)).await?;
        Ok((u, tokens))
    }
}
