//! Selling: Checkout sessions, payment links and the billing portal.
//! None of these endpoints exists in localstripe.

use serde::Serialize;

use super::{ListParams, StripeClient, StripeError};
use crate::form::FormParams;
use crate::types::{
    BillingPortalConfiguration, BillingPortalSession, CheckoutSession, Metadata, PaymentLink,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CheckoutMode {
    /// One-off purchase.
    Payment,
    Subscription,
    Setup,
}

/// In `payment` mode, whether Checkout creates a customer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum CustomerCreation {
    Always,
    IfRequired,
}

/// One price in a Checkout session or payment link.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LineItemParams {
    pub price: String,
    pub quantity: u64,
}

/// Metadata copied onto the subscription a Checkout session or link creates.
#[derive(Debug, Clone, Default, Serialize)]
pub struct SubscriptionDataParams {
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub trial_period_days: Option<u32>,
}

/// Metadata copied onto the payment intent of a one-off purchase.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PaymentIntentDataParams {
    pub metadata: Metadata,
}

/// `POST /v1/checkout/sessions`
#[derive(Debug, Clone, Serialize)]
pub struct CreateCheckoutSession {
    pub mode: CheckoutMode,
    pub line_items: Vec<LineItemParams>,
    pub success_url: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub cancel_url: Option<String>,
    /// An existing customer; else Checkout asks for an email.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    /// Prefills the email when there is no `customer`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_email: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_creation: Option<CustomerCreation>,
    /// Tollgate's own reference (e.g. the user id), echoed in the session.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub client_reference_id: Option<String>,
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_data: Option<SubscriptionDataParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_intent_data: Option<PaymentIntentDataParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_promotion_codes: Option<bool>,
}

/// What a payment link shows after payment.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AfterCompletionParams {
    #[serde(rename = "type")]
    pub completion_type: &'static str,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub redirect: Option<RedirectParams>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RedirectParams {
    pub url: String,
}

impl AfterCompletionParams {
    /// Send the buyer to `url` (Stripe replaces `{CHECKOUT_SESSION_ID}` in it).
    pub fn redirect(url: impl Into<String>) -> Self {
        AfterCompletionParams {
            completion_type: "redirect",
            redirect: Some(RedirectParams { url: url.into() }),
        }
    }

    /// Stripe's own confirmation page.
    pub fn hosted_confirmation() -> Self {
        AfterCompletionParams {
            completion_type: "hosted_confirmation",
            redirect: None,
        }
    }
}

/// `POST /v1/payment_links`
#[derive(Debug, Clone, Default, Serialize)]
pub struct CreatePaymentLink {
    pub line_items: Vec<LineItemParams>,
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_completion: Option<AfterCompletionParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_data: Option<SubscriptionDataParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_creation: Option<CustomerCreation>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub allow_promotion_codes: Option<bool>,
}

/// `POST /v1/payment_links/{id}`
#[derive(Debug, Clone, Default, Serialize)]
pub struct UpdatePaymentLink {
    /// `false` retires the link.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub active: Option<bool>,
    pub metadata: Metadata,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub after_completion: Option<AfterCompletionParams>,
}

/// `POST /v1/billing_portal/configurations` (create and update).
#[derive(Debug, Clone, Default, Serialize)]
pub struct BillingPortalConfigurationParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub business_profile: Option<PortalBusinessProfileParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub default_return_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub features: Option<PortalFeaturesParams>,
    pub metadata: Metadata,
}

/// Stripe requires the two policy URLs before customers may use the portal.
#[derive(Debug, Clone, Default, Serialize)]
pub struct PortalBusinessProfileParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub headline: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub privacy_policy_url: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub terms_of_service_url: Option<String>,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PortalFeaturesParams {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer_update: Option<PortalCustomerUpdateParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub invoice_history: Option<PortalToggleParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub payment_method_update: Option<PortalToggleParams>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub subscription_cancel: Option<PortalSubscriptionCancelParams>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PortalToggleParams {
    pub enabled: bool,
}

#[derive(Debug, Clone, Default, Serialize)]
pub struct PortalCustomerUpdateParams {
    pub enabled: bool,
    /// e.g. `email`, `address`, `phone`, `tax_id`, `name`.
    pub allowed_updates: Vec<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PortalCancelMode {
    AtPeriodEnd,
    Immediately,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PortalSubscriptionCancelParams {
    pub enabled: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub mode: Option<PortalCancelMode>,
}

/// `POST /v1/billing_portal/sessions`
#[derive(Debug, Clone, Serialize)]
pub struct CreateBillingPortalSession {
    pub customer: String,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub return_url: Option<String>,
    /// A configuration id; else the account's default configuration.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub configuration: Option<String>,
}

/// `GET /v1/checkout/sessions`: past Checkout purchases (import of one-off buyers).
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListCheckoutSessions {
    /// `open`, `complete` or `expired`.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub customer: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListCheckoutSessions {
    type Item = CheckoutSession;
    const PATH: &'static [&'static str] = &["checkout", "sessions"];
}

impl StripeClient {
    pub async fn create_checkout_session(
        &self,
        params: &CreateCheckoutSession,
        idempotency_key: Option<&str>,
    ) -> Result<CheckoutSession, StripeError> {
        self.post_params(&["checkout", "sessions"], params, idempotency_key)
            .await
    }

    /// Retrieves a session with its `line_items` expanded (a webhook's
    /// session has none), so the products bought are known.
    pub async fn retrieve_checkout_session(
        &self,
        session_id: &str,
    ) -> Result<CheckoutSession, StripeError> {
        let mut query = FormParams::new();
        query.push("expand[0]", "line_items");
        self.get(&["checkout", "sessions", session_id], &query)
            .await
    }

    pub async fn create_payment_link(
        &self,
        params: &CreatePaymentLink,
        idempotency_key: Option<&str>,
    ) -> Result<PaymentLink, StripeError> {
        self.post_params(&["payment_links"], params, idempotency_key)
            .await
    }

    pub async fn update_payment_link(
        &self,
        payment_link_id: &str,
        params: &UpdatePaymentLink,
        idempotency_key: Option<&str>,
    ) -> Result<PaymentLink, StripeError> {
        self.post_params(&["payment_links", payment_link_id], params, idempotency_key)
            .await
    }

    pub async fn create_billing_portal_configuration(
        &self,
        params: &BillingPortalConfigurationParams,
        idempotency_key: Option<&str>,
    ) -> Result<BillingPortalConfiguration, StripeError> {
        self.post_params(
            &["billing_portal", "configurations"],
            params,
            idempotency_key,
        )
        .await
    }

    pub async fn update_billing_portal_configuration(
        &self,
        configuration_id: &str,
        params: &BillingPortalConfigurationParams,
        idempotency_key: Option<&str>,
    ) -> Result<BillingPortalConfiguration, StripeError> {
        self.post_params(
            &["billing_portal", "configurations", configuration_id],
            params,
            idempotency_key,
        )
        .await
    }

    pub async fn create_billing_portal_session(
        &self,
        params: &CreateBillingPortalSession,
        idempotency_key: Option<&str>,
    ) -> Result<BillingPortalSession, StripeError> {
        self.post_params(&["billing_portal", "sessions"], params, idempotency_key)
            .await
    }
}
