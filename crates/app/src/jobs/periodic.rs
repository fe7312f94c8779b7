//! The jobs every worker schedules for every app: the minute sweeps (one
//! job each, so one failing holds none of the others back), Stripe event
//! recovery every ten minutes and each connected CRM's reconcile. A unique
//! key per time bucket keeps several workers from queueing a job twice.

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, JobId};
use tollgate_persistence::Conn;
use tollgate_persistence::jobs as store;

use super::{AuditPrune, JobSpec, MrrSnapshot, StripeRecover, SweepEndedAccess, SweepInactivity, SweepTimeTriggers, new_job};
use crate::error::AppResult;
use crate::services::Services;

/// Tries of a periodic job at most: the next time bucket runs it again anyway.
pub const PERIODIC_ATTEMPTS: i32 = 3;

/// Queues a periodic job under `unique_key` (its time bucket), with at most [`PERIODIC_ATTEMPTS`] tries.
pub async fn enqueue_periodic<J: JobSpec>(conn: &mut Conn<'_>, app: &AppId, payload: &J, unique_key: String, now: OffsetDateTime) -> AppResult<Option<JobId>> {
    let mut j = new_job(payload, now, Some(unique_key));
    j.max_attempts = j.max_attempts.min(PERIODIC_ATTEMPTS);
    Ok(store::enqueue(conn, app, &j, now).await?)
}

/// The kinds queued every minute.
pub fn periodic_kinds() -> [&'static str; 5] {
    [SweepEndedAccess::KIND, SweepInactivity::KIND, SweepTimeTriggers::KIND, AuditPrune::KIND, MrrSnapshot::KIND]
}

/// The minute's sweeps of one app, each keyed `<kind>:<minute>`.
pub(crate) async fn enqueue_minute_sweeps(conn: &mut Conn<'_>, app: &AppId, minute: i64, now: OffsetDateTime) -> AppResult<()> {
    async fn one<J: JobSpec>(conn: &mut Conn<'_>, app: &AppId, p: J, minute: i64, now: OffsetDateTime) -> AppResult<()> {
        enqueue_periodic(conn, app, &p, format!("{}:{minute}", J::KIND), now).await?;
        Ok(())
    }
    one(conn, app, SweepEndedAccess {}, minute, now).await?;
    one(conn, app, SweepInactivity {}, minute, now).await?;
    one(conn, app, SweepTimeTriggers {}, minute, now).await?;
    one(conn, app, AuditPrune {}, minute, now).await?;
    one(conn, app, MrrSnapshot {}, minute, now).await
}

/// Queues what is due this minute for every app, in one transaction.
pub(crate) async fn schedule(s: &Services) -> AppResult<()> {
    let now = s.now();
    let minute = now.unix_timestamp() / 60;
    let mut tx = s.db.begin().await?;
    for app in tollgate_persistence::apps::list_ids(&mut tx.conn(), None).await? {
        enqueue_minute_sweeps(&mut tx.conn(), &app, minute, now).await?;
        if minute % 10 == 0 {
            enqueue_periodic(&mut tx.conn(), &app, &StripeRecover {}, format!("recover:{minute}"), now).await?;
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
