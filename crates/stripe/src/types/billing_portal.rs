//! The customer (billing) portal: its configuration and sessions.

use serde::Deserialize;

use super::{Customer, Expandable, Metadata, StripeObject, null_as_default};

/// A billing portal configuration: what customers may do in the portal.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BillingPortalConfiguration {
    pub id: String,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default)]
    pub is_default: Option<bool>,
    #[serde(default)]
    pub business_profile: Option<PortalBusinessProfile>,
    #[serde(default)]
    pub default_return_url: Option<String>,
    #[serde(default)]
    pub features: Option<PortalFeatures>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub updated: Option<i64>,
    #[serde(default)]
    pub livemode: Option<bool>,
}

impl BillingPortalConfiguration {
    /// Customers may cancel their subscriptions in the portal.
    pub fn allows_cancel(&self) -> bool {
        self.features
            .as_ref()
            .and_then(|features| features.subscription_cancel.as_ref())
            .is_some_and(|cancel| cancel.enabled)
    }
}

impl StripeObject for BillingPortalConfiguration {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PortalBusinessProfile {
    #[serde(default)]
    pub headline: Option<String>,
    #[serde(default)]
    pub privacy_policy_url: Option<String>,
    #[serde(default)]
    pub terms_of_service_url: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PortalFeatures {
    #[serde(default)]
    pub customer_update: Option<PortalCustomerUpdate>,
    #[serde(default)]
    pub invoice_history: Option<PortalFeatureToggle>,
    #[serde(default)]
    pub payment_method_update: Option<PortalFeatureToggle>,
    #[serde(default)]
    pub subscription_cancel: Option<PortalSubscriptionCancel>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PortalFeatureToggle {
    #[serde(default, deserialize_with = "null_as_default")]
    pub enabled: bool,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PortalCustomerUpdate {
    #[serde(default, deserialize_with = "null_as_default")]
    pub enabled: bool,
    #[serde(default, deserialize_with = "null_as_default")]
    pub allowed_updates: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PortalSubscriptionCancel {
    #[serde(default, deserialize_with = "null_as_default")]
    pub enabled: bool,
    /// `at_period_end` or `immediately`.
    #[serde(default)]
    pub mode: Option<String>,
}

/// A billing portal session: a short-lived URL for one customer.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct BillingPortalSession {
    pub id: String,
    pub url: String,
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    #[serde(default)]
    pub return_url: Option<String>,
    #[serde(default)]
    pub configuration: Option<String>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub livemode: Option<bool>,
}

impl StripeObject for BillingPortalSession {
    fn id(&self) -> &str {
        &self.id
    }
}
