//! Publishing to the outbound endpoints, inside the transaction that
//! records the change: one `webhook_messages` row holding the exact body,
//! and one `webhook_deliveries` row (with its `webhook_queue` row) per
//! enabled endpoint whose filter wants it. Sending them is `outbound::dispatch`'s job.

use serde_json::{Value, json};
use time::OffsetDateTime;
use tollgate_domain::activity::Activity;
use tollgate_domain::ids::{AppId, EndpointId, MessageId, ProductId, UserId};
use tollgate_domain::outbound::{EventType, filter_accepts};
use tollgate_domain::user::User;
use tollgate_persistence::{Conn, outbound, products, users};

use crate::error::AppResult;
use crate::wire::{ActivityResponse, ProductResponse, UserResponse, rfc3339};

/// The body of an event: `{id, type, timestamp, data}`.
pub fn envelope(id: &MessageId, t: &str, at: OffsetDateTime, data: Value) -> Value {
    json!({ "id": id, "type": t, "timestamp": rfc3339(at), "data": data })
}

/// The enabled endpoints of an app whose filter wants events of type `t`.
async fn targets(conn: &mut Conn<'_>, app: &AppId, t: EventType) -> AppResult<Vec<EndpointId>> {
    Ok(outbound::enabled_endpoints(conn, app).await?.into_iter().filter(|(_, f)| filter_accepts(f, t)).map(|(id, _)| id).collect())
}

/// Writes an event and one delivery per target, inside the caller's transaction.
pub(crate) async fn publish_to(conn: &mut Conn<'_>, app: &AppId, targets: &[EndpointId], t: EventType, data: Value, now: OffsetDateTime) -> AppResult<MessageId> {
    let id = MessageId::new();
    let body = envelope(&id, t.as_str(), now, data).to_string();
    outbound::insert_message(conn, app, &id, t.as_str(), &body, now).await?;
    outbound::insert_deliveries(conn, app, targets, &id, t.as_str(), now).await?;
    Ok(id)
}

/// The member and product an event is about, as the REST API shows them.
pub(crate) async fn subjects(conn: &mut Conn<'_>, app: &AppId, user: Option<&UserId>, product: Option<&ProductId>) -> AppResult<(Option<UserResponse>, Option<ProductResponse>)> {
    let member = match user {
        Some(u) => users::find(conn, app, u).await?.map(UserResponse::from),
        None => None,
    };
    let product = match product {
        Some(p) => products::find(conn, app, p).await?.map(ProductResponse::from),
        None => None,
    };
    Ok((member, product))
}

/// The data of an activity's event: the activity, its member and product.
async fn activity_data(conn: &mut Conn<'_>, app: &AppId, a: &Activity) -> AppResult<Value> {
    let (member, product) = subjects(conn, app, a.user_id.as_ref(), a.product_id.as_ref()).await?;
    Ok(json!({ "activity": ActivityResponse::from(a.clone()), "member": member, "product": product }))
}

/// Publishes a recorded activity (called by `record` for every activity).
pub async fn publish_activity_in(conn: &mut Conn<'_>, app: &AppId, a: &Activity) -> AppResult<()> {
    let t = EventType::Activity(a.kind);
    let to = targets(conn, app, t).await?;
    if to.is_empty() {
        return Ok(());
    }
    let data = activity_data(conn, app, a).await?;
    publish_to(conn, app, &to, t, data, a.occurred_at).await?;
    Ok(())
}

/// Publishes `member.updated` with the member as saved.
pub async fn publish_member_updated_in(conn: &mut Conn<'_>, app: &AppId, u: &User, now: OffsetDateTime) -> AppResult<()> {
    let to = targets(conn, app, EventType::MemberUpdated).await?;
    if !to.is_empty() {
        let data = json!({ "activity": null, "member": UserResponse::from(u.clone()), "product": null });
        publish_to(conn, app, &to, EventType::MemberUpdated, data, now).await?;
    }
    super::crm::on_member_updated_in(conn, app, &u.id, now).await?;
    Ok(())
}

