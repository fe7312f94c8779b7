//! The job worker: claims due jobs from the database and runs them.
//! `tollgate serve` runs one in-process; `tollgate worker` runs it alone, and
//! several can share a PostgreSQL database.
//!
//! What each kind of job does is in [`crate::jobs`]: a typed payload per kind
//! ([`crate::jobs::JobSpec`]), read back from the row by the worker's
//! [`Registry`]. A failed run is tried again with backoff until its tries run
//! out, unless it is [`JobError::Permanent`] (a refusal retrying cannot fix,
//! a payload that does not read, a kind without a handler): then it is dead
//! at once, with the reason in the job's last error. Each minute the worker
//! also queues the periodic jobs of every app ([`Worker::schedule_periodic`]).

use futures_util::future::BoxFuture;
use rand::Rng;
use tracing::Instrument;
use tollgate_domain::jobs::{JOB_HEARTBEAT, JOB_LEASE, retry_delay};
use tollgate_persistence::jobs::{self, Job};

use crate::jobs::{JobError, JobSpec, Registry};
use crate::services::Services;

pub struct Worker {
    services: Services,
    registry: Registry,
    id: String,
    batch: i64,
    lease: time::Duration,
    heartbeat: time::Duration,
    /// When this worker last looked for received inbox events.
    inbox_scan: std::sync::Mutex<Option<std::time::Instant>>,
}

/// How often a worker looks for received inbox events when ingest in this
/// process did not say there are some (ingest in another process).
const INBOX_SCAN: std::time::Duration = std::time::Duration::from_secs(1);

impl Worker {
    /// A worker running every built-in kind of job.
    pub fn new(services: Services) -> Self {
        Self {
            services,
            registry: Registry::builtin(),
            id: format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple()),
            // One job per claim: the lease starts when the job does, so a long
            // batch cannot outlive the lease of its last jobs.
            batch: 1,
            // Short, and renewed while the job runs: a killed worker's job
            // is taken over within the lease, a slow one is never.
            lease: JOB_LEASE,
            heartbeat: JOB_HEARTBEAT,
            inbox_scan: std::sync::Mutex::new(None),
        }
    }

    /// Enqueues the periodic jobs of every app: the minute sweeps (ended
    /// access, inactive members, time triggers, audit entries past
    /// retention, today's MRR snapshot; one job each) and Stripe event
    /// recovery every ten minutes, and each connected CRM's reconcile.
    /// Unique keys per time bucket keep several workers from enqueueing twice.
    pub async fn schedule_periodic(&self) -> Result<(), crate::AppError> {
        crate::registry::schedule(&self.services).await
    }

    /// Runs `J` too (or instead of the built-in handler of its kind).
    pub fn register<J: JobSpec>(&mut self) {
        self.registry.register::<J>();
    }

    /// Claims and runs one batch of due jobs; returns how many ran. First
    /// queues the processing of webhook events stored since the last look.
    pub async fn run_once(&self) -> Result<usize, crate::AppError> {
        let s = &self.services;
        self.queue_received().await;
        let claimed = {
            let mut tx = s.db.begin().await?;
            let got = jobs::claim(&mut tx.conn(), &self.id, self.batch, s.now(), self.lease).await?;
            tx.commit().await?;
            got
        };
        let n = claimed.len();
        for job in claimed {
            // The span follows the job's future from thread to thread; a guard
            // from `span.enter()` held across an await leaked it into other
            // tasks polled on the same thread, and tracing panicked when one of
            // them cloned it after it closed (it stopped the worker).
            let span = tracing::info_span!("job", job_id = %job.id, kind = %job.kind, app_id = %job.app_id, attempt = job.attempts);
            self.run_job(job).instrument(span).await?;
        }
        Ok(n)
    }

    /// Queues received inbox events when ingest in this process stored some,
    /// or [`INBOX_SCAN`] after the last look (ingest in another process).
    async fn queue_received(&self) {
        let flagged = self.services.inbox_received.swap(false, std::sync::atomic::Ordering::AcqRel);
        let due = {
            let mut last = self.inbox_scan.lock().unwrap_or_else(|e| e.into_inner());
            let due = flagged || last.is_none_or(|t| t.elapsed() >= INBOX_SCAN);
            if due {
                *last = Some(std::time::Instant::now());
            }
            due
        };
        if due && let Err(e) = self.services.queue_received_events().await {
            // Looked at again within a second.
            tracing::error!(error = %crate::error::chain(&e), "could not queue received webhook events");
        }
    }

    /// Runs one claimed job and writes how it ended.
    async fn run_job(&self, job: Job) -> Result<(), crate::AppError> {
        let s = &self.services;
        let started = std::time::Instant::now();
        let result = self.with_heartbeat(&job, self.registry.run(s, &job)).await;
        metrics::histogram!("tollgate_job_duration_seconds", "kind" => job.kind.clone()).record(started.elapsed().as_secs_f64());
        let mut c = s.db.acquire().await?;
        let now = s.now();
        // A run that knows retrying cannot help says so: the job is dead at once.
        let permanent = matches!(&result, Err(e) if e.is_permanent());
        let outcome = match &result {
            Ok(()) => "succeeded",
            Err(_) if job.attempts < job.max_attempts && !permanent => "retry",
            Err(_) => "dead",
        };
        metrics::counter!("tollgate_jobs_finished_total", "kind" => job.kind.clone(), "outcome" => outcome).increment(1);
        match result {
            Ok(()) => {
                jobs::succeed(&mut c.conn(), &job.app_id, &job.id, &self.id, now).await?;
            }
            Err(err) => {
                let retry_at = (job.attempts < job.max_attempts && !permanent).then(|| now + retry_delay(job.attempts, rand::thread_rng().r#gen::<f64>()));
                match retry_at {
                    Some(at) => tracing::warn!(error = %err.chain(), retry_at = %at, "job failed; will retry"),
                    None if permanent => tracing::error!(error = %err.chain(), "job failed and retrying cannot help; it is dead"),
                    None => tracing::error!(error = %err.chain(), "job failed for the last time; it is dead"),
                }
                jobs::fail(&mut c.conn(), &job.app_id, &job.id, &self.id, &err.to_string(), retry_at, now).await?;
            }
        }
        Ok(())
    }

    /// Runs a job's handler, renewing the job's lease every heartbeat until
    /// it returns. A failed renewal is logged and tried again at the next
    /// beat; a lost lease (another worker took the job) is logged once.
    async fn with_heartbeat(&self, job: &Job, run: BoxFuture<'_, Result<(), JobError>>) -> Result<(), JobError> {
        let every = std::time::Duration::from_millis(self.heartbeat.whole_milliseconds().max(1) as u64);
        let mut ticks = tokio::time::interval_at(tokio::time::Instant::now() + every, every);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        tokio::pin!(run);
        let mut lost = false;
        loop {
            tokio::select! {
                r = &mut run => return r,
                _ = ticks.tick(), if !lost => {
                    let s = &self.services;
                    let renewed = match s.db.acquire().await {
                        Ok(mut c) => jobs::heartbeat(&mut c.conn(), &job.app_id, &job.id, &self.id, s.now()).await,
                        Err(e) => Err(e),
                    };
                    match renewed {
                        Ok(true) => {}
                        Ok(false) => {
                            lost = true;
                            tracing::warn!("the job's lease was lost (another worker took it over); finishing anyway");
                        }
                        Err(e) => tracing::warn!(error = %crate::error::chain(&e), "could not renew the job's lease"),
                    }
                }
            }
        }
    }

    /// Runs until `shutdown` resolves: polls every second, or at once when
    /// a job is enqueued in this process.
    pub async fn run(self, shutdown: impl std::future::Future<Output = ()>) {
        tracing::info!(worker = %self.id, "job worker started");
        tokio::pin!(shutdown);
        // Outbound webhook deliveries run beside the jobs, many at once.
        let (stop, stopped) = tokio::sync::watch::channel(false);
        let dispatcher = tokio::spawn(crate::outbound::dispatch::Dispatcher::new(self.services.clone()).run(stopped));
        let ready = self.services.jobs_ready.clone();
        let mut last_schedule = std::time::Instant::now() - std::time::Duration::from_secs(120);
        loop {
            if last_schedule.elapsed() >= std::time::Duration::from_secs(60) {
                last_schedule = std::time::Instant::now();
                if let Err(e) = self.schedule_periodic().await {
                    tracing::error!(error = %crate::error::chain(&e), "could not schedule periodic jobs");
                }
            }
            match self.run_once().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %crate::error::chain(&e), "job worker could not claim jobs"),
            }
            tokio::select! {
                _ = &mut shutdown => break,
                _ = ready.notified() => {}
                _ = tokio::time::sleep(std::time::Duration::from_secs(1)) => {}
            }
        }
        let _ = stop.send(true);
        let _ = dispatcher.await;
        tracing::info!(worker = %self.id, "job worker stopped");
    }
}

fn hostname() -> String {
    std::env::var("HOSTNAME").ok().filter(|h| !h.is_empty()).unwrap_or_else(|| "worker".into())
}
