//! Every kind of job the worker runs, and the jobs it schedules for every
//! app (the top of the crate's layers: it names the capabilities' job
//! payloads; `crate::jobs` is the core they build on and names none).
//!
//! Each capability defines its own payloads and their `JobSpec`: `mail`
//! (`SendEmail`), `automations::engine` (`AutomationStep`,
//! `SweepTimeTriggers`), `customers` (`StageRecompute`, the bulk action),
//! `crm::sync` (the CRM calls), `members_import::run`, `audit` (`AuditPrune`).
//! Stripe's jobs (`StripeEvent`, `StripeImport`, the recovery and the sweeps
//! that call into `crate::stripe`) are run from here.
//!
//! The kind names and JSON field names are what older versions stored; they
//! must not change (rows already queued are read back into these types).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tollgate_domain::ids::AppId;
use tollgate_persistence::Conn;

use crate::audit::AuditPrune;
use crate::automations::engine::{AutomationStep, SweepTimeTriggers};
use crate::crm::sync::{ContactPayload, PushPayload, SyncPayload, TagPayload, UpsertPayload};
use crate::customers::StageRecompute;
use crate::customers::bulk::BulkPayload;
use crate::error::AppResult;
use crate::jobs::{JobCtx, JobError, JobSpec, Registry, enqueue_periodic};
use crate::stripe::jobs::{StripeEvent, StripeImport, StripeRecover};
use crate::mail::SendEmail;
use crate::members_import::run::MemberImportRun;
use crate::services::Services;

impl Registry {
    /// Every kind Tollgate queues.
    pub fn builtin() -> Self {
        let mut r = Registry::default();
        register_all(&mut r);
        r
    }
}

/// Every kind name the built-in registry runs (the OpenAPI enum of a job's `kind`).
pub fn kinds() -> Vec<&'static str> {
    Registry::builtin().kinds()
}

fn register_all(r: &mut Registry) {
    r.register::<SendEmail>();
    r.register::<StripeEvent>();
    r.register::<StripeImport>();
    r.register::<StripeRecover>();
    r.register::<AutomationStep>();
    r.register::<StageRecompute>();
    r.register::<BulkPayload>();
    r.register::<SyncPayload>();
    r.register::<ContactPayload>();
    r.register::<PushPayload>();
    r.register::<UpsertPayload>();
    r.register::<TagPayload>();
    r.register::<MemberImportRun>();
    r.register::<SweepEndedAccess>();
    r.register::<SweepInactivity>();
    r.register::<SweepTimeTriggers>();
    r.register::<AuditPrune>();
    r.register::<MrrSnapshot>();
    r.register::<AccessSweep>();
}

/// Each minute: revokes grants whose end has passed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepEndedAccess {}

impl JobSpec for SweepEndedAccess {
    const KIND: &'static str = "sweep_ended_access";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.sweep_ended_access(&ctx.app).await?;
        Ok(())
    }
}

/// Each minute: records User Inactive for members past the inactivity threshold.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepInactivity {}

impl JobSpec for SweepInactivity {
    const KIND: &'static str = "sweep_inactivity";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.sweep_inactive_members(&ctx.app).await?;
        Ok(())
    }
}

/// Each minute: records today's MRR in the daily history.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct MrrSnapshot {}

impl JobSpec for MrrSnapshot {
    const KIND: &'static str = "mrr_snapshot";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.record_mrr_snapshot(&ctx.app).await?)
    }
}

/// The combined minute sweep of older versions, still queued in a database
/// upgraded mid-minute: queues this minute's separate sweeps (each once,
/// whoever queues it first).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessSweep {}

impl JobSpec for AccessSweep {
    const KIND: &'static str = "access_sweep";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        let now = s.now();
        let mut tx = s.db.begin().await?;
        enqueue_minute_sweeps(&mut tx.conn(), &ctx.app, now.unix_timestamp() / 60, now).await?;
        tx.commit().await?;
        s.jobs_ready.notify_one();
        Ok(())
    }
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

#[cfg(test)]
mod tests {
    use serde_json::{Value, json};

    use super::*;
    use crate::crm::sync::TagOp;

    /// A payload as older versions wrote it reads into its type and is written back the same.
    fn same<J: JobSpec + PartialEq + std::fmt::Debug>(old: Value) {
        let p: J = serde_json::from_value(old.clone()).unwrap_or_else(|e| panic!("{}: {e}", J::KIND));
        assert_eq!(serde_json::to_value(&p).unwrap(), old, "{}", J::KIND);
    }

    #[test]
    fn payloads_queued_by_older_versions_still_read() {
        same::<SendEmail>(json!({ "email_id": "eml_0190" }));
        same::<StripeEvent>(json!({ "event_id": "evt_1" }));
        same::<StripeImport>(json!({ "product_id": "prod_1", "stripe_product_id": "prod_S1" }));
        same::<StripeRecover>(json!({}));
        same::<AccessSweep>(json!({}));
        same::<AutomationStep>(json!({ "run_id": "run_1", "step": 2 }));
        same::<StageRecompute>(json!({ "generation": 3, "after": null }));
        same::<StageRecompute>(json!({ "generation": 3, "after": "usr_1" }));
        same::<MemberImportRun>(json!({ "import_id": "imp_1", "from": 500 }));
        let tag: TagPayload = serde_json::from_value(json!({ "kind": "keap", "user_id": "usr_1", "tag": "VIP", "op": "apply" })).unwrap();
        assert_eq!((tag.tag.as_str(), tag.op), ("VIP", TagOp::Apply));
        let sync: SyncPayload = serde_json::from_value(json!({ "kind": "activecampaign" })).unwrap();
        assert!(sync.product_id.is_none());
    }

    #[test]
    fn every_kind_is_registered_once() {
        let k = kinds();
        let mut d = k.clone();
        d.dedup();
        assert_eq!(k, d);
        for name in ["send_email", "stripe_event", "stripe_import", "automation_step", "stages_recompute", "members_bulk", "crm_sync", "crm_contact", "crm_push", "crm_upsert_contact", "crm_tag", "member_import.run", "stripe_recover", "access_sweep"] {
            assert!(k.contains(&name), "{name} is still run");
        }
        for p in periodic_kinds() {
            assert!(k.contains(&p), "{p} is registered");
        }
    }
}
