//! Customer 360: lifecycle stages and each member's MRR and renewal date.
//!
//! A member's figures are recomputed from their Stripe subscriptions in the
//! same transaction that changes one (webhook, import, sync), and for every
//! member by a background job after the app's stage definitions change. A
//! changed stage records `member.stage_changed` {from, to}, which reaches the
//! feed, outbound webhooks and automations like any activity.

pub mod accounts;
pub mod bulk;
pub mod movements;
pub mod segments;

use serde::{Deserialize, Serialize};
use tollgate_domain::activity::NewActivity;
use tollgate_domain::activity::data::{ActivityData, MemberStageChangedData};
use tollgate_domain::clock::to_millis;
use tollgate_domain::ids::{AppId, UserId};
use tollgate_domain::stages::{CustomerFigures, RawStage, Stages, SubscriptionFacts};
use tollgate_persistence::stages::{self as repo, StageTotal};
use tollgate_persistence::{Conn, stripe as stripe_repo};

use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::jobs::{JobCtx, JobError, JobSpec};
use crate::services::Services;

/// Members recomputed per job (one transaction).
const RECOMPUTE_BATCH: i64 = 500;

/// An app's stages and the progress of the recompute that follows an edit.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StagesView {
    pub stages: Stages,
    /// False until the app saves its own definitions.
    pub customized: bool,
    pub recompute_total: i64,
    pub recompute_done: i64,
}

async fn stages_in(conn: &mut Conn<'_>, app: &AppId) -> AppResult<(Stages, Option<repo::Stored>)> {
    let stored = repo::find(conn, app).await?;
    let stages = stored.as_ref().map(|s| Stages::from_stored(&s.definitions)).unwrap_or_default();
    Ok((stages, stored))
}

impl Services {
    pub async fn stages(&self, app: &AppId) -> AppResult<StagesView> {
        let mut c = self.db.acquire().await?;
        let (stages, stored) = stages_in(&mut c.conn(), app).await?;
        Ok(StagesView {
            stages,
            customized: stored.is_some(),
            recompute_total: stored.as_ref().map_or(0, |s| s.recompute_total),
            recompute_done: stored.as_ref().map_or(0, |s| s.recompute_done),
        })
    }

    /// Replaces the app's stage definitions and starts recomputing every
    /// member's stage in the background (progress in [`StagesView`]).
    pub async fn set_stages(&self, app: &AppId, raw: Vec<RawStage>) -> AppResult<StagesView> {
        let stages = Stages::parse(&raw)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let total = repo::count_members(&mut tx.conn(), app).await?;
        repo::save(&mut tx.conn(), app, &stages.to_raw(), total, now).await?;
        // The recompute belongs to these definitions: their save time (as stored, in ms).
        let generation = to_millis(now);
        enqueue_recompute(&mut tx.conn(), app, generation, None, now).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(StagesView { stages, customized: true, recompute_total: total, recompute_done: 0 })
    }

    /// Recomputes a member's stage, MRR and renewal date from their
    /// subscriptions, inside the caller's transaction; records
    /// `member.stage_changed` when the stage moved.
    pub(crate) async fn refresh_customer_in(&self, conn: &mut Conn<'_>, app: &AppId, user: &UserId) -> AppResult<CustomerFigures> {
        let (stages, _) = stages_in(conn, app).await?;
        self.refresh_with(conn, app, user, &stages).await
    }

    async fn refresh_with(&self, conn: &mut Conn<'_>, app: &AppId, user: &UserId, stages: &Stages) -> AppResult<CustomerFigures> {
        let subs: Vec<SubscriptionFacts> = stripe_repo::subscriptions_of(conn, app, user)
            .await?
            .into_iter()
            .map(|s| SubscriptionFacts {
                status: s.status,
                cancel_at_period_end: s.cancel_at_period_end,
                current_period_end: s.current_period_end,
                mrr: s.mrr,
                currency: s.currency,
            })
            .collect();
        let figures = CustomerFigures::of(stages, &subs);
        let Some(before) = repo::set_figures(conn, app, user, &figures).await? else {
            return Err(AppError::NotFound("user"));
        };
        if before != figures.stage {
            let d = ActivityData::MemberStageChanged(MemberStageChangedData { from: before, to: figures.stage.clone() });
            let a = NewActivity::of(d, Some(user.clone()), None, self.now());
            record(conn, app, a).await?;
        }
        Ok(figures)
    }

    /// One step of the recompute: the next batch of members after `after`,
    /// in one transaction with the progress and the next step's job. A step
    /// of an older generation (the definitions changed again) stops.
    pub async fn run_stage_recompute(&self, app: &AppId, generation: i64, after: Option<UserId>) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let (stages, stored) = stages_in(&mut tx.conn(), app).await?;
        let current = stored.as_ref().map(|s| to_millis(s.updated_at));
        if current != Some(generation) {
            tracing::info!(app = %app, "stage recompute of older definitions: stopped");
            return Ok(());
        }
        let batch = repo::members_after(&mut tx.conn(), app, after.as_ref(), RECOMPUTE_BATCH).await?;
        for u in &batch {
            self.refresh_with(&mut tx.conn(), app, u, &stages).await?;
        }
        repo::advance(&mut tx.conn(), app, batch.len() as i64).await?;
        if batch.len() as i64 == RECOMPUTE_BATCH {
            enqueue_recompute(&mut tx.conn(), app, generation, batch.last(), now).await?;
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(())
    }

    /// Members and MRR per stage, in the app's stage order, then members without a stage.
    /// Also the currency most paying subscriptions use.
    pub async fn stage_totals(&self, app: &AppId) -> AppResult<(Vec<StageTotalView>, Option<String>)> {
        let mut c = self.db.acquire().await?;
        let (stages, _) = stages_in(&mut c.conn(), app).await?;
        let mut totals = repo::totals(&mut c.conn(), app).await?;
        let rank = |t: &StageTotal| match &t.stage {
            Some(n) => stages.0.iter().position(|d| &d.name == n).unwrap_or(stages.0.len()),
            None => stages.0.len() + 1,
        };
        // Every defined stage appears, with zero members if none is in it.
        for d in &stages.0 {
            if !totals.iter().any(|t| t.stage.as_deref() == Some(d.name.as_str())) {
                totals.push(StageTotal { stage: Some(d.name.clone()), members: 0, mrr: 0 });
            }
        }
        totals.sort_by_key(|t| (rank(t), t.stage.clone()));
        let currency = stripe_repo::main_currency(&mut c.conn(), app).await?;
        Ok((totals.into_iter().map(|t| StageTotalView { stage: t.stage, members: t.members, mrr: t.mrr }).collect(), currency))
    }
}

/// Members and MRR (minor units) in one lifecycle stage; `stage` is `None`
/// for members without a stage.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTotalView {
    pub stage: Option<String>,
    pub members: i64,
    pub mrr: i64,
}

async fn enqueue_recompute(conn: &mut Conn<'_>, app: &AppId, generation: i64, after: Option<&UserId>, now: time::OffsetDateTime) -> AppResult<()> {
    let key = format!("stages:{generation}:{}", after.map_or("-", |u| u.as_str()));
    let job = StageRecompute { generation, after: after.cloned() };
    crate::jobs::enqueue(conn, app, &job, now, Some(key), now).await?;
    Ok(())
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
