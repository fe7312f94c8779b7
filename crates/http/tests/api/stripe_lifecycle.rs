//! Stripe subscriptions and catalog over time, end to end against the
//! emulator: past-due grace, catalog and customer events, and imports that
//! leave out refunded purchases.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY, grants_of, id, member_by_email};

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
