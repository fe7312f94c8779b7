//! The connectors' one webhook receiver, `POST /webhooks/{kind}/{app_id}`
//! and `…/{token}`: Stripe's URL as registered before, its answers, and what
//! is not a connector's webhook. (Each connector's own behaviour is tested
//! with it: stripe*.rs, crm.rs.)

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY};

const SECRET: &str = "whsec_one_receiver_test";

fn event(app: &TestApp, id: &str, event_type: &str) -> (Vec<u8>, String) {
    let body = serde_json::to_vec(&json!({"id": id, "object": "event", "type": event_type, "created": app.clock_now().unix_timestamp(), "api_version": "2024-06-20", "data": {"object": {"id": "cus_1", "object": "customer"}}})).unwrap();
    let sig = tollgate_stripe::webhook::sign(&body, SECRET, app.clock_now().unix_timestamp());
    (body, sig)
}

async fn post(app: &TestApp, path: &str, body: &[u8], sig: &str) -> (u16, Value) {
    let r = reqwest::Client::new().post(format!("{}{path}", app.url)).header("stripe-signature", sig).body(body.to_vec()).send().await.unwrap();
    let status = r.status().as_u16();
    (status, r.json().await.unwrap_or(Value::Null))
}

async fn one_receiver(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY, "webhook_secret": SECRET})).await.expect(200);
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    let stripe_url = format!("/webhooks/stripe/{app_id}");

    // The URL Stripe endpoints were registered with keeps working, and says what happened.
    let (body, sig) = event(&app, "evt_one", "customer.updated");
    assert_eq!(post(&app, &stripe_url, &body, &sig).await, (200, json!({"received": true, "outcome": "stored"})));
    assert_eq!(post(&app, &stripe_url, &body, &sig).await, (200, json!({"received": true, "outcome": "duplicate"})));
    let (body, sig) = event(&app, "evt_balance", "balance.available");
    assert_eq!(post(&app, &stripe_url, &body, &sig).await, (200, json!({"received": true, "outcome": "ignored"})));
    let (status, problem) = post(&app, &stripe_url, &body, "t=1,v1=00").await;
    assert_eq!((status, problem["code"].as_str()), (400, Some("invalid_signature")));

    // Not a connector's webhook: 404, and nothing is stored.
    let (body, sig) = event(&app, "evt_elsewhere", "customer.updated");
    for path in [format!("/webhooks/paypal/{app_id}"), format!("/webhooks/stripe/{app_id}/a-token"), format!("/webhooks/keap/{app_id}"), format!("/webhooks/activecampaign/{app_id}")] {
        let (status, _) = post(&app, &path, &body, &sig).await;
        assert_eq!(status, 404, "{path}");
    }
    app.get("/api/v1/connectors/stripe/events/evt_elsewhere", &t).await.expect(404);
    let mut stored: Vec<String> = app.get("/api/v1/connectors/stripe/events", &t).await.expect(200).body["data"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
    stored.sort();
    assert_eq!(stored, ["evt_balance", "evt_one"]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_one_receiver_for_every_connector() {
    one_receiver(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_one_receiver_for_every_connector() {
    one_receiver(Backend::Postgres).await;
}
