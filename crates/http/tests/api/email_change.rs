//! A member's email change waits for the new address to confirm it.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Resp, TestApp};

both!(
    email_change_waits_for_the_new_address_to_confirm,
    email_change_can_be_replaced_cancelled_and_expires,
    email_change_is_refused_when_the_address_is_taken,
);

const PW: &str = "ada's long password";

/// Setup, a member Ada with a password, her session; returns (admin token, app id, member id, member token).
async fn ada(app: &TestApp) -> (String, String, String, String) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    let id = app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": PW})).await.expect(201).id();
    let mt = login(app, &app_id, "ada@example.com").await.expect(200).body["access_token"].as_str().unwrap().to_owned();
    (t, app_id, id, mt)
}

async fn login(app: &TestApp, app_id: &str, email: &str) -> Resp {
    app.req_with(&app.new_client(), Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": email, "password": PW})), &[]).await
}

async fn confirm(app: &TestApp, token: &str) -> Resp {
    // Another browser, signed out: the token alone decides.
    app.req_with(&app.new_client(), Method::POST, "/api/v1/member/confirm-email", None, Some(json!({"token": token})), &[]).await
}

/// The newest email to `to` (after delivering queued ones).
async fn last_email(app: &TestApp, t: &str, to: &str) -> Value {
    app.drain_jobs().await;
    app.get(&format!("/api/v1/emails?to={to}"), t).await.expect(200).body["data"][0].clone()
}

/// The token of the confirmation link in the newest email to `to`.
async fn confirm_token(app: &TestApp, t: &str, to: &str) -> String {
    let e = last_email(app, t, to).await;
    assert_eq!(e["template"], "email_change_confirm", "{e}");
    let text = e["text_body"].as_str().unwrap();
    let link = text.split_whitespace().find(|w| w.contains("/member/confirm-email?token=")).expect("a confirmation link");
    assert!(link.starts_with(&format!("{}/member/confirm-email?token=", app.url)), "{link}");
    link.split("token=").nth(1).unwrap().to_owned()
}

fn token_problem(r: &Resp) -> String {
    assert_eq!(r.fields(), vec!["token"], "{}", r.body);
    r.body["errors"][0]["code"].as_str().unwrap().to_owned()
}

async fn email_change_waits_for_the_new_address_to_confirm(app: TestApp) {
    let (t, app_id, id, mt) = ada(&app).await;
    // The current password is required, and checked.
    let r = app.patch("/api/v1/member/me", &mt, json!({"email": "ada@new.example.com"})).await.expect(422);
    assert_eq!(r.fields(), vec!["current_password"]);
    let r = app.patch("/api/v1/member/me", &mt, json!({"email": "ada@new.example.com", "current_password": "not my password"})).await.expect(422);
    assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec!["current_password".to_owned()], Some("wrong_password")));
    app.drain_jobs().await;
    assert_eq!(app.get("/api/v1/emails", &t).await.body["data"].as_array().unwrap().len(), 0, "nothing sent for refused requests");

    // The request: the name changes at once, the email does not.
    let r = app.patch("/api/v1/member/me", &mt, json!({"name": "Ada L.", "email": "ADA@New.Example.com", "current_password": PW})).await.expect(200);
    assert_eq!((r.body["name"].as_str(), r.body["email"].as_str()), (Some("Ada L."), Some("ada@example.com")));
    assert_eq!(r.body["pending_email"], "ada@new.example.com");
    let expires = time::OffsetDateTime::parse(r.body["pending_email_expires_at"].as_str().unwrap(), &time::format_description::well_known::Rfc3339).unwrap();
    assert!((expires - app.clock_now() - time::Duration::hours(24)).abs() < time::Duration::seconds(2), "valid 24 hours");
    assert_eq!(app.get("/api/v1/member/me", &mt).await.expect(200).body["pending_email"], "ada@new.example.com");
    assert_eq!(app.get(&format!("/api/v1/users/{id}"), &t).await.expect(200).body["email"], "ada@example.com");
    login(&app, &app_id, "ada@new.example.com").await.expect(401);

    // A link to the new address, a notice (without the link) to the current one.
    let token = confirm_token(&app, &t, "ada@new.example.com").await;
    let notice = last_email(&app, &t, "ada@example.com").await;
    assert_eq!(notice["template"], "email_change_notice");
    let text = notice["text_body"].as_str().unwrap();
    assert!(text.contains("ada@new.example.com") && text.contains("/member/profile") && !text.contains("token="), "{text}");
    // The link is a credential: a read-only key sees it redacted.
    let reader = app.post("/api/v1/api-keys", &t, json!({"name": "reader", "scopes": ["emails:read"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    let redacted = app.get("/api/v1/emails?to=ada@new.example.com", &reader).await.expect(200);
    assert!(!redacted.body["data"][0]["text_body"].as_str().unwrap().contains(&token));

    // Confirmation, signed out.
    let r = confirm(&app, &token).await.expect(200);
    assert_eq!(r.body["email"], "ada@new.example.com");
    let me = app.get("/api/v1/member/me", &mt).await.expect(200);
    assert_eq!((me.body["email"].as_str(), &me.body["pending_email"]), (Some("ada@new.example.com"), &Value::Null));
    assert_eq!(app.get(&format!("/api/v1/users/{id}"), &t).await.body["email"], "ada@new.example.com");
    assert_eq!(login(&app, &app_id, "ada@new.example.com").await.expect(200).body["user"]["id"], id.as_str());
    login(&app, &app_id, "ada@example.com").await.expect(401);
    // Single use.
    assert_eq!(token_problem(&confirm(&app, &token).await.expect(422)), "invalid_token");
}

async fn email_change_can_be_replaced_cancelled_and_expires(app: TestApp) {
    let (t, app_id, _, mt) = ada(&app).await;
    let ask = |email: &'static str, mt: String| {
        let app = &app;
        async move { app.patch("/api/v1/member/me", &mt, json!({"email": email, "current_password": PW})).await.expect(200) }
    };
    ask("first@example.com", mt.clone()).await;
    let first = confirm_token(&app, &t, "first@example.com").await;
    // A new request replaces the pending one: the first link stops working.
    assert_eq!(ask("second@example.com", mt.clone()).await.body["pending_email"], "second@example.com");
    let second = confirm_token(&app, &t, "second@example.com").await;
    assert_eq!(token_problem(&confirm(&app, &first).await.expect(422)), "invalid_token");
    // Cancelling.
    let r = app.req(Method::DELETE, "/api/v1/member/me/pending-email", Some(&mt), None).await.expect(200);
    assert_eq!((r.body["email"].as_str(), &r.body["pending_email"]), (Some("ada@example.com"), &Value::Null));
    assert_eq!(app.req(Method::DELETE, "/api/v1/member/me/pending-email", Some(&mt), None).await.expect(404).code(), "not_found");
    assert_eq!(token_problem(&confirm(&app, &second).await.expect(422)), "invalid_token");
    // Expiry after 24 hours.
    ask("third@example.com", mt).await;
    let third = confirm_token(&app, &t, "third@example.com").await;
    app.clock.advance(time::Duration::hours(24) + time::Duration::seconds(1));
    let mt = login(&app, &app_id, "ada@example.com").await.expect(200).body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/member/me", &mt).await.expect(200).body["pending_email"], Value::Null, "an expired change is not shown");
    assert_eq!(token_problem(&confirm(&app, &third).await.expect(422)), "token_expired");
    assert_eq!(token_problem(&confirm(&app, &third).await.expect(422)), "invalid_token", "an expired change is dropped");
    assert_eq!(app.get("/api/v1/member/me", &mt).await.body["email"], "ada@example.com");
    // Malformed tokens.
    assert_eq!(token_problem(&confirm(&app, "no-app-in-this-token").await.expect(422)), "invalid_token");
    assert_eq!(token_problem(&confirm(&app, &format!("{app_id}.not-a-real-token")).await.expect(422)), "invalid_token");
    assert_eq!(confirm(&app, "").await.expect(422).fields(), vec!["token"]);
}

async fn email_change_is_refused_when_the_address_is_taken(app: TestApp) {
    let (t, app_id, id, mt) = ada(&app).await;
    app.post("/api/v1/users", &t, json!({"email": "bob@example.com", "name": "Bob"})).await.expect(201);
    // Validation problems name their fields.
    let r = app.patch("/api/v1/member/me", &mt, json!({"email": "not an email", "new_password": "short", "current_password": PW})).await.expect(422);
    let mut fields = r.fields();
    fields.sort();
    assert_eq!(fields, vec!["email", "new_password"]);
    let r = app.patch("/api/v1/member/me", &mt, json!({"email": "bob@example.com", "current_password": PW})).await.expect(422);
    assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec!["email".to_owned()], Some("taken")));
    // Asking for the current address changes nothing and needs no password.
    let r = app.patch("/api/v1/member/me", &mt, json!({"email": "ada@example.com"})).await.expect(200);
    assert_eq!(r.body["pending_email"], Value::Null);

    // The address is free when asked for, taken when confirmed.
    app.patch("/api/v1/member/me", &mt, json!({"email": "carol@example.com", "current_password": PW})).await.expect(200);
    let token = confirm_token(&app, &t, "carol@example.com").await;
    app.post("/api/v1/users", &t, json!({"email": "carol@example.com", "name": "Carol"})).await.expect(201);
    assert_eq!(confirm(&app, &token).await.expect(409).code(), "email_taken");
    let me = app.get("/api/v1/member/me", &mt).await.expect(200);
    assert_eq!((me.body["email"].as_str(), &me.body["pending_email"]), (Some("ada@example.com"), &Value::Null));
    assert_eq!(token_problem(&confirm(&app, &token).await.expect(422)), "invalid_token");

    // A password change in the same request applies at once.
    let r = app.patch("/api/v1/member/me", &mt, json!({"email": "dave@example.com", "new_password": "a brand new password", "current_password": PW})).await.expect(200);
    assert_eq!((r.body["email"].as_str(), r.body["pending_email"].as_str()), (Some("ada@example.com"), Some("dave@example.com")));
    app.req_with(&app.new_client(), Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": "ada@example.com", "password": "a brand new password"})), &[])
        .await
        .expect(200);

    let dave_token = confirm_token(&app, &t, "dave@example.com").await;

    // Admins stay trusted: their change applies at once, and the member's pending one is dropped.
    let r = app.patch(&format!("/api/v1/users/{id}"), &t, json!({"email": "ada@admin.example.com"})).await.expect(200);
    assert_eq!(r.body["email"], "ada@admin.example.com");
    let me = app.get("/api/v1/member/me", &mt).await.expect(200);
    assert_eq!((me.body["email"].as_str(), &me.body["pending_email"]), (Some("ada@admin.example.com"), &Value::Null));
    assert_eq!(token_problem(&confirm(&app, &dave_token).await.expect(422)), "invalid_token", "the earlier link no longer overrides the admin");
}
