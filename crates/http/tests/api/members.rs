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

    // Pages of one member follow the cursor through the grant filters (the
    // cursor also bounds the grants those filters probe), none twice, none lost.
    app.post(&format!("/api/v1/users/{_bob}/access"), &t, json!({"product_id": course})).await.expect(201);
    let dee = mk("dee@example.com").await;
    app.post(&format!("/api/v1/users/{dee}/access"), &t, json!({"product_id": course})).await.expect(201);
    for (q, want) in [
        (format!("has_product={course}"), vec!["ann@example.com", "bob@example.com", "dee@example.com"]),
        ("source=manual".to_owned(), vec!["ann@example.com", "bob@example.com", "dee@example.com"]),
        (format!("lacks_product={course}"), vec!["cat@example.com"]),
    ] {
        let (mut seen, mut cursor) = (Vec::new(), String::new());
        for _ in 0..10 {
            let page = list(format!("{q}&limit=1{cursor}")).await.expect(200).body;
            seen.extend(emails(&page));
            match page["next_cursor"].as_str() {
                Some(c) => cursor = format!("&cursor={c}"),
                None => break,
            }
        }
        seen.sort();
        assert_eq!(seen, want, "{q}");
    }
}

/// Saved segments, their use as an automation condition, and bulk actions on a segment or a selection.
async fn segments_and_bulk_actions(app: TestApp) {
    let t = app.setup().await;
    let course = app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201).id();
    let bonus = app.post("/api/v1/products", &t, json!({"name": "Bonus"})).await.expect(201).id();
    let seg = app.post("/api/v1/segments", &t, json!({"name": "Without the course", "filter": {"lacks_product": course}})).await.expect(201);
    let seg_id = seg.id();
    assert_eq!(seg.body["filter"], json!({"lacks_product": course}));
    assert_eq!(app.post("/api/v1/segments", &t, json!({"name": "Without the course"})).await.expect(422).fields(), ["name"]);
    assert_eq!(app.post("/api/v1/segments", &t, json!({"name": "Bad", "filter": {"source": "pigeon"}})).await.expect(422).fields(), ["source"]);
    let vip = app.post("/api/v1/segments", &t, json!({"name": "VIPs", "filter": {"q": "vip"}})).await.expect(201).id();
    let names: Vec<String> = app.get("/api/v1/segments", &t).await.expect(200).body["data"].as_array().unwrap().iter().map(|s| s["name"].as_str().unwrap().to_owned()).collect();
    assert_eq!(names, ["VIPs", "Without the course"]);

    // An automation condition: only members in the segment get the bonus.
    let r = app.post("/api/v1/automations", &t, json!({"name": "Bonus for VIPs", "trigger": {"type": "activity", "kind": "user.created"}, "conditions": [{"type": "in_segment", "segment_id": "seg_00000000000000000000000000000000"}], "steps": [{"type": "grant_access", "product_id": bonus}]})).await.expect(422);
    assert_eq!(r.fields(), ["conditions[0].segment_id"]);
    app.post("/api/v1/automations", &t, json!({"name": "Bonus for VIPs", "trigger": {"type": "activity", "kind": "user.created"}, "conditions": [{"type": "in_segment", "segment_id": vip}], "steps": [{"type": "grant_access", "product_id": bonus}]})).await.expect(201);
    let v = app.post("/api/v1/users", &t, json!({"email": "vip@example.com"})).await.expect(201).id();
    let plain = app.post("/api/v1/users", &t, json!({"email": "plain@example.com"})).await.expect(201).id();
    app.drain_jobs().await;
    let has = |u: String, p: String| {
        let app = &app;
        let t = t.clone();
        async move { app.get(&format!("/api/v1/users?has_product={p}&q={}", u), &t).await.expect(200).body["data"].as_array().unwrap().len() == 1 }
    };
    assert!(has("vip".into(), bonus.clone()).await, "the VIP got the bonus");
    assert!(!has("plain".into(), bonus.clone()).await, "the other member did not");

    // Bulk: grant the course to everyone in the segment; a second run changes nothing.
    let b = app.post("/api/v1/users/bulk", &t, json!({"action": {"type": "grant_access", "product_id": course}, "segment_id": seg_id})).await.expect(202);
    assert_eq!(b.body["total"], 2);
    app.drain_jobs().await;
    let job = app.get(&format!("/api/v1/jobs/{}", b.body["job_id"].as_str().unwrap()), &t).await.expect(200).body;
    assert_eq!((job["status"].as_str(), job["progress_done"].as_i64(), job["progress_total"].as_i64()), (Some("succeeded"), Some(2), Some(2)), "{job}");
    let with_course = app.get(&format!("/api/v1/users?has_product={course}&include_total=true"), &t).await.expect(200).body["total"].clone();
    assert_eq!(with_course, 2);
    let b2 = app.post("/api/v1/users/bulk", &t, json!({"action": {"type": "grant_access", "product_id": course}, "filter": {}})).await.expect(202);
    assert_eq!(b2.body["total"], 2);
    app.drain_jobs().await;
    assert_eq!(crate::stripe_emulator::grants_of(&app, &t, &v).await.len(), 2, "bonus and one course grant, not two");
    // Revoke for a chosen member.
    app.post("/api/v1/users/bulk", &t, json!({"action": {"type": "revoke_access", "product_id": course}, "user_ids": [plain]})).await.expect(202);
    app.drain_jobs().await;
    assert!(!has("plain".into(), course.clone()).await);
    // Bad bulk requests.
    assert_eq!(app.post("/api/v1/users/bulk", &t, json!({"action": {"type": "grant_access", "product_id": course}})).await.expect(422).fields(), ["target"]);
    assert_eq!(app.post("/api/v1/users/bulk", &t, json!({"action": {"type": "add_crm_tag", "tag": "VIP"}, "filter": {}})).await.expect(409).code(), "crm_not_connected");
    assert_eq!(app.post("/api/v1/users/bulk", &t, json!({"action": {"type": "grant_access", "product_id": "prod_00000000000000000000000000000000"}, "filter": {}})).await.expect(422).fields(), ["action.product_id"]);

    // Segments are the app's own.
    let other = app.second_tenant().await;
    app.get(&format!("/api/v1/segments/{seg_id}"), &other).await.expect(404);
    app.req(reqwest::Method::DELETE, &format!("/api/v1/segments/{seg_id}"), Some(&other), None).await.expect(404);
    app.post("/api/v1/users/bulk", &other, json!({"action": {"type": "revoke_access", "product_id": course}, "segment_id": seg_id})).await.expect(422);
    let renamed = app.patch(&format!("/api/v1/segments/{seg_id}"), &t, json!({"name": "No course yet"})).await.expect(200);
    assert_eq!((renamed.body["name"].as_str(), renamed.body["filter"]["lacks_product"].as_str()), (Some("No course yet"), Some(course.as_str())));
    app.req(reqwest::Method::DELETE, &format!("/api/v1/segments/{seg_id}"), Some(&t), None).await.expect(204);
    app.get(&format!("/api/v1/segments/{seg_id}"), &t).await.expect(404);
}

crate::both!(members_filter_by_access_source_and_dates, segments_and_bulk_actions);
