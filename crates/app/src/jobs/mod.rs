//! Typed background jobs.
//!
//! Each kind of job is one payload type implementing [`JobSpec`]: its stored
//! kind name, how many tries it gets, and what running it does. Enqueue
//! sites build the payload and call [`enqueue`]; the worker's [`Registry`]
//! reads a claimed row back into the type and runs it. Kind names and the
//! payloads' JSON field names are stored in the `jobs` table, so they do not
//! change: rows queued by an older version still run.
//!
//! A run answers [`JobError::Retry`] (tried again with backoff until its
//! tries run out) or [`JobError::Permanent`] (retrying cannot help: dead at
//! once). A payload that does not read as its kind's type, and a kind this
//! version has no handler for, are permanent.

pub(crate) mod periodic;

use std::collections::HashMap;
use std::future::Future;

use futures_util::future::BoxFuture;
use serde::Serialize;
use serde::de::DeserializeOwned;
use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, JobId};
use tollgate_persistence::Conn;
use tollgate_persistence::jobs::{self as store, Job, NewJob};

pub use periodic::{PERIODIC_ATTEMPTS, enqueue_periodic};

use crate::error::{AppError, AppResult, StripeFailureKind};
use crate::services::Services;

/// One kind of job: its payload, stored as JSON, and what running it does.
pub trait JobSpec: Serialize + DeserializeOwned + Send + Sync + 'static {
    /// The name stored in `jobs.kind`; never changes once released.
    const KIND: &'static str;
    /// Tries before the job is dead.
    const MAX_ATTEMPTS: i32;
    /// Runs the job once.
    fn run(self, s: &Services, ctx: &JobCtx) -> impl Future<Output = Result<(), JobError>> + Send;
}

/// What a running job knows about itself.
#[derive(Debug, Clone)]
pub struct JobCtx {
    pub id: JobId,
    pub app: AppId,
    /// This try, counted from 1.
    pub attempt: i32,
    pub max_attempts: i32,
}

impl JobCtx {
    pub fn of(job: &Job) -> Self {
        JobCtx { id: job.id.clone(), app: job.app_id.clone(), attempt: job.attempts, max_attempts: job.max_attempts }
    }

    /// Whether a failure now makes the job dead (no try is left).
    pub fn last_attempt(&self) -> bool {
        self.attempt >= self.max_attempts
    }
}

pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

/// Why a run failed, with its cause chain for the logs.
#[derive(Debug, thiserror::Error)]
pub enum JobError {
    /// Worth another try later (a timeout, a 5xx, a locked database).
    #[error(transparent)]
    Retry(BoxError),
    /// Retrying cannot fix it (a refusal, a payload that does not read): the job is dead at once.
    #[error("permanent: {0}")]
    Permanent(#[source] BoxError),
}

impl JobError {
    pub fn retry(e: impl Into<BoxError>) -> Self {
        JobError::Retry(e.into())
    }
    pub fn permanent(e: impl Into<BoxError>) -> Self {
        JobError::Permanent(e.into())
    }
    pub fn is_permanent(&self) -> bool {
        matches!(self, JobError::Permanent(_))
    }
    /// The error and its causes, outermost first, for a log line.
    pub fn chain(&self) -> String {
        crate::error::chain(self)
    }
}

impl From<AppError> for JobError {
    /// A failure is retried, except Stripe's refusal that retrying cannot
    /// fix: a 4xx other than 409 (a conflict that clears) and 429 (throttled).
    fn from(e: AppError) -> Self {
        match &e {
            AppError::Stripe(f) if f.kind != StripeFailureKind::Unavailable && matches!(f.status, Some(s) if (400..500).contains(&s) && s != 409 && s != 429) => {
                JobError::Permanent(e.into())
            }
            _ => JobError::Retry(e.into()),
        }
    }
}

impl From<tollgate_persistence::DbError> for JobError {
    fn from(e: tollgate_persistence::DbError) -> Self {
        AppError::from(e).into()
    }
}

/// The row to insert for a payload: its kind and tries come from its type.
pub fn new_job<J: JobSpec>(payload: &J, run_at: OffsetDateTime, unique_key: Option<String>) -> NewJob {
    let payload = serde_json::to_value(payload).expect("a job payload serializes");
    NewJob { kind: J::KIND.into(), payload, run_at, max_attempts: J::MAX_ATTEMPTS, unique_key }
}

/// Queues a job due at `run_at`, in the caller's transaction; `None` when
/// `unique_key` already names a job.
pub async fn enqueue<J: JobSpec>(conn: &mut Conn<'_>, app: &AppId, payload: &J, run_at: OffsetDateTime, unique_key: Option<String>, now: OffsetDateTime) -> AppResult<Option<JobId>> {
    Ok(store::enqueue(conn, app, &new_job(payload, run_at, unique_key), now).await?)
}

type Run = for<'a> fn(&'a Services, &'a Job) -> BoxFuture<'a, Result<(), JobError>>;

/// The kinds a worker runs, each read back into its type.
#[derive(Clone, Default)]
pub struct Registry {
    runs: HashMap<&'static str, Run>,
}

impl Registry {
    /// Adds (or replaces) the handler of `J::KIND`.
    pub fn register<J: JobSpec>(&mut self) {
        self.runs.insert(J::KIND, run_typed::<J>);
    }

    /// The registered kind names, sorted.
    pub fn kinds(&self) -> Vec<&'static str> {
        let mut k: Vec<_> = self.runs.keys().copied().collect();
        k.sort_unstable();
        k
    }

    /// Runs a claimed job: an unknown kind or a payload that does not read is permanent.
    pub fn run<'a>(&self, s: &'a Services, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
        match self.runs.get(job.kind.as_str()) {
            Some(run) => run(s, job),
            None => {
                let kind = job.kind.clone();
                Box::pin(async move { Err(JobError::permanent(format!("unknown job kind {kind:?}: this version of Tollgate has no handler for it"))) })
            }
        }
    }
}

fn run_typed<'a, J: JobSpec>(s: &'a Services, job: &'a Job) -> BoxFuture<'a, Result<(), JobError>> {
    Box::pin(async move {
        let payload: J = serde_json::from_value(job.payload.clone()).map_err(|e| JobError::permanent(format!("bad payload for {}: {e}", J::KIND)))?;
        payload.run(s, &JobCtx::of(job)).await
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::error::StripeFailure;

    fn stripe(status: Option<u16>, kind: StripeFailureKind) -> AppError {
        AppError::Stripe(Box::new(StripeFailure { kind, method: None, path: None, status, code: None, message: "no".into(), request_id: None }))
    }

    #[test]
    fn stripe_refusals_are_permanent_the_rest_retried() {
        assert!(JobError::from(stripe(Some(404), StripeFailureKind::Rejected)).is_permanent());
        assert!(JobError::from(stripe(Some(400), StripeFailureKind::Rejected)).is_permanent());
        assert!(JobError::from(stripe(Some(401), StripeFailureKind::Misconfigured)).is_permanent());
        assert!(!JobError::from(stripe(Some(409), StripeFailureKind::Rejected)).is_permanent());
        assert!(!JobError::from(stripe(Some(429), StripeFailureKind::Unavailable)).is_permanent());
        assert!(!JobError::from(stripe(Some(503), StripeFailureKind::Unavailable)).is_permanent());
        assert!(!JobError::from(stripe(None, StripeFailureKind::Unavailable)).is_permanent());
        assert!(!JobError::from(AppError::Internal("x".into())).is_permanent());
    }

    #[test]
    fn the_stored_error_reads_as_before() {
        let e = JobError::from(AppError::Internal("boom".into()));
        assert_eq!(e.to_string(), "internal error: boom");
        assert_eq!(JobError::permanent("no such tag").to_string(), "permanent: no such tag");
    }

    #[derive(Debug, thiserror::Error)]
    #[error("connection reset")]
    struct Reset;

    #[derive(Debug, thiserror::Error)]
    #[error("Stripe did not answer")]
    struct Outer(#[source] Reset);

    #[test]
    fn the_log_line_carries_every_cause_once() {
        assert_eq!(JobError::retry(Outer(Reset)).chain(), "Stripe did not answer: connection reset");
        assert_eq!(JobError::permanent(Outer(Reset)).chain(), "permanent: Stripe did not answer: connection reset");
        assert_eq!(JobError::permanent("no such tag").chain(), "permanent: no such tag");
    }
}
