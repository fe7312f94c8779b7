//! Typed events: the OpenAPI document lists the closed sets as enums and
//! documents each activity kind's data; the feed and outbound deliveries
//! carry exactly the documented fields.

use std::collections::BTreeSet;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::TestApp;
use crate::outbound::{Receiver, body, drain, endpoint};

async fn spawn(backend: crate::helpers::Backend) -> TestApp {
    TestApp::spawn_configured(backend, |c| c.outbound.allow_private_networks = true).await
}

fn keys(v: &Value) -> BTreeSet<String> {
    v.as_object().unwrap_or_else(|| panic!("not an object: {v}")).keys().cloned().collect()
}

fn strings(v: &Value) -> Vec<String> {
    v.as_array().unwrap_or_else(|| panic!("not an array: {v}")).iter().map(|x| x.as_str().unwrap().to_owned()).collect()
}

/// The document the server serves.
async fn served_doc(app: &TestApp) -> Value {
    let r = app.req(Method::GET, "/api/openapi.json", None, None).await.expect(200);
    r.body.clone()
}

async fn the_document_lists_the_enums(app: TestApp) {
    let doc = served_doc(&app).await;
    let schemas = &doc["components"]["schemas"];
    let sources = strings(&schemas["GrantSource"]["enum"]);
    for s in ["manual", "stripe_subscription", "stripe_purchase", "import", "crm_tag", "api", "automation", "keap", "activecampaign"] {
        assert!(sources.iter().any(|x| x == s), "GrantSource lacks {s}: {sources:?}");
    }
    let expect = [
        ("PurchaseMethod", &["none", "sales_page_then_checkout", "direct_checkout", "external_url"][..]),
        ("Role", &["viewer", "admin", "owner"][..]),
        ("PurchaseTargetKind", &["sales_page", "checkout", "external_url"][..]),
        ("PriceInterval", &["day", "week", "month", "year"][..]),
        ("MediaKind", &["video", "audio", "file"][..]),
        ("InboxStatus", &["pending", "processed", "ignored", "failed"][..]),
        ("MemberImportStatus", &["previewed", "running", "done", "failed"][..]),
        ("LoginMethod", &["password", "magic_link"][..]),
    ];
    for (name, values) in expect {
        let mut got = strings(&schemas[name]["enum"]);
        let mut want: Vec<String> = values.iter().map(|s| s.to_string()).collect();
        got.sort();
        want.sort();
        assert_eq!(got, want, "{name}");
    }
    // The fields that carry them name the schemas.
    let refers = |schema: &str, field: &str, to: &str| {
        let text = schemas[schema]["properties"][field].to_string();
        assert!(text.contains(&format!("#/components/schemas/{to}")), "{schema}.{field} is {text}");
    };
    refers("GrantResponse", "source", "GrantSource");
    refers("ProductResponse", "purchase_method", "PurchaseMethod");
    refers("CreateProductRequest", "purchase_method", "PurchaseMethod");
    refers("TeamMemberResponse", "role", "Role");
    refers("InboxEventResponse", "status", "InboxStatus");
    refers("ImportResponse", "status", "MemberImportStatus");
    refers("MediaResponse", "kind", "MediaKind");
    refers("StripePriceResponse", "interval", "PriceInterval");
    refers("PurchaseTargetResponse", "kind", "PurchaseTargetKind");

    // An activity's data is one schema per kind, keyed by `kind`.
    let variants = schemas["ActivityData"]["oneOf"].as_array().expect("ActivityData is a oneOf");
    assert_eq!(variants.len(), 15);
    for v in variants {
        let kind = strings(&v["properties"]["kind"]["enum"]);
        let data = v["properties"]["data"]["$ref"].as_str().unwrap_or_else(|| panic!("{v}"));
        let name = data.trim_start_matches("#/components/schemas/");
        assert!(schemas[name].is_object(), "{kind:?}: {name} is not in the document");
    }
    assert!(schemas["ActivityResponse"].to_string().contains("#/components/schemas/ActivityData"), "{}", schemas["ActivityResponse"]);
    // Each activity event of the `webhooks` section names its data's schema.
    let hook = &doc["webhooks"]["product.access_granted"]["post"]["requestBody"]["content"]["application/json"]["schema"];
    let activity = &hook["allOf"][1]["properties"]["data"]["properties"]["activity"]["properties"];
    assert_eq!(strings(&activity["kind"]["enum"]), ["product.access_granted"]);
    assert_eq!(activity["data"]["$ref"], "#/components/schemas/ProductAccessGrantedData");
}

async fn activity_data_has_the_documented_fields(app: TestApp) {
    let doc = served_doc(&app).await;
    let schemas = &doc["components"]["schemas"];
    let documented = |name: &str| keys(&schemas[name]["properties"]);
    let rx = Receiver::start();
    let t = app.setup().await;
    let (_, secret) = endpoint(&app, &t, &format!("{}/typed", rx.base), json!(["product.access_granted", "user.created"])).await;
    rx.control(json!({"secret": secret})).await;

    let u = app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada Lovelace"})).await.expect(201).id();
    let p = app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201).id();
    let g = app.post(&format!("/api/v1/users/{u}/access"), &t, json!({"product_id": p})).await.expect(201).body;
    drain(&app).await;

    // The feed.
    let feed = app.get("/api/v1/activities?kind=product.access_granted", &t).await.expect(200).body;
    let granted = feed["data"][0].clone();
    assert_eq!(granted["kind"], "product.access_granted");
    assert_eq!(keys(&granted["data"]), documented("ProductAccessGrantedData"));
    assert_eq!(granted["data"]["grant_id"], g["id"]);
    assert_eq!(granted["data"]["source"], g["source"]);
    assert!(strings(&schemas["GrantSource"]["enum"]).contains(&granted["data"]["source"].as_str().unwrap().to_owned()));
    assert_eq!(granted["data"]["product_name"], "Course");
    assert!(granted["data"]["source_ref"].is_null(), "an empty source_ref is null, not left out");
    let feed = app.get("/api/v1/activities?kind=user.created", &t).await.expect(200).body;
    let created = feed["data"][0].clone();
    assert_eq!(keys(&created["data"]), documented("UserCreatedData"));
    assert_eq!(created["data"]["email"], "ada@example.com");

    // The deliveries carry the same activities.
    let got: Vec<Value> = rx.on("/typed").iter().map(body).collect();
    assert_eq!(got.len(), 2, "{got:?}");
    for (t, from_feed) in [("product.access_granted", &granted), ("user.created", &created)] {
        let b = got.iter().find(|b| b["type"] == t).unwrap_or_else(|| panic!("no {t}: {got:?}"));
        let sent = &b["data"]["activity"];
        for field in ["id", "kind", "label", "user_id", "product_id", "data"] {
            assert_eq!(sent[field], from_feed[field], "{t}: {field}");
        }
    }
    let sent = got.iter().find(|b| b["type"] == "product.access_granted").unwrap();
    assert_eq!(keys(&sent["data"]["activity"]["data"]), documented("ProductAccessGrantedData"));
    assert_eq!(sent["data"]["product"]["purchase_method"], "none");
}

/// A made-up sample (Zapier's performList, test events) has its kind's documented data too.
async fn samples_have_the_documented_data(app: TestApp) {
    let doc = served_doc(&app).await;
    let schemas = &doc["components"]["schemas"];
    let t = app.setup().await;
    let key = app.post("/api/v1/api-keys", &t, json!({"name": "Zapier", "scopes": ["webhooks:write"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    for (kind, schema) in [("user.login", "UserLoginData"), ("subscription.cancelled", "SubscriptionCancelledData"), ("member.stage_changed", "MemberStageChangedData")] {
        let s = app.get(&format!("/api/v1/hooks/samples/{kind}"), &key).await.expect(200).body;
        assert_eq!(keys(&s[0]["data"]["activity"]["data"]), keys(&schemas[schema]["properties"]), "{kind}");
    }
}

crate::both!(spawn = super::spawn;
    the_document_lists_the_enums,
    activity_data_has_the_documented_fields,
    samples_have_the_documented_data,
);
