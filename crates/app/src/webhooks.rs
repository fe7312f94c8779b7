//! Every connector by kind: receiving a webhook delivery (the HTTP layer's
//! one route, `POST /webhooks/{kind}/{app_id}[/{token}]`), catching up with
//! what a system has that Tollgate missed, and the inbox inspector (what
//! arrived, how each try to process it went, processing it again).

use time::OffsetDateTime;
use tollgate_domain::connector::ConnectorKind;
use tollgate_domain::ids::AppId;
use tollgate_domain::page::{Limit, Page};
use tollgate_persistence::inbox::{self, Attempt, InboxCursor, InboxEvent, InboxFilter};

use crate::connector::{Ack, Connector, InboxConnector, Inbound};
use crate::crm::CrmConnector;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::stripe::StripeConnector;

/// A stored event as the inspector lists it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEntry {
    /// The system's event id (Stripe's `evt_…`).
    pub id: String,
    pub event_type: String,
    /// pending | processed | ignored | failed
    pub status: String,
    pub received_at: OffsetDateTime,
    pub processed_at: Option<OffsetDateTime>,
    pub error: Option<String>,
}

impl From<InboxEvent> for InboxEntry {
    fn from(e: InboxEvent) -> Self {
        InboxEntry { id: e.event_id, event_type: e.event_type, status: e.status, received_at: e.received_at, processed_at: e.processed_at, error: e.error }
    }
}

/// One try to process a stored event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxAttempt {
    /// 1 for the first try.
    pub attempt: i64,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    /// processed | ignored | failed
    pub outcome: String,
    pub error: Option<String>,
}

impl From<Attempt> for InboxAttempt {
    fn from(a: Attempt) -> Self {
        InboxAttempt { attempt: a.attempt, started_at: a.started_at, finished_at: a.finished_at, outcome: a.outcome, error: a.error }
    }
}

/// One stored event with its payload and processing tries.
#[derive(Debug, Clone)]
pub struct InboxEventDetail {
    pub event: InboxEntry,
    /// The system's creation time (Stripe's `created`, Unix seconds).
    pub created: i64,
    /// The event exactly as delivered (or as recovered).
    pub payload: String,
    pub attempts: Vec<InboxAttempt>,
}

/// Which stored events the inspector lists; every part optional, combined with AND.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct InboxSearch {
    pub event_type: Option<String>,
    /// pending | processed | ignored | failed
    pub status: Option<String>,
    /// Received at or after.
    pub since: Option<OffsetDateTime>,
    /// Received before.
    pub until: Option<OffsetDateTime>,
}

impl From<&InboxSearch> for InboxFilter {
    fn from(s: &InboxSearch) -> Self {
        InboxFilter { event_type: s.event_type.clone(), status: s.status.clone(), since: s.since, until: s.until }
    }
}

fn crm(kind: ConnectorKind) -> CrmConnector {
    CrmConnector::of(kind).expect("every kind but Stripe is a CRM")
}

impl Services {
    /// Verifies and stores a delivery through its connector, before it is acknowledged.
    pub async fn receive_webhook(&self, kind: ConnectorKind, app: &str, d: Inbound<'_>) -> AppResult<Ack> {
        match kind {
            ConnectorKind::Stripe => StripeConnector.ingest(self, app, d).await,
            k => crm(k).ingest(self, app, d).await,
        }
    }

    /// Catches up with what the connector's system has that Tollgate missed.
    pub async fn recover_connector(&self, kind: ConnectorKind, app: &AppId) -> AppResult<usize> {
        match kind {
            ConnectorKind::Stripe => StripeConnector.recover(self, app).await,
            k => crm(k).recover(self, app).await,
        }
    }

    /// A connector's inbox, newest first, filtered, a page at a time.
    pub async fn inbox(&self, kind: ConnectorKind, app: &AppId, search: &InboxSearch, after: Option<&str>, limit: Limit) -> AppResult<Page<InboxEntry>> {
        let after = after.map(|a| InboxCursor::decode(a).ok_or_else(|| AppError::field("cursor", "invalid_cursor", "not a cursor of this list"))).transpose()?;
        let mut c = self.db.acquire().await?;
        Ok(inbox::list(&mut c.conn(), app, kind, &InboxFilter::from(search), after.as_ref(), limit).await?.map(InboxEntry::from))
    }

    /// One stored event with its payload and processing tries.
    pub async fn inbox_event(&self, kind: ConnectorKind, app: &AppId, id: &str) -> AppResult<InboxEventDetail> {
        let mut c = self.db.acquire().await?;
        let event = inbox::find_event(&mut c.conn(), app, kind, id).await?.ok_or(AppError::NotFound("event"))?;
        let attempts = inbox::attempts(&mut c.conn(), app, kind, id).await?;
        let (created, payload) = (event.created, event.payload.clone());
        Ok(InboxEventDetail { event: event.into(), created, payload, attempts: attempts.into_iter().map(Into::into).collect() })
    }

    /// Processes a failed or ignored event again (after fixing what made it
    /// fail, e.g. linking its product): back to pending, and queued.
    pub async fn reprocess_inbox_event(&self, kind: ConnectorKind, app: &AppId, id: &str) -> AppResult<InboxEventDetail> {
        match kind {
            ConnectorKind::Stripe => self.reprocess_with(&StripeConnector, app, id).await,
            // The CRMs keep no events: nothing of theirs can be found.
            _ => Err(AppError::NotFound("event")),
        }
    }

    async fn reprocess_with<C: InboxConnector>(&self, c: &C, app: &AppId, id: &str) -> AppResult<InboxEventDetail> {
        let kind = c.kind();
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let event = inbox::find_event(&mut tx.conn(), app, kind, id).await?.ok_or(AppError::NotFound("event"))?;
        if !inbox::reopen(&mut tx.conn(), app, kind, id).await? {
            return Err(AppError::conflict(
                "event_not_reprocessable",
                format!("only a failed or ignored event can be processed again; this one is {}", event.status),
            ));
        }
        let key = format!("evt:{id}:again:{}", uuid::Uuid::now_v7().simple());
        crate::jobs::enqueue(&mut tx.conn(), app, &c.job(id), now, Some(key), now).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        self.inbox_event(kind, app, id).await
    }

    /// Queues the processing of the events ingest stored as received: a job
    /// per event (due at its arrival, so jobs run in arrival order), in the
    /// transaction that marks them pending. Returns how many were queued.
    pub async fn queue_received_events(&self) -> AppResult<usize> {
        const BATCH: i64 = 500;
        let mut total = 0;
        loop {
            let now = self.now();
            let mut tx = self.db.begin().await?;
            let taken = inbox::take_received(&mut tx.conn(), BATCH).await?;
            for (app, kind, id, received) in &taken {
                match kind {
                    ConnectorKind::Stripe => {
                        crate::jobs::enqueue(&mut tx.conn(), app, &StripeConnector.job(id), *received, Some(format!("evt:{id}")), now).await?;
                    }
                    // The CRMs keep no events; such a row cannot have been stored.
                    k => tracing::warn!(connector = k.as_str(), event_id = %id, "an inbox event of a connector that keeps none; left pending"),
                }
            }
            tx.commit().await?;
            total += taken.len();
            if (taken.len() as i64) < BATCH {
                break;
            }
        }
        if total > 0 {
            self.jobs_ready.notify_one();
        }
        Ok(total)
    }
}
