//! Team management: invitations by email, accepting them, roles, leaving,
//! and what a removed admin loses.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::helpers::{PASSWORD, Resp, TestApp};

both!(
    invite_email_accept_and_log_in_with_the_role,
    viewer_gets_403_on_every_write_and_admins_cannot_invite_owners,
    last_owner_guard_reinvite_and_revoke,
    removed_admin_loses_refresh_sessions_and_api_keys,
    expired_unknown_and_existing_account_invitations,
);

/// Invites `email` as `role` and returns the token from the emailed link.
async fn invite(app: &TestApp, token: &str, email: &str, role: &str) -> String {
    app.post("/api/v1/admins/invitations", token, json!({"email": email, "role": role})).await.expect(201);
    link_token(app, token, email).await
}

async fn link_token(app: &TestApp, token: &str, email: &str) -> String {
    let mail = app.get(&format!("/api/v1/emails?to={email}"), token).await.expect(200);
    let m = &mail.body["data"][0];
    assert_eq!(m["template"], "admin_invite");
    let text = m["text_body"].as_str().unwrap();
    let link = text.split_whitespace().find(|w| w.contains("/accept-invite?token=")).expect("the email has the link");
    assert!(link.starts_with(&format!("{}/accept-invite?token=app_", app.url)), "{link}");
    assert!(m["html_body"].as_str().unwrap().contains("/accept-invite?token="));
    link.split_once("token=").unwrap().1.to_owned()
}

async fn accept(app: &TestApp, client: &reqwest::Client, token: &str, name: &str, password: &str) -> Resp {
    app.req_with(client, Method::POST, "/api/v1/auth/accept-invite", None, Some(json!({"token": token, "name": name, "password": password})), &[]).await
}

async fn login(app: &TestApp, email: &str, password: &str) -> Resp {
    app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": email, "password": password})), &[]).await
}

fn access(r: &Resp) -> String {
    r.body["access_token"].as_str().unwrap().to_owned()
}

async fn join(app: &TestApp, owner: &str, email: &str, role: &str) -> (String, String, reqwest::Client) {
    let t = invite(app, owner, email, role).await;
    let client = app.new_client();
    let r = accept(app, &client, &t, "Colleague", "a brand new password").await.expect(200);
    (access(&r), r.body["admin"]["id"].as_str().unwrap().to_owned(), client)
}

async fn invite_email_accept_and_log_in_with_the_role(app: TestApp) {
    let owner = app.setup().await;
    let inv = app.post("/api/v1/admins/invitations", &owner, json!({"email": "Vera@Example.com", "role": "viewer"})).await.expect(201);
    assert_eq!((inv.body["email"].as_str(), inv.body["role"].as_str(), inv.body["expired"].as_bool()), (Some("vera@example.com"), Some("viewer"), Some(false)));
    assert_eq!(inv.body["invited_by"]["email"], "owner@example.com");
    let team = app.get("/api/v1/admins", &owner).await.expect(200);
    assert_eq!(team.body["admins"].as_array().unwrap().len(), 1);
    assert_eq!(team.body["admins"][0]["role"], "owner");
    assert_eq!(team.body["invitations"][0]["email"], "vera@example.com");
    assert!(!team.body.to_string().contains("token"), "the token is never listed");

    let token = link_token(&app, &owner, "vera@example.com").await;
    let preview = app.req(Method::POST, "/api/v1/auth/invitation", None, Some(json!({"token": token}))).await.expect(200);
    assert_eq!((preview.body["account_exists"].as_bool(), preview.body["role"].as_str(), preview.body["app_name"].as_str()), (Some(false), Some("viewer"), Some("Academy")));
    assert_eq!(preview.body["invited_by_name"], "Olivia");

    let client = app.new_client();
    let weak = accept(&app, &client, &token, "", "short").await.expect(422);
    assert_eq!(weak.fields(), vec!["name", "password"]);
    let ok = accept(&app, &client, &token, "Vera", "a brand new password").await.expect(200);
    assert_eq!((ok.body["role"].as_str(), ok.body["admin"]["email"].as_str()), (Some("viewer"), Some("vera@example.com")));
    assert!(ok.headers.get("set-cookie").unwrap().to_str().unwrap().contains("tollgate_admin_refresh="), "a session like login");
    let me = app.get("/api/v1/auth/me", &access(&ok)).await.expect(200);
    assert_eq!(me.body["role"], "viewer");
    let refreshed = app.req_with(&client, Method::POST, "/api/v1/auth/refresh", None, None, &[]).await.expect(200);
    assert_eq!(refreshed.body["role"], "viewer");

    let again = login(&app, "vera@example.com", "a brand new password").await.expect(200);
    assert_eq!(again.body["role"], "viewer");
    let team = app.get("/api/v1/admins", &access(&again)).await.expect(200);
    let roles: Vec<_> = team.body["admins"].as_array().unwrap().iter().map(|a| (a["name"].as_str().unwrap().to_owned(), a["role"].as_str().unwrap().to_owned())).collect();
    assert_eq!(roles, vec![("Olivia".to_owned(), "owner".to_owned()), ("Vera".to_owned(), "viewer".to_owned())]);
    assert!(team.body["invitations"].as_array().unwrap().is_empty());
    assert!(team.body["admins"][1]["joined_at"].is_string());

    let reused = accept(&app, &app.new_client(), &token, "Mallory", "another long password").await.expect(410);
    assert_eq!(reused.code(), "invitation_used");
}

async fn viewer_gets_403_on_every_write_and_admins_cannot_invite_owners(app: TestApp) {
    let owner = app.setup().await;
    let owner_id = app.get("/api/v1/auth/me", &owner).await.body["admin"]["id"].as_str().unwrap().to_owned();
    let (viewer, viewer_id, _) = join(&app, &owner, "v@example.com", "viewer").await;
    let pending = app.post("/api/v1/admins/invitations", &owner, json!({"email": "p@example.com", "role": "viewer"})).await.expect(201).id();
    let product = app.post("/api/v1/products", &owner, json!({"name": "Course"})).await.expect(201).id();

    app.get("/api/v1/admins", &viewer).await.expect(200);
    app.get("/api/v1/products", &viewer).await.expect(200);
    let writes: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::POST, "/api/v1/admins/invitations".into(), Some(json!({"email": "x@example.com", "role": "viewer"}))),
        (Method::DELETE, format!("/api/v1/admins/invitations/{pending}"), None),
        (Method::PATCH, format!("/api/v1/admins/{owner_id}"), Some(json!({"role": "viewer"}))),
        (Method::PATCH, format!("/api/v1/admins/{viewer_id}"), Some(json!({"role": "owner"}))),
        (Method::DELETE, format!("/api/v1/admins/{owner_id}"), None),
        (Method::POST, "/api/v1/products".into(), Some(json!({"name": "Nope"}))),
        (Method::PATCH, format!("/api/v1/products/{product}"), Some(json!({"name": "Nope"}))),
        (Method::DELETE, format!("/api/v1/products/{product}"), None),
        (Method::PATCH, "/api/v1/app".into(), Some(json!({"name": "Nope"}))),
        (Method::POST, "/api/v1/api-keys".into(), Some(json!({"name": "k", "scopes": ["products:read"]}))),
        (Method::POST, "/api/v1/users".into(), Some(json!({"email": "m@example.com"}))),
    ];
    for (m, path, body) in writes {
        let r = app.req(m.clone(), &path, Some(&viewer), body).await;
        assert_eq!(r.status.as_u16(), 403, "{m} {path}: {}", r.body);
    }
    assert_eq!(app.get("/api/v1/admins", &owner).await.body["admins"].as_array().unwrap().len(), 2, "nothing changed");

    // Admins invite admins and viewers, never owners, and cannot re-role or remove others.
    let (admin, _, _) = join(&app, &owner, "a@example.com", "admin").await;
    let r = app.post("/api/v1/admins/invitations", &admin, json!({"email": "boss@example.com", "role": "owner"})).await.expect(403);
    assert_eq!(r.code(), "owner_only");
    app.post("/api/v1/admins/invitations", &admin, json!({"email": "helper@example.com", "role": "admin"})).await.expect(201);
    app.patch(&format!("/api/v1/admins/{viewer_id}"), &admin, json!({"role": "admin"})).await.expect(403);
    app.req(Method::DELETE, &format!("/api/v1/admins/{viewer_id}"), Some(&admin), None).await.expect(403);
    // API keys never manage the team.
    let key = app.post("/api/v1/api-keys", &owner, json!({"name": "k", "scopes": ["users:write"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/admins", &key).await.expect(403).code(), "admin_only");
    // Validation lists the fields.
    let bad = app.post("/api/v1/admins/invitations", &owner, json!({"email": "not an email", "role": "king"})).await.expect(422);
    assert_eq!(bad.fields(), vec!["email", "role"]);
    let bad = app.patch(&format!("/api/v1/admins/{viewer_id}"), &owner, json!({"role": "king"})).await.expect(422);
    assert_eq!(bad.fields(), vec!["role"]);
    app.patch("/api/v1/admins/nope", &owner, json!({"role": "admin"})).await.expect(404);
}

async fn last_owner_guard_reinvite_and_revoke(app: TestApp) {
    let owner = app.setup().await;
    let owner_id = app.get("/api/v1/auth/me", &owner).await.body["admin"]["id"].as_str().unwrap().to_owned();
    let r = app.patch(&format!("/api/v1/admins/{owner_id}"), &owner, json!({"role": "admin"})).await.expect(409);
    assert_eq!(r.code(), "last_owner");
    assert!(r.body["detail"].as_str().unwrap().contains("make someone else owner first"));
    assert_eq!(app.req(Method::DELETE, &format!("/api/v1/admins/{owner_id}"), Some(&owner), None).await.expect(409).code(), "last_owner");
    // Inviting someone already on the team.
    assert_eq!(app.post("/api/v1/admins/invitations", &owner, json!({"email": "owner@example.com", "role": "admin"})).await.expect(409).code(), "already_member");

    // Re-inviting replaces the open invitation; the old link stops working.
    let first = invite(&app, &owner, "bo@example.com", "viewer").await;
    let second = invite(&app, &owner, "bo@example.com", "admin").await;
    assert_ne!(first, second);
    let team = app.get("/api/v1/admins", &owner).await.expect(200);
    assert_eq!(team.body["invitations"].as_array().unwrap().len(), 1);
    assert_eq!(team.body["invitations"][0]["role"], "admin");
    assert_eq!(accept(&app, &app.new_client(), &first, "Bo", "a brand new password").await.expect(410).code(), "invitation_revoked");
    // Revoking an invitation.
    let id = team.body["invitations"][0]["id"].as_str().unwrap().to_owned();
    app.req(Method::DELETE, &format!("/api/v1/admins/invitations/{id}"), Some(&owner), None).await.expect(204);
    assert_eq!(app.req(Method::DELETE, &format!("/api/v1/admins/invitations/{id}"), Some(&owner), None).await.expect(409).code(), "already_revoked");
    assert_eq!(accept(&app, &app.new_client(), &second, "Bo", "a brand new password").await.expect(410).code(), "invitation_revoked");
    assert!(app.get("/api/v1/admins", &owner).await.body["invitations"].as_array().unwrap().is_empty());

    // With a second owner, the first may step down, and then leave.
    let (_, bo_id, _) = join(&app, &owner, "bo@example.com", "admin").await;
    let promoted = app.patch(&format!("/api/v1/admins/{bo_id}"), &owner, json!({"role": "owner"})).await.expect(200);
    assert_eq!(promoted.body["role"], "owner");
    app.patch(&format!("/api/v1/admins/{owner_id}"), &owner, json!({"role": "admin"})).await.expect(200);
    assert_eq!(app.get("/api/v1/auth/me", &owner).await.body["role"], "admin");
    app.req(Method::DELETE, &format!("/api/v1/admins/{owner_id}"), Some(&owner), None).await.expect(204);
    app.get("/api/v1/products", &owner).await.expect(401);
}

async fn removed_admin_loses_refresh_sessions_and_api_keys(app: TestApp) {
    let owner = app.setup().await;
    let (admin, admin_id, client) = join(&app, &owner, "a@example.com", "admin").await;
    let key = app.post("/api/v1/api-keys", &admin, json!({"name": "Zapier", "scopes": ["products:write"]})).await.expect(201);
    let secret = key.body["secret"].as_str().unwrap().to_owned();
    let owners_key = app.post("/api/v1/api-keys", &owner, json!({"name": "Mine", "scopes": ["products:read"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    app.get("/api/v1/products", &secret).await.expect(200);

    // Demoting to viewer revokes the keys that hold more than viewer may.
    app.patch(&format!("/api/v1/admins/{admin_id}"), &owner, json!({"role": "viewer"})).await.expect(200);
    assert_eq!(app.get("/api/v1/products", &secret).await.expect(401).code(), "invalid_api_key");
    app.patch(&format!("/api/v1/admins/{admin_id}"), &owner, json!({"role": "admin"})).await.expect(200);
    let key2 = app.post("/api/v1/api-keys", &admin, json!({"name": "Read", "scopes": ["products:read"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    app.get("/api/v1/products", &key2).await.expect(200);

    app.req(Method::DELETE, &format!("/api/v1/admins/{admin_id}"), Some(&owner), None).await.expect(204);
    assert_eq!(app.get("/api/v1/products", &admin).await.expect(401).code(), "invalid_token");
    assert_eq!(app.get("/api/v1/products", &key2).await.expect(401).code(), "invalid_api_key");
    let r = app.req_with(&client, Method::POST, "/api/v1/auth/refresh", None, None, &[]).await.expect(401);
    assert_eq!(r.code(), "invalid_refresh_token");
    let keys = app.get("/api/v1/api-keys", &owner).await.expect(200);
    assert!(keys.body["data"].as_array().unwrap().iter().filter(|k| k["name"] != "Mine").all(|k| k["revoked_at"].is_string()));
    app.get("/api/v1/products", &owners_key).await.expect(200);
    // The account itself remains; it just belongs to no app now.
    assert_eq!(login(&app, "a@example.com", "a brand new password").await.expect(403).code(), "no_apps");
    assert_eq!(app.get("/api/v1/admins", &owner).await.body["admins"].as_array().unwrap().len(), 1);

    // Anyone may leave.
    let (viewer, viewer_id, _) = join(&app, &owner, "v@example.com", "viewer").await;
    app.req(Method::DELETE, &format!("/api/v1/admins/{viewer_id}"), Some(&viewer), None).await.expect(204);
    app.get("/api/v1/admins", &viewer).await.expect(401);
}

async fn expired_unknown_and_existing_account_invitations(app: TestApp) {
    let owner = app.setup().await;
    let token = invite(&app, &owner, "late@example.com", "viewer").await;
    app.clock.advance(time::Duration::days(7) + time::Duration::minutes(1));
    let r = accept(&app, &app.new_client(), &token, "Late", "a brand new password").await.expect(410);
    assert_eq!(r.code(), "invitation_expired");
    assert_eq!(app.req(Method::POST, "/api/v1/auth/invitation", None, Some(json!({"token": token}))).await.expect(410).code(), "invitation_expired");
    let owner = app.login_owner().await;
    let team = app.get("/api/v1/admins", &owner).await.expect(200);
    assert_eq!(team.body["invitations"][0]["expired"], true, "expired invitations stay listed to re-send");
    for bad in ["nonsense", "app_0192f0c3000070008000000000000000.abc", &format!("{}x", token)] {
        assert_eq!(accept(&app, &app.new_client(), bad, "X", "a brand new password").await.expect(410).code(), "invitation_invalid", "{bad}");
    }
    assert_eq!(accept(&app, &app.new_client(), "", "X", "a brand new password").await.expect(422).fields(), vec!["token"]);

    // Someone who already administers another app joins with their own password.
    let other = app.second_tenant().await;
    let token = invite(&app, &owner, "other@example.org", "admin").await;
    let preview = app.req(Method::POST, "/api/v1/auth/invitation", None, Some(json!({"token": token}))).await.expect(200);
    assert_eq!(preview.body["account_exists"], true);
    let wrong = accept(&app, &app.new_client(), &token, "", "not my password").await.expect(422);
    assert_eq!((wrong.fields(), wrong.body["errors"][0]["code"].as_str()), (vec!["password".to_owned()], Some("wrong_password")));
    let ok = accept(&app, &app.new_client(), &token, "Ignored", PASSWORD).await.expect(200);
    assert_eq!((ok.body["role"].as_str(), ok.body["app"]["name"].as_str(), ok.body["admin"]["name"].as_str()), (Some("admin"), Some("Academy"), Some("Other")));
    assert_eq!(ok.body["apps"].as_array().unwrap().len(), 2);
    // Their own app is untouched and they still own it.
    assert_eq!(app.get("/api/v1/auth/me", &other).await.expect(200).body["role"], "owner");
}
