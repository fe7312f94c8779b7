//! A durable job queue in the application database.
//!
//! Jobs are rows; workers claim due rows by flipping them to `running` with a
//! lease. PostgreSQL claims with `FOR UPDATE SKIP LOCKED`, so several
//! `tollgate worker` processes share the queue without taking the same job;
//! SQLite has one writer at a time, so its `UPDATE … RETURNING` is atomic.
//! A running job's worker renews its lease with [`heartbeat`]; a job whose
//! lease runs out (its worker died) is claimed again.

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, JobId};
use tollgate_domain::jobs::JobStatus;
use tollgate_domain::page::{Limit, Page};

use crate::{Conn, DbError, DbResult, at, ms, on, opt_at};

#[derive(Debug, Clone, PartialEq)]
pub struct Job {
    pub id: JobId,
    pub app_id: AppId,
    pub kind: String,
    pub payload: serde_json::Value,
    pub status: JobStatus,
    pub attempts: i32,
    pub max_attempts: i32,
    pub run_at: OffsetDateTime,
    pub last_error: Option<String>,
    pub progress_done: Option<i64>,
    pub progress_total: Option<i64>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct JobRow {
    app_id: String,
    id: String,
    kind: String,
    payload: String,
    status: String,
    attempts: i64,
    max_attempts: i64,
    run_at: i64,
    last_error: Option<String>,
    progress_done: Option<i64>,
    progress_total: Option<i64>,
    created_at: i64,
    updated_at: i64,
    finished_at: Option<i64>,
}

impl TryFrom<JobRow> for Job {
    type Error = DbError;
    fn try_from(r: JobRow) -> Result<Self, DbError> {
        Ok(Job {
            id: JobId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            kind: r.kind,
            payload: serde_json::from_str(&r.payload).map_err(DbError::corrupt)?,
            status: JobStatus::parse(&r.status).ok_or_else(|| DbError::corrupt(format!("job status {}", r.status)))?,
            attempts: r.attempts as i32,
            max_attempts: r.max_attempts as i32,
            run_at: at(r.run_at),
            last_error: r.last_error,
            progress_done: r.progress_done,
            progress_total: r.progress_total,
            created_at: at(r.created_at),
            updated_at: at(r.updated_at),
            finished_at: opt_at(r.finished_at),
        })
    }
}

macro_rules! cols {
    () => {
        "app_id, id, kind, payload, status, attempts, max_attempts, run_at, last_error, progress_done, progress_total, created_at, updated_at, finished_at"
    };
}

/// A job to enqueue.
#[derive(Debug, Clone)]
pub struct NewJob {
    pub kind: String,
    pub payload: serde_json::Value,
    pub run_at: OffsetDateTime,
    pub max_attempts: i32,
    /// When set, a second job with the same key is not enqueued while the first exists.
    pub unique_key: Option<String>,
}

/// Enqueues a job; returns `None` when `unique_key` already names a job.
pub async fn enqueue(conn: &mut Conn<'_>, app: &AppId, j: &NewJob, now: OffsetDateTime) -> DbResult<Option<JobId>> {
    let id = JobId::new();
    let n = on!(conn, c => sqlx::query(
        "INSERT INTO jobs (app_id, id, kind, payload, status, attempts, max_attempts, run_at, unique_key, created_at, updated_at) \
         VALUES ($1, $2, $3, $4, 'queued', 0, $5, $6, $7, $8, $8) ON CONFLICT DO NOTHING",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(&j.kind)
    .bind(j.payload.to_string())
    .bind(j.max_attempts as i64)
    .bind(ms(j.run_at))
    .bind(&j.unique_key)
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok((n == 1).then_some(id))
}

/// Claims up to `n` due jobs for `worker`. A running job whose lease is
/// older than `lease` is taken back (its worker is presumed dead).
pub async fn claim(conn: &mut Conn<'_>, worker: &str, n: i64, now: OffsetDateTime, lease: time::Duration) -> DbResult<Vec<Job>> {
    let stale = ms(now - lease);
    let rows: Vec<JobRow> = match conn {
        crate::Conn::Pg(c, _) => sqlx::query_as(concat!(
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_at = $2, attempts = attempts + 1, updated_at = $2 \
             WHERE (app_id, id) IN (SELECT app_id, id FROM jobs \
                WHERE (status = 'queued' AND run_at <= $2) OR (status = 'running' AND locked_at < $3) \
                ORDER BY run_at LIMIT $4 FOR UPDATE SKIP LOCKED) \
             RETURNING ", cols!()
        ))
        .bind(worker)
        .bind(ms(now))
        .bind(stale)
        .bind(n)
        .fetch_all(&mut **c)
        .await?,
        crate::Conn::Sqlite(c, _) => sqlx::query_as(concat!(
            "UPDATE jobs SET status = 'running', locked_by = $1, locked_at = $2, attempts = attempts + 1, updated_at = $2 \
             WHERE (app_id, id) IN (SELECT app_id, id FROM jobs \
                WHERE (status = 'queued' AND run_at <= $2) OR (status = 'running' AND locked_at < $3) \
                ORDER BY run_at LIMIT $4) \
             RETURNING ", cols!()
        ))
        .bind(worker)
        .bind(ms(now))
        .bind(stale)
        .bind(n)
        .fetch_all(&mut **c)
        .await?,
    };
    rows.into_iter().map(Job::try_from).collect()
}

/// Renews the lease of a running job: its worker is alive. `false` when
/// the job is no longer this worker's (its lease ran out and another
/// worker took it, or it finished).
pub async fn heartbeat(conn: &mut Conn<'_>, app: &AppId, id: &JobId, worker: &str, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE jobs SET locked_at = $4 WHERE app_id = $1 AND id = $2 AND locked_by = $3 AND status = 'running'",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(worker)
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Marks a claimed job done. Only the worker holding it can.
pub async fn succeed(conn: &mut Conn<'_>, app: &AppId, id: &JobId, worker: &str, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE jobs SET status = 'succeeded', locked_by = NULL, locked_at = NULL, finished_at = $4, updated_at = $4, last_error = NULL \
         WHERE app_id = $1 AND id = $2 AND locked_by = $3 AND status = 'running'",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(worker)
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Records a failure: back to `queued` at `retry_at`, or `dead` when
/// `retry_at` is `None` (no tries left).
pub async fn fail(
    conn: &mut Conn<'_>,
    app: &AppId,
    id: &JobId,
    worker: &str,
    error: &str,
    retry_at: Option<OffsetDateTime>,
    now: OffsetDateTime,
) -> DbResult<bool> {
    let err: String = error.chars().take(2000).collect();
    let n = on!(conn, c => sqlx::query(
        "UPDATE jobs SET status = CASE WHEN $5 IS NULL THEN 'dead' ELSE 'queued' END, run_at = COALESCE($5, run_at), \
         last_error = $4, locked_by = NULL, locked_at = NULL, updated_at = $6, \
         finished_at = CASE WHEN $5 IS NULL THEN $6 ELSE NULL END \
         WHERE app_id = $1 AND id = $2 AND locked_by = $3 AND status = 'running'",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(worker)
    .bind(&err)
    .bind(retry_at.map(ms))
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Puts a dead job back in the queue with fresh tries.
pub async fn retry_dead(conn: &mut Conn<'_>, app: &AppId, id: &JobId, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE jobs SET status = 'queued', attempts = 0, run_at = $3, updated_at = $3, finished_at = NULL \
         WHERE app_id = $1 AND id = $2 AND status = 'dead'",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

pub async fn set_progress(conn: &mut Conn<'_>, app: &AppId, id: &JobId, done: i64, total: i64, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("UPDATE jobs SET progress_done = $3, progress_total = $4, updated_at = $5 WHERE app_id = $1 AND id = $2")
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(done)
            .bind(total)
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &JobId) -> DbResult<Option<Job>> {
    let r: Option<JobRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM jobs WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    r.map(Job::try_from).transpose()
}

/// An app's jobs, newest first, optionally of one status.
pub async fn list(conn: &mut Conn<'_>, app: &AppId, status: Option<JobStatus>, after: Option<&JobId>, limit: Limit) -> DbResult<Page<Job>> {
    let rows: Vec<JobRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!("SELECT ", cols!(), " FROM jobs WHERE app_id = "));
        qb.push_bind(app.as_str());
        if let Some(s) = status {
            qb.push(" AND status = ").push_bind(s.as_str());
        }
        if let Some(a) = after {
            qb.push(" AND id < ").push_bind(a.as_str());
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows.into_iter().map(Job::try_from).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(items, limit, |j| j.id.to_string()))
}

/// Removes finished jobs older than `before` so the table stays small.
pub async fn prune_finished(conn: &mut Conn<'_>, before: OffsetDateTime) -> DbResult<u64> {
    let n = on!(conn, c => sqlx::query("DELETE FROM jobs WHERE status = 'succeeded' AND finished_at < $1")
        .bind(ms(before))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n)
}
