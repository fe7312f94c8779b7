use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::helpers::{PASSWORD, TestApp};

both!(
    readme_flow_admin_product_member_grant_feed,
    setup_only_once_and_login_errors,
    refresh_rotates_and_logout_ends_session,
    replayed_refresh_token_ends_its_session_family,
    api_keys_are_scoped_shown_once_and_revocable,
    idempotency_key_replays_without_second_write,
    member_magic_link_and_password_login,
    products_pages_archive_and_pagination,
    revoking_the_last_grant_records_removal_once,
    inactive_members_are_recorded_once_and_activate_on_return,
);

async fn readme_flow_admin_product_member_grant_feed(app: TestApp) {
    assert_eq!(app.req(Method::GET, "/api/v1/setup", None, None).await.expect(200).body["needs_setup"], true);
    let t = app.setup().await;
    assert_eq!(app.req(Method::GET, "/api/v1/setup", None, None).await.expect(200).body["needs_setup"], false);
    let product = app.post("/api/v1/products", &t, json!({"name": "Mastermind", "purchase_method": "direct_checkout", "show_locked_card": true})).await.expect(201);
    assert_eq!(product.body["purchase_method"], "direct_checkout");
    let member = app.post("/api/v1/users", &t, json!({"email": "Ada@Example.com", "name": "Ada"})).await.expect(201);
    assert_eq!(member.body["email"], "ada@example.com", "emails are normalised");
    let grant = app.post(&format!("/api/v1/users/{}/access", member.id()), &t, json!({"product_id": product.id()})).await.expect(201);
    assert_eq!((grant.body["source"].as_str(), grant.body["active"].as_bool()), (Some("manual"), Some(true)));
    assert_eq!(app.activity_kinds(&t, "").await, vec!["product.access_granted", "user.created"]);
    let feed = app.get("/api/v1/activities?kind=product.access_granted", &t).await.expect(200);
    let a = &feed.body["data"][0];
    assert_eq!((a["label"].as_str(), a["user_id"].as_str(), a["product_id"].as_str()), (Some("Product Access Granted"), Some(member.id().as_str()), Some(product.id().as_str())));
    // The member is emailed that access was granted (kept in the outbox when no SMTP is configured).
    app.drain_jobs().await;
    let emails = app.get("/api/v1/emails", &t).await.expect(200);
    assert_eq!(emails.body["data"][0]["template"], "access_granted");
    assert_eq!(emails.body["data"][0]["status"], "logged");
    // Granting again from the same source is refused and records nothing.
    let again = app.post(&format!("/api/v1/users/{}/access", member.id()), &t, json!({"product_id": product.id()})).await.expect(409);
    assert_eq!(again.code(), "access_already_granted");
    assert_eq!(app.activity_kinds(&t, "").await.len(), 2);
}

async fn setup_only_once_and_login_errors(app: TestApp) {
    app.setup().await;
    let r = app
        .req(Method::POST, "/api/v1/setup", None, Some(json!({"email": "x@example.com", "password": PASSWORD, "name": "X", "app_name": "Mine"})))
        .await
        .expect(409);
    assert_eq!(r.code(), "already_set_up");
    let bad = app.req(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": "wrong password!"}))).await.expect(401);
    assert_eq!(bad.code(), "invalid_credentials");
    let unknown = app.req(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "nobody@example.com", "password": PASSWORD}))).await.expect(401);
    assert_eq!(unknown.code(), "invalid_credentials", "unknown emails answer the same");
    let garbage = app.get("/api/v1/products", "not-a-token").await.expect(401);
    assert_eq!(garbage.code(), "invalid_token");
    // Tokens expire with the clock.
    let t = app.req(Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": PASSWORD}))).await.expect(200);
    let t = t.body["access_token"].as_str().unwrap().to_owned();
    app.get("/api/v1/app", &t).await.expect(200);
    app.clock.advance(time::Duration::minutes(16));
    assert_eq!(app.get("/api/v1/app", &t).await.expect(401).code(), "token_expired");
}

async fn refresh_rotates_and_logout_ends_session(app: TestApp) {
    app.setup().await;
    let browser = app.new_client();
    let login = app
        .req_with(&browser, Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": PASSWORD})), &[])
        .await
        .expect(200);
    let cookie = login.headers.get("set-cookie").unwrap().to_str().unwrap().to_owned();
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict") && cookie.contains("Path=/api/v1/auth"), "{cookie}");
    let old_value = cookie.split(';').next().unwrap().to_owned();
    let r = app.req_with(&browser, Method::POST, "/api/v1/auth/refresh", None, None, &[]).await.expect(200);
    let t = r.body["access_token"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/auth/me", &t).await.expect(200).body["role"], "owner");
    // The old refresh token was rotated out: replaying it fails.
    let replay = app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/refresh", None, None, &[("cookie", &old_value)]).await.expect(401);
    assert_eq!(replay.code(), "invalid_refresh_token");
    app.req_with(&browser, Method::POST, "/api/v1/auth/logout", None, None, &[]).await.expect(204);
    app.req_with(&browser, Method::POST, "/api/v1/auth/refresh", None, None, &[]).await.expect(401);
}

fn cookie_pair(r: &crate::helpers::Resp) -> String {
    r.headers.get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned()
}

/// Refresh token reuse detection, for admin and member sessions: a rotated
/// token presented again ends its whole session family (the newest token
/// too), but not the subject's other logins; a replay right after the
/// rotation (two tabs at once) is only refused.
async fn replayed_refresh_token_ends_its_session_family(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": "ada's long password"})).await.expect(201);
    let realms = [
        ("/api/v1/auth/login", "/api/v1/auth/refresh", json!({"email": "owner@example.com", "password": PASSWORD})),
        ("/api/v1/member/auth/login", "/api/v1/member/auth/refresh", json!({"app_id": app_id, "email": "ada@example.com", "password": "ada's long password"})),
    ];
    for (login, refresh, creds) in realms {
        let browser = app.new_client();
        let first = cookie_pair(&app.req_with(&browser, Method::POST, login, None, Some(creds.clone()), &[]).await.expect(200));
        // The same person on another device: another family.
        let laptop = app.new_client();
        app.req_with(&laptop, Method::POST, login, None, Some(creds.clone()), &[]).await.expect(200);

        app.req_with(&browser, Method::POST, refresh, None, None, &[]).await.expect(200);
        // Another tab sent the same cookie at the same moment: refused, nothing else ends.
        app.req_with(&app.new_client(), Method::POST, refresh, None, None, &[("cookie", &first)]).await.expect(401);
        app.req_with(&browser, Method::POST, refresh, None, None, &[]).await.expect(200);

        // Later the first token comes back: someone else holds a copy.
        app.clock.advance(time::Duration::seconds(11));
        let replay = app.req_with(&app.new_client(), Method::POST, refresh, None, None, &[("cookie", &first)]).await.expect(401);
        assert_eq!(replay.code(), "invalid_refresh_token");
        let newest = app.req_with(&browser, Method::POST, refresh, None, None, &[]).await.expect(401);
        assert_eq!(newest.code(), "invalid_refresh_token", "{refresh}: the newest token of the family ends too");
        app.req_with(&laptop, Method::POST, refresh, None, None, &[]).await.expect(200);
        // A fresh login works.
        app.req_with(&browser, Method::POST, login, None, Some(creds), &[]).await.expect(200);
        app.req_with(&browser, Method::POST, refresh, None, None, &[]).await.expect(200);
    }
}

async fn api_keys_are_scoped_shown_once_and_revocable(app: TestApp) {
    let t = app.setup().await;
    let created = app.post("/api/v1/api-keys", &t, json!({"name": "Zapier", "scopes": ["products:read", "users:write"]})).await.expect(201);
    let secret = created.body["secret"].as_str().unwrap().to_owned();
    assert!(secret.starts_with("tg_key_"));
    let key_id = created.body["key"]["id"].as_str().unwrap().to_owned();
    let listed = app.get("/api/v1/api-keys", &t).await.expect(200);
    assert!(!listed.body.to_string().contains(&secret[20..]), "the secret is never listed");
    app.get("/api/v1/products", &secret).await.expect(200);
    let denied = app.post("/api/v1/products", &secret, json!({"name": "X"})).await.expect(403);
    assert_eq!(denied.code(), "insufficient_scope");
    app.post("/api/v1/users", &secret, json!({"email": "m@example.com"})).await.expect(201);
    app.get("/api/v1/activities", &secret).await.expect(403);
    let bad_scope = app.post("/api/v1/api-keys", &t, json!({"name": "X", "scopes": ["admins:write"]})).await.expect(422);
    assert_eq!(bad_scope.fields(), vec!["scopes"]);
    app.req(Method::DELETE, &format!("/api/v1/api-keys/{key_id}"), Some(&t), None).await.expect(200);
    assert_eq!(app.get("/api/v1/products", &secret).await.expect(401).code(), "invalid_api_key");
    let tampered = format!("{}x", &secret[..secret.len() - 1]);
    app.get("/api/v1/products", &tampered).await.expect(401);
}

async fn idempotency_key_replays_without_second_write(app: TestApp) {
    let t = app.setup().await;
    let c = &app.http;
    let h = [("idempotency-key", "create-course-1")];
    let first = app.req_with(c, Method::POST, "/api/v1/products", Some(&t), Some(json!({"name": "Course"})), &h).await.expect(201);
    let second = app.req_with(c, Method::POST, "/api/v1/products", Some(&t), Some(json!({"name": "Course"})), &h).await.expect(201);
    assert_eq!(first.body, second.body);
    assert_eq!(second.headers.get("idempotent-replayed").unwrap(), "true");
    let other = app.req_with(c, Method::POST, "/api/v1/products", Some(&t), Some(json!({"name": "Other"})), &h).await.expect(422);
    assert_eq!(other.code(), "idempotency_key_reused");
    let list = app.get("/api/v1/products", &t).await.expect(200);
    assert_eq!(list.body["data"].as_array().unwrap().len(), 1, "one product despite three requests");
    // A failed validation is stored too: replay gives the same 422, still no product.
    let h2 = [("idempotency-key", "bad-1")];
    app.req_with(c, Method::POST, "/api/v1/products", Some(&t), Some(json!({"name": ""})), &h2).await.expect(422);
    app.req_with(c, Method::POST, "/api/v1/products", Some(&t), Some(json!({"name": ""})), &h2).await.expect(422);
    let bad_key = app.req_with(c, Method::POST, "/api/v1/products", Some(&t), Some(json!({"name": "Y"})), &[("idempotency-key", "")]).await.expect(422);
    assert_eq!(bad_key.fields(), vec!["Idempotency-Key"]);
    assert_eq!(app.get("/api/v1/products", &t).await.body["data"].as_array().unwrap().len(), 1);
    // Keys are per credential: another principal reusing it never gets the first answer.
    let key = app.post("/api/v1/api-keys", &t, json!({"name": "k", "scopes": ["products:write"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    let other = app.req_with(c, Method::POST, "/api/v1/products", Some(&key), Some(json!({"name": "Course"})), &h).await.expect(422);
    assert_eq!(other.code(), "idempotency_key_reused");
}

async fn member_magic_link_and_password_login(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    let m = app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": "ada's long password"})).await.expect(201);
    // Unknown emails get the same 202 and no email.
    app.req(Method::POST, "/api/v1/member/auth/magic-link", None, Some(json!({"app_id": app_id, "email": "nobody@example.com"}))).await.expect(202);
    app.req(Method::POST, "/api/v1/member/auth/magic-link", None, Some(json!({"app_id": app_id, "email": "ada@example.com"}))).await.expect(202);
    app.drain_jobs().await;
    let emails = app.get("/api/v1/emails?to=ada@example.com", &t).await.expect(200);
    assert_eq!(emails.body["data"].as_array().unwrap().len(), 1);
    let text = emails.body["data"][0]["text_body"].as_str().unwrap();
    let link = text.split_whitespace().find(|w| w.contains("/member/magic?token=")).expect("a login link");
    assert!(link.starts_with(&app.url));
    let token = link.split("token=").nth(1).unwrap();
    let s = app.req(Method::POST, "/api/v1/member/auth/magic-link/verify", None, Some(json!({"token": token}))).await.expect(200);
    assert_eq!(s.body["app_id"].as_str(), Some(app_id.as_str()));
    let mt = s.body["access_token"].as_str().unwrap().to_owned();
    // Login links are credentials: a read-only key sees them redacted.
    let reader = app.post("/api/v1/api-keys", &t, json!({"name": "reader", "scopes": ["emails:read"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    let redacted = app.get("/api/v1/emails?to=ada@example.com", &reader).await.expect(200);
    let body = redacted.body["data"][0]["text_body"].as_str().unwrap();
    assert!(body.contains("token=[redacted]") && !body.contains(token), "{body}");
    assert_eq!(app.get("/api/v1/member/me", &mt).await.expect(200).body["id"], m.body["id"]);
    let reused = app.req(Method::POST, "/api/v1/member/auth/magic-link/verify", None, Some(json!({"token": token}))).await.expect(401);
    assert_eq!(reused.code(), "invalid_magic_link", "links are single use");
    // A member token is not an admin credential, and vice versa.
    app.get("/api/v1/products", &mt).await.expect(401);
    app.get("/api/v1/member/me", &t).await.expect(401);
    // Password login.
    app.req(Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": "ada@example.com", "password": "wrong password"}))).await.expect(401);
    app.req(Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": "ada@example.com", "password": "ada's long password"}))).await.expect(200);
    let logins = app.activity_kinds(&t, &format!("?kind=user.login&user_id={}", m.id())).await;
    assert_eq!(logins.len(), 2);
    // Expired links fail.
    app.req(Method::POST, "/api/v1/member/auth/magic-link", None, Some(json!({"app_id": app_id, "email": "ada@example.com"}))).await.expect(202);
    app.drain_jobs().await;
    let emails = app.get("/api/v1/emails?to=ada@example.com", &t).await.expect(200);
    let text = emails.body["data"][0]["text_body"].as_str().unwrap().to_owned();
    let token = text.split("token=").nth(1).unwrap().split_whitespace().next().unwrap().to_owned();
    app.clock.advance(time::Duration::minutes(16));
    app.req(Method::POST, "/api/v1/member/auth/magic-link/verify", None, Some(json!({"token": token}))).await.expect(401);
}

async fn products_pages_archive_and_pagination(app: TestApp) {
    let t = app.setup().await;
    let mut ids = vec![];
    for i in 0..5 {
        ids.push(app.post("/api/v1/products", &t, json!({"name": format!("P{i}")})).await.expect(201).id());
    }
    let p1 = app.get("/api/v1/products?limit=2", &t).await.expect(200);
    assert_eq!(p1.body["has_more"], true);
    let cur = p1.body["next_cursor"].as_str().unwrap();
    let p2 = app.get(&format!("/api/v1/products?limit=2&cursor={cur}"), &t).await.expect(200);
    let p3 = app.get(&format!("/api/v1/products?limit=2&cursor={}", p2.body["next_cursor"].as_str().unwrap()), &t).await.expect(200);
    assert_eq!(p3.body["has_more"], false);
    let seen: Vec<String> = [&p1, &p2, &p3].iter().flat_map(|p| p.body["data"].as_array().unwrap().iter().map(|x| x["id"].as_str().unwrap().to_owned())).collect();
    let mut expect = ids.clone();
    expect.reverse();
    assert_eq!(seen, expect, "newest first, each once");
    let pid = &ids[0];
    let patched = app.patch(&format!("/api/v1/products/{pid}"), &t, json!({"purchase_method": "external_url", "external_url": "https://shop.example.com/buy"})).await.expect(200);
    assert_eq!(patched.body["external_url"], "https://shop.example.com/buy");
    let cleared = app.patch(&format!("/api/v1/products/{pid}"), &t, json!({"external_url": null})).await.expect(422);
    assert_eq!(cleared.fields(), vec!["external_url"], "external_url is required by the external_url method");
    for title in ["Intro", "Lesson 1"] {
        app.post(&format!("/api/v1/products/{pid}/pages"), &t, json!({"title": title})).await.expect(201);
    }
    let pages = app.get(&format!("/api/v1/products/{pid}/pages"), &t).await.expect(200);
    let titles: Vec<_> = pages.body["data"].as_array().unwrap().iter().map(|p| p["title"].as_str().unwrap().to_owned()).collect();
    assert_eq!(titles, vec!["Intro", "Lesson 1"]);
    let first = pages.body["data"][0]["id"].as_str().unwrap().to_owned();
    app.patch(&format!("/api/v1/products/{pid}/pages/{first}"), &t, json!({"position": 9})).await.expect(200);
    let pages = app.get(&format!("/api/v1/products/{pid}/pages"), &t).await.expect(200);
    assert_eq!(pages.body["data"][1]["title"], "Intro", "reordered by position");
    app.req(Method::DELETE, &format!("/api/v1/products/{pid}/pages/{first}"), Some(&t), None).await.expect(204);
    // A product in use cannot be deleted; an unused one can (pages go with it).
    let spare = app.post("/api/v1/products", &t, json!({"name": "Draft"})).await.expect(201).id();
    app.post(&format!("/api/v1/products/{spare}/pages"), &t, json!({"title": "Draft page"})).await.expect(201);
    app.req(Method::DELETE, &format!("/api/v1/products/{spare}"), Some(&t), None).await.expect(204);
    app.get(&format!("/api/v1/products/{spare}"), &t).await.expect(404);
    let used_m = app.post("/api/v1/users", &t, json!({"email": "used@example.com"})).await.expect(201).id();
    app.post(&format!("/api/v1/users/{used_m}/access"), &t, json!({"product_id": ids[1], "notify": false})).await.expect(201);
    assert_eq!(app.req(Method::DELETE, &format!("/api/v1/products/{}", ids[1]), Some(&t), None).await.expect(409).code(), "product_in_use");
    app.post(&format!("/api/v1/products/{pid}/archive"), &t, json!({})).await.expect(200);
    assert_eq!(app.get("/api/v1/products", &t).await.body["data"].as_array().unwrap().len(), 4);
    assert_eq!(app.get("/api/v1/products?include_archived=true", &t).await.body["data"].as_array().unwrap().len(), 5);
    let m = app.post("/api/v1/users", &t, json!({"email": "m@example.com"})).await.expect(201);
    assert_eq!(app.post(&format!("/api/v1/users/{}/access", m.id()), &t, json!({"product_id": pid})).await.expect(409).code(), "product_archived");
}

async fn revoking_the_last_grant_records_removal_once(app: TestApp) {
    let t = app.setup().await;
    let p = app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201).id();
    let m = app.post("/api/v1/users", &t, json!({"email": "m@example.com"})).await.expect(201).id();
    let g1 = app.post(&format!("/api/v1/users/{m}/access"), &t, json!({"product_id": p, "reason": "comp", "notify": false})).await.expect(201).id();
    let ends = (time::OffsetDateTime::now_utc() + time::Duration::days(30)).format(&time::format_description::well_known::Rfc3339).unwrap();
    // A second open grant from the same source is refused; the member keeps one access record.
    app.post(&format!("/api/v1/users/{m}/access"), &t, json!({"product_id": p, "ends_at": ends})).await.expect(409);
    let r = app.post(&format!("/api/v1/users/{m}/access/{g1}/revoke"), &t, json!({"reason": "refund"})).await.expect(200);
    assert_eq!((r.body["active"].as_bool(), r.body["revoke_reason"].as_str()), (Some(false), Some("refund")));
    assert_eq!(app.post(&format!("/api/v1/users/{m}/access/{g1}/revoke"), &t, json!({})).await.expect(409).code(), "already_revoked");
    let kinds = app.activity_kinds(&t, &format!("?product_id={p}")).await;
    assert_eq!(kinds, vec!["product.access_removed", "product.access_granted"]);
    let grants = app.get(&format!("/api/v1/users/{m}/access"), &t).await.expect(200);
    assert_eq!(grants.body["data"].as_array().unwrap().len(), 1);
    // Re-granting after the revoke works and records a new grant.
    app.post(&format!("/api/v1/users/{m}/access"), &t, json!({"product_id": p, "ends_at": ends, "notify": false})).await.expect(201);
    assert_eq!(app.activity_kinds(&t, &format!("?product_id={p}")).await.len(), 3);
    let past = app.post(&format!("/api/v1/users/{m}/access"), &t, json!({"product_id": p, "ends_at": "2001-01-01T00:00:00Z"})).await.expect(422);
    assert_eq!(past.fields(), vec!["ends_at"]);
}

async fn inactive_members_are_recorded_once_and_activate_on_return(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap().to_owned();
    app.patch("/api/v1/app", &t, json!({"inactivity_threshold_days": 10})).await.expect(200);
    let m = app.post("/api/v1/users", &t, json!({"email": "m@example.com", "password": "a long member password"})).await.expect(201).id();
    let login = || app.req(Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": "m@example.com", "password": "a long member password"})));
    login().await.expect(200);
    let id = tollgate_domain::ids::AppId::parse(&app_id).unwrap();
    app.clock.advance(time::Duration::days(9));
    assert_eq!(app.services.sweep_inactive_members(&id).await.unwrap(), 0, "not yet");
    app.clock.advance(time::Duration::days(2));
    assert_eq!(app.services.sweep_inactive_members(&id).await.unwrap(), 1);
    assert_eq!(app.services.sweep_inactive_members(&id).await.unwrap(), 0, "recorded once");
    login().await.expect(200);
    let t = app.login_owner().await;
    let kinds = app.activity_kinds(&t, &format!("?user_id={m}&kind=user.inactive,user.activate,user.login")).await;
    assert_eq!(kinds, vec!["user.login", "user.activate", "user.inactive", "user.login"]);
}
