//! Stripe through the connector interface: a delivery is a signed event,
//! kept in the inbox and processed by the `stripe_event` job; recovery reads
//! Stripe's event list.

use tollgate_domain::connector::ConnectorKind;
use tollgate_domain::ids::AppId;
use tollgate_persistence::inbox::InboxEvent;

use super::IngestOutcome;
use crate::connector::{Ack, Connector, InboxConnector, Inbound, Processed};
use crate::error::{AppError, AppResult};
use super::jobs::StripeEvent;
use crate::services::Services;

/// The Stripe connector.
#[derive(Debug, Clone, Copy, Default)]
pub struct StripeConnector;

impl Connector for StripeConnector {
    fn kind(&self) -> ConnectorKind {
        ConnectorKind::Stripe
    }

    /// Verifies `Stripe-Signature` over the raw bytes against any current
    /// signing secret of the app; an app id that is not one cannot verify.
    /// Its URL carries no token: one that does is no webhook of Stripe's (404).
    async fn ingest(&self, s: &Services, app: &str, d: Inbound<'_>) -> AppResult<Ack> {
        if d.token.is_some() {
            return Err(AppError::NotFound("webhook"));
        }
        let app = AppId::parse(app).map_err(|_| AppError::Unauthorized { code: "invalid_signature", message: "signature check failed".into() })?;
        Ok(match s.ingest_stripe_webhook(&app, d.header("stripe-signature"), d.body).await? {
            IngestOutcome::Stored => Ack::Stored,
            IngestOutcome::Duplicate => Ack::Duplicate,
            IngestOutcome::Ignored => Ack::Ignored("an event type Tollgate does not act on"),
        })
    }

    async fn recover(&self, s: &Services, app: &AppId) -> AppResult<usize> {
        s.recover_stripe_events(app).await
    }
}

impl InboxConnector for StripeConnector {
    type Job = StripeEvent;

    fn job(&self, event_id: &str) -> StripeEvent {
        StripeEvent { event_id: event_id.to_owned() }
    }

    async fn process(&self, s: &Services, app: &AppId, event: &InboxEvent) -> AppResult<Processed> {
        s.apply_event(app, event).await
    }
}
