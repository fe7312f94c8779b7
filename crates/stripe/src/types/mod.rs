//! Tolerant serde types for the Stripe objects Tollgate reads.
//!
//! Each type keeps only the fields Tollgate uses. Unknown fields are ignored;
//! every field that API versions disagree on (or that a deleted object lacks)
//! is an `Option` or defaults, and `null` where a list or map is expected
//! reads as empty. Where versions put the same fact in different places
//! (the period end on the subscription or on its items, `plan` or `price` on
//! an item, the subscription of an invoice at the top or under `parent`),
//! the type keeps both fields and offers one accessor that reads either.

mod account;
mod billing_portal;
mod checkout;
mod customer;
mod event;
mod invoice;
mod price;
mod subscription;

pub use account::{
    Account, AccountBusinessProfile, AccountDashboardSettings, AccountSettings, WebhookEndpoint,
};
pub use billing_portal::{
    BillingPortalConfiguration, BillingPortalSession, PortalBusinessProfile, PortalCustomerUpdate,
    PortalFeatureToggle, PortalFeatures, PortalSubscriptionCancel,
};
pub use checkout::{CheckoutCustomerDetails, CheckoutLineItem, CheckoutSession, PaymentLink};
pub use customer::Customer;
pub use event::{Event, EventData, EventKind, EventObjectError};
pub use invoice::{
    Charge, ChargeBillingDetails, Invoice, InvoiceLine, InvoiceLineParent, InvoiceLinePricing,
    InvoiceLineSubscriptionItemDetails, InvoiceParent, InvoicePriceDetails,
    InvoiceStatusTransitions, InvoiceSubscriptionDetails, LinePeriod, PaymentIntent,
};
pub use price::{Price, Product, Recurring, RecurringInterval};
pub use subscription::{
    CancellationDetails, PauseCollection, Subscription, SubscriptionItem, SubscriptionStatus,
};

use std::collections::BTreeMap;

use serde::{Deserialize, Deserializer};

/// Stripe metadata: string keys to string values.
pub type Metadata = BTreeMap<String, String>;

/// Anything with a Stripe id; lets [`Expandable::id`] work for both forms.
pub trait StripeObject {
    fn id(&self) -> &str;
}

/// A reference Stripe sends either as an id or, when expanded, as the object.
#[derive(Debug, Clone, PartialEq)]
pub enum Expandable<T> {
    Id(String),
    Object(Box<T>),
}

impl<T: StripeObject> Expandable<T> {
    /// The id, whichever form was sent.
    pub fn id(&self) -> &str {
        match self {
            Expandable::Id(id) => id,
            Expandable::Object(object) => object.id(),
        }
    }

    /// The expanded object, if Stripe sent one.
    pub fn as_object(&self) -> Option<&T> {
        match self {
            Expandable::Id(_) => None,
            Expandable::Object(object) => Some(object),
        }
    }
}

impl<'de, T: serde::de::DeserializeOwned> Deserialize<'de> for Expandable<T> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        use serde::de::Error as _;
        match serde_json::Value::deserialize(deserializer)? {
            serde_json::Value::String(id) => Ok(Expandable::Id(id)),
            object @ serde_json::Value::Object(_) => serde_json::from_value(object)
                .map(|object| Expandable::Object(Box::new(object)))
                .map_err(D::Error::custom),
            other => Err(D::Error::custom(format!(
                "expected an id or an expanded object, found {}",
                json_kind(&other)
            ))),
        }
    }
}

pub(crate) fn json_kind(value: &serde_json::Value) -> &'static str {
    match value {
        serde_json::Value::Null => "null",
        serde_json::Value::Bool(_) => "a boolean",
        serde_json::Value::Number(_) => "a number",
        serde_json::Value::String(_) => "a string",
        serde_json::Value::Array(_) => "an array",
        serde_json::Value::Object(_) => "an object",
    }
}

/// A page of a Stripe list.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(bound(deserialize = "T: Deserialize<'de>"))]
pub struct List<T> {
    #[serde(default = "Vec::new", deserialize_with = "null_as_default")]
    pub data: Vec<T>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub has_more: bool,
    #[serde(default)]
    pub url: Option<String>,
}

impl<T> Default for List<T> {
    fn default() -> Self {
        List {
            data: Vec::new(),
            has_more: false,
            url: None,
        }
    }
}

/// What Stripe answers to a DELETE.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct DeletedObject {
    pub id: String,
    #[serde(default)]
    pub object: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub deleted: bool,
}

/// Reads `null` (which Stripe sends for many unset fields) as the default.
pub(crate) fn null_as_default<'de, D, T>(deserializer: D) -> Result<T, D::Error>
where
    D: Deserializer<'de>,
    T: Default + Deserialize<'de>,
{
    Option::<T>::deserialize(deserializer).map(Option::unwrap_or_default)
}

/// Declares a string enum with a fallback variant holding any other value,
/// so a value added by a later API version parses instead of failing the
/// whole object.
macro_rules! open_string_enum {
    (
        $(#[$meta:meta])*
        pub enum $name:ident { $( $(#[$variant_meta:meta])* $variant:ident => $text:literal, )+ }
        $(#[$fallback_meta:meta])*
        fallback $fallback:ident;
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, PartialEq, Eq, Hash)]
        pub enum $name {
            $( $(#[$variant_meta])* $variant, )+
            $(#[$fallback_meta])*
            $fallback(String),
        }

        impl $name {
            pub fn parse(text: &str) -> Self {
                match text {
                    $( $text => $name::$variant, )+
                    other => $name::$fallback(other.to_owned()),
                }
            }

            pub fn as_str(&self) -> &str {
                match self {
                    $( $name::$variant => $text, )+
                    $name::$fallback(other) => other,
                }
            }
        }

        impl std::fmt::Display for $name {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str(self.as_str())
            }
        }

        impl<'de> serde::Deserialize<'de> for $name {
            fn deserialize<D: serde::Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
                let text = String::deserialize(deserializer)?;
                Ok($name::parse(&text))
            }
        }

        impl serde::Serialize for $name {
            fn serialize<S: serde::Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
                serializer.serialize_str(self.as_str())
            }
        }
    };
}
pub(crate) use open_string_enum;
