//! The payloads of Stripe's jobs (the Stripe connector queues them as
//! `jobs::StripeEvent` / `jobs::StripeImport`): data only. What they run
//! (their `JobSpec`) is in the registry (`registry.rs`), beside Stripe's
//! other jobs.

use serde::{Deserialize, Serialize};
use tollgate_domain::ids::ProductId;

/// Applies one stored Stripe event.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StripeEvent {
    pub event_id: String,
}

/// Imports the subscriptions of a Stripe product just linked to a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StripeImport {
    pub product_id: ProductId,
    pub stripe_product_id: String,
}
