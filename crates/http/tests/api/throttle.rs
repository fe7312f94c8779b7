//! Throttling: failed passwords lock an account (in the database, so every
//! server process sees it) and a client address (in memory); emailed links
//! are capped per member and per address. Answers are 429
//! `too_many_attempts` with `Retry-After`.

use std::net::TcpListener;
use std::sync::Arc;

use reqwest::Method;
use serde_json::{Value, json};
use tollgate_app::ServicesConfig;
use tollgate_app::throttle::ThrottleSettings;

use crate::both;
use crate::helpers::{Backend, PASSWORD, Resp, TestApp};

both!(
    wrong_admin_passwords_lock_the_account_with_backoff,
    an_account_lock_holds_on_every_server_process,
    wrong_member_passwords_lock_the_member_in_that_site_only,
    accepting_an_invitation_with_a_wrong_password_counts_against_the_account,
    magic_links_are_capped_per_member_and_per_address,
    email_changes_are_capped_and_wrong_current_passwords_count,
);

async fn admin_login(app: &TestApp, email: &str, password: &str) -> Resp {
    app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": password})), &[]).await
}

/// A 429 `too_many_attempts` whose Retry-After is within `range` seconds.
#[track_caller]
fn assert_throttled(r: &Resp, range: std::ops::RangeInclusive<u64>) {
    assert_eq!((r.status.as_u16(), r.code()), (429, "too_many_attempts"), "{}", r.body);
    let after: u64 = r.headers.get("retry-after").expect("Retry-After").to_str().unwrap().parse().unwrap();
    assert!(range.contains(&after), "Retry-After {after} not in {range:?}");
}

async fn wrong_admin_passwords_lock_the_account_with_backoff(app: TestApp) {
    app.setup().await;
    // Today's behaviour was: 200 wrong passwords all 401, then the right one works at once.
    for i in 0..10 {
        admin_login(&app, "owner@example.com", &format!("wrong guess {i}")).await.expect(401);
    }
    // The 11th attempt is refused before the password is looked at: the right one too, from a fresh client.
    assert_throttled(&admin_login(&app, "owner@example.com", PASSWORD).await, 1..=60);
    assert_throttled(&admin_login(&app, "OWNER@example.com ", PASSWORD).await, 1..=60);
    // The address is not blocked: another account logs in.
    app.second_tenant().await;
    // A minute later the right password works, and the failures are forgotten.
    app.clock.advance(time::Duration::seconds(61));
    admin_login(&app, "owner@example.com", PASSWORD).await.expect(200);
    for i in 0..5 {
        admin_login(&app, "owner@example.com", &format!("again {i}")).await.expect(401);
    }
    admin_login(&app, "owner@example.com", PASSWORD).await.expect(200);

    // Backoff: each failure after the limit doubles the lockout.
    for i in 0..10 {
        admin_login(&app, "other@example.org", &format!("guess {i}")).await.expect(401);
    }
    assert_throttled(&admin_login(&app, "other@example.org", PASSWORD).await, 1..=60);
    app.clock.advance(time::Duration::seconds(61));
    admin_login(&app, "other@example.org", "one more guess").await.expect(401);
    assert_throttled(&admin_login(&app, "other@example.org", PASSWORD).await, 61..=120);
    app.clock.advance(time::Duration::seconds(121));
    admin_login(&app, "other@example.org", PASSWORD).await.expect(200);
}

/// A second server process over the same database (own memory, no shared buckets).
async fn second_process(app: &TestApp) -> String {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let url = format!("http://{}", listener.local_addr().unwrap());
    let s = tollgate_app::Services::new(
        app.services.db.clone(),
        Arc::new(app.clock.clone()),
        tollgate_app::crypto::Keys::from_master(&[42u8; 32]).unwrap(),
        ServicesConfig::new(url.clone()),
    );
    let server = tollgate_http::serve(listener, s, tollgate_http::HttpOptions { frontend_dir: None, workers: Some(1) }).unwrap();
    tokio::spawn(server);
    url
}

async fn an_account_lock_holds_on_every_server_process(app: TestApp) {
    app.setup().await;
    // Unknown emails are counted the same way: the answer never tells who has an account.
    for i in 0..10 {
        admin_login(&app, "owner@example.com", &format!("wrong {i}")).await.expect(401);
        admin_login(&app, "nobody@example.com", &format!("wrong {i}")).await.expect(401);
    }
    let other = second_process(&app).await;
    let http = reqwest::Client::new();
    for email in ["owner@example.com", "nobody@example.com"] {
        let r = http.post(format!("{other}/api/v1/auth/login")).json(&json!({"email": email, "password": PASSWORD})).send().await.unwrap();
        assert_eq!(r.status().as_u16(), 429, "{email} on the other process");
        assert!(r.headers().get("retry-after").is_some());
        assert_eq!(r.json::<Value>().await.unwrap()["code"], "too_many_attempts");
    }
}

async fn member_login(app: &TestApp, app_id: &str, email: &str, password: &str) -> Resp {
    app.req_with(&app.new_client(), Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": email, "password": password})), &[]).await
}

const ADA_PW: &str = "ada's long password";

async fn wrong_member_passwords_lock_the_member_in_that_site_only(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": ADA_PW})).await.expect(201);
    app.post("/api/v1/users", &t, json!({"email": "bob@example.com", "name": "Bob", "password": "bob's long password"})).await.expect(201);
    for i in 0..10 {
        member_login(&app, &app_id, "ada@example.com", &format!("wrong {i}")).await.expect(401);
    }
    assert_throttled(&member_login(&app, &app_id, "ada@example.com", ADA_PW).await, 1..=60);
    member_login(&app, &app_id, "bob@example.com", "bob's long password").await.expect(200);
    // The owner's admin account with the same address elsewhere is not affected.
    admin_login(&app, "owner@example.com", PASSWORD).await.expect(200);
    // A magic link still lets Ada in.
    app.req(Method::POST, "/api/v1/member/auth/magic-link", None, Some(json!({"app_id": app_id, "email": "ada@example.com"}))).await.expect(202);
    app.clock.advance(time::Duration::seconds(61));
    member_login(&app, &app_id, "ada@example.com", ADA_PW).await.expect(200);
}

async fn accepting_an_invitation_with_a_wrong_password_counts_against_the_account(app: TestApp) {
    let owner = app.setup().await;
    app.second_tenant().await;
    app.post("/api/v1/admins/invitations", &owner, json!({"email": "other@example.org", "role": "admin"})).await.expect(201);
    let mail = app.get("/api/v1/emails?to=other@example.org", &owner).await.expect(200);
    let text = mail.body["data"][0]["text_body"].as_str().unwrap().to_owned();
    let token = text.split_whitespace().find(|w| w.contains("/accept-invite?token=")).unwrap().split_once("token=").unwrap().1.to_owned();
    let accept = |pw: &'static str| {
        let token = token.clone();
        let app = &app;
        async move { app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/accept-invite", None, Some(json!({"token": token, "name": "", "password": pw})), &[]).await }
    };
    for _ in 0..10 {
        let r = accept("not the password").await.expect(422);
        assert_eq!(r.body["errors"][0]["code"], "wrong_password");
    }
    assert_throttled(&accept(PASSWORD).await, 1..=60);
    assert_throttled(&admin_login(&app, "other@example.org", PASSWORD).await, 1..=60);
    app.clock.advance(time::Duration::seconds(61));
    accept(PASSWORD).await.expect(200);
}

async fn sent(app: &TestApp, t: String) -> usize {
    app.get("/api/v1/emails?to=ada@example.com&limit=100", &t).await.expect(200).body["data"].as_array().unwrap().len()
}

fn magic(app_id: &str, email: &str) -> Option<Value> {
    Some(json!({"app_id": app_id, "email": email}))
}

async fn magic_links_are_capped_per_member_and_per_address(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada"})).await.expect(201);
    // Eight requests in a row: all answered alike, five emails.
    for _ in 0..8 {
        let r = app.req(Method::POST, "/api/v1/member/auth/magic-link", None, magic(&app_id, "ada@example.com")).await.expect(202);
        assert_eq!(r.body["status"], "accepted");
    }
    assert_eq!(sent(&app, t.clone()).await, 5);
    // An hour later Ada gets links again.
    app.clock.advance(time::Duration::minutes(61));
    let t = app.login_owner().await;
    app.req(Method::POST, "/api/v1/member/auth/magic-link", None, magic(&app_id, "ada@example.com")).await.expect(202);
    assert_eq!(sent(&app, t.clone()).await, 6);
    // Ten requests from one address use up its burst (unknown emails count too); the next is refused.
    app.req(Method::POST, "/api/v1/member/auth/magic-link", None, magic(&app_id, "nobody@example.com")).await.expect(202);
    let r = app.req(Method::POST, "/api/v1/member/auth/magic-link", None, magic(&app_id, "nobody@example.com")).await;
    assert_throttled(&r, 1..=60);
    assert_eq!(sent(&app, t).await, 6);
}

async fn email_changes_are_capped_and_wrong_current_passwords_count(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": ADA_PW})).await.expect(201);
    let mt = member_login(&app, &app_id, "ada@example.com", ADA_PW).await.expect(200).body["access_token"].as_str().unwrap().to_owned();
    for i in 0..5 {
        app.patch("/api/v1/member/me", &mt, json!({"email": format!("ada{i}@new.example.com"), "current_password": ADA_PW})).await.expect(200);
    }
    let r = app.patch("/api/v1/member/me", &mt, json!({"name": "Ada L.", "email": "ada5@new.example.com", "current_password": ADA_PW})).await;
    assert_throttled(&r, 1..=3600);
    let me = app.get("/api/v1/member/me", &mt).await.expect(200);
    assert_eq!((me.body["pending_email"].as_str(), me.body["name"].as_str()), (Some("ada4@new.example.com"), Some("Ada")), "the refused request changed nothing");
    app.clock.advance(time::Duration::minutes(61));
    let mt = member_login(&app, &app_id, "ada@example.com", ADA_PW).await.expect(200).body["access_token"].as_str().unwrap().to_owned();
    app.patch("/api/v1/member/me", &mt, json!({"email": "ada5@new.example.com", "current_password": ADA_PW})).await.expect(200);

    // Wrong current passwords count like failed logins.
    for _ in 0..10 {
        let r = app.patch("/api/v1/member/me", &mt, json!({"new_password": "a brand new password", "current_password": "a wrong guess"})).await.expect(422);
        assert_eq!(r.fields(), vec!["current_password"]);
    }
    let r = app.patch("/api/v1/member/me", &mt, json!({"new_password": "a brand new password", "current_password": ADA_PW})).await;
    assert_throttled(&r, 1..=60);
    assert_throttled(&member_login(&app, &app_id, "ada@example.com", ADA_PW).await, 1..=60);
    // A name change needs no password and is not held up.
    app.patch("/api/v1/member/me", &mt, json!({"name": "Ada L."})).await.expect(200);
}

// Limits per client address, on a server with a small burst.

both!(mods(small_burst_sqlite, small_burst_postgres) backend; failures_from_one_address_are_refused_until_it_cools_down, forwarded_for_counts_only_behind_a_trusted_proxy);

fn small(trusted: &[&str]) -> impl FnOnce(&mut ServicesConfig) {
    let trusted = trusted.iter().map(|n| n.parse().unwrap()).collect();
    move |c: &mut ServicesConfig| c.throttle = ThrottleSettings { ip_failures_burst: 3, ip_failures_per_hour: 60, trusted_proxies: trusted, ..Default::default() }
}

async fn login_from(app: &TestApp, email: &str, password: &str, forwarded_for: &str) -> Resp {
    let headers: &[(&str, &str)] = if forwarded_for.is_empty() { &[] } else { &[("x-forwarded-for", forwarded_for)] };
    app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": password})), headers).await
}

async fn failures_from_one_address_are_refused_until_it_cools_down(backend: Backend) {
    let app = TestApp::spawn_configured(backend, small(&[])).await;
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    // Successes cost nothing.
    for _ in 0..5 {
        login_from(&app, "owner@example.com", PASSWORD, "").await.expect(200);
    }
    // Guessing across many accounts from one address: the burst is 3.
    for i in 0..4 {
        login_from(&app, &format!("user{i}@example.com"), "a guess", "").await.expect(401);
    }
    // Now the address is refused, whatever it sends; forging X-Forwarded-For does not help.
    assert_throttled(&login_from(&app, "owner@example.com", PASSWORD, "").await, 1..=60);
    assert_throttled(&login_from(&app, "owner@example.com", PASSWORD, "198.51.100.7").await, 1..=60);
    let r = app.req(Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": "a@example.com", "password": "a long guess"}))).await;
    assert_throttled(&r, 1..=60);
}

async fn forwarded_for_counts_only_behind_a_trusted_proxy(backend: Backend) {
    // The test client connects from 127.0.0.1: here that is the trusted proxy.
    let app = TestApp::spawn_configured(backend, small(&["127.0.0.1", "::1"])).await;
    app.setup().await;
    for i in 0..4 {
        login_from(&app, &format!("user{i}@example.com"), "a guess", "203.0.113.5").await.expect(401);
    }
    assert_throttled(&login_from(&app, "owner@example.com", PASSWORD, "203.0.113.5").await, 1..=60);
    // A forged entry on the left does not change who the proxy saw.
    assert_throttled(&login_from(&app, "owner@example.com", PASSWORD, "198.51.100.7, 203.0.113.5").await, 1..=60);
    // Another client behind the same proxy is not held up.
    login_from(&app, "owner@example.com", PASSWORD, "203.0.113.6").await.expect(200);
}
