//! The members list for real use (issue 13): server-side filters by product
//! access, grant source, MRR, last login, activity and creation date, with a
//! total count; the CSV export takes the same filters.

use serde_json::json;

use crate::helpers::TestApp;

fn emails(r: &serde_json::Value) -> Vec<String> {
    let mut v: Vec<String> = r["data"].as_array().unwrap().iter().map(|u| u["email"].as_str().unwrap().to_owned()).collect();
    v.sort();
    v
}

async fn members_filter_by_access_source_and_dates(app: TestApp) {
    let t = app.setup().await;
    let course = app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201).id();
    let mk = |e: &'static str| {
        let app = &app;
        let t = t.clone();
        async move { app.post("/api/v1/users", &t, json!({"email": e, "name": e})).await.expect(201).id() }
    };
    let (ann, _bob, cat) = (mk("ann@example.com").await, mk("bob@example.com").await, mk("cat@example.com").await);
    app.post(&format!("/api/v1/users/{ann}/access"), &t, json!({"product_id": course})).await.expect(201);
    let g = app.post(&format!("/api/v1/users/{cat}/access"), &t, json!({"product_id": course})).await.expect(201).id();
    app.post(&format!("/api/v1/users/{cat}/access/{g}/revoke"), &t, json!({})).await.expect(200);

    let list = |q: String| {
        let app = &app;
        let t = t.clone();
        async move { app.get(&format!("/api/v1/users?{q}"), &t).await }
    };
    assert_eq!(emails(&list(format!("has_product={course}")).await.expect(200).body), ["ann@example.com"]);
    assert_eq!(emails(&list(format!("lacks_product={course}")).await.expect(200).body), ["bob@example.com", "cat@example.com"]);
    assert_eq!(emails(&list("source=manual".into()).await.expect(200).body), ["ann@example.com"]);
    assert!(emails(&list("source=keap".into()).await.expect(200).body).is_empty());
    assert!(emails(&list("mrr_min=1".into()).await.expect(200).body).is_empty());
    assert_eq!(emails(&list("mrr_max=0&status=active".into()).await.expect(200).body).len(), 3);
    assert!(emails(&list("status=inactive".into()).await.expect(200).body).is_empty());
    let today = app.clock_now().date();
    let tomorrow = today.next_day().unwrap();
    assert!(emails(&list(format!("created_after={tomorrow}")).await.expect(200).body).is_empty());
    assert_eq!(emails(&list(format!("created_before={tomorrow}&last_login_before={tomorrow}")).await.expect(200).body).len(), 3, "never logged in counts as before");
    assert!(emails(&list(format!("last_login_after={today}")).await.expect(200).body).is_empty());

    // The total counts every match, not just the page.
    let r = list(format!("lacks_product={course}&limit=1&include_total=true")).await.expect(200).body;
    assert_eq!((r["data"].as_array().unwrap().len(), r["total"].as_i64(), r["has_more"].as_bool()), (1, Some(2), Some(true)));
    assert!(list("limit=1".into()).await.expect(200).body.get("total").is_none(), "counted only when asked");

    // Bad filters name their fields.
    assert_eq!(list("source=carrier_pigeon".into()).await.expect(422).fields(), ["source"]);
    assert_eq!(list("mrr_min=5&mrr_max=1".into()).await.expect(422).fields(), ["mrr_min"]);
    assert_eq!(list("status=asleep&created_after=yesterday".into()).await.expect(422).fields(), ["created_after", "status"]);
    assert_eq!(list("has_product=prod_00000000000000000000000000000000".into()).await.expect(422).fields(), ["has_product"]);
    // Another app's product is not a product here.
    let other = app.second_tenant().await;
    let theirs = app.post("/api/v1/products", &other, json!({"name": "Theirs"})).await.expect(201).id();
    assert_eq!(list(format!("has_product={theirs}")).await.expect(422).fields(), ["has_product"]);

    // The export takes the same filters.
    let csv = app.http.get(format!("{}/api/v1/users/export.csv?has_product={course}", app.url)).bearer_auth(&t).send().await.unwrap();
    assert_eq!(csv.status(), 200);
    let text = csv.text().await.unwrap();
    assert!(text.contains("ann@example.com") && !text.contains("bob@example.com"), "{text}");
}

crate::both!(members_filter_by_access_source_and_dates);
