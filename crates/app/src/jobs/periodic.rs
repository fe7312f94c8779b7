//! Periodic jobs: queued once per time bucket under a unique key, so several
//! workers do not queue a job twice. Which jobs are periodic, and the
//! schedule, are in the registry (`registry.rs`, above every capability).

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, JobId};
use tollgate_persistence::Conn;
use tollgate_persistence::jobs as store;

use super::{JobSpec, new_job};
use crate::error::AppResult;

/// Tries of a periodic job at most: the next time bucket runs it again anyway.
pub const PERIODIC_ATTEMPTS: i32 = 3;

/// Queues a periodic job under `unique_key` (its time bucket), with at most [`PERIODIC_ATTEMPTS`] tries.
pub async fn enqueue_periodic<J: JobSpec>(conn: &mut Conn<'_>, app: &AppId, payload: &J, unique_key: String, now: OffsetDateTime) -> AppResult<Option<JobId>> {
    let mut j = new_job(payload, now, Some(unique_key));
    j.max_attempts = j.max_attempts.min(PERIODIC_ATTEMPTS);
    Ok(store::enqueue(conn, app, &j, now).await?)
}
