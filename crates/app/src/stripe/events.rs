//! Webhook ingest (verify, store, acknowledge), event processing in the job
//! worker, and recovery of missed events from Stripe's event list.

use serde::Deserialize;
use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, ProductId};
use tollgate_domain::connector::ConnectorKind;
use tollgate_persistence::inbox::{self, InboxEvent};
use tollgate_persistence::stripe as repo;
use tollgate_stripe::client::ListEvents;
use tollgate_stripe::client::CreatedFilter;
use tollgate_stripe::types::{Event, EventKind};
use tollgate_stripe::webhook::{DEFAULT_TOLERANCE_SECS, verify_signature};

use super::HANDLED_EVENTS;
use super::stripe_error;
use crate::connector::Processed;
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// What happened to a delivery.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum IngestOutcome {
    /// New and handled: stored and queued for processing.
    Stored,
    /// Seen before: nothing done.
    Duplicate,
    /// A type Tollgate does not act on: stored as ignored.
    Ignored,
}

#[derive(Deserialize)]
struct EventHead<'a> {
    #[serde(borrow)]
    id: &'a str,
    #[serde(rename = "type", borrow)]
    event_type: &'a str,
    created: i64,
}

/// The id of the object an event is about (`data.object.id`).
fn object_id(event: &Event, what: &str) -> AppResult<String> {
    event.object_id().map(str::to_owned).ok_or_else(|| AppError::Internal(format!("{what} event without object id")))
}

impl Services {
    /// Verifies a delivery's `Stripe-Signature` over the raw bytes against
    /// any current signing secret, stores the event once, and queues it.
    /// Runs on the request path: one cached secret lookup, one transaction.
    pub async fn ingest_stripe_webhook(&self, app: &AppId, signature: Option<&str>, payload: &[u8]) -> AppResult<IngestOutcome> {
        let bad_sig = |m: &str| AppError::Unauthorized { code: "invalid_signature", message: m.to_owned() };
        let secrets = self.webhook_secrets_for(app).await?;
        let secret_refs: Vec<&str> = secrets.iter().map(String::as_str).collect();
        let header = signature.ok_or_else(|| bad_sig("missing Stripe-Signature header"))?;
        verify_signature(payload, header, &secret_refs, self.now().unix_timestamp(), DEFAULT_TOLERANCE_SECS)
            .map_err(|e| bad_sig(&format!("signature check failed: {e}")))?;
        let head: EventHead = serde_json::from_slice(payload).map_err(|_| AppError::field("body", "invalid_event", "not a Stripe event"))?;
        if head.id.is_empty() || head.id.len() > 255 || head.event_type.len() > 255 {
            return Err(AppError::field("body", "invalid_event", "not a Stripe event"));
        }
        self.store_event(app, head.id, head.event_type, head.created, payload).await
    }

    async fn store_event(&self, app: &AppId, id: &str, event_type: &str, created: i64, payload: &[u8]) -> AppResult<IngestOutcome> {
        let handled = HANDLED_EVENTS.contains(&event_type);
        let now = self.now();
        let payload = std::str::from_utf8(payload).map_err(|_| AppError::field("body", "invalid_event", "not UTF-8"))?;
        let e = InboxEvent {
            event_id: id.to_owned(),
            event_type: event_type.to_owned(),
            created,
            payload: payload.to_owned(),
            status: if handled { inbox::RECEIVED } else { "ignored" }.into(),
            received_at: now,
            processed_at: None,
            error: None,
        };
        if !inbox::store_event(&self.db, app, ConnectorKind::Stripe, &e).await? {
            return Ok(IngestOutcome::Duplicate);
        }
        if handled {
            // The worker queues its processing (off the request path).
            self.inbox_received.store(true, std::sync::atomic::Ordering::Release);
            self.jobs_ready.notify_one();
            Ok(IngestOutcome::Stored)
        } else {
            Ok(IngestOutcome::Ignored)
        }
    }

    /// The `stripe_event` job: applies one stored event through the
    /// connector (skipped once processed; outcome and try recorded).
    pub async fn process_stripe_event(&self, app: &AppId, event_id: &str) -> AppResult<()> {
        crate::connector::process_stored(self, &super::StripeConnector, app, event_id).await
    }

    pub(super) async fn apply_event(&self, app: &AppId, stored: &InboxEvent) -> AppResult<Processed> {
        let event = Event::from_slice(stored.payload.as_bytes()).map_err(|e| AppError::internal("stored event does not parse", e))?;
        let (client, settings) = self.stripe_client(app).await?;
        let event_time = OffsetDateTime::from_unix_timestamp(event.created).unwrap_or(OffsetDateTime::UNIX_EPOCH);
        match event.kind() {
            EventKind::CustomerSubscriptionCreated
            | EventKind::CustomerSubscriptionUpdated
            | EventKind::CustomerSubscriptionDeleted
            | EventKind::CustomerSubscriptionPaused
            | EventKind::CustomerSubscriptionResumed
            | EventKind::CustomerSubscriptionTrialWillEnd => {
                let id = object_id(&event, "subscription")?;
                self.sync_subscription(app, &client, &settings, &id, Some(&event), event_time).await?;
                Ok(Processed::Processed)
            }
            EventKind::InvoicePaid | EventKind::InvoicePaymentSucceeded | EventKind::InvoicePaymentFailed => {
                let invoice = event.invoice().map_err(|e| AppError::internal("invoice event", e))?;
                match invoice.subscription_id() {
                    Some(sub) => {
                        self.sync_subscription(app, &client, &settings, &sub.to_owned(), None, event_time).await?;
                        Ok(Processed::Processed)
                    }
                    None => Ok(Processed::Ignored),
                }
            }
            EventKind::CheckoutSessionCompleted | EventKind::CheckoutSessionAsyncPaymentSucceeded => {
                self.apply_checkout(app, &client, &settings, &event, event_time).await?;
                Ok(Processed::Processed)
            }
            EventKind::ChargeRefunded => {
                let charge = event.charge().map_err(|e| AppError::internal("charge event", e))?;
                if !charge.is_fully_refunded() {
                    return Ok(Processed::Ignored);
                }
                let mut refs = vec![charge.id.clone()];
                if let Some(pi) = charge.payment_intent_id() {
                    refs.push(pi.to_owned());
                }
                self.apply_refund(app, &refs).await?;
                Ok(Processed::Processed)
            }
            EventKind::ProductUpdated | EventKind::ProductDeleted => {
                let id = object_id(&event, "product")?;
                self.sync_stripe_product(app, &client, &id).await
            }
            EventKind::PriceUpdated | EventKind::PriceDeleted => {
                let id = object_id(&event, "price")?;
                self.sync_checkout_price(app, &client, &id).await
            }
            EventKind::CustomerDeleted => {
                let id = object_id(&event, "customer")?;
                self.forget_deleted_customer(app, &client, &id).await
            }
            // A new price shows up in the product picker, which lists prices
            // live; customer.updated changes nothing Tollgate keeps (members
            // are matched to customers once, and their emails are theirs to
            // change). Both are acknowledged as ignored.
            _ => Ok(Processed::Ignored),
        }
    }

    /// A linked Stripe product changed or was deleted: keep the link's name
    /// current, or drop the link (and its Checkout) when the product is gone.
    /// The product is re-retrieved, so the latest state wins whatever order
    /// the events arrive in. Grants already given stay.
    async fn sync_stripe_product(&self, app: &AppId, client: &tollgate_stripe::StripeClient, id: &str) -> AppResult<Processed> {
        let link = {
            let mut c = self.db.acquire().await?;
            repo::link_for_stripe_product(&mut c.conn(), app, id).await?
        };
        let Some(link) = link else { return Ok(Processed::Ignored) };
        let product = match client.retrieve_product(id).await {
            Ok(p) if !p.deleted => Some(p),
            Ok(_) => None,
            Err(e) if e.is_not_found() => None,
            Err(e) => return Err(stripe_error(e)),
        };
        let mut tx = self.db.begin().await?;
        match product {
            Some(p) => {
                let name = p.name.unwrap_or_default();
                if !name.is_empty() && name != link.stripe_product_name {
                    repo::rename_link(&mut tx.conn(), app, &link.product_id, &name, self.now()).await?;
                }
            }
            None => {
                repo::delete_link(&mut tx.conn(), app, &link.product_id).await?;
                tracing::info!(app = %app, product = %link.product_id, stripe_product = id, "the linked Stripe product was deleted; link removed");
            }
        }
        tx.commit().await?;
        Ok(Processed::Processed)
    }

    /// A price changed: if a product's Checkout sells it and Stripe no longer
    /// does (archived or deleted), Checkout is turned off and its payment
    /// link deactivated, so no member is sent to a price that cannot be paid.
    async fn sync_checkout_price(&self, app: &AppId, client: &tollgate_stripe::StripeClient, id: &str) -> AppResult<Processed> {
        let products = {
            let mut c = self.db.acquire().await?;
            repo::products_selling_price(&mut c.conn(), app, id).await?
        };
        if products.is_empty() {
            return Ok(Processed::Ignored);
        }
        let sellable = match client.retrieve_price(id).await {
            Ok(p) => p.active != Some(false),
            Err(e) if e.is_not_found() => false,
            Err(e) => return Err(stripe_error(e)),
        };
        if !sellable {
            for product in &products {
                self.set_checkout(app, product, false, None, None).await?;
                tracing::info!(app = %app, product = %product, price = id, "the Checkout price is no longer active in Stripe; Checkout turned off");
            }
        }
        Ok(Processed::Processed)
    }

    /// A customer was deleted in Stripe: forget which member it was. The
    /// member keeps their access; Stripe cancels the customer's
    /// subscriptions with events of their own, which remove it.
    async fn forget_deleted_customer(&self, app: &AppId, client: &tollgate_stripe::StripeClient, id: &str) -> AppResult<Processed> {
        match client.retrieve_customer(id).await {
            // Still there: nothing to forget.
            Ok(c) if !c.deleted => return Ok(Processed::Ignored),
            Ok(_) => {}
            Err(e) if e.is_not_found() => {}
            Err(e) => return Err(stripe_error(e)),
        }
        let mut c = self.db.acquire().await?;
        Ok(if repo::unlink_customer(&mut c.conn(), app, id).await? > 0 { Processed::Processed } else { Processed::Ignored })
    }

    /// Brings a subscription to Stripe's current state. The subscription is
    /// re-retrieved, so late or out-of-order events converge; the event's
    /// own object is used only when Stripe no longer returns it, and then
    /// only if it is newer than what is stored.
    async fn sync_subscription(
        &self,
        app: &AppId,
        client: &tollgate_stripe::StripeClient,
        settings: &crate::connector_settings::StripeConnectorSettings,
        id: &str,
        event: Option<&Event>,
        event_time: OffsetDateTime,
    ) -> AppResult<()> {
        // The state is as of the moment the read starts: a newer one stored meanwhile wins.
        let observed = self.now();
        match client.retrieve_subscription(id).await {
            Ok(sub) => {
                self.apply_subscription(app, client, settings, &sub, observed).await?;
            }
            Err(e) if e.is_not_found() => {
                let Some(ev) = event else { return Ok(()) };
                let sub = ev.subscription().map_err(|e| AppError::internal("subscription event", e))?;
                self.apply_subscription(app, client, settings, &sub, event_time).await?;
            }
            Err(e) => return Err(stripe_error(e)),
        }
        Ok(())
    }

    async fn apply_checkout(&self, app: &AppId, client: &tollgate_stripe::StripeClient, settings: &crate::connector_settings::StripeConnectorSettings, event: &Event, event_time: OffsetDateTime) -> AppResult<()> {
        let from_event = event.checkout_session().map_err(|e| AppError::internal("checkout session event", e))?;
        // The webhook's session has no line items: retrieve it with them.
        let session = client.retrieve_checkout_session(&from_event.id).await.map_err(stripe_error)?;
        // A guest payment (no Customer) still belongs to a member: the one
        // named in client_reference_id, else the buyer's email.
        let customer = session.customer_id().map(str::to_owned);
        // The buyer: the member Tollgate named in client_reference_id, else by email.
        let named = session
            .client_reference_id
            .as_deref()
            .or_else(|| session.metadata.get("tollgate_user_id").map(String::as_str))
            .filter(|v| v.starts_with("usr_"));
        let meta = named.map(str::to_owned);
        let user = self
            .member_for_details(app, customer.as_deref(), session.buyer_email(), session.customer_details.as_ref().and_then(|d| d.name.as_deref()), meta.as_deref())
            .await?;
        let Some(user) = user else { return Ok(()) };
        if let Some(sub) = session.subscription_id() {
            self.sync_subscription(app, client, settings, &sub.to_owned(), None, event_time).await?;
        } else if session.is_paid() {
            let links = {
                let mut c = self.db.acquire().await?;
                repo::links(&mut c.conn(), app).await?
            };
            let items = session.line_items.as_ref().map(|l| l.data.as_slice()).unwrap_or_default();
            let bought: Vec<(ProductId, i64)> = items
                .iter()
                .filter_map(|li| {
                    let sp = li.product_id()?;
                    links.iter().find(|l| l.stripe_product_id == sp).map(|l| (l.product_id.clone(), li.amount_total.unwrap_or(0)))
                })
                .collect();
            if !bought.is_empty() {
                let source = session.payment_intent_id().map(str::to_owned).unwrap_or_else(|| session.id.clone());
                self.apply_purchase(app, &user, &bought, &source, session.currency.clone(), event_time).await?;
            }
        }
        Ok(())
    }

    /// Feeds events Stripe has that Tollgate missed (Stripe keeps 30 days)
    /// through the same path as deliveries. Returns how many were new.
    pub async fn recover_stripe_events(&self, app: &AppId) -> AppResult<usize> {
        let (client, _) = self.stripe_client(app).await?;
        let since = {
            let mut c = self.db.acquire().await?;
            inbox::latest_event_created(&mut c.conn(), app, ConnectorKind::Stripe).await?
        };
        // Look back a little before the newest stored event: deliveries can
        // arrive out of order. Never before the connection, though: what
        // happened before it is history, which linking a product imports by
        // its own rules (refunded purchases left out), not missed deliveries.
        // (An event delivered just after connecting, e.g. for what connecting
        // created in Stripe, must not pull the hour before it in.)
        let connected_at = self.stripe_connection(app).await?.map(|c| c.connected_at);
        let floor = match (since.map(|s| s - 3600), connected_at) {
            (Some(back), Some(conn)) => back.max(conn),
            (back, conn) => back.or(conn).unwrap_or_else(|| self.now().unix_timestamp() - 30 * 86400),
        };
        let mut params = ListEvents { created: Some(CreatedFilter { gte: Some(floor), ..Default::default() }), limit: Some(100), ..Default::default() };
        let mut new = 0;
        for _ in 0..1000 {
            let page = client.list_events_raw(&params).await.map_err(stripe_error)?;
            let last = page.data.last().and_then(|e| e.get("id")).and_then(|v| v.as_str()).map(str::to_owned);
            for e in &page.data {
                let (Some(id), Some(t), Some(created)) = (e.get("id").and_then(|v| v.as_str()), e.get("type").and_then(|v| v.as_str()), e.get("created").and_then(|v| v.as_i64())) else {
                    continue;
                };
                let raw = serde_json::to_vec(e).map_err(|err| AppError::internal("recovered event to JSON", err))?;
                if self.store_event(app, id, t, created, &raw).await? != IngestOutcome::Duplicate {
                    new += 1;
                }
            }
            match last {
                Some(l) if page.has_more => params.starting_after = Some(l),
                _ => break,
            }
        }
        if new > 0 {
            tracing::info!(app_id = %app, new, "recovered Stripe events that had not been delivered");
        }
        Ok(new)
    }
}
