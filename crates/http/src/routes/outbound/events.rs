//! The outbound event payloads, described in the OpenAPI document's
//! top-level `webhooks` section (OpenAPI 3.1): one entry per event type,
//! each a POST whose body is a [`WebhookEvent`].

use serde::Serialize;
use serde_json::{Value, json};
use tollgate_app::wire::{ActivityResponse, ProductResponse, UserResponse};
use tollgate_domain::activity::ActivityKind;
use tollgate_domain::outbound::EventType;
use utoipa::ToSchema;

/// What every event carries in `data`. Members, products and activities have
/// the same shape as in the REST API.
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEventData {
    /// The activity behind the event (absent for `member.updated`).
    pub activity: Option<ActivityResponse>,
    /// The member it is about.
    pub member: Option<UserResponse>,
    /// The product it is about, for product events.
    pub product: Option<ProductResponse>,
    /// Present and true only in events sent by "send test event".
    pub test: Option<bool>,
}

/// The body of every outbound event (Standard Webhooks). Each try carries the
/// headers `webhook-id` (= `id`, stable across retries: deduplicate on it),
/// `webhook-timestamp` (Unix seconds) and, for webhook endpoints,
/// `webhook-signature` (`v1,<base64 HMAC-SHA256 of "{id}.{timestamp}.{body}">`,
/// space-separated when two secrets sign during a rotation).
#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookEvent {
    /// `msg_…`: the event id, equal to the `webhook-id` header.
    pub id: String,
    /// The event type, e.g. `product.access_granted`.
    #[serde(rename = "type")]
    pub event_type: String,
    #[schema(format = DateTime)]
    pub timestamp: String,
    pub data: WebhookEventData,
}

fn header(name: &str, description: &str) -> Value {
    json!({ "name": name, "in": "header", "required": name != "webhook-signature", "description": description, "schema": { "type": "string" } })
}

/// The name of the schema of the `data` of activities of kind `k`
/// (`user.video_watched` → `UserVideoWatchedData`, see `tollgate_domain::activity::data`).
pub fn data_schema_name(k: ActivityKind) -> String {
    let mut out = String::new();
    for part in k.as_str().split(['.', '_']) {
        let mut c = part.chars();
        if let Some(first) = c.next() {
            out.extend(first.to_uppercase());
            out.push_str(c.as_str());
        }
    }
    out + "Data"
}

/// What an event of type `t` adds to [`WebhookEvent`]: its `type`, and for an
/// activity's event the activity's `kind` and the schema of its `data`.
fn of_type(t: EventType) -> Value {
    let data = match t {
        EventType::Activity(k) => json!({
            "type": "object",
            "required": ["activity"],
            "properties": { "activity": {
                "type": "object",
                "required": ["kind", "data"],
                "properties": {
                    "kind": { "type": "string", "enum": [k.as_str()] },
                    "data": { "$ref": format!("#/components/schemas/{}", data_schema_name(k)) }
                }
            } }
        }),
        EventType::MemberUpdated => json!({ "type": "object", "properties": { "activity": { "type": "null" } } }),
    };
    json!({ "type": "object", "properties": { "type": { "type": "string", "enum": [t.as_str()] }, "data": data } })
}

/// The `webhooks` section: one POST per event type.
pub fn webhooks_section() -> Value {
    let mut out = serde_json::Map::new();
    for t in EventType::all() {
        out.insert(
            t.as_str().to_owned(),
            json!({ "post": {
                "tags": ["webhooks"],
                "summary": t.label(),
                "description": t.description(),
                "operationId": format!("event_{}", t.as_str().replace('.', "_")),
                "parameters": [
                    header("webhook-id", "The event id (`msg_…`); the same on every try of this event."),
                    header("webhook-timestamp", "When this try was sent, in Unix seconds."),
                    header("webhook-signature", "Webhook endpoints only: `v1,<base64>` signatures, space-separated."),
                ],
                "requestBody": { "required": true, "content": { "application/json": { "schema": {
                    "allOf": [{ "$ref": "#/components/schemas/WebhookEvent" }, of_type(t)]
                } } } },
                "responses": {
                    "2XX": { "description": "Received. Any other answer, a timeout (15 s) or a network error is retried: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h." },
                    "410": { "description": "Gone: the endpoint is disabled (a Zapier hook is removed) at once." }
                }
            } }),
        );
    }
    Value::Object(out)
}
