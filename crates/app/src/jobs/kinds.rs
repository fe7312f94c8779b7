//! Every kind of job: its payload type, stored kind name, tries, and the
//! use case it runs. The CRM payloads live beside their jobs in
//! `crate::crm::sync`, the bulk action's in `crate::customers::bulk`.
//!
//! The kind names and JSON field names are what older versions stored; they
//! must not change (rows already queued are read back into these types).

use serde::{Deserialize, Serialize};
use tollgate_domain::ids::{EmailId, ImportId, ProductId, RunId, UserId};

use super::{JobCtx, JobError, JobSpec, Registry};
use crate::crm::sync::{ContactPayload, PushPayload, SyncPayload, TagPayload, UpsertPayload};
use crate::customers::bulk::BulkPayload;
use crate::services::Services;

pub(super) fn register_all(r: &mut Registry) {
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

/// Delivers one outbox message.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SendEmail {
    pub email_id: EmailId,
}

impl JobSpec for SendEmail {
    const KIND: &'static str = "send_email";
    const MAX_ATTEMPTS: i32 = 8;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.deliver_email(&ctx.app, &self.email_id).await?)
    }
}

/// Applies one stored Stripe event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StripeEvent {
    pub event_id: String,
}

impl JobSpec for StripeEvent {
    const KIND: &'static str = "stripe_event";
    const MAX_ATTEMPTS: i32 = 10;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.process_stripe_event(&ctx.app, &self.event_id).await?)
    }
}

/// Imports the subscriptions of a Stripe product just linked to a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StripeImport {
    pub product_id: ProductId,
    pub stripe_product_id: String,
}

impl JobSpec for StripeImport {
    const KIND: &'static str = "stripe_import";
    const MAX_ATTEMPTS: i32 = 8;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.run_stripe_import(&ctx.app, &ctx.id, &self.product_id, &self.stripe_product_id).await?)
    }
}

/// Reads Stripe's event list for events whose webhook never came (every ten minutes).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StripeRecover {}

impl JobSpec for StripeRecover {
    const KIND: &'static str = "stripe_recover";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        if s.stripe_connection(&ctx.app).await?.is_some() {
            s.recover_stripe_events(&ctx.app).await?;
        }
        Ok(())
    }
}

/// Runs one step of an automation run; the last try fails the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationStep {
    pub run_id: RunId,
    pub step: i64,
}

impl JobSpec for AutomationStep {
    const KIND: &'static str = "automation_step";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.run_automation_step(&ctx.app, &self.run_id, self.step, ctx.last_attempt()).await?)
    }
}

/// Recomputes members' lifecycle stages, a page after `after` at a time.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StageRecompute {
    pub generation: i64,
    #[serde(default)]
    pub after: Option<UserId>,
}

impl JobSpec for StageRecompute {
    const KIND: &'static str = "stages_recompute";
    const MAX_ATTEMPTS: i32 = 10;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.run_stage_recompute(&ctx.app, self.generation, self.after).await?)
    }
}

impl JobSpec for BulkPayload {
    const KIND: &'static str = "members_bulk";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.run_bulk(&ctx.app, &ctx.id, self).await?)
    }
}

/// Tries of a CRM call job (the CRM may be down for a while).
const CRM_CALL_ATTEMPTS: i32 = 10;

impl JobSpec for SyncPayload {
    const KIND: &'static str = "crm_sync";
    const MAX_ATTEMPTS: i32 = 5;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_sync(&ctx.app, self).await
    }
}

impl JobSpec for ContactPayload {
    const KIND: &'static str = "crm_contact";
    const MAX_ATTEMPTS: i32 = CRM_CALL_ATTEMPTS;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_contact(&ctx.app, self).await
    }
}

impl JobSpec for PushPayload {
    const KIND: &'static str = "crm_push";
    const MAX_ATTEMPTS: i32 = CRM_CALL_ATTEMPTS;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_push(&ctx.app, self).await
    }
}

impl JobSpec for UpsertPayload {
    const KIND: &'static str = "crm_upsert_contact";
    const MAX_ATTEMPTS: i32 = CRM_CALL_ATTEMPTS;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_upsert(&ctx.app, self).await
    }
}

impl JobSpec for TagPayload {
    const KIND: &'static str = "crm_tag";
    const MAX_ATTEMPTS: i32 = CRM_CALL_ATTEMPTS;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_tag(&ctx.app, self).await
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

/// Each minute: starts the automations of time-based triggers (renewal, trial end, payment failed).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SweepTimeTriggers {}

impl JobSpec for SweepTimeTriggers {
    const KIND: &'static str = "sweep_time_triggers";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.sweep_time_triggers(&ctx.app).await?;
        Ok(())
    }
}

/// Each minute: deletes audit entries past `audit.retention_days`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPrune {}

impl JobSpec for AuditPrune {
    const KIND: &'static str = "audit_prune";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.prune_audit_log(&ctx.app).await?;
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
        super::periodic::enqueue_minute_sweeps(&mut tx.conn(), &ctx.app, now.unix_timestamp() / 60, now).await?;
        tx.commit().await?;
        s.jobs_ready.notify_one();
        Ok(())
    }
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
}
