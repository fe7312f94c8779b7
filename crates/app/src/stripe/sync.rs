//! Turning Stripe state into members, grants and activities.

use time::OffsetDateTime;
use tollgate_domain::access::AccessSource;
use tollgate_domain::activity::NewActivity;
use tollgate_domain::activity::data::{
    ActivityData, ProductPurchasedData, SubscriptionCancelledData, SubscriptionStartedData, UserInactiveData,
};
use tollgate_domain::email::Email;
use tollgate_domain::ids::{AppId, ProductId, UserId};
use tollgate_domain::subscription::{SubscriptionState, SubscriptionStatus, decide, monthly_amount};
use tollgate_persistence::stripe::{self as repo, Purchase, SubscriptionRecord};
use tollgate_domain::metrics::{DailyMrr, DayRange, daily_series};
use tollgate_persistence::{access, apps, metrics, users};
use tollgate_stripe::StripeClient;
use tollgate_stripe::types::{Customer, Subscription, SubscriptionStatus as StripeStatus};

use super::stripe_error;
use crate::access::GrantSpec;
use crate::access::reconcile::SourceGrants;
use crate::connector_settings::StripeConnectorSettings;
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::services::Services;

/// A member's Stripe subscription as an admin sees it (the bookkeeping of
/// which activities were recorded stays inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionView {
    pub subscription_id: String,
    pub customer_id: String,
    pub status: SubscriptionStatus,
    pub cancel_at_period_end: bool,
    /// The renewal date, or the end of access when canceling at period end.
    pub current_period_end: Option<OffsetDateTime>,
    pub stripe_product_ids: Vec<String>,
    /// Monthly recurring revenue in minor units.
    pub mrr: i64,
    pub currency: Option<String>,
}

impl From<SubscriptionRecord> for SubscriptionView {
    fn from(x: SubscriptionRecord) -> Self {
        SubscriptionView {
            subscription_id: x.subscription_id,
            customer_id: x.customer_id,
            status: x.status,
            cancel_at_period_end: x.cancel_at_period_end,
            current_period_end: x.current_period_end,
            stripe_product_ids: x.stripe_product_ids,
            mrr: x.mrr,
            currency: x.currency,
        }
    }
}

/// A member's one-off purchase.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PurchaseView {
    pub id: String,
    pub product_id: ProductId,
    /// The Stripe object that paid: a payment intent, charge, invoice or checkout session id.
    pub source_ref: String,
    pub amount: i64,
    pub currency: Option<String>,
    pub refunded: bool,
    pub purchased_at: OffsetDateTime,
}

impl From<Purchase> for PurchaseView {
    fn from(p: Purchase) -> Self {
        PurchaseView { id: p.id, product_id: p.product_id, source_ref: p.source_ref, amount: p.amount, currency: p.currency, refunded: p.refunded, purchased_at: p.purchased_at }
    }
}

fn status_of(s: &StripeStatus) -> SubscriptionStatus {
    s.as_str().parse().unwrap_or(SubscriptionStatus::Unknown)
}

fn from_unix(t: i64) -> OffsetDateTime {
    OffsetDateTime::from_unix_timestamp(t).unwrap_or(OffsetDateTime::UNIX_EPOCH)
}

/// Monthly recurring revenue of a subscription, in minor units, and its currency.
pub(crate) fn subscription_mrr(sub: &Subscription) -> (i64, Option<String>) {
    let mut total = 0i64;
    let mut currency = sub.currency.clone();
    for item in &sub.items.data {
        let (Some(amount), Some(interval)) = (item.unit_amount(), item.interval()) else { continue };
        let qty = item.quantity.unwrap_or(1) as i64;
        if let Some(m) = monthly_amount(amount, qty, interval.as_str(), item.interval_count().unwrap_or(1) as i64) {
            total += m;
        }
        if currency.is_none() {
            currency = item.currency().map(str::to_owned);
        }
    }
    (total, currency)
}

impl Services {
    /// The member behind a Stripe customer: a known mapping, then the
    /// configured metadata key (a member id or email), then the email; a
    /// customer with an unknown email becomes a new member (User Created,
    /// invitation queued). `None` when the customer has no usable email.
    pub(crate) async fn member_for_customer(&self, app: &AppId, client: &StripeClient, customer_id: &str, settings: &StripeConnectorSettings) -> AppResult<Option<UserId>> {
        {
            let mut c = self.db.acquire().await?;
            if let Some(u) = repo::user_for_customer(&mut c.conn(), app, customer_id).await? {
                return Ok(Some(u));
            }
        }
        let customer: Customer = client.retrieve_customer(customer_id).await.map_err(stripe_error)?;
        let meta_value = settings
            .customer_metadata_key
            .as_deref()
            .filter(|k| !k.is_empty())
            .and_then(|k| customer.metadata_value(k))
            .map(str::to_owned);
        self.member_for_details(app, Some(customer_id), customer.email.as_deref(), customer.name.as_deref(), meta_value.as_deref()).await
    }

    /// An account's name for a customer: the configured metadata key, the
    /// customer's name, or its email (read from Stripe only for a customer
    /// whose account does not exist yet).
    async fn account_name_for(&self, app: &AppId, client: &StripeClient, customer_id: &str, settings: &StripeConnectorSettings) -> AppResult<String> {
        {
            let mut c = self.db.acquire().await?;
            if let Some(a) = tollgate_persistence::accounts::by_customer(&mut c.conn(), app, customer_id).await? {
                return Ok(a.name);
            }
        }
        let customer: Customer = client.retrieve_customer(customer_id).await.map_err(stripe_error)?;
        let from_meta = settings.account_metadata_key.as_deref().and_then(|k| customer.metadata_value(k)).map(str::to_owned);
        Ok(from_meta.or(customer.name.clone()).or(customer.email.clone()).unwrap_or_else(|| customer_id.to_owned()))
    }

    pub(crate) async fn member_for_details(
        &self,
        app: &AppId,
        customer_id: Option<&str>,
        email: Option<&str>,
        name: Option<&str>,
        meta_value: Option<&str>,
    ) -> AppResult<Option<UserId>> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if let Some(cid) = customer_id {
            if let Some(u) = repo::user_for_customer(&mut tx.conn(), app, cid).await? {
                return Ok(Some(u));
            }
        }
        let mut user = None;
        if let Some(v) = meta_value {
            if let Ok(id) = UserId::parse(v) {
                user = users::find(&mut tx.conn(), app, &id).await?.map(|u| u.id);
            } else if let Ok(e) = Email::parse(v) {
                user = users::find_by_email(&mut tx.conn(), app, &e).await?.map(|u| u.id);
            }
        }
        let email = email.and_then(|e| Email::parse(e).ok());
        if user.is_none() {
            if let Some(e) = &email {
                user = users::find_by_email(&mut tx.conn(), app, e).await?.map(|u| u.id);
            }
        }
        let user = match (user, email) {
            (Some(u), _) => u,
            (None, Some(e)) => {
                let name = name.map(|n| n.chars().take(200).collect::<String>()).unwrap_or_default();
                // Another worker may be creating the same customer's member right now.
                self.find_or_create_member_in(&mut tx.conn(), app, e, name).await?
            }
            (None, None) => {
                tracing::warn!(customer = ?customer_id, "Stripe customer without email or matching metadata: no member");
                return Ok(None);
            }
        };
        if let Some(cid) = customer_id {
            repo::link_customer(&mut tx.conn(), app, cid, &user, now).await?;
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(Some(user))
    }

    /// Applies a subscription's state, observed at `state_at`, to access.
    /// Only products linked to the subscription's Stripe products are
    /// touched; a subscription of unlinked products is ignored. An older
    /// state than the one stored never overwrites it.
    pub(crate) async fn apply_subscription(&self, app: &AppId, client: &StripeClient, settings: &StripeConnectorSettings, sub: &Subscription, state_at: OffsetDateTime) -> AppResult<bool> {
        let stripe_products: Vec<String> = sub.product_ids().into_iter().map(str::to_owned).collect();
        // A first look, to skip subscriptions of unlinked products without a
        // Stripe call or a lock; the decision itself is made in the lock below.
        if !self.subscription_touches_access(app, &sub.id, &stripe_products).await? {
            tracing::debug!(subscription = %sub.id, "subscription of unlinked products: ignored");
            return Ok(false);
        }
        let customer_id = sub.customer_id().ok_or_else(|| AppError::Internal(format!("subscription {} has no customer", sub.id)))?.to_owned();
        let Some(user) = self.member_for_customer(app, client, &customer_id, settings).await? else { return Ok(false) };
        let (mrr, currency) = subscription_mrr(sub);
        // Contact type "accounts": the customer is a company; its seats share the access.
        let accounts = settings.accounts_enabled();
        let account_name = if accounts { self.account_name_for(app, client, &customer_id, settings).await? } else { String::new() };
        let status = status_of(&sub.status);

        let mut tx = self.db.begin().await?;
        // Two workers applying two events of one subscription take turns.
        tollgate_persistence::lock_for_update(&mut tx.conn(), &format!("{app}/sub/{}", sub.id)).await?;
        // Everything the decision rests on is read now, in the lock: the time
        // too, or a grant the other worker made while this one waited would
        // look as if it started in the future (and be revoked and made again).
        let now = self.now();
        let (linked, stale) = Self::linked_and_stale(&mut tx.conn(), app, &sub.id, &stripe_products).await?;
        if linked.is_empty() && stale.is_empty() {
            return Ok(false);
        }
        let appv = apps::find(&mut tx.conn(), app).await?.ok_or(AppError::NotFound("app"))?;
        let existing = repo::find_subscription(&mut tx.conn(), app, &sub.id).await?;
        if let Some(e) = &existing {
            if e.state_at > state_at {
                tracing::info!(subscription = %sub.id, "older subscription state than the stored one: skipped");
                return Ok(false);
            }
        }
        let past_due_since = match status {
            SubscriptionStatus::PastDue => existing.as_ref().and_then(|e| e.past_due_since).or(Some(now)),
            _ => None,
        };
        let period_end = sub.period_end().map(from_unix);
        let state = SubscriptionState { status, cancel_at_period_end: sub.cancel_at_period_end, current_period_end: period_end, past_due_since };
        let decision = decide(&state, appv.settings.past_due_grace_days, now);

        for product in &stale {
            for g in access::open_by_source(&mut tx.conn(), app, AccessSource::StripeSubscription, &sub.id).await?.into_iter().filter(|g| &g.product_id == product) {
                self.revoke_in(&mut tx.conn(), app, &g.id, Some("no longer in the subscription")).await?;
            }
        }
        let people: Vec<UserId> = if accounts {
            let a = self.ensure_account_in(&mut tx.conn(), app, &customer_id, &user, &account_name, crate::customers::accounts::seats_of(sub)).await?;
            self.account_people_in(&mut tx.conn(), app, &a.id).await?
        } else {
            vec![user.clone()]
        };
        for product in &linked {
            let of = SourceGrants {
                source: AccessSource::StripeSubscription,
                source_ref: &sub.id,
                same_ref_only: true,
                product,
                grant_reason: format!("Stripe subscription {}", status.as_str()),
                revoke_reason: format!("subscription {}", status.as_str()),
            };
            self.reconcile_grants_in(&mut tx.conn(), app, &of, &people, decision).await?;
        }

        let mut started_recorded = existing.as_ref().is_some_and(|e| e.started_recorded);
        let mut cancel_recorded = existing.as_ref().is_some_and(|e| e.cancel_recorded);
        if !started_recorded && matches!(status, SubscriptionStatus::Trialing | SubscriptionStatus::Active | SubscriptionStatus::PastDue) {
            let data = ActivityData::SubscriptionStarted(SubscriptionStartedData { subscription_id: sub.id.clone(), status, mrr, currency: currency.clone() });
            record(&mut tx.conn(), app, NewActivity::of(data, Some(user.clone()), linked.first().cloned(), now)).await?;
            for p in &linked {
                let d = ActivityData::ProductPurchased(ProductPurchasedData::Subscription { subscription_id: sub.id.clone(), amount: mrr, currency: currency.clone() });
                record(&mut tx.conn(), app, NewActivity::of(d, Some(user.clone()), Some(p.clone()), now)).await?;
            }
            started_recorded = true;
        }
        let canceling = sub.cancel_at_period_end || matches!(status, SubscriptionStatus::Canceled);
        if canceling && !cancel_recorded {
            let d = ActivityData::SubscriptionCancelled(SubscriptionCancelledData {
                subscription_id: sub.id.clone(),
                at_period_end: sub.cancel_at_period_end && status != SubscriptionStatus::Canceled,
                access_until: period_end.filter(|_| sub.cancel_at_period_end).map(|t| t.unix_timestamp()),
            });
            record(&mut tx.conn(), app, NewActivity::of(d, Some(user.clone()), linked.first().cloned(), now)).await?;
            cancel_recorded = true;
        } else if !canceling && cancel_recorded {
            // Reactivated before the period ended: a later cancellation records again.
            cancel_recorded = false;
        }
        let rec = SubscriptionRecord {
            subscription_id: sub.id.clone(),
            customer_id,
            user_id: user,
            status,
            cancel_at_period_end: sub.cancel_at_period_end,
            current_period_end: period_end,
            past_due_since,
            stripe_product_ids: stripe_products,
            mrr,
            currency,
            started_recorded,
            cancel_recorded,
            state_at,
        };
        let user = rec.user_id.clone();
        let contributing = |status: SubscriptionStatus, mrr: i64| if matches!(status, SubscriptionStatus::Active | SubscriptionStatus::PastDue) { mrr } else { 0 };
        let before = existing.as_ref().map(|e| contributing(e.status, e.mrr)).unwrap_or(0);
        let after = contributing(status, rec.mrr);
        if before != after {
            let contributed = before > 0 || metrics::subscription_contributed(&mut tx.conn(), app, &sub.id).await?;
            if let Some((kind, amount)) = tollgate_domain::metrics::mrr_movement(before, after, contributed) {
                let m = metrics::NewMovement { subscription_id: &sub.id, user_id: user.as_str(), kind: kind.as_str(), amount, currency: rec.currency.as_deref(), occurred_at: now };
                metrics::insert_movement(&mut tx.conn(), app, &format!("mov_{}", uuid::Uuid::now_v7().simple()), &m).await?;
            }
        }
        repo::upsert_subscription(&mut tx.conn(), app, &rec, now).await?;
        // Stage, MRR and renewal date follow the subscription in the same transaction.
        self.refresh_customer_in(&mut tx.conn(), app, &user).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(true)
    }

    /// Whether a subscription of these Stripe products can change access:
    /// one of them is linked, or the subscription has open grants.
    async fn subscription_touches_access(&self, app: &AppId, sub: &str, stripe_products: &[String]) -> AppResult<bool> {
        let mut c = self.db.acquire().await?;
        let (linked, stale) = Self::linked_and_stale(&mut c.conn(), app, sub, stripe_products).await?;
        Ok(!linked.is_empty() || !stale.is_empty())
    }

    /// The products linked to the subscription's Stripe products, and those
    /// it granted before but no longer includes (a plan switch).
    async fn linked_and_stale(conn: &mut tollgate_persistence::Conn<'_>, app: &AppId, sub: &str, stripe_products: &[String]) -> AppResult<(Vec<ProductId>, Vec<ProductId>)> {
        let linked: Vec<ProductId> =
            repo::links(conn, app).await?.into_iter().filter(|l| stripe_products.contains(&l.stripe_product_id)).map(|l| l.product_id).collect();
        let mut stale: Vec<ProductId> = access::open_by_source(conn, app, AccessSource::StripeSubscription, sub)
            .await?
            .into_iter()
            .map(|g| g.product_id)
            .filter(|p| !linked.contains(p))
            .collect();
        stale.sort_by(|a, b| a.as_str().cmp(b.as_str()));
        stale.dedup();
        Ok((linked, stale))
    }

    /// A paid one-off purchase of linked products: lasting access, Product Purchased once.
    pub(crate) async fn apply_purchase(&self, app: &AppId, user: &UserId, products: &[(ProductId, i64)], source_ref: &str, currency: Option<String>, at: OffsetDateTime) -> AppResult<()> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        for (product, amount) in products {
            let p = Purchase {
                id: format!("pur_{}", uuid::Uuid::now_v7().simple()),
                user_id: user.clone(),
                product_id: product.clone(),
                source_ref: source_ref.to_owned(),
                amount: *amount,
                currency: currency.clone(),
                refunded: false,
                purchased_at: at,
            };
            if !repo::insert_purchase(&mut tx.conn(), app, &p, now).await? {
                continue; // already recorded: the same purchase twice has one effect
            }
            let d = ActivityData::ProductPurchased(ProductPurchasedData::OneTime { source_ref: source_ref.to_owned(), amount: *amount, currency: currency.clone() });
            record(&mut tx.conn(), app, NewActivity::of(d, Some(user.clone()), Some(product.clone()), now)).await?;
            let spec = GrantSpec {
                source: AccessSource::StripePurchase,
                source_ref: Some(source_ref.to_owned()),
                reason: Some("Stripe purchase".into()),
                ends_at: None,
                notify: true,
                depth: 0,
            };
            match self.grant_in(&mut tx.conn(), app, user, product, spec).await {
                Ok(_) | Err(AppError::Conflict { code: "access_already_granted", .. }) => {}
                Err(e) => return Err(e),
            }
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(())
    }

    /// A full refund: the purchase is marked refunded and, when the app says
    /// so, the access it gave is removed.
    pub(crate) async fn apply_refund(&self, app: &AppId, source_refs: &[String]) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        let appv = apps::find(&mut tx.conn(), app).await?.ok_or(AppError::NotFound("app"))?;
        for r in source_refs {
            if repo::mark_refunded(&mut tx.conn(), app, r).await? == 0 {
                continue;
            }
            if appv.settings.refund_revokes_access {
                for g in access::open_by_source(&mut tx.conn(), app, AccessSource::StripePurchase, r).await? {
                    self.revoke_in(&mut tx.conn(), app, &g.id, Some("refunded")).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    /// Revokes grants whose end has passed (a canceled subscription's period
    /// end, a past_due grace), recording Product Access Removed.
    pub async fn sweep_ended_access(&self, app: &AppId) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let ended = access::ended_open(&mut tx.conn(), app, now, 500).await?;
        let n = ended.len();
        for g in ended {
            let at = g.ends_at.unwrap_or(now);
            self.revoke_at(&mut tx.conn(), app, &g.id, Some("access period ended"), at).await?;
        }
        tx.commit().await?;
        Ok(n)
    }

    /// Records User Inactive once for members who have not logged in for the
    /// app's inactivity threshold (never logged in: since they were created).
    pub async fn sweep_inactive_members(&self, app: &AppId) -> AppResult<usize> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let appv = apps::find(&mut tx.conn(), app).await?.ok_or(AppError::NotFound("app"))?;
        let cutoff = now - time::Duration::days(appv.settings.inactivity_threshold_days as i64);
        let ids = users::newly_inactive(&mut tx.conn(), app, cutoff, 500).await?;
        for u in &ids {
            if users::mark_inactive(&mut tx.conn(), app, u, now).await? {
                let d = ActivityData::UserInactive(UserInactiveData { threshold_days: appv.settings.inactivity_threshold_days });
                record(&mut tx.conn(), app, NewActivity::of(d, Some(u.clone()), None, now)).await?;
            }
        }
        tx.commit().await?;
        Ok(ids.len())
    }

    /// A member's Stripe subscriptions, newest first.
    pub async fn member_subscriptions(&self, app: &AppId, user: &UserId) -> AppResult<Vec<SubscriptionView>> {
        let mut c = self.db.acquire().await?;
        users::find(&mut c.conn(), app, user).await?.ok_or(AppError::NotFound("user"))?;
        Ok(repo::subscriptions_of(&mut c.conn(), app, user).await?.into_iter().map(SubscriptionView::from).collect())
    }

    /// A member's one-off purchases, newest first (the Purchases tab).
    pub async fn member_purchases(&self, app: &AppId, user: &UserId) -> AppResult<Vec<PurchaseView>> {
        let mut c = self.db.acquire().await?;
        users::find(&mut c.conn(), app, user).await?.ok_or(AppError::NotFound("user"))?;
        Ok(repo::purchases_of(&mut c.conn(), app, user).await?.into_iter().map(PurchaseView::from).collect())
    }

    /// Total MRR (minor units), the number of paying subscriptions, and their main currency.
    pub async fn mrr_summary(&self, app: &AppId) -> AppResult<(i64, i64, Option<String>)> {
        let mut c = self.db.acquire().await?;
        let (mrr, n) = repo::mrr_summary(&mut c.conn(), app).await?;
        Ok((mrr, n, repo::main_currency(&mut c.conn(), app).await?))
    }

    /// Records today's MRR (UTC day) in the daily history. The access sweep
    /// calls it each minute; an unchanged figure writes nothing.
    pub async fn record_mrr_snapshot(&self, app: &AppId) -> AppResult<()> {
        let now = self.now();
        let (mrr, paying_subscriptions, currency) = self.mrr_summary(app).await?;
        let point = DailyMrr { day: now.to_offset(time::UtcOffset::UTC).date(), mrr, paying_subscriptions };
        let mut c = self.db.acquire().await?;
        metrics::record_day(&mut c.conn(), app, &point, currency.as_deref(), now).await?;
        Ok(())
    }

    /// MRR per day over `from..=to` (`YYYY-MM-DD`, default the last 30
    /// days), and the currency of the latest figure that had one. Today's point is the
    /// live figure, so the chart ends where the dashboard's number is.
    pub async fn mrr_history(&self, app: &AppId, from: Option<&str>, to: Option<&str>) -> AppResult<(DayRange, Vec<DailyMrr>, Option<String>)> {
        let today = self.now().to_offset(time::UtcOffset::UTC).date();
        let range = DayRange::parse(from, to, today)?;
        let (mut snapshots, before, mut currency) = {
            let mut c = self.db.acquire().await?;
            let rows = metrics::days(&mut c.conn(), app, range.from, range.to).await?;
            let before = metrics::last_before(&mut c.conn(), app, range.from).await?;
            // The latest figure that had a currency (a day at zero has none).
            let currency = rows.iter().rev().chain(before.iter()).find_map(|(_, cur)| cur.clone());
            (rows.into_iter().map(|(p, _)| p).collect::<Vec<_>>(), before.map(|(p, _)| p), currency)
        };
        if range.to == today {
            let (mrr, paying_subscriptions, live_currency) = self.mrr_summary(app).await?;
            snapshots.retain(|p| p.day != today);
            snapshots.push(DailyMrr { day: today, mrr, paying_subscriptions });
            currency = live_currency.or(currency);
        }
        Ok((range, daily_series(range, before.as_ref(), &snapshots), currency))
    }
}
