//! Weak passwords are refused wherever a password is set, with zxcvbn's advice.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::helpers::{PASSWORD, Resp, TestApp};

both!(weak_passwords_are_refused_everywhere_with_advice);

#[track_caller]
fn assert_weak(r: &Resp, field: &str) {
    assert_eq!(r.status.as_u16(), 422, "{}", r.body);
    assert_eq!(r.fields(), vec![field.to_owned()], "{}", r.body);
    assert_eq!(r.body["errors"][0]["code"], "too_weak", "{}", r.body);
    let msg = r.body["errors"][0]["message"].as_str().unwrap();
    assert!(msg.starts_with("is too easy to guess. ") && msg.len() > 40, "{msg}");
}

async fn weak_passwords_are_refused_everywhere_with_advice(app: TestApp) {
    let setup = |pw: &'static str| json!({"email": "owner@example.com", "password": pw, "name": "Olivia", "app_name": "Academy"});
    // Ten characters used to be enough.
    for pw in ["aaaaaaaaaa", "password12"] {
        assert_weak(&app.req(Method::POST, "/api/v1/setup", None, Some(setup(pw))).await, "password");
    }
    let r = app.req(Method::POST, "/api/v1/setup", None, Some(setup("password12"))).await;
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("This is a very common password."), "{}", r.body);
    // The account's own words are guessable.
    assert_weak(&app.req(Method::POST, "/api/v1/setup", None, Some(setup("academy2024!"))).await, "password");
    assert_eq!(app.req(Method::GET, "/api/v1/setup", None, None).await.expect(200).body["needs_setup"], true, "nothing was created");
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();

    // Members, set by an admin.
    assert_weak(&app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": "qwertyuiop1"})).await, "password");
    let ada = app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": PASSWORD})).await.expect(201).id();
    assert_weak(&app.patch(&format!("/api/v1/users/{ada}"), &t, json!({"password": "1234567890"})).await, "password");
    assert_weak(&app.patch(&format!("/api/v1/users/{ada}"), &t, json!({"password": "ada@example.com"})).await, "password");

    // A member's own change.
    let login = json!({"app_id": app_id, "email": "ada@example.com", "password": PASSWORD});
    let mt = app.req(Method::POST, "/api/v1/member/auth/login", None, Some(login)).await.expect(200).body["access_token"].as_str().unwrap().to_owned();
    assert_weak(&app.patch("/api/v1/member/me", &mt, json!({"new_password": "letmein1234", "current_password": PASSWORD})).await, "new_password");
    app.patch("/api/v1/member/me", &mt, json!({"new_password": "a brand new password", "current_password": PASSWORD})).await.expect(200);

    // A new admin accepting an invitation.
    app.post("/api/v1/admins/invitations", &t, json!({"email": "vera@example.com", "role": "viewer"})).await.expect(201);
    let mail = app.get("/api/v1/emails?to=vera@example.com", &t).await.expect(200);
    let text = mail.body["data"][0]["text_body"].as_str().unwrap().to_owned();
    let token = text.split_whitespace().find(|w| w.contains("/accept-invite?token=")).unwrap().split_once("token=").unwrap().1.to_owned();
    let accept = |pw: &'static str| json!({"token": token, "name": "Vera", "password": pw});
    assert_weak(&app.req(Method::POST, "/api/v1/auth/accept-invite", None, Some(accept("iloveyou123"))).await, "password");
    app.req(Method::POST, "/api/v1/auth/accept-invite", None, Some(accept("viewer password 123"))).await.expect(200);
}
