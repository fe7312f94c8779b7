//! The Stripe connector end to end against the localstripe emulator
//! (tools/testkit), which delivers signed webhooks to the server under test.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY, grants_of, id, member_by_email, wait_inbox};

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
