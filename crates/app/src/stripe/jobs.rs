//! The Stripe connector's jobs. Kind names and payload fields are what
//! older versions stored: they never change.

use serde::{Deserialize, Serialize};
use tollgate_domain::ids::ProductId;

use crate::connector::Connector;
use crate::jobs::{JobCtx, JobError, JobSpec};
use crate::services::Services;

/// Applies one stored Stripe event (through the connector: `process_stored`).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StripeEvent {
    pub event_id: String,
}

impl JobSpec for StripeEvent {
    const KIND: &'static str = "stripe_event";
    const MAX_ATTEMPTS: i32 = 10;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.process_stripe_event(&ctx.app, &self.event_id).await?)
    }
}

/// Imports the subscriptions of a Stripe product just linked to a product.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StripeImport {
    pub product_id: ProductId,
    pub stripe_product_id: String,
}

impl JobSpec for StripeImport {
    const KIND: &'static str = "stripe_import";
    const MAX_ATTEMPTS: i32 = 8;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        Ok(s.run_stripe_import(&ctx.app, &ctx.id, &self.product_id, &self.stripe_product_id).await?)
    }
}

/// Reads Stripe's event list for events whose webhook never came (every ten
/// minutes): the connector's `recover`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct StripeRecover {}

impl JobSpec for StripeRecover {
    const KIND: &'static str = "stripe_recover";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        if s.stripe_connection(&ctx.app).await?.is_some() {
            super::StripeConnector.recover(s, &ctx.app).await?;
        }
        Ok(())
    }
}
