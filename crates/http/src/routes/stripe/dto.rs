//! Wire types of the Stripe connector.

use serde::{Deserialize, Serialize};
use tollgate_app::stripe::{PurchaseView, SubscriptionView};
use tollgate_app::webhooks::{InboxAttempt, InboxEntry, InboxEventDetail};
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::rfc3339;

/// A Stripe price's billing interval.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum PriceInterval {
    Day,
    Week,
    Month,
    Year,
}

/// Where a received Stripe event is: `pending` (to process), `processed`, `ignored` (nothing to do) or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxStatus {
    Pending,
    Processed,
    Ignored,
    Failed,
}

/// How processing a received Stripe event ended.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum InboxOutcome {
    Processed,
    Ignored,
    Failed,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StripeConnectionResponse {
    pub connected: bool,
    /// Whether "Connect with Stripe" (Connect OAuth) is configured on this server.
    pub oauth_available: bool,
    /// Where Stripe must send events for this app.
    pub webhook_url: String,
    pub account_id: Option<String>,
    pub display_name: Option<String>,
    /// `test` or `live`
    pub mode: Option<String>,
    /// `secret_key` or `oauth`
    pub auth: Option<String>,
    /// `managed` (registered by Tollgate) or `manual` (signing secret pasted)
    pub webhook_mode: Option<String>,
    pub webhook_endpoint_id: Option<String>,
    #[schema(format = DateTime)]
    pub connected_at: Option<String>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectStripeRequest {
    /// A secret (`sk_…`) or restricted (`rk_…`) key; stored encrypted.
    #[bound(length(min = 10, max = 255))]
    pub secret_key: String,
    /// A signing secret (`whsec_…`) for an endpoint you added in Stripe yourself;
    /// leave out to let Tollgate register the endpoint.
    #[bound(length(min = 10, max = 255))]
    pub webhook_secret: Option<String>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct WebhookSecretRequest {
    /// A new signing secret (`whsec_…`); the three newest are accepted during rotation.
    #[bound(length(min = 10, max = 255))]
    pub secret: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookSecretResponse {
    /// How many signing secrets are accepted now.
    pub accepted_secrets: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OAuthStartResponse {
    /// Send the admin's browser here.
    pub url: String,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct OAuthCallbackQuery {
    #[bound(length(max = 255))]
    pub code: Option<String>,
    #[bound(length(max = 2000))]
    pub state: Option<String>,
    #[bound(length(max = 255))]
    pub error: Option<String>,
    #[bound(length(max = 1000))]
    pub error_description: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RecoverResponse {
    /// Events Stripe had that Tollgate had not received.
    pub recovered: usize,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StripePriceResponse {
    pub id: String,
    pub unit_amount: Option<i64>,
    pub currency: Option<String>,
    /// Null for one-off prices.
    #[schema(value_type = Option<PriceInterval>)]
    pub interval: Option<String>,
    pub interval_count: Option<u64>,
    pub nickname: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StripeProductResponse {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub prices: Vec<StripePriceResponse>,
    /// Live subscriptions (trialing, active, past_due) a link would import.
    pub active_subscriptions: u64,
    pub linked_product_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StripeProductList {
    pub data: Vec<StripeProductResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct StripeLinkResponse {
    pub product_id: String,
    pub stripe_product_id: String,
    pub stripe_product_name: String,
    /// The price created with "Create a new Stripe product".
    pub created_price_id: Option<String>,
    pub import: ImportProgress,
    #[schema(format = DateTime)]
    pub linked_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProgress {
    pub job_id: Option<String>,
    /// The import job's status.
    #[schema(value_type = Option<crate::routes::ops::JobStatusSchema>)]
    pub status: Option<String>,
    pub done: Option<i64>,
    pub total: Option<i64>,
    pub error: Option<String>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct NewPriceRequest {
    /// In the currency's smallest unit (e.g. cents).
    #[bound(range(min = 0, max = 99_999_999))]
    pub unit_amount: i64,
    /// Three-letter ISO currency code, e.g. `usd`.
    #[bound(length(equal = 3))]
    pub currency: String,
    /// Leave out for a one-off price.
    #[schema(value_type = Option<PriceInterval>)]
    pub interval: Option<String>,
    #[bound(range(min = 1, max = 52))]
    pub interval_count: Option<u32>,
}

/// Link to an existing Stripe product, or create one (it inherits name,
/// description and image) with the given price.
#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct LinkStripeRequest {
    #[bound(length(min = 1, max = 255))]
    pub stripe_product_id: Option<String>,
    #[validate(nested)]
    pub create_with_price: Option<NewPriceRequest>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionResponse {
    pub id: String,
    pub customer_id: String,
    pub status: String,
    pub cancel_at_period_end: bool,
    /// The renewal date, or the end of access when canceling at period end.
    #[schema(format = DateTime)]
    pub current_period_end: Option<String>,
    pub stripe_product_ids: Vec<String>,
    /// Monthly recurring revenue in minor units.
    pub mrr: i64,
    pub currency: Option<String>,
}

impl From<SubscriptionView> for SubscriptionResponse {
    fn from(x: SubscriptionView) -> Self {
        SubscriptionResponse {
            id: x.subscription_id,
            customer_id: x.customer_id,
            status: x.status.as_str().into(),
            cancel_at_period_end: x.cancel_at_period_end,
            current_period_end: x.current_period_end.map(rfc3339),
            stripe_product_ids: x.stripe_product_ids,
            mrr: x.mrr,
            currency: x.currency,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SubscriptionList {
    pub data: Vec<SubscriptionResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseResponse {
    pub id: String,
    pub product_id: String,
    /// The Stripe payment behind it (payment intent, charge or checkout session).
    pub source_ref: String,
    pub amount: i64,
    pub currency: Option<String>,
    pub refunded: bool,
    #[schema(format = DateTime)]
    pub purchased_at: String,
}

impl From<PurchaseView> for PurchaseResponse {
    fn from(p: PurchaseView) -> Self {
        PurchaseResponse {
            id: p.id,
            product_id: p.product_id.into_string(),
            source_ref: p.source_ref,
            amount: p.amount,
            currency: p.currency,
            refunded: p.refunded,
            purchased_at: rfc3339(p.purchased_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PurchaseList {
    pub data: Vec<PurchaseResponse>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MetricsResponse {
    /// Monthly recurring revenue of active and past_due subscriptions, in minor units.
    pub mrr: i64,
    pub paying_subscriptions: i64,
    /// The currency most paying subscriptions use (null before the first one).
    pub currency: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct MrrHistoryQuery {
    /// First day (UTC, `YYYY-MM-DD`); default 29 days before `to`.
    pub from: Option<String>,
    /// Last day (UTC, `YYYY-MM-DD`), not after today; default today.
    pub to: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MrrPoint {
    /// UTC day, `YYYY-MM-DD`.
    #[schema(format = Date)]
    pub day: String,
    /// MRR at the end of the day (today: now), in minor units.
    pub mrr: i64,
    pub paying_subscriptions: i64,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MrrHistoryResponse {
    #[schema(format = Date)]
    pub from: String,
    #[schema(format = Date)]
    pub to: String,
    /// Currency of the latest figure (null before the first paying subscription).
    pub currency: Option<String>,
    /// One point per day from the first day Tollgate recorded MRR (days
    /// before that are left out); a day without a snapshot carries the
    /// previous figure.
    pub data: Vec<MrrPoint>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct InboxQuery {
    #[param(value_type = Option<InboxStatus>)]
    pub status: Option<String>,
    /// An event type, e.g. `customer.subscription.updated`.
    #[bound(length(min = 1, max = 255))]
    #[serde(rename = "type")]
    pub event_type: Option<String>,
    /// Received at or after (RFC 3339).
    pub since: Option<String>,
    /// Received before (RFC 3339).
    pub until: Option<String>,
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    /// `next_cursor` of the previous page.
    #[bound(length(min = 1, max = 300))]
    #[param(pattern = r"^[+-]?[0-9]{1,18}\..+$")]
    pub cursor: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct InboxEventResponse {
    pub id: String,
    #[serde(rename = "type")]
    pub event_type: String,
    #[schema(value_type = InboxStatus)]
    pub status: String,
    #[schema(format = DateTime)]
    pub received_at: String,
    #[schema(format = DateTime)]
    pub processed_at: Option<String>,
    pub error: Option<String>,
}

impl From<InboxEntry> for InboxEventResponse {
    fn from(e: InboxEntry) -> Self {
        InboxEventResponse {
            id: e.id,
            event_type: e.event_type,
            status: e.status,
            received_at: rfc3339(e.received_at),
            processed_at: e.processed_at.map(rfc3339),
            error: e.error,
        }
    }
}

/// One try to process an event.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxAttemptResponse {
    /// 1 for the first try.
    pub attempt: i64,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub finished_at: String,
    #[schema(value_type = InboxOutcome)]
    pub outcome: String,
    pub error: Option<String>,
}

impl From<InboxAttempt> for InboxAttemptResponse {
    fn from(a: InboxAttempt) -> Self {
        InboxAttemptResponse { attempt: a.attempt, started_at: rfc3339(a.started_at), finished_at: rfc3339(a.finished_at), outcome: a.outcome, error: a.error }
    }
}

/// An event as Stripe sent it, and how processing it went.
#[derive(Debug, Serialize, ToSchema)]
pub struct InboxEventDetailResponse {
    #[serde(flatten)]
    pub event: InboxEventResponse,
    /// Stripe's `created` (Unix seconds).
    pub created: i64,
    /// The event exactly as delivered (or as recovered from Stripe's event list).
    #[schema(value_type = Object)]
    pub payload: serde_json::Value,
    /// Processing tries, oldest first.
    pub attempts: Vec<InboxAttemptResponse>,
}

impl From<InboxEventDetail> for InboxEventDetailResponse {
    fn from(d: InboxEventDetail) -> Self {
        let payload = serde_json::from_str(&d.payload).unwrap_or(serde_json::Value::String(d.payload));
        InboxEventDetailResponse { event: d.event.into(), created: d.created, payload, attempts: d.attempts.into_iter().map(Into::into).collect() }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(v: serde_json::Value) -> Vec<String> {
        v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect()
    }

    /// The values are those the rest of the code writes and checks.
    #[test]
    fn values_match_the_stored_strings() {
        assert_eq!(names(json!([InboxStatus::Pending, InboxStatus::Processed, InboxStatus::Ignored, InboxStatus::Failed])), super::super::inbox::STATUSES);
        assert_eq!(names(json!([PriceInterval::Day, PriceInterval::Year])), ["day", "year"]);
    }
}
