//! Bulk actions on members: grant or revoke a product, add or remove a CRM
//! tag, for everyone matching a filter (or a saved segment) or for a chosen
//! list. Run as a job with progress; each member's change is idempotent
//! (a member who already has access is skipped, a revoke of nothing does
//! nothing, tags go through the CRM's own jobs), so a job retried after a
//! crash converges instead of doubling anything.

use serde::{Deserialize, Serialize};
use tollgate_domain::access::{AccessSource, has_access};
use tollgate_domain::ids::{AppId, JobId, ProductId, SegmentId, UserId};
use tollgate_domain::members::RawMemberFilter;
use tollgate_domain::page::Limit;
use tollgate_persistence::{access, jobs, products, users};

use crate::access::GrantSpec;
use crate::crm::sync::{TagOp, enqueue_tag_in};
use crate::error::{AppError, AppResult};
use crate::jobs::{JobCtx, JobError, JobSpec};
use crate::services::Services;

/// At most this many members named one by one.
pub const MAX_SELECTED: usize = 1000;
const PAGE: u32 = 200;

/// What to do to each member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, utoipa::ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum BulkAction {
    /// Grants the product (source `manual`, reason "bulk action"), for `days` days or open-ended; members with access are skipped.
    GrantAccess { product_id: String, days: Option<u32> },
    /// Removes every open grant of the product.
    RevokeAccess { product_id: String },
    /// Adds a tag in every connected CRM.
    AddCrmTag { tag: String },
    /// Removes a tag in every connected CRM.
    RemoveCrmTag { tag: String },
}

/// Who the action is for.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum BulkTarget {
    Filter(RawMemberFilter),
    Segment(SegmentId),
    Members(Vec<UserId>),
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct BulkPayload {
    pub action: BulkAction,
    pub target: BulkTarget,
    pub total: i64,
}

impl Services {
    /// Checks the action and its target, counts the members and queues the job.
    pub async fn start_bulk(&self, app: &AppId, action: BulkAction, target: BulkTarget) -> AppResult<(JobId, i64)> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        match &action {
            BulkAction::GrantAccess { product_id, .. } | BulkAction::RevokeAccess { product_id } if !product_id.is_empty() => {
                let p = products::find(&mut tx.conn(), app, &ProductId::parse(product_id).map_err(|_| AppError::field("action.product_id", "unknown_product", "not a product of this app"))?)
                    .await?
                    .ok_or_else(|| AppError::field("action.product_id", "unknown_product", "not a product of this app"))?;
                if matches!(action, BulkAction::GrantAccess { .. }) && p.archived_at.is_some() {
                    return Err(AppError::conflict("product_archived", "the product is archived; restore it before granting access"));
                }
                if let BulkAction::GrantAccess { days: Some(d), .. } = &action
                    && !(1..=3650).contains(d)
                {
                    return Err(AppError::field("action.days", "out_of_range", "between 1 and 3650, or leave out for open-ended access"));
                }
            }
            BulkAction::GrantAccess { .. } | BulkAction::RevokeAccess { .. } => return Err(AppError::field("action.product_id", "required", "name the product")),
            BulkAction::AddCrmTag { tag } | BulkAction::RemoveCrmTag { tag } => {
                if tag.trim().is_empty() || tag.chars().count() > 250 || tag.chars().any(char::is_control) {
                    return Err(AppError::field("action.tag", "invalid_tag", "a tag name of 1 to 250 characters"));
                }
                if tollgate_persistence::crm::connected_kinds(&mut tx.conn(), app).await?.is_empty() {
                    return Err(AppError::conflict("crm_not_connected", "connect a CRM (Keap or ActiveCampaign) first"));
                }
            }
        }
        let total = match &target {
            BulkTarget::Members(ids) => {
                if ids.is_empty() || ids.len() > MAX_SELECTED {
                    return Err(AppError::field("user_ids", "out_of_range", format!("between 1 and {MAX_SELECTED} members")));
                }
                ids.len() as i64
            }
            BulkTarget::Filter(f) => {
                let (q, f) = self.member_filter_in(&mut tx.conn(), app, f).await?;
                users::count_filtered(&mut tx.conn(), app, q.as_deref(), &f).await?
            }
            BulkTarget::Segment(id) => {
                let seg = tollgate_persistence::segments::find(&mut tx.conn(), app, id).await?.ok_or_else(|| AppError::field("segment_id", "unknown_segment", "not a segment of this app"))?;
                let (q, f) = self.member_filter_in(&mut tx.conn(), app, &seg.filter).await?;
                users::count_filtered(&mut tx.conn(), app, q.as_deref(), &f).await?
            }
        };
        let payload = BulkPayload { action, target, total };
        let id = crate::jobs::enqueue(&mut tx.conn(), app, &payload, now, None, now).await?.ok_or_else(|| AppError::Internal("the bulk job was not queued".into()))?;
        jobs::set_progress(&mut tx.conn(), app, &id, 0, total, now).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok((id, total))
    }

    /// The `members_bulk` job ([`BulkPayload`]): pages through the members (newest first) and applies the action, one transaction per page.
    pub async fn run_bulk(&self, app: &AppId, job: &JobId, p: BulkPayload) -> AppResult<()> {
        let mut done = 0i64;
        let mut after: Option<UserId> = None;
        let explicit: Option<Vec<UserId>> = match &p.target {
            BulkTarget::Members(ids) => Some(ids.clone()),
            _ => None,
        };
        let filter = match &p.target {
            BulkTarget::Filter(f) => Some(f.clone()),
            BulkTarget::Segment(id) => match tollgate_persistence::segments::find(&mut self.db.acquire().await?.conn(), app, id).await? {
                Some(s) => Some(s.filter),
                None => return Err(AppError::NotFound("segment")),
            },
            BulkTarget::Members(_) => None,
        };
        loop {
            let mut tx = self.db.begin().await?;
            let batch: Vec<UserId> = match (&explicit, &filter) {
                (Some(ids), _) => ids.iter().skip(done as usize).take(PAGE as usize).cloned().collect(),
                (None, Some(f)) => {
                    let (q, uf) = self.member_filter_in(&mut tx.conn(), app, f).await?;
                    users::list_filtered(&mut tx.conn(), app, q.as_deref(), &uf, after.as_ref(), Limit::batch(PAGE)).await?.items.into_iter().map(|u| u.id).collect()
                }
                (None, None) => Vec::new(),
            };
            if batch.is_empty() {
                tx.commit().await?;
                break;
            }
            let now = self.now();
            for u in &batch {
                if users::find(&mut tx.conn(), app, u).await?.is_none() {
                    continue;
                }
                match &p.action {
                    BulkAction::GrantAccess { product_id, days } => {
                        let product = ProductId::from_trusted(product_id.clone());
                        if has_access(&access::open_for(&mut tx.conn(), app, u, &product).await?, now) {
                            continue;
                        }
                        let spec = GrantSpec {
                            source: AccessSource::Manual,
                            source_ref: Some(format!("bulk:{job}")),
                            reason: Some("bulk action".into()),
                            ends_at: days.map(|d| now + time::Duration::days(d.into())),
                            notify: true,
                            depth: 0,
                        };
                        self.grant_in(&mut tx.conn(), app, u, &product, spec).await?;
                    }
                    BulkAction::RevokeAccess { product_id } => {
                        for g in access::open_for(&mut tx.conn(), app, u, &ProductId::from_trusted(product_id.clone())).await? {
                            self.revoke_in(&mut tx.conn(), app, &g.id, Some("bulk action")).await?;
                        }
                    }
                    BulkAction::AddCrmTag { tag } => {
                        enqueue_tag_in(&mut tx.conn(), app, u, tag, TagOp::Apply, now).await?;
                    }
                    BulkAction::RemoveCrmTag { tag } => {
                        enqueue_tag_in(&mut tx.conn(), app, u, tag, TagOp::Remove, now).await?;
                    }
                }
            }
            done += batch.len() as i64;
            after = batch.last().cloned();
            jobs::set_progress(&mut tx.conn(), app, job, done, p.total.max(done), now).await?;
            tx.commit().await?;
            self.jobs_ready.notify_one();
            if explicit.is_none() && (batch.len() as u32) < PAGE {
                break;
            }
        }
        let mut c = self.db.acquire().await?;
        jobs::set_progress(&mut c.conn(), app, job, done, done, self.now()).await?;
        Ok(())
    }
}

impl JobSpec for BulkPayload {
    const KIND: &'static str = "members_bulk";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.run_bulk(&ctx.app, &ctx.id, self).await?)
    }
}
