//! Public images: an admin uploads a logo or a product cover; anyone reads it.

use reqwest::Method;
use serde_json::json;

use crate::both;
use crate::helpers::TestApp;

both!(an_uploaded_logo_is_public_and_only_images_are_taken);

/// The smallest valid PNG: a 1×1 transparent pixel.
const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR\0\0\0\x01\0\0\0\x01\x08\x06\0\0\0\x1f\x15\xc4\x89\0\0\0\rIDATx\x9cc\0\x01\0\0\x05\0\x01\r\n-\xb4\0\0\0\0IEND\xaeB`\x82";

async fn upload(app: &TestApp, token: Option<&str>, content_type: &str, body: Vec<u8>) -> reqwest::Response {
    let mut r = app.http.post(format!("{}/api/v1/images", app.url)).header("content-type", content_type).body(body);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    r.send().await.unwrap()
}

async fn an_uploaded_logo_is_public_and_only_images_are_taken(app: TestApp) {
    let t = app.setup().await;
    let app_id = app.get("/api/v1/app", &t).await.body["id"].as_str().unwrap().to_owned();

    // The type comes from the bytes: a PNG sent as octet-stream is a PNG.
    let r = upload(&app, Some(&t), "application/octet-stream", PNG.to_vec()).await;
    assert_eq!(r.status(), 201);
    let img: serde_json::Value = r.json().await.unwrap();
    assert_eq!((img["content_type"].as_str(), img["size"].as_i64()), (Some("image/png"), Some(PNG.len() as i64)));
    let url = img["url"].as_str().unwrap().to_owned();
    assert!(url.ends_with(&format!("/api/v1/public/apps/{app_id}/images/{}", img["id"].as_str().unwrap())), "{url}");

    // Anyone reads it, as an image that is never sniffed into anything else.
    let path = url.split_once("/api/v1/").map(|(_, p)| format!("/api/v1/{p}")).unwrap();
    let got = reqwest::get(format!("{}{path}", app.url)).await.unwrap();
    assert_eq!(got.status(), 200);
    let h = |k: &str| got.headers().get(k).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    assert_eq!((h("content-type"), h("x-content-type-options")), ("image/png".into(), "nosniff".into()));
    assert!(h("cache-control").contains("immutable"), "{}", h("cache-control"));
    assert_eq!(got.bytes().await.unwrap().as_ref(), PNG);

    // It can be the site's logo and a product's image.
    app.patch("/api/v1/app", &t, json!({"logo_url": url})).await.expect(200);
    assert_eq!(app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}"), None, None).await.expect(200).body["logo_url"], json!(url));
    let p = app.post("/api/v1/products", &t, json!({"name": "Course", "image_url": url})).await.expect(201);
    assert_eq!(p.body["image_url"], json!(url));

    // Not an image, an SVG (it can carry script), nothing at all, too much: refused, nothing stored.
    for (ct, body, code) in [
        ("image/png", b"%PDF-1.4 not a png".to_vec(), "unsupported_image"),
        ("image/svg+xml", b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>".to_vec(), "unsupported_image"),
        ("image/png", Vec::new(), "required"),
    ] {
        let r = upload(&app, Some(&t), ct, body).await;
        assert_eq!(r.status(), 422);
        let p: serde_json::Value = r.json().await.unwrap();
        assert_eq!((p["errors"][0]["field"].as_str(), p["errors"][0]["code"].as_str()), (Some("body"), Some(code)), "{p}");
    }
    let mut big = PNG.to_vec();
    big.resize(2 * 1024 * 1024 + 1, 0);
    assert_eq!(upload(&app, Some(&t), "image/png", big).await.status(), 413);
    assert_eq!(upload(&app, None, "image/png", PNG.to_vec()).await.status(), 401);

    // With an Idempotency-Key, an upload larger than a JSON body (256 KiB) is
    // taken up to the route's own limit, and a retry gets the same image.
    let mut large = PNG.to_vec();
    large.resize(300 * 1024, 0);
    let send = || app.http.post(format!("{}/api/v1/images", app.url)).bearer_auth(&t).header("content-type", "image/png").header("idempotency-key", "logo-upload-1").body(large.clone()).send();
    let first = send().await.unwrap();
    assert_eq!(first.status(), 201);
    let first: serde_json::Value = first.json().await.unwrap();
    let again = send().await.unwrap();
    assert_eq!((again.status().as_u16(), again.headers().get("idempotent-replayed").and_then(|v| v.to_str().ok())), (201, Some("true")));
    assert_eq!(again.json::<serde_json::Value>().await.unwrap()["id"], first["id"]);

    // Another app's path, or an id that is not one, is not found.
    let other = app.second_tenant().await;
    let other_id = app.get("/api/v1/app", &other).await.body["id"].as_str().unwrap().to_owned();
    let id = img["id"].as_str().unwrap();
    app.req(Method::GET, &format!("/api/v1/public/apps/{other_id}/images/{id}"), None, None).await.expect(404);
    app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}/images/img_..%2Fsecret"), None, None).await.expect(404);
    app.req(Method::GET, &format!("/api/v1/public/apps/{app_id}/images/img_00000000000000000000000000000000"), None, None).await.expect(404);
}
