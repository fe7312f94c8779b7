//! Subscriptions and their items, in both the old and the current shape.

use serde::Deserialize;

use super::{
    Customer, Expandable, Invoice, List, Metadata, Price, RecurringInterval, StripeObject,
    null_as_default, open_string_enum,
};

open_string_enum! {
    /// A subscription's status as Stripe reports it. Which of these grant
    /// access is the domain's decision, not the connector's.
    pub enum SubscriptionStatus {
        Trialing => "trialing",
        Active => "active",
        PastDue => "past_due",
        Incomplete => "incomplete",
        IncompleteExpired => "incomplete_expired",
        Unpaid => "unpaid",
        Canceled => "canceled",
        Paused => "paused",
    }
    /// A value this version of Tollgate does not know.
    fallback Unknown;
}

/// A Stripe subscription.
///
/// Older API versions (and localstripe, which answers as 2017-08-15) put
/// `current_period_start`/`_end` on the subscription, items carry `plan`, and
/// single-plan subscriptions also have a top-level `plan` and `quantity`.
/// API versions from 2025 put the period on each item and items carry
/// `price` (plus a `plan` mirror). Use [`Subscription::period_end`] and the
/// item accessors rather than the raw fields.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct Subscription {
    pub id: String,
    #[serde(default)]
    pub customer: Option<Expandable<Customer>>,
    pub status: SubscriptionStatus,
    #[serde(default, deserialize_with = "null_as_default")]
    pub cancel_at_period_end: bool,
    #[serde(default)]
    pub cancel_at: Option<i64>,
    #[serde(default)]
    pub canceled_at: Option<i64>,
    #[serde(default)]
    pub ended_at: Option<i64>,
    #[serde(default)]
    pub trial_start: Option<i64>,
    #[serde(default)]
    pub trial_end: Option<i64>,
    #[serde(default)]
    pub start_date: Option<i64>,
    #[serde(default)]
    pub created: Option<i64>,
    /// Old API versions only; see [`Subscription::period_end`].
    #[serde(default)]
    pub current_period_start: Option<i64>,
    /// Old API versions only; see [`Subscription::period_end`].
    #[serde(default)]
    pub current_period_end: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub items: List<SubscriptionItem>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default)]
    pub pause_collection: Option<PauseCollection>,
    #[serde(default)]
    pub cancellation_details: Option<CancellationDetails>,
    #[serde(default)]
    pub latest_invoice: Option<Expandable<Invoice>>,
    #[serde(default)]
    pub currency: Option<String>,
    #[serde(default)]
    pub livemode: Option<bool>,
    /// Old API versions: the plan of a single-plan subscription.
    #[serde(default)]
    pub plan: Option<Price>,
    /// Old API versions: the quantity of a single-plan subscription.
    #[serde(default)]
    pub quantity: Option<u64>,
}

impl Subscription {
    pub fn customer_id(&self) -> Option<&str> {
        self.customer.as_ref().map(Expandable::id)
    }

    /// End of the current billing period: the subscription's own
    /// `current_period_end` (old API versions, localstripe), else the latest
    /// `current_period_end` among its items (API 2025+).
    pub fn period_end(&self) -> Option<i64> {
        self.current_period_end.or_else(|| {
            self.items
                .data
                .iter()
                .filter_map(|item| item.current_period_end)
                .max()
        })
    }

    /// Start of the current billing period, read like [`Self::period_end`]
    /// (the earliest item start when it sits on the items).
    pub fn period_start(&self) -> Option<i64> {
        self.current_period_start.or_else(|| {
            self.items
                .data
                .iter()
                .filter_map(|item| item.current_period_start)
                .min()
        })
    }

    /// The product ids this subscription pays for, in item order, without
    /// repeats. Falls back to the old top-level `plan` when there are no items.
    pub fn product_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = Vec::new();
        for id in self
            .items
            .data
            .iter()
            .filter_map(SubscriptionItem::product_id)
        {
            if !ids.contains(&id) {
                ids.push(id);
            }
        }
        if self.items.data.is_empty() {
            ids.extend(self.plan.as_ref().and_then(Price::product_id));
        }
        ids
    }

    /// The price (or plan) ids of its items, falling back to the old top-level `plan`.
    pub fn price_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = self
            .items
            .data
            .iter()
            .filter_map(SubscriptionItem::price_id)
            .collect();
        if ids.is_empty() {
            ids.extend(self.plan.as_ref().map(|plan| plan.id.as_str()));
        }
        ids
    }

    /// Collection is paused (`pause_collection` set). Not the same as the
    /// `paused` status, which a trial without payment method ends in.
    pub fn is_collection_paused(&self) -> bool {
        self.pause_collection.is_some()
    }
}

impl StripeObject for Subscription {
    fn id(&self) -> &str {
        &self.id
    }
}

/// One item of a subscription: a price (or, in old versions, a plan) and a quantity.
#[derive(Debug, Clone, PartialEq, Deserialize)]
pub struct SubscriptionItem {
    pub id: String,
    /// API versions since 2018: the price.
    #[serde(default)]
    pub price: Option<Price>,
    /// Old API versions (and a mirror of `price` in new ones): the plan.
    #[serde(default)]
    pub plan: Option<Price>,
    #[serde(default)]
    pub quantity: Option<u64>,
    /// API 2025+: the period sits on each item.
    #[serde(default)]
    pub current_period_start: Option<i64>,
    /// API 2025+: the period sits on each item.
    #[serde(default)]
    pub current_period_end: Option<i64>,
    #[serde(default, deserialize_with = "null_as_default")]
    pub metadata: Metadata,
    #[serde(default)]
    pub created: Option<i64>,
}

impl SubscriptionItem {
    /// The item's price: `price` when present, else the old `plan` read as a price.
    pub fn effective_price(&self) -> Option<&Price> {
        self.price.as_ref().or(self.plan.as_ref())
    }

    pub fn price_id(&self) -> Option<&str> {
        self.effective_price().map(|price| price.id.as_str())
    }

    pub fn product_id(&self) -> Option<&str> {
        // A plan mirror may lack the product the price has, so ask each in turn.
        self.price
            .as_ref()
            .and_then(Price::product_id)
            .or_else(|| self.plan.as_ref().and_then(Price::product_id))
    }

    pub fn unit_amount(&self) -> Option<i64> {
        self.effective_price().and_then(|price| price.unit_amount)
    }

    pub fn currency(&self) -> Option<&str> {
        self.effective_price()
            .and_then(|price| price.currency.as_deref())
    }

    pub fn interval(&self) -> Option<&RecurringInterval> {
        self.effective_price().and_then(Price::interval)
    }

    pub fn interval_count(&self) -> Option<u64> {
        self.effective_price().and_then(Price::interval_count)
    }
}

/// Set while collection of the subscription's payments is paused.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct PauseCollection {
    /// `keep_as_draft`, `mark_uncollectible` or `void`.
    #[serde(default)]
    pub behavior: Option<String>,
    #[serde(default)]
    pub resumes_at: Option<i64>,
}

/// Why a subscription was canceled (API 2020+).
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
pub struct CancellationDetails {
    #[serde(default)]
    pub reason: Option<String>,
    #[serde(default)]
    pub feedback: Option<String>,
    #[serde(default)]
    pub comment: Option<String>,
}
