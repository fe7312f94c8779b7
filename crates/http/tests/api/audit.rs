//! The audit log: one entry per admin write, in the change's transaction,
//! with the actor, credential, action, target and a summary without secrets;
//! read by owners and admins only, filtered and paged; pruned by retention.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, PASSWORD, Resp, TestApp};

both!(
    each_capability_write_records_one_entry,
    api_key_writes_record_the_key,
    rejected_writes_record_nothing,
    secrets_never_reach_the_log,
    viewers_and_api_keys_cannot_read_it,
    another_apps_entries_never_appear,
    filters_and_cursor_paging,
    bad_filters_are_422_naming_the_field,
    a_password_reset_is_recorded,
);

/// The entries a request made, found by its `X-Request-Id`.
async fn entries_of(app: &TestApp, t: &str, r: &Resp) -> Vec<Value> {
    let rid = r.headers.get("x-request-id").and_then(|v| v.to_str().ok()).expect("a request id").to_owned();
    all_entries(app, t, "").await.into_iter().filter(|e| e["request_id"] == rid.as_str()).collect()
}

/// Every entry of the log (following the cursor), newest first.
async fn all_entries(app: &TestApp, t: &str, query: &str) -> Vec<Value> {
    let mut out = vec![];
    let mut cursor: Option<String> = None;
    loop {
        let sep = if query.is_empty() { "?" } else { "&" };
        let path = match &cursor {
            Some(c) => format!("/api/v1/audit-log{query}{sep}limit=100&cursor={c}"),
            None => format!("/api/v1/audit-log{query}{sep}limit=100"),
        };
        let r = app.get(&path, t).await.expect(200);
        out.extend(r.body["data"].as_array().unwrap().iter().cloned());
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => return out,
        }
    }
}

/// The one entry `r` made; checks the actor is the setup owner's session.
#[track_caller]
fn one(entries: Vec<Value>, action: &str, target_type: &str) -> Value {
    assert_eq!(entries.len(), 1, "exactly one entry for {action}: {entries:?}");
    let e = entries.into_iter().next().unwrap();
    assert_eq!((e["action"].as_str(), e["target_type"].as_str()), (Some(action), Some(target_type)), "{e}");
    e
}

async fn owner_id(app: &TestApp, t: &str) -> String {
    app.get("/api/v1/auth/me", t).await.expect(200).body["admin"]["id"].as_str().unwrap().to_owned()
}

async fn each_capability_write_records_one_entry(app: TestApp) {
    let t = app.setup().await;
    let me = owner_id(&app, &t).await;
    let check = |e: &Value| {
        assert_eq!(e["actor"]["id"], me.as_str(), "{e}");
        assert_eq!(e["actor"]["credential"], "session", "{e}");
        assert_eq!(e["actor"]["role"], "owner", "{e}");
        assert_eq!(e["ip"], "127.0.0.1", "{e}");
        assert!(e["occurred_at"].is_string(), "{e}");
    };

    // Products: created (target named by the use case), updated (before and after), archived.
    let r = app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201);
    let product = r.id();
    let e = one(entries_of(&app, &t, &r).await, "product.created", "product");
    check(&e);
    assert_eq!(e["target_id"], product.as_str());
    assert_eq!(e["after"]["name"], "Course");
    let r = app.patch(&format!("/api/v1/products/{product}"), &t, json!({"name": "Course II"})).await.expect(200);
    let e = one(entries_of(&app, &t, &r).await, "product.updated", "product");
    check(&e);
    assert_eq!((e["target_id"].as_str(), e["before"].clone(), e["after"].clone()), (Some(product.as_str()), json!({"name": "Course"}), json!({"name": "Course II"})));
    let r = app.post(&format!("/api/v1/products/{product}/pages"), &t, json!({"title": "Lesson 1", "body": "Hello"})).await.expect(201);
    let e = one(entries_of(&app, &t, &r).await, "page.created", "page");
    assert_eq!(e["target_id"], r.id().as_str());

    // Members and access.
    let r = app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada"})).await.expect(201);
    let ada = r.id();
    let e = one(entries_of(&app, &t, &r).await, "member.created", "member");
    check(&e);
    assert_eq!((e["target_id"].as_str(), e["after"]["email"].as_str()), (Some(ada.as_str()), Some("ada@example.com")));
    let r = app.patch(&format!("/api/v1/users/{ada}"), &t, json!({"name": "Ada L."})).await.expect(200);
    let e = one(entries_of(&app, &t, &r).await, "member.updated", "member");
    assert_eq!((e["before"].clone(), e["after"].clone()), (json!({"name": "Ada"}), json!({"name": "Ada L."})));
    let r = app.post(&format!("/api/v1/users/{ada}/access"), &t, json!({"product_id": product})).await.expect(201);
    let e = one(entries_of(&app, &t, &r).await, "access.granted", "member");
    assert_eq!((e["target_id"].as_str(), e["after"]["product_id"].as_str()), (Some(ada.as_str()), Some(product.as_str())));

    // Segments, automations' templates, the app, team, webhooks, API keys.
    let r = app.post("/api/v1/segments", &t, json!({"name": "Without the course", "filter": {"lacks_product": product}})).await.expect(201);
    assert_eq!(one(entries_of(&app, &t, &r).await, "segment.created", "segment")["target_id"], r.id().as_str());
    let r = app.post("/api/v1/email-templates", &t, json!({"name": "Hi", "subject": "Hello {{member.name}}", "body": "Welcome, {{member.name}}!"})).await.expect(201);
    assert_eq!(one(entries_of(&app, &t, &r).await, "email_template.created", "email_template")["target_id"], r.id().as_str());
    let r = app.patch("/api/v1/app", &t, json!({"name": "Garden Club"})).await.expect(200);
    let e = one(entries_of(&app, &t, &r).await, "app.updated", "app");
    assert_eq!((e["before"].clone(), e["after"].clone()), (json!({"name": "Academy"}), json!({"name": "Garden Club"})));
    let r = app.post("/api/v1/admins/invitations", &t, json!({"email": "vera@example.com", "role": "viewer"})).await.expect(201);
    assert_eq!(one(entries_of(&app, &t, &r).await, "invitation.created", "invitation")["target_id"], r.id().as_str());
    let r = app.post("/api/v1/webhooks/endpoints", &t, json!({"url": "https://hooks.example.com/in"})).await.expect(201);
    let ep = r.id();
    assert_eq!(one(entries_of(&app, &t, &r).await, "webhook_endpoint.created", "webhook_endpoint")["target_id"], ep.as_str());
    let r = app.req(Method::DELETE, &format!("/api/v1/webhooks/endpoints/{ep}"), Some(&t), None).await.expect(204);
    assert_eq!(one(entries_of(&app, &t, &r).await, "webhook_endpoint.deleted", "webhook_endpoint")["target_id"], ep.as_str());
    let r = app.post("/api/v1/api-keys", &t, json!({"name": "CRM", "scopes": ["users:read"]})).await.expect(201);
    let key = r.body["key"]["id"].as_str().unwrap().to_owned();
    assert_eq!(one(entries_of(&app, &t, &r).await, "api_key.created", "api_key")["target_id"], key.as_str());
    let r = app.req(Method::DELETE, &format!("/api/v1/api-keys/{key}"), Some(&t), None).await;
    assert!(r.status.is_success(), "{}", r.body);
    assert_eq!(one(entries_of(&app, &t, &r).await, "api_key.revoked", "api_key")["target_id"], key.as_str());

    // A sign-in is recorded too, in the app it opens.
    let r = app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": PASSWORD})), &[]).await.expect(200);
    let e = one(entries_of(&app, &t, &r).await, "admin.signed_in", "admin");
    check(&e);
    assert_eq!(e["target_id"], me.as_str());
    assert!(e["after"].get("password").is_none_or(|p| p == "[redacted]"), "{e}");

    // Reads record nothing.
    let r = app.get("/api/v1/products", &t).await.expect(200);
    assert!(entries_of(&app, &t, &r).await.is_empty());
}

async fn api_key_writes_record_the_key(app: TestApp) {
    let t = app.setup().await;
    let r = app.post("/api/v1/api-keys", &t, json!({"name": "Importer", "scopes": ["products:write"]})).await.expect(201);
    let (key_id, secret) = (r.body["key"]["id"].as_str().unwrap().to_owned(), r.body["secret"].as_str().unwrap().to_owned());
    let r = app.post("/api/v1/products", &secret, json!({"name": "From the key"})).await.expect(201);
    let e = one(entries_of(&app, &t, &r).await, "product.created", "product");
    assert_eq!(e["actor"], json!({"id": key_id, "credential": "api_key", "role": null}));
    let by_key = all_entries(&app, &t, &format!("?actor={key_id}")).await;
    assert_eq!(by_key.len(), 1, "{by_key:?}");
}

async fn rejected_writes_record_nothing(app: TestApp) {
    let t = app.setup().await;
    let before = all_entries(&app, &t, "").await.len();
    // 422: validation.
    app.post("/api/v1/products", &t, json!({"name": ""})).await.expect(422);
    // 409: a product in use is not deleted (the grant is recorded, the refused delete is not).
    let p = app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201).id();
    let u = app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada"})).await.expect(201).id();
    app.post(&format!("/api/v1/users/{u}/access"), &t, json!({"product_id": p})).await.expect(201);
    let r = app.req(Method::DELETE, &format!("/api/v1/products/{p}"), Some(&t), None).await.expect(409);
    assert!(entries_of(&app, &t, &r).await.is_empty());
    // 404 and 403.
    app.patch("/api/v1/products/prod_0192f0c3aaaaaaaaaaaaaaaaaaaaaaaa", &t, json!({"name": "x"})).await.expect(404);
    let ro = app.post("/api/v1/api-keys", &t, json!({"name": "ro", "scopes": ["products:read"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    app.post("/api/v1/products", &ro, json!({"name": "Nope"})).await.expect(403);
    let actions: Vec<String> = all_entries(&app, &t, "").await.iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    assert_eq!(actions.len(), before + 4, "{actions:?}");
    assert_eq!(&actions[..4], ["api_key.created", "access.granted", "member.created", "product.created"]);
}

async fn secrets_never_reach_the_log(app: TestApp) {
    let t = app.setup().await;
    let mut secrets = vec![];
    let r = app.post("/api/v1/api-keys", &t, json!({"name": "CRM", "scopes": ["users:read"]})).await.expect(201);
    secrets.push(r.body["secret"].as_str().unwrap().to_owned());
    let r = app.post("/api/v1/webhooks/endpoints", &t, json!({"url": "https://hooks.example.com/in"})).await.expect(201);
    secrets.push(r.body["secret"].as_str().unwrap().to_owned());
    let ep = r.id();
    let r = app.post(&format!("/api/v1/webhooks/endpoints/{ep}/rotate-secret"), &t, json!({})).await;
    assert!(r.status.is_success(), "{}", r.body);
    secrets.push(r.body["secret"].as_str().unwrap().to_owned());
    let member_password = "a very private member passphrase";
    app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": member_password})).await.expect(201);
    secrets.push(member_password.to_owned());
    app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": PASSWORD})), &[]).await.expect(200);
    secrets.push(PASSWORD.to_owned());
    // What the API shows…
    let shown = serde_json::to_string(&all_entries(&app, &t, "").await).unwrap();
    assert!(shown.contains("[redacted]"), "the password fields say they changed: {shown}");
    // …and every stored row.
    let stored = stored_rows(&app).await;
    assert!(stored.len() >= 5, "{stored:?}");
    for s in &secrets {
        assert!(!shown.contains(s.as_str()), "{s} in the audit log");
        assert!(!stored.iter().any(|row| row.contains(s.as_str())), "{s} stored in audit_log");
    }
}

/// Every audit_log row, all columns joined as text.
async fn stored_rows(app: &TestApp) -> Vec<String> {
    const SQL: &str = "SELECT COALESCE(actor_id, '') || ' ' || action || ' ' || COALESCE(target_id, '') || ' ' || COALESCE(before_json, '') || ' ' \
        || COALESCE(after_json, '') || ' ' || COALESCE(request_id, '') || ' ' || COALESCE(ip, '') FROM audit_log";
    match &app.services.db {
        tollgate_persistence::Db::Sqlite(p) => sqlx::query_scalar(SQL).fetch_all(p).await.unwrap(),
        tollgate_persistence::Db::Pg(p) => sqlx::query_scalar(SQL).fetch_all(p).await.unwrap(),
    }
}

async fn viewers_and_api_keys_cannot_read_it(app: TestApp) {
    let t = app.setup().await;
    for (email, role) in [("vera@example.com", "viewer"), ("adam@example.com", "admin")] {
        app.post("/api/v1/admins/invitations", &t, json!({"email": email, "role": role})).await.expect(201);
        let mail = app.get(&format!("/api/v1/emails?to={email}"), &t).await.expect(200);
        let text = mail.body["data"][0]["text_body"].as_str().unwrap().to_owned();
        let link = text.split_whitespace().find(|w| w.contains("/accept-invite?token=")).unwrap();
        let token = link.split_once("token=").unwrap().1;
        let r = app
            .req_with(&app.new_client(), Method::POST, "/api/v1/auth/accept-invite", None, Some(json!({"token": token, "name": "Colleague", "password": "a brand new password"})), &[])
            .await
            .expect(200);
        let theirs = r.body["access_token"].as_str().unwrap().to_owned();
        let status = app.get("/api/v1/audit-log", &theirs).await.status.as_u16();
        assert_eq!(status, if role == "viewer" { 403 } else { 200 }, "{role}");
    }
    let key = app.post("/api/v1/api-keys", &t, json!({"name": "all", "scopes": ["app:read", "users:read"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    assert_eq!(app.get("/api/v1/audit-log", &key).await.expect(403).code(), "audit_log_forbidden");
    app.req(Method::GET, "/api/v1/audit-log", None, None).await.expect(401);
}

async fn another_apps_entries_never_appear(app: TestApp) {
    let t = app.setup().await;
    let other = app.second_tenant().await;
    let theirs = app.post("/api/v1/products", &other, json!({"name": "Theirs"})).await.expect(201).id();
    app.post("/api/v1/products", &t, json!({"name": "Ours"})).await.expect(201);
    let ours = all_entries(&app, &t, "").await;
    assert!(!ours.is_empty());
    assert!(!serde_json::to_string(&ours).unwrap().contains(&theirs), "{ours:?}");
    let by_target = all_entries(&app, &t, &format!("?target_type=product&target_id={theirs}")).await;
    assert!(by_target.is_empty());
    let theirs_seen = all_entries(&app, &other, &format!("?target_type=product&target_id={theirs}")).await;
    assert_eq!(theirs_seen.len(), 1);
}

async fn filters_and_cursor_paging(app: TestApp) {
    let t = app.setup().await;
    let me = owner_id(&app, &t).await;
    let mut products = vec![];
    for i in 0..5 {
        products.push(app.post("/api/v1/products", &t, json!({"name": format!("P{i}")})).await.expect(201).id());
    }
    let mid = app.clock_now() + time::Duration::minutes(1);
    app.clock.advance(time::Duration::minutes(5));
    app.patch(&format!("/api/v1/products/{}", products[0]), &t, json!({"name": "P0 again"})).await.expect(200);
    app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada"})).await.expect(201);

    // Paging by two: every entry once, newest first.
    let mut seen = vec![];
    let mut cursor = None::<String>;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/audit-log?limit=2&cursor={c}"),
            None => "/api/v1/audit-log?limit=2".to_owned(),
        };
        let r = app.get(&path, &t).await.expect(200);
        let page = r.body["data"].as_array().unwrap();
        assert!(page.len() <= 2);
        seen.extend(page.iter().map(|e| e["id"].as_str().unwrap().to_owned()));
        match r.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    let all: Vec<String> = all_entries(&app, &t, "").await.iter().map(|e| e["id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(seen, all);
    assert_eq!(all.len(), 7);

    let actions = |v: Vec<Value>| v.iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect::<Vec<_>>();
    assert_eq!(actions(all_entries(&app, &t, "?action=product.created").await).len(), 5);
    assert_eq!(actions(all_entries(&app, &t, &format!("?target_type=product&target_id={}", products[0])).await), ["product.updated", "product.created"]);
    assert_eq!(actions(all_entries(&app, &t, "?target_type=member").await), ["member.created"]);
    assert_eq!(all_entries(&app, &t, &format!("?actor={me}")).await.len(), 7);
    assert!(all_entries(&app, &t, "?actor=adm_0192f0c3aaaaaaaaaaaaaaaaaaaaaaaa").await.is_empty());
    let since = mid.format(&time::format_description::well_known::Rfc3339).unwrap();
    let since = since.replace('+', "%2B");
    assert_eq!(actions(all_entries(&app, &t, &format!("?since={since}")).await), ["member.created", "product.updated"]);
    assert_eq!(all_entries(&app, &t, &format!("?until={since}")).await.len(), 5);
}

async fn bad_filters_are_422_naming_the_field(app: TestApp) {
    let t = app.setup().await;
    for (q, field) in [
        ("limit=0", "limit"),
        ("limit=101", "limit"),
        ("cursor=nope", "cursor"),
        ("action=product.exploded", "action"),
        ("target_type=planet", "target_type"),
        ("target_id=prod_1", "target_type"),
        ("actor=usr_1", "actor"),
        ("since=yesterday", "since"),
        ("since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", "until"),
        ("colour=red", "colour"),
    ] {
        let r = app.get(&format!("/api/v1/audit-log?{q}"), &t).await.expect(422);
        assert_eq!(r.fields(), [field], "{q}: {}", r.body);
    }
}

async fn a_password_reset_is_recorded(app: TestApp) {
    let t = app.setup().await;
    let me = owner_id(&app, &t).await;
    app.req(Method::POST, "/api/v1/auth/password-reset", None, Some(json!({"email": "owner@example.com"}))).await.expect(202);
    let emails = app.get("/api/v1/emails", &t).await.expect(200).body;
    let text = emails["data"][0]["text_body"].as_str().unwrap().to_owned();
    let at = text.find("/reset-password?token=").expect("a reset link") + "/reset-password?token=".len();
    let token = text[at..].split_whitespace().next().unwrap().to_owned();
    let new_password = "lantern orchard velvet compass";
    app.req(Method::POST, "/api/v1/auth/password-reset/confirm", None, Some(json!({"token": "nope", "password": new_password}))).await.expect(422);
    app.req(Method::POST, "/api/v1/auth/password-reset/confirm", None, Some(json!({"token": token, "password": new_password}))).await.expect(204);
    let r = app.req_with(&app.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": new_password})), &[]).await.expect(200);
    let t = r.body["access_token"].as_str().unwrap().to_owned();
    let resets = all_entries(&app, &t, "?action=admin.password_reset").await;
    assert_eq!(resets.len(), 1, "the refused confirmation records nothing: {resets:?}");
    assert_eq!((resets[0]["actor"]["id"].as_str(), resets[0]["target_id"].as_str()), (Some(me.as_str()), Some(me.as_str())));
    let shown = serde_json::to_string(&resets).unwrap();
    assert!(!shown.contains(&token) && !shown.contains(new_password), "{shown}");
}

/// Entries older than `audit.retention_days` are pruned by the sweep; 0 keeps them.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_prunes_old_entries_sqlite() {
    retention(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn retention_prunes_old_entries_postgres() {
    retention(Backend::Postgres).await;
}

async fn retention(backend: Backend) {
    let app = TestApp::spawn_configured(backend, |c| c.audit.retention_days = 30).await;
    let t = app.setup().await;
    app.post("/api/v1/products", &t, json!({"name": "Old"})).await.expect(201);
    app.clock.advance(time::Duration::days(29));
    let t = app.login_owner().await;
    app.post("/api/v1/products", &t, json!({"name": "Newer"})).await.expect(201);
    app.clock.advance(time::Duration::days(2));
    let t = app.login_owner().await;
    // The minutely sweep prunes.
    tollgate_app::worker::Worker::new(app.services.clone()).schedule_periodic().await.unwrap();
    app.drain_jobs().await;
    let left: Vec<String> = all_entries(&app, &t, "").await.iter().map(|e| e["action"].as_str().unwrap().to_owned()).collect();
    assert_eq!(left, ["admin.signed_in", "product.created", "admin.signed_in"], "the first product's entry is gone");

    let keep = TestApp::spawn_configured(backend, |c| c.audit.retention_days = 0).await;
    let t = keep.setup().await;
    keep.post("/api/v1/products", &t, json!({"name": "Old"})).await.expect(201);
    keep.clock.advance(time::Duration::days(3650));
    let t = keep.login_owner().await;
    tollgate_app::worker::Worker::new(keep.services.clone()).schedule_periodic().await.unwrap();
    keep.drain_jobs().await;
    assert_eq!(all_entries(&keep, &t, "?action=product.created").await.len(), 1);
}

/// Every admin write in the OpenAPI document is audited, or listed here as
/// changing nothing an admin would look for.
#[test]
fn every_admin_write_is_audited() {
    // Writes that store nothing (previews, dry runs) or that are no admin's
    // change of the app (first-run setup, sessions of people not yet signed
    // in, refresh and sign-out of a session, asking for a password reset link).
    const NOT_AUDITED: &[(&str, &str)] = &[
        ("POST", "/api/v1/markdown/preview"),
        ("POST", "/api/v1/email-templates/preview"),
        ("POST", "/api/v1/automations/{id}/dry-run"),
        ("POST", "/api/v1/setup"),
        ("POST", "/api/v1/auth/refresh"),
        ("POST", "/api/v1/auth/logout"),
        ("POST", "/api/v1/auth/invitation"),
        ("POST", "/api/v1/auth/accept-invite"),
        ("POST", "/api/v1/auth/password-reset"),
    ];
    let doc = serde_json::to_value(tollgate_http::openapi()).unwrap();
    let mut unaudited = vec![];
    let mut writes = 0;
    for (path, item) in doc["paths"].as_object().unwrap() {
        if !path.starts_with("/api/v1/") || path.starts_with("/api/v1/member/") {
            continue;
        }
        for (method, op) in item.as_object().unwrap() {
            let method = method.to_ascii_uppercase();
            if !["POST", "PUT", "PATCH", "DELETE"].contains(&method.as_str()) {
                continue;
            }
            let member_only = op["security"].as_array().is_some_and(|s| s.iter().all(|r| r.get("member_bearer").is_some()));
            if member_only {
                continue;
            }
            writes += 1;
            let audited = tollgate_http::audit::OPERATIONS.iter().any(|o| o.method == method && o.path == path);
            let exempt = NOT_AUDITED.contains(&(method.as_str(), path.as_str()));
            assert!(!(audited && exempt), "{method} {path} is both audited and exempt");
            if !audited && !exempt {
                unaudited.push(format!("{method} {path}"));
            }
        }
    }
    assert!(unaudited.is_empty(), "admin writes without an audit action (add them to tollgate_http::audit::OPERATIONS): {unaudited:?}");
    for o in tollgate_http::audit::OPERATIONS {
        let m = o.method.to_ascii_lowercase();
        assert!(doc["paths"][o.path][&m].is_object(), "{} {} is audited but not in the API", o.method, o.path);
    }
    assert!(writes > 70, "{writes}");
    // The action names are documented as an enum.
    let documented = doc["components"]["schemas"]["AuditAction"]["enum"].as_array().expect("AuditAction enum").len();
    assert_eq!(documented, tollgate_http::audit::actions().len());
}
