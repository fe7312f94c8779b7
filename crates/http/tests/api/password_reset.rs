//! An admin who forgot their password gets an emailed single-use link that
//! works for an hour, sets a new password and signs every device out.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::helpers::{PASSWORD, TestApp};

both!(forgot_password_sends_a_single_use_link_that_ends_sessions);

const NEW_PASSWORD: &str = "lantern orchard velvet compass";

/// The token of the newest password reset email.
async fn reset_token(app: &TestApp, t: &str, nth: usize) -> String {
    let emails = app.get("/api/v1/emails", t).await.expect(200).body;
    let resets: Vec<_> = emails["data"].as_array().unwrap().iter().filter(|e| e["template"] == "admin_password_reset").collect();
    assert_eq!(resets.len(), nth, "{emails}");
    let text = resets[0]["text_body"].as_str().unwrap();
    let at = text.find("/reset-password?token=").expect("a reset link") + "/reset-password?token=".len();
    text[at..].split_whitespace().next().unwrap().to_owned()
}

async fn forgot_password_sends_a_single_use_link_that_ends_sessions(app: TestApp) {
    let t = app.setup().await;
    // Signed in on another device, with its refresh cookie.
    let laptop = app.new_client();
    app.req_with(&laptop, Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": PASSWORD})), &[]).await.expect(200);

    // Unknown emails get the same answer and no email.
    let ask = |email: &'static str| app.req(Method::POST, "/api/v1/auth/password-reset", None, Some(json!({"email": email})));
    ask("nobody@example.com").await.expect(202);
    assert_eq!(ask("not an email").await.expect(422).fields(), vec!["email"]);
    ask("Owner@Example.com").await.expect(202);
    let token = reset_token(&app, &t, 1).await;
    let emails = app.get("/api/v1/emails", &t).await.body;
    assert_eq!(emails["data"][0]["to"], "owner@example.com");

    let confirm = |token: String, password: &'static str| app.req(Method::POST, "/api/v1/auth/password-reset/confirm", None, Some(json!({"token": token, "password": password})));
    // A weak password is refused and the link still works.
    let weak = confirm(token.clone(), "password12").await.expect(422);
    assert_eq!((weak.fields(), weak.body["errors"][0]["code"].as_str()), (vec!["password".to_owned()], Some("too_weak")));
    assert_eq!(confirm("nope".into(), NEW_PASSWORD).await.expect(422).body["errors"][0]["code"], "invalid_token");
    confirm(token.clone(), NEW_PASSWORD).await.expect(204);

    // Used once; the old password is gone; every device is signed out.
    assert_eq!(confirm(token, NEW_PASSWORD).await.expect(422).body["errors"][0]["code"], "invalid_token");
    app.req_with(&laptop, Method::POST, "/api/v1/auth/refresh", None, None, &[]).await.expect(401);
    app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": PASSWORD})), &[]).await.expect(401);
    let t = app
        .req_with(&app.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": NEW_PASSWORD})), &[])
        .await
        .expect(200)
        .body["access_token"]
        .as_str()
        .unwrap()
        .to_owned();

    // A link expires after an hour.
    ask("owner@example.com").await.expect(202);
    let late = reset_token(&app, &t, 2).await;
    app.clock.advance(time::Duration::minutes(61));
    assert_eq!(confirm(late, "another quiet harbour lamp").await.expect(422).body["errors"][0]["code"], "token_expired");

    // An account gets a few links an hour; later requests answer the same but send nothing.
    // (Nine requests from this address so far: under its burst of ten.)
    for _ in 0..6 {
        ask("owner@example.com").await.expect(202);
    }
    let login = json!({"email": "owner@example.com", "password": NEW_PASSWORD});
    let t = app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/login", None, Some(login), &[]).await.expect(200).body["access_token"].as_str().unwrap().to_owned();
    let emails = app.get("/api/v1/emails?limit=100", &t).await.body;
    let sent = emails["data"].as_array().unwrap().iter().filter(|e| e["template"] == "admin_password_reset").count();
    assert_eq!(sent, 2 + 5, "the per-hour cap (5) holds: {sent}");
}
