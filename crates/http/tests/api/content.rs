//! Lesson bodies and sales-page text are Markdown, rendered once on the server
//! to sanitized HTML that members, visitors and the admin preview all share.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Backend, TestApp};

both!(lessons_and_sales_pages_render_markdown_safely, member_pages_carry_the_site_branding, products_that_cannot_sell_are_flagged);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_media_moves_into_a_lesson_and_back() {
    media_moves_into_a_lesson_and_back(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_media_moves_into_a_lesson_and_back() {
    media_moves_into_a_lesson_and_back(Backend::Postgres).await;
}

const LESSON: &str = "## Week 1\n\nRead **this** first, then [the guide](https://guide.example.com/a).\n\n<script>alert(1)</script>\n\n[bad](javascript:alert(1))";

fn assert_safe(html: &str) {
    assert!(html.contains("<h2>Week 1</h2>") && html.contains("<strong>this</strong>"), "{html}");
    assert!(html.contains(r#"<a href="https://guide.example.com/a" target="_blank" rel="noopener noreferrer nofollow">the guide</a>"#), "{html}");
    assert!(!html.contains("<script") && !html.contains("javascript:"), "{html}");
    assert!(html.contains("&lt;script&gt;"), "raw HTML shows as text: {html}");
}

async fn lessons_and_sales_pages_render_markdown_safely(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap().to_owned();
    let p = app.post("/api/v1/products", &t, json!({"name": "Course", "purchase_method": "sales_page_then_checkout"})).await.expect(201).id();
    let page = app.post(&format!("/api/v1/products/{p}/pages"), &t, json!({"title": "Start", "body": LESSON})).await.expect(201);
    assert_eq!(page.body["body"], LESSON, "the Markdown is kept as written");
    assert_safe(page.body["body_html"].as_str().unwrap());

    // The member sees the same rendering.
    let ada = app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada", "password": "ada's long password"})).await.expect(201).id();
    app.post(&format!("/api/v1/users/{ada}/access"), &t, json!({"product_id": p, "notify": false})).await.expect(201);
    let login = app.req(Method::POST, "/api/v1/member/auth/login", None, Some(json!({"app_id": app_id, "email": "ada@example.com", "password": "ada's long password"}))).await.expect(200);
    let m = login.body["access_token"].as_str().unwrap().to_owned();
    let content = app.get(&format!("/api/v1/member/products/{p}"), &m).await.expect(200).body;
    assert_eq!(content["pages"][0]["body"], LESSON);
    assert_safe(content["pages"][0]["body_html"].as_str().unwrap());

    // The editor's preview, for admins only.
    let preview = app.post("/api/v1/markdown/preview", &t, json!({"markdown": LESSON})).await.expect(200);
    assert_eq!(preview.body["html"], content["pages"][0]["body_html"]);
    let long = app.post("/api/v1/markdown/preview", &t, json!({"markdown": "a".repeat(200_001)})).await.expect(422);
    assert_eq!(long.fields(), vec!["markdown"]);
    app.post("/api/v1/markdown/preview", &m, json!({"markdown": "x"})).await.expect(401);

    // Sales-page text blocks carry their HTML for visitors; headings stay plain text.
    let blocks = json!([{"type": "heading", "text": "**Not bold**"}, {"type": "text", "text": LESSON}]);
    app.req(Method::PUT, &format!("/api/v1/products/{p}/sales-page"), Some(&t), Some(json!({"title": "Course", "cta_label": "Buy", "blocks": blocks}))).await.expect(200);
    let public = app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}/products/{p}/sales-page"), None, None).await.expect(200).body;
    assert_eq!(public["blocks"][0], json!({"type": "heading", "text": "**Not bold**"}));
    assert_eq!(public["blocks"][1]["text"], LESSON);
    assert_safe(public["blocks"][1]["html"].as_str().unwrap());
    assert_eq!(public["blocks"][1]["type"], Value::from("text"));
}

async fn media_moves_into_a_lesson_and_back(backend: Backend) {
    let dir = std::env::temp_dir().join(format!("tollgate-media-{}-{}", std::process::id(), time::OffsetDateTime::now_utc().unix_timestamp_nanos()));
    let d = dir.clone();
    let app = TestApp::spawn_configured(backend, move |c| c.media_dir = d).await;
    let t = app.setup().await;
    let p = app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201).id();
    let other = app.post("/api/v1/products", &t, json!({"name": "Other"})).await.expect(201).id();
    let lesson = app.post(&format!("/api/v1/products/{p}/pages"), &t, json!({"title": "Listen"})).await.expect(201).id();
    let foreign = app.post(&format!("/api/v1/products/{other}/pages"), &t, json!({"title": "Elsewhere"})).await.expect(201).id();
    let up = app
        .new_client()
        .post(format!("{}/api/v1/products/{p}/media?kind=audio&filename=talk.wav", app.url))
        .bearer_auth(&t)
        .header("content-type", "audio/wav")
        .body(vec![1u8; 16])
        .send()
        .await
        .unwrap();
    assert_eq!(up.status().as_u16(), 201);
    let m = up.json::<Value>().await.unwrap();
    assert_eq!(m["page_id"], Value::Null, "new media is the product's general media");
    let mid = m["id"].as_str().unwrap();
    let path = format!("/api/v1/products/{p}/media/{mid}");

    let moved = app.patch(&path, &t, json!({"page_id": lesson, "filename": "Week 1 talk.wav"})).await.expect(200);
    assert_eq!((moved.body["page_id"].as_str(), moved.body["filename"].as_str()), (Some(lesson.as_str()), Some("Week 1 talk.wav")));
    let listed = app.get(&format!("/api/v1/products/{p}/media"), &t).await.expect(200);
    assert_eq!(listed.body["data"][0]["page_id"].as_str(), Some(lesson.as_str()));
    let bad = app.patch(&path, &t, json!({"page_id": foreign, "filename": "a/b"})).await.expect(422);
    assert_eq!(bad.fields(), vec!["filename", "page_id"]);
    assert_eq!(bad.body["errors"][1]["code"], "unknown_page");
    app.patch(&format!("/api/v1/products/{other}/media/{mid}"), &t, json!({"filename": "x"})).await.expect(404);

    // Deleting the lesson keeps the file, back among the product's media.
    app.req(Method::DELETE, &format!("/api/v1/products/{p}/pages/{lesson}"), Some(&t), None).await.expect(204);
    let listed = app.get(&format!("/api/v1/products/{p}/media"), &t).await.expect(200);
    assert_eq!((listed.body["data"][0]["page_id"].clone(), listed.body["data"][0]["filename"].as_str()), (Value::Null, Some("Week 1 talk.wav")));
    let _ = std::fs::remove_dir_all(dir);
}

async fn member_pages_carry_the_site_branding(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap().to_owned();
    let bad = app.patch("/api/v1/app", &t, json!({"accent_color": "blue", "logo_url": "javascript:alert(1)", "favicon_url": "ftp://x"})).await.expect(422);
    assert_eq!(bad.fields(), vec!["logo_url", "favicon_url", "accent_color"]);
    assert_eq!(bad.body["errors"][2]["code"], "invalid_color");
    let set = app
        .patch("/api/v1/app", &t, json!({"name": "Garden Club", "accent_color": "#2F855A", "logo_url": "https://cdn.example.com/logo.png", "favicon_url": "https://cdn.example.com/f.ico"}))
        .await
        .expect(200);
    assert_eq!(set.body["accent_color"], "#2f855a");
    let public = app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}"), None, None).await.expect(200).body;
    assert_eq!(
        (public["name"].as_str(), public["logo_url"].as_str(), public["accent_color"].as_str(), public["favicon_url"].as_str()),
        (Some("Garden Club"), Some("https://cdn.example.com/logo.png"), Some("#2f855a"), Some("https://cdn.example.com/f.ico"))
    );
    let p = app.post("/api/v1/products", &t, json!({"name": "Course", "purchase_method": "sales_page_then_checkout"})).await.expect(201).id();
    app.req(Method::PUT, &format!("/api/v1/products/{p}/sales-page"), Some(&t), Some(json!({"title": "Course", "cta_label": "Buy", "blocks": []}))).await.expect(200);
    let page = app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}/products/{p}/sales-page"), None, None).await.expect(200).body;
    assert_eq!((page["site_name"].as_str(), page["accent_color"].as_str()), (Some("Garden Club"), Some("#2f855a")));

    // Emails to members carry it too.
    app.post("/api/v1/users", &t, json!({"email": "ada@example.com", "name": "Ada"})).await.expect(201);
    app.req(Method::POST, "/api/v1/member/auth/magic-link", None, Some(json!({"app_id": app_id, "email": "ada@example.com"}))).await.expect(202);
    let emails = app.get("/api/v1/emails", &t).await.expect(200).body;
    let magic = emails["data"].as_array().unwrap().iter().find(|e| e["template"] == "magic_link").expect("a magic link email").clone();
    let html = magic["html_body"].as_str().unwrap();
    assert!(html.contains(r#"<img src="https://cdn.example.com/logo.png""#) && html.contains("solid #2f855a") && html.contains("Garden Club"), "{html}");
    assert_eq!(magic["subject"], "Your login link for Garden Club");

    // Blank values go back to the defaults.
    let cleared = app.patch("/api/v1/app", &t, json!({"accent_color": "", "logo_url": null})).await.expect(200);
    assert_eq!((cleared.body["accent_color"].clone(), cleared.body["logo_url"].clone()), (Value::Null, Value::Null));
    assert_eq!(cleared.body["favicon_url"], "https://cdn.example.com/f.ico", "fields not sent stay");
}

async fn products_that_cannot_sell_are_flagged(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap().to_owned();
    let mk = |body: Value| {
        let (app, t) = (&app, t.clone());
        async move { app.post("/api/v1/products", &t, body).await.expect(201).id() }
    };
    let direct = mk(json!({"name": "Direct", "purchase_method": "direct_checkout", "show_locked_card": true})).await;
    let paged = mk(json!({"name": "Paged", "purchase_method": "sales_page_then_checkout", "show_locked_card": true})).await;
    let shop = mk(json!({"name": "Shop", "purchase_method": "sales_page_then_checkout", "external_url": "https://shop.example.com/x", "show_locked_card": true})).await;
    let free = mk(json!({"name": "Free", "purchase_method": "none", "show_locked_card": true})).await;
    let ext = mk(json!({"name": "Ext", "purchase_method": "external_url", "external_url": "https://shop.example.com/y", "show_locked_card": true})).await;
    // A sales page whose button has nowhere to go.
    app.req(Method::PUT, &format!("/api/v1/products/{paged}/sales-page"), Some(&t), Some(json!({"title": "Paged", "cta_label": "Buy", "blocks": []}))).await.expect(200);

    // "Not linked to Stripe" and "no sales page yet" are normal states: 204 with no
    // body (nothing a browser logs as a failed request); 404 is for no such product.
    for path in [format!("/api/v1/products/{direct}/stripe"), format!("/api/v1/products/{direct}/stripe/checkout"), format!("/api/v1/products/{shop}/sales-page")] {
        let r = app.get(&path, &t).await.expect(204);
        assert!(r.body.is_null(), "{path}: {}", r.body);
    }
    assert_eq!(app.get(&format!("/api/v1/products/{paged}/sales-page"), &t).await.expect(200).body["title"], "Paged");
    for path in ["/api/v1/products/prod_00000000000000000000000000000000/stripe", "/api/v1/products/prod_00000000000000000000000000000000/stripe/checkout", "/api/v1/products/prod_00000000000000000000000000000000/sales-page"] {
        app.get(path, &t).await.expect(404);
    }

    let list = app.get("/api/v1/products/sale-problems", &t).await.expect(200).body;
    let of = |id: &str| list["data"].as_array().unwrap().iter().find(|p| p["product_id"] == id).map(|p| (p["code"].as_str().unwrap().to_owned(), p["blocks_sale"].as_bool().unwrap()));
    assert_eq!(of(&direct), Some(("no_checkout".into(), true)));
    assert_eq!(of(&paged), Some(("no_checkout".into(), true)));
    assert_eq!(of(&shop), Some(("no_sales_page".into(), false)));
    assert_eq!((of(&free), of(&ext)), (None, None));
    assert!(list["data"][0]["message"].as_str().unwrap().len() > 20);

    // Members and visitors get no target that leads nowhere: not available yet.
    let lib = app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}/library"), None, None).await.expect(200).body;
    let target = |id: &str| lib["data"].as_array().unwrap().iter().find(|i| i["product_id"] == id).unwrap()["purchase_target"].clone();
    assert_eq!((target(&direct), target(&paged)), (Value::Null, Value::Null));
    assert_eq!(target(&shop)["url"], "https://shop.example.com/x", "without a sales page, straight to the order page");

    // Once the sale works, the warning goes and the sales page is the way in.
    app.patch(&format!("/api/v1/products/{paged}"), &t, json!({"external_url": "https://shop.example.com/z"})).await.expect(200);
    let list = app.get("/api/v1/products/sale-problems", &t).await.expect(200).body;
    assert!(list["data"].as_array().unwrap().iter().all(|p| p["product_id"] != paged.as_str()), "{list}");
    let lib = app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}/library"), None, None).await.expect(200).body;
    let item = lib["data"].as_array().unwrap().iter().find(|i| i["product_id"] == paged.as_str()).unwrap().clone();
    assert_eq!(item["purchase_target"]["kind"], "sales_page");
}
