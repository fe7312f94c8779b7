//! Products and prices, including old `plan` objects read as prices.

use serde::Deserialize;

use super::{Expandable, Metadata, StripeObject, null_as_default, open_string_enum};

open_string_enum! {
    /// How often a recurring price bills.
    pub enum RecurringInterval {
        Day => "day",
        Week => "week",
        Month => "month",
        Year => "year",
    }
    /// A value this version of Tollgate does not know.
    fallback Unknown;
}

/// A Stripe product. A deleted product (`{"id","object","deleted":true}`)
/// parses too, with `deleted` set and everything else empty.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Product {
    pub id: String,
    #[serde(default)]
    pub name: Option<String>,
    #[serde(default)]
    pub description: Option<String>,
    #[serde(default)]
    pub active: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub images: Vec<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    /// Absent in older API versions and on products created without one.
    #[serde(default)]
    pub default_price: Option<Expandable<Price>>,
    #[serde(default)]
    pub url: Option<String>,
    #[serde(default)]
    pub created: Option<i64>,
    #[serde(default)]
    pub updated: Option<i64>,
    #[serde(default)]
    pub livemode: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub deleted: bool,
}

impl StripeObject for Product {
    fn id(&self) -> &str {
        &self.id
    }
}

/// The recurring part of a price.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Recurring {
    pub interval: RecurringInterval,
    pub interval_count: u64,
}

/// A Stripe price. Also reads an old `plan` object (`amount`, `interval`,
/// `interval_count` at the top level) so that subscription items, invoice
/// lines and `plan.*` events of older API versions give the same type;
/// [`Price::object`] says which one was sent.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(from = "PriceWire")]
pub struct Price {
    pub id: String,
    /// `"price"` or `"plan"`, when Stripe said.
    pub object: Option<String>,
    pub product: Option<Expandable<Product>>,
    pub currency: Option<String>,
    /// In the currency's smallest unit. `None` for tiered or custom amounts.
    pub unit_amount: Option<i64>,
    /// `None` for a one-off price.
    pub recurring: Option<Recurring>,
    pub active: Option<bool>,
    pub nickname: Option<String>,
    pub lookup_key: Option<String>,
    pub metadata: Metadata,
    pub created: Option<i64>,
    pub livemode: Option<bool>,
    pub deleted: bool,
}

impl Price {
    pub fn product_id(&self) -> Option<&str> {
        self.product.as_ref().map(Expandable::id)
    }

    pub fn is_recurring(&self) -> bool {
        self.recurring.is_some()
    }

    pub fn interval(&self) -> Option<&RecurringInterval> {
        self.recurring.as_ref().map(|recurring| &recurring.interval)
    }

    pub fn interval_count(&self) -> Option<u64> {
        self.recurring
            .as_ref()
            .map(|recurring| recurring.interval_count)
    }

    /// True when this was sent as an old `plan` object.
    pub fn is_plan(&self) -> bool {
        self.object.as_deref() == Some("plan")
    }
}

impl StripeObject for Price {
    fn id(&self) -> &str {
        &self.id
    }
}

/// Every field a `price` or a `plan` may carry.
#[derive(Deserialize)]
struct PriceWire {
    id: String,
    #[serde(default)]
    object: Option<String>,
    #[serde(default)]
    product: Option<Expandable<Product>>,
    #[serde(default)]
    currency: Option<String>,
    /// price
    #[serde(default)]
    unit_amount: Option<i64>,
    /// plan
    #[serde(default)]
    amount: Option<i64>,
    /// price: `"one_time"` or `"recurring"`
    #[serde(default, rename = "type")]
    price_type: Option<String>,
    /// price
    #[serde(default)]
    recurring: Option<RecurringWire>,
    /// plan
    #[serde(default)]
    interval: Option<RecurringInterval>,
    /// plan
    #[serde(default)]
    interval_count: Option<u64>,
    #[serde(default)]
    active: Option<bool>,
    #[serde(default)]
    nickname: Option<String>,
    #[serde(default)]
    lookup_key: Option<String>,
    #[serde(default, deserialize_with = "null_as_default")]
    metadata: Metadata,
    #[serde(default)]
    created: Option<i64>,
    #[serde(default)]
    livemode: Option<bool>,
    #[serde(default, deserialize_with = "null_as_default")]
    deleted: bool,
}

#[derive(Deserialize)]
struct RecurringWire {
    interval: RecurringInterval,
    #[serde(default)]
    interval_count: Option<u64>,
}

impl From<PriceWire> for Price {
    fn from(wire: PriceWire) -> Self {
        // A price says whether it recurs in `type`; trust that over a stray
        // `recurring` object (Stripe's own example one-off price has one).
        let one_time = wire.price_type.as_deref() == Some("one_time");
        let recurring = if one_time {
            None
        } else if let Some(recurring) = wire.recurring {
            Some(Recurring {
                interval: recurring.interval,
                interval_count: recurring.interval_count.unwrap_or(1),
            })
        } else {
            wire.interval.map(|interval| Recurring {
                interval,
                interval_count: wire.interval_count.unwrap_or(1),
            })
        };
        Price {
            id: wire.id,
            object: wire.object,
            product: wire.product,
            currency: wire.currency,
            unit_amount: wire.unit_amount.or(wire.amount),
            recurring,
            active: wire.active,
            nickname: wire.nickname,
            lookup_key: wire.lookup_key,
            metadata: wire.metadata,
            created: wire.created,
            livemode: wire.livemode,
            deleted: wire.deleted,
        }
    }
}
