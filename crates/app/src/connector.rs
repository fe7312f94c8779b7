//! The connector interface: one shape for every system Tollgate listens to.
//!
//! A connector verifies and stores what its system sends
//! ([`Connector::ingest`], on the request path, before the answer) and asks
//! the system for what it missed ([`Connector::recover`]). A connector whose
//! deliveries are events kept in the inbox (`inbox_events`, keyed by
//! connector kind) also processes one stored event at a time
//! ([`InboxConnector::process`], in the job worker); [`process_stored`] wraps
//! that with what every inbox event gets: skipped once processed, marked with
//! its outcome, each try recorded for the inspector.
//!
//! Implementations: `StripeConnector` in the stripe module (inbox events)
//! and `CrmConnector` in the crm module (Keap and ActiveCampaign: a delivery
//! is a hint that queues a read of the CRM's current state, not an event to
//! keep). The HTTP layer's one route, `POST /webhooks/{kind}/{app_id}[/{token}]`,
//! picks the connector by kind (the webhooks module, above both).

use std::future::Future;

use tollgate_domain::connector::ConnectorKind;
use tollgate_domain::ids::AppId;
use tollgate_persistence::inbox::{self, InboxEvent};

use crate::error::{AppError, AppResult};
use crate::jobs::JobSpec;
use crate::services::Services;

/// A webhook delivery as it arrived.
#[derive(Debug, Clone, Copy)]
pub struct Inbound<'a> {
    /// The URL's last segment, for connectors whose URL carries a secret.
    pub token: Option<&'a str>,
    /// Request headers, names in lower case.
    pub headers: &'a [(&'a str, &'a str)],
    /// The raw bytes, exactly as sent (signatures are over these).
    pub body: &'a [u8],
}

impl<'a> Inbound<'a> {
    pub fn header(&self, name: &str) -> Option<&'a str> {
        self.headers.iter().find(|(n, _)| n.eq_ignore_ascii_case(name)).map(|(_, v)| *v)
    }
}

/// How a delivery was taken.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Ack {
    /// A new event: stored and queued for processing.
    Stored,
    /// An event stored before: nothing done.
    Duplicate,
    /// A hint: the reads it asks for are queued (how many).
    Queued(usize),
    /// Acknowledged and not acted on, with the reason (logged).
    Ignored(&'static str),
    /// A subscription check: echo this secret back (Keap's `X-Hook-Secret`).
    Handshake(String),
    /// Nothing is connected here any more: the sender should stop (410).
    Gone,
}

/// What processing a stored event came to.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Processed {
    /// It changed, or confirmed, Tollgate's state.
    Processed,
    /// Nothing in it concerns Tollgate (e.g. a subscription of unlinked products).
    Ignored,
}

impl Processed {
    pub fn as_str(self) -> &'static str {
        match self {
            Processed::Processed => "processed",
            Processed::Ignored => "ignored",
        }
    }
}

/// A system Tollgate listens to.
pub trait Connector: Sync {
    fn kind(&self) -> ConnectorKind;

    /// Verifies a delivery (signature, or the URL's token) and stores what
    /// it says before it is acknowledged. A delivery that fails
    /// verification is `AppError::Unauthorized`; one that is not the
    /// system's shape is a validation error. Unknown apps are the
    /// connector's to answer (Stripe: a signature that cannot verify; CRMs:
    /// ignored).
    fn ingest(&self, s: &Services, app: &str, d: Inbound<'_>) -> impl Future<Output = AppResult<Ack>> + Send;

    /// Catches up with what the system has that Tollgate missed (deliveries
    /// lost while it was down); returns how many things were new.
    fn recover(&self, s: &Services, app: &AppId) -> impl Future<Output = AppResult<usize>> + Send;
}

/// A connector whose deliveries are events kept in the inbox.
pub trait InboxConnector: Connector {
    /// The job that processes one stored event (queued at ingest, and again
    /// when an admin reprocesses the event).
    type Job: JobSpec;

    fn job(&self, event_id: &str) -> Self::Job;

    /// Applies one stored event to Tollgate's state. Must be safe to run
    /// again on the same event (retries, reprocessing) and in any order.
    fn process(&self, s: &Services, app: &AppId, event: &InboxEvent) -> impl Future<Output = AppResult<Processed>> + Send;
}

/// Processes a stored event through its connector: an event already
/// processed is skipped; the outcome is marked on the event and the try
/// recorded (when it started and ended, how, the error).
pub async fn process_stored<C: InboxConnector>(s: &Services, c: &C, app: &AppId, event_id: &str) -> AppResult<()> {
    let kind = c.kind();
    let stored = {
        let mut conn = s.db.acquire().await?;
        inbox::find_event(&mut conn.conn(), app, kind, event_id).await?.ok_or(AppError::NotFound("event"))?
    };
    if stored.status == "processed" {
        return Ok(());
    }
    let started = s.now();
    let result = c.process(s, app, &stored).await;
    let now = s.now();
    let (outcome, error) = match &result {
        Ok(p) => (p.as_str(), None),
        Err(e) => ("failed", Some(e.to_string())),
    };
    let mut conn = s.db.acquire().await?;
    inbox::mark_event(&mut conn.conn(), app, kind, event_id, outcome, error.as_deref(), now).await?;
    inbox::record_attempt(&mut conn.conn(), app, kind, event_id, started, now, outcome, error.as_deref()).await?;
    result.map(|_| ())
}
