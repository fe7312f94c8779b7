//! The Stripe inbox inspector: what arrived, how each try to process it
//! went, and processing a failed or ignored event again.

use tollgate_domain::ids::AppId;
use tollgate_domain::page::{Limit, Page};
use tollgate_persistence::stripe::{self as repo, InboxEvent};
use tollgate_persistence::stripe_inbox::{self, Attempt, InboxCursor, InboxFilter};

use crate::error::{AppError, AppResult};
use crate::services::Services;

/// One stored event with its processing tries.
#[derive(Debug, Clone)]
pub struct InboxEventDetail {
    pub event: InboxEvent,
    pub attempts: Vec<Attempt>,
}

impl Services {
    /// The webhook inbox, newest first, filtered, a page at a time.
    pub async fn stripe_inbox(&self, app: &AppId, filter: &InboxFilter, after: Option<&str>, limit: Limit) -> AppResult<Page<InboxEvent>> {
        let after = after.map(|a| InboxCursor::decode(a).ok_or_else(|| AppError::field("cursor", "invalid_cursor", "not a cursor of this list"))).transpose()?;
        let mut c = self.db.acquire().await?;
        Ok(stripe_inbox::list(&mut c.conn(), app, filter, after.as_ref(), limit).await?)
    }

    /// One event with its payload and processing tries.
    pub async fn stripe_inbox_event(&self, app: &AppId, id: &str) -> AppResult<InboxEventDetail> {
        let mut c = self.db.acquire().await?;
        let event = repo::find_event(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("event"))?;
        let attempts = stripe_inbox::attempts(&mut c.conn(), app, id).await?;
        Ok(InboxEventDetail { event, attempts })
    }

    /// Processes a failed or ignored event again (after fixing what made it
    /// fail, e.g. linking its product): back to pending, and queued.
    pub async fn reprocess_stripe_event(&self, app: &AppId, id: &str) -> AppResult<InboxEventDetail> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let event = repo::find_event(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("event"))?;
        if !stripe_inbox::reopen(&mut tx.conn(), app, id).await? {
            return Err(AppError::conflict(
                "event_not_reprocessable",
                format!("only a failed or ignored event can be processed again; this one is {}", event.status),
            ));
        }
        let key = format!("evt:{id}:again:{}", uuid::Uuid::now_v7().simple());
        crate::jobs::enqueue(&mut tx.conn(), app, &crate::jobs::StripeEvent { event_id: id.to_owned() }, now, Some(key), now).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        self.stripe_inbox_event(app, id).await
    }
}
