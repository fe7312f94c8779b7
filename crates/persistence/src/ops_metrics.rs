//! Figures for the operator's `/metrics`, read at scrape time across every
//! app: the job queue and the outbound delivery log.

use time::OffsetDateTime;

use crate::{Conn, DbResult, at, ms, on};

/// Jobs of one kind in one status.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JobGauge {
    pub kind: String,
    /// queued | running | dead
    pub status: String,
    pub count: i64,
    /// The earliest `run_at` that is already due (queued jobs waiting for a worker).
    pub oldest_due: Option<OffsetDateTime>,
}

/// Unfinished (and dead) jobs per kind and status.
pub async fn jobs(conn: &mut Conn<'_>, now: OffsetDateTime) -> DbResult<Vec<JobGauge>> {
    let rows: Vec<(String, String, i64, Option<i64>)> = on!(conn, c => sqlx::query_as(
        "SELECT kind, status, count(*), min(CASE WHEN run_at <= $1 THEN run_at END) FROM jobs \
         WHERE status IN ('queued', 'running', 'dead') GROUP BY kind, status ORDER BY kind, status",
    )
    .bind(ms(now))
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(|(kind, status, count, oldest)| JobGauge { kind, status, count, oldest_due: oldest.map(at) }).collect())
}

/// Outbound webhook deliveries per status (pending, delivered, failed…).
pub async fn outbound_deliveries(conn: &mut Conn<'_>) -> DbResult<Vec<(String, i64)>> {
    let rows: Vec<(String, i64)> = on!(conn, c => sqlx::query_as("SELECT status, count(*) FROM webhook_deliveries GROUP BY status ORDER BY status")
        .fetch_all(&mut **c)
        .await?);
    Ok(rows)
}
