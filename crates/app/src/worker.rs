//! The job worker: claims due jobs from the database and runs their handlers.
//! `tollgate serve` runs one in-process; `tollgate worker` runs it alone, and
//! several can share a PostgreSQL database.

use std::collections::HashMap;
use std::sync::Arc;

use futures_util::future::BoxFuture;
use rand::Rng;
use tollgate_domain::ids::EmailId;
use tollgate_domain::jobs::{JOB_HEARTBEAT, JOB_LEASE, retry_delay};
use tollgate_persistence::jobs::{self, Job};

use crate::mail::SEND_EMAIL_JOB;
use crate::services::Services;

/// Runs one job; an `Err` is retried with backoff until the job's tries run out.
pub type Handler = Arc<dyn Fn(Services, Job) -> BoxFuture<'static, Result<(), String>> + Send + Sync>;

pub struct Worker {
    services: Services,
    handlers: HashMap<String, Handler>,
    id: String,
    batch: i64,
    lease: time::Duration,
    heartbeat: time::Duration,
}

impl Worker {
    /// A worker with the built-in handlers (email delivery).
    pub fn new(services: Services) -> Self {
        let mut w = Self {
            services,
            handlers: HashMap::new(),
            id: format!("{}-{}", hostname(), uuid::Uuid::new_v4().simple()),
            // One job per claim: the lease starts when the job does, so a long
            // batch cannot outlive the lease of its last jobs.
            batch: 1,
            // Short, and renewed while the job runs: a killed worker's job
            // is taken over within the lease, a slow one is never.
            lease: JOB_LEASE,
            heartbeat: JOB_HEARTBEAT,
        };
        w.register(SEND_EMAIL_JOB, |s, job| {
            Box::pin(async move {
                let id = job.payload.get("email_id").and_then(|v| v.as_str()).ok_or("payload lacks email_id")?;
                let id = EmailId::parse(id).map_err(|e| e.message)?;
                s.deliver_email(&job.app_id, &id).await.map_err(|e| e.to_string())
            })
        });
        w.register(crate::stripe::EVENT_JOB, |s, job| {
            Box::pin(async move {
                let id = job.payload.get("event_id").and_then(|v| v.as_str()).ok_or("payload lacks event_id")?.to_owned();
                s.process_stripe_event(&job.app_id, &id).await.map_err(|e| e.to_string())
            })
        });
        w.register(crate::stripe::IMPORT_JOB, |s, job| {
            Box::pin(async move {
                let product = job.payload.get("product_id").and_then(|v| v.as_str()).ok_or("payload lacks product_id")?;
                let product = tollgate_domain::ids::ProductId::parse(product).map_err(|e| e.message)?;
                let stripe_product = job.payload.get("stripe_product_id").and_then(|v| v.as_str()).ok_or("payload lacks stripe_product_id")?.to_owned();
                s.run_stripe_import(&job.app_id, &job.id, &product, &stripe_product).await.map_err(|e| e.to_string())
            })
        });
        w.register(crate::automations::engine::STEP_JOB, |s, job| {
            Box::pin(async move {
                let run = job.payload.get("run_id").and_then(|v| v.as_str()).ok_or("payload lacks run_id")?;
                let run = tollgate_domain::ids::RunId::parse(run).map_err(|e| e.message)?;
                let step = job.payload.get("step").and_then(|v| v.as_i64()).ok_or("payload lacks step")?;
                s.run_automation_step(&job.app_id, &run, step, job.attempts >= job.max_attempts).await.map_err(|e| e.to_string())
            })
        });
        w.register(crate::customers::RECOMPUTE_JOB, |s, job| {
            Box::pin(async move {
                let generation = job.payload.get("generation").and_then(|v| v.as_i64()).ok_or("payload lacks generation")?;
                let after = match job.payload.get("after").and_then(|v| v.as_str()) {
                    Some(u) => Some(tollgate_domain::ids::UserId::parse(u).map_err(|e| e.message)?),
                    None => None,
                };
                s.run_stage_recompute(&job.app_id, generation, after).await.map_err(|e| e.to_string())
            })
        });
        w.register(crate::stripe::SWEEP_JOB, |s, job| {
            Box::pin(async move {
                s.sweep_ended_access(&job.app_id).await.map_err(|e| e.to_string())?;
                s.sweep_inactive_members(&job.app_id).await.map_err(|e| e.to_string())?;
                s.sweep_time_triggers(&job.app_id).await.map_err(|e| e.to_string())?;
                s.prune_audit_log(&job.app_id).await.map_err(|e| e.to_string())?;
                s.record_mrr_snapshot(&job.app_id).await.map_err(|e| e.to_string())
            })
        });
        w.register(crate::customers::bulk::BULK_JOB, |s, job| {
            Box::pin(async move {
                let p = serde_json::from_value(job.payload.clone()).map_err(|e| format!("{}bad payload: {e}", crate::crm::sync::PERMANENT))?;
                s.run_bulk(&job.app_id, &job.id, p).await.map_err(|e| e.to_string())
            })
        });
        w.register(crate::crm::SYNC_JOB, |s, job| {
            Box::pin(async move {
                let p = serde_json::from_value(job.payload.clone()).map_err(|e| format!("{}bad payload: {e}", crate::crm::sync::PERMANENT))?;
                s.run_crm_sync(&job.app_id, p).await
            })
        });
        w.register(crate::crm::CONTACT_JOB, |s, job| {
            Box::pin(async move {
                let p = serde_json::from_value(job.payload.clone()).map_err(|e| format!("{}bad payload: {e}", crate::crm::sync::PERMANENT))?;
                s.run_crm_contact(&job.app_id, p).await
            })
        });
        w.register(crate::crm::PUSH_JOB, |s, job| {
            Box::pin(async move {
                let p = serde_json::from_value(job.payload.clone()).map_err(|e| format!("{}bad payload: {e}", crate::crm::sync::PERMANENT))?;
                s.run_crm_push(&job.app_id, p).await
            })
        });
        w.register(crate::crm::UPSERT_JOB, |s, job| {
            Box::pin(async move {
                let p = serde_json::from_value(job.payload.clone()).map_err(|e| format!("{}bad payload: {e}", crate::crm::sync::PERMANENT))?;
                s.run_crm_upsert(&job.app_id, p).await
            })
        });
        w.register(crate::crm::TAG_JOB, |s, job| {
            Box::pin(async move {
                let p = serde_json::from_value(job.payload.clone()).map_err(|e| format!("{}bad payload: {e}", crate::crm::sync::PERMANENT))?;
                s.run_crm_tag(&job.app_id, p).await
            })
        });
        w.register(crate::members_import::RUN_JOB, |s, job| {
            Box::pin(async move {
                let id = job.payload.get("import_id").and_then(|v| v.as_str()).ok_or("payload lacks import_id")?;
                let id = tollgate_domain::ids::ImportId::parse(id).map_err(|e| e.message)?;
                let from = job.payload.get("from").and_then(|v| v.as_i64()).ok_or("payload lacks from")?;
                s.run_member_import(&job.app_id, &id, &job.id, from, job.attempts >= job.max_attempts).await.map_err(|e| e.to_string())
            })
        });
        w.register(crate::stripe::RECOVER_JOB, |s, job| {
            Box::pin(async move {
                match s.stripe_connection(&job.app_id).await.map_err(|e| e.to_string())? {
                    Some(_) => s.recover_stripe_events(&job.app_id).await.map(|_| ()).map_err(|e| e.to_string()),
                    None => Ok(()),
                }
            })
        });
        w
    }

    /// Enqueues the periodic jobs of every app: the access sweep (ended
    /// access, inactive members, audit entries past retention, today's MRR snapshot) each
    /// minute and Stripe event recovery every ten minutes. Unique keys per
    /// time bucket keep several workers from enqueueing twice.
    pub async fn schedule_periodic(&self) -> Result<(), crate::AppError> {
        let s = &self.services;
        let now = s.now();
        let minute = now.unix_timestamp() / 60;
        let mut tx = s.db.begin().await?;
        for app in tollgate_persistence::apps::list_ids(&mut tx.conn(), None).await? {
            let sweep = jobs::NewJob {
                kind: crate::stripe::SWEEP_JOB.into(),
                payload: serde_json::json!({}),
                run_at: now,
                max_attempts: 3,
                unique_key: Some(format!("sweep:{minute}")),
            };
            jobs::enqueue(&mut tx.conn(), &app, &sweep, now).await?;
            if minute % 10 == 0 {
                let recover = jobs::NewJob {
                    kind: crate::stripe::RECOVER_JOB.into(),
                    payload: serde_json::json!({}),
                    run_at: now,
                    max_attempts: 3,
                    unique_key: Some(format!("recover:{minute}")),
                };
                jobs::enqueue(&mut tx.conn(), &app, &recover, now).await?;
            }
        }
        // Each connected CRM is reconciled every `crm.reconcile_minutes` (missed webhooks converge).
        let every = s.config.crm.reconcile_minutes.max(1);
        if minute % every == 0 {
            for (app, kind) in tollgate_persistence::crm::all_connected(&mut tx.conn()).await? {
                if let Some(kind) = tollgate_crm::CrmKind::parse(&kind) {
                    crate::crm::sync::enqueue_periodic_sync(&mut tx.conn(), &app, kind, minute, now).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    pub fn register<F>(&mut self, kind: &str, f: F)
    where
        F: Fn(Services, Job) -> BoxFuture<'static, Result<(), String>> + Send + Sync + 'static,
    {
        self.handlers.insert(kind.to_owned(), Arc::new(f));
    }

    /// Claims and runs one batch of due jobs; returns how many ran.
    pub async fn run_once(&self) -> Result<usize, crate::AppError> {
        let s = &self.services;
        let claimed = {
            let mut tx = s.db.begin().await?;
            let got = jobs::claim(&mut tx.conn(), &self.id, self.batch, s.now(), self.lease).await?;
            tx.commit().await?;
            got
        };
        let n = claimed.len();
        for job in claimed {
            let span = tracing::info_span!("job", job_id = %job.id, kind = %job.kind, app_id = %job.app_id, attempt = job.attempts);
            let _e = span.enter();
            let started = std::time::Instant::now();
            let result = match self.handlers.get(&job.kind) {
                Some(h) => self.with_heartbeat(&job, h(s.clone(), job.clone())).await,
                None => Err(format!("no handler for job kind {:?}", job.kind)),
            };
            metrics::histogram!("tollgate_job_duration_seconds", "kind" => job.kind.clone()).record(started.elapsed().as_secs_f64());
            let mut c = s.db.acquire().await?;
            let now = s.now();
            // A handler that knows retrying cannot help says so: the job is dead at once.
            let permanent = matches!(&result, Err(e) if e.starts_with(crate::crm::sync::PERMANENT));
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
                        Some(at) => tracing::warn!(error = %err, retry_at = %at, "job failed; will retry"),
                        None => tracing::error!(error = %err, "job failed for the last time; it is dead"),
                    }
                    jobs::fail(&mut c.conn(), &job.app_id, &job.id, &self.id, &err, retry_at, now).await?;
                }
            }
        }
        Ok(n)
    }

    /// Runs a job's handler, renewing the job's lease every heartbeat until
    /// it returns. A failed renewal is logged and tried again at the next
    /// beat; a lost lease (another worker took the job) is logged once.
    async fn with_heartbeat(&self, job: &Job, run: BoxFuture<'static, Result<(), String>>) -> Result<(), String> {
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
                        Err(e) => tracing::warn!(error = %e, "could not renew the job's lease"),
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
                    tracing::error!(error = %e, "could not schedule periodic jobs");
                }
            }
            match self.run_once().await {
                Ok(n) if n > 0 => continue,
                Ok(_) => {}
                Err(e) => tracing::error!(error = %e, "job worker could not claim jobs"),
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
