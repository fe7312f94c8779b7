//! Customers, subscriptions and the records of past payments.

use serde::{Serialize, Serializer};

use super::{CreatedFilter, ListParams, StripeClient, StripeError};
use crate::form::FormParams;
use crate::types::{
    Charge, Customer, Invoice, List, Metadata, PaymentIntent, Subscription, SubscriptionStatus,
};

/// The `status` filter of `GET /v1/subscriptions`. Stripe's default (no
/// filter) leaves out canceled subscriptions.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SubscriptionStatusFilter {
    All,
    /// `canceled` and `incomplete_expired`.
    Ended,
    Is(SubscriptionStatus),
}

impl Serialize for SubscriptionStatusFilter {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(match self {
            SubscriptionStatusFilter::All => "all",
            SubscriptionStatusFilter::Ended => "ended",
            SubscriptionStatusFilter::Is(status) => status.as_str(),
        })
    }
}

/// `GET /v1/subscriptions`
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListSubscriptions {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub price: Option<String>,
    /// Old accounts: subscriptions on a plan.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub plan: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<SubscriptionStatusFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListSubscriptions {
    type Item = Subscription;
    const PATH: &'static [&'static str] = &["subscriptions"];
}

/// `POST /v1/subscriptions/{id}`
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdateSubscription {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_at_period_end: Option<bool>,
    pub metadata: Metadata,
}

/// `GET /v1/customers`
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListCustomers {
    /// Exact, case-sensitive match.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListCustomers {
    type Item = Customer;
    const PATH: &'static [&'static str] = &["customers"];
}

/// `POST /v1/customers`
#[derive(Debug, Clone, Default, Serialize)]
pub struct CreateCustomer {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub name: Option<String>,
    pub metadata: Metadata,
}

/// `GET /v1/invoices`
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListInvoices {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription: Option<String>,
    /// `draft`, `open`, `paid`, `uncollectible` or `void`.
    /// (localstripe answers 500 to `status=paid`; filter with [`Invoice::is_paid`] there.)
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<CreatedFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListInvoices {
    type Item = Invoice;
    const PATH: &'static [&'static str] = &["invoices"];
}

/// `GET /v1/charges`
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListCharges {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_intent: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<CreatedFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListCharges {
    type Item = Charge;
    const PATH: &'static [&'static str] = &["charges"];
}

/// `GET /v1/payment_intents`
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListPaymentIntents {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<CreatedFilter>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListPaymentIntents {
    type Item = PaymentIntent;
    const PATH: &'static [&'static str] = &["payment_intents"];
}

impl StripeClient {
    pub async fn list_subscriptions(
        &self,
        params: &ListSubscriptions,
    ) -> Result<List<Subscription>, StripeError> {
        self.list(params).await
    }

    pub async fn retrieve_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<Subscription, StripeError> {
        self.get(&["subscriptions", subscription_id], &FormParams::new())
            .await
    }

    pub async fn update_subscription(
        &self,
        subscription_id: &str,
        params: &UpdateSubscription,
        idempotency_key: Option<&str>,
    ) -> Result<Subscription, StripeError> {
        self.post_params(&["subscriptions", subscription_id], params, idempotency_key)
            .await
    }

    /// Cancels now (`DELETE`). To cancel at period end, use
    /// [`Self::update_subscription`] with `cancel_at_period_end`.
    pub async fn cancel_subscription(
        &self,
        subscription_id: &str,
    ) -> Result<Subscription, StripeError> {
        self.delete(&["subscriptions", subscription_id]).await
    }

    pub async fn list_customers(
        &self,
        params: &ListCustomers,
    ) -> Result<List<Customer>, StripeError> {
        self.list(params).await
    }

    /// A deleted customer comes back with `deleted` set, not as an error.
    pub async fn retrieve_customer(&self, customer_id: &str) -> Result<Customer, StripeError> {
        self.get(&["customers", customer_id], &FormParams::new())
            .await
    }

    pub async fn create_customer(
        &self,
        params: &CreateCustomer,
        idempotency_key: Option<&str>,
    ) -> Result<Customer, StripeError> {
        self.post_params(&["customers"], params, idempotency_key)
            .await
    }

    pub async fn list_invoices(&self, params: &ListInvoices) -> Result<List<Invoice>, StripeError> {
        self.list(params).await
    }

    pub async fn retrieve_invoice(&self, invoice_id: &str) -> Result<Invoice, StripeError> {
        self.get(&["invoices", invoice_id], &FormParams::new())
            .await
    }

    pub async fn list_charges(&self, params: &ListCharges) -> Result<List<Charge>, StripeError> {
        self.list(params).await
    }

    pub async fn list_payment_intents(
        &self,
        params: &ListPaymentIntents,
    ) -> Result<List<PaymentIntent>, StripeError> {
        self.list(params).await
    }
}
