//! One tenant never sees or changes another's data: for every resource
//! endpoint, app A's credential asking for app B's object gets 404.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::helpers::TestApp;

both!(every_endpoint_hides_other_tenants_objects);

async fn every_endpoint_hides_other_tenants_objects(app: TestApp) {
    let a = app.setup().await;
    let b = app.second_tenant().await;
    // App B's objects.
    let bp = app.post("/api/v1/products", &b, json!({"name": "B product"})).await.expect(201).id();
    let bpage = app.post(&format!("/api/v1/products/{bp}/pages"), &b, json!({"title": "B page"})).await.expect(201).id();
    let bu = app.post("/api/v1/users", &b, json!({"email": "b@example.com", "send_invite": true})).await.expect(201).id();
    let bg = app.post(&format!("/api/v1/users/{bu}/access"), &b, json!({"product_id": bp})).await.expect(201).id();
    let bk = app.post("/api/v1/api-keys", &b, json!({"name": "B key", "scopes": ["products:read"]})).await.expect(201);
    let bk_id = bk.body["key"]["id"].as_str().unwrap().to_owned();
    let bjob = app.get("/api/v1/jobs", &b).await.expect(200).body["data"][0]["id"].as_str().unwrap().to_owned();
    let bemail = app.get("/api/v1/emails", &b).await.expect(200).body["data"][0]["id"].as_str().unwrap().to_owned();
    let b_admin = app.get("/api/v1/auth/me", &b).await.expect(200).body["admin"]["id"].as_str().unwrap().to_owned();
    let binv = app.post("/api/v1/admins/invitations", &b, json!({"email": "b-staff@example.com", "role": "viewer"})).await.expect(201).id();
    let bwh = app.post("/api/v1/webhooks/endpoints", &b, json!({"url": "https://hooks.example.com/b"})).await.expect(201).id();
    let bkey = app.post("/api/v1/api-keys", &b, json!({"name": "B zap", "scopes": ["webhooks:write"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    let bhook = app.post("/api/v1/hooks", &bkey, json!({"target_url": "https://hooks.zapier.com/b", "event": "user.login"})).await.expect(201).id();
    let bauto = app
        .post("/api/v1/automations", &b, json!({"name": "B drip", "trigger": {"type": "activity", "kind": "user.created"}, "steps": [{"type": "wait", "amount": 2, "unit": "hours"}, {"type": "grant_access", "product_id": bp}]}))
        .await
        .expect(201)
        .id();
    let bseg = app.post("/api/v1/segments", &b, json!({"name": "B segment", "filter": {"lacks_product": bp}})).await.expect(201).id();
    let btpl = app.post("/api/v1/email-templates", &b, json!({"name": "B", "subject": "Hi", "body": "Hi"})).await.expect(201).id();
    let bmedia = reqwest::Client::new()
        .post(format!("{}/api/v1/products/{bp}/media?kind=file&filename=b.pdf", app.url))
        .bearer_auth(&b)
        .header("content-type", "application/pdf")
        .body(&b"%PDF-1.4 b"[..])
        .send()
        .await
        .unwrap();
    assert_eq!(bmedia.status(), 201);
    let bmedia = bmedia.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    app.post("/api/v1/users", &b, json!({"email": "b2@example.com"})).await.expect(201);
    app.drain_jobs().await;
    let brun = app.get("/api/v1/automation-runs", &b).await.expect(200).body["data"][0]["id"].as_str().expect("B's run").to_owned();
    let bdlv = app.get(&format!("/api/v1/webhooks/endpoints/{bwh}/deliveries"), &b).await.expect(200).body["data"][0]["id"].as_str().unwrap().to_owned();
    let bimp = crate::import::upload(&app, &b, b"email\nb3@example.com\n".to_vec()).await.expect(201).body["import"]["id"].as_str().unwrap().to_owned();
    // App A's own member and product, to try cross-links.
    let ap = app.post("/api/v1/products", &a, json!({"name": "A product"})).await.expect(201).id();
    let au = app.post("/api/v1/users", &a, json!({"email": "a@example.com"})).await.expect(201).id();
    // An API key of app A too: the key decides the app.
    let ak = app.post("/api/v1/api-keys", &a, json!({"name": "A key", "scopes": ["products:write", "users:write", "jobs:write", "emails:read", "webhooks:write", "automations:write"]})).await.expect(201);
    let ak = ak.body["secret"].as_str().unwrap().to_owned();

    let probes: Vec<(Method, String, Option<serde_json::Value>)> = vec![
        (Method::GET, format!("/api/v1/products/{bp}"), None),
        (Method::PATCH, format!("/api/v1/products/{bp}"), Some(json!({"name": "pwned"}))),
        (Method::DELETE, format!("/api/v1/products/{bp}"), None),
        (Method::POST, format!("/api/v1/products/{bp}/archive"), Some(json!({}))),
        (Method::POST, format!("/api/v1/products/{bp}/unarchive"), Some(json!({}))),
        (Method::GET, format!("/api/v1/products/{bp}/pages"), None),
        (Method::POST, format!("/api/v1/products/{bp}/pages"), Some(json!({"title": "pwned"}))),
        (Method::PATCH, format!("/api/v1/products/{bp}/pages/{bpage}"), Some(json!({"title": "pwned"}))),
        (Method::DELETE, format!("/api/v1/products/{bp}/pages/{bpage}"), None),
        (Method::GET, format!("/api/v1/users/{bu}"), None),
        (Method::PATCH, format!("/api/v1/users/{bu}"), Some(json!({"name": "pwned"}))),
        (Method::GET, format!("/api/v1/users/{bu}/access"), None),
        (Method::POST, format!("/api/v1/users/{bu}/access"), Some(json!({"product_id": bp}))),
        (Method::POST, format!("/api/v1/users/{bu}/access"), Some(json!({"product_id": ap}))),
        (Method::POST, format!("/api/v1/users/{au}/access"), Some(json!({"product_id": bp}))),
        (Method::POST, format!("/api/v1/users/{bu}/access/{bg}/revoke"), Some(json!({}))),
        (Method::POST, format!("/api/v1/users/{au}/access/{bg}/revoke"), Some(json!({}))),
        (Method::DELETE, format!("/api/v1/api-keys/{bk_id}"), None),
        (Method::PATCH, format!("/api/v1/admins/{b_admin}"), Some(json!({"role": "viewer"}))),
        (Method::DELETE, format!("/api/v1/admins/{b_admin}"), None),
        (Method::DELETE, format!("/api/v1/admins/invitations/{binv}"), None),
        (Method::GET, format!("/api/v1/jobs/{bjob}"), None),
        (Method::POST, format!("/api/v1/jobs/{bjob}/retry"), Some(json!({}))),
        (Method::GET, format!("/api/v1/emails/{bemail}"), None),
        (Method::GET, format!("/api/v1/products/{bp}/stripe"), None),
        (Method::PUT, format!("/api/v1/products/{bp}/stripe"), Some(json!({"stripe_product_id": "prod_x"}))),
        (Method::DELETE, format!("/api/v1/products/{bp}/stripe"), None),
        (Method::GET, format!("/api/v1/products/{bp}/stripe/checkout"), None),
        (Method::PUT, format!("/api/v1/products/{bp}/stripe/checkout"), Some(json!({"enabled": false}))),
        (Method::GET, format!("/api/v1/products/{bp}/sales-page"), None),
        (Method::PUT, format!("/api/v1/products/{bp}/sales-page"), Some(json!({"title": "pwned", "cta_label": "x", "blocks": []}))),
        (Method::POST, format!("/api/v1/products/{bp}/sales-page/create-from"), Some(json!({"template": "classic"}))),
        (Method::GET, format!("/api/v1/products/{bp}/media"), None),
        (Method::GET, format!("/api/v1/users/{bu}/subscriptions"), None),
        (Method::GET, format!("/api/v1/users/{bu}/purchases"), None),
        (Method::POST, format!("/api/v1/users/{bu}/subscriptions/sub_123/cancel"), Some(json!({"at_period_end": true}))),
        (Method::GET, format!("/api/v1/webhooks/endpoints/{bwh}"), None),
        (Method::PATCH, format!("/api/v1/webhooks/endpoints/{bwh}"), Some(json!({"enabled": false}))),
        (Method::DELETE, format!("/api/v1/webhooks/endpoints/{bwh}"), None),
        (Method::POST, format!("/api/v1/webhooks/endpoints/{bwh}/rotate-secret"), Some(json!({}))),
        (Method::POST, format!("/api/v1/webhooks/endpoints/{bwh}/test"), Some(json!({}))),
        (Method::POST, format!("/api/v1/webhooks/endpoints/{bwh}/replay"), Some(json!({"since": "2020-01-01T00:00:00Z"}))),
        (Method::GET, format!("/api/v1/webhooks/endpoints/{bwh}/deliveries"), None),
        (Method::GET, format!("/api/v1/webhooks/deliveries/{bdlv}"), None),
        (Method::POST, format!("/api/v1/webhooks/deliveries/{bdlv}/redeliver"), Some(json!({}))),
        (Method::DELETE, format!("/api/v1/hooks/{bhook}"), None),
        (Method::PUT, format!("/api/v1/connectors/crm/activecampaign/tags/{bp}"), Some(json!({"tag_name": "pwned"}))),
        (Method::GET, format!("/api/v1/webhooks/endpoints/{bhook}"), None),
        (Method::GET, format!("/api/v1/users/imports/{bimp}"), None),
        (Method::GET, format!("/api/v1/users/imports/{bimp}/rows"), None),
        (Method::POST, format!("/api/v1/users/imports/{bimp}/run"), Some(json!({}))),
        (Method::GET, format!("/api/v1/users/{bu}/account"), None),
        (Method::GET, format!("/api/v1/automations/{bauto}"), None),
        (Method::PATCH, format!("/api/v1/automations/{bauto}"), Some(json!({"name": "pwned"}))),
        (Method::POST, format!("/api/v1/automations/{bauto}/dry-run"), Some(json!({"user_id": au}))),
        (Method::DELETE, format!("/api/v1/automations/{bauto}"), None),
        (Method::GET, format!("/api/v1/automation-runs/{brun}"), None),
        (Method::POST, format!("/api/v1/automation-runs/{brun}/retry"), Some(json!({}))),
        (Method::GET, format!("/api/v1/segments/{bseg}"), None),
        (Method::PATCH, format!("/api/v1/segments/{bseg}"), Some(json!({"name": "pwned"}))),
        (Method::DELETE, format!("/api/v1/segments/{bseg}"), None),
        (Method::GET, format!("/api/v1/email-templates/{btpl}"), None),
        (Method::PUT, format!("/api/v1/email-templates/{btpl}"), Some(json!({"name": "pwned", "subject": "x", "body": "x"}))),
        (Method::DELETE, format!("/api/v1/email-templates/{btpl}"), None),
        (Method::PATCH, format!("/api/v1/products/{bp}/media/{bmedia}"), Some(json!({"filename": "pwned.pdf"}))),
        (Method::PATCH, format!("/api/v1/products/{ap}/media/{bmedia}"), Some(json!({"filename": "pwned.pdf"}))),
        (Method::DELETE, format!("/api/v1/products/{bp}/media/{bmedia}"), None),
    ];
    for cred in [&a, &ak] {
        for (m, path, body) in &probes {
            if *cred == ak && (path.starts_with("/api/v1/api-keys") || path.starts_with("/api/v1/admins")) {
                continue; // API keys never hold api_keys:* scopes nor manage the team (403 before any lookup).
            }
            if *cred == ak && path.starts_with("/api/v1/connectors/") {
                continue; // This API key holds no connectors:write scope (403 before any lookup).
            }
            let r = app.req(m.clone(), path, Some(cred), body.clone()).await;
            assert_eq!(r.status.as_u16(), 404, "{m} {path} must be 404 for another app, got {} {}", r.status, r.body);
        }
    }
    let mut probed: Vec<(Method, String)> = probes.iter().map(|(m, p, _)| (m.clone(), p.clone())).collect();
    probed.extend([
        (Method::POST, format!("/api/v1/products/{bp}/media")),
        (Method::GET, "/api/v1/public/apps/x/products/y/sales-page".to_owned()),
        (Method::GET, format!("/api/v1/member/products/{bp}")),
        (Method::POST, format!("/api/v1/member/products/{bp}/checkout")),
        (Method::GET, format!("/api/v1/member/media/{bmedia}")),
        (Method::POST, format!("/api/v1/member/media/{bmedia}/played")),
        (Method::POST, format!("/api/v1/member/products/{bp}/pages/{bpage}/complete")),
        (Method::DELETE, format!("/api/v1/member/products/{bp}/pages/{bpage}/complete")),
    ]);
    every_path_with_an_id_is_probed(&probed);
    // Uploads to another app's product are refused too.
    let up = reqwest::Client::new()
        .post(format!("{}/api/v1/products/{bp}/media?kind=file&filename=x.pdf", app.url))
        .bearer_auth(&a)
        .body("x")
        .send()
        .await
        .unwrap();
    assert_eq!(up.status(), 404);
    // B's import was not started by A's probes.
    assert_eq!(app.get(&format!("/api/v1/users/imports/{bimp}"), &b).await.expect(200).body["status"], "previewed");
    // B's sales page exists; A's member area never shows B's products.
    app.post(&format!("/api/v1/products/{bp}/sales-page/create-from"), &b, json!({"template": "minimal"})).await.expect(200);
    let a_app = app.get("/api/v1/app", &a).await.body["id"].as_str().unwrap().to_owned();
    app.req(Method::GET, &format!("/api/v1/public/apps/{a_app}/products/{bp}/sales-page"), None, None).await.expect(404);
    app.post("/api/v1/users", &a, json!({"email": "am@example.com", "password": "a long member password"})).await.expect(201);
    let ml = app.req(Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": a_app, "email": "am@example.com", "password": "a long member password"}))).await.expect(200);
    let mt = ml.body["access_token"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/member/products/{bp}"), &mt).await.expect(404);
    app.post(&format!("/api/v1/member/products/{bp}/checkout"), &mt, json!({})).await.expect(404);
    app.get(&format!("/api/v1/member/media/{bmedia}"), &mt).await.expect(404);
    app.post(&format!("/api/v1/member/media/{bmedia}/played"), &mt, json!({})).await.expect(404);
    app.post(&format!("/api/v1/member/products/{bp}/pages/{bpage}/complete"), &mt, json!({})).await.expect(404);
    app.req(Method::DELETE, &format!("/api/v1/member/products/{bp}/pages/{bpage}/complete"), Some(&mt), None).await.expect(404);
    assert!(!app.get("/api/v1/member/library", &mt).await.body.to_string().contains(bp.as_str()));

    // Lists of A show none of B's rows.
    for path in ["/api/v1/products?include_archived=true", "/api/v1/users", "/api/v1/activities", "/api/v1/api-keys", "/api/v1/jobs", "/api/v1/emails", "/api/v1/admins", "/api/v1/webhooks/endpoints"] {
        let body = app.get(path, &a).await.expect(200).body.to_string();
        for b_id in [&bp, &bu, &bg, &bk_id, &bjob, &bemail, &b_admin, &binv, &bwh, &bhook, &bdlv] {
            assert!(!body.contains(b_id.as_str()), "{path} leaks {b_id}");
        }
    }
    // Nothing of B changed.
    let p = app.get(&format!("/api/v1/products/{bp}"), &b).await.expect(200);
    assert_eq!((p.body["name"].as_str(), p.body["archived_at"].is_null()), (Some("B product"), true));
    assert_eq!(app.get(&format!("/api/v1/products/{bp}/pages"), &b).await.body["data"][0]["title"], "B page");
    assert_eq!(app.get(&format!("/api/v1/users/{bu}"), &b).await.body["name"], "");
    let grants = app.get(&format!("/api/v1/users/{bu}/access"), &b).await;
    assert_eq!((grants.body["data"].as_array().unwrap().len(), grants.body["data"][0]["active"].as_bool()), (1, Some(true)));
    let keys = app.get("/api/v1/api-keys", &b).await;
    assert!(keys.body["data"][0]["revoked_at"].is_null());
    assert_eq!(app.get("/api/v1/activities", &b).await.body["data"].as_array().unwrap().len(), 3);
    assert_eq!(app.get(&format!("/api/v1/products/{bp}/sales-page"), &b).await.body["template"], "minimal");
    let wh = app.get(&format!("/api/v1/webhooks/endpoints/{bwh}"), &b).await.expect(200);
    assert_eq!(wh.body["enabled"], true);
    app.get(&format!("/api/v1/webhooks/endpoints/{bhook}"), &b).await.expect(200);
    let team = app.get("/api/v1/admins", &b).await.expect(200);
    assert_eq!((team.body["admins"][0]["role"].as_str(), team.body["invitations"][0]["id"].as_str()), (Some("owner"), Some(binv.as_str())));
    assert_eq!(app.get(&format!("/api/v1/automations/{bauto}"), &b).await.expect(200).body["name"], "B drip");
    assert_eq!(app.get(&format!("/api/v1/segments/{bseg}"), &b).await.expect(200).body["name"], "B segment");
    assert_eq!(app.get(&format!("/api/v1/email-templates/{btpl}"), &b).await.expect(200).body["name"], "B");
    let media = app.get(&format!("/api/v1/products/{bp}/media"), &b).await.expect(200).body.to_string();
    assert!(media.contains(&bmedia) && media.contains("b.pdf") && !media.contains("pwned"), "{media}");
}

/// Operations whose path has a parameter but names no object another app
/// could own, with the reason.
const NOT_TENANT_OBJECTS: &[(&str, &str, &str)] = &[
    ("GET", "/api/v1/connectors/crm/{kind}", "a connector kind, not an object: the app is the credential's"),
    ("POST", "/api/v1/connectors/crm/{kind}", "a connector kind: the credential's app"),
    ("PATCH", "/api/v1/connectors/crm/{kind}", "a connector kind: the credential's app"),
    ("DELETE", "/api/v1/connectors/crm/{kind}", "a connector kind: the credential's app"),
    ("POST", "/api/v1/connectors/crm/{kind}/sync", "a connector kind: the credential's app"),
    ("GET", "/api/v1/connectors/crm/{kind}/tags", "a connector kind: the credential's app"),
    ("GET", "/api/v1/connectors/{kind}/settings", "a connector kind: the credential's app"),
    ("PATCH", "/api/v1/connectors/{kind}/settings", "a connector kind: the credential's app"),
    ("GET", "/api/v1/hooks/samples/{event}", "an event type name: samples are built, not read"),
    ("GET", "/api/v1/public/apps/{app_id}", "public by design: the app's name and branding"),
    ("GET", "/api/v1/public/apps/{app_id}/library", "public by design: the app's catalogue"),
    ("GET", "/api/v1/public/apps/{app_id}/images/{id}", "public images; another app's id under this app is 404 in tests/api/images.rs"),
    ("GET", "/api/v1/accounts/{id}", "accounts come only from Stripe customers: another app's is 404 in tests/api/accounts.rs"),
    ("POST", "/api/v1/accounts/{id}/seats", "tests/api/accounts.rs (another app: 404)"),
    ("DELETE", "/api/v1/accounts/{id}/seats/{user_id}", "an account of this app only (tests/api/accounts.rs); the seat's member is looked up in it"),
    ("DELETE", "/api/v1/member/account/seats/{user_id}", "the member's own account: a seat of any other account is not in it (tests/api/accounts.rs)"),
    ("GET", "/api/v1/connectors/stripe/events/{id}", "Stripe events of another app: 404 in tests/api/stripe_inbox.rs (needs a Stripe connection)"),
    ("POST", "/api/v1/connectors/stripe/events/{id}/process", "tests/api/stripe_inbox.rs (another app: 404)"),
    ("POST", "/webhooks/{kind}/{app_id}", "the receiver: the path names the app; a delivery is verified with that app's secret (tests/api/webhooks.rs)"),
    ("POST", "/webhooks/{kind}/{app_id}/{token}", "the receiver: the token is the app's credential (tests/api/crm.rs)"),
];

/// Fails when an OpenAPI operation whose path takes a parameter is neither
/// probed with another app's object above nor listed in [`NOT_TENANT_OBJECTS`]:
/// a new endpoint must be added to the probes.
fn every_path_with_an_id_is_probed(probed: &[(Method, String)]) {
    let doc = serde_json::to_value(tollgate_http::openapi()).unwrap();
    let templates: Vec<(String, String)> = doc["paths"]
        .as_object()
        .unwrap()
        .iter()
        .flat_map(|(path, ops)| ops.as_object().unwrap().keys().filter(|m| !m.starts_with("parameters")).map(move |m| (m.to_uppercase(), path.clone())))
        .filter(|(_, path)| path.contains('{'))
        .collect();
    let matches = |template: &str, concrete: &str| {
        let (t, c): (Vec<&str>, Vec<&str>) = (template.split('/').collect(), concrete.split('?').next().unwrap().split('/').collect());
        t.len() == c.len() && t.iter().zip(&c).all(|(t, c)| t.starts_with('{') || t == c)
    };
    let missing: Vec<String> = templates
        .iter()
        .filter(|(m, t)| !NOT_TENANT_OBJECTS.iter().any(|(em, et, _)| em == m && et == t))
        .filter(|(m, t)| !probed.iter().any(|(pm, pp)| pm.as_str() == m && matches(t, pp)))
        .map(|(m, t)| format!("{m} {t}"))
        .collect();
    assert!(missing.is_empty(), "operations with a path id that no cross-tenant probe covers: {missing:#?}");
}
