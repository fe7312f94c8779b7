//! Selling and the member area end to end against the emulator: purchase
//! targets of every method, Checkout for a logged-in member, sales pages,
//! the billing portal with a cancellation in it, progress, media, profile.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY, grants_of, id};

async fn until<F, Fut>(app: &TestApp, what: &str, mut check: F)
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..100 {
        app.drain_jobs().await;
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("timed out waiting for {what}");
}

fn item<'a>(lib: &'a Value, product: &str) -> Option<&'a Value> {
    lib["data"].as_array().unwrap().iter().find(|i| i["product_id"] == product)
}

async fn selling_flow(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let media_dir = std::env::temp_dir().join(format!("tollgate-media-{}", uuid_like()));
    let md = media_dir.clone();
    let app = TestApp::spawn_configured(backend, move |c| {
        c.stripe.api_base = base;
        c.media_dir = md;
    })
    .await;
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);

    // Products, one per purchase method, plus one hidden from members without access.
    let mk = |body: Value| {
        let (app, t) = (&app, t.clone());
        async move { app.post("/api/v1/products", &t, body).await.expect(201).id() }
    };
    let a = mk(json!({"name": "Membership", "purchase_method": "direct_checkout", "show_locked_card": true})).await;
    let b = mk(json!({"name": "Course", "description": "Learn it all", "purchase_method": "sales_page_then_checkout", "show_locked_card": true})).await;
    let c = mk(json!({"name": "Coaching", "purchase_method": "external_url", "external_url": "https://shop.example.com/coaching", "show_locked_card": true})).await;
    let d = mk(json!({"name": "Bonus", "purchase_method": "none", "show_locked_card": true})).await;
    let e = mk(json!({"name": "Secret", "purchase_method": "direct_checkout", "show_locked_card": false})).await;

    let sa = stripe.post("/v1/products", &[("name", "Membership")]).await;
    let monthly = stripe.post("/v1/prices", &[("product", &id(&sa)), ("currency", "usd"), ("unit_amount", "1500"), ("recurring[interval]", "month")]).await;
    let sb = stripe.post("/v1/products", &[("name", "Course")]).await;
    let once = stripe.post("/v1/prices", &[("product", &id(&sb)), ("currency", "usd"), ("unit_amount", "9900")]).await;
    app.req(Method::PUT, &format!("/api/v1/products/{a}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sa)}))).await.expect(200);
    app.req(Method::PUT, &format!("/api/v1/products/{b}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sb)}))).await.expect(200);
    app.drain_jobs().await;

    // Checkout: only the linked product's prices; a payment link per product.
    let wrong = app.req(Method::PUT, &format!("/api/v1/products/{a}/stripe/checkout"), Some(&t), Some(json!({"enabled": true, "price_id": id(&once)}))).await.expect(422);
    assert_eq!(wrong.body["errors"][0]["code"], "wrong_product");
    let unlinked = app.req(Method::PUT, &format!("/api/v1/products/{c}/stripe/checkout"), Some(&t), Some(json!({"enabled": true, "price_id": id(&once)}))).await.expect(409);
    assert_eq!(unlinked.code(), "not_linked");
    let trial_once = app.req(Method::PUT, &format!("/api/v1/products/{b}/stripe/checkout"), Some(&t), Some(json!({"enabled": true, "price_id": id(&once), "trial_period_days": 7}))).await.expect(422);
    assert_eq!(trial_once.fields(), vec!["trial_period_days"]);
    let co_a = app.req(Method::PUT, &format!("/api/v1/products/{a}/stripe/checkout"), Some(&t), Some(json!({"enabled": true, "price_id": id(&monthly)}))).await.expect(200);
    assert_eq!(co_a.body["mode"], "subscription");
    let link_a = co_a.body["payment_link_url"].as_str().unwrap().to_owned();
    let co_b = app.req(Method::PUT, &format!("/api/v1/products/{b}/stripe/checkout"), Some(&t), Some(json!({"enabled": true, "price_id": id(&once)}))).await.expect(200);
    assert_eq!(co_b.body["mode"], "payment");
    let link_b = co_b.body["payment_link_url"].as_str().unwrap().to_owned();
    let same = app.req(Method::PUT, &format!("/api/v1/products/{a}/stripe/checkout"), Some(&t), Some(json!({"enabled": true}))).await.expect(200);
    assert_eq!(same.body["payment_link_url"].as_str(), Some(link_a.as_str()), "unchanged price keeps the link");
    // A new price: a new payment link, the old one deactivated.
    let yearly = stripe.post("/v1/prices", &[("product", &id(&sa)), ("currency", "usd"), ("unit_amount", "15000"), ("recurring[interval]", "year")]).await;
    let moved = app.req(Method::PUT, &format!("/api/v1/products/{a}/stripe/checkout"), Some(&t), Some(json!({"enabled": true, "price_id": id(&yearly)}))).await.expect(200);
    assert_ne!(moved.body["payment_link_url"].as_str(), Some(link_a.as_str()));
    let links = stripe.call(Method::GET, "/v1/payment_links", &[("limit", "100")]).await;
    let old = links["data"].as_array().unwrap().iter().find(|l| l["url"] == link_a.as_str()).unwrap();
    assert_eq!(old["active"], false, "the previous link no longer sells");
    let co_a = app.req(Method::PUT, &format!("/api/v1/products/{a}/stripe/checkout"), Some(&t), Some(json!({"enabled": true, "price_id": id(&monthly)}))).await.expect(200);
    let link_a = co_a.body["payment_link_url"].as_str().unwrap().to_owned();

    // "Create a new Stripe product": it inherits name, description and image, with the given price.
    let fresh = mk(json!({"name": "Workshop", "description": "Two days", "image_url": "https://img.example.com/w.png"})).await;
    let created = app
        .req(Method::PUT, &format!("/api/v1/products/{fresh}/stripe"), Some(&t), Some(json!({"create_with_price": {"unit_amount": 4900, "currency": "EUR"}})))
        .await
        .expect(200);
    let new_sp = stripe.call(Method::GET, &format!("/v1/products/{}", created.body["stripe_product_id"].as_str().unwrap()), &[]).await;
    assert_eq!((new_sp["name"].as_str(), new_sp["description"].as_str(), new_sp["images"][0].as_str()), (Some("Workshop"), Some("Two days"), Some("https://img.example.com/w.png")));
    let new_price = stripe.call(Method::GET, &format!("/v1/prices/{}", created.body["created_price_id"].as_str().unwrap()), &[]).await;
    assert_eq!((new_price["unit_amount"].as_i64(), new_price["currency"].as_str(), new_price["type"].as_str()), (Some(4900), Some("eur"), Some("one_time")));
    let bad_interval = app
        .req(Method::PUT, &format!("/api/v1/products/{fresh}/stripe"), Some(&t), Some(json!({"create_with_price": {"unit_amount": 1, "currency": "usd", "interval": "fortnight"}})))
        .await
        .expect(422);
    assert_eq!(bad_interval.fields(), vec!["create_with_price.interval"]);

    // Sales pages: from a template, duplicated, validated.
    let tpl = app.post(&format!("/api/v1/products/{b}/sales-page/create-from"), &t, json!({"template": "classic"})).await.expect(200);
    assert_eq!(tpl.body["blocks"][0], json!({"type": "heading", "text": "Course"}));
    app.post(&format!("/api/v1/products/{c}/sales-page/create-from"), &t, json!({"from_product_id": b})).await.expect(200);
    let bad = app
        .req(Method::PUT, &format!("/api/v1/products/{b}/sales-page"), Some(&t), Some(json!({"title": "T", "cta_label": "Go", "blocks": [{"type": "image", "url": "nope", "alt": ""}]})))
        .await
        .expect(422);
    assert_eq!(bad.fields(), vec!["blocks[0].url"]);
    assert_eq!(app.get(&format!("/api/v1/products/{b}/sales-page"), &t).await.body["template"], "classic", "a refused edit changes nothing");
    let public = app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}/products/{b}/sales-page"), None, None).await.expect(200);
    assert_eq!(public.body["cta_url"].as_str(), Some(link_b.as_str()), "the sales page leads to Checkout");
    app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}/products/{a}/sales-page"), None, None).await.expect(404);

    // Purchase targets of locked products, for a member and for a visitor.
    let ada = app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": "ada's long password"})).await.expect(201).id();
    let login = app.req(Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": "ada@example.com", "password": "ada's long password"}))).await.expect(200);
    let m = login.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.req(Method::GET, "/api/v1/public/default-app", None, None).await.expect(200).body["id"].as_str(), Some(app_id.as_str()));
    let lib = app.get("/api/v1/member/library", &m).await.expect(200).body;
    let visitor = app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}/library"), None, None).await.expect(200).body;
    for l in [&lib, &visitor] {
        let target = |p: &str| item(l, p).map(|i| (i["locked"].as_bool().unwrap(), i["purchase_target"].clone()));
        assert_eq!(target(&a), Some((true, json!({"kind": "checkout", "url": link_a}))));
        assert_eq!(target(&b), Some((true, json!({"kind": "sales_page", "url": format!("{}/p/{app_id}/{b}", app.url)}))));
        assert_eq!(target(&c), Some((true, json!({"kind": "external_url", "url": "https://shop.example.com/coaching"}))), "the method decides, whatever sales page exists");
        assert_eq!(target(&d), Some((true, Value::Null)), "not for sale");
        assert!(item(l, &e).is_none(), "no locked card for this product");
    }

    // Content is for members with access only.
    for title in ["Welcome", "Week 1"] {
        app.post(&format!("/api/v1/products/{a}/pages"), &t, json!({"title": title, "body": "..."})).await.expect(201);
    }
    assert_eq!(app.get(&format!("/api/v1/member/products/{a}"), &m).await.expect(403).code(), "no_access");
    assert_eq!(app.post(&format!("/api/v1/member/products/{d}/checkout"), &m, json!({})).await.expect(409).code(), "checkout_disabled");

    // "Buy" as a logged-in member: a Checkout session naming the member; paying it
    // (through the emulator) delivers checkout.session.completed and unlocks the product.
    let buy = app.post(&format!("/api/v1/member/products/{a}/checkout"), &m, json!({})).await.expect(200);
    let session_url = buy.body["url"].as_str().unwrap().to_owned();
    let session_id = session_url.rsplit('/').next().unwrap().to_owned();
    let session = stripe.call(Method::GET, &format!("/v1/checkout/sessions/{session_id}"), &[]).await;
    assert_eq!((session["mode"].as_str(), session["client_reference_id"].as_str(), session["customer_email"].as_str()), (Some("subscription"), Some(ada.as_str()), Some("ada@example.com")));
    stripe.post(&format!("/_testkit/checkout/sessions/{session_id}/complete"), &[]).await;
    until(&app, "membership unlocked", || async { item(&app.get("/api/v1/member/library", &m).await.body, &a).unwrap()["has_access"] == true }).await;
    let lib = app.get("/api/v1/member/library", &m).await.body;
    assert_eq!((item(&lib, &a).unwrap()["locked"].as_bool(), item(&lib, &a).unwrap()["purchase_target"].is_null(), item(&lib, &a).unwrap()["total_pages"].as_i64()), (Some(false), true, Some(2)));
    assert_eq!(app.get("/api/v1/users", &t).await.body["data"].as_array().unwrap().len(), 1, "the purchase landed on ada, no second member");
    let subs = app.get("/api/v1/member/subscriptions", &m).await.expect(200);
    assert_eq!((subs.body["data"][0]["status"].as_str(), subs.body["data"][0]["mrr"].as_i64()), (Some("active"), Some(1500)));

    // A second purchase reuses ada's Stripe customer (no second customer).
    let buy_b = app.post(&format!("/api/v1/member/products/{b}/checkout"), &m, json!({})).await.expect(200);
    let sid = buy_b.body["url"].as_str().unwrap().rsplit('/').next().unwrap().to_owned();
    let sb_session = stripe.call(Method::GET, &format!("/v1/checkout/sessions/{sid}"), &[]).await;
    assert_eq!(sb_session["customer"], subs.body["data"][0]["customer_id"], "the member's customer is prefilled");
    assert_eq!(sb_session["mode"], "payment");
    stripe.post(&format!("/_testkit/checkout/sessions/{sid}/complete"), &[]).await;
    until(&app, "course unlocked", || async { item(&app.get("/api/v1/member/library", &m).await.body, &b).unwrap()["has_access"] == true }).await;
    let purchases = app.get("/api/v1/member/purchases", &m).await.expect(200);
    assert_eq!((purchases.body["data"][0]["product_id"].as_str(), purchases.body["data"][0]["amount"].as_i64()), (Some(b.as_str()), Some(9900)));

    // Progress: pages ticked, product completed once.
    let content = app.get(&format!("/api/v1/member/products/{a}"), &m).await.expect(200);
    let p1 = content.body["pages"][0]["id"].as_str().unwrap().to_owned();
    let p2 = content.body["pages"][1]["id"].as_str().unwrap().to_owned();
    let tick = |page: String, on: bool| {
        let (app, m, a) = (&app, m.clone(), a.clone());
        async move {
            let path = format!("/api/v1/member/products/{a}/pages/{page}/complete");
            let r = if on { app.post(&path, &m, json!({})).await } else { app.req(Method::DELETE, &path, Some(&m), None).await };
            let r = r.expect(200);
            (r.body["completed_pages"].as_i64().unwrap(), r.body["total_pages"].as_i64().unwrap())
        }
    };
    assert_eq!(tick(p1.clone(), true).await, (1, 2));
    assert_eq!(tick(p1.clone(), true).await, (1, 2));
    assert_eq!(tick(p2.clone(), true).await, (2, 2));
    assert_eq!(tick(p2.clone(), false).await, (1, 2));
    assert_eq!(tick(p2.clone(), true).await, (2, 2));
    let kinds = app.activity_kinds(&t, &format!("?user_id={ada}&kind=user.page_completed,user.product_completed")).await;
    // Seed 002: "whenever a member clicks the checkmark": a tick on a ticked page
    // records nothing, a tick after an untick is a new click.
    assert_eq!(kinds.iter().filter(|k| *k == "user.page_completed").count(), 3);
    assert_eq!(kinds.iter().filter(|k| *k == "user.product_completed").count(), 1, "completing again records nothing");
    let pages = app.get(&format!("/api/v1/member/products/{a}"), &m).await.body["pages"].clone();
    assert!(pages.as_array().unwrap().iter().all(|p| p["completed"] == true));

    // Hosted media: a download and a video play are activities.
    let upload = |kind: &str, name: &str, bytes: &'static [u8]| {
        let url = format!("{}/api/v1/products/{a}/media?kind={kind}&filename={name}", app.url);
        let t = t.clone();
        async move { reqwest::Client::new().post(url).bearer_auth(t).header("content-type", "application/pdf").body(bytes).send().await.unwrap() }
    };
    let r = upload("file", "workbook.pdf", b"%PDF-1.4 workbook").await;
    assert_eq!(r.status(), 201);
    let file_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    let r = upload("video", "lesson.mp4", b"\x00\x00\x00 ftyp").await;
    let video_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(upload("podcast", "x.mp3", b"x").await.status(), 422);
    // Real files are bigger than a JSON body: 2 MB goes through; the upload can be removed.
    let big: Vec<u8> = (0..2 * 1024 * 1024 + 123).map(|i| (i % 251) as u8).collect();
    let r = reqwest::Client::new().post(format!("{}/api/v1/products/{a}/media?kind=video&filename=big.mp4", app.url)).bearer_auth(&t).body(big.clone()).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let big_id = r.json::<Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    // Served back streamed in chunks: the same bytes in the same order, its length announced.
    let dl = reqwest::Client::new().get(format!("{}/api/v1/member/media/{big_id}", app.url)).bearer_auth(&m).send().await.unwrap();
    assert_eq!(dl.status(), 200);
    assert_eq!(dl.headers()["content-length"].to_str().unwrap(), big.len().to_string());
    assert!(dl.headers()["content-disposition"].to_str().unwrap().starts_with("inline"));
    assert!(dl.bytes().await.unwrap().as_ref() == big.as_slice(), "the streamed download differs from the upload");
    app.req(Method::DELETE, &format!("/api/v1/products/{a}/media/{big_id}"), Some(&t), None).await.expect(204);
    app.req(Method::DELETE, &format!("/api/v1/products/{a}/media/{big_id}"), Some(&t), None).await.expect(404);
    let dl = reqwest::Client::new().get(format!("{}/api/v1/member/media/{file_id}", app.url)).bearer_auth(&m).send().await.unwrap();
    assert_eq!(dl.status(), 200);
    assert!(dl.headers()["content-disposition"].to_str().unwrap().starts_with("attachment"));
    assert_eq!(dl.bytes().await.unwrap().as_ref(), b"%PDF-1.4 workbook");
    app.req(Method::POST, &format!("/api/v1/member/media/{video_id}/played"), Some(&m), None).await.expect(204);
    app.req(Method::POST, &format!("/api/v1/member/media/{file_id}/played"), Some(&m), None).await.expect(422);
    let kinds = app.activity_kinds(&t, &format!("?user_id={ada}&kind=user.file_downloaded,user.video_watched")).await;
    assert_eq!(kinds, vec!["user.video_watched", "user.file_downloaded"]);

    // The billing portal: URLs required to enable, one configuration kept up to date.
    let r = app.req(Method::PUT, "/api/v1/connectors/stripe/portal", Some(&t), Some(json!({"enabled": true, "allow_cancel": true}))).await.expect(422);
    assert_eq!(r.fields(), vec!["privacy_policy_url", "terms_of_service_url"]);
    let portal = json!({"enabled": true, "allow_cancel": true, "privacy_policy_url": "https://site.example.com/privacy", "terms_of_service_url": "https://site.example.com/terms"});
    let p1c = app.req(Method::PUT, "/api/v1/connectors/stripe/portal", Some(&t), Some(portal.clone())).await.expect(200);
    let p2c = app.req(Method::PUT, "/api/v1/connectors/stripe/portal", Some(&t), Some(portal)).await.expect(200);
    assert_eq!(app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}"), None, None).await.expect(200).body["billing_portal_enabled"], true);
    assert_eq!(p1c.body["configuration_id"], p2c.body["configuration_id"], "updated, not created again");
    let configs = stripe.call(Method::GET, "/v1/billing_portal/configurations", &[]).await;
    assert_eq!(configs["data"].as_array().unwrap().len(), 1);
    app.post("/api/v1/users", &t, json!({"email": "bob@example.com", "password": "bob's long password"})).await.expect(201);
    let bob = app.req(Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": "bob@example.com", "password": "bob's long password"}))).await;
    let bob_t = bob.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.post("/api/v1/member/billing-portal", &bob_t, json!({})).await.expect(409).code(), "no_billing_account");
    let bp = app.post("/api/v1/member/billing-portal", &m, json!({})).await.expect(200);
    let portal_url = bp.body["url"].as_str().unwrap().to_owned();

    // Cancel in the portal: access stays until the period ends.
    let sub_id = subs.body["data"][0]["id"].as_str().unwrap().to_owned();
    let r = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap().post(&portal_url).form(&[("subscription", sub_id.as_str())]).send().await.unwrap();
    assert_eq!(r.status(), 303);
    until(&app, "cancellation at period end", || async {
        let g = grants_of(&app, &t, &ada).await;
        g.iter().any(|g| g["product_id"] == a.as_str() && !g["ends_at"].is_null())
    })
    .await;
    assert_eq!(item(&app.get("/api/v1/member/library", &m).await.body, &a).unwrap()["has_access"], true);
    assert_eq!(app.activity_kinds(&t, &format!("?user_id={ada}&kind=subscription.cancelled")).await.len(), 1);
    // The admin ends it now instead: access goes at once.
    let cancel = app.post(&format!("/api/v1/users/{ada}/subscriptions/{sub_id}/cancel"), &t, json!({"at_period_end": false})).await.expect(200);
    assert_eq!(cancel.body["status"], "canceled");
    assert_eq!(item(&app.get("/api/v1/member/library", &m).await.body, &a).unwrap()["has_access"], false);

    // Profile: the current password guards email and password changes.
    let r = app.req(Method::PATCH, "/api/v1/member/me", Some(&m), Some(json!({"email": "ada@new.example.com"}))).await.expect(422);
    assert_eq!(r.fields(), vec!["current_password"]);
    let r = app.req(Method::PATCH, "/api/v1/member/me", Some(&m), Some(json!({"name": "Ada L.", "email": "ada@new.example.com", "current_password": "ada's long password"}))).await.expect(200);
    // The new address must confirm first (see email_change.rs).
    assert_eq!((r.body["name"].as_str(), r.body["email"].as_str()), (Some("Ada L."), Some("ada@example.com")));
    assert_eq!(r.body["pending_email"], "ada@new.example.com");
    let _ = std::fs::remove_dir_all(&media_dir);
}

fn uuid_like() -> String {
    format!("{}-{}", std::process::id(), time::OffsetDateTime::now_utc().unix_timestamp_nanos())
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_selling_and_member_area() {
    selling_flow(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_selling_and_member_area() {
    selling_flow(Backend::Postgres).await;
}
