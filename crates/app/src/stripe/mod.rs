//! The Stripe connector: connection, product links and imports, webhook
//! ingest and processing, and the rules that turn Stripe state into access.
//!
//! Connection state lives in `connector_settings` (kind `stripe`): the
//! public settings, typed as `connector_settings::StripeConnectorSettings`
//! (the connection, the portal, the contact type, metadata keys), and the
//! secret key and webhook signing secrets sealed with the instance key in
//! `secrets`. A member's Stripe customers are their contacts (`contacts`,
//! connector `stripe`).

mod connection;
mod connector;
mod events;
pub mod jobs;
mod links;
mod oauth;
mod sync;

pub use connection::{ConnectInput, StripeConnection};
pub use connector::StripeConnector;
pub use events::IngestOutcome;
pub use links::{LinkInput, LinkStatus, NewStripePrice, StripeProductChoice};
pub use sync::{PurchaseView, SubscriptionView};

use tollgate_stripe::StripeError;

use crate::error::AppError;

/// Stripe events Tollgate acts on (and registers its endpoint for).
pub const HANDLED_EVENTS: [&str; 20] = [
    "checkout.session.completed",
    "checkout.session.async_payment_succeeded",
    "customer.subscription.created",
    "customer.subscription.updated",
    "customer.subscription.deleted",
    "customer.subscription.paused",
    "customer.subscription.resumed",
    "customer.subscription.trial_will_end",
    "invoice.paid",
    "invoice.payment_succeeded",
    "invoice.payment_failed",
    "charge.refunded",
    "customer.created",
    "customer.updated",
    "customer.deleted",
    "product.updated",
    "product.deleted",
    "price.created",
    "price.updated",
    "price.deleted",
];

/// Maps a Stripe API failure to the app's errors: retryable failures
/// (timeouts, network, 5xx, 429) are "unavailable" (the job retries; the API
/// answers 503); Stripe refusing the request is 422; our own configuration
/// (a refused key, an API base that is not Stripe) is 502.
pub(crate) fn stripe_error(e: StripeError) -> AppError {
    AppError::Stripe(Box::new(e.into()))
}
