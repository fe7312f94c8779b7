//! Two workers on one database (the README's scaling setup): the jobs of
//! two events of one subscription, or of one new customer, run at the same
//! time. Each test holds the lock the workers meet, waits until both wait
//! for it, and lets them go together, so the race happens every run.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tollgate_app::Services;
use tollgate_domain::ids::AppId;
use tollgate_persistence::testing::lock_waiters;
use tollgate_persistence::{Db, DbOptions};

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY, id};

struct Connected {
    stripe: Emulator,
    app: TestApp,
    t: String,
    app_id: AppId,
}

/// A connected app with two products, each linked to a Stripe product; returns their Stripe prices.
async fn connected(backend: Backend) -> (Connected, [(String, String); 2]) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    let app_id = AppId::from_trusted(app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned());
    let mut linked = vec![];
    for name in ["Mastermind", "Workshop"] {
        let sp = stripe.post("/v1/products", &[("name", name)]).await;
        let price = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "usd"), ("unit_amount", "2500"), ("recurring[interval]", "month")]).await;
        let product = app.post("/api/v1/products", &t, json!({"name": name})).await.expect(201).id();
        app.req(Method::PUT, &format!("/api/v1/products/{product}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
        linked.push((product, id(&price)));
    }
    app.drain_jobs().await;
    let linked: [(String, String); 2] = linked.try_into().unwrap();
    (Connected { stripe, app, t, app_id }, linked)
}

impl Connected {
    /// The ids of the emulator's two events about subscription `sub` (its
    /// creation and its first invoice's payment), once the server has stored them.
    async fn events_of(&self, sub: &str) -> Vec<String> {
        for _ in 0..100 {
            let events = self.stripe.call(Method::GET, "/v1/events", &[("limit", "100")]).await;
            let ids: Vec<String> = events["data"]
                .as_array()
                .unwrap()
                .iter()
                .filter(|e| {
                    let o = &e["data"]["object"];
                    (e["type"] == "customer.subscription.created" && o["id"] == sub) || (e["type"] == "invoice.payment_succeeded" && o["subscription"] == sub)
                })
                .map(|e| id(e))
                .collect();
            let inbox = self.app.get("/api/v1/connectors/stripe/events?limit=100", &self.t).await.expect(200);
            let stored = |i: &String| inbox.body["data"].as_array().unwrap().iter().any(|e| &e["id"] == i && e["status"] == "pending");
            if ids.len() == 2 && ids.iter().all(stored) {
                return ids;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("the events of {sub} were not delivered");
    }

    /// Runs the two events' jobs at once, as two workers with their own
    /// database pool would, while the test holds `lock`; lets them go when
    /// both wait for it, after `meanwhile`.
    async fn race(&self, events: &[String], lock: tollgate_persistence::Tx, meanwhile: impl FnOnce()) {
        let s = &self.app.services;
        let pool = Db::connect(&DbOptions { max_connections: 4, ..DbOptions::new(self.app.db_url()) }).await.unwrap();
        let worker = Services::new(pool, s.clock.clone(), s.keys.clone(), (*s.config).clone());
        let mut tasks = vec![];
        for e in events {
            let (s, app, e) = (worker.clone(), self.app_id.clone(), e.clone());
            tasks.push(tokio::spawn(async move { s.process_stripe_event(&app, &e).await }));
        }
        // Both wait when two stay waiting (on SQLite: hold a connection of
        // the workers' pool) over a few looks; a read passes in a moment.
        let mut steady = 0;
        for _ in 0..400 {
            steady = if lock_waiters(&worker.db, 0).await.unwrap() == 2 { steady + 1 } else { 0 };
            if steady == 5 {
                break;
            }
            tokio::time::sleep(Duration::from_millis(25)).await;
        }
        assert_eq!(steady, 5, "both jobs wait for the lock");
        meanwhile();
        lock.rollback().await.unwrap();
        for t in tasks {
            t.await.unwrap().expect("the event is applied, not failed");
        }
        worker.db.close().await;
    }

    async fn list(&self, path: &str) -> Vec<Value> {
        self.app.get(path, &self.t).await.expect(200).body["data"].as_array().unwrap().clone()
    }

    async fn member(&self, email: &str) -> Vec<Value> {
        self.list(&format!("/api/v1/users?q={email}")).await
    }
}

/// Two events of one subscription applied at once, the second waiting while
/// the first grants: one grant, one Product Access Granted, one email.
async fn two_workers_on_one_subscription_grant_once(backend: Backend) {
    let (c, [(_, first_price), (workshop, price)]) = connected(backend).await;
    let customer = c.stripe.customer("ada@example.com", "Ada").await;
    // Ada is a member already (her first subscription), so both jobs go straight to the subscription.
    let first = id(&c.stripe.subscribe(&customer, &first_price).await);
    c.events_of(&first).await;
    c.app.drain_jobs().await;
    let ada = c.member("ada@example.com").await[0]["id"].as_str().unwrap().to_owned();

    let sub = id(&c.stripe.subscribe(&customer, &price).await);
    let events = c.events_of(&sub).await;
    let mut lock = c.app.services.db.begin().await.unwrap();
    tollgate_persistence::lock_for_update(&mut lock.conn(), &format!("{}/sub/{sub}", c.app_id)).await.unwrap();
    // Time passes while they wait: the first grant starts after the second job began.
    c.race(&events, lock, || c.app.clock.advance(time::Duration::seconds(1))).await;
    c.app.drain_jobs().await;

    let grants: Vec<Value> = c.list(&format!("/api/v1/users/{ada}/access")).await.into_iter().filter(|g| g["product_id"] == workshop.as_str()).collect();
    assert_eq!(grants.len(), 1, "one grant, never revoked and made again: {grants:?}");
    assert_eq!(grants[0]["active"], true);
    let granted = c.list(&format!("/api/v1/activities?user_id={ada}&product_id={workshop}&kind=product.access_granted,product.access_removed")).await;
    assert_eq!(granted.iter().map(|a| a["kind"].as_str().unwrap()).collect::<Vec<_>>(), vec!["product.access_granted"]);
    let emails = c.list("/api/v1/emails?to=ada@example.com&limit=100").await;
    let access_emails = emails.iter().filter(|e| e["template"] == "access_granted").count();
    assert_eq!(access_emails, 2, "one access email per product: {emails:?}");
}

/// A new customer's two events applied at once: both need the customer's
/// member, which neither finds; one creates it, the other uses it.
async fn two_workers_create_one_new_customers_member(backend: Backend) {
    let (c, [(mastermind, price), _]) = connected(backend).await;
    let customer = c.stripe.customer("bob@example.com", "Bob").await;
    let sub = id(&c.stripe.subscribe(&customer, &price).await);
    let events = c.events_of(&sub).await;
    // Hold what member creation meets: on PostgreSQL a not yet committed
    // member with Bob's email (both creations wait for its unique email), on
    // SQLite the write lock.
    let mut lock = c.app.services.db.begin().await.unwrap();
    if c.app.services.db.backend() == Backend::Postgres {
        let now = c.app.clock_now();
        let placeholder = tollgate_domain::user::User {
            id: tollgate_domain::ids::UserId::new(),
            app_id: c.app_id.clone(),
            email: tollgate_domain::email::Email::parse("bob@example.com").unwrap(),
            name: String::new(),
            has_password: false,
            last_login_at: None,
            created_at: now,
            updated_at: now,
            customer: Default::default(),
        };
        tollgate_persistence::users::insert(&mut lock.conn(), &placeholder, None).await.unwrap();
    }
    c.race(&events, lock, || {}).await;
    c.app.drain_jobs().await;

    let members = c.member("bob@example.com").await;
    assert_eq!(members.len(), 1, "{members:?}");
    let bob = members[0]["id"].as_str().unwrap();
    let created = c.list(&format!("/api/v1/activities?user_id={bob}&kind=user.created")).await;
    assert_eq!(created.len(), 1);
    let inbox = c.list("/api/v1/connectors/stripe/events?limit=100").await;
    assert!(inbox.iter().all(|e| e["status"] != "failed"), "no event failed: {inbox:?}");
    let emails = c.list("/api/v1/emails?to=bob@example.com&limit=100").await;
    let mut templates: Vec<&str> = emails.iter().map(|e| e["template"].as_str().unwrap()).collect();
    templates.sort();
    assert_eq!(templates, vec!["access_granted", "member_invite"]);
    let grants = c.list(&format!("/api/v1/users/{bob}/access")).await;
    assert_eq!((grants.len(), grants[0]["product_id"].as_str()), (1, Some(mastermind.as_str())));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_two_workers_on_one_subscription_grant_once() {
    two_workers_on_one_subscription_grant_once(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_workers_on_one_subscription_grant_once() {
    two_workers_on_one_subscription_grant_once(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_two_workers_create_one_new_customers_member() {
    two_workers_create_one_new_customers_member(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_two_workers_create_one_new_customers_member() {
    two_workers_create_one_new_customers_member(Backend::Postgres).await;
}
