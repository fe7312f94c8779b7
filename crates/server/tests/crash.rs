//! Crash recovery with real processes: `tollgate serve` is killed with
//! SIGKILL while it runs a Stripe event's job; after a restart the
//! acknowledged event is applied within 30 s (the job lease), not after
//! minutes. Runs on SQLite and on PostgreSQL, against the localstripe
//! emulator of tools/testkit.

mod support;

use std::time::{Duration, Instant};

use serde_json::{Value, json};
use support::{Emulator, KEY, PASSWORD, Server, call, free_port};
use tollgate_persistence::Backend;
use tollgate_persistence::testing::TestDb;

async fn killed_worker_job_is_taken_over_after_restart(backend: Backend) {
    let db = TestDb::new(backend).await.expect("test database (PostgreSQL at 127.0.0.1:5432 for the postgres tests)");
    let db_url = db.url.clone();
    db.db.close().await;
    let dir = std::env::temp_dir().join(format!("tollgate-crash-{}", uuid::Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let stripe = Emulator::start();
    // A Stripe that accepts connections and never answers: a job calling it hangs, running.
    let black_hole = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let hang = format!("http://{}", black_hole.local_addr().unwrap());
    let port = free_port();
    let http = reqwest::Client::new();
    let api = format!("http://127.0.0.1:{port}/api/v1");
    let get = async |t: &str, path: &str| call(&http, reqwest::Method::GET, format!("{api}{path}"), Some(t), None).await;

    // 1. Connected to Stripe, one product linked.
    let server = Server::start(&dir, &db_url, port, &stripe.base).await;
    let setup = json!({"email": "owner@example.com", "password": PASSWORD, "name": "Olivia", "app_name": "Academy"});
    let t = call(&http, reqwest::Method::POST, format!("{}/api/v1/setup", server.base), None, Some(setup)).await["access_token"].as_str().unwrap().to_owned();
    let t = t.as_str();
    call(&http, reqwest::Method::POST, format!("{}/api/v1/connectors/stripe/connect", server.base), Some(t), Some(json!({"secret_key": KEY}))).await;
    let sp = stripe.post("/v1/products", &[("name", "Mastermind")]).await;
    let sp = sp["id"].as_str().unwrap().to_owned();
    let price = stripe.post("/v1/prices", &[("product", &sp), ("currency", "usd"), ("unit_amount", "2500"), ("recurring[interval]", "month")]).await;
    let product = call(&http, reqwest::Method::POST, format!("{}/api/v1/products", server.base), Some(t), Some(json!({"name": "Mastermind"}))).await;
    let product = product["id"].as_str().unwrap().to_owned();
    call(&http, reqwest::Method::PUT, format!("{}/api/v1/products/{product}/stripe", server.base), Some(t), Some(json!({"stripe_product_id": sp}))).await;
    // The link's import (no subscriber yet) is done before the process goes.
    for _ in 0..300 {
        if get(t, &format!("/products/{product}/stripe")).await["import"]["status"] == "succeeded" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert_eq!(get(t, &format!("/products/{product}/stripe")).await["import"]["status"], "succeeded");
    server.kill9();

    // 2. Stripe stops answering; a new subscriber's events are acknowledged and
    //    the worker hangs in a job that calls Stripe (one of them, or the
    //    periodic event recovery when it is due). Then the process is killed.
    let server = Server::start(&dir, &db_url, port, &hang).await;
    let customer = stripe.post("/v1/customers", &[("email", "ada@example.com"), ("name", "Ada")]).await;
    let customer = customer["id"].as_str().unwrap().to_owned();
    let pm = stripe.post("/v1/payment_methods/pm_card_visa/attach", &[("customer", &customer)]).await;
    stripe.post(&format!("/v1/customers/{customer}"), &[("invoice_settings[default_payment_method]", pm["id"].as_str().unwrap())]).await;
    stripe.post("/v1/subscriptions", &[("customer", &customer), ("items[0][price]", price["id"].as_str().unwrap())]).await;
    let mut acknowledged = false;
    for _ in 0..300 {
        let inbox = get(t, "/connectors/stripe/events?limit=100").await;
        acknowledged = inbox["data"].as_array().unwrap().iter().any(|e| e["type"] == "customer.subscription.created" && e["status"] == "pending");
        if acknowledged {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(acknowledged, "the subscription's event was acknowledged and waits");
    // The hung job: one that calls Stripe and is still running a second later.
    let mut running = None;
    let mut seen: Option<String> = None;
    for _ in 0..100 {
        let jobs = get(t, "/jobs?status=running").await;
        let calls_stripe = |j: &&Value| j["kind"] == "stripe_event" || j["kind"] == "stripe_recover";
        let now = jobs["data"].as_array().unwrap().iter().find(calls_stripe).map(|j| j["id"].as_str().unwrap().to_owned());
        if now.is_some() && now == seen {
            running = now;
            break;
        }
        seen = now;
        tokio::time::sleep(Duration::from_millis(1000)).await;
    }
    let running = running.expect("a job calling Stripe hangs, running");
    server.kill9();
    drop(black_hole);

    // 3. Restarted with Stripe answering: the dead process's job is taken over within the lease.
    let server = Server::start(&dir, &db_url, port, &stripe.base).await;
    let restarted = Instant::now();
    let mut done = None;
    while restarted.elapsed() < Duration::from_secs(60) {
        let job = get(t, &format!("/jobs/{running}")).await;
        if job["status"] == "succeeded" {
            done = Some((restarted.elapsed(), job));
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let (took, job) = done.unwrap_or_else(|| panic!("the killed process's job was not taken over within 60 s after restart"));
    eprintln!("the killed process's job finished {:.1} s after the restart", took.as_secs_f64());
    assert!(took <= Duration::from_secs(30), "taken over {took:?} after the restart (more than 30 s)");
    assert_eq!(job["attempts"], 2, "run again, once: {job}");
    let inbox = get(t, "/connectors/stripe/events?limit=100").await;
    let pending: Vec<&Value> = inbox["data"].as_array().unwrap().iter().filter(|e| e["status"] == "pending" || e["status"] == "failed").collect();
    assert!(pending.is_empty(), "every acknowledged event is applied: {pending:?}");
    let users = get(t, "/users?q=ada@").await;
    let ada = users["data"][0]["id"].as_str().expect("ada is a member").to_owned();
    let access = get(t, &format!("/users/{ada}/access")).await;
    let grants = access["data"].as_array().unwrap();
    assert_eq!((grants.len(), grants[0]["active"].as_bool(), grants[0]["product_id"].as_str()), (1, Some(true), Some(product.as_str())));
    drop(server);
    let _ = std::fs::remove_dir_all(&dir);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_killed_worker_job_is_taken_over_after_restart() {
    killed_worker_job_is_taken_over_after_restart(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_killed_worker_job_is_taken_over_after_restart() {
    killed_worker_job_is_taken_over_after_restart(Backend::Postgres).await;
}
