//! Wire types of outbound webhooks and Zapier hooks.

use serde::{Deserialize, Serialize};
use tollgate_app::outbound::endpoints::DeliveryLog;
use tollgate_app::wire::rfc3339;
use tollgate_domain::outbound::{Attempt, DeliveryStatus, Endpoint, EndpointKind, EventType};
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

/// `standard`: a Standard Webhooks receiver (signed). `zapier`: a Zapier REST hook (unsigned).
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum EndpointKindName {
    Standard,
    Zapier,
}

impl From<EndpointKind> for EndpointKindName {
    fn from(k: EndpointKind) -> Self {
        match k {
            EndpointKind::Standard => EndpointKindName::Standard,
            EndpointKind::Zapier => EndpointKindName::Zapier,
        }
    }
}

impl From<EndpointKindName> for EndpointKind {
    fn from(k: EndpointKindName) -> Self {
        match k {
            EndpointKindName::Standard => EndpointKind::Standard,
            EndpointKindName::Zapier => EndpointKind::Zapier,
        }
    }
}

/// `pending`: waiting for its first or next try; `delivered`: answered 2xx; `failed`: every try failed, or the endpoint was disabled.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryStatusName {
    Pending,
    Delivered,
    Failed,
}

impl From<DeliveryStatus> for DeliveryStatusName {
    fn from(s: DeliveryStatus) -> Self {
        match s {
            DeliveryStatus::Pending => DeliveryStatusName::Pending,
            DeliveryStatus::Delivered => DeliveryStatusName::Delivered,
            DeliveryStatus::Failed => DeliveryStatusName::Failed,
        }
    }
}

impl From<DeliveryStatusName> for DeliveryStatus {
    fn from(s: DeliveryStatusName) -> Self {
        match s {
            DeliveryStatusName::Pending => DeliveryStatus::Pending,
            DeliveryStatusName::Delivered => DeliveryStatus::Delivered,
            DeliveryStatusName::Failed => DeliveryStatus::Failed,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventTypeResponse {
    /// The wire name, e.g. `product.access_granted`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub label: String,
    pub description: String,
}

impl From<EventType> for EventTypeResponse {
    fn from(t: EventType) -> Self {
        EventTypeResponse { event_type: t.as_str().into(), label: t.label().into(), description: t.description().into() }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EventTypeList {
    pub data: Vec<EventTypeResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointResponse {
    pub id: String,
    pub kind: EndpointKindName,
    pub url: String,
    pub description: String,
    /// The event types sent to it; empty means every event.
    pub event_types: Vec<String>,
    pub enabled: bool,
    /// Why Tollgate disabled it: `gone` (it answered 410) or `failing` (every try failed for 5 days).
    pub disabled_reason: Option<String>,
    /// Since when every try has failed; cleared by a success.
    #[schema(format = DateTime)]
    pub failing_since: Option<String>,
    /// Until when the previous secret still signs beside the new one.
    #[schema(format = DateTime)]
    pub previous_secret_expires_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Endpoint> for EndpointResponse {
    fn from(e: Endpoint) -> Self {
        EndpointResponse {
            id: e.id.into_string(),
            kind: e.kind.into(),
            url: e.url,
            description: e.description,
            event_types: e.event_types.iter().map(|t| t.as_str().to_owned()).collect(),
            enabled: e.enabled,
            disabled_reason: e.disabled_reason,
            failing_since: e.failing_since.map(rfc3339),
            previous_secret_expires_at: e.previous_secret_until.map(rfc3339),
            created_at: rfc3339(e.created_at),
            updated_at: rfc3339(e.updated_at),
        }
    }
}

/// An endpoint with its signing secret, shown once (on create and rotation).
#[derive(Debug, Serialize, ToSchema)]
pub struct EndpointWithSecret {
    #[serde(flatten)]
    pub endpoint: EndpointResponse,
    /// `whsec_…`: verify `webhook-signature` with it (Standard Webhooks). Not shown again.
    pub secret: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateEndpointRequest {
    /// Where to POST events: https, public address.
    #[schema(max_length = 2000)]
    pub url: String,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    /// Event types to send (see GET /webhooks/event-types); empty or absent: every event.
    #[schema(max_items = 50)]
    pub event_types: Option<Vec<String>>,
    /// Default true.
    pub enabled: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateEndpointRequest {
    #[schema(max_length = 2000)]
    pub url: Option<String>,
    #[schema(max_length = 500)]
    pub description: Option<String>,
    #[schema(max_items = 50)]
    pub event_types: Option<Vec<String>>,
    /// Enabling again clears a disabled reason and the failure streak.
    pub enabled: Option<bool>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EndpointListQuery {
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[bound(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Only endpoints of this kind.
    pub kind: Option<EndpointKindName>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AttemptResponse {
    pub n: u32,
    #[schema(format = DateTime)]
    pub attempted_at: String,
    /// The receiver's HTTP status; absent when there was no answer.
    pub status_code: Option<u16>,
    pub latency_ms: i64,
    /// The first kilobyte of the receiver's answer.
    pub response_body: Option<String>,
    /// A timeout or network error, when there was no answer.
    pub error: Option<String>,
}

impl From<Attempt> for AttemptResponse {
    fn from(a: Attempt) -> Self {
        AttemptResponse { n: a.n, attempted_at: rfc3339(a.attempted_at), status_code: a.status_code, latency_ms: a.latency_ms, response_body: a.response_body, error: a.error }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryResponse {
    pub id: String,
    pub endpoint_id: String,
    /// The event's id: the `webhook-id` header of every try.
    pub message_id: String,
    pub event_type: String,
    pub status: DeliveryStatusName,
    /// Tries in the current schedule (a redelivery starts a new one).
    pub attempts: u32,
    #[schema(format = DateTime)]
    pub next_attempt_at: Option<String>,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub delivered_at: Option<String>,
    /// Every try, oldest first.
    pub tries: Vec<AttemptResponse>,
}

impl From<DeliveryLog> for DeliveryResponse {
    fn from(l: DeliveryLog) -> Self {
        let d = l.delivery;
        DeliveryResponse {
            id: d.id.into_string(),
            endpoint_id: d.endpoint_id.into_string(),
            message_id: d.message_id.into_string(),
            event_type: d.event_type,
            status: d.status.into(),
            attempts: d.attempts,
            next_attempt_at: d.next_attempt_at.map(rfc3339),
            last_status_code: d.last_status_code,
            last_error: d.last_error,
            created_at: rfc3339(d.created_at),
            delivered_at: d.delivered_at.map(rfc3339),
            tries: l.attempts.into_iter().map(Into::into).collect(),
        }
    }
}

/// A delivery with the event body it sends.
#[derive(Debug, Serialize, ToSchema)]
pub struct DeliveryDetail {
    #[serde(flatten)]
    pub delivery: DeliveryResponse,
    /// The exact body POSTed: `{id, type, timestamp, data}`.
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct DeliveryListQuery {
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[bound(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    pub status: Option<DeliveryStatusName>,
    /// Only deliveries of this event type.
    #[bound(length(min = 1, max = 100))]
    pub event_type: Option<String>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TestEventRequest {
    /// Which event to imitate (default `user.created`).
    #[bound(length(max = 100))]
    pub event_type: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ReplayRequest {
    /// Replay failed deliveries created at or after this time (RFC 3339).
    #[schema(format = DateTime)]
    pub since: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ReplayResponse {
    /// How many failed deliveries were queued again.
    pub queued: u64,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateHookRequest {
    /// Zapier's subscription URL.
    #[schema(max_length = 2000)]
    pub target_url: String,
    /// One event type, e.g. `product.access_granted`.
    #[schema(max_length = 100)]
    pub event: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct HookResponse {
    pub id: String,
    pub target_url: String,
    pub event: String,
}
