use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::helpers::TestApp;

both!(bad_input_gets_problem_details_and_writes_nothing, query_parameters_are_validated, a_nul_byte_is_refused_everywhere);

async fn bad_input_gets_problem_details_and_writes_nothing(app: TestApp) {
    let t = app.setup().await;
    // Field rules: every offending field is named.
    let r = app.post("/api/v1/products", &t, json!({"name": "", "image_url": "x".repeat(3000)})).await.expect(422);
    assert_eq!(r.code(), "validation_failed");
    assert_eq!(r.fields(), vec!["image_url", "name"]);
    // Domain rules after the shape checks.
    let r = app.post("/api/v1/products", &t, json!({"name": "A", "purchase_method": "free", "image_url": "not a url"})).await.expect(422);
    assert_eq!(r.fields(), vec!["image_url", "purchase_method"]);
    // Wrong types and unknown fields.
    let r = app.post("/api/v1/products", &t, json!({"name": 5})).await.expect(422);
    assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec!["name".to_owned()], Some("invalid_type")));
    let r = app.post("/api/v1/products", &t, json!({"name": "A", "colour": "red"})).await.expect(422);
    assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec!["colour".to_owned()], Some("unknown_field")));
    let r = app.post("/api/v1/products", &t, json!({})).await.expect(422);
    assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec!["name".to_owned()], Some("required")));
    // Malformed JSON is 400, a wrong content type 415, an oversized body 413.
    let raw = |body: &'static str, ct: &'static str| {
        let c = app.http.clone();
        let url = format!("{}/api/v1/products", app.url);
        let t = t.clone();
        async move { c.post(url).bearer_auth(t).header("content-type", ct).body(body).send().await.unwrap() }
    };
    let r = raw("{\"name\":", "application/json").await;
    assert_eq!(r.status(), 400);
    assert_eq!(r.json::<serde_json::Value>().await.unwrap()["code"], "malformed_json");
    let r = raw("name=A", "application/x-www-form-urlencoded").await;
    assert_eq!(r.status(), 415);
    let big = json!({"name": "A", "description": "x".repeat(300 * 1024)});
    let r = app.post("/api/v1/products", &t, big).await.expect(413);
    assert_eq!(r.code(), "payload_too_large");
    // Members: email and password rules; a taken email.
    let r = app.post("/api/v1/users", &t, json!({"email": "not-an-email", "password": "short"})).await.expect(422);
    assert_eq!(r.fields(), vec!["email", "password"]);
    app.post("/api/v1/users", &t, json!({"email": "m@example.com"})).await.expect(201);
    let r = app.post("/api/v1/users", &t, json!({"email": "M@example.com"})).await.expect(422);
    assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec!["email".to_owned()], Some("taken")));
    // Settings ranges.
    let r = app.patch("/api/v1/app", &t, json!({"inactivity_threshold_days": 0, "past_due_grace_days": 365, "site_url": "ftp://x"})).await.expect(422);
    assert_eq!(r.fields(), vec!["site_url", "inactivity_threshold_days", "past_due_grace_days"], "every bad setting in one answer");
    let ok = app.patch("/api/v1/app", &t, json!({"past_due_grace_days": 3, "site_url": "https://academy.example.com"})).await.expect(200);
    assert_eq!((ok.body["past_due_grace_days"].as_i64(), ok.body["site_url"].as_str()), (Some(3), Some("https://academy.example.com")));
    // Nothing above wrote a product, and only one member exists.
    assert_eq!(app.get("/api/v1/products", &t).await.body["data"].as_array().unwrap().len(), 0);
    assert_eq!(app.get("/api/v1/users", &t).await.body["data"].as_array().unwrap().len(), 1);
    // Unknown routes and malformed ids are 404 problems.
    assert_eq!(app.get("/api/v1/nope", &t).await.expect(404).code(), "route_not_found");
    assert_eq!(app.get("/api/v1/products/12", &t).await.expect(404).code(), "not_found");
    app.req(Method::GET, "/api/v1/products", None, None).await.expect(401);
}

async fn query_parameters_are_validated(app: TestApp) {
    let t = app.setup().await;
    let r = app.get("/api/v1/products?limit=0", &t).await.expect(422);
    assert_eq!(r.fields(), vec!["limit"]);
    let r = app.get("/api/v1/products?limit=abc", &t).await.expect(422);
    assert_eq!(r.fields(), vec!["limit"]);
    let r = app.get("/api/v1/products?limt=5", &t).await.expect(422);
    assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec!["limt".to_owned()], Some("unknown_parameter")));
    let r = app.get("/api/v1/users?cursor=%27%3B%20DROP", &t).await.expect(422);
    assert_eq!(r.fields(), vec!["cursor"]);
    let r = app.get("/api/v1/activities?kind=user.flew", &t).await.expect(422);
    assert_eq!(r.fields(), vec!["kind"]);
    let r = app.get("/api/v1/activities?since=yesterday", &t).await.expect(422);
    assert_eq!(r.fields(), vec!["since"]);
    let r = app.get("/api/v1/activities?since=2026-02-01T00:00:00Z&until=2026-01-01T00:00:00Z", &t).await.expect(422);
    assert_eq!(r.fields(), vec!["until"]);
    let r = app.get("/api/v1/jobs?status=sleeping", &t).await.expect(422);
    assert_eq!(r.fields(), vec!["status"]);
    let r = app.get("/api/v1/activities?user_id=usr_x", &t).await.expect(422);
    assert_eq!(r.fields(), vec!["user_id"]);
}

/// A NUL byte in any text input is a 422 naming the field, on both databases
/// (PostgreSQL answered 500 "invalid byte sequence … 0x00" to a search).
async fn a_nul_byte_is_refused_everywhere(app: TestApp) {
    let t = app.setup().await;
    for (path, field) in [("/api/v1/users?q=ad%00a", "q"), ("/api/v1/emails?to=ada%00%40example.com", "to"), ("/api/v1/activities?kind=user.login%00", "kind")] {
        let r = app.get(path, &t).await.expect(422);
        assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec![field.to_owned()], Some("invalid_characters")), "{path}");
    }
    let r = app.post("/api/v1/products", &t, serde_json::json!({"name": "Course\u{0}"})).await.expect(422);
    assert_eq!(r.fields(), ["name"]);
    let r = app.post("/api/v1/segments", &t, serde_json::json!({"name": "Ok", "filter": {"q": "a\u{0}b"}})).await.expect(422);
    assert_eq!(r.fields(), ["filter.q"]);
    // Nothing was written.
    assert!(app.get("/api/v1/products", &t).await.expect(200).body["data"].as_array().unwrap().is_empty());
    assert!(app.get("/api/v1/segments", &t).await.expect(200).body["data"].as_array().unwrap().is_empty());
}
