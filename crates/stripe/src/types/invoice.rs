//! Invoices, charges and payment intents: what a purchase leaves behind.

use serde::Deserialize;

use super::{
    Customer, Expandable, List, Metadata, Price, StripeObject, Subscription, null_as_default,
};

/// A Stripe invoice.
///
/// Where its subscription is depends on the API version: a top-level
/// `subscription` (old versions, localstripe) or
/// `parent.subscription_details.subscription` (2025+). The boolean `paid`
/// exists only in old versions; `status == "paid"` in all. Use
/// [`Invoice::subscription_id`] and [`Invoice::is_paid`].
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Invoice {
    pub id: String,
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    #[serde(default)]
    pub customer_email: Option<String>,
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    #[serde(default)]
    pub status: Option<String>,
    /// Old API versions only.
    #[serde(default)]
    pub paid: Option<bool>,
    #[serde(default)]
    pub amount_due: Option<i64>,
    #[serde(default)]
    pub amount_paid: Option<i64>,
    #[serde(default)]
    pub total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub billing_reason: Option<String>,
    /// Old API versions only; see [`Invoice::subscription_id`].
    #[serde(default)]
    pub subscription: Option<Expandable<Subscription>>,
    /// API 2025+: what the invoice was created for.
    #[serde(default)]
    pub parent: Option<InvoiceParent>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub lines: List<InvoiceLine>,
    #[serde(default)]
    pub status_transitions: Option<InvoiceStatusTransitions>,
    /// Old API versions only (localstripe sends it expanded).
    #[serde(default)]
    pub charge: Option<Expandable<Charge>>,
    /// Old API versions only.
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    #[serde(default)]
    pub hosted_invoice_url: Option<String>,
    #[serde(default)]
    pub period_start: Option<i64>,
    #[serde(default)]
    pub period_end: Option<i64>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default)]
    pub livemode: Option<bool>,
}

impl Invoice {
    pub fn customer_id(&self) -> Option<&str> {
        self.customer.as_ref().map(Expandable::id)
    }

    /// The subscription this invoice bills, wherever the API version put it.
    pub fn subscription_id(&self) -> Option<&str> {
        self.subscription.as_ref().map(Expandable::id).or_else(|| {
            self.parent
                .as_ref()
                .and_then(|parent| parent.subscription_details.as_ref())
                .and_then(|details| details.subscription.as_ref())
                .map(Expandable::id)
        })
    }

    /// Paid, by the old `paid` flag or by `status`.
    pub fn is_paid(&self) -> bool {
        self.paid == Some(true) || self.status.as_deref() == Some("paid")
    }

    pub fn paid_at(&self) -> Option<i64> {
        self.status_transitions
            .as_ref()
            .and_then(|transitions| transitions.paid_at)
    }

    /// Product ids of its lines, in order, without repeats.
    pub fn product_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for id in self.lines.data.iter().filter_map(InvoiceLine::product_id) {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        ids
    }
}

impl StripeObject for Invoice {
    fn id(&self) -> &str {
        &self.id
    }
}

/// API 2025+: why an invoice exists.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InvoiceParent {
    /// `subscription_details`, `quote_details`, ...
    #[serde(default, rename = "type")]
    pub parent_type: Option<String>,
    #[serde(default)]
    pub subscription_details: Option<InvoiceSubscriptionDetails>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InvoiceSubscriptionDetails {
    #[serde(default)]
    pub subscription: Option<Expandable<Subscription>>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct InvoiceStatusTransitions {
    #[serde(default)]
    pub finalized_at: Option<i64>,
    #[serde(default)]
    pub paid_at: Option<i64>,
    #[serde(default)]
    pub voided_at: Option<i64>,
}

/// One line of an invoice.
///
/// Its price is `price` (2018 to early 2025), `plan` (older), or
/// `pricing.price_details` (2025+, ids only); its subscription is a top-level
/// `subscription` (old) or `parent.subscription_item_details.subscription`.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InvoiceLine {
    pub id: String,
    #[serde(default)]
    pub amount: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub quantity: Option<u64>,
    #[serde(default)]
    pub price: Option<Price>,
    #[serde(default)]
    pub plan: Option<Price>,
    #[serde(default)]
    pub pricing: Option<InvoiceLinePricing>,
    #[serde(default)]
    pub subscription: Option<Expandable<Subscription>>,
    #[serde(default)]
    pub parent: Option<InvoiceLineParent>,
    #[serde(default)]
    pub period: Option<LinePeriod>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
}

impl InvoiceLine {
    fn price_details(&self) -> Option<&InvoicePriceDetails> {
        self.pricing
            .as_ref()
            .and_then(|pricing| pricing.price_details.as_ref())
    }

    pub fn price_id(&self) -> Option<&str> {
        self.price
            .as_ref()
            .or(self.plan.as_ref())
            .map(|price| price.id.as_str())
            .or_else(|| {
                self.price_details()
                    .and_then(|details| details.price.as_ref())
                    .map(Expandable::id)
            })
    }

    pub fn product_id(&self) -> Option<&str> {
        self.price
            .as_ref()
            .and_then(Price::product_id)
            .or_else(|| self.plan.as_ref().and_then(Price::product_id))
            .or_else(|| {
                self.price_details()
                    .and_then(|details| details.product.as_deref())
            })
    }

    pub fn subscription_id(&self) -> Option<&str> {
        self.subscription.as_ref().map(Expandable::id).or_else(|| {
            self.parent
                .as_ref()
                .and_then(|parent| parent.subscription_item_details.as_ref())
                .and_then(|details| details.subscription.as_deref())
        })
    }
}

impl StripeObject for InvoiceLine {
    fn id(&self) -> &str {
        &self.id
    }
}

/// API 2025+: how a line was priced.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InvoiceLinePricing {
    #[serde(default, rename = "type")]
    pub pricing_type: Option<String>,
    #[serde(default)]
    pub price_details: Option<InvoicePriceDetails>,
    #[serde(default)]
    pub unit_amount_decimal: Option<String>,
}

/// API 2025+: the price and product ids behind a line
/// (`pricing.price_details`, per Stripe's API reference).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InvoicePriceDetails {
    #[serde(default)]
    pub price: Option<Expandable<Price>>,
    #[serde(default)]
    pub product: Option<String>,
}

/// API 2025+: what created a line.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InvoiceLineParent {
    #[serde(default, rename = "type")]
    pub parent_type: Option<String>,
    #[serde(default)]
    pub subscription_item_details: Option<InvoiceLineSubscriptionItemDetails>,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct InvoiceLineSubscriptionItemDetails {
    #[serde(default)]
    pub subscription: Option<String>,
    #[serde(default)]
    pub subscription_item: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
pub struct LinePeriod {
    pub start: i64,
    pub end: i64,
}

/// A Stripe charge: the record of a payment, and of its refunds.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Charge {
    pub id: String,
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    pub amount: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub amount_refunded: i64,
    #[serde(default, deserialize_with = "null_as_default")]
    pub refunded: bool,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub paid: Option<bool>,
    /// `succeeded`, `pending` or `failed`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    /// Old API versions only.
    #[serde(default)]
    pub invoice: Option<Expandable<Invoice>>,
    #[serde(default)]
    pub billing_details: Option<ChargeBillingDetails>,
    #[serde(default)]
    pub receipt_email: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default)]
    pub livemode: Option<bool>,
}

impl Charge {
    pub fn customer_id(&self) -> Option<&str> {
        self.customer.as_ref().map(Expandable::id)
    }

    pub fn payment_intent_id(&self) -> Option<&str> {
        self.payment_intent.as_ref().map(Expandable::id)
    }

    pub fn invoice_id(&self) -> Option<&str> {
        self.invoice.as_ref().map(Expandable::id)
    }

    /// Refunded in full: Stripe's `refunded` flag, or the refunded amount
    /// reaching the charged amount.
    pub fn is_fully_refunded(&self) -> bool {
        self.refunded || (self.amount > 0 && self.amount_refunded >= self.amount)
    }

    /// The buyer's email as the charge records it.
    pub fn email(&self) -> Option<&str> {
        self.billing_details
            .as_ref()
            .and_then(|details| details.email.as_deref())
            .or(self.receipt_email.as_deref())
    }
}

impl StripeObject for Charge {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct ChargeBillingDetails {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// A Stripe payment intent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PaymentIntent {
    pub id: String,
    pub amount: i64,
    #[serde(default)]
    pub amount_received: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    /// `succeeded`, `processing`, `requires_payment_method`, `canceled`, ...
    #[serde(default)]
    pub status: Option<String>,
    /// Old API versions only.
    #[serde(default)]
    pub invoice: Option<Expandable<Invoice>>,
    #[serde(default)]
    pub latest_charge: Option<Expandable<Charge>>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub receipt_email: Option<String>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default)]
    pub livemode: Option<bool>,
}

impl PaymentIntent {
    pub fn customer_id(&self) -> Option<&str> {
        self.customer.as_ref().map(Expandable::id)
    }

    pub fn is_succeeded(&self) -> bool {
        self.status.as_deref() == Some("succeeded")
    }
}

impl StripeObject for PaymentIntent {
    fn id(&self) -> &str {
        &self.id
    }
}
