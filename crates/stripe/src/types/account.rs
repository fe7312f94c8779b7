//! The connected account and its webhook endpoints.

use secrecy::SecretString;
use serde::Deserialize;

use super::{Metadata, StripeObject, null_as_default};

/// A Stripe account (the site owner's, when connected).
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Account {
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub business_profile: Option<AccountBusinessProfile>,
    #[serde(default)]
    pub settings: Option<AccountSettings>,
    #[serde(default)]
    pub country: Option<String>,
    #[serde(default)]
    pub default_currency: Option<String>,
    #[serde(default)]
    pub charges_enabled: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
}

impl Account {
    /// The name to show for the account: the dashboard display name, else
    /// the business name, else the email.
    pub fn display_name(&self) -> Option<&str> {
        self.settings
            .as_ref()
            .and_then(|settings| settings.dashboard.as_ref())
            .and_then(|dashboard| dashboard.display_name.as_deref())
            .or_else(|| {
                self.business_profile
                    .as_ref()
                    .and_then(|profile| profile.name.as_deref())
            })
            .or(self.email.as_deref())
    }
}

impl StripeObject for Account {
    fn id(&self) -> &str {
        &self.id
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountBusinessProfile {
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub support_email: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountSettings {
    #[serde(default)]
    pub dashboard: Option<AccountDashboardSettings>,
}

#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct AccountDashboardSettings {
    #[serde(default)]
    pub display_name: Option<String>,
    #[serde(default)]
    pub timezone: Option<String>,
}

/// A webhook endpoint registered on the account.
#[derive(Debug, Clone, Deserialize)]
pub struct WebhookEndpoint {
    pub id: String,
    pub url: String,
    /// The signing secret; Stripe sends it only in the answer to the create call.
    #[serde(default)]
    pub secret: Option<SecretString>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub enabled_events: Vec<String>,
    /// `None`: the account's default version.
    #[serde(default)]
    pub api_version: Option<String>,
    /// `enabled` or `disabled`.
    #[serde(default)]
    pub status: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub livemode: Option<bool>,
}

impl StripeObject for WebhookEndpoint {
    fn id(&self) -> &str {
        &self.id
    }
}
