//! The CRMs' side of a change, queued in the change's transaction: the
//! payloads of the CRM jobs the recorder queues (run by `crm::sync`), and
//! which CRMs are connected (the options the stage tags follow are in
//! `connector_settings`).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tollgate_crm::CrmKind;
use tollgate_domain::activity::{Activity, ActivityKind};
use tollgate_domain::ids::{AppId, JobId, ProductId, UserId};
use tollgate_persistence::Conn;
use tollgate_persistence::crm as store;

use crate::connector_settings::CrmSettings;
use crate::error::AppResult;
use crate::jobs::{self, JobSpec};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum TagOp {
    Apply,
    Remove,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct SyncPayload {
    pub kind: CrmKind,
    #[serde(default)]
    pub product_id: Option<ProductId>,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct ContactPayload {
    pub kind: CrmKind,
    pub contact_id: String,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct PushPayload {
    pub kind: CrmKind,
    pub user_id: UserId,
    pub product_id: ProductId,
    pub op: TagOp,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UpsertPayload {
    pub kind: CrmKind,
    pub user_id: UserId,
}

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct TagPayload {
    pub kind: CrmKind,
    pub user_id: UserId,
    pub tag: String,
    pub op: TagOp,
}

/// Queues a CRM job due now.
pub(crate) async fn enqueue<J: JobSpec>(conn: &mut Conn<'_>, app: &AppId, payload: J, now: OffsetDateTime) -> AppResult<Option<JobId>> {
    jobs::enqueue(conn, app, &payload, now, None, now).await
}

pub(crate) async fn enqueue_sync(conn: &mut Conn<'_>, app: &AppId, kind: CrmKind, product: Option<&ProductId>, now: OffsetDateTime) -> AppResult<Option<JobId>> {
    enqueue(conn, app, SyncPayload { kind, product_id: product.cloned() }, now).await
}

/// Queues the CRM's side of an activity in the activity's transaction:
/// access granted / removed by any source but this CRM → tag applied /
/// removed; a new member → contact created. One indexed read when no CRM is connected.
pub(crate) async fn on_activity_in(conn: &mut Conn<'_>, app: &AppId, a: &Activity) -> AppResult<()> {
    if a.kind == ActivityKind::MemberStageChanged {
        return on_stage_changed_in(conn, app, a).await;
    }
    if !matches!(a.kind, ActivityKind::ProductAccessGranted | ActivityKind::ProductAccessRemoved | ActivityKind::UserCreated) {
        return Ok(());
    }
    let Some(user) = a.user_id.clone() else { return Ok(()) };
    for kind in connected_kinds(conn, app).await? {
        match (a.kind, a.product_id.clone()) {
            (ActivityKind::UserCreated, _) => {
                enqueue(conn, app, UpsertPayload { kind, user_id: user.clone() }, a.occurred_at).await?;
            }
            (k, Some(product_id)) => {
                // The CRM's own grant or removal: its tag is already as it should be.
                if a.data["source"].as_str() == Some(kind.as_str()) {
                    continue;
                }
                let op = if k == ActivityKind::ProductAccessGranted { TagOp::Apply } else { TagOp::Remove };
                enqueue(conn, app, PushPayload { kind, user_id: user.clone(), product_id, op }, a.occurred_at).await?;
            }
            _ => {}
        }
    }
    Ok(())
}

/// A member's lifecycle stage changed: in each CRM that keeps stage tags,
/// the old stage's tag goes and the new one's comes.
async fn on_stage_changed_in(conn: &mut Conn<'_>, app: &AppId, a: &Activity) -> AppResult<()> {
    let Some(user) = a.user_id.clone() else { return Ok(()) };
    for kind in connected_kinds(conn, app).await? {
        let Some(row) = store::find(conn, app, kind.as_str()).await? else { continue };
        let opts = CrmSettings::from_json(&row.settings).options;
        if !opts.stage_tags {
            continue;
        }
        for (field, op) in [("from", TagOp::Remove), ("to", TagOp::Apply)] {
            if let Some(stage) = a.data[field].as_str().filter(|s| !s.trim().is_empty()) {
                let tag = opts.stage_tag_name(stage);
                enqueue(conn, app, TagPayload { kind, user_id: user.clone(), tag, op }, a.occurred_at).await?;
            }
        }
    }
    Ok(())
}

/// A product was created or renamed: each connected CRM makes sure of its tag.
pub(crate) async fn on_product_changed_in(conn: &mut Conn<'_>, app: &AppId, product: &ProductId, now: OffsetDateTime) -> AppResult<()> {
    for kind in connected_kinds(conn, app).await? {
        enqueue_sync(conn, app, kind, Some(product), now).await?;
    }
    Ok(())
}

/// A member's email or name changed: update their contacts.
pub(crate) async fn on_member_updated_in(conn: &mut Conn<'_>, app: &AppId, user: &UserId, now: OffsetDateTime) -> AppResult<()> {
    for kind in connected_kinds(conn, app).await? {
        enqueue(conn, app, UpsertPayload { kind, user_id: user.clone() }, now).await?;
    }
    Ok(())
}


/// The CRMs connected in an app.
pub(crate) async fn connected_kinds(conn: &mut Conn<'_>, app: &AppId) -> AppResult<Vec<CrmKind>> {
    Ok(store::connected_kinds(conn, app).await?.iter().filter_map(|k| CrmKind::parse(k)).collect())
}
