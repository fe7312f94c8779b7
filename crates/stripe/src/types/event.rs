//! Webhook events (and what `GET /v1/events` lists).

use serde::Deserialize;
use serde::de::DeserializeOwned;

use super::{
    Charge, CheckoutSession, Customer, Invoice, Price, Product, StripeObject, Subscription,
    null_as_default, open_string_enum,
};

open_string_enum! {
    /// The event types Tollgate acts on. Everything else is `Other`, to be
    /// acknowledged and ignored.
    pub enum EventKind {
        CheckoutSessionCompleted => "checkout.session.completed",
        /// A delayed payment method (bank debit) finally paid for a session.
        CheckoutSessionAsyncPaymentSucceeded => "checkout.session.async_payment_succeeded",
        CustomerSubscriptionCreated => "customer.subscription.created",
        CustomerSubscriptionUpdated => "customer.subscription.updated",
        CustomerSubscriptionDeleted => "customer.subscription.deleted",
        CustomerSubscriptionPaused => "customer.subscription.paused",
        CustomerSubscriptionResumed => "customer.subscription.resumed",
        CustomerSubscriptionTrialWillEnd => "customer.subscription.trial_will_end",
        InvoicePaid => "invoice.paid",
        /// Older twin of `invoice.paid`; localstripe emits only this one.
        InvoicePaymentSucceeded => "invoice.payment_succeeded",
        InvoicePaymentFailed => "invoice.payment_failed",
        ChargeRefunded => "charge.refunded",
        CustomerUpdated => "customer.updated",
        CustomerDeleted => "customer.deleted",
        ProductUpdated => "product.updated",
        ProductDeleted => "product.deleted",
        PriceCreated => "price.created",
        PriceUpdated => "price.updated",
        PriceDeleted => "price.deleted",
    }
    /// Any other event type, kept verbatim.
    fallback Other;
}

/// A Stripe event. `data.object` is kept as raw JSON so that an event whose
/// object Tollgate cannot type still parses (and can be stored and ignored);
/// the typed accessors parse it on demand.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Event {
    pub id: String,
    /// The event type as sent, e.g. `customer.subscription.updated`.
    #[serde(rename = "type")]
    pub event_type: String,
    pub created: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub livemode: bool,
    /// The API version the object was rendered with; `None` for the
    /// account's default (Stripe's example event has `null`).
    #[serde(default)]
    pub api_version: Option<String>,
    /// The connected account the event happened on (Connect webhooks only).
    #[serde(default)]
    pub account: Option<String>,
    pub data: EventData,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct EventData {
    pub object: serde_json::Value,
    /// For `*.updated` events: the changed fields' previous values.
    #[serde(default)]
    pub previous_attributes: Option<serde_json::Value>,
}

/// Why an event's object could not be read as the type asked for.
#[derive(Debug, thiserror::Error)]
pub enum EventObjectError {
    #[error("the event carries a {found} object, not a {expected}")]
    UnexpectedObject {
        expected: &'static str,
        found: String,
    },
    #[error("the event's {object} object could not be read")]
    Invalid {
        object: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

impl StripeObject for Event {
    fn id(&self) -> &str {
        &self.id
    }
}

impl Event {
    /// Parses an event from a webhook body (verify its signature first).
    pub fn from_slice(payload: &[u8]) -> Result<Event, serde_json::Error> {
        serde_json::from_slice(payload)
    }

    pub fn kind(&self) -> EventKind {
        EventKind::parse(&self.event_type)
    }

    /// The `object` field of `data.object`, e.g. `"subscription"`.
    pub fn object_type(&self) -> Option<&str> {
        self.data
            .object
            .get("object")
            .and_then(serde_json::Value::as_str)
    }

    /// The id of `data.object`.
    pub fn object_id(&self) -> Option<&str> {
        self.data
            .object
            .get("id")
            .and_then(serde_json::Value::as_str)
    }

    /// The previous value of a field an `*.updated` event changed.
    pub fn previous_attribute(&self, field: &str) -> Option<&serde_json::Value> {
        self.data
            .previous_attributes
            .as_ref()
            .and_then(|previous| previous.get(field))
    }

    /// Did this `*.updated` event change `field`?
    pub fn changed(&self, field: &str) -> bool {
        self.previous_attribute(field).is_some()
    }

    /// Parses `data.object` as `T` without checking its `object` field.
    pub fn object_as<T: DeserializeOwned>(&self) -> Result<T, serde_json::Error> {
        T::deserialize(&self.data.object)
    }

    fn typed_object<T: DeserializeOwned>(
        &self,
        accepted: &[&'static str],
    ) -> Result<T, EventObjectError> {
        let expected = accepted[0];
        match self.object_type() {
            Some(found) if accepted.contains(&found) => {}
            found => {
                return Err(EventObjectError::UnexpectedObject {
                    expected,
                    found: found.unwrap_or("untyped").to_owned(),
                });
            }
        }
        self.object_as()
            .map_err(|source| EventObjectError::Invalid {
                object: expected,
                source,
            })
    }

    pub fn subscription(&self) -> Result<Subscription, EventObjectError> {
        self.typed_object(&["subscription"])
    }

    pub fn invoice(&self) -> Result<Invoice, EventObjectError> {
        self.typed_object(&["invoice"])
    }

    pub fn charge(&self) -> Result<Charge, EventObjectError> {
        self.typed_object(&["charge"])
    }

    pub fn customer(&self) -> Result<Customer, EventObjectError> {
        self.typed_object(&["customer"])
    }

    pub fn product(&self) -> Result<Product, EventObjectError> {
        self.typed_object(&["product"])
    }

    /// A `price`, or an old `plan` read as a price.
    pub fn price(&self) -> Result<Price, EventObjectError> {
        self.typed_object(&["price", "plan"])
    }

    pub fn checkout_session(&self) -> Result<CheckoutSession, EventObjectError> {
        self.typed_object(&["checkout.session"])
    }
}
