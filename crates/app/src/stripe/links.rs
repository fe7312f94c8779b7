//! Product sync: the picker of Stripe products, linking (or creating a
//! Stripe product for) a Tollgate product, the import of existing
//! subscribers and buyers, and the unlink guard.

use std::collections::HashMap;

use serde::Serialize;
use tollgate_domain::ids::{AppId, JobId, ProductId};
use tollgate_domain::jobs::JobStatus;
use tollgate_domain::subscription::SubscriptionStatus;
use tollgate_persistence::jobs;
use tollgate_persistence::stripe::{self as repo, ProductLink};
use tollgate_persistence::{DbError, Unique, products};
use tollgate_stripe::StripeClient;
use tollgate_stripe::client::{CreatePrice, CreateProduct, CreatedFilter, ListCharges, ListCheckoutSessions, ListPrices, ListProducts, ListSubscriptions, RecurringParams};
use tollgate_stripe::types::{RecurringInterval, Subscription};

use super::stripe_error;
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// A Stripe product in the picker, with its prices and how many live
/// subscriptions an import would bring in.
#[derive(Debug, Clone, Serialize)]
pub struct StripeProductChoice {
    pub id: String,
    pub name: String,
    pub description: Option<String>,
    pub active: bool,
    pub prices: Vec<StripePriceChoice>,
    pub active_subscriptions: u64,
    /// The Tollgate product it is linked to, if any.
    pub linked_product_id: Option<String>,
}

#[derive(Debug, Clone, Serialize)]
pub struct StripePriceChoice {
    pub id: String,
    pub unit_amount: Option<i64>,
    pub currency: Option<String>,
    /// `None` for one-off prices.
    pub interval: Option<String>,
    pub interval_count: Option<u64>,
    pub nickname: Option<String>,
}

/// A new price for "Create a new Stripe product".
#[derive(Debug, Clone)]
pub struct NewStripePrice {
    pub unit_amount: i64,
    pub currency: String,
    /// `day`, `week`, `month` or `year`; `None` for a one-off price.
    pub interval: Option<String>,
    pub interval_count: Option<u32>,
}

#[derive(Debug, Clone)]
pub enum LinkInput {
    Existing { stripe_product_id: String },
    Create { price: NewStripePrice },
}

/// A product's link to a Stripe product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LinkView {
    pub product_id: ProductId,
    pub stripe_product_id: String,
    pub stripe_product_name: String,
    /// The job importing the Stripe product's customers.
    pub import_job_id: Option<String>,
    pub linked_at: time::OffsetDateTime,
}

impl From<ProductLink> for LinkView {
    fn from(l: ProductLink) -> Self {
        LinkView { product_id: l.product_id, stripe_product_id: l.stripe_product_id, stripe_product_name: l.stripe_product_name, import_job_id: l.import_job_id, linked_at: l.created_at }
    }
}

/// A product's link and its import's progress.
#[derive(Debug, Clone)]
pub struct LinkStatus {
    pub link: LinkView,
    pub import_status: Option<JobStatus>,
    pub import_done: Option<i64>,
    pub import_total: Option<i64>,
    pub import_error: Option<String>,
    pub created_price_id: Option<String>,
}

fn live(sub: &Subscription) -> bool {
    sub.status.as_str().parse::<SubscriptionStatus>().map(|s| s.is_live()).unwrap_or(false)
}

/// Every non-ended subscription of the account (Stripe's default list omits canceled ones).
async fn all_subscriptions(client: &StripeClient) -> AppResult<Vec<Subscription>> {
    client.list_all(&ListSubscriptions::default()).await.map_err(stripe_error)
}

impl Services {
    pub async fn stripe_products(&self, app: &AppId) -> AppResult<Vec<StripeProductChoice>> {
        let (client, _) = self.stripe_client(app).await?;
        let products = client.list_all(&ListProducts { active: Some(true), ..Default::default() }).await.map_err(stripe_error)?;
        let subs = all_subscriptions(&client).await?;
        let mut counts: HashMap<String, u64> = HashMap::new();
        for s in subs.iter().filter(|s| live(s)) {
            for p in s.product_ids() {
                *counts.entry(p.to_owned()).or_default() += 1;
            }
        }
        let links = {
            let mut c = self.db.acquire().await?;
            repo::links(&mut c.conn(), app).await?
        };
        let mut out = Vec::with_capacity(products.len());
        for p in products {
            let prices = client.list_all(&ListPrices { product: Some(p.id.clone()), active: Some(true), ..Default::default() }).await.map_err(stripe_error)?;
            out.push(StripeProductChoice {
                active_subscriptions: counts.get(&p.id).copied().unwrap_or(0),
                linked_product_id: links.iter().find(|l| l.stripe_product_id == p.id).map(|l| l.product_id.to_string()),
                prices: prices
                    .into_iter()
                    .map(|pr| StripePriceChoice {
                        interval: pr.recurring.as_ref().map(|r| r.interval.as_str().to_owned()),
                        interval_count: pr.recurring.as_ref().map(|r| r.interval_count),
                        unit_amount: pr.unit_amount,
                        currency: pr.currency.clone(),
                        nickname: pr.nickname.clone(),
                        id: pr.id,
                    })
                    .collect(),
                id: p.id,
                name: p.name.unwrap_or_default(),
                description: p.description,
                active: p.active.unwrap_or(true),
            });
        }
        Ok(out)
    }

    /// Live subscriptions of one Stripe product.
    async fn live_subscription_count(&self, client: &StripeClient, stripe_product: &str) -> AppResult<usize> {
        Ok(all_subscriptions(client).await?.iter().filter(|s| live(s) && s.product_ids().contains(&stripe_product)).count())
    }

    /// Links a Tollgate product to a Stripe product (existing or created
    /// now), then imports its subscribers and past buyers in a job.
    pub async fn stripe_link_product(&self, app: &AppId, product: &ProductId, input: LinkInput) -> AppResult<LinkStatus> {
        let p = {
            let mut c = self.db.acquire().await?;
            products::find(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?
        };
        let (client, _) = self.stripe_client(app).await?;
        let current = {
            let mut c = self.db.acquire().await?;
            repo::link_for_product(&mut c.conn(), app, product).await?
        };
        if let (Some(cur), LinkInput::Existing { stripe_product_id }) = (&current, &input) {
            if &cur.stripe_product_id == stripe_product_id {
                return self.stripe_link_status(app, product).await;
            }
        }
        if let Some(cur) = &current {
            self.guard_unlink(&client, cur).await?;
        }
        let (stripe_product_id, name, created_price_id) = match input {
            LinkInput::Existing { stripe_product_id } => {
                let sp = match client.retrieve_product(&stripe_product_id).await {
                    Ok(sp) => sp,
                    Err(e) if e.is_not_found() => {
                        return Err(AppError::field("stripe_product_id", "not_found", "no such product in the connected Stripe account"));
                    }
                    Err(e) => return Err(stripe_error(e)),
                };
                if sp.deleted {
                    return Err(AppError::field("stripe_product_id", "not_found", "this Stripe product was deleted"));
                }
                (sp.id, sp.name.unwrap_or_default(), None)
            }
            LinkInput::Create { price } => {
                let key = format!("tollgate-create-{app}-{product}");
                let created = client
                    .create_product(
                        &CreateProduct {
                            name: p.fields.name.clone(),
                            description: Some(p.fields.description.clone()).filter(|d| !d.is_empty()),
                            images: p.fields.image_url.iter().cloned().collect(),
                            metadata: [("tollgate_product_id".to_owned(), product.to_string())].into_iter().collect(),
                        },
                        Some(&key),
                    )
                    .await
                    .map_err(stripe_error)?;
                let recurring = price.interval.as_deref().map(|i| RecurringParams {
                    interval: match i {
                        "day" => RecurringInterval::Day,
                        "week" => RecurringInterval::Week,
                        "year" => RecurringInterval::Year,
                        _ => RecurringInterval::Month,
                    },
                    interval_count: price.interval_count,
                });
                let pr = client
                    .create_price(
                        &CreatePrice {
                            product: created.id.clone(),
                            currency: price.currency.clone(),
                            unit_amount: price.unit_amount,
                            recurring,
                            nickname: None,
                            metadata: Default::default(),
                        },
                        Some(&format!("{key}-price")),
                    )
                    .await
                    .map_err(stripe_error)?;
                (created.id, created.name.unwrap_or_default(), Some(pr.id))
            }
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        if current.is_some() {
            repo::delete_link(&mut tx.conn(), app, product).await?;
        }
        let link = ProductLink { product_id: product.clone(), stripe_product_id: stripe_product_id.clone(), stripe_product_name: name, import_job_id: None, created_at: now };
        match repo::insert_link(&mut tx.conn(), app, &link).await {
            Err(DbError::Taken(Unique::StripeProductLink)) => {
                return Err(AppError::conflict("stripe_product_already_linked", "this Stripe product is linked to another product; unlink it there first"));
            }
            r => r?,
        }
        let key = format!("import:{product}:{stripe_product_id}:{}", now.unix_timestamp());
        let job = super::jobs::StripeImport { product_id: product.clone(), stripe_product_id: stripe_product_id.clone() };
        if let Some(id) = crate::jobs::enqueue(&mut tx.conn(), app, &job, now, Some(key), now).await? {
            repo::set_link_import_job(&mut tx.conn(), app, product, id.as_str()).await?;
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        let mut st = self.stripe_link_status(app, product).await?;
        st.created_price_id = created_price_id;
        Ok(st)
    }

    async fn guard_unlink(&self, client: &StripeClient, link: &ProductLink) -> AppResult<()> {
        let n = self.live_subscription_count(client, &link.stripe_product_id).await?;
        if n > 0 {
            return Err(AppError::conflict(
                "active_subscriptions",
                format!(
                    "the linked Stripe product {} has {n} active subscription(s); cancel them in Stripe before changing or removing this link",
                    link.stripe_product_name
                ),
            ));
        }
        Ok(())
    }

    pub async fn stripe_unlink_product(&self, app: &AppId, product: &ProductId) -> AppResult<()> {
        let link = {
            let mut c = self.db.acquire().await?;
            repo::link_for_product(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("Stripe link"))?
        };
        let (client, _) = self.stripe_client(app).await?;
        self.guard_unlink(&client, &link).await?;
        let mut c = self.db.acquire().await?;
        repo::delete_link(&mut c.conn(), app, product).await?;
        Ok(())
    }

    pub async fn stripe_link_status(&self, app: &AppId, product: &ProductId) -> AppResult<LinkStatus> {
        let mut c = self.db.acquire().await?;
        products::find(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        let link = repo::link_for_product(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("Stripe link"))?;
        let job = match link.import_job_id.as_deref().map(JobId::parse) {
            Some(Ok(id)) => jobs::find(&mut c.conn(), app, &id).await?,
            _ => None,
        };
        Ok(LinkStatus {
            import_status: job.as_ref().map(|j| j.status),
            import_done: job.as_ref().and_then(|j| j.progress_done),
            import_total: job.as_ref().and_then(|j| j.progress_total),
            import_error: job.as_ref().and_then(|j| j.last_error.clone()),
            link: link.into(),
            created_price_id: None,
        })
    }

    /// The import job: every live subscription of the Stripe product and
    /// every paid one-off Checkout purchase of it become members with
    /// access (a purchase refunded in full does not, while refunds remove
    /// access). Idempotent: a second run changes nothing.
    pub async fn run_stripe_import(&self, app: &AppId, job: &JobId, product: &ProductId, stripe_product: &str) -> AppResult<()> {
        let (client, settings) = self.stripe_client(app).await?;
        // The listed state is as of now: a webhook stored while the import runs is newer and wins.
        let observed = self.now();
        let subs: Vec<Subscription> = all_subscriptions(&client).await?.into_iter().filter(|s| live(s) && s.product_ids().contains(&stripe_product)).collect();
        // One-off buyers: completed Checkout sessions in payment mode that bought the product.
        let sessions = client
            .list_all(&ListCheckoutSessions { status: Some("complete".into()), ..Default::default() })
            .await
            .map_err(stripe_error)?
            .into_iter()
            .filter(|s| s.mode.as_deref() == Some("payment") && s.is_paid())
            .collect::<Vec<_>>();
        // Payments refunded in full since the oldest of those sessions
        // (`created[gt]`, which Stripe and the emulator both take): a
        // refunded buyer is not imported while refunds remove access (the
        // app's setting); otherwise the purchase is kept and marked refunded.
        let refunded: std::collections::HashSet<String> = match sessions.iter().filter_map(|s| s.created).min() {
            None => Default::default(),
            Some(oldest) => client
                .list_all(&ListCharges { created: Some(CreatedFilter { gt: Some(oldest - 1), ..Default::default() }), ..Default::default() })
                .await
                .map_err(stripe_error)?
                .into_iter()
                .filter(|c| c.is_fully_refunded())
                .flat_map(|c| [Some(c.id.clone()), c.payment_intent_id().map(str::to_owned)])
                .flatten()
                .collect(),
        };
        let refund_revokes = self.get_app(app).await?.settings.refund_revokes_access;
        let total = (subs.len() + sessions.len()) as i64;
        let mut done = 0i64;
        let progress = |done: i64| async move {
            let mut c = self.db.acquire().await?;
            jobs::set_progress(&mut c.conn(), app, job, done, total, self.now()).await?;
            Ok::<_, AppError>(())
        };
        progress(0).await?;
        let now = self.now();
        for sub in &subs {
            self.apply_subscription(app, &client, &settings, sub, observed).await?;
            done += 1;
            if done % 10 == 0 {
                progress(done).await?;
            }
        }
        for s in &sessions {
            let full = client.retrieve_checkout_session(&s.id).await.map_err(stripe_error)?;
            let amount: Option<i64> = full
                .line_items
                .as_ref()
                .map(|l| l.data.iter().filter(|li| li.product_id() == Some(stripe_product)).map(|li| li.amount_total.unwrap_or(0)).sum())
                .filter(|_| full.line_items.as_ref().is_some_and(|l| l.data.iter().any(|li| li.product_id() == Some(stripe_product))));
            let was_refunded = full.payment_intent_id().is_some_and(|pi| refunded.contains(pi));
            if let (Some(amount), false) = (amount, was_refunded && refund_revokes) {
                let user = self.member_for_details(app, full.customer_id(), full.buyer_email(), None, full.client_reference_id.as_deref().filter(|v| v.starts_with("usr_"))).await?;
                if let Some(user) = user {
                    let at = full.created.and_then(|c| time::OffsetDateTime::from_unix_timestamp(c).ok()).unwrap_or(now);
                    let source = full.payment_intent_id().map(str::to_owned).unwrap_or_else(|| full.id.clone());
                    self.apply_purchase(app, &user, &[(product.clone(), amount)], &source, full.currency.clone(), at).await?;
                    if was_refunded {
                        self.apply_refund(app, std::slice::from_ref(&source)).await?;
                    }
                }
            }
            done += 1;
            if done % 10 == 0 {
                progress(done).await?;
            }
        }
        progress(done).await?;
        tracing::info!(app_id = %app, product = %product, subscriptions = subs.len(), purchases = sessions.len(), "Stripe import finished");
        Ok(())
    }
}
