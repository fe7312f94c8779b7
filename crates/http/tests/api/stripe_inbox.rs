//! The Stripe inbox inspector: filtered, cursor-paginated list; an event's
//! payload and processing tries; processing a failed or ignored event again.
//! Events are delivered signed with a pasted signing secret (no endpoint is
//! registered, so the emulator sends nothing of its own).

use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY};

const SECRET: &str = "whsec_inbox_inspector_test";

async fn deliver(app: &TestApp, app_id: &str, id: &str, event_type: &str, object: Value) {
    let body = serde_json::to_vec(&json!({"id": id, "object": "event", "type": event_type, "created": app.clock_now().unix_timestamp(), "api_version": "2024-06-20", "data": {"object": object}})).unwrap();
    let sig = tollgate_stripe::webhook::sign(&body, SECRET, app.clock_now().unix_timestamp());
    let r = reqwest::Client::new().post(format!("{}/webhooks/stripe/{app_id}", app.url)).header("stripe-signature", sig).body(body).send().await.unwrap();
    assert_eq!(r.status(), 200, "{id}: {}", r.text().await.unwrap());
    app.clock.advance(time::Duration::minutes(1));
}

fn ids(r: &Value) -> Vec<&str> {
    r["data"].as_array().unwrap().iter().map(|e| e["id"].as_str().unwrap()).collect()
}

async fn inspector(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY, "webhook_secret": SECRET})).await.expect(200);
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();

    let start = app.clock_now();
    // A checkout session Stripe does not have: fails. A customer update: ignored by the
    // worker. A type Tollgate does not handle: ignored on arrival. An invoice of an
    // unknown subscription: processed (nothing to do).
    deliver(&app, &app_id, "evt_fails", "checkout.session.completed", json!({"id": "cs_missing", "object": "checkout.session"})).await;
    deliver(&app, &app_id, "evt_customer", "customer.updated", json!({"id": "cus_1", "object": "customer"})).await;
    let third = app.clock_now();
    deliver(&app, &app_id, "evt_balance", "balance.available", json!({"object": "balance"})).await;
    deliver(&app, &app_id, "evt_invoice", "invoice.paid", json!({"id": "in_1", "object": "invoice", "subscription": "sub_unknown"})).await;
    app.drain_jobs().await;

    // Newest first, two at a time, to the end.
    let p1 = app.get("/api/v1/connectors/stripe/events?limit=2", &t).await.expect(200);
    assert_eq!(ids(&p1.body), vec!["evt_invoice", "evt_balance"]);
    let cursor = p1.body["next_cursor"].as_str().unwrap().to_owned();
    let p2 = app.get(&format!("/api/v1/connectors/stripe/events?limit=2&cursor={cursor}"), &t).await.expect(200);
    assert_eq!(ids(&p2.body), vec!["evt_customer", "evt_fails"]);
    assert!(p2.body["next_cursor"].is_null() && p2.body["has_more"] == false);
    let statuses: Vec<&str> = p1.body["data"].as_array().unwrap().iter().chain(p2.body["data"].as_array().unwrap()).map(|e| e["status"].as_str().unwrap()).collect();
    assert_eq!(statuses, vec!["processed", "ignored", "ignored", "failed"]);

    // Filters.
    let q = |query: &str| format!("/api/v1/connectors/stripe/events?{query}");
    assert_eq!(ids(&app.get(&q("type=checkout.session.completed"), &t).await.expect(200).body), vec!["evt_fails"]);
    assert_eq!(ids(&app.get(&q("status=ignored"), &t).await.expect(200).body), vec!["evt_balance", "evt_customer"]);
    let at = |t: time::OffsetDateTime| t.format(&time::format_description::well_known::Rfc3339).unwrap().replace('+', "%2B");
    assert_eq!(ids(&app.get(&q(&format!("since={}", at(third))), &t).await.expect(200).body), vec!["evt_invoice", "evt_balance"]);
    assert_eq!(ids(&app.get(&q(&format!("since={}&until={}", at(start), at(third))), &t).await.expect(200).body), vec!["evt_customer", "evt_fails"]);
    assert_eq!(app.get(&q("status=lost"), &t).await.expect(422).fields(), vec!["status"]);
    assert_eq!(app.get(&q("cursor=not-a-cursor"), &t).await.expect(422).fields(), vec!["cursor"]);
    assert_eq!(app.get(&q(&format!("since={}&until={}", at(third), at(start))), &t).await.expect(422).fields(), vec!["until"]);
    assert_eq!(app.get(&q("limit=101"), &t).await.expect(422).fields(), vec!["limit"]);

    // The failed event: its payload as delivered, and the try with Stripe's answer.
    let d = app.get("/api/v1/connectors/stripe/events/evt_fails", &t).await.expect(200);
    assert_eq!((d.body["type"].as_str(), d.body["payload"]["data"]["object"]["id"].as_str()), (Some("checkout.session.completed"), Some("cs_missing")));
    let tries = d.body["attempts"].as_array().unwrap();
    assert_eq!((tries.len(), tries[0]["attempt"].as_i64(), tries[0]["outcome"].as_str()), (1, Some(1), Some("failed")));
    let err = tries[0]["error"].as_str().unwrap();
    assert!(err.contains("/v1/checkout/sessions/cs_missing") && err.contains("404"), "{err}");
    app.get("/api/v1/connectors/stripe/events/evt_nope", &t).await.expect(404);

    // Process again: a failed and an ignored event go back to pending and are tried
    // once more; a processed one cannot be.
    let again = app.post("/api/v1/connectors/stripe/events/evt_fails/process", &t, json!({})).await.expect(200);
    assert_eq!(again.body["status"], "pending");
    let again = app.post("/api/v1/connectors/stripe/events/evt_customer/process", &t, json!({})).await.expect(200);
    assert_eq!(again.body["status"], "pending");
    let refused = app.post("/api/v1/connectors/stripe/events/evt_invoice/process", &t, json!({})).await.expect(409);
    assert_eq!(refused.code(), "event_not_reprocessable");
    app.drain_jobs().await;
    let d = app.get("/api/v1/connectors/stripe/events/evt_fails", &t).await.expect(200);
    let outcomes: Vec<&str> = d.body["attempts"].as_array().unwrap().iter().map(|a| a["outcome"].as_str().unwrap()).collect();
    assert_eq!((d.body["status"].as_str(), outcomes), (Some("failed"), vec!["failed", "failed"]));
    let d = app.get("/api/v1/connectors/stripe/events/evt_customer", &t).await.expect(200);
    assert_eq!((d.body["status"].as_str(), d.body["attempts"].as_array().unwrap().len()), (Some("ignored"), 2));

    // Another app sees none of it.
    let other = app.second_tenant().await;
    assert!(app.get("/api/v1/connectors/stripe/events", &other).await.expect(200).body["data"].as_array().unwrap().is_empty());
    app.get("/api/v1/connectors/stripe/events/evt_fails", &other).await.expect(404);
    app.post("/api/v1/connectors/stripe/events/evt_fails/process", &other, json!({})).await.expect(404);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stripe_inbox_inspector() {
    inspector(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stripe_inbox_inspector() {
    inspector(Backend::Postgres).await;
}
