/// The committed OpenAPI document matches the handlers.
#[test]
fn committed_openapi_matches_handlers() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../openapi/openapi.json");
    let committed = std::fs::read_to_string(path).unwrap_or_default();
    let generated = tollgate_http::openapi_json();
    assert!(
        committed == generated,
        "openapi/openapi.json is out of date.\nRegenerate it with:\n    cargo run -p tollgate -- openapi > openapi/openapi.json\n(then regenerate the SPA client: npm --prefix frontend run gen:api)"
    );
    // Every route documents its errors as problem details.
    let doc: serde_json::Value = serde_json::from_str(&generated).unwrap();
    assert!(doc["components"]["schemas"]["Problem"].is_object());
    assert!(doc["paths"]["/api/v1/products"]["post"].is_object());
}
