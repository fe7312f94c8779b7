//! Checkout sessions and payment links.

use serde::Deserialize;

use super::{
    Customer, Expandable, List, Metadata, PaymentIntent, Price, StripeObject, Subscription,
    null_as_default,
};

/// A Stripe Checkout session.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CheckoutSession {
    pub id: String,
    /// `payment`, `subscription` or `setup`.
    #[serde(default)]
    pub mode: Option<String>,
    /// `open`, `complete` or `expired`.
    #[serde(default)]
    pub status: Option<String>,
    /// `paid`, `unpaid` or `no_payment_required`.
    #[serde(default)]
    pub payment_status: Option<String>,
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    #[serde(default)]
    pub customer_email: Option<String>,
    #[serde(default)]
    pub customer_details: Option<CheckoutCustomerDetails>,
    #[serde(default)]
    pub client_reference_id: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default)]
    pub subscription: Option<Expandable<Subscription>>,
    #[serde(default)]
    pub payment_intent: Option<Expandable<PaymentIntent>>,
    #[serde(default)]
    pub payment_link: Option<String>,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    /// The page to send the buyer to; `None` once the session is complete.
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub success_url: Option<String>,
    #[serde(default)]
    pub cancel_url: Option<String>,
    /// Only when retrieved with `expand[]=line_items`.
    #[serde(default)]
    pub line_items: Option<List<CheckoutLineItem>>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub expires_at: Option<i64>,
    #[serde(default)]
    pub livemode: Option<bool>,
}

impl CheckoutSession {
    pub fn customer_id(&self) -> Option<&str> {
        self.customer.as_ref().map(Expandable::id)
    }

    pub fn subscription_id(&self) -> Option<&str> {
        self.subscription.as_ref().map(Expandable::id)
    }

    pub fn payment_intent_id(&self) -> Option<&str> {
        self.payment_intent.as_ref().map(Expandable::id)
    }

    /// The buyer's email: what they typed at checkout (`customer_details`),
    /// else what the session was created with (`customer_email`).
    pub fn buyer_email(&self) -> Option<&str> {
        self.customer_details
            .as_ref()
            .and_then(|details| details.email.as_deref())
            .or(self.customer_email.as_deref())
    }

    /// Paid, or nothing was due (a free trial, a 100% coupon).
    pub fn is_paid(&self) -> bool {
        matches!(
            self.payment_status.as_deref(),
            Some("paid") | Some("no_payment_required")
        )
    }
}

impl StripeObject for CheckoutSession {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CheckoutCustomerDetails {
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
}

/// A line of a Checkout session or payment link (`object: "item"`).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct CheckoutLineItem {
    pub id: String,
    #[serde(default)]
    pub price: Option<Price>,
    #[serde(default)]
    pub quantity: Option<u64>,
    #[serde(default)]
    pub amount_total: Option<i64>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
}

impl CheckoutLineItem {
    pub fn price_id(&self) -> Option<&str> {
        self.price.as_ref().map(|price| price.id.as_str())
    }

    pub fn product_id(&self) -> Option<&str> {
        self.price.as_ref().and_then(Price::product_id)
    }
}

impl StripeObject for CheckoutLineItem {
    fn id(&self) -> &str {
        &self.id
    }
}

/// A Stripe payment link: a reusable checkout URL.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct PaymentLink {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    /// Only when retrieved with `expand[]=line_items`.
    #[serde(default)]
    pub line_items: Option<List<CheckoutLineItem>>,
    #[serde(default)]
    pub livemode: Option<bool>,
}

impl StripeObject for PaymentLink {
    fn id(&self) -> &str {
        &self.id
    }
}
