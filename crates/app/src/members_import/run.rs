//! Running an import: a chain of jobs, each processing the next [`BATCH`]
//! rows in file order in one transaction that also writes the rows'
//! outcomes, the counts, the row to resume at and the next job. A worker
//! that dies mid-batch loses that batch's work only; its job is taken over
//! after the lease and does the batch again. Short jobs keep the job lease's
//! heartbeat from waiting on one long-held SQLite write lock.

use serde::{Deserialize, Serialize};
use tollgate_domain::access::AccessSource;
use tollgate_domain::email::Email;
use tollgate_domain::ids::{AppId, ImportId, JobId, ProductId};
use tollgate_persistence::member_imports::{self as repo, ImportRowRecord, MemberImport, RowOutcome, Tally};
use tollgate_persistence::{Conn, access, jobs, products, users};

use crate::access::GrantSpec;
use crate::error::{AppError, AppResult};
use crate::jobs::{JobCtx, JobError, JobSpec};
use crate::services::Services;

/// Rows per transaction.
pub const BATCH: i64 = 500;

/// Queues the step that processes the rows from `from` on, due at `place`:
/// a continuation keeps the queue place of the step before it, so the jobs
/// a batch spawns (invitations, webhooks, automation runs, CRM contacts) do
/// not push the rest of the import behind them (the worker takes jobs in
/// `run_at` order).
async fn enqueue_step(conn: &mut Conn<'_>, app: &AppId, id: &ImportId, from: i64, place: time::OffsetDateTime, now: time::OffsetDateTime) -> AppResult<JobId> {
    let job = MemberImportRun { import_id: id.clone(), from };
    crate::jobs::enqueue(conn, app, &job, place.min(now), None, now).await?.ok_or_else(|| AppError::Internal("import job not enqueued".into()))
}

struct Done {
    outcome: &'static str,
    reason: Option<String>,
    user: Option<tollgate_domain::ids::UserId>,
    granted: Vec<String>,
}

impl Services {
    /// Starts the run of a previewed import (or resumes a failed one) as a
    /// job. `invite`: members the import creates get an invitation email,
    /// and grants their "access granted" email; by default nobody is
    /// emailed. A running import is answered as it is (nothing new starts);
    /// a finished one is a 409 `import_already_run`.
    pub async fn start_member_import(&self, app: &AppId, id: &ImportId, invite: bool) -> AppResult<super::ImportView> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let imp = repo::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("import"))?;
        match imp.status.as_str() {
            "running" => return Ok(imp.into()),
            "done" => return Err(AppError::conflict("import_already_run", "this import has run already; upload the file again to import it again")),
            _ => {}
        }
        if imp.status == "failed" {
            repo::reopen(&mut tx.conn(), app, id, now).await?;
        }
        let job_id = enqueue_step(&mut tx.conn(), app, id, imp.next_row, now, now).await?;
        if !repo::start(&mut tx.conn(), app, id, invite, &job_id, now).await? {
            return Err(AppError::conflict("import_already_run", "this import was started meanwhile"));
        }
        jobs::set_progress(&mut tx.conn(), app, &job_id, imp.processed, imp.total, now).await?;
        let imp = repo::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("import"))?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(imp.into())
    }

    /// The job: one batch of the import from row `from`, in one transaction
    /// with the job of the next batch. A step whose `from` is no longer where
    /// the import stands (a rerun of a step that had committed) does nothing.
    /// On the job's last try a failure marks the import `failed` (it can be
    /// started again and resumes).
    pub async fn run_member_import(&self, app: &AppId, id: &ImportId, job: &JobId, from: i64, last_try: bool) -> AppResult<()> {
        match self.member_import_step(app, id, job, from).await {
            Err(e) if last_try => {
                let mut c = self.db.acquire().await?;
                repo::finish(&mut c.conn(), app, id, "failed", Some(&e.to_string()), self.now()).await?;
                Err(e)
            }
            r => r.map(|_| ()),
        }
    }

    /// One step (see [`Services::run_member_import`]); returns whether the import is over.
    pub async fn member_import_step(&self, app: &AppId, id: &ImportId, job: &JobId, from: i64) -> AppResult<bool> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(imp) = repo::find(&mut tx.conn(), app, id).await? else { return Ok(true) };
        if imp.status != "running" {
            return Ok(true);
        }
        if imp.next_row != from {
            tracing::info!(app_id = %app, import = %id, from, next_row = imp.next_row, "member import step already done");
            return Ok(false);
        }
        let rows = repo::rows_from(&mut tx.conn(), app, id, from, BATCH).await?;
        let Some(last) = rows.last().map(|r| r.line) else {
            repo::finish(&mut tx.conn(), app, id, "done", None, now).await?;
            jobs::set_progress(&mut tx.conn(), app, job, imp.total, imp.total, now).await?;
            tx.commit().await?;
            tracing::info!(app_id = %app, import = %id, created = imp.created, updated = imp.updated, granted = imp.granted, skipped = imp.skipped, "member import finished");
            return Ok(true);
        };
        let mut t = Tally::default();
        for r in &rows {
            let d = self.import_row(&mut tx.conn(), app, &imp, r).await?;
            let o = RowOutcome { line: r.line, outcome: d.outcome, reason: d.reason.as_deref(), user_id: d.user.as_ref(), granted: &d.granted };
            repo::set_outcome(&mut tx.conn(), app, id, &o).await?;
            t.processed += 1;
            match d.outcome {
                "created" => t.created += 1,
                "updated" => t.updated += 1,
                "granted" => t.granted += 1,
                _ => t.skipped += 1,
            }
        }
        // Only from where this step started: two workers on one step cannot both count it.
        if !repo::advance(&mut tx.conn(), app, id, t, from, last + 1, now).await? {
            return Err(AppError::Internal("another worker ran this import step meanwhile".into()));
        }
        jobs::set_progress(&mut tx.conn(), app, job, imp.processed + t.processed, imp.total, now).await?;
        let place = jobs::find(&mut tx.conn(), app, job).await?.map(|j| j.run_at).unwrap_or(now);
        let next = enqueue_step(&mut tx.conn(), app, id, last + 1, place, now).await?;
        repo::set_job(&mut tx.conn(), app, id, &next).await?;
        jobs::set_progress(&mut tx.conn(), app, &next, imp.processed + t.processed, imp.total, now).await?;
        tx.commit().await?;
        // The next step, and invitations and webhooks the batch queued.
        self.jobs_ready.notify_one();
        Ok(false)
    }

    /// One row, inside the batch's transaction.
    async fn import_row(&self, conn: &mut Conn<'_>, app: &AppId, imp: &MemberImport, r: &ImportRowRecord) -> AppResult<Done> {
        if !r.problems.is_empty() {
            let reason = r.problems.iter().map(|p| format!("{}: {}", p.code, p.message)).collect::<Vec<_>>().join("; ");
            return Ok(Done { outcome: "skipped", reason: Some(reason), user: None, granted: vec![] });
        }
        let email = Email::parse(&r.email).map_err(|p| AppError::Internal(format!("stored import row {}: {}", r.line, p.message)))?;
        let mut notes = Vec::new();
        let (user, mut outcome) = match users::find_by_email(conn, app, &email).await? {
            None => {
                let u = self.create_member_in(conn, app, email, r.name.clone().unwrap_or_default(), None, imp.invite).await?;
                (u.id, Some("created"))
            }
            Some(mut u) => match &r.name {
                Some(n) if *n != u.name => {
                    u.name = n.clone();
                    u.updated_at = self.now();
                    users::update(conn, &u).await?;
                    crate::events::publish::publish_member_updated_in(conn, app, &u, u.updated_at).await?;
                    (u.id, Some("updated"))
                }
                _ => (u.id, None),
            },
        };
        let mut granted = Vec::new();
        for p in &r.products {
            let pid = ProductId::from_trusted(p.clone());
            match products::find(conn, app, &pid).await? {
                None => {
                    notes.push(format!("product {p} was deleted after the preview"));
                    continue;
                }
                Some(prod) if prod.archived_at.is_some() => {
                    notes.push(format!("product \"{}\" was archived after the preview", prod.fields.name));
                    continue;
                }
                Some(_) => {}
            }
            let open = access::open_for(conn, app, &user, &pid).await?;
            if open.iter().any(|g| g.source == AccessSource::Import) {
                continue;
            }
            let spec = GrantSpec {
                source: AccessSource::Import,
                source_ref: Some(imp.id.as_str().to_owned()),
                reason: Some("CSV import".into()),
                ends_at: None,
                notify: imp.invite,
                depth: 0,
            };
            self.grant_in(conn, app, &user, &pid, spec).await?;
            granted.push(p.clone());
        }
        if outcome.is_none() && !granted.is_empty() {
            outcome = Some("granted");
        }
        let outcome = match outcome {
            Some(o) => o,
            None => {
                let what = if r.products.is_empty() { "already a member with this name" } else { "already a member with this name and these products" };
                notes.insert(0, what.to_owned());
                "skipped"
            }
        };
        let reason = (!notes.is_empty()).then(|| notes.join("; "));
        Ok(Done { outcome, reason, user: Some(user), granted })
    }
}

/// Processes the next batch of a member import's rows, from row `from`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MemberImportRun {
    pub import_id: ImportId,
    pub from: i64,
}

impl JobSpec for MemberImportRun {
    const KIND: &'static str = "member_import.run";
    const MAX_ATTEMPTS: i32 = 5;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.run_member_import(&ctx.app, &self.import_id, &ctx.id, self.from, ctx.last_attempt()).await?)
    }
}
