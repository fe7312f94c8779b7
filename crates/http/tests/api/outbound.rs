//! Outbound webhooks end to end: a real receiver on a port (tools/testkit's
//! webhook_receiver.py) checks every delivery with the Standard Webhooks
//! reference library, not with Tollgate's own signing code.

use std::process::Child;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};
use tollgate_app::outbound::dispatch::Dispatcher;

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY, id, wait_inbox};

pub struct Receiver {
    child: Child,
    pub base: String,
    out: std::path::PathBuf,
}

impl Drop for Receiver {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = std::fs::remove_file(&self.out);
    }
}

impl Receiver {
    pub fn start() -> Receiver {
        let out = std::env::temp_dir().join(format!("tollgate-hooks-{}-{}.jsonl", std::process::id(), uuid::Uuid::new_v4().simple()));
        let (child, port) = crate::helpers::testkit("webhook_receiver.py", &[std::ffi::OsStr::new("--out"), out.as_os_str()], false);
        Receiver { child, base: format!("http://127.0.0.1:{port}"), out }
    }

    /// Sets the secret to verify with and/or how `path` answers next.
    pub async fn control(&self, v: Value) {
        let r = reqwest::Client::new().post(format!("{}/_control", self.base)).json(&v).send().await.unwrap();
        assert!(r.status().is_success());
    }

    pub fn received(&self) -> Vec<Value> {
        std::fs::read_to_string(&self.out).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
    }

    pub fn on(&self, path: &str) -> Vec<Value> {
        self.received().into_iter().filter(|r| r["path"] == path).collect()
    }

    /// Waits until `path` got `n` requests, failing with `what` if that
    /// takes longer than `within`.
    pub async fn wait_for(&self, path: &str, n: usize, within: Duration, what: &str) {
        let started = std::time::Instant::now();
        while self.on(path).len() < n {
            assert!(started.elapsed() < within, "{what}: {} of {n} arrived at {path}", self.on(path).len());
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
    }
}

pub fn body(r: &Value) -> Value {
    serde_json::from_str(r["body"].as_str().unwrap()).unwrap()
}

pub async fn spawn(backend: Backend) -> TestApp {
    TestApp::spawn_configured(backend, |c| c.outbound.allow_private_networks = true).await
}

/// Sends every due delivery and waits for the answers, until none is due.
pub async fn drain(app: &TestApp) {
    let d = Dispatcher::new(app.services.clone());
    for _ in 0..20 {
        if d.run_once().await.unwrap() == 0 {
            return;
        }
    }
    panic!("deliveries kept coming");
}

pub async fn endpoint(app: &TestApp, t: &str, url: &str, types: Value) -> (String, String) {
    let r = app.post("/api/v1/webhooks/endpoints", t, json!({"url": url, "description": "CRM bridge", "event_types": types})).await.expect(201);
    (r.id(), r.body["secret"].as_str().unwrap().to_owned())
}

pub async fn member(app: &TestApp, t: &str, email: &str) -> String {
    app.post("/api/v1/users", t, json!({"email": email, "name": "Ada Lovelace"})).await.expect(201).id()
}

/// `n` new members, m0@example.com and on: one user.created event each.
pub async fn members(app: &TestApp, t: &str, n: usize) {
    for i in 0..n {
        member(app, t, &format!("m{i}@example.com")).await;
    }
}

/// An endpoint at the receiver's `/slow`, for user.created, whose first
/// `hangs` tries hang (past the 15 s timeout).
pub async fn slow_endpoint(app: &TestApp, t: &str, rx: &Receiver, hangs: usize) {
    let (_, secret) = endpoint(app, t, &format!("{}/slow", rx.base), json!(["user.created"])).await;
    rx.control(json!({"path": "/slow", "secret": secret, "script": vec!["hang"; hangs]})).await;
}

async fn product(app: &TestApp, t: &str, name: &str) -> String {
    app.post("/api/v1/products", t, json!({"name": name})).await.expect(201).id()
}

async fn deliveries(app: &TestApp, t: &str, ep: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/webhooks/endpoints/{ep}/deliveries"), t).await.expect(200).body["data"].as_array().unwrap().clone()
}

/// Done means: an endpoint filtered to product.access_granted receives exactly
/// one correctly signed delivery when Stripe grants access.
async fn stripe_grant_is_delivered_once_and_signed(backend: Backend) {
    let stripe = Emulator::start();
    let rx = Receiver::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| {
        c.stripe.api_base = base;
        c.outbound.allow_private_networks = true;
    })
    .await;
    let t = app.setup().await;
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    let sp = stripe.post("/v1/products", &[("name", "Mastermind")]).await;
    let price = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "usd"), ("unit_amount", "2500"), ("recurring[interval]", "month")]).await;
    let p = product(&app, &t, "Mastermind").await;
    app.req(Method::PUT, &format!("/api/v1/products/{p}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    app.drain_jobs().await;

    let (ep, secret) = endpoint(&app, &t, &format!("{}/grants", rx.base), json!(["product.access_granted"])).await;
    assert!(secret.starts_with("whsec_"));
    rx.control(json!({"secret": secret})).await;
    let listed = app.get(&format!("/api/v1/webhooks/endpoints/{ep}"), &t).await.expect(200);
    assert!(listed.body.get("secret").is_none(), "the secret is shown once");

    let ada = stripe.customer("ada@example.com", "Ada").await;
    stripe.subscribe(&ada, &id(&price)).await;
    wait_inbox(&app, &t, "subscription created", |e| e["type"] == "customer.subscription.created").await;
    app.drain_jobs().await;
    drain(&app).await;
    // Processing the same Stripe events again changes nothing and sends nothing.
    app.drain_jobs().await;
    drain(&app).await;

    let got = rx.on("/grants");
    assert_eq!(got.len(), 1, "exactly one delivery: {got:?}");
    let d = &got[0];
    assert_eq!((d["signature_ok"].as_bool(), d["verify_ok"].as_bool()), (Some(true), Some(true)), "the reference library verifies it: {d}");
    let b = body(d);
    assert_eq!(b["type"], "product.access_granted");
    assert_eq!(b["id"], d["headers"]["webhook-id"]);
    assert_eq!(b["data"]["member"]["email"], "ada@example.com");
    assert_eq!(b["data"]["product"]["id"], p.as_str());
    assert_eq!(b["data"]["activity"]["data"]["source"], "stripe_subscription");
    // The member object is the REST API's own shape.
    let m = app.get(&format!("/api/v1/users/{}", b["data"]["member"]["id"].as_str().unwrap()), &t).await.expect(200).body;
    let keys = |v: &Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
    assert_eq!(keys(&b["data"]["member"]), keys(&m));

    let log = deliveries(&app, &t, &ep).await;
    assert_eq!(log.len(), 1);
    assert_eq!((log[0]["status"].as_str(), log[0]["tries"][0]["status_code"].as_i64()), (Some("delivered"), Some(200)));
}

/// Done means: a receiver answering 500 twice then 200 gets the event on the
/// third try, every try with the same webhook-id.
async fn retries_keep_the_webhook_id(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    let (ep, secret) = endpoint(&app, &t, &format!("{}/flaky", rx.base), json!(["product.access_granted"])).await;
    rx.control(json!({"secret": secret})).await;
    rx.control(json!({"path": "/flaky", "script": [500, 500, 200]})).await;
    let (m, p) = (member(&app, &t, "ada@example.com").await, product(&app, &t, "Course").await);
    app.post(&format!("/api/v1/users/{m}/access"), &t, json!({"product_id": p})).await.expect(201);

    drain(&app).await;
    assert_eq!(rx.on("/flaky").len(), 1);
    let log = deliveries(&app, &t, &ep).await;
    assert_eq!((log[0]["status"].as_str(), log[0]["attempts"].as_i64(), log[0]["last_status_code"].as_i64()), (Some("pending"), Some(1), Some(500)));
    // Nothing is due before the first backoff (5 s) ends.
    drain(&app).await;
    assert_eq!(rx.on("/flaky").len(), 1);
    app.clock.advance(time::Duration::seconds(6));
    drain(&app).await;
    assert_eq!(rx.on("/flaky").len(), 2);
    app.clock.advance(time::Duration::minutes(6));
    drain(&app).await;
    let got = rx.on("/flaky");
    assert_eq!(got.iter().map(|g| g["answered"].as_i64().unwrap()).collect::<Vec<_>>(), vec![500, 500, 200]);
    let ids: std::collections::HashSet<_> = got.iter().map(|g| g["headers"]["webhook-id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 1, "one webhook-id across retries");
    assert!(got.iter().all(|g| g["signature_ok"] == true), "{got:?}");
    let t = app.login_owner().await;
    let log = deliveries(&app, &t, &ep).await;
    assert_eq!(log[0]["status"], "delivered");
    let tries: Vec<_> = log[0]["tries"].as_array().unwrap().iter().map(|a| a["status_code"].as_i64().unwrap()).collect();
    assert_eq!(tries, vec![500, 500, 200]);
    assert!(log[0]["tries"][0]["response_body"].as_str().unwrap().contains("answered 500"));
    let failing = app.get(&format!("/api/v1/webhooks/endpoints/{ep}"), &t).await.expect(200);
    assert!(failing.body["failing_since"].is_null(), "a success ends the failure streak");

    // Redeliver sends the same event again with the same id.
    let d = log[0]["id"].as_str().unwrap();
    app.post(&format!("/api/v1/webhooks/deliveries/{d}/redeliver"), &t, json!({})).await.expect(202);
    drain(&app).await;
    let got = rx.on("/flaky");
    assert_eq!(got.len(), 4);
    assert_eq!(got[3]["headers"]["webhook-id"], got[0]["headers"]["webhook-id"]);
    let detail = app.get(&format!("/api/v1/webhooks/deliveries/{d}"), &t).await.expect(200);
    assert_eq!(detail.body["tries"].as_array().unwrap().len(), 4);
    assert_eq!(detail.body["payload"]["type"], "product.access_granted");
}

/// Done means: 410 disables the endpoint at once.
async fn gone_disables_the_endpoint(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    let (ep, _) = endpoint(&app, &t, &format!("{}/gone", rx.base), json!([])).await;
    rx.control(json!({"path": "/gone", "script": [410]})).await;
    member(&app, &t, "ada@example.com").await;
    drain(&app).await;
    let e = app.get(&format!("/api/v1/webhooks/endpoints/{ep}"), &t).await.expect(200);
    assert_eq!((e.body["enabled"].as_bool(), e.body["disabled_reason"].as_str()), (Some(false), Some("gone")));
    member(&app, &t, "bob@example.com").await;
    drain(&app).await;
    assert_eq!(rx.on("/gone").len(), 1, "a disabled endpoint gets nothing more");
    assert_eq!(deliveries(&app, &t, &ep).await.len(), 1, "and no delivery is queued for it");
    // Enabling it again clears the reason; the failed delivery can be replayed.
    let e = app.patch(&format!("/api/v1/webhooks/endpoints/{ep}"), &t, json!({"enabled": true})).await.expect(200);
    assert!(e.body["disabled_reason"].is_null());
    let since = tollgate_app::wire::rfc3339(app.clock_now() - time::Duration::hours(1));
    let r = app.post(&format!("/api/v1/webhooks/endpoints/{ep}/replay"), &t, json!({"since": since})).await.expect(202);
    assert_eq!(r.body["queued"], 1);
    drain(&app).await;
    assert_eq!(rx.on("/gone").len(), 2);
    assert_eq!(deliveries(&app, &t, &ep).await[0]["status"], "delivered");
}

/// An endpoint failing every try for 5 days is disabled and the owners are emailed.
async fn failing_for_five_days_disables_and_emails(app: TestApp) {
    let t = app.setup().await;
    // Nothing listens on this port: every try fails to connect.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (ep, _) = endpoint(&app, &t, &format!("http://127.0.0.1:{port}/down"), json!(["user.created"])).await;
    for i in 0..6 {
        let t = app.login_owner().await;
        member(&app, &t, &format!("m{i}@example.com")).await;
        drain(&app).await;
        app.clock.advance(time::Duration::days(1));
    }
    let t = app.login_owner().await;
    let e = app.get(&format!("/api/v1/webhooks/endpoints/{ep}"), &t).await.expect(200);
    assert_eq!((e.body["enabled"].as_bool(), e.body["disabled_reason"].as_str()), (Some(false), Some("failing")), "{}", e.body);
    let log = deliveries(&app, &t, &ep).await;
    assert!(log.iter().all(|d| d["status"] == "failed"), "{log:?}");
    // Nothing is left to retry: a try that was in flight when the endpoint was
    // disabled keeps its own error, the others say why they stopped.
    assert!(log.iter().all(|d| d["next_attempt_at"].is_null()), "{log:?}");
    assert!(log.iter().all(|d| {
        let e = d["last_error"].as_str().unwrap_or("");
        e == "the endpoint was disabled (failing)" || e.contains("could not connect")
    }), "{log:?}");
    assert!(log.iter().any(|d| d["last_error"] == "the endpoint was disabled (failing)"), "{log:?}");
    let first = log.last().unwrap();
    // Tried every day; on day 5 the endpoint is disabled by whichever try fails first.
    let tries = first["tries"].as_array().unwrap().len();
    assert!((5..=6).contains(&tries), "tried each day until disabled: {tries}");
    assert!(first["tries"][0]["error"].as_str().unwrap().contains("could not connect"), "{first}");
    let mails = app.get("/api/v1/emails", &t).await.expect(200).body["data"].as_array().unwrap().clone();
    let warn: Vec<_> = mails.iter().filter(|m| m["template"] == "endpoint_disabled").collect();
    assert_eq!(warn.len(), 1);
    assert_eq!(warn[0]["to"], "owner@example.com");
}

/// A rotated secret signs beside the new one for 24 hours.
async fn rotation_signs_with_both_secrets_for_a_day(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    let (ep, old) = endpoint(&app, &t, &format!("{}/old", rx.base), json!(["user.created"])).await;
    let r = app.post(&format!("/api/v1/webhooks/endpoints/{ep}/rotate-secret"), &t, json!({})).await.expect(200);
    let new = r.body["secret"].as_str().unwrap().to_owned();
    assert_ne!(new, old);
    assert!(r.body["previous_secret_expires_at"].is_string());
    // Two receivers' views: one still on the old secret, one on the new.
    rx.control(json!({"path": "/old", "secret": old})).await;
    member(&app, &t, "ada@example.com").await;
    drain(&app).await;
    let got = rx.on("/old");
    assert_eq!(got[0]["headers"]["webhook-signature"].as_str().unwrap().split(' ').count(), 2);
    assert_eq!(got[0]["verify_ok"], true, "the old secret still verifies: {}", got[0]);
    rx.control(json!({"path": "/old", "secret": new})).await;
    app.post(&format!("/api/v1/webhooks/endpoints/{ep}/test"), &t, json!({"event_type": "user.created"})).await.expect(202);
    drain(&app).await;
    let got = rx.on("/old");
    assert_eq!(got[1]["verify_ok"], true, "the new secret verifies: {}", got[1]);
    assert_eq!(body(&got[1])["data"]["test"], true);
    app.clock.advance(time::Duration::hours(25));
    let t = app.login_owner().await;
    member(&app, &t, "bob@example.com").await;
    drain(&app).await;
    let got = rx.on("/old");
    assert_eq!(got[2]["headers"]["webhook-signature"].as_str().unwrap().split(' ').count(), 1, "after a day only the new secret signs");
    assert_eq!(got[2]["signature_ok"], true);
}

/// A sender that dies mid-send leaves its deliveries leased; they are sent
/// again, with the same webhook-id, when the lease ends.
async fn a_crashed_sender_is_covered_by_the_lease(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    let (ep, secret) = endpoint(&app, &t, &format!("{}/lease", rx.base), json!(["user.created"])).await;
    rx.control(json!({"secret": secret})).await;
    member(&app, &t, "ada@example.com").await;
    // The "crashed" sender: it claimed the delivery and never answered.
    let db = app.services.db.clone();
    let mut tx = db.begin().await.unwrap();
    let claimed = tollgate_persistence::outbound::claim_due(&mut tx.conn(), 10, app.clock_now(), time::Duration::seconds(60), &[]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(claimed.len(), 1);
    drain(&app).await;
    assert!(rx.on("/lease").is_empty(), "a leased delivery is not sent twice at once");
    app.clock.advance(time::Duration::seconds(61));
    drain(&app).await;
    let got = rx.on("/lease");
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["headers"]["webhook-id"].as_str(), Some(claimed[0].0.message_id.as_str()));
    let log = deliveries(&app, &app.login_owner().await, &ep).await;
    assert_eq!(log[0]["status"], "delivered");
}

/// A delivery whose endpoint cannot be read when it is about to be sent (here
/// its sealed secret does not open) is given back for a minute, not lost and
/// not retried in a loop: once the endpoint reads again, the same dispatcher
/// sends it. It used to stay held in memory on PostgreSQL until the process
/// restarted.
async fn an_endpoint_that_cannot_be_read_gives_its_delivery_back(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    let (ep, secret) = endpoint(&app, &t, &format!("{}/back", rx.base), json!(["user.created"])).await;
    rx.control(json!({"secret": secret})).await;
    member(&app, &t, "ada@example.com").await;
    let mut c = app.services.db.acquire().await.unwrap();
    let sealed: String = tollgate_persistence::on!(&mut c.conn(), c => sqlx::query_scalar("SELECT secret_sealed FROM webhook_endpoints WHERE id = $1").bind(&ep).fetch_one(&mut **c).await.unwrap());
    let set = async |c: &mut tollgate_persistence::PooledConn, v: &str| {
        tollgate_persistence::on!(&mut c.conn(), c => sqlx::query("UPDATE webhook_endpoints SET secret_sealed = $1 WHERE id = $2").bind(v).bind(&ep).execute(&mut **c).await.map(|_| ()).unwrap());
    };
    set(&mut c, "not a sealed secret").await;
    let d = Dispatcher::new(app.services.clone());
    assert_eq!(d.run_once().await.unwrap(), 1);
    assert!(rx.on("/back").is_empty(), "nothing is sent without the endpoint's keys");
    set(&mut c, &sealed).await;
    drop(c);
    assert_eq!(d.run_once().await.unwrap(), 0, "due again a minute later, not at once");
    app.clock.advance(time::Duration::seconds(61));
    assert_eq!(d.run_once().await.unwrap(), 1, "the delivery was given back: due again");
    assert_eq!(rx.on("/back").len(), 1);
    assert_eq!(rx.on("/back")[0]["signature_ok"], true);
}

/// A receiver that hangs past the timeout slows only itself.
async fn a_hanging_receiver_blocks_no_one(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    slow_endpoint(&app, &t, &rx, 6).await;
    let (_fast, s2) = endpoint(&app, &t, &format!("{}/fast", rx.base), json!(["user.created"])).await;
    rx.control(json!({"path": "/fast", "secret": s2})).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(Dispatcher::new(app.services.clone()).run(stopped));
    members(&app, &t, 6).await;
    // Every event reaches the fast endpoint while the slow one hangs (15 s timeout).
    rx.wait_for("/fast", 6, Duration::from_secs(10), "the fast endpoint waited behind the slow one").await;
    // At most 4 tries are in flight to one endpoint.
    assert!(rx.on("/slow").len() <= 4, "{}", rx.on("/slow").len());
    stop.send(true).unwrap();
    running.await.unwrap();
}

/// While its tries are in flight to a slow receiver, the dispatcher leaves
/// the queue alone but for its poll. On PostgreSQL the rows it holds still
/// read as due, and it used to claim again and again, reading them back
/// (hundreds of reads a second), until their answers were written.
async fn a_dispatcher_waiting_on_its_tries_leaves_the_queue_alone(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    slow_endpoint(&app, &t, &rx, 2).await;
    members(&app, &t, 2).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let d = Dispatcher::new(app.services.clone());
    let running = tokio::spawn(d.clone().run(stopped));
    rx.wait_for("/slow", 2, Duration::from_secs(10), "the tries did not start").await;
    let before = d.claims();
    tokio::time::sleep(Duration::from_secs(2)).await;
    let during = d.claims() - before;
    // The poll looks every 250 ms: 8 claims in 2 s, and some slack.
    assert!(during <= 12, "{during} claims in 2 s while two tries hung and nothing else was due");
    stop.send(true).unwrap();
    running.await.unwrap();
}

/// Stopping the dispatcher gives back the deliveries waiting in its lanes:
/// the next sender (a restarted worker) sends them at once, not after the
/// 60 s lease. The tries in flight are abandoned: on SQLite they wait for
/// their lease; on PostgreSQL nothing leases a row (the stopped dispatcher
/// owned the endpoint, and gave it up), so they are sent again at once too,
/// with the same webhook-id.
async fn stopping_gives_back_what_waited(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    slow_endpoint(&app, &t, &rx, 4).await;
    members(&app, &t, 10).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(Dispatcher::new(app.services.clone()).run(stopped));
    // Four tries hang (at most 4 in flight per endpoint); six wait in the endpoint's lane.
    rx.wait_for("/slow", 4, Duration::from_secs(10), "the first tries did not start").await;
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(rx.on("/slow").len(), 4);
    stop.send(true).unwrap();
    running.await.unwrap();
    // The clock has not moved: only rows given back are due.
    drain(&app).await;
    let got = rx.on("/slow");
    let ids: std::collections::HashSet<_> = got.iter().map(|r| r["headers"]["webhook-id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(ids.len(), 10, "every event arrived");
    match app.services.db.backend() {
        Backend::Sqlite => assert_eq!(got.len(), 10, "the six that waited are sent at once, the four in flight wait for their lease"),
        Backend::Postgres => assert_eq!(got.len(), 14, "the six that waited and the four abandoned are sent at once"),
    }
}

/// A dispatcher whose stop channel's sender is dropped (its owner ended or
/// panicked) returns, as if told to stop. It used to spin: `changed()` on a
/// closed channel answers at once, forever.
async fn a_dropped_stop_channel_ends_the_dispatcher(app: TestApp) {
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(Dispatcher::new(app.services.clone()).run(stopped));
    drop(stop);
    // A bound only so that the old behaviour fails instead of hanging the run.
    tokio::time::timeout(Duration::from_secs(60), running).await.expect("the dispatcher still runs after its stop channel closed").unwrap();
}

async fn zapier_hooks(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    let key = app.post("/api/v1/api-keys", &t, json!({"name": "Zapier", "scopes": ["webhooks:write", "users:write", "products:read"]})).await.expect(201);
    let k = key.body["secret"].as_str().unwrap().to_owned();
    let bad = app.post("/api/v1/hooks", &k, json!({"target_url": format!("{}/zap", rx.base), "event": "user.flew"})).await.expect(422);
    assert_eq!(bad.fields(), vec!["event"]);
    let h = app.post("/api/v1/hooks", &k, json!({"target_url": format!("{}/zap", rx.base), "event": "user.created"})).await.expect(201);
    assert_eq!(h.body["event"], "user.created");
    let hook = h.id();
    // performList: a made-up sample before any real event, then real ones.
    let s = app.get("/api/v1/hooks/samples/user.created", &k).await.expect(200);
    assert_eq!(s.body[0]["type"], "user.created");
    assert!(s.body[0]["data"]["member"]["email"].is_string());
    app.get("/api/v1/hooks/samples/user.flew", &k).await.expect(404);
    member(&app, &t, "ada@example.com").await;
    drain(&app).await;
    let got = rx.on("/zap");
    assert_eq!(got.len(), 1);
    assert!(got[0]["headers"]["webhook-signature"].is_null(), "Zapier hooks are unsigned");
    assert_eq!(body(&got[0])["data"]["member"]["email"], "ada@example.com");
    let s = app.get("/api/v1/hooks/samples/user.created", &k).await.expect(200);
    assert_eq!(s.body[0]["data"]["member"]["email"], "ada@example.com");
    // Another app cannot see or remove it.
    let other = app.second_tenant().await;
    app.req(Method::DELETE, &format!("/api/v1/hooks/{hook}"), Some(&other), None).await.expect(404);
    app.get(&format!("/api/v1/webhooks/endpoints/{hook}"), &other).await.expect(404);
    // Zapier answers 410 when the Zap is turned off: the hook is removed.
    rx.control(json!({"path": "/zap", "script": [410]})).await;
    member(&app, &t, "bob@example.com").await;
    drain(&app).await;
    app.req(Method::DELETE, &format!("/api/v1/hooks/{hook}"), Some(&k), None).await.expect(404);
    // Unsubscribe.
    let h2 = app.post("/api/v1/hooks", &k, json!({"target_url": format!("{}/zap2", rx.base), "event": "user.created"})).await.expect(201).id();
    app.req(Method::DELETE, &format!("/api/v1/hooks/{h2}"), Some(&k), None).await.expect(204);
    member(&app, &t, "cy@example.com").await;
    drain(&app).await;
    assert!(rx.on("/zap2").is_empty());
    // A key without the webhooks scope cannot subscribe.
    let ro = app.post("/api/v1/api-keys", &t, json!({"name": "ro", "scopes": ["users:read"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    app.post("/api/v1/hooks", &ro, json!({"target_url": format!("{}/zap", rx.base), "event": "user.created"})).await.expect(403);
}

async fn member_updates_and_filters(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    let (ep, secret) = endpoint(&app, &t, &format!("{}/m", rx.base), json!(["member.updated"])).await;
    rx.control(json!({"secret": secret})).await;
    let m = member(&app, &t, "ada@example.com").await;
    app.patch(&format!("/api/v1/users/{m}"), &t, json!({"name": "Ada King"})).await.expect(200);
    drain(&app).await;
    let got = rx.on("/m");
    assert_eq!(got.len(), 1, "user.created is filtered out; member.updated goes");
    let b = body(&got[0]);
    assert_eq!((b["type"].as_str(), b["data"]["member"]["name"].as_str()), (Some("member.updated"), Some("Ada King")));
    assert!(b["data"]["activity"].is_null());
    // Filtering the log.
    let r = app.get(&format!("/api/v1/webhooks/endpoints/{ep}/deliveries?status=delivered&event_type=member.updated"), &t).await.expect(200);
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    let r = app.get(&format!("/api/v1/webhooks/endpoints/{ep}/deliveries?status=failed"), &t).await.expect(200);
    assert_eq!(r.body["data"].as_array().unwrap().len(), 0);
    let r = app.get(&format!("/api/v1/webhooks/endpoints/{ep}/deliveries?status=lost"), &t).await.expect(422);
    assert_eq!(r.fields(), vec!["status"]);
    // Disabled: nothing is queued.
    app.patch(&format!("/api/v1/webhooks/endpoints/{ep}"), &t, json!({"enabled": false})).await.expect(200);
    app.patch(&format!("/api/v1/users/{m}"), &t, json!({"name": "Ada"})).await.expect(200);
    drain(&app).await;
    assert_eq!(rx.on("/m").len(), 1);
    app.post(&format!("/api/v1/webhooks/endpoints/{ep}/test"), &t, json!({})).await.expect(409);
    // Delete.
    app.req(Method::DELETE, &format!("/api/v1/webhooks/endpoints/{ep}"), Some(&t), None).await.expect(204);
    app.get(&format!("/api/v1/webhooks/endpoints/{ep}"), &t).await.expect(404);
    let cat = app.get("/api/v1/webhooks/event-types", &t).await.expect(200);
    assert!(cat.body["data"].as_array().unwrap().iter().any(|e| e["type"] == "product.access_granted" && e["label"] == "Product Access Granted"));
}

async fn bad_input_is_refused(app: TestApp) {
    let t = app.setup().await;
    let r = app.post("/api/v1/webhooks/endpoints", &t, json!({"url": "not a url", "event_types": ["user.flew"], "description": "x".repeat(501)})).await.expect(422);
    let mut f = r.fields();
    f.sort();
    assert_eq!(f, vec!["description", "event_types", "url"]);
    app.post("/api/v1/webhooks/endpoints", &t, json!({"url": "https://example.com", "colour": "red"})).await.expect(422);
    for i in 0..50 {
        app.post("/api/v1/webhooks/endpoints", &t, json!({"url": format!("https://hooks.example.com/{i}")})).await.expect(201);
    }
    let r = app.post("/api/v1/webhooks/endpoints", &t, json!({"url": "https://hooks.example.com/51"})).await.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "limit_reached");
    let page = app.get("/api/v1/webhooks/endpoints?limit=20", &t).await.expect(200);
    assert_eq!(page.body["data"].as_array().unwrap().len(), 20);
    let next = page.body["next_cursor"].as_str().unwrap();
    let page2 = app.get(&format!("/api/v1/webhooks/endpoints?limit=40&cursor={next}"), &t).await.expect(200);
    assert_eq!(page2.body["data"].as_array().unwrap().len(), 30);
    // A viewer reads but cannot write: covered by roles; another app's ids are 404.
    let ep = page.body["data"][0]["id"].as_str().unwrap().to_owned();
    let other = app.second_tenant().await;
    app.get(&format!("/api/v1/webhooks/endpoints/{ep}"), &other).await.expect(404);
    app.patch(&format!("/api/v1/webhooks/endpoints/{ep}"), &other, json!({"enabled": false})).await.expect(404);
    app.get(&format!("/api/v1/webhooks/endpoints/{ep}/deliveries"), &other).await.expect(404);
    app.req(Method::DELETE, &format!("/api/v1/webhooks/endpoints/{ep}"), Some(&other), None).await.expect(404);
    app.get("/api/v1/webhooks/deliveries/dlv_0192f0c3000070008000000000000000", &t).await.expect(404);
}

/// Without allow_private_networks, private and plain-http URLs are refused at creation.
async fn private_addresses_are_refused(backend: Backend) {
    let app = TestApp::spawn(backend).await;
    let t = app.setup().await;
    for (url, code) in [
        ("http://127.0.0.1:9000/hook", "https_required"),
        ("https://127.0.0.1/hook", "private_address"),
        ("https://10.0.0.5/hook", "private_address"),
        ("https://169.254.169.254/latest/meta-data", "private_address"),
        ("https://[::1]/hook", "private_address"),
        ("https://localhost/hook", "private_address"),
        ("http://hooks.example.com/", "https_required"),
    ] {
        let r = app.post("/api/v1/webhooks/endpoints", &t, json!({"url": url})).await.expect(422);
        assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec!["url".to_owned()], Some(code)), "{url}");
    }
    let key = app.post("/api/v1/api-keys", &t, json!({"name": "Zapier", "scopes": ["webhooks:write"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    let r = app.post("/api/v1/hooks", &key, json!({"target_url": "https://192.168.1.10/zap", "event": "user.created"})).await.expect(422);
    assert_eq!(r.fields(), vec!["target_url"]);
    app.post("/api/v1/webhooks/endpoints", &t, json!({"url": "https://hooks.example.com/in"})).await.expect(201);
}

// Each test on SQLite and PostgreSQL, on a server that may send to the
// receiver on 127.0.0.1 (`spawn`).

crate::both!(spawn = super::spawn;
    
    retries_keep_the_webhook_id,
    gone_disables_the_endpoint,
    failing_for_five_days_disables_and_emails,
    rotation_signs_with_both_secrets_for_a_day,
    a_hanging_receiver_blocks_no_one,
    a_dispatcher_waiting_on_its_tries_leaves_the_queue_alone,
    a_crashed_sender_is_covered_by_the_lease,
    an_endpoint_that_cannot_be_read_gives_its_delivery_back,
    stopping_gives_back_what_waited,
    a_dropped_stop_channel_ends_the_dispatcher,
    zapier_hooks,
    member_updates_and_filters,
    bad_input_is_refused,
);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stripe_grant_is_delivered_once_and_signed() {
    stripe_grant_is_delivered_once_and_signed(Backend::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stripe_grant_is_delivered_once_and_signed() {
    stripe_grant_is_delivered_once_and_signed(Backend::Postgres).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_private_addresses_are_refused() {
    private_addresses_are_refused(Backend::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_private_addresses_are_refused() {
    private_addresses_are_refused(Backend::Postgres).await;
}
