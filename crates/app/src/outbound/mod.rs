//! Outbound events: what Tollgate tells other tools.
//!
//! Every activity (and `member.updated`) is published inside the transaction
//! that records it: one `webhook_messages` row holding the exact body, and one
//! `webhook_deliveries` row (and its queue row) per enabled endpoint whose filter wants it (that
//! part is the recorder's, `events::publish`, below every capability). The
//! [`dispatch::Dispatcher`] sends them (Standard Webhooks signatures, 15 s
//! timeout, retries over about a day), so an event is never lost between the
//! change and its delivery, and every try of one event carries the same
//! `webhook-id`.
//!
//! Endpoints are of two kinds: `standard` (signed, managed by admins) and
//! `zapier` (Zapier's REST hook subscriptions, unsigned, removed on 410).

pub mod dispatch;
pub mod endpoints;
pub use crate::net;
pub mod signing;

use serde_json::{Value, json};
use time::OffsetDateTime;
use tollgate_domain::outbound::EventType;

pub use crate::config::OutboundSettings;
pub(crate) use crate::events::publish::publish_to;
pub use crate::events::publish::{envelope, publish_activity_in, publish_member_updated_in};
use crate::wire::rfc3339;

/// A made-up event of type `t` for samples and test sends, shaped like a real one.
pub fn sample_data(t: EventType, now: OffsetDateTime) -> Value {
    let ts = rfc3339(now);
    let member = json!({
        "id": "usr_00000000000070008000000000000001", "email": "ada@example.com", "name": "Ada Lovelace",
        "has_password": false, "last_login_at": null, "created_at": ts, "updated_at": ts,
        "stage": "Customer", "mrr": 2500, "mrr_currency": "usd", "renews_at": ts,
    });
    let product = t.has_product().then(|| {
        json!({
            "id": "prod_00000000000070008000000000000001", "name": "Starter Course", "description": "Ten lessons to get going.",
            "image_url": null, "purchase_method": "direct_checkout", "external_url": null, "show_locked_card": true,
            "archived_at": null, "created_at": ts, "updated_at": ts,
        })
    });
    let activity = match t {
        EventType::Activity(k) => json!({
            "id": "act_00000000000070008000000000000001", "kind": k.as_str(), "label": k.label(),
            "user_id": member["id"], "product_id": product.as_ref().map(|p| p["id"].clone()),
            "data": tollgate_domain::activity::ActivityData::sample(k).data_value(),
            "occurred_at": ts,
        }),
        EventType::MemberUpdated => Value::Null,
    };
    json!({ "activity": activity, "member": member, "product": product })
}
