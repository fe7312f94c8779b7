//! Security headers on every response.

use reqwest::Method;

use crate::both;
use crate::helpers::{Backend, Resp, TestApp};

both!(security_headers_on_pages_api_and_docs);

#[track_caller]
fn assert_common(r: &Resp, what: &str) {
    let h = |n: &str| r.headers.get(n).and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let csp = h("content-security-policy");
    assert!(csp.contains("frame-ancestors 'none'"), "{what}: CSP {csp:?}");
    assert!(!csp.contains("unsafe-eval"), "{what}: CSP {csp:?}");
    assert_eq!(h("x-frame-options"), "DENY", "{what}");
    assert_eq!(h("x-content-type-options"), "nosniff", "{what}");
    assert_eq!(h("referrer-policy"), "strict-origin-when-cross-origin", "{what}");
}

fn csp(r: &Resp) -> String {
    r.headers.get("content-security-policy").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned()
}

async fn security_headers_on_pages_api_and_docs(app: TestApp) {
    let t = app.setup().await;
    // The test server has no SPA build: these are the fallback answers.
    for path in ["/", "/member", "/member/login?app=x"] {
        let r = app.req(Method::GET, path, None, None).await;
        assert_common(&r, path);
        let c = csp(&r);
        assert!(c.contains("script-src 'self';") && !c.contains("unsafe-inline"), "{path}: {c}");
        assert!(r.headers.get("strict-transport-security").is_none(), "no HSTS over http");
    }
    let ok = app.get("/api/v1/app", &t).await.expect(200);
    assert_common(&ok, "/api/v1/app");
    assert!(csp(&ok).starts_with("default-src 'none'"), "{}", csp(&ok));
    let denied = app.req(Method::GET, "/api/v1/app", None, None).await.expect(401);
    assert_common(&denied, "401 /api/v1/app");
    assert_common(&app.req(Method::GET, "/healthz", None, None).await.expect(200), "/healthz");
    assert_common(&app.req(Method::GET, "/api/v1/nothing-here", None, None).await.expect(404), "unknown API route");

    let docs = app.req(Method::GET, "/api/docs/", None, None).await.expect(200);
    assert_common(&docs, "/api/docs/");
    assert!(docs.body.as_str().unwrap_or("").contains("swagger-ui"), "Swagger UI is served");
    assert!(csp(&docs).contains("script-src 'self'") && !csp(&docs).contains("unsafe-inline"), "{}", csp(&docs));
    let init = app.req(Method::GET, "/api/docs/swagger-initializer.js", None, None).await.expect(200);
    assert_common(&init, "swagger-initializer.js");
    let init = init.body.as_str().unwrap_or("").to_owned();
    assert!(init.contains("/api/openapi.json") && init.contains("\"validatorUrl\": \"none\""), "{init}");
}

/// HSTS only when Tollgate is reached over https.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hsts_only_when_public_url_is_https() {
    let app = TestApp::spawn_configured(Backend::Sqlite, |c| c.public_url = "https://members.example.com".into()).await;
    for path in ["/", "/api/v1/setup", "/api/docs/"] {
        let r = app.req(Method::GET, path, None, None).await;
        assert_common(&r, path);
        let hsts = r.headers.get("strict-transport-security").and_then(|v| v.to_str().ok()).unwrap_or("");
        assert_eq!(hsts, "max-age=31536000", "{path}");
    }
}
