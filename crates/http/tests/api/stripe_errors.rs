//! Failed calls to Stripe are answered for what they are, against the
//! localstripe emulator: Stripe refusing the request (a missing resource) is
//! 422, a Stripe API base that is not Stripe is 502, no answer is 503; each
//! problem carries Stripe's path, status and message.

use serde_json::json;
use tollgate_domain::ids::{AppId, UserId};
use tollgate_domain::subscription::SubscriptionStatus;
use tollgate_persistence::stripe::SubscriptionRecord;

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY};

/// The member's subscription is gone from Stripe (deleted there, never
/// delivered): cancelling it is Stripe refusing the request, not an outage.
async fn missing_resource(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    let app_id = AppId::from_trusted(app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned());
    let ada = app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada"})).await.expect(201).id();
    let now = app.clock_now();
    let rec = SubscriptionRecord {
        subscription_id: "sub_gone_from_stripe".into(),
        customer_id: "cus_gone_from_stripe".into(),
        user_id: UserId::from_trusted(ada.clone()),
        status: SubscriptionStatus::Active,
        cancel_at_period_end: false,
        current_period_end: None,
        past_due_since: None,
        stripe_product_ids: vec![],
        mrr: 2500,
        currency: Some("usd".into()),
        started_recorded: true,
        cancel_recorded: false,
        state_at: now,
    };
    let mut c = app.services.db.acquire().await.unwrap();
    tollgate_persistence::stripe::upsert_subscription(&mut c.conn(), &app_id, &rec, now).await.unwrap();
    drop(c);

    let r = app.post(&format!("/api/v1/users/{ada}/subscriptions/sub_gone_from_stripe/cancel"), &t, json!({"at_period_end": false})).await.expect(422);
    assert_eq!(r.code(), "stripe_rejected");
    let s = &r.body["stripe"];
    assert_eq!((s["path"].as_str(), s["status"].as_u64()), (Some("/v1/subscriptions/sub_gone_from_stripe"), Some(404)), "{}", r.body);
    assert_eq!(s["message"], "Not Found", "Stripe's own message: {}", r.body);
    let detail = r.body["detail"].as_str().unwrap();
    assert!(detail.contains("/v1/subscriptions/sub_gone_from_stripe") && detail.contains("404"), "{detail}");
    assert!(r.headers.get("retry-after").is_none(), "trying again changes nothing");
    // Nothing changed on our side either.
    let subs = app.get(&format!("/api/v1/users/{ada}/subscriptions"), &t).await.expect(200);
    assert_eq!(subs.body["data"][0]["status"], "active");
}

/// A Stripe API base that does not lead to Stripe (a wrong path, here) is
/// Tollgate's configuration: 502, naming the path that answered 404.
async fn api_base_not_stripe(backend: Backend) {
    let stripe = Emulator::start();
    let base = format!("{}/not-stripe", stripe.base);
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    let r = app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(502);
    assert_eq!(r.code(), "stripe_misconfigured");
    assert_eq!((r.body["stripe"]["path"].as_str(), r.body["stripe"]["status"].as_u64()), (Some("/not-stripe/v1/account"), Some(404)), "{}", r.body);
    assert!(r.body["detail"].as_str().unwrap().contains("API base URL"), "{}", r.body);
    assert_eq!(app.get("/api/v1/connectors/stripe", &t).await.expect(200).body["connected"], false);
}

/// Nothing answers at the Stripe API base: 503 with Retry-After, no Stripe status.
async fn stripe_unreachable(backend: Backend) {
    let closed = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", closed.local_addr().unwrap());
    drop(closed);
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    let r = app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(503);
    assert_eq!(r.code(), "stripe_unavailable");
    assert_eq!((r.body["stripe"]["path"].as_str(), r.body["stripe"]["status"].as_u64()), (Some("/v1/account"), None), "{}", r.body);
    assert!(r.headers.get("retry-after").is_some());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_a_missing_stripe_resource_is_422_with_what_stripe_said() {
    missing_resource(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_missing_stripe_resource_is_422_with_what_stripe_said() {
    missing_resource(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_api_base_not_stripe_is_502() {
    api_base_not_stripe(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_api_base_not_stripe_is_502() {
    api_base_not_stripe(Backend::Postgres).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stripe_unreachable_is_503() {
    stripe_unreachable(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stripe_unreachable_is_503() {
    stripe_unreachable(Backend::Postgres).await;
}
