//! The Stripe connector's tables: product links, the subscription mirror
//! and one-off purchases (the webhook inbox is `inbox`, the customers are
//! `contacts`).

use time::OffsetDateTime;
use tollgate_domain::connector::ConnectorKind;
use tollgate_domain::ids::{AppId, ProductId, UserId};
use tollgate_domain::subscription::SubscriptionStatus;

use crate::{Conn, DbResult, at, contacts, ms, on, opt_at};

// ---------- product links ----------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductLink {
    pub product_id: ProductId,
    pub stripe_product_id: String,
    pub stripe_product_name: String,
    pub import_job_id: Option<String>,
    pub created_at: OffsetDateTime,
}

type LinkRow = (String, String, String, Option<String>, i64);

/// The start of every query that reads [`LinkRow`]s of one app.
macro_rules! link_select {
    () => {
        "SELECT product_id, stripe_product_id, stripe_product_name, import_job_id, created_at FROM stripe_product_links WHERE app_id = $1"
    };
}

fn link(r: LinkRow) -> ProductLink {
    ProductLink { product_id: ProductId::from_trusted(r.0), stripe_product_id: r.1, stripe_product_name: r.2, import_job_id: r.3, created_at: at(r.4) }
}

/// Links a product; `DbError::Taken(Unique::StripeProductLink)` when the Stripe product is linked to another product.
pub async fn insert_link(conn: &mut Conn<'_>, app: &AppId, l: &ProductLink) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO stripe_product_links (app_id, product_id, stripe_product_id, stripe_product_name, import_job_id, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $6)",
        )
        .bind(app.as_str())
        .bind(l.product_id.as_str())
        .bind(&l.stripe_product_id)
        .bind(&l.stripe_product_name)
        .bind(&l.import_job_id)
        .bind(ms(l.created_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

pub async fn set_link_import_job(conn: &mut Conn<'_>, app: &AppId, product: &ProductId, job: &str) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("UPDATE stripe_product_links SET import_job_id = $3 WHERE app_id = $1 AND product_id = $2")
            .bind(app.as_str())
            .bind(product.as_str())
            .bind(job)
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

pub async fn delete_link(conn: &mut Conn<'_>, app: &AppId, product: &ProductId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM stripe_product_links WHERE app_id = $1 AND product_id = $2")
        .bind(app.as_str())
        .bind(product.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

pub async fn link_for_product(conn: &mut Conn<'_>, app: &AppId, product: &ProductId) -> DbResult<Option<ProductLink>> {
    let r: Option<LinkRow> = on!(conn, c => sqlx::query_as(
        concat!(link_select!(), " AND product_id = $2"),
    )
    .bind(app.as_str())
    .bind(product.as_str())
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(link))
}

/// Every link of the app (small: one per product).
pub async fn links(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Vec<ProductLink>> {
    let rows: Vec<LinkRow> = on!(conn, c => sqlx::query_as(
        concat!(link_select!(), " ORDER BY product_id LIMIT 10000"),
    )
    .bind(app.as_str())
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(link).collect())
}

/// The link of a Stripe product, if it is linked to a Tollgate product.
pub async fn link_for_stripe_product(conn: &mut Conn<'_>, app: &AppId, stripe_product: &str) -> DbResult<Option<ProductLink>> {
    let r: Option<LinkRow> = on!(conn, c => sqlx::query_as(
        concat!(link_select!(), " AND stripe_product_id = $2"),
    )
    .bind(app.as_str())
    .bind(stripe_product)
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(link))
}

/// Keeps the Stripe product's name shown beside a link current.
pub async fn rename_link(conn: &mut Conn<'_>, app: &AppId, product: &ProductId, name: &str, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => sqlx::query("UPDATE stripe_product_links SET stripe_product_name = $3, updated_at = $4 WHERE app_id = $1 AND product_id = $2")
        .bind(app.as_str())
        .bind(product.as_str())
        .bind(name)
        .bind(ms(now))
        .execute(&mut **c)
        .await
        .map(|_| ()))?;
    Ok(())
}

/// Products whose Checkout is on and sells this price.
pub async fn products_selling_price(conn: &mut Conn<'_>, app: &AppId, price: &str) -> DbResult<Vec<ProductId>> {
    let rows: Vec<(String,)> = on!(conn, c => sqlx::query_as(
        "SELECT product_id FROM stripe_product_links WHERE app_id = $1 AND checkout_price_id = $2 AND checkout_enabled ORDER BY product_id",
    )
    .bind(app.as_str())
    .bind(price)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(|(p,)| ProductId::from_trusted(p)).collect())
}

// ---------- customers ----------
// A Stripe customer is the connector's contact: the mapping is
// `contacts` (connector `stripe`); these are its Stripe names.

pub async fn user_for_customer(conn: &mut Conn<'_>, app: &AppId, customer: &str) -> DbResult<Option<UserId>> {
    contacts::member_of(conn, app, ConnectorKind::Stripe, customer).await
}

/// Records that a Stripe customer is this member (a member may have several;
/// a customer linked already stays with its member).
pub async fn link_customer(conn: &mut Conn<'_>, app: &AppId, customer: &str, user: &UserId, now: OffsetDateTime) -> DbResult<()> {
    contacts::link(conn, app, ConnectorKind::Stripe, user, customer, now).await
}

/// Forgets a Stripe customer (deleted in Stripe); returns how many mappings went.
pub async fn unlink_customer(conn: &mut Conn<'_>, app: &AppId, customer: &str) -> DbResult<u64> {
    contacts::unlink(conn, app, ConnectorKind::Stripe, customer).await
}

/// A member's Stripe customers, oldest first.
pub async fn customers_of(conn: &mut Conn<'_>, app: &AppId, user: &UserId) -> DbResult<Vec<String>> {
    contacts::contacts_of(conn, app, ConnectorKind::Stripe, user).await
}

// ---------- subscriptions ----------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionRecord {
    pub subscription_id: String,
    pub customer_id: String,
    pub user_id: UserId,
    pub status: SubscriptionStatus,
    pub cancel_at_period_end: bool,
    pub current_period_end: Option<OffsetDateTime>,
    pub past_due_since: Option<OffsetDateTime>,
    pub stripe_product_ids: Vec<String>,
    /// Monthly recurring revenue in minor units.
    pub mrr: i64,
    pub currency: Option<String>,
    pub started_recorded: bool,
    pub cancel_recorded: bool,
    /// The time of the Stripe state this record reflects (event `created` or retrieval time).
    pub state_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct SubRow {
    subscription_id: String,
    customer_id: String,
    user_id: String,
    status: String,
    cancel_at_period_end: bool,
    current_period_end: Option<i64>,
    past_due_since: Option<i64>,
    stripe_product_ids: String,
    mrr: i64,
    currency: Option<String>,
    started_recorded: bool,
    cancel_recorded: bool,
    state_at: i64,
}

impl From<SubRow> for SubscriptionRecord {
    fn from(r: SubRow) -> Self {
        SubscriptionRecord {
            subscription_id: r.subscription_id,
            customer_id: r.customer_id,
            user_id: UserId::from_trusted(r.user_id),
            status: r.status.parse().unwrap_or(SubscriptionStatus::Unknown),
            cancel_at_period_end: r.cancel_at_period_end,
            current_period_end: opt_at(r.current_period_end),
            past_due_since: opt_at(r.past_due_since),
            stripe_product_ids: r.stripe_product_ids.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect(),
            mrr: r.mrr,
            currency: r.currency,
            started_recorded: r.started_recorded,
            cancel_recorded: r.cancel_recorded,
            state_at: at(r.state_at),
        }
    }
}

macro_rules! sub_cols {
    () => {
        "subscription_id, customer_id, user_id, status, cancel_at_period_end, current_period_end, past_due_since, stripe_product_ids, mrr, currency, started_recorded, cancel_recorded, state_at"
    };
}

pub async fn find_subscription(conn: &mut Conn<'_>, app: &AppId, id: &str) -> DbResult<Option<SubscriptionRecord>> {
    let r: Option<SubRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", sub_cols!(), " FROM stripe_subscriptions WHERE app_id = $1 AND subscription_id = $2"))
        .bind(app.as_str())
        .bind(id)
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(Into::into))
}

pub async fn upsert_subscription(conn: &mut Conn<'_>, app: &AppId, s: &SubscriptionRecord, now: OffsetDateTime) -> DbResult<()> {
    let products = s.stripe_product_ids.join(" ");
    on!(conn, c => {
        sqlx::query(concat!(
            "INSERT INTO stripe_subscriptions (app_id, ", sub_cols!(), ", created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $15) \
             ON CONFLICT (app_id, subscription_id) DO UPDATE SET customer_id = excluded.customer_id, user_id = excluded.user_id, \
             status = excluded.status, cancel_at_period_end = excluded.cancel_at_period_end, current_period_end = excluded.current_period_end, \
             past_due_since = excluded.past_due_since, stripe_product_ids = excluded.stripe_product_ids, mrr = excluded.mrr, \
             currency = excluded.currency, started_recorded = excluded.started_recorded, cancel_recorded = excluded.cancel_recorded, \
             state_at = excluded.state_at, updated_at = excluded.updated_at"
        ))
        .bind(app.as_str())
        .bind(&s.subscription_id)
        .bind(&s.customer_id)
        .bind(s.user_id.as_str())
        .bind(s.status.as_str())
        .bind(s.cancel_at_period_end)
        .bind(s.current_period_end.map(ms))
        .bind(s.past_due_since.map(ms))
        .bind(&products)
        .bind(s.mrr)
        .bind(&s.currency)
        .bind(s.started_recorded)
        .bind(s.cancel_recorded)
        .bind(ms(s.state_at))
        .bind(ms(now))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// A member's subscriptions, newest first.
pub async fn subscriptions_of(conn: &mut Conn<'_>, app: &AppId, user: &UserId) -> DbResult<Vec<SubscriptionRecord>> {
    let rows: Vec<SubRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", sub_cols!(), " FROM stripe_subscriptions WHERE app_id = $1 AND user_id = $2 ORDER BY created_at DESC LIMIT 100"
    ))
    .bind(app.as_str())
    .bind(user.as_str())
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(Into::into).collect())
}

/// The currency most paying subscriptions use (for showing MRR).
pub async fn main_currency(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Option<String>> {
    let r: Option<(Option<String>, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT currency, COUNT(*) AS n FROM stripe_subscriptions WHERE app_id = $1 AND status IN ('active', 'past_due') \
         GROUP BY currency ORDER BY n DESC, currency LIMIT 1",
    )
    .bind(app.as_str())
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.and_then(|(c, _)| c))
}

/// Total MRR and count of live subscriptions (trialing, active, past_due).
pub async fn mrr_summary(conn: &mut Conn<'_>, app: &AppId) -> DbResult<(i64, i64)> {
    // SUM(bigint) is numeric on PostgreSQL: cast back so both backends decode an i64.
    let (n, total): (i64, i64) = on!(conn, c => sqlx::query_as(
        "SELECT COUNT(*), CAST(COALESCE(SUM(mrr), 0) AS BIGINT) FROM stripe_subscriptions WHERE app_id = $1 AND status IN ('active', 'past_due')",
    )
    .bind(app.as_str())
    .fetch_one(&mut **c)
    .await?);
    Ok((total, n))
}

// ---------- purchases ----------

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Purchase {
    pub id: String,
    pub user_id: UserId,
    pub product_id: ProductId,
    /// The Stripe object that paid: a payment intent, charge, invoice or checkout session id.
    pub source_ref: String,
    pub amount: i64,
    pub currency: Option<String>,
    pub refunded: bool,
    pub purchased_at: OffsetDateTime,
}

/// Records a purchase once; returns false when it was already recorded.
pub async fn insert_purchase(conn: &mut Conn<'_>, app: &AppId, p: &Purchase, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "INSERT INTO stripe_purchases (app_id, id, user_id, product_id, source_ref, amount, currency, refunded, purchased_at, created_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10) ON CONFLICT DO NOTHING",
    )
    .bind(app.as_str())
    .bind(&p.id)
    .bind(p.user_id.as_str())
    .bind(p.product_id.as_str())
    .bind(&p.source_ref)
    .bind(p.amount)
    .bind(&p.currency)
    .bind(p.refunded)
    .bind(ms(p.purchased_at))
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

type PurchaseRow = (String, String, String, String, i64, Option<String>, bool, i64);

fn purchase(r: PurchaseRow) -> Purchase {
    Purchase {
        id: r.0,
        user_id: UserId::from_trusted(r.1),
        product_id: ProductId::from_trusted(r.2),
        source_ref: r.3,
        amount: r.4,
        currency: r.5,
        refunded: r.6,
        purchased_at: at(r.7),
    }
}

/// Purchases paid by one Stripe object (several products may share it).
pub async fn purchases_by_source(conn: &mut Conn<'_>, app: &AppId, source_ref: &str) -> DbResult<Vec<Purchase>> {
    let rows: Vec<PurchaseRow> = on!(conn, c => sqlx::query_as(
        "SELECT id, user_id, product_id, source_ref, amount, currency, refunded, purchased_at FROM stripe_purchases WHERE app_id = $1 AND source_ref = $2",
    )
    .bind(app.as_str())
    .bind(source_ref)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(purchase).collect())
}

pub async fn purchases_of(conn: &mut Conn<'_>, app: &AppId, user: &UserId) -> DbResult<Vec<Purchase>> {
    let rows: Vec<PurchaseRow> = on!(conn, c => sqlx::query_as(
        "SELECT id, user_id, product_id, source_ref, amount, currency, refunded, purchased_at FROM stripe_purchases WHERE app_id = $1 AND user_id = $2 ORDER BY purchased_at DESC LIMIT 500",
    )
    .bind(app.as_str())
    .bind(user.as_str())
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(purchase).collect())
}

pub async fn mark_refunded(conn: &mut Conn<'_>, app: &AppId, source_ref: &str) -> DbResult<u64> {
    let n = on!(conn, c => sqlx::query("UPDATE stripe_purchases SET refunded = TRUE WHERE app_id = $1 AND source_ref = $2 AND refunded = FALSE")
        .bind(app.as_str())
        .bind(source_ref)
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n)
}
