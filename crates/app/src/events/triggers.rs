//! Starting automation runs in the transaction that records their trigger
//! (an activity here; the time-based triggers are swept by `automations`).
//! A run is started at most once per (automation, trigger) thanks to a
//! unique key; its steps are `automation_step` jobs, run by `automations::engine`.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::OffsetDateTime;
use tollgate_domain::activity::Activity;
use tollgate_domain::ids::{AppId, ProductId, RunId, UserId};
use tollgate_persistence::Conn;
use tollgate_persistence::automations::{self as store, Run, RunStatus};

use crate::automation_model::{Definition, MAX_DEPTH};
use crate::error::{AppError, AppResult};

/// Runs one step of an automation run; the last try fails the run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AutomationStep {
    pub run_id: RunId,
    pub step: i64,
}

pub(crate) fn parse_definition(raw: &str) -> AppResult<Definition> {
    serde_json::from_str(raw).map_err(|e| AppError::internal("a stored automation does not parse", e))
}

/// Queues the job that runs a run's next step.
pub(crate) async fn queue_step(conn: &mut Conn<'_>, app: &AppId, run: &RunId, step: i64, at: OffsetDateTime, now: OffsetDateTime) -> AppResult<()> {
    let key = format!("automation:{run}:{step}:{}", at.unix_timestamp());
    crate::jobs::enqueue(conn, app, &AutomationStep { run_id: run.clone(), step }, at, Some(key), now).await?;
    Ok(())
}

/// Starts a run of `a` for a trigger, unless one exists for the same trigger.
#[allow(clippy::too_many_arguments)]
pub(crate) async fn start_run(
    conn: &mut Conn<'_>,
    a: &store::AutomationRow,
    trigger_ref: String,
    user: Option<UserId>,
    product: Option<ProductId>,
    depth: u32,
    context: Value,
    now: OffsetDateTime,
) -> AppResult<Option<RunId>> {
    let too_deep = depth > MAX_DEPTH;
    let run = Run {
        app_id: a.app_id.clone(),
        id: RunId::new(),
        automation_id: a.id.clone(),
        version: a.version,
        trigger_ref,
        user_id: user,
        product_id: product,
        depth: depth.into(),
        context: context.to_string(),
        status: if too_deep { RunStatus::Failed } else { RunStatus::Running },
        current_step: 0,
        error: too_deep.then(|| format!("stopped: a chain of {depth} automations triggering each other is deeper than the limit of {MAX_DEPTH} (a loop?)")),
        created_at: now,
        updated_at: now,
        finished_at: too_deep.then_some(now),
    };
    if !store::insert_run(conn, &run).await? {
        return Ok(None);
    }
    if too_deep {
        tracing::warn!(automation = %a.id, run = %run.id, depth, "automation chain too deep: run failed");
    } else {
        queue_step(conn, &a.app_id, &run.id, 0, now, now).await?;
    }
    Ok(Some(run.id))
}

/// Starts the runs of the app's automations listening to this activity (one
/// indexed lookup; nothing else when none listens).
pub async fn on_activity_in(conn: &mut Conn<'_>, app: &AppId, act: &Activity, depth: u32) -> AppResult<()> {
    let listening = store::listening(conn, app, &format!("activity:{}", act.kind.as_str())).await?;
    for a in listening {
        let def = parse_definition(&a.definition)?;
        if let Some(p) = def.trigger.product_id() {
            if act.product_id.as_ref().map(|x| x.as_str()) != Some(p) {
                continue;
            }
        }
        let context = json!({ "event_type": act.kind.as_str(), "activity_id": act.id, "activity": act.data });
        start_run(conn, &a, act.id.to_string(), act.user_id.clone(), act.product_id.clone(), depth + 1, context, act.occurred_at).await?;
    }
    Ok(())
}

