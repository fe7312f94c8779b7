//! "Forgot password?" for admins: an emailed, single-use link (stored
//! hashed, valid for an hour) that sets a new password and ends every
//! session of the account. Requests are throttled like magic links: per
//! client IP (429) and per account and hour (extra requests answer the same
//! but send nothing), and the answer never tells whether the email has an
//! account.

use std::net::IpAddr;

use tollgate_domain::auth::password;
use tollgate_domain::email::Email;
use tollgate_persistence::sessions::SubjectKind;
use tollgate_persistence::{admins, password_resets, sessions};

use crate::crypto::{hash_password_async, random_token, token_hash};
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::services::Services;
use crate::throttle::Account;

/// How long a reset link works.
pub const RESET_TTL: time::Duration = time::Duration::hours(1);

impl Services {
    /// Emails a reset link when `email` is an admin's; always answers the same.
    pub async fn request_admin_password_reset(&self, email: &str, client: Option<IpAddr>) -> AppResult<()> {
        let Ok(parsed) = Email::parse(email) else { return Err(AppError::field("email", "invalid_email", "must be an email address")) };
        self.throttle.ip_send(client)?;
        let mut tx = self.db.begin().await?;
        let Some(creds) = admins::find_by_email(&mut tx.conn(), &parsed).await? else {
            tracing::info!("password reset asked for an unknown email");
            return Ok(());
        };
        let admin = creds.admin;
        let cap = self.throttle.settings().magic_links_per_hour;
        if self.count_account_send(&mut tx.conn(), "password_reset", Account::Admin(email), cap).await?.is_err() {
            tx.commit().await?;
            tracing::warn!(admin_id = %admin.id, "password reset not sent: too many asked for this hour");
            return Ok(());
        }
        // The email goes through the outbox of the first app the admin belongs to.
        let Some(app) = admins::memberships(&mut tx.conn(), &admin.id).await?.into_iter().next().map(|m| m.app_id) else {
            tracing::warn!(admin_id = %admin.id, "password reset not sent: the admin belongs to no app");
            return Ok(());
        };
        let now = self.now();
        let raw = random_token();
        password_resets::insert(&mut tx.conn(), &token_hash(&raw), &admin.id, now + RESET_TTL, now).await?;
        let link = format!("{}/reset-password?token={raw}", self.config.public_url);
        mail::enqueue(&mut tx.conn(), &app, admin.email.as_str(), mail::admin_password_reset(&link, RESET_TTL.whole_minutes()), now).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(())
    }

    /// Sets a new password with a reset link's token; every session of the admin ends.
    pub async fn reset_admin_password(&self, token: &str, new_password: &str) -> AppResult<()> {
        let hash = token_hash(token);
        let now = self.now();
        let link = {
            let mut c = self.db.acquire().await?;
            password_resets::find(&mut c.conn(), &hash).await?
        };
        let link = match link {
            None => return Err(AppError::field("token", "invalid_token", "this link is unknown or was already used; ask for a new one")),
            Some(l) if l.used => return Err(AppError::field("token", "invalid_token", "this link is unknown or was already used; ask for a new one")),
            Some(l) if l.expires_at <= now => return Err(AppError::field("token", "token_expired", "this link has expired; ask for a new one")),
            Some(l) => l,
        };
        let admin = {
            let mut c = self.db.acquire().await?;
            admins::find_by_id(&mut c.conn(), &link.admin_id).await?.ok_or(AppError::NotFound("admin"))?
        };
        let pw = password(new_password, &[admin.email.as_str(), &admin.name]).map_err(|p| AppError::field("password", p.code, p.message))?;
        let pw_hash = hash_password_async(&pw).await?;
        let mut tx = self.db.begin().await?;
        if !password_resets::consume(&mut tx.conn(), &hash, now).await? {
            return Err(AppError::field("token", "invalid_token", "this link is unknown or was already used; ask for a new one"));
        }
        password_resets::spend_all(&mut tx.conn(), &admin.id, now).await?;
        admins::set_password(&mut tx.conn(), &admin.id, &pw_hash, now).await?;
        let memberships = admins::memberships(&mut tx.conn(), &admin.id).await?;
        for m in &memberships {
            sessions::revoke_subject(&mut tx.conn(), &m.app_id, SubjectKind::Admin, admin.id.as_str(), now).await?;
        }
        // A security event in the audit log of every app the admin belongs to.
        let actors: Vec<_> = memberships
            .iter()
            .map(|m| (m.app_id.clone(), crate::audit::actor_of(&crate::auth::Principal::Admin { admin_id: admin.id.clone(), app_id: m.app_id.clone(), role: m.role })))
            .collect();
        tollgate_persistence::audit::record_per_app_in(&mut tx.conn(), &actors, admin.id.as_str()).await?;
        tx.commit().await?;
        tracing::info!(admin_id = %admin.id, "admin password reset; sessions ended");
        Ok(())
    }
}
