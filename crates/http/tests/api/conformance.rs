//! What schemathesis (scripts/test-schemathesis.sh) found about the API's
//! answers, kept as behaviour a client sees.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::helpers::TestApp;

both!(unknown_methods_are_405_with_allow, integral_numbers_are_integers_and_bodies_are_objects, bad_idempotency_key_without_credentials_is_401);

async fn unknown_methods_are_405_with_allow(app: TestApp) {
    let t = app.setup().await;
    let r = app.req(Method::PUT, "/api/v1/products", Some(&t), Some(json!({"name": "A"}))).await.expect(405);
    assert_eq!(r.code(), "method_not_allowed");
    assert_eq!(r.headers.get("allow").unwrap(), "GET, POST");
    // A path with an id; a literal segment wins over `{id}`.
    let r = app.req(Method::PUT, "/api/v1/products/prod_0", Some(&t), None).await.expect(405);
    assert_eq!(r.headers.get("allow").unwrap(), "GET, DELETE, PATCH");
    let r = app.req(Method::POST, "/api/v1/products/sale-problems", Some(&t), None).await.expect(405);
    assert_eq!(r.headers.get("allow").unwrap(), "GET");
    // Unknown paths stay 404, and the right method still works.
    assert_eq!(app.req(Method::PUT, "/api/v1/nothing", Some(&t), None).await.expect(404).code(), "route_not_found");
    app.req(Method::POST, "/api/v1/products", Some(&t), Some(json!({"name": "A"}))).await.expect(201);
}

async fn integral_numbers_are_integers_and_bodies_are_objects(app: TestApp) {
    let t = app.setup().await;
    // JSON Schema's integer 3.0 is 3.
    let r = app.patch("/api/v1/app", &t, json!({"past_due_grace_days": 3.0})).await.expect(200);
    assert_eq!(r.body["past_due_grace_days"].as_i64(), Some(3));
    let r = app.patch("/api/v1/app", &t, json!({"past_due_grace_days": 3.5})).await.expect(422);
    assert_eq!(r.fields(), vec!["past_due_grace_days"]);
    // An array is not read into an object field by field.
    let r = app.post("/api/v1/segments", &t, json!(["Fans", null])).await.expect(422);
    assert_eq!(r.fields(), vec!["body"]);
    let r = app.post("/api/v1/segments", &t, json!({"name": "Fans", "filter": [null, null]})).await.expect(422);
    assert_eq!(r.fields(), vec!["filter"]);
    assert_eq!(app.get("/api/v1/segments", &t).await.expect(200).body["data"].as_array().unwrap().len(), 0, "nothing was saved");
    app.post("/api/v1/segments", &t, json!({"name": "Fans", "filter": {}})).await.expect(201);
}

async fn bad_idempotency_key_without_credentials_is_401(app: TestApp) {
    let t = app.setup().await;
    let c = &app.http;
    let bad = [("idempotency-key", "")];
    let r = app.req_with(c, Method::POST, "/api/v1/products", None, Some(json!({"name": "A"})), &bad).await.expect(401);
    assert_eq!(r.code(), "missing_credentials");
    // With credentials the key is checked.
    let r = app.req_with(c, Method::POST, "/api/v1/products", Some(&t), Some(json!({"name": "A"})), &bad).await.expect(422);
    assert_eq!(r.fields(), vec!["Idempotency-Key"]);
}
