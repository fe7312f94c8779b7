//! Customers.

use serde::Deserialize;

use super::{Metadata, StripeObject, null_as_default};

/// A Stripe customer. A deleted customer (`{"id","object","deleted":true}`,
/// as sent in `customer.deleted` and for expanded references) parses too.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Customer {
    pub id: String,
    #[serde(default)]
    pub email: Option<String>,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub livemode: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub deleted: bool,
}

impl Customer {
    /// The metadata value under `key`, e.g. the site's own user id.
    pub fn metadata_value(&self, key: &str) -> Option<&str> {
        self.metadata.get(key).map(String::as_str)
    }
}

impl StripeObject for Customer {
    fn id(&self) -> &str {
        &self.id
    }
}
