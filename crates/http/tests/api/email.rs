//! Email delivery over real SMTP (the testkit's aiosmtpd sink), with retries
//! and the dead state visible through the API.

use std::process::Child;

use serde_json::json;
use tollgate_app::mail::{SmtpConfig, SmtpTls};

use crate::helpers::{Backend, TestApp};

struct Sink {
    child: Child,
    port: u16,
    out: std::path::PathBuf,
}

impl Drop for Sink {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = std::fs::remove_file(&self.out);
    }
}

/// Starts the SMTP sink from tools/testkit.
fn start_sink(fail_first: u32) -> Sink {
    let out = std::env::temp_dir().join(format!("tollgate-smtp-{}.jsonl", uuid_like()));
    let fail = fail_first.to_string();
    let args = [std::ffi::OsStr::new("--port"), "0".as_ref(), "--out".as_ref(), out.as_os_str(), "--fail-first".as_ref(), fail.as_ref()];
    let (child, port) = crate::helpers::testkit("smtp_sink.py", &args, false);
    Sink { child, port, out }
}

fn uuid_like() -> String {
    format!("{}-{}", std::process::id(), time::OffsetDateTime::now_utc().unix_timestamp_nanos())
}

fn smtp(port: u16) -> SmtpConfig {
    SmtpConfig { host: "127.0.0.1".into(), port, username: None, password: None, tls: SmtpTls::None }
}

fn received(sink: &Sink) -> Vec<serde_json::Value> {
    std::fs::read_to_string(&sink.out).unwrap_or_default().lines().map(|l| serde_json::from_str(l).unwrap()).collect()
}

async fn invite_is_delivered_after_a_refusal(backend: Backend) {
    let sink = start_sink(1);
    let app = TestApp::spawn_with(backend, Some(smtp(sink.port))).await;
    let t = app.setup().await;
    app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "send_invite": true})).await.expect(201);
    app.drain_jobs().await;
    // The server answered 451 once: the message waits for a retry.
    let e = app.get("/api/v1/emails", &t).await.expect(200);
    assert_eq!((e.body["data"][0]["status"].as_str(), e.body["data"][0]["attempts"].as_i64()), (Some("failed"), Some(1)));
    assert!(e.body["data"][0]["last_error"].as_str().unwrap().contains("451"));
    assert!(received(&sink).is_empty());
    let jobs = app.get("/api/v1/jobs?status=queued", &t).await.expect(200);
    assert_eq!(jobs.body["data"][0]["attempts"], 1);
    app.clock.advance(time::Duration::seconds(15));
    app.drain_jobs().await;
    let e = app.get("/api/v1/emails", &t).await.expect(200);
    assert_eq!(e.body["data"][0]["status"], "sent");
    let got = received(&sink);
    assert_eq!(got.len(), 1);
    assert_eq!(got[0]["rcpt_tos"], json!(["ada@example.com"]));
    let data = got[0]["data"].as_str().unwrap();
    assert!(data.contains("Subject: You're invited to Academy"), "{data}");
    let text = e.body["data"][0]["text_body"].as_str().unwrap();
    assert!(text.contains("/member/magic?token=app_"), "the invite carries a login link: {text}");
    assert!(data.contains("multipart/alternative"), "text and HTML parts: {data}");
}

async fn undeliverable_mail_ends_dead_and_can_be_retried(backend: Backend) {
    // Nothing listens on this port.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let app = TestApp::spawn_with(backend, Some(smtp(port))).await;
    let t = app.setup().await;
    app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "send_invite": true})).await.expect(201);
    for _ in 0..8 {
        app.drain_jobs().await;
        app.clock.advance(time::Duration::hours(2));
    }
    let t = app.login_owner().await;
    let dead = app.get("/api/v1/jobs?status=dead", &t).await.expect(200);
    let job = &dead.body["data"][0];
    assert_eq!((job["kind"].as_str(), job["attempts"].as_i64()), (Some("send_email"), Some(8)));
    let id = job["id"].as_str().unwrap();
    let retried = app.post(&format!("/api/v1/jobs/{id}/retry"), &t, json!({})).await.expect(200);
    assert_eq!((retried.body["status"].as_str(), retried.body["attempts"].as_i64()), (Some("queued"), Some(0)));
    assert_eq!(app.post(&format!("/api/v1/jobs/{id}/retry"), &t, json!({})).await.expect(409).code(), "job_not_dead");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_invite_is_delivered_after_a_refusal() {
    invite_is_delivered_after_a_refusal(Backend::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_invite_is_delivered_after_a_refusal() {
    invite_is_delivered_after_a_refusal(Backend::Postgres).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_undeliverable_mail_ends_dead_and_can_be_retried() {
    undeliverable_mail_ends_dead_and_can_be_retried(Backend::Sqlite).await;
}
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_undeliverable_mail_ends_dead_and_can_be_retried() {
    undeliverable_mail_ends_dead_and_can_be_retried(Backend::Postgres).await;
}
