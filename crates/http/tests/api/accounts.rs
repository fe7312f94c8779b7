//! Accounts (issue 13, contact type "accounts"): a Stripe customer is a
//! company; its owner seats teammates up to the subscription's quantity;
//! seats share the access and lose it with the subscription.

use std::time::Duration;

use reqwest::Method;
use serde_json::json;

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY, id, wait_inbox};

const PW: &str = "a long member password 42";

async fn active_sources(app: &TestApp, t: &str, email: &str, product: &str) -> Vec<String> {
    let users = app.get(&format!("/api/v1/users?q={}", email.replace('@', "%40")), t).await.expect(200).body["data"].clone();
    let Some(u) = users.as_array().unwrap().first() else { return vec![] };
    crate::stripe_emulator::grants_of(app, t, u["id"].as_str().unwrap())
        .await
        .into_iter()
        .filter(|g| g["product_id"] == product && g["active"] == true)
        .map(|g| g["source"].as_str().unwrap().to_owned())
        .collect()
}

async fn member_token(app: &TestApp, t: &str, app_id: &str, email: &str) -> String {
    let users = app.get(&format!("/api/v1/users?q={}", email.replace('@', "%40")), t).await.expect(200).body["data"].clone();
    let uid = users[0]["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/users/{uid}"), t, json!({"password": PW})).await.expect(200);
    let r = app.req_with(&app.new_client(), Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": email, "password": PW})), &[]).await.expect(200);
    r.body["access_token"].as_str().unwrap().to_owned()
}

/// Done means: an account of quantity 3 seats two teammates who get access,
/// a fourth person is refused, a removed seat loses access, and canceling
/// the subscription takes it from everyone.
async fn an_account_seats_teammates(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    assert_eq!(app.get("/api/v1/accounts/settings", &t).await.expect(200).body["contact_type"], "users");
    app.req(Method::PUT, "/api/v1/accounts/settings", Some(&t), Some(json!({"contact_type": "companies"}))).await.expect(422);
    let s = app.req(Method::PUT, "/api/v1/accounts/settings", Some(&t), Some(json!({"contact_type": "accounts"}))).await.expect(200);
    assert_eq!(s.body["contact_type"], "accounts");
    let sp = stripe.post("/v1/products", &[("name", "Team Plan")]).await;
    let price = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "usd"), ("unit_amount", "3000"), ("recurring[interval]", "month")]).await;
    let p = app.post("/api/v1/products", &t, json!({"name": "Team Plan"})).await.expect(201).id();
    app.req(Method::PUT, &format!("/api/v1/products/{p}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);

    let cus = stripe.customer("owner@acme.test", "Acme Inc").await;
    let sub = id(&stripe.post("/v1/subscriptions", &[("customer", &cus), ("items[0][price]", &id(&price)), ("items[0][quantity]", "3")]).await);
    wait_inbox(&app, &t, "subscription created", |e| e["type"] == "customer.subscription.created").await;
    app.drain_jobs().await;
    let list = app.get("/api/v1/accounts", &t).await.expect(200).body["data"].clone();
    assert_eq!((list[0]["name"].as_str(), list[0]["seats"].as_i64()), (Some("Acme Inc"), Some(3)), "{list}");
    let acc = list[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(active_sources(&app, &t, "owner@acme.test", &p).await, ["stripe_subscription"]);

    // The owner seats two teammates from the member area; a fourth person does not fit.
    let owner = member_token(&app, &t, &app_id, "owner@acme.test").await;
    let mine = app.get("/api/v1/member/account", &owner).await.expect(200).body;
    assert_eq!((mine["role"].as_str(), mine["account"]["seats_used"].as_i64(), mine["account"]["mrr"].as_i64()), (Some("owner"), Some(1), Some(9000)), "{mine}");
    app.post("/api/v1/member/account/seats", &owner, json!({"email": "bob@acme.test", "name": "Bob"})).await.expect(201);
    let carol = app.post("/api/v1/member/account/seats", &owner, json!({"email": "carol@acme.test"})).await.expect(201).body["user_id"].as_str().unwrap().to_owned();
    assert_eq!(app.post("/api/v1/member/account/seats", &owner, json!({"email": "dave@acme.test"})).await.expect(409).code(), "seats_full");
    assert_eq!(app.post("/api/v1/member/account/seats", &owner, json!({"email": "not an email"})).await.expect(422).fields(), ["email"]);
    app.drain_jobs().await;
    for who in ["bob@acme.test", "carol@acme.test"] {
        assert_eq!(active_sources(&app, &t, who, &p).await, ["stripe_subscription"], "{who} shares the account's access");
    }
    // A teammate cannot manage seats.
    let bob = member_token(&app, &t, &app_id, "bob@acme.test").await;
    assert_eq!(app.get("/api/v1/member/account", &bob).await.expect(200).body["role"], "member");
    assert_eq!(app.post("/api/v1/member/account/seats", &bob, json!({"email": "eve@acme.test"})).await.expect(403).code(), "not_account_owner");
    // The admin sees the account on the member's page and the account's page.
    let bob_id = app.get("/api/v1/users?q=bob%40acme.test", &t).await.expect(200).body["data"][0]["id"].as_str().unwrap().to_owned();
    let ua = app.get(&format!("/api/v1/users/{bob_id}/account"), &t).await.expect(200).body;
    assert_eq!((ua["account"]["name"].as_str(), ua["role"].as_str()), (Some("Acme Inc"), Some("member")));
    let page = app.get(&format!("/api/v1/accounts/{acc}"), &t).await.expect(200).body;
    let people: Vec<&str> = page["people"].as_array().unwrap().iter().map(|p| p["email"].as_str().unwrap()).collect();
    assert_eq!(people, ["owner@acme.test", "bob@acme.test", "carol@acme.test"]);
    assert_eq!((page["stage"].as_str(), page["seats_used"].as_i64()), (Some("Customer"), Some(3)));

    // Removing a seat removes that person's access; the seat can be given again.
    app.req(Method::DELETE, &format!("/api/v1/member/account/seats/{carol}"), Some(&owner), None).await.expect(204);
    assert!(active_sources(&app, &t, "carol@acme.test", &p).await.is_empty());
    let owner_id = page["owner_id"].as_str().unwrap();
    assert_eq!(app.req(Method::DELETE, &format!("/api/v1/accounts/{acc}/seats/{owner_id}"), Some(&t), None).await.expect(409).code(), "owner_seat");
    app.post(&format!("/api/v1/accounts/{acc}/seats"), &t, json!({"email": "dave@acme.test"})).await.expect(201);
    assert_eq!(active_sources(&app, &t, "dave@acme.test", &p).await, ["stripe_subscription"]);

    // Canceling the subscription takes the access from everyone.
    stripe.call(Method::DELETE, &format!("/v1/subscriptions/{sub}"), &[]).await;
    for _ in 0..100 {
        app.drain_jobs().await;
        if active_sources(&app, &t, "owner@acme.test", &p).await.is_empty() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    for who in ["owner@acme.test", "bob@acme.test", "dave@acme.test"] {
        assert!(active_sources(&app, &t, who, &p).await.is_empty(), "{who} lost access with the subscription");
    }
    // Another app sees none of it.
    let other = app.second_tenant().await;
    app.get(&format!("/api/v1/accounts/{acc}"), &other).await.expect(404);
    app.post(&format!("/api/v1/accounts/{acc}/seats"), &other, json!({"email": "x@acme.test"})).await.expect(404);
    assert!(app.get("/api/v1/accounts", &other).await.expect(200).body["data"].as_array().unwrap().is_empty());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_an_account_seats_teammates() {
    an_account_seats_teammates(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_an_account_seats_teammates() {
    an_account_seats_teammates(Backend::Postgres).await;
}
