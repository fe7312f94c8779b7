//! The Stripe connector end to end against the localstripe emulator
//! (tools/testkit), which delivers signed webhooks to the server under test.

use std::process::Child;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};

pub struct Emulator {
    child: Child,
    pub base: String,
    http: reqwest::Client,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub const KEY: &str = "sk_test_tollgate_e2e";

impl Emulator {
    pub fn start() -> Emulator {
        let args = ["--port", "0", "--account-name", "Membership Academy LLC"].map(std::ffi::OsStr::new);
        let (child, port) = crate::helpers::testkit("localstripe_launcher.py", &args, true);
        Emulator { child, base: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() }
    }

    pub async fn call(&self, method: Method, path: &str, form: &[(&str, &str)]) -> Value {
        let mut r = self.http.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(KEY);
        r = if method == Method::GET { r.query(form) } else { r.form(form) };
        let r = r.send().await.unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "localstripe {path}: {status} {v}");
        v
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        self.call(Method::POST, path, form).await
    }

    /// A customer with a default card.
    pub async fn customer(&self, email: &str, name: &str) -> String {
        let c = self.post("/v1/customers", &[("email", email), ("name", name)]).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let pm = self.post("/v1/payment_methods/pm_card_visa/attach", &[("customer", &id)]).await;
        self.post(&format!("/v1/customers/{id}"), &[("invoice_settings[default_payment_method]", pm["id"].as_str().unwrap())]).await;
        id
    }

    pub async fn subscribe(&self, customer: &str, price: &str) -> Value {
        self.post("/v1/subscriptions", &[("customer", customer), ("items[0][price]", price)]).await
    }
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Waits until the inbox holds `n` events matching `pred`, as delivered by the emulator.
pub async fn wait_inbox(app: &TestApp, t: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
    for _ in 0..100 {
        let r = app.get("/api/v1/connectors/stripe/events?limit=100", t).await.expect(200);
        let hits: Vec<Value> = r.body["data"].as_array().unwrap().iter().filter(|e| pred(e)).cloned().collect();
        if !hits.is_empty() {
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no webhook delivery: {what}");
}

pub async fn grants_of(app: &TestApp, t: &str, user: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/users/{user}/access"), t).await.expect(200).body["data"].as_array().unwrap().clone()
}

async fn member_by_email(app: &TestApp, t: &str, email: &str) -> Value {
    let r = app.get(&format!("/api/v1/users?q={email}"), t).await.expect(200);
    r.body["data"].as_array().unwrap().iter().find(|u| u["email"] == email).cloned().unwrap_or_else(|| panic!("no member {email}"))
}

async fn connector_flow(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;

    // Connect with a key: the account is retrieved and the endpoint registered once.
    let bad = app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": "pk_test_nope_123"})).await.expect(422);
    assert_eq!(bad.fields(), vec!["secret_key"]);
    let rejected = app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": "sk_test_invalid_key"})).await.expect(422);
    assert_eq!(rejected.body["errors"][0]["code"], "rejected_by_stripe");
    let c = app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    assert_eq!((c.body["connected"].as_bool(), c.body["mode"].as_str(), c.body["webhook_mode"].as_str()), (Some(true), Some("test"), Some("managed")));
    assert_eq!(c.body["display_name"], "Membership Academy LLC");
    let c = app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    let url = c.body["webhook_url"].as_str().unwrap().to_owned();
    let endpoints = stripe.call(Method::GET, "/v1/webhook_endpoints", &[]).await;
    let ours: Vec<_> = endpoints["data"].as_array().unwrap().iter().filter(|e| e["url"] == url).collect();
    assert_eq!(ours.len(), 1, "reconnecting leaves no duplicate endpoint");
    let stored = app.get("/api/v1/connectors/stripe/settings", &t).await.expect(200).body.to_string();
    assert!(!stored.contains(KEY) && !stored.contains("whsec_"), "secrets never leave: {stored}");

    // The Stripe side: a product with two subscribers, and an unrelated product.
    let sp = stripe.post("/v1/products", &[("name", "Membership Mastermind")]).await;
    let price = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "usd"), ("unit_amount", "2500"), ("recurring[interval]", "month")]).await;
    let other = stripe.post("/v1/products", &[("name", "Someone else's product")]).await;
    let other_price = stripe.post("/v1/prices", &[("product", &id(&other)), ("currency", "usd"), ("unit_amount", "900"), ("recurring[interval]", "month")]).await;
    let ada = stripe.customer("ada@example.com", "Ada").await;
    let bob = stripe.customer("bob@example.com", "Bob").await;
    let eve = stripe.customer("eve@example.com", "Eve").await;
    stripe.subscribe(&ada, &id(&price)).await;
    stripe.subscribe(&bob, &id(&price)).await;
    stripe.subscribe(&eve, &id(&other_price)).await;

    // Picker shows the product with 2 subscriptions to import.
    let picker = app.get("/api/v1/connectors/stripe/products", &t).await.expect(200);
    let choice = picker.body["data"].as_array().unwrap().iter().find(|p| p["id"] == id(&sp)).unwrap().clone();
    assert_eq!(choice["active_subscriptions"], 2);
    assert_eq!(choice["prices"][0]["interval"], "month");

    // Link: both subscribers become members with access, once, however often it runs.
    let product = app.post("/api/v1/products", &t, json!({"name": "Mastermind"})).await.expect(201).id();
    let link = app.req(Method::PUT, &format!("/api/v1/products/{product}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    assert_eq!(link.body["stripe_product_name"], "Membership Mastermind");
    app.drain_jobs().await;
    let link = app.get(&format!("/api/v1/products/{product}/stripe"), &t).await.expect(200);
    assert_eq!((link.body["import"]["status"].as_str(), link.body["import"]["done"].as_i64(), link.body["import"]["total"].as_i64()), (Some("succeeded"), Some(2), Some(2)));
    for email in ["ada@example.com", "bob@example.com"] {
        let m = member_by_email(&app, &t, email).await;
        let g = grants_of(&app, &t, m["id"].as_str().unwrap()).await;
        assert_eq!(g.len(), 1, "{email}");
        assert_eq!((g[0]["source"].as_str(), g[0]["active"].as_bool()), (Some("stripe_subscription"), Some(true)));
    }
    let users = app.get("/api/v1/users", &t).await.expect(200);
    assert_eq!(users.body["data"].as_array().unwrap().len(), 2, "eve's subscription is of an unlinked product: no member");
    let emails = app.get("/api/v1/emails", &t).await.expect(200);
    let templates: Vec<_> = emails.body["data"].as_array().unwrap().iter().map(|e| e["template"].as_str().unwrap().to_owned()).collect();
    assert_eq!(templates.iter().filter(|t| *t == "member_invite").count(), 2);
    assert_eq!(templates.iter().filter(|t| *t == "access_granted").count(), 2);
    // Linking the same product again changes nothing.
    app.req(Method::PUT, &format!("/api/v1/products/{product}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    app.drain_jobs().await;
    let feed_before = app.activity_kinds(&t, "?limit=100").await;

    // A new subscription through the emulator: a signed webhook grants access.
    let cat = stripe.customer("cat@example.com", "Cat").await;
    let sub = stripe.subscribe(&cat, &id(&price)).await;
    let sub_id = id(&sub);
    wait_inbox(&app, &t, "subscription created", |e| e["type"] == "customer.subscription.created" && e["status"] != "x").await;
    // Deliveries are asynchronous: wait until the one for this subscription is in.
    let mut cat_member = None;
    for _ in 0..100 {
        app.drain_jobs().await;
        let r = app.get("/api/v1/users?q=cat@", &t).await.expect(200);
        if let Some(u) = r.body["data"].as_array().unwrap().first() {
            cat_member = Some(u["id"].as_str().unwrap().to_owned());
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let cat_id = cat_member.expect("the webhook made cat a member");
    let g = grants_of(&app, &t, &cat_id).await;
    assert_eq!((g.len(), g[0]["active"].as_bool(), g[0]["ends_at"].is_null()), (1, Some(true), true));

    // Cancel at period end: access stays until the period ends.
    let canceled = stripe.post(&format!("/v1/subscriptions/{sub_id}"), &[("cancel_at_period_end", "true")]).await;
    let period_end = canceled["current_period_end"].as_i64().unwrap();
    wait_inbox(&app, &t, "subscription updated", |e| e["type"] == "customer.subscription.updated").await;
    let mut ends_at = Value::Null;
    for _ in 0..100 {
        app.drain_jobs().await;
        ends_at = grants_of(&app, &t, &cat_id).await[0]["ends_at"].clone();
        if !ends_at.is_null() {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let expected_end = time::OffsetDateTime::from_unix_timestamp(period_end).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap();
    assert_eq!(ends_at.as_str(), Some(expected_end.as_str()));
    assert_eq!(grants_of(&app, &t, &cat_id).await[0]["active"], true);
    let subs = app.get(&format!("/api/v1/users/{cat_id}/subscriptions"), &t).await.expect(200);
    assert_eq!((subs.body["data"][0]["cancel_at_period_end"].as_bool(), subs.body["data"][0]["mrr"].as_i64()), (Some(true), Some(2500)));

    // A duplicate and an out-of-order delivery change nothing. Sign them with a
    // rotated-in secret (any current secret verifies).
    app.post("/api/v1/connectors/stripe/webhook-secrets", &t, json!({"secret": "whsec_rotated_test_secret"})).await.expect(200);
    let feed_mid = app.activity_kinds(&t, "?limit=100").await;
    let events = stripe.call(Method::GET, "/v1/events", &[("limit", "100")]).await;
    let created_evt = events["data"].as_array().unwrap().iter().find(|e| e["type"] == "customer.subscription.created" && e["data"]["object"]["id"] == sub_id.as_str()).unwrap().clone();
    let deliver = |payload: Value| {
        let app_url = url.clone();
        async move {
            let body = serde_json::to_vec(&payload).unwrap();
            let sig = tollgate_stripe::webhook::sign(&body, "whsec_rotated_test_secret", time::OffsetDateTime::now_utc().unix_timestamp());
            reqwest::Client::new().post(app_url).header("stripe-signature", sig).header("content-type", "application/json").body(body).send().await.unwrap()
        }
    };
    let dup = deliver(created_evt.clone()).await;
    assert_eq!(dup.status(), 200);
    assert_eq!(dup.json::<Value>().await.unwrap()["outcome"], "duplicate");
    // The same stale state under a new event id (a late retry of an old event): re-synced to Stripe's state.
    let mut stale = created_evt.clone();
    stale["id"] = json!("evt_late_delivery_1");
    stale["created"] = json!(created_evt["created"].as_i64().unwrap() - 60);
    assert_eq!(deliver(stale).await.json::<Value>().await.unwrap()["outcome"], "stored");
    app.drain_jobs().await;
    assert_eq!(grants_of(&app, &t, &cat_id).await[0]["ends_at"].as_str(), Some(expected_end.as_str()), "the late event did not undo the cancellation");
    assert_eq!(app.activity_kinds(&t, "?limit=100").await, feed_mid, "no new activity from duplicate or stale events");

    // Bad signatures: 400 and nothing stored.
    let body = serde_json::to_vec(&json!({"id": "evt_forged", "type": "customer.subscription.deleted", "created": 1})).unwrap();
    let forged = reqwest::Client::new()
        .post(&url)
        .header("stripe-signature", tollgate_stripe::webhook::sign(&body, "whsec_wrong", time::OffsetDateTime::now_utc().unix_timestamp()))
        .body(body.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(forged.status(), 400);
    assert_eq!(forged.json::<Value>().await.unwrap()["code"], "invalid_signature");
    let unsigned = reqwest::Client::new().post(&url).body(body).send().await.unwrap();
    assert_eq!(unsigned.status(), 400);
    let inbox = app.get("/api/v1/connectors/stripe/events?limit=100", &t).await.expect(200);
    assert!(!inbox.body.to_string().contains("evt_forged"));

    // The link cannot change while the product has active subscriptions.
    let guard = app.req(Method::DELETE, &format!("/api/v1/products/{product}/stripe"), Some(&t), None).await.expect(409);
    assert_eq!(guard.code(), "active_subscriptions");
    assert!(guard.body["detail"].as_str().unwrap().contains("cancel them in Stripe"));

    // A plan switch to a product that is not linked removes the old product's access.
    let ada_member = member_by_email(&app, &t, "ada@example.com").await;
    let ada_id = ada_member["id"].as_str().unwrap().to_owned();
    let ada_sub = app.get(&format!("/api/v1/users/{ada_id}/subscriptions"), &t).await.body["data"][0]["id"].as_str().unwrap().to_owned();
    stripe.post(&format!("/v1/subscriptions/{ada_sub}"), &[("items[0][price]", &id(&other_price))]).await;
    for _ in 0..100 {
        app.drain_jobs().await;
        if grants_of(&app, &t, &ada_id).await[0]["active"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let g = grants_of(&app, &t, &ada_id).await;
    assert_eq!((g[0]["active"].as_bool(), g[0]["revoke_reason"].as_str()), (Some(false), Some("no longer in the subscription")));

    // Deleting a subscription removes access at once.
    let bob_member = member_by_email(&app, &t, "bob@example.com").await;
    let bob_sub = app.get(&format!("/api/v1/users/{}/subscriptions", bob_member["id"].as_str().unwrap()), &t).await.body["data"][0]["id"].as_str().unwrap().to_owned();
    stripe.call(Method::DELETE, &format!("/v1/subscriptions/{bob_sub}"), &[]).await;
    wait_inbox(&app, &t, "subscription deleted", |e| e["type"] == "customer.subscription.deleted").await;
    for _ in 0..100 {
        app.drain_jobs().await;
        if grants_of(&app, &t, bob_member["id"].as_str().unwrap()).await[0]["active"] == false {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let g = grants_of(&app, &t, bob_member["id"].as_str().unwrap()).await;
    assert_eq!((g[0]["active"].as_bool(), g[0]["revoke_reason"].as_str()), (Some(false), Some("subscription canceled")));

    // The feed shows exactly what happened after the import: cat created, purchased,
    // started, granted, cancelled, a Customer; bob cancelled and removed, a Churn.
    let feed = app.activity_kinds(&t, "?limit=100").await;
    let new: Vec<&str> = feed[..feed.len() - feed_before.len()].iter().map(String::as_str).collect();
    let mut sorted = new.clone();
    sorted.sort();
    assert_eq!(
        sorted,
        vec![
            "member.stage_changed",
            "member.stage_changed",
            "product.access_granted",
            "product.access_removed",
            "product.access_removed",
            "product.purchased",
            "subscription.cancelled",
            "subscription.cancelled",
            "subscription.started",
            "user.created"
        ],
        "feed after import: {new:?}"
    );
    let import_feed: Vec<&str> = feed_before.iter().map(String::as_str).collect();
    let mut import_sorted = import_feed.clone();
    import_sorted.sort();
    assert_eq!(
        import_sorted,
        vec![
            "member.stage_changed", "member.stage_changed", "product.access_granted", "product.access_granted", "product.purchased",
            "product.purchased", "subscription.started", "subscription.started", "user.created", "user.created"
        ]
    );

    // Past the period end, the sweeper removes cat's access (and records it).
    app.clock.advance(time::Duration::seconds(period_end - time::OffsetDateTime::now_utc().unix_timestamp() + 60));
    let t = app.login_owner().await;
    let swept = app.services.sweep_ended_access(&tollgate_domain::ids::AppId::parse(app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap()).unwrap()).await.unwrap();
    assert_eq!(swept, 1, "grants: {:?} now {}", grants_of(&app, &t, &cat_id).await, app.services.now());
    let g = grants_of(&app, &t, &cat_id).await;
    assert_eq!((g[0]["active"].as_bool(), g[0]["revoke_reason"].as_str()), (Some(false), Some("access period ended")));
    assert_eq!(app.activity_kinds(&t, &format!("?user_id={cat_id}&kind=product.access_removed")).await.len(), 1);

    // Disconnect removes the endpoint Tollgate registered.
    app.req(Method::DELETE, "/api/v1/connectors/stripe", Some(&t), None).await.expect(204);
    let endpoints = stripe.call(Method::GET, "/v1/webhook_endpoints", &[]).await;
    assert!(endpoints["data"].as_array().unwrap().iter().all(|e| e["url"] != url.as_str()));
    assert_eq!(app.get("/api/v1/connectors/stripe", &t).await.expect(200).body["connected"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stripe_connector_end_to_end() {
    connector_flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stripe_connector_end_to_end() {
    connector_flow(Backend::Postgres).await;
}

/// Connect OAuth, a manual signing secret, recovery of undelivered events,
/// a one-off Checkout purchase, and a refund (localstripe emits no
/// `charge.refunded`: that delivery is built from Stripe's published charge
/// object in crates/stripe/tests/fixtures).
async fn oauth_recovery_checkout_refund(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| {
        c.stripe.api_base = base.clone();
        c.stripe.connect_base = base;
        c.stripe.client_id = Some("ca_tollgate_test".into());
        c.stripe.platform_secret_key = Some(secrecy::SecretString::from("sk_test_platform_key".to_owned()));
    })
    .await;
    let t = app.setup().await;
    // The admin's browser keeps cookies and, like the test, looks at each redirect.
    let browser = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let other_browser = reqwest::Client::builder().cookie_store(true).redirect(reqwest::redirect::Policy::none()).build().unwrap();

    // OAuth: the authorize URL carries the client id, redirect URI and a sealed state.
    let start = app.req_with(&browser, Method::GET, "/api/v1/connectors/stripe/oauth/start", Some(&t), None, &[]).await.expect(200);
    let cookie = start.headers.get_all("set-cookie").iter().map(|v| v.to_str().unwrap().to_owned()).find(|c| c.starts_with("tollgate_stripe_oauth=")).expect("the start binds the browser");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Lax") && cookie.contains("Path=/oauth/stripe"), "{cookie}");
    let url = reqwest::Url::parse(start.body["url"].as_str().unwrap()).unwrap();
    assert!(url.as_str().starts_with(&format!("{}/oauth/authorize?", stripe.base)));
    let q: std::collections::HashMap<String, String> = url.query_pairs().into_owned().collect();
    assert_eq!(q["client_id"], "ca_tollgate_test");
    assert_eq!(q["redirect_uri"], format!("{}/oauth/stripe/callback", app.url));
    let state = q["state"].clone();
    let callback = |client: &reqwest::Client, code: &str, state: &str| {
        let u = format!("{}/oauth/stripe/callback?code={code}&state={state}", app.url);
        let c = client.clone();
        async move {
            let r = c.get(u).send().await.unwrap();
            assert_eq!(r.status(), 303);
            r.headers()["location"].to_str().unwrap().to_owned()
        }
    };
    assert!(callback(&browser, "ac_123", "forged-state").await.ends_with("/settings/connectors?stripe=error"));
    // A valid state opened in another browser (a link someone sent) connects nothing.
    assert!(callback(&other_browser, "ac_12345", &state).await.ends_with("?stripe=error"), "a state from another browser");
    assert_eq!(app.get("/api/v1/connectors/stripe", &t).await.body["connected"], false);
    // Each callback spends the cookie: start again for every try.
    let restart = |client: reqwest::Client| {
        let app = &app;
        let t = t.clone();
        async move {
            let r = app.req_with(&client, Method::GET, "/api/v1/connectors/stripe/oauth/start", Some(&t), None, &[]).await.expect(200);
            let u = reqwest::Url::parse(r.body["url"].as_str().unwrap()).unwrap();
            u.query_pairs().find(|(k, _)| k == "state").unwrap().1.into_owned()
        }
    };
    let state = restart(browser.clone()).await;
    assert!(callback(&browser, "ac_bad", &state).await.ends_with("?stripe=error"), "a code Stripe rejects");
    assert_eq!(app.get("/api/v1/connectors/stripe", &t).await.body["connected"], false);
    assert!(callback(&browser, "ac_12345", &state).await.ends_with("?stripe=error"), "the cookie was spent by the failed try");
    let state = restart(browser.clone()).await;
    assert!(callback(&browser, "ac_12345", &state).await.ends_with("?stripe=connected"));
    let conn = app.get("/api/v1/connectors/stripe", &t).await.expect(200);
    assert_eq!((conn.body["auth"].as_str(), conn.body["account_id"].as_str(), conn.body["webhook_mode"].as_str()), (Some("oauth"), Some("acct_localstripe"), Some("managed")));

    // Switch to a pasted signing secret: Tollgate's endpoint is removed, so
    // the emulator no longer delivers; events are recovered from Stripe's list.
    let manual = app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY, "webhook_secret": "whsec_manual_secret_1"})).await.expect(200);
    assert_eq!(manual.body["webhook_mode"], "manual");
    let endpoints = stripe.call(Method::GET, "/v1/webhook_endpoints", &[]).await;
    assert!(endpoints["data"].as_array().unwrap().is_empty(), "the OAuth-time endpoint was removed");

    let sp = stripe.post("/v1/products", &[("name", "Course")]).await;
    let monthly = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "eur"), ("unit_amount", "12000"), ("recurring[interval]", "year")]).await;
    let ebook = stripe.post("/v1/products", &[("name", "E-book")]).await;
    let once = stripe.post("/v1/prices", &[("product", &id(&ebook)), ("currency", "eur"), ("unit_amount", "1900")]).await;
    let course = app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201).id();
    let book = app.post("/api/v1/products", &t, json!({"name": "E-book"})).await.expect(201).id();
    app.req(Method::PUT, &format!("/api/v1/products/{course}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    app.req(Method::PUT, &format!("/api/v1/products/{book}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&ebook)}))).await.expect(200);
    let taken = app.req(Method::PUT, &format!("/api/v1/products/{book}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(409);
    assert_eq!(taken.code(), "stripe_product_already_linked");
    app.drain_jobs().await;

    let dan = stripe.customer("dan@example.com", "Dan").await;
    stripe.subscribe(&dan, &id(&monthly)).await;
    let session = stripe
        .post(
            "/v1/checkout/sessions",
            &[("mode", "payment"), ("line_items[0][price]", &id(&once)), ("line_items[0][quantity]", "1"), ("customer_email", "fay@example.com"),
              ("success_url", "https://site.example.com/thanks"), ("cancel_url", "https://site.example.com/")],
        )
        .await;
    let paid = stripe.post(&format!("/_testkit/checkout/sessions/{}/complete", id(&session)), &[]).await;
    assert_eq!(paid["status"], "complete");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    assert!(app.get("/api/v1/connectors/stripe/events", &t).await.body["data"].as_array().unwrap().is_empty(), "nothing delivered in manual mode");

    let rec = app.post("/api/v1/connectors/stripe/sync-events", &t, json!({})).await.expect(200);
    assert!(rec.body["recovered"].as_u64().unwrap() >= 2, "{}", rec.body);
    app.drain_jobs().await;
    let again = app.post("/api/v1/connectors/stripe/sync-events", &t, json!({})).await.expect(200);
    assert_eq!(again.body["recovered"], 0, "recovery is idempotent");

    let dan_m = member_by_email(&app, &t, "dan@example.com").await;
    let g = grants_of(&app, &t, dan_m["id"].as_str().unwrap()).await;
    assert_eq!((g.len(), g[0]["product_id"].as_str(), g[0]["active"].as_bool()), (1, Some(course.as_str()), Some(true)));
    let subs = app.get(&format!("/api/v1/users/{}/subscriptions", dan_m["id"].as_str().unwrap()), &t).await.expect(200);
    assert_eq!(subs.body["data"][0]["mrr"], 1000, "12000 a year is 1000 a month");
    let metrics = app.get("/api/v1/app/metrics", &t).await.expect(200);
    assert_eq!((metrics.body["mrr"].as_i64(), metrics.body["currency"].as_str()), (Some(1000), Some("eur")));
    // The minute sweep records today's figure in the MRR history.
    tollgate_app::worker::Worker::new(app.services.clone()).schedule_periodic().await.unwrap();
    app.drain_jobs().await;
    let history = app.get("/api/v1/app/metrics/mrr", &t).await.expect(200);
    assert_eq!(history.body["data"].as_array().unwrap().last().unwrap()["mrr"], 1000, "{}", history.body);
    let app_id = tollgate_domain::ids::AppId::parse(app.get("/api/v1/auth/me", &t).await.body["app"]["id"].as_str().unwrap()).unwrap();
    let today = tollgate_domain::clock::Clock::now(&app.clock).to_offset(time::UtcOffset::UTC).date();
    let stored = tollgate_persistence::metrics::days(&mut app.services.db.acquire().await.unwrap().conn(), &app_id, today - time::Duration::days(1), today).await.unwrap();
    assert_eq!(stored.iter().map(|(p, c)| (p.mrr, c.as_deref())).collect::<Vec<_>>(), vec![(1000, Some("eur"))], "the snapshot was stored");
    assert_eq!(app.get("/api/v1/connectors/stripe", &t).await.body["oauth_available"], true);

    let fay = member_by_email(&app, &t, "fay@example.com").await;
    let fay_id = fay["id"].as_str().unwrap().to_owned();
    let g = grants_of(&app, &t, &fay_id).await;
    assert_eq!((g.len(), g[0]["source"].as_str(), g[0]["product_id"].as_str(), g[0]["ends_at"].is_null()), (1, Some("stripe_purchase"), Some(book.as_str()), true));
    let purchases = app.get(&format!("/api/v1/users/{fay_id}/purchases"), &t).await.expect(200);
    let purchase = purchases.body["data"][0].clone();
    assert_eq!((purchase["amount"].as_i64(), purchase["currency"].as_str(), purchase["refunded"].as_bool()), (Some(1900), Some("eur"), Some(false)));
    assert_eq!(app.activity_kinds(&t, &format!("?user_id={fay_id}&kind=product.purchased")).await.len(), 1);

    // A full refund, delivered as Stripe's published charge object adjusted to this purchase.
    let fixtures: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../stripe/tests/fixtures/stripe_objects.json")).unwrap()).unwrap();
    let mut charge = fixtures["resources"]["charge"].clone();
    charge["id"] = json!("ch_refund_test_1");
    charge["payment_intent"] = purchase["source_ref"].clone();
    charge["amount"] = json!(1900);
    charge["amount_refunded"] = json!(1900);
    charge["refunded"] = json!(true);
    let event = json!({"id": "evt_refund_test_1", "object": "event", "type": "charge.refunded", "created": time::OffsetDateTime::now_utc().unix_timestamp(),
        "livemode": false, "api_version": "2024-06-20", "data": {"object": charge}});
    let body = serde_json::to_vec(&event).unwrap();
    let sig = tollgate_stripe::webhook::sign(&body, "whsec_manual_secret_1", time::OffsetDateTime::now_utc().unix_timestamp());
    let webhook = format!("{}/webhooks/stripe/{}", app.url, app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap());
    let r = reqwest::Client::new().post(&webhook).header("stripe-signature", sig).body(body).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["outcome"], "stored");
    app.drain_jobs().await;
    let g = grants_of(&app, &t, &fay_id).await;
    assert_eq!((g[0]["active"].as_bool(), g[0]["revoke_reason"].as_str()), (Some(false), Some("refunded")));
    assert_eq!(app.get(&format!("/api/v1/users/{fay_id}/purchases"), &t).await.body["data"][0]["refunded"], true);
    // The current API shape (period on the items, as accounts on 2025+
    // versions send it): Stripe's published subscription object, delivered for
    // a subscription the emulator does not know, so the event's own object is
    // applied.
    let gus = stripe.customer("gus@example.com", "Gus").await;
    let item_end = time::OffsetDateTime::now_utc().unix_timestamp() + 10 * 86400;
    let mut sub = fixtures["resources"]["subscription"].clone();
    assert!(sub.get("current_period_end").is_none(), "the published object has no period on the subscription");
    sub["id"] = json!("sub_current_shape_1");
    sub["customer"] = json!(gus);
    sub["status"] = json!("active");
    sub["cancel_at_period_end"] = json!(true);
    sub["items"]["data"][0]["price"]["product"] = json!(id(&sp));
    sub["items"]["data"][0]["current_period_end"] = json!(item_end);
    let event = json!({"id": "evt_current_shape_1", "object": "event", "type": "customer.subscription.updated",
        "created": time::OffsetDateTime::now_utc().unix_timestamp(), "livemode": false, "api_version": "2025-03-31.basil", "data": {"object": sub}});
    let body = serde_json::to_vec(&event).unwrap();
    let sig = tollgate_stripe::webhook::sign(&body, "whsec_manual_secret_1", time::OffsetDateTime::now_utc().unix_timestamp());
    let r = reqwest::Client::new().post(&webhook).header("stripe-signature", sig).body(body).send().await.unwrap();
    assert_eq!(r.json::<Value>().await.unwrap()["outcome"], "stored");
    app.drain_jobs().await;
    let gus_m = member_by_email(&app, &t, "gus@example.com").await;
    let g = grants_of(&app, &t, gus_m["id"].as_str().unwrap()).await;
    let want_end = time::OffsetDateTime::from_unix_timestamp(item_end).unwrap().format(&time::format_description::well_known::Rfc3339).unwrap();
    assert_eq!((g[0]["active"].as_bool(), g[0]["ends_at"].as_str()), (Some(true), Some(want_end.as_str())), "access until the item's period end");

    // Unknown event types are acknowledged and marked ignored.
    let unknown = serde_json::to_vec(&json!({"id": "evt_unknown_1", "type": "issuing_card.created", "created": 1, "data": {"object": {}}})).unwrap();
    let sig = tollgate_stripe::webhook::sign(&unknown, "whsec_manual_secret_1", time::OffsetDateTime::now_utc().unix_timestamp());
    let r = reqwest::Client::new().post(&webhook).header("stripe-signature", sig).body(unknown).send().await.unwrap();
    assert_eq!((r.status().as_u16(), r.json::<Value>().await.unwrap()["outcome"].as_str().map(str::to_owned)), (200, Some("ignored".to_owned())));
    let ignored = app.get("/api/v1/connectors/stripe/events?status=ignored", &t).await.expect(200);
    assert!(ignored.body["data"].as_array().unwrap().iter().any(|e| e["id"] == "evt_unknown_1"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stripe_oauth_recovery_checkout_refund() {
    oauth_recovery_checkout_refund(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stripe_oauth_recovery_checkout_refund() {
    oauth_recovery_checkout_refund(Backend::Postgres).await;
}

async fn first_grant_end(app: &TestApp, t: &str, m: &str) -> Option<(bool, Value)> {
    grants_of(app, t, m).await.first().map(|g| (g["active"].as_bool().unwrap(), g["ends_at"].clone()))
}

async fn wait_grant_end(app: &TestApp, t: &str, m: &str, want_null: bool) -> (bool, Value) {
    for _ in 0..100 {
        app.drain_jobs().await;
        if let Some(g) = first_grant_end(app, t, m).await {
            if g.1.is_null() == want_null {
                return g;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no change of access end");
}

/// past_due keeps access for the app's grace days, recovery restores open
/// access, and a grace that runs out removes it (the sweeper records it).
async fn past_due_grace(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    app.patch("/api/v1/app", &t, json!({"past_due_grace_days": 3})).await.expect(200);
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    let sp = stripe.post("/v1/products", &[("name", "Club")]).await;
    let price = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "usd"), ("unit_amount", "500"), ("recurring[interval]", "week")]).await;
    let product = app.post("/api/v1/products", &t, json!({"name": "Club"})).await.expect(201).id();
    app.req(Method::PUT, &format!("/api/v1/products/{product}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    // The site's own id in customer metadata decides the member, not the Stripe email
    // (a member may pay with another address than the one they sign in with).
    app.patch("/api/v1/connectors/stripe/settings", &t, json!({"customer_metadata_key": "member_email"})).await.expect(200);
    let existing = app.post("/api/v1/users", &t, json!({"email": "patricia@example.org", "name": "Patricia"})).await.expect(201).id();
    let cus = id(&stripe.post("/v1/customers", &[("email", "pat@example.com"), ("name", "Pat"), ("metadata[member_email]", "patricia@example.org")]).await);
    let pm = stripe.post("/v1/payment_methods/pm_card_visa/attach", &[("customer", &cus)]).await;
    stripe.post(&format!("/v1/customers/{cus}"), &[("invoice_settings[default_payment_method]", pm["id"].as_str().unwrap())]).await;
    let sub = id(&stripe.subscribe(&cus, &id(&price)).await);
    let mut pat = None;
    for _ in 0..100 {
        app.drain_jobs().await;
        let r = app.get("/api/v1/users?q=patricia@", &t).await;
        if let Some(m) = r.body["data"].as_array().and_then(|a| a.first()).map(|u| u["id"].as_str().unwrap().to_owned()) {
            if first_grant_end(&app, &t, &m).await.is_some() {
                pat = Some(m);
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let pat = pat.expect("the metadata-matched member got access");
    assert_eq!(pat, existing);
    assert_eq!(app.get("/api/v1/users", &t).await.body["data"].as_array().unwrap().len(), 1, "no member created for the Stripe email");
    assert_eq!(first_grant_end(&app, &t, &pat).await, Some((true, Value::Null)));
    let status = |s: &'static str| (format!("/_testkit/subscriptions/{sub}/status"), s);

    let (path, st) = status("past_due");
    stripe.post(&path, &[("status", st)]).await;
    let (active, end) = wait_grant_end(&app, &t, &pat, false).await;
    assert!(active, "past_due keeps access during the grace");
    let end = time::OffsetDateTime::parse(end.as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
    let grace = end - app.services.now();
    assert!(grace > time::Duration::days(3) - time::Duration::minutes(5) && grace <= time::Duration::days(3), "grace of 3 days, got {grace}");
    let (path, st) = status("active");
    stripe.post(&path, &[("status", st)]).await;
    assert_eq!(wait_grant_end(&app, &t, &pat, true).await, (true, Value::Null), "paid again: open-ended access");
    let (path, st) = status("past_due");
    stripe.post(&path, &[("status", st)]).await;
    wait_grant_end(&app, &t, &pat, false).await;
    // Nobody pays: past the grace the sweeper removes access and records it.
    app.clock.advance(time::Duration::days(4));
    let t = app.login_owner().await;
    let app_id = tollgate_domain::ids::AppId::parse(app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap()).unwrap();
    assert_eq!(app.services.sweep_ended_access(&app_id).await.unwrap(), 1);
    let g = grants_of(&app, &t, &pat).await;
    assert_eq!((g[0]["active"].as_bool(), g[0]["revoke_reason"].as_str()), (Some(false), Some("access period ended")));
    assert_eq!(app.activity_kinds(&t, &format!("?user_id={pat}&kind=product.access_removed")).await.len(), 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_past_due_grace() {
    past_due_grace(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_past_due_grace() {
    past_due_grace(Backend::Postgres).await;
}

/// Catalog and customer events converge on Stripe's state: a renamed linked
/// product renames the link, an archived Checkout price turns Checkout off
/// (payment link deactivated), a deleted customer is forgotten, a deleted
/// product drops its link. Events are Stripe's published objects; each
/// handler re-retrieves the object from the emulator.
async fn catalog_and_customer_events(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    app.post("/api/v1/connectors/stripe/webhook-secrets", &t, json!({"secret": "whsec_catalog_1"})).await.expect(200);
    let webhook = format!("{}/webhooks/stripe/{}", app.url, app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap());
    let fixtures: Value = serde_json::from_str(&std::fs::read_to_string(concat!(env!("CARGO_MANIFEST_DIR"), "/../stripe/tests/fixtures/stripe_objects.json")).unwrap()).unwrap();
    let deliver = |n: u32, kind: &str, object: Value| {
        let event = json!({"id": format!("evt_catalog_{n}"), "object": "event", "type": kind, "created": time::OffsetDateTime::now_utc().unix_timestamp(),
            "livemode": false, "api_version": "2024-06-20", "data": {"object": object}});
        let body = serde_json::to_vec(&event).unwrap();
        let sig = tollgate_stripe::webhook::sign(&body, "whsec_catalog_1", time::OffsetDateTime::now_utc().unix_timestamp());
        let url = webhook.clone();
        async move {
            let r = reqwest::Client::new().post(&url).header("stripe-signature", sig).body(body).send().await.unwrap();
            assert_eq!(r.status().as_u16(), 200);
        }
    };
    let status_of = |n: u32| {
        let app = &app;
        let t = t.clone();
        async move {
            app.drain_jobs().await;
            let events = app.get("/api/v1/connectors/stripe/events", &t).await.expect(200);
            events.body["data"].as_array().unwrap().iter().find(|e| e["id"] == format!("evt_catalog_{n}")).map(|e| e["status"].as_str().unwrap().to_owned()).unwrap()
        }
    };

    let sp = stripe.post("/v1/products", &[("name", "Course")]).await;
    let price = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "eur"), ("unit_amount", "4900")]).await;
    let product = app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201).id();
    app.req(Method::PUT, &format!("/api/v1/products/{product}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    let checkout = app.req(Method::PUT, &format!("/api/v1/products/{product}/stripe/checkout"), Some(&t), Some(json!({"enabled": true, "price_id": id(&price)}))).await.expect(200);
    let link_url = checkout.body["payment_link_url"].as_str().unwrap().to_owned();
    let links = stripe.call(Method::GET, "/v1/payment_links", &[]).await;
    let link_id = id(links["data"].as_array().unwrap().iter().find(|l| l["url"] == link_url.as_str()).expect("the payment link is in the emulator"));

    // Renamed in Stripe: the event carries the published product object; Tollgate reads the current name.
    stripe.post(&format!("/v1/products/{}", id(&sp)), &[("name", "Course (2027 edition)")]).await;
    let mut obj = fixtures["resources"]["product"].clone();
    obj["id"] = json!(id(&sp));
    deliver(1, "product.updated", obj.clone()).await;
    assert_eq!(status_of(1).await, "processed");
    let link = app.get(&format!("/api/v1/products/{product}/stripe"), &t).await.expect(200);
    assert_eq!(link.body["stripe_product_name"], "Course (2027 edition)", "{}", link.body);
    // A product nobody linked is ignored.
    let mut other = obj.clone();
    other["id"] = json!("prod_not_linked_here");
    deliver(2, "product.updated", other).await;
    assert_eq!(status_of(2).await, "ignored");

    // The Checkout price is archived in Stripe: Checkout goes off and its payment link is deactivated.
    stripe.post(&format!("/v1/prices/{}", id(&price)), &[("active", "false")]).await;
    let mut pobj = fixtures["resources"]["price"].clone();
    pobj["id"] = json!(id(&price));
    pobj["product"] = json!(id(&sp));
    deliver(3, "price.updated", pobj).await;
    assert_eq!(status_of(3).await, "processed");
    let checkout = app.get(&format!("/api/v1/products/{product}/stripe/checkout"), &t).await.expect(200);
    assert_eq!((checkout.body["enabled"].as_bool(), checkout.body["payment_link_url"].is_null()), (Some(false), true), "{}", checkout.body);
    let pl = stripe.call(Method::GET, &format!("/v1/payment_links/{link_id}"), &[]).await;
    assert_eq!(pl["active"], false, "the payment link no longer sells the archived price");

    // A deleted customer is forgotten; the member stays.
    let member = app.post("/api/v1/users", &t, json!({"email": "cleo@example.com", "name": "Cleo"})).await.expect(201).id();
    let cus = stripe.customer("cleo@example.com", "Cleo").await;
    let app_id = tollgate_domain::ids::AppId::parse(app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap()).unwrap();
    let user_id = tollgate_domain::ids::UserId::parse(&member).unwrap();
    let mut c = app.services.db.acquire().await.unwrap();
    tollgate_persistence::stripe::link_customer(&mut c.conn(), &app_id, &cus, &user_id, time::OffsetDateTime::now_utc()).await.unwrap();
    drop(c);
    stripe.call(Method::DELETE, &format!("/v1/customers/{cus}"), &[]).await;
    let mut dc = fixtures["resources"]["deleted_customer"].clone();
    dc["id"] = json!(cus);
    deliver(4, "customer.deleted", dc).await;
    assert_eq!(status_of(4).await, "processed");
    let mut c = app.services.db.acquire().await.unwrap();
    assert_eq!(tollgate_persistence::stripe::user_for_customer(&mut c.conn(), &app_id, &cus).await.unwrap(), None);
    drop(c);
    app.get(&format!("/api/v1/users/{member}"), &t).await.expect(200);

    // The linked product is deleted in Stripe: the link goes, the product stays.
    stripe.call(Method::DELETE, &format!("/v1/products/{}", id(&sp)), &[]).await;
    let mut dp = fixtures["resources"]["deleted_product"].clone();
    dp["id"] = json!(id(&sp));
    deliver(5, "product.deleted", dp).await;
    assert_eq!(status_of(5).await, "processed");
    app.get(&format!("/api/v1/products/{product}/stripe"), &t).await.expect(204); // not linked any more
    app.get(&format!("/api/v1/products/{product}"), &t).await.expect(200);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_catalog_and_customer_events() {
    catalog_and_customer_events(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_catalog_and_customer_events() {
    catalog_and_customer_events(Backend::Postgres).await;
}

/// Linking imports past one-off buyers, but not one whose payment was
/// refunded in full (refunds remove access by default); with that setting
/// off the refunded buyer is imported with the purchase marked refunded.
async fn import_leaves_out_refunded_purchases(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    let buy = |email: &'static str, price: String| {
        let stripe = &stripe;
        async move {
            let session = stripe
                .post(
                    "/v1/checkout/sessions",
                    &[("mode", "payment"), ("line_items[0][price]", &price), ("line_items[0][quantity]", "1"), ("customer_email", email),
                      ("success_url", "https://site.example.com/thanks"), ("cancel_url", "https://site.example.com/")],
                )
                .await;
            let paid = stripe.post(&format!("/_testkit/checkout/sessions/{}/complete", id(&session)), &[]).await;
            paid["payment_intent"].as_str().unwrap().to_owned()
        }
    };
    // Sales made before Tollgate was connected: nothing was delivered to it.
    let guide = stripe.post("/v1/products", &[("name", "Guide")]).await;
    let guide_price = id(&stripe.post("/v1/prices", &[("product", &id(&guide)), ("currency", "eur"), ("unit_amount", "1900")]).await);
    let kit = stripe.post("/v1/products", &[("name", "Kit")]).await;
    let kit_price = id(&stripe.post("/v1/prices", &[("product", &id(&kit)), ("currency", "eur"), ("unit_amount", "2900")]).await);
    buy("ann@example.com", guide_price.clone()).await;
    let ben = buy("ben@example.com", guide_price).await;
    let refund = stripe.post("/v1/refunds", &[("payment_intent", &ben)]).await;
    assert_eq!(refund["status"], "succeeded", "{refund}");
    buy("cy@example.com", kit_price.clone()).await;
    let dee = buy("dee@example.com", kit_price).await;
    stripe.post("/v1/refunds", &[("payment_intent", &dee)]).await;

    // The site connects a little after those sales (the server's clock moves past them).
    app.clock.advance(time::OffsetDateTime::now_utc() - app.clock_now() + time::Duration::seconds(2));
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    // Recovering missed events does not replay the sales made before connecting:
    // that history is the import's (which leaves out refunded buyers).
    app.post("/api/v1/connectors/stripe/sync-events", &t, json!({})).await.expect(200);
    app.drain_jobs().await;
    assert!(app.get("/api/v1/users", &t).await.body["data"].as_array().unwrap().is_empty(), "no member from sales made before connecting");
    let guide_p = app.post("/api/v1/products", &t, json!({"name": "Guide"})).await.expect(201).id();
    app.req(Method::PUT, &format!("/api/v1/products/{guide_p}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&guide)}))).await.expect(200);
    app.drain_jobs().await;
    let emails: Vec<String> = app.get("/api/v1/users", &t).await.body["data"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect();
    assert_eq!(emails, vec!["ann@example.com"], "the refunded buyer is not imported");
    let link = app.get(&format!("/api/v1/products/{guide_p}/stripe"), &t).await.expect(200);
    let import = &link.body["import"];
    assert_eq!((import["status"].as_str(), import["done"] == import["total"]), (Some("succeeded"), true), "{}", link.body);

    // With refunds keeping access, the refunded buyer comes in, the purchase marked refunded.
    app.patch("/api/v1/app", &t, json!({"refund_revokes_access": false})).await.expect(200);
    let kit_p = app.post("/api/v1/products", &t, json!({"name": "Kit"})).await.expect(201).id();
    app.req(Method::PUT, &format!("/api/v1/products/{kit_p}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&kit)}))).await.expect(200);
    app.drain_jobs().await;
    let dee_m = member_by_email(&app, &t, "dee@example.com").await;
    let dee_id = dee_m["id"].as_str().unwrap();
    let purchases = app.get(&format!("/api/v1/users/{dee_id}/purchases"), &t).await.expect(200);
    assert_eq!(purchases.body["data"][0]["refunded"], true, "{}", purchases.body);
    let g = grants_of(&app, &t, dee_id).await;
    assert_eq!((g.len(), g[0]["active"].as_bool()), (1, Some(true)));
    let cy = member_by_email(&app, &t, "cy@example.com").await;
    assert_eq!(app.get(&format!("/api/v1/users/{}/purchases", cy["id"].as_str().unwrap()), &t).await.body["data"][0]["refunded"], false);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_import_leaves_out_refunded_purchases() {
    import_leaves_out_refunded_purchases(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_import_leaves_out_refunded_purchases() {
    import_leaves_out_refunded_purchases(Backend::Postgres).await;
}
