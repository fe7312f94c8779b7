//! Email: templates, the outbox, and SMTP delivery (the `send_email` job;
//! the lettre transport itself is `mailer`).
//!
//! A message is first a row in `email_outbox` plus a `send_email` job, in
//! the same transaction as the change that caused it. The job delivers it
//! over SMTP and is retried with backoff while the server refuses. Without
//! SMTP configured the message is marked `logged` and stays readable through
//! `GET /api/v1/emails`, so magic links work on a fresh install.

use serde::{Deserialize, Serialize};
use tollgate_domain::ids::{AppId, EmailId};
use tollgate_persistence::outbox::{self, OutboxEmail};
use tollgate_persistence::Conn;

pub use crate::config::{SmtpConfig, SmtpTls};
use crate::error::{AppError, AppResult};
use crate::jobs::{JobCtx, JobError, JobSpec};
pub use crate::mailer::Mailer;
use crate::services::Services;

/// A rendered message.
#[derive(Debug, Clone)]
pub struct Rendered {
    pub template: &'static str,
    pub subject: String,
    pub text: String,
    pub html: String,
}

fn esc(s: &str) -> String {
    s.replace('&', "&amp;").replace('<', "&lt;").replace('>', "&gt;").replace('"', "&quot;").replace('\'', "&#39;")
}

/// The site an email comes from: its name, and its logo and accent colour when set.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Site {
    pub name: String,
    pub logo_url: Option<String>,
    pub accent: Option<String>,
}

impl Site {
    pub fn of(app: Option<&tollgate_domain::app::App>) -> Site {
        app.map(|a| Site {
            name: a.name.clone(),
            logo_url: a.branding.logo_url.clone(),
            accent: a.branding.accent_color.as_ref().map(|c| c.as_str().to_owned()),
        })
        .unwrap_or_default()
    }
}

impl std::fmt::Display for Site {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.name)
    }
}

/// The HTML frame of every email: the site's logo and name on a bar of its accent colour.
pub(crate) fn layout(site: &Site, body_html: &str) -> String {
    // The accent is `#rrggbb` (AccentColor), the logo an http(s) URL: both are checked when saved.
    let accent = site.accent.as_deref().unwrap_or("#111111");
    let logo = site
        .logo_url
        .as_deref()
        .map(|u| format!("<img src=\"{}\" alt=\"\" height=\"32\" style=\"height:32px;vertical-align:middle;margin-right:8px\">", esc(u)))
        .unwrap_or_default();
    format!(
        "<!doctype html><html><body style=\"font-family:system-ui,sans-serif;max-width:560px;margin:auto;padding:24px;color:#111\">\
         <p style=\"font-weight:600;border-top:4px solid {};padding-top:12px\">{}{}</p>{}</body></html>",
        esc(accent),
        logo,
        esc(&site.name),
        body_html
    )
}

pub fn magic_link(site: &Site, link: &str, minutes: i64) -> Rendered {
    Rendered {
        template: "magic_link",
        subject: format!("Your login link for {site}"),
        text: format!("Use this link to log in to {site}:\n\n{link}\n\nIt works once and expires in {minutes} minutes. If you did not ask for it, ignore this email.\n"),
        html: layout(
            site,
            &format!(
                "<p>Use this link to log in:</p><p><a href=\"{}\">Log in to {}</a></p><p>It works once and expires in {minutes} minutes. If you did not ask for it, ignore this email.</p>",
                esc(link),
                esc(&site.name)
            ),
        ),
    }
}

pub fn member_invite(site: &Site, name: &str, link: &str) -> Rendered {
    let hello = if name.is_empty() { "Hello".to_owned() } else { format!("Hello {name}") };
    Rendered {
        template: "member_invite",
        subject: format!("You're invited to {site}"),
        text: format!("{hello},\n\nAn account was created for you on {site}. Open this link to log in:\n\n{link}\n"),
        html: layout(
            site,
            &format!("<p>{},</p><p>An account was created for you on {}.</p><p><a href=\"{}\">Log in</a></p>", esc(&hello), esc(&site.name), esc(link)),
        ),
    }
}

pub fn admin_invite(site: &Site, inviter: &str, role: &str, link: &str, days: i64) -> Rendered {
    let who = if inviter.is_empty() { "An admin".to_owned() } else { inviter.to_owned() };
    Rendered {
        template: "admin_invite",
        subject: format!("Join the {site} team on Tollgate"),
        text: format!(
            "{who} invited you to manage {site} on Tollgate as {role}.\n\nAccept the invitation here:\n\n{link}\n\nThe link works once and expires in {days} days. If you did not expect it, ignore this email.\n"
        ),
        html: layout(
            site,
            &format!(
                "<p>{} invited you to manage {} on Tollgate as <strong>{}</strong>.</p><p><a href=\"{}\">Accept the invitation</a></p><p>The link works once and expires in {days} days. If you did not expect it, ignore this email.</p>",
                esc(&who),
                esc(&site.name),
                esc(role),
                esc(link)
            ),
        ),
    }
}

pub fn access_granted(site: &Site, product: &str, link: &str) -> Rendered {
    Rendered {
        template: "access_granted",
        subject: format!("You now have access to {product}"),
        text: format!("You now have access to {product} on {site}.\n\nOpen it here: {link}\n"),
        html: layout(site, &format!("<p>You now have access to <strong>{}</strong>.</p><p><a href=\"{}\">Open it</a></p>", esc(product), esc(link))),
    }
}

/// To the new address: the link that confirms a member's email change.
pub fn email_change_confirm(site: &Site, new_email: &str, link: &str, hours: i64) -> Rendered {
    Rendered {
        template: "email_change_confirm",
        subject: format!("Confirm your new email for {site}"),
        text: format!(
            "You asked to use {new_email} to sign in to {site}. Confirm it with this link:\n\n{link}\n\n\
             Your email stays the same until you do. The link works once and expires in {hours} hours. \
             If you did not ask for this, ignore this email.\n"
        ),
        html: layout(
            site,
            &format!(
                "<p>You asked to use <strong>{}</strong> to sign in.</p><p><a href=\"{}\">Confirm my new email</a></p>\
                 <p>Your email stays the same until you do. The link works once and expires in {hours} hours. If you did not ask for this, ignore this email.</p>",
                esc(new_email),
                esc(link)
            ),
        ),
    }
}

/// To the current address: someone asked to move the account to another email.
pub fn email_change_notice(site: &Site, new_email: &str, profile_link: &str) -> Rendered {
    Rendered {
        template: "email_change_notice",
        subject: format!("Someone asked to change your email on {site}"),
        text: format!(
            "Someone asked to change the sign-in email of your account on {site} to {new_email}.\n\n\
             Nothing changes unless that address confirms it. If this was you, open the link we sent there. \
             If it was not you, sign in, cancel the change on your profile page and change your password:\n\n{profile_link}\n"
        ),
        html: layout(
            site,
            &format!(
                "<p>Someone asked to change the sign-in email of your account to <strong>{}</strong>.</p>\
                 <p>Nothing changes unless that address confirms it. If this was you, open the link we sent there. \
                 If it was not you, sign in, cancel the change and change your password.</p><p><a href=\"{}\">Open your profile</a></p>",
                esc(new_email),
                esc(profile_link)
            ),
        ),
    }
}

/// To an admin who asked for it: the single-use link that sets a new password.
pub fn admin_password_reset(link: &str, minutes: i64) -> Rendered {
    let site = Site { name: "Tollgate".into(), ..Site::default() };
    Rendered {
        template: "admin_password_reset",
        subject: "Reset your Tollgate password".into(),
        text: format!(
            "Someone asked to reset the password of your Tollgate account. Choose a new one with this link:\n\n{link}\n\n\
             It works once and expires in {minutes} minutes; every device signed in to your account is signed out. \
             If you did not ask for it, ignore this email: your password stays as it is.\n"
        ),
        html: layout(
            &site,
            &format!(
                "<p>Someone asked to reset the password of your Tollgate account.</p><p><a href=\"{}\">Choose a new password</a></p>\
                 <p>It works once and expires in {minutes} minutes; every device signed in to your account is signed out. \
                 If you did not ask for it, ignore this email: your password stays as it is.</p>",
                esc(link)
            ),
        ),
    }
}

/// To the app's owners: an endpoint failed every try for 5 days and Tollgate stopped sending to it.
pub fn endpoint_disabled(site: &Site, url: &str) -> Rendered {
    let subject = format!("{site}: a webhook endpoint was disabled");
    let text = format!(
        "Every delivery to {url} has failed for 5 days, so Tollgate disabled this endpoint and stopped sending to it.\n\n\
         Fix the receiver, then enable the endpoint again under Settings → Webhooks; \"Replay failed\" sends what it missed."
    );
    let html = layout(
        site,
        &format!(
            "<p>Every delivery to <code>{}</code> has failed for 5 days, so Tollgate disabled this endpoint and stopped sending to it.</p>\
             <p>Fix the receiver, then enable the endpoint again under Settings → Webhooks; “Replay failed” sends what it missed.</p>",
            esc(url)
        ),
    );
    Rendered { template: "endpoint_disabled", subject, text, html }
}

/// Puts a message in the outbox and schedules its delivery, inside the caller's transaction.
pub async fn enqueue(conn: &mut Conn<'_>, app: &AppId, to: &str, r: Rendered, now: time::OffsetDateTime) -> AppResult<EmailId> {
    let e = OutboxEmail {
        id: EmailId::new(),
        app_id: app.clone(),
        template: r.template.into(),
        to_email: to.into(),
        subject: r.subject,
        text_body: r.text,
        html_body: r.html,
        status: "queued".into(),
        attempts: 0,
        last_error: None,
        created_at: now,
        sent_at: None,
    };
    outbox::insert(conn, &e).await?;
    crate::jobs::enqueue(conn, app, &SendEmail { email_id: e.id.clone() }, now, Some(format!("email:{}", e.id)), now).await?;
    Ok(e.id)
}

impl Services {
    /// The `send_email` job: delivers one outbox message.
    pub async fn deliver_email(&self, app: &AppId, id: &EmailId) -> AppResult<()> {
        let mut c = self.db.acquire().await?;
        let Some(e) = outbox::find(&mut c.conn(), app, id).await? else { return Ok(()) };
        if matches!(e.status.as_str(), "sent" | "logged") {
            return Ok(());
        }
        if !self.mailer.is_configured() {
            tracing::info!(email_id = %e.id, template = %e.template, "no SMTP configured: email kept in the outbox, readable at GET /api/v1/emails/{}", e.id);
            outbox::mark(&mut c.conn(), app, id, "logged", None, self.now()).await?;
            return Ok(());
        }
        match self.mailer.send(&e).await {
            Ok(()) => {
                outbox::mark(&mut c.conn(), app, id, "sent", None, self.now()).await?;
                tracing::info!(email_id = %e.id, template = %e.template, "email sent");
                Ok(())
            }
            Err(err) => {
                outbox::mark(&mut c.conn(), app, id, "failed", Some(&err), self.now()).await?;
                Err(AppError::Unavailable { code: "smtp_failed", message: err })
            }
        }
    }
}

/// Delivers one outbox message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendEmail {
    pub email_id: EmailId,
}

impl JobSpec for SendEmail {
    const KIND: &'static str = "send_email";
    const MAX_ATTEMPTS: i32 = 8;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.deliver_email(&ctx.app, &self.email_id).await?)
    }
}
