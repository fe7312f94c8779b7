//! Running automations: starting runs from the sweep's time-based triggers,
//! and executing their steps as jobs. Runs triggered by an activity are
//! started by the recorder (`events::triggers`), below this module.
//!
//! A run is started in the transaction that recorded its trigger, at most
//! once per (automation, trigger) thanks to a unique key. Each step is one
//! `automation_step` job: it executes the step and queues the next one (now,
//! or later for a wait) in the same transaction, so a crash repeats at most
//! the step in flight. A step that keeps failing marks the run failed with
//! the reason; later steps do not run until someone retries the run.

use std::collections::HashMap;

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tollgate_domain::access::{AccessSource, has_access};
use tollgate_domain::ids::{AppId, EndpointId, ProductId, RunId, TemplateId, UserId};
use tollgate_domain::outbound::EventType;
use tollgate_persistence::automations::{self as store, Run, RunStatus, StepOutcome};
use tollgate_persistence::{Conn, access, apps, outbound, products, users};

use super::model::{Condition, MAX_DEPTH, MemberField, Step, Trigger, wait_duration};
use super::templates;
use crate::access::GrantSpec;
use crate::error::{AppError, AppResult};
pub use crate::events::triggers::AutomationStep;
use crate::events::triggers::start_run;
pub(crate) use crate::events::triggers::{parse_definition, queue_step};
use crate::jobs::{JobCtx, JobError, JobSpec};
use crate::mail;
use crate::services::Services;

impl Services {
    /// The worker's sweep for time-based triggers (renewal coming up, trial
    /// ending, payment failed): once per subscription period.
    pub async fn sweep_time_triggers(&self, app: &AppId) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let mut started = 0;
        for key in ["renewal_upcoming", "trial_ending", "payment_failed"] {
            for a in store::listening(&mut tx.conn(), app, key).await? {
                let def = parse_definition(&a.definition)?;
                let (statuses, until, tag): (&[&str], Option<OffsetDateTime>, &str) = match def.trigger {
                    Trigger::RenewalUpcoming { days, .. } => (&["active"], Some(now + time::Duration::days(days.into())), "renewal"),
                    Trigger::TrialEnding { days, .. } => (&["trialing"], Some(now + time::Duration::days(days.into())), "trial"),
                    Trigger::PaymentFailed { .. } => (&["past_due"], None, "past_due"),
                    Trigger::Activity { .. } => continue,
                };
                let from = if tag == "past_due" { None } else { Some(now) };
                for sub in store::subscriptions_in(&mut tx.conn(), app, statuses, from, until).await? {
                    let product = match def.trigger.product_id() {
                        Some(p) => match sub.products.iter().find(|x| x.as_str() == p) {
                            Some(x) => Some(x.clone()),
                            None => continue,
                        },
                        None => sub.products.first().cloned(),
                    };
                    let period = sub.current_period_end.map(|t| t.unix_timestamp()).unwrap_or(0);
                    let context = json!({
                        "event_type": key, "subscription_id": sub.subscription_id, "status": sub.status,
                        "current_period_end": sub.current_period_end.map(crate::wire::rfc3339),
                    });
                    let r = format!("{tag}:{}:{period}", sub.subscription_id);
                    if start_run(&mut tx.conn(), &a, r, Some(sub.user_id.clone()), product, 1, context, now).await?.is_some() {
                        started += 1;
                    }
                }
            }
        }
        tx.commit().await?;
        if started > 0 {
            self.jobs_ready.notify_one();
        }
        Ok(started)
    }

    /// Whether a condition holds for the run's member now.
    pub(crate) async fn holds(&self, conn: &mut Conn<'_>, app: &AppId, user: Option<&UserId>, context: &Value, c: &Condition) -> AppResult<bool> {
        let now = self.now();
        Ok(match c {
            Condition::HasAccess { product_id } | Condition::LacksAccess { product_id } => {
                let has = match user {
                    Some(u) => has_access(&access::open_for(conn, app, u, &ProductId::from_trusted(product_id.clone())).await?, now),
                    None => false,
                };
                has == matches!(c, Condition::HasAccess { .. })
            }
            Condition::MemberField { field, equals } => match user {
                Some(u) => match users::find(conn, app, u).await? {
                    Some(m) => match field {
                        MemberField::Email => m.email.as_str().eq_ignore_ascii_case(equals.trim()),
                        MemberField::Name => m.name == *equals,
                        MemberField::Stage => m.customer.stage.as_deref().unwrap_or("").eq_ignore_ascii_case(equals.trim()),
                    },
                    None => false,
                },
                None => false,
            },
            Condition::GrantSource { source } => context["activity"]["source"].as_str() == Some(source.as_str()),
            Condition::InSegment { segment_id } => match user {
                Some(u) => self.in_segment_in(conn, app, u, &tollgate_domain::ids::SegmentId::from_trusted(segment_id.clone())).await?,
                None => false,
            },
        })
    }

    /// The variables of an email for the run's member and product.
    pub(crate) async fn template_vars(&self, conn: &mut Conn<'_>, app: &AppId, user: &tollgate_domain::user::User, product: Option<&ProductId>) -> AppResult<(mail::Site, HashMap<&'static str, String>)> {
        let site = mail::Site::of(apps::find(conn, app).await?.as_ref());
        let base = &self.config.public_url;
        let mut vars: HashMap<&'static str, String> = HashMap::new();
        vars.insert("member.name", if user.name.is_empty() { user.email.to_string() } else { user.name.clone() });
        vars.insert("member.email", user.email.to_string());
        vars.insert("site.name", site.name.clone());
        vars.insert("library_url", format!("{base}/member"));
        vars.insert("portal_url", format!("{base}/member/login"));
        if let Some(p) = product {
            if let Some(p) = products::find(conn, app, p).await? {
                vars.insert("product.url", format!("{base}/member/products/{}", p.id));
                vars.insert("product.name", p.fields.name);
            }
        }
        Ok((site, vars))
    }

    /// The `automation_step` job. `last_try`: the queue will not try again.
    pub async fn run_automation_step(&self, app: &AppId, run_id: &RunId, step: i64, last_try: bool) -> AppResult<()> {
        match self.step_once(app, run_id, step).await {
            Ok(()) => Ok(()),
            Err(e) if last_try => {
                let reason = match &e {
                    AppError::Validation(v) => v.0.iter().map(|f| format!("{}: {}", f.field, f.message)).collect::<Vec<_>>().join("; "),
                    other => other.to_string(),
                };
                let now = self.now();
                let mut tx = self.db.begin().await?;
                if let Some(run) = store::find_run(&mut tx.conn(), app, run_id).await? {
                    let kind = self.step_kind(&mut tx.conn(), &run, step).await.unwrap_or_else(|_| "unknown".into());
                    store::put_step(&mut tx.conn(), app, run_id, &StepOutcome { idx: step, kind, status: "failed".into(), detail: None, error: Some(reason.clone()), started_at: now, finished_at: Some(now) }).await?;
                    store::set_run(&mut tx.conn(), app, run_id, RunStatus::Failed, step, Some(&format!("step {} failed: {reason}", step + 1)), now).await?;
                }
                tx.commit().await?;
                Err(e)
            }
            Err(e) => Err(e),
        }
    }

    async fn step_kind(&self, conn: &mut Conn<'_>, run: &Run, step: i64) -> AppResult<String> {
        let raw = store::version(conn, &run.app_id, &run.automation_id, run.version).await?.ok_or(AppError::NotFound("automation version"))?;
        Ok(parse_definition(&raw)?.steps.get(step as usize).map(|s| s.kind().to_owned()).unwrap_or_else(|| "end".into()))
    }

    async fn step_once(&self, app: &AppId, run_id: &RunId, step: i64) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(run) = store::find_run(&mut tx.conn(), app, run_id).await? else { return Ok(()) };
        // A cancelled, finished or moved-on run ignores a stale job.
        if !run.status.is_open() || run.current_step != step {
            return Ok(());
        }
        let raw = store::version(&mut tx.conn(), app, &run.automation_id, run.version).await?.ok_or(AppError::NotFound("automation version"))?;
        let def = parse_definition(&raw)?;
        let context: Value = serde_json::from_str(&run.context).unwrap_or(Value::Null);
        let user = run.user_id.clone();

        // The conditions are checked when the run starts.
        if step == 0 {
            for (i, c) in def.conditions.iter().enumerate() {
                if !self.holds(&mut tx.conn(), app, user.as_ref(), &context, c).await? {
                    store::set_run(&mut tx.conn(), app, run_id, RunStatus::Stopped, 0, Some(&format!("condition {} did not hold", i + 1)), now).await?;
                    tx.commit().await?;
                    return Ok(());
                }
            }
        }
        let Some(s) = def.steps.get(step as usize) else {
            store::set_run(&mut tx.conn(), app, run_id, RunStatus::Succeeded, step, None, now).await?;
            tx.commit().await?;
            return Ok(());
        };
        let depth = u32::try_from(run.depth).unwrap_or(MAX_DEPTH);
        let mut next_at = now;
        let mut stop: Option<String> = None;
        let detail: String = match s {
            Step::GrantAccess { product_id, days } => {
                let u = user.clone().ok_or_else(|| AppError::conflict("no_member", "the trigger has no member to grant access to"))?;
                let p = ProductId::from_trusted(product_id.clone());
                let spec = GrantSpec {
                    source: AccessSource::Automation,
                    source_ref: Some(run.automation_id.to_string()),
                    reason: Some(format!("automation run {run_id}")),
                    ends_at: days.map(|d| now + time::Duration::days(d.into())),
                    notify: false,
                    depth,
                };
                match self.grant_in(&mut tx.conn(), app, &u, &p, spec).await {
                    Ok(g) => format!("granted {product_id} ({})", g.id),
                    Err(AppError::Conflict { code: "access_already_granted", .. }) => format!("{product_id} was already granted by this automation"),
                    Err(e) => return Err(e),
                }
            }
            Step::RemoveAccess { product_id } => {
                let u = user.clone().ok_or_else(|| AppError::conflict("no_member", "the trigger has no member to remove access from"))?;
                let open = access::open_for(&mut tx.conn(), app, &u, &ProductId::from_trusted(product_id.clone())).await?;
                for g in &open {
                    self.revoke_with_depth(&mut tx.conn(), app, &g.id, Some(&format!("automation run {run_id}")), now, depth).await?;
                }
                format!("removed {} grant(s) of {product_id}", open.len())
            }
            Step::SendEmail { template_id } => {
                let u = user.clone().ok_or_else(|| AppError::conflict("no_member", "the trigger has no member to email"))?;
                let member = users::find(&mut tx.conn(), app, &u).await?.ok_or(AppError::NotFound("user"))?;
                let (name, subject, body) = self.template_text(&mut tx.conn(), app, template_id).await?;
                let (site, vars) = self.template_vars(&mut tx.conn(), app, &member, run.product_id.as_ref()).await?;
                let r = templates::render("automation", &site, &subject, &body, &vars);
                let id = mail::enqueue(&mut tx.conn(), app, member.email.as_str(), r, now).await?;
                format!("queued \"{name}\" to {} ({id})", member.email)
            }
            Step::SendWebhook { endpoint_id } => {
                let ep = EndpointId::from_trusted(endpoint_id.clone());
                let e = outbound::find_endpoint(&mut tx.conn(), app, &ep).await?.ok_or(AppError::NotFound("endpoint"))?;
                if !e.enabled {
                    return Err(AppError::conflict("endpoint_disabled", "the endpoint is disabled"));
                }
                let t = context["event_type"].as_str().and_then(|t| t.parse::<EventType>().ok()).unwrap_or(EventType::Activity(tollgate_domain::activity::ActivityKind::UserCreated));
                let (member, product) = crate::events::publish::subjects(&mut tx.conn(), app, user.as_ref(), run.product_id.as_ref()).await?;
                let data = json!({ "activity": context.get("activity").cloned(), "member": member, "product": product, "automation": { "id": run.automation_id, "run_id": run_id, "trigger": context } });
                let msg = crate::events::publish::publish_to(&mut tx.conn(), app, std::slice::from_ref(&ep), t, data, now).await?;
                format!("queued event {msg} to {}", e.url)
            }
            Step::AddCrmTag { tag } | Step::RemoveCrmTag { tag } => {
                let u = user.clone().ok_or_else(|| AppError::conflict("no_member", "the trigger has no member to tag"))?;
                let op = if matches!(s, Step::AddCrmTag { .. }) { crate::crm::sync::TagOp::Apply } else { crate::crm::sync::TagOp::Remove };
                let kinds = crate::crm::sync::enqueue_tag_in(&mut tx.conn(), app, &u, tag, op, now).await?;
                let names: Vec<&str> = kinds.iter().map(|k| k.label()).collect();
                format!("queued: {} the tag \u{201c}{tag}\u{201d} in {}", if op == crate::crm::sync::TagOp::Apply { "add" } else { "remove" }, names.join(" and "))
            }
            Step::Wait { amount, unit } => {
                next_at = now + wait_duration(*amount, *unit);
                format!("waiting until {}", crate::wire::rfc3339(next_at))
            }
            Step::StopUnless { condition } => {
                if !self.holds(&mut tx.conn(), app, user.as_ref(), &context, condition).await? {
                    stop = Some("the condition no longer holds".into());
                }
                "condition checked".into()
            }
        };
        let status = if stop.is_some() { "stopped" } else { "succeeded" };
        store::put_step(&mut tx.conn(), app, run_id, &StepOutcome { idx: step, kind: s.kind().into(), status: status.into(), detail: Some(detail), error: None, started_at: now, finished_at: Some(now) }).await?;
        let next = step + 1;
        if let Some(reason) = stop {
            store::set_run(&mut tx.conn(), app, run_id, RunStatus::Stopped, next, Some(&reason), now).await?;
        } else if next as usize >= def.steps.len() {
            store::set_run(&mut tx.conn(), app, run_id, RunStatus::Succeeded, next, None, now).await?;
        } else {
            let status = if next_at > now { RunStatus::Waiting } else { RunStatus::Running };
            store::set_run(&mut tx.conn(), app, run_id, status, next, None, now).await?;
            queue_step(&mut tx.conn(), app, run_id, next, next_at, now).await?;
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(())
    }

    /// A template's name, subject and body: a built-in (`builtin:…`) or the app's own.
    pub(crate) async fn template_text(&self, conn: &mut Conn<'_>, app: &AppId, id: &str) -> AppResult<(String, String, String)> {
        if let Some((_, name, subject, body)) = templates::BUILT_IN.iter().find(|(i, ..)| *i == id) {
            return Ok(((*name).into(), (*subject).into(), (*body).into()));
        }
        let t = store::find_template(conn, app, &TemplateId::from_trusted(id.to_owned())).await?.ok_or(AppError::NotFound("template"))?;
        Ok((t.name, t.subject, t.body))
    }
}

impl JobSpec for AutomationStep {
    const KIND: &'static str = "automation_step";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.run_automation_step(&ctx.app, &self.run_id, self.step, ctx.last_attempt()).await?)
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
