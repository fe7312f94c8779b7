//! Read models and operations: the activity feed, jobs, the email outbox,
//! connector settings.

use tollgate_domain::activity::Activity;
use tollgate_domain::ids::{AppId, EmailId, JobId};
use tollgate_domain::jobs::JobStatus;
use tollgate_domain::page::{Limit, Page, TimeCursor};
use tollgate_domain::activity::ActivityFilter;
use tollgate_persistence::activities;
use time::OffsetDateTime;
use tollgate_persistence::jobs::{self, Job};
use tollgate_persistence::outbox::{self, OutboxEmail};

use crate::connector_settings::RESERVED_STRIPE_KEYS;
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// The connectors whose settings are read and patched as JSON here (typed
/// in `connector_settings`); settings of others are refused.
pub const CONNECTOR_KINDS: [&str; 1] = ["stripe"];

/// A job as an operator sees it (its payload stays inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobView {
    pub id: JobId,
    pub kind: String,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub progress_done: Option<i64>,
    pub progress_total: Option<i64>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

impl From<Job> for JobView {
    fn from(j: Job) -> Self {
        JobView {
            id: j.id,
            kind: j.kind,
            status: j.status,
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: j.run_at,
            last_error: j.last_error,
            progress_done: j.progress_done,
            progress_total: j.progress_total,
            created_at: j.created_at,
            finished_at: j.finished_at,
        }
    }
}

/// An email in the outbox, as an operator sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct EmailView {
    pub id: EmailId,
    pub template: String,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// queued | sent | logged (no SMTP configured) | failed (being retried)
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

impl From<OutboxEmail> for EmailView {
    fn from(e: OutboxEmail) -> Self {
        EmailView {
            id: e.id,
            template: e.template,
            to: e.to_email,
            subject: e.subject,
            text_body: e.text_body,
            html_body: e.html_body,
            status: e.status,
            attempts: e.attempts,
            last_error: e.last_error,
            created_at: e.created_at,
            sent_at: e.sent_at,
        }
    }
}

impl Services {
    pub async fn activity_feed(&self, app: &AppId, f: &ActivityFilter, after: Option<&TimeCursor>, limit: Limit) -> AppResult<Page<Activity>> {
        let mut c = self.db.acquire().await?;
        Ok(activities::list(&mut c.conn(), app, f, after, limit).await?)
    }

    pub async fn list_jobs(&self, app: &AppId, status: Option<JobStatus>, after: Option<&JobId>, limit: Limit) -> AppResult<Page<JobView>> {
        let mut c = self.db.acquire().await?;
        Ok(jobs::list(&mut c.conn(), app, status, after, limit).await?.map(JobView::from))
    }

    pub async fn get_job(&self, app: &AppId, id: &JobId) -> AppResult<JobView> {
        let mut c = self.db.acquire().await?;
        jobs::find(&mut c.conn(), app, id).await?.map(JobView::from).ok_or(AppError::NotFound("job"))
    }

    pub async fn retry_job(&self, app: &AppId, id: &JobId) -> AppResult<JobView> {
        let mut tx = self.db.begin().await?;
        let j = jobs::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("job"))?;
        if j.status != JobStatus::Dead {
            return Err(AppError::conflict("job_not_dead", format!("only dead jobs can be retried; this one is {}", j.status.as_str())));
        }
        jobs::retry_dead(&mut tx.conn(), app, id, self.now()).await?;
        let j = jobs::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("job"))?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(j.into())
    }

    pub async fn list_emails(&self, app: &AppId, to: Option<&str>, after: Option<&EmailId>, limit: Limit) -> AppResult<Page<EmailView>> {
        let mut c = self.db.acquire().await?;
        Ok(outbox::list(&mut c.conn(), app, to, after, limit).await?.map(EmailView::from))
    }

    pub async fn get_email(&self, app: &AppId, id: &EmailId) -> AppResult<EmailView> {
        let mut c = self.db.acquire().await?;
        outbox::find(&mut c.conn(), app, id).await?.map(EmailView::from).ok_or(AppError::NotFound("email"))
    }

    /// A connector's public settings (never its secrets).
    pub async fn connector_settings(&self, app: &AppId, kind: &str) -> AppResult<serde_json::Value> {
        if !CONNECTOR_KINDS.contains(&kind) {
            return Err(AppError::NotFound("connector"));
        }
        self.stripe_settings(app).await?.to_json()
    }

    /// Merges `patch` (a JSON object; `null` removes a key) into a connector's
    /// settings, as an admin or integrator asks: keys Tollgate manages itself
    /// (the connection, the portal) are refused.
    pub async fn update_connector_settings(&self, app: &AppId, kind: &str, patch: serde_json::Map<String, serde_json::Value>) -> AppResult<serde_json::Value> {
        if !CONNECTOR_KINDS.contains(&kind) {
            return Err(AppError::NotFound("connector"));
        }
        for k in patch.keys() {
            if RESERVED_STRIPE_KEYS.contains(&k.as_str()) {
                return Err(AppError::field(&format!("settings.{k}"), "reserved", "managed through the connector's own endpoints (connect, portal)"));
            }
            if k.len() > 64 || !k.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_') {
                return Err(AppError::field(&format!("settings.{k}"), "invalid_key", "setting names are lowercase letters, digits and _"));
            }
        }
        // The read-merge-write in one transaction; the sealed secrets are kept as they are.
        let (settings, ()) = self
            .update_stripe_settings(app, |s, _| {
                s.merge(patch)?;
                if s.to_json()?.to_string().len() > 64 * 1024 {
                    return Err(AppError::field("settings", "too_large", "settings must stay under 64 KiB"));
                }
                Ok(())
            })
            .await?;
        settings.to_json()
    }
}
