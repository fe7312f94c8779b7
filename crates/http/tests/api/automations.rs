//! Automations end to end: triggers from activities (and a Stripe
//! subscription through the emulator), waits honoured with the injected
//! clock, time-based triggers from the sweep, loop protection, versions,
//! retry, dry run, templates.

use reqwest::Method;
use serde_json::{Value, json};
use tollgate_domain::ids::AppId;

use crate::both;
use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator, KEY, id, wait_inbox};

async fn product(app: &TestApp, t: &str, name: &str) -> String {
    app.post("/api/v1/products", t, json!({"name": name})).await.expect(201).id()
}

async fn member(app: &TestApp, t: &str, email: &str) -> String {
    app.post("/api/v1/users", t, json!({"email": email, "name": "Ada"})).await.expect(201).id()
}

async fn runs(app: &TestApp, t: &str, automation: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/automation-runs?automation_id={automation}"), t).await.expect(200).body["data"].as_array().unwrap().clone()
}

async fn active_products(app: &TestApp, t: &str, user: &str) -> Vec<String> {
    let g = app.get(&format!("/api/v1/users/{user}/access"), t).await.expect(200);
    g.body["data"].as_array().unwrap().iter().filter(|g| g["active"] == true).map(|g| g["product_id"].as_str().unwrap().to_owned()).collect()
}

async fn app_id(app: &TestApp, t: &str) -> AppId {
    AppId::from_trusted(app.get("/api/v1/app", t).await.expect(200).body["id"].as_str().unwrap().to_owned())
}

/// Done means: "when Product Access Granted for Any product → send the welcome
/// template → wait 1 day → grant the bonus product" runs exactly once per grant
/// (a Stripe subscription triggers it), the wait is honoured, the history shows each step.
async fn welcome_flow_from_a_stripe_subscription(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    let sp = stripe.post("/v1/products", &[("name", "Mastermind")]).await;
    let price = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "usd"), ("unit_amount", "2500"), ("recurring[interval]", "month")]).await;
    let course = product(&app, &t, "Mastermind").await;
    let bonus = product(&app, &t, "Bonus").await;
    app.req(Method::PUT, &format!("/api/v1/products/{course}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    app.drain_jobs().await;

    let a = app
        .post(
            "/api/v1/automations",
            &t,
            json!({
                "name": "Welcome, then a bonus",
                "trigger": {"type": "activity", "kind": "product.access_granted"},
                "conditions": [{"type": "lacks_access", "product_id": bonus}],
                "steps": [
                    {"type": "send_email", "template_id": "builtin:welcome"},
                    {"type": "wait", "amount": 1, "unit": "days"},
                    {"type": "grant_access", "product_id": bonus}
                ]
            }),
        )
        .await
        .expect(201);
    let auto = a.id();
    assert_eq!((a.body["version"].as_i64(), a.body["enabled"].as_bool()), (Some(1), Some(true)));

    let ada = stripe.customer("ada@example.com", "Ada").await;
    stripe.subscribe(&ada, &id(&price)).await;
    wait_inbox(&app, &t, "subscription created", |e| e["type"] == "customer.subscription.created").await;
    app.drain_jobs().await;
    app.drain_jobs().await; // the same events again change nothing

    let r = runs(&app, &t, &auto).await;
    assert_eq!(r.len(), 1, "one run per grant: {r:?}");
    let run = r[0]["id"].as_str().unwrap().to_owned();
    assert_eq!((r[0]["status"].as_str(), r[0]["current_step"].as_i64()), (Some("waiting"), Some(2)));
    let member = r[0]["user_id"].as_str().unwrap().to_owned();
    let mails = app.get("/api/v1/emails", &t).await.expect(200).body["data"].as_array().unwrap().clone();
    let welcome: Vec<_> = mails.iter().filter(|m| m["template"] == "automation").collect();
    assert_eq!(welcome.len(), 1);
    assert_eq!((welcome[0]["to"].as_str(), welcome[0]["subject"].as_str()), (Some("ada@example.com"), Some("Welcome to Academy")));
    assert!(welcome[0]["html_body"].as_str().unwrap().contains("<strong>Academy</strong>"));
    assert_eq!(active_products(&app, &t, &member).await, vec![course.clone()], "the bonus waits a day");

    // 23 hours later: still waiting.
    app.clock.advance(time::Duration::hours(23));
    app.drain_jobs().await;
    let t = app.login_owner().await;
    assert_eq!(active_products(&app, &t, &member).await.len(), 1);
    app.clock.advance(time::Duration::hours(2));
    app.drain_jobs().await;
    let t = app.login_owner().await;
    let mut got = active_products(&app, &t, &member).await;
    got.sort();
    let mut want = vec![course.clone(), bonus.clone()];
    want.sort();
    assert_eq!(got, want);
    let done = app.get(&format!("/api/v1/automation-runs/{run}"), &t).await.expect(200);
    assert_eq!(done.body["status"], "succeeded");
    let steps: Vec<_> = done.body["steps"].as_array().unwrap().iter().map(|s| (s["type"].as_str().unwrap().to_owned(), s["status"].as_str().unwrap().to_owned())).collect();
    assert_eq!(steps, vec![("send_email".into(), "succeeded".into()), ("wait".into(), "succeeded".into()), ("grant_access".into(), "succeeded".into())]);
    // The bonus grant triggered the automation again, but its condition (lacks the bonus) stopped it.
    let r = runs(&app, &t, &auto).await;
    assert_eq!(r.len(), 2);
    assert_eq!((r[0]["status"].as_str(), r[0]["depth"].as_i64()), (Some("stopped"), Some(2)));
    let grants = app.get(&format!("/api/v1/users/{member}/access?product_id={bonus}"), &t).await.expect(200);
    assert_eq!(grants.body["data"][0]["source"], "automation");
    // The member's own run list.
    let mine = app.get(&format!("/api/v1/automation-runs?user_id={member}"), &t).await.expect(200);
    assert_eq!(mine.body["data"].as_array().unwrap().len(), 2);
}

/// Done means: "renewal in 3 days" fires once per period.
async fn renewal_fires_once_per_period(backend: Backend) {
    let stripe = Emulator::start();
    let base = stripe.base.clone();
    let app = TestApp::spawn_configured(backend, |c| c.stripe.api_base = base).await;
    let t = app.setup().await;
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": KEY})).await.expect(200);
    let sp = stripe.post("/v1/products", &[("name", "Club")]).await;
    let price = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "usd"), ("unit_amount", "900"), ("recurring[interval]", "month")]).await;
    let club = product(&app, &t, "Club").await;
    let other = product(&app, &t, "Other").await;
    app.req(Method::PUT, &format!("/api/v1/products/{club}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    let tpl = app
        .post("/api/v1/email-templates", &t, json!({"name": "Renewal", "subject": "{{product.name}} renews soon", "body": "Hi {{member.name}}, **{{product.name}}** renews in 3 days."}))
        .await
        .expect(201)
        .id();
    let auto = app
        .post("/api/v1/automations", &t, json!({"name": "Renewal reminder", "trigger": {"type": "renewal_upcoming", "days": 3, "product_id": club}, "steps": [{"type": "send_email", "template_id": tpl}]}))
        .await
        .expect(201)
        .id();
    let other_auto = app
        .post("/api/v1/automations", &t, json!({"name": "Other product", "trigger": {"type": "renewal_upcoming", "days": 3, "product_id": other}, "steps": [{"type": "send_email", "template_id": tpl}]}))
        .await
        .expect(201)
        .id();
    let ada = stripe.customer("ada@example.com", "Ada").await;
    let sub = stripe.subscribe(&ada, &id(&price)).await;
    wait_inbox(&app, &t, "subscription created", |e| e["type"] == "customer.subscription.created").await;
    app.drain_jobs().await;
    let period_end = sub["current_period_end"].as_i64().unwrap();
    let app_id = app_id(&app, &t).await;

    // A month away: nothing yet.
    assert_eq!(app.services.sweep_time_triggers(&app_id).await.unwrap(), 0);
    // Two days before the renewal: once, however often the sweep runs.
    let now = app.clock_now().unix_timestamp();
    app.clock.advance(time::Duration::seconds(period_end - now - 2 * 86_400));
    assert_eq!(app.services.sweep_time_triggers(&app_id).await.unwrap(), 1);
    assert_eq!(app.services.sweep_time_triggers(&app_id).await.unwrap(), 0);
    app.clock.advance(time::Duration::hours(1));
    assert_eq!(app.services.sweep_time_triggers(&app_id).await.unwrap(), 0);
    app.drain_jobs().await;
    let t = app.login_owner().await;
    let r = runs(&app, &t, &auto).await;
    assert_eq!(r.len(), 1);
    assert_eq!(r[0]["status"], "succeeded");
    assert!(r[0]["trigger_ref"].as_str().unwrap().starts_with("renewal:sub_"));
    assert!(runs(&app, &t, &other_auto).await.is_empty(), "the product filter holds");
    let mails = app.get("/api/v1/emails", &t).await.expect(200).body["data"].as_array().unwrap().clone();
    assert_eq!(mails.iter().filter(|m| m["subject"] == "Club renews soon").count(), 1);
}

/// Done means: a loop between two automations stops at the depth limit with a clear error.
async fn a_loop_stops_at_the_depth_limit(app: TestApp) {
    let t = app.setup().await;
    let x = product(&app, &t, "X").await;
    let m = member(&app, &t, "ada@example.com").await;
    app.post("/api/v1/automations", &t, json!({"name": "Give X back", "trigger": {"type": "activity", "kind": "product.access_removed", "product_id": x}, "steps": [{"type": "grant_access", "product_id": x}]}))
        .await
        .expect(201);
    let take = app
        .post("/api/v1/automations", &t, json!({"name": "Take X away", "trigger": {"type": "activity", "kind": "product.access_granted", "product_id": x}, "steps": [{"type": "remove_access", "product_id": x}]}))
        .await
        .expect(201)
        .id();
    app.post(&format!("/api/v1/users/{m}/access"), &t, json!({"product_id": x})).await.expect(201);
    app.drain_jobs().await;
    let all = app.get("/api/v1/automation-runs?limit=100", &t).await.expect(200).body["data"].as_array().unwrap().clone();
    assert!(all.len() <= 7, "the chain stopped: {} runs", all.len());
    let failed: Vec<_> = all.iter().filter(|r| r["status"] == "failed").collect();
    assert_eq!(failed.len(), 1, "{all:?}");
    assert!(failed[0]["error"].as_str().unwrap().contains("deeper than the limit of 5"), "{}", failed[0]);
    assert_eq!(failed[0]["depth"], 6);
    let retry = app.post(&format!("/api/v1/automation-runs/{}/retry", failed[0]["id"].as_str().unwrap()), &t, json!({})).await.expect(409);
    assert_eq!(retry.code(), "loop_detected");
    assert!(!runs(&app, &t, &take).await.is_empty());
}

/// Editing keeps runs on their version; disabling cancels waiting runs; retry resumes a failed run.
async fn versions_cancel_and_retry(app: TestApp) {
    let t = app.setup().await;
    let p = product(&app, &t, "Course").await;
    let bonus = product(&app, &t, "Bonus").await;
    let later = product(&app, &t, "Later").await;
    let auto = app
        .post("/api/v1/automations", &t, json!({"name": "Drip", "trigger": {"type": "activity", "kind": "user.created"},
            "steps": [{"type": "wait", "amount": 2, "unit": "hours"}, {"type": "grant_access", "product_id": bonus}]}))
        .await
        .expect(201)
        .id();
    let ada = member(&app, &t, "ada@example.com").await;
    app.drain_jobs().await;
    // A new version while Ada's run waits: Ada keeps version 1 (bonus), new runs get version 2 (later).
    let v2 = app.patch(&format!("/api/v1/automations/{auto}"), &t, json!({"steps": [{"type": "wait", "amount": 2, "unit": "hours"}, {"type": "grant_access", "product_id": later}]})).await.expect(200);
    assert_eq!(v2.body["version"], 2);
    let bob = member(&app, &t, "bob@example.com").await;
    app.drain_jobs().await;
    app.clock.advance(time::Duration::hours(3));
    app.drain_jobs().await;
    let t = app.login_owner().await;
    assert_eq!(active_products(&app, &t, &ada).await, vec![bonus.clone()]);
    assert_eq!(active_products(&app, &t, &bob).await, vec![later.clone()]);

    // Disabling cancels a waiting run.
    let cy = member(&app, &t, "cy@example.com").await;
    app.drain_jobs().await;
    app.patch(&format!("/api/v1/automations/{auto}"), &t, json!({"enabled": false})).await.expect(200);
    app.clock.advance(time::Duration::hours(3));
    app.drain_jobs().await;
    let t = app.login_owner().await;
    assert!(active_products(&app, &t, &cy).await.is_empty());
    let r = runs(&app, &t, &auto).await;
    assert_eq!(r[0]["status"], "cancelled");

    // A step that keeps failing fails the run; retry resumes at that step.
    let ep = app.post("/api/v1/webhooks/endpoints", &t, json!({"url": "https://hooks.example.com/in"})).await.expect(201).id();
    let hook = app
        .post("/api/v1/automations", &t, json!({"name": "Tell the CRM", "trigger": {"type": "activity", "kind": "product.access_granted", "product_id": p},
            "steps": [{"type": "send_webhook", "endpoint_id": ep}]}))
        .await
        .expect(201)
        .id();
    app.patch(&format!("/api/v1/webhooks/endpoints/{ep}"), &t, json!({"enabled": false})).await.expect(200);
    app.post(&format!("/api/v1/users/{ada}/access"), &t, json!({"product_id": p})).await.expect(201);
    for _ in 0..4 {
        app.drain_jobs().await;
        app.clock.advance(time::Duration::minutes(2));
    }
    let t = app.login_owner().await;
    let r = runs(&app, &t, &hook).await;
    assert_eq!(r[0]["status"], "failed", "{r:?}");
    assert!(r[0]["error"].as_str().unwrap().contains("step 1 failed"), "{}", r[0]);
    assert_eq!(r[0]["steps"][0]["status"], "failed");
    let run = r[0]["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/webhooks/endpoints/{ep}"), &t, json!({"enabled": true})).await.expect(200);
    app.post(&format!("/api/v1/automation-runs/{run}/retry"), &t, json!({})).await.expect(202);
    app.drain_jobs().await;
    let r = app.get(&format!("/api/v1/automation-runs/{run}"), &t).await.expect(200);
    assert_eq!(r.body["status"], "succeeded");
    assert_eq!(r.body["steps"][0]["status"], "succeeded");
    let d = app.get(&format!("/api/v1/webhooks/endpoints/{ep}/deliveries"), &t).await.expect(200);
    assert_eq!(d.body["data"][0]["event_type"], "product.access_granted");
    app.post(&format!("/api/v1/automation-runs/{run}/retry"), &t, json!({})).await.expect(409);
}

async fn dry_run_and_templates(app: TestApp) {
    let t = app.setup().await;
    let p = product(&app, &t, "Course").await;
    let ada = member(&app, &t, "ada@example.com").await;
    let tpl = app
        .post("/api/v1/email-templates", &t, json!({"name": "Hi", "subject": "Hello {{member.name}}", "body": "Welcome to **{{site.name}}**, {{member.name}}!"}))
        .await
        .expect(201)
        .id();
    let bad = app.post("/api/v1/email-templates", &t, json!({"name": "Oops", "subject": "Hi", "body": "Dear {{membr.name}}"})).await.expect(422);
    assert_eq!((bad.fields(), bad.body["errors"][0]["code"].as_str()), (vec!["body".to_owned()], Some("unknown_variable")));
    let pv = app.post("/api/v1/email-templates/preview", &t, json!({"subject": "Hello {{member.name}}", "body": "**{{product.name}}** <script>alert(1)</script>", "user_id": ada})).await.expect(200);
    assert_eq!(pv.body["subject"], "Hello Ada");
    assert!(pv.body["html"].as_str().unwrap().contains("<strong>Starter Course</strong>"));
    assert!(!pv.body["html"].as_str().unwrap().contains("<script"));
    let auto = app
        .post("/api/v1/automations", &t, json!({"name": "Onboard", "trigger": {"type": "activity", "kind": "user.login"},
            "conditions": [{"type": "lacks_access", "product_id": p}, {"type": "member_field", "field": "email", "equals": "ADA@example.com"}],
            "steps": [{"type": "send_email", "template_id": tpl}, {"type": "wait", "amount": 3, "unit": "days"}, {"type": "grant_access", "product_id": p, "days": 30}]}))
        .await
        .expect(201)
        .id();
    let dry = app.post(&format!("/api/v1/automations/{auto}/dry-run"), &t, json!({"user_id": ada})).await.expect(200);
    assert_eq!(dry.body["would_run"], true);
    assert_eq!(dry.body["steps"][0]["would"], "email ada@example.com \"Hello Ada\"");
    assert_eq!(dry.body["steps"][2]["would"], "grant ada@example.com access to Course for 30 days");
    assert!(runs(&app, &t, &auto).await.is_empty(), "a dry run changes nothing");
    assert!(active_products(&app, &t, &ada).await.is_empty());
    app.post(&format!("/api/v1/users/{ada}/access"), &t, json!({"product_id": p})).await.expect(201);
    let dry = app.post(&format!("/api/v1/automations/{auto}/dry-run"), &t, json!({"user_id": ada})).await.expect(200);
    assert_eq!((dry.body["would_run"].as_bool(), dry.body["conditions"][0]["holds"].as_bool()), (Some(false), Some(false)));
    // A template an automation uses cannot be deleted.
    assert_eq!(app.req(Method::DELETE, &format!("/api/v1/email-templates/{tpl}"), Some(&t), None).await.expect(409).code(), "template_in_use");
    let list = app.get("/api/v1/automations", &t).await.expect(200);
    assert_eq!(list.body["data"][0]["name"], "Onboard");
    let reference = app.get("/api/v1/email-templates/reference", &t).await.expect(200);
    assert!(reference.body["variables"].as_array().unwrap().iter().any(|v| v["name"] == "member.name"));
}

async fn bad_input_is_refused(app: TestApp) {
    let t = app.setup().await;
    let p = product(&app, &t, "Course").await;
    let other = app.second_tenant().await;
    let theirs = product(&app, &other, "Theirs").await;
    let r = app
        .post("/api/v1/automations", &t, json!({"name": "x", "trigger": {"type": "moon_phase"}, "steps": [{"type": "wait", "amount": 1, "unit": "days"}]}))
        .await
        .expect(422);
    assert!(r.fields()[0].starts_with("trigger"), "{:?}", r.body);
    let r = app
        .post("/api/v1/automations", &t, json!({"name": "x", "trigger": {"type": "activity", "kind": "user.login"}, "steps": [{"type": "teleport"}]}))
        .await
        .expect(422);
    assert!(r.fields()[0].starts_with("steps"), "{:?}", r.body);
    let r = app
        .post("/api/v1/automations", &t, json!({"name": "", "trigger": {"type": "activity", "kind": "user.flew"},
            "steps": [{"type": "grant_access", "product_id": theirs}, {"type": "wait", "amount": 366, "unit": "days"}, {"type": "grant_access", "product_id": p}, {"type": "remove_access", "product_id": p},
                      {"type": "send_email", "template_id": "tpl_0192f0c3000070008000000000000000"}, {"type": "add_crm_tag", "tag": "VIP"}]}))
        .await
        .expect(422);
    let mut f = r.fields();
    f.sort();
    assert_eq!(f, vec!["name", "steps[0].product_id", "steps[1].amount", "steps[3].product_id", "steps[4].template_id", "steps[5].type", "trigger.kind"]);
    let crm = r.body["errors"].as_array().unwrap().iter().find(|e| e["field"] == "steps[5].type").unwrap().clone();
    assert_eq!(crm["code"], "crm_not_connected");
    let mine = app
        .post("/api/v1/automations", &t, json!({"name": "ok", "trigger": {"type": "activity", "kind": "user.login"}, "steps": [{"type": "wait", "amount": 1, "unit": "days"}]}))
        .await
        .expect(201)
        .id();
    app.get(&format!("/api/v1/automations/{mine}"), &other).await.expect(404);
    app.patch(&format!("/api/v1/automations/{mine}"), &other, json!({"enabled": false})).await.expect(404);
    app.req(Method::DELETE, &format!("/api/v1/automations/{mine}"), Some(&other), None).await.expect(404);
    app.get(&format!("/api/v1/automation-runs?automation_id={mine}"), &other).await.expect(404);
    // A viewer-like key without the scope.
    let key = app.post("/api/v1/api-keys", &t, json!({"name": "ro", "scopes": ["users:read"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    app.get("/api/v1/automations", &key).await.expect(403);
    app.req(Method::DELETE, &format!("/api/v1/automations/{mine}"), Some(&t), None).await.expect(204);
}

both!(a_loop_stops_at_the_depth_limit, versions_cancel_and_retry, dry_run_and_templates, bad_input_is_refused);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_welcome_flow_from_a_stripe_subscription() {
    welcome_flow_from_a_stripe_subscription(Backend::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_welcome_flow_from_a_stripe_subscription() {
    welcome_flow_from_a_stripe_subscription(Backend::Postgres).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_renewal_fires_once_per_period() {
    renewal_fires_once_per_period(Backend::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_renewal_fires_once_per_period() {
    renewal_fires_once_per_period(Backend::Postgres).await;
}
