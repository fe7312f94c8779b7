//! Lifecycle stages (issue 13): a member's stage, MRR and renewal date follow
//! their Stripe subscription; each stage change is an activity and an
//! outbound event; the app edits its stages and every member is recomputed.

use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::outbound::{Receiver, body, drain, endpoint};
use crate::stripe_emulator::{Emulator, KEY, id, wait_inbox};

async fn member(app: &TestApp, t: &str, m: &str) -> Value {
    app.get(&format!("/api/v1/users/{m}"), t).await.expect(200).body
}

/// Processes Stripe's deliveries until the member reaches `stage`.
async fn wait_stage(app: &TestApp, t: &str, email: &str, stage: &str) -> Value {
    for _ in 0..100 {
        app.drain_jobs().await;
        let r = app.get(&format!("/api/v1/users?q={email}"), t).await.expect(200);
        if let Some(u) = r.body["data"].as_array().unwrap().first() {
            if u["stage"] == stage {
                return u.clone();
            }
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{email} never reached the stage {stage}");
}

fn emails(r: &Value) -> Vec<String> {
    r["data"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect()
}

/// Done means: trialing → active → canceled in the emulator moves the member
/// Trial → Customer → Churn, with three activities and an outbound webhook each.
async fn stages_follow_the_subscription(backend: Backend) {
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
    let p = app.post("/api/v1/products", &t, json!({"name": "Mastermind"})).await.expect(201).id();
    app.req(Method::PUT, &format!("/api/v1/products/{p}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    let (_, secret) = endpoint(&app, &t, &format!("{}/stages", rx.base), json!(["member.stage_changed"])).await;
    rx.control(json!({"secret": secret})).await;
    // A member without a subscription has no stage.
    let bob = app.post("/api/v1/users", &t, json!({"email": "bob@example.com", "name": "Bob"})).await.expect(201).body;
    assert_eq!((bob["stage"].clone(), bob["mrr"].as_i64(), bob["renews_at"].clone()), (Value::Null, Some(0), Value::Null));

    let ada = stripe.customer("ada@example.com", "Ada").await;
    let sub = id(&stripe.post("/v1/subscriptions", &[("customer", &ada), ("items[0][price]", &id(&price)), ("trial_period_days", "5")]).await);
    wait_inbox(&app, &t, "subscription created", |e| e["type"] == "customer.subscription.created").await;
    let u = wait_stage(&app, &t, "ada@example.com", "Trial").await;
    let m = u["id"].as_str().unwrap().to_owned();
    assert_eq!(u["mrr"], 0, "a trial is worth nothing yet");
    assert!(app.get("/api/v1/app/metrics/mrr-movements", &t).await.expect(200).body["data"].as_array().unwrap().is_empty(), "a trial moves no MRR");
    let renews = time::OffsetDateTime::parse(u["renews_at"].as_str().expect("the trial's end"), &time::format_description::well_known::Rfc3339).unwrap();
    let left = renews - app.clock_now();
    // (The emulator runs on the real clock, the server on the test's.)
    assert!(left > time::Duration::days(4) && left <= time::Duration::days(5) + time::Duration::minutes(1), "renews when the 5-day trial ends, in {left}");
    // The members list filters by renewal within N days.
    assert_eq!(emails(&app.get("/api/v1/users?renews_within_days=7", &t).await.expect(200).body), vec!["ada@example.com"]);
    assert!(emails(&app.get("/api/v1/users?renews_within_days=3", &t).await.expect(200).body).is_empty());

    stripe.post(&format!("/_testkit/subscriptions/{sub}/status"), &[("status", "active")]).await;
    let u = wait_stage(&app, &t, "ada@example.com", "Customer").await;
    assert_eq!((u["mrr"].as_i64(), u["mrr_currency"].as_str()), (Some(2500), Some("usd")));
    assert_eq!(emails(&app.get("/api/v1/users?stage=Customer", &t).await.expect(200).body), vec!["ada@example.com"]);
    let mv = app.get("/api/v1/app/metrics/mrr-movements", &t).await.expect(200).body["data"][0].clone();
    assert_eq!((mv["currency"].as_str(), mv["new"].as_i64(), mv["new_subscriptions"].as_i64(), mv["net"].as_i64()), (Some("usd"), Some(2500), Some(1), Some(2500)), "{mv}");

    stripe.call(Method::DELETE, &format!("/v1/subscriptions/{sub}"), &[]).await;
    let u = wait_stage(&app, &t, "ada@example.com", "Churn").await;
    assert_eq!((u["mrr"].as_i64(), u["renews_at"].clone()), (Some(0), Value::Null));
    assert!(emails(&app.get("/api/v1/users?stage=Customer", &t).await.expect(200).body).is_empty());

    // Processing the same events again changes nothing.
    app.drain_jobs().await;
    let mv = app.get("/api/v1/app/metrics/mrr-movements", &t).await.expect(200).body["data"][0].clone();
    assert_eq!((mv["new"].as_i64(), mv["churned"].as_i64(), mv["churned_subscriptions"].as_i64(), mv["net"].as_i64()), (Some(2500), Some(-2500), Some(1), Some(0)), "{mv}");
    // A range before any of it is empty; a bad range names the field.
    let before = app.get("/api/v1/app/metrics/mrr-movements?from=2020-01-01&to=2020-01-31", &t).await.expect(200).body;
    assert!(before["data"].as_array().unwrap().is_empty());
    assert_eq!(app.get("/api/v1/app/metrics/mrr-movements?from=2020-13-01", &t).await.expect(422).fields(), ["from"]);
    let r = app.get(&format!("/api/v1/activities?user_id={m}&kind=member.stage_changed"), &t).await.expect(200);
    let moves: Vec<(Value, Value)> = r.body["data"].as_array().unwrap().iter().rev().map(|a| (a["data"]["from"].clone(), a["data"]["to"].clone())).collect();
    assert_eq!(moves, vec![(Value::Null, json!("Trial")), (json!("Trial"), json!("Customer")), (json!("Customer"), json!("Churn"))]);

    drain(&app).await;
    let got = rx.on("/stages");
    assert_eq!(got.len(), 3, "one webhook per stage change: {got:?}");
    // Deliveries are concurrent, so they may arrive in any order; each names its move.
    let mut sent: Vec<(Value, Value)> = got
        .iter()
        .map(|d| {
            assert_eq!(d["verify_ok"], true, "{d}");
            let b = body(d);
            assert_eq!(b["type"], "member.stage_changed");
            assert_eq!(b["data"]["member"]["id"], m.as_str());
            (b["data"]["activity"]["data"]["from"].clone(), b["data"]["activity"]["data"]["to"].clone())
        })
        .collect();
    sent.sort_by_key(|(_, to)| ["Trial", "Customer", "Churn"].iter().position(|s| to == s));
    assert_eq!(sent, moves);
    let totals = app.get("/api/v1/app/metrics/stages", &t).await.expect(200).body;
    let rows: Vec<(Value, i64)> = totals["data"].as_array().unwrap().iter().map(|r| (r["stage"].clone(), r["members"].as_i64().unwrap())).collect();
    assert_eq!(rows, vec![(json!("Customer"), 0), (json!("Trial"), 0), (json!("Churn"), 1), (Value::Null, 1)]);
    assert_eq!(member(&app, &t, bob["id"].as_str().unwrap()).await["stage"], Value::Null);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stages_follow_the_subscription() {
    stages_follow_the_subscription(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stages_follow_the_subscription() {
    stages_follow_the_subscription(Backend::Postgres).await;
}

/// The app edits its stages: bad definitions are refused field by field; a
/// "Lead" stage for members without a subscription is applied to every
/// existing member by the background recompute, and to new members at once.
async fn editing_stages_recomputes_every_member(app: TestApp) {
    let t = app.setup().await;
    let d = app.get("/api/v1/app/stages", &t).await.expect(200).body;
    assert_eq!(d["customized"], false);
    let names: Vec<&str> = d["stages"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(names, vec!["Customer", "Trial", "Churn"]);
    assert_eq!(d["stages"][1]["statuses"], json!(["trialing"]));

    let bad = app
        .req(
            Method::PUT,
            "/api/v1/app/stages",
            Some(&t),
            Some(json!({"stages": [{"name": "Trial", "statuses": ["trialing"]}, {"name": "trial", "statuses": ["trialing", "active"]}, {"name": " ", "statuses": []}]})),
        )
        .await
        .expect(422);
    let mut fields = bad.fields();
    fields.sort();
    assert_eq!(fields, vec!["stages[1].name", "stages[1].statuses[0]", "stages[2].name"]);
    let unknown = app.req(Method::PUT, "/api/v1/app/stages", Some(&t), Some(json!({"stages": [{"name": "X", "statuses": ["bogus"]}]}))).await.expect(422);
    assert_eq!(unknown.fields(), vec!["stages[0].statuses[0]"], "an unknown status is named: {}", unknown.body);
    app.req(Method::PUT, "/api/v1/app/stages", Some(&t), Some(json!({"stages": []}))).await.expect(422);
    assert_eq!(app.get("/api/v1/app/stages", &t).await.body["customized"], false, "nothing was saved");

    for i in 0..3 {
        app.post("/api/v1/users", &t, json!({"email": format!("m{i}@example.com")})).await.expect(201);
    }
    // An automation keyed on the stage: every new Lead gets the free guide.
    let guide = app.post("/api/v1/products", &t, json!({"name": "Free guide"})).await.expect(201).id();
    app.post(
        "/api/v1/automations",
        &t,
        json!({
            "name": "Leads get the guide",
            "trigger": {"type": "activity", "kind": "member.stage_changed"},
            "conditions": [{"type": "member_field", "field": "stage", "equals": "lead"}],
            "steps": [{"type": "grant_access", "product_id": guide}],
        }),
    )
    .await
    .expect(201);
    let saved = app
        .req(
            Method::PUT,
            "/api/v1/app/stages",
            Some(&t),
            Some(json!({"stages": [
                {"name": "At risk", "statuses": ["past_due", "unpaid"]},
                {"name": "Customer", "statuses": ["active"]},
                {"name": "Trial", "statuses": ["trialing"]},
                {"name": "Lead", "statuses": ["none"]},
            ]})),
        )
        .await
        .expect(200)
        .body;
    assert_eq!((saved["customized"].as_bool(), saved["recompute"]["total"].as_i64(), saved["recompute"]["running"].as_bool()), (Some(true), Some(3), Some(true)));
    app.drain_jobs().await;
    let after = app.get("/api/v1/app/stages", &t).await.expect(200).body;
    assert_eq!((after["recompute"]["done"].as_i64(), after["recompute"]["running"].as_bool()), (Some(3), Some(false)));
    let leads = app.get("/api/v1/users?stage=Lead", &t).await.expect(200).body;
    assert_eq!(leads["data"].as_array().unwrap().len(), 3);
    assert_eq!(app.activity_kinds(&t, "?kind=member.stage_changed").await.len(), 3);
    for u in leads["data"].as_array().unwrap() {
        let grants = crate::stripe_emulator::grants_of(&app, &t, u["id"].as_str().unwrap()).await;
        assert_eq!((grants.len(), grants[0]["source"].as_str()), (1, Some("automation")), "the automation ran for {}", u["email"]);
    }
    // Recomputing again changes nothing and records nothing.
    app.req(Method::PUT, "/api/v1/app/stages", Some(&t), Some(saved.get("stages").map(|s| json!({"stages": s})).unwrap())).await.expect(200);
    app.drain_jobs().await;
    assert_eq!(app.activity_kinds(&t, "?kind=member.stage_changed").await.len(), 3);
    // A new member is a Lead at once.
    let new = app.post("/api/v1/users", &t, json!({"email": "new@example.com"})).await.expect(201).body;
    assert_eq!(new["stage"], "Lead");
    // Filters are validated.
    let r = app.get("/api/v1/users?renews_within_days=0", &t).await.expect(422);
    assert_eq!(r.fields(), vec!["renews_within_days"]);
    // Another app does not see these stages.
    let other = app.second_tenant().await;
    assert_eq!(app.get("/api/v1/app/stages", &other).await.expect(200).body["customized"], false);
    assert!(app.get("/api/v1/users?stage=Lead", &other).await.expect(200).body["data"].as_array().unwrap().is_empty());
}

crate::both!(editing_stages_recomputes_every_member);
