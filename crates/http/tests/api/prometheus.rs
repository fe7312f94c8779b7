//! `GET /metrics` (Prometheus text format) as an operator scrapes it: only
//! with the configured token, off when none is configured; request durations
//! by route template, webhook outcomes, the job queue, job outcomes, the pool.

use std::net::TcpListener;

use reqwest::Method;
use serde_json::json;
use tollgate_http::metrics::MetricsOptions;

use crate::both;
use crate::helpers::TestApp;

both!(metrics_are_scraped_with_the_token);

const TOKEN: &str = "scrape-token-for-tests-0123456789";

/// The value of the sample `name{labels…}` whose labels include each of `has`.
fn sample(text: &str, name: &str, has: &[&str]) -> Option<f64> {
    text.lines().filter(|l| !l.starts_with('#')).find_map(|l| {
        let (series, value) = l.rsplit_once(' ')?;
        let matches = (series == name || series.starts_with(&format!("{name}{{"))) && has.iter().all(|h| series.contains(h));
        matches.then(|| value.parse().ok()).flatten()
    })
}

async fn scrape(http: &reqwest::Client, base: &str, token: Option<&str>) -> (u16, String) {
    let mut r = http.get(format!("{base}/metrics"));
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    let r = r.send().await.unwrap();
    (r.status().as_u16(), r.text().await.unwrap())
}

async fn metrics_are_scraped_with_the_token(app: TestApp) {
    let t = app.setup().await;
    let http = reqwest::Client::new();
    // The test server has no metrics configured: nothing to see, token or not.
    assert_eq!(scrape(&http, &app.url, Some(TOKEN)).await.0, 404);

    // A second server over the same services, with a metrics token.
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let opts = MetricsOptions { token: Some(TOKEN.into()), open: false };
    let server = tollgate_http::serve_with(listener, app.services.clone(), tollgate_http::HttpOptions { frontend_dir: None, workers: Some(1) }, opts).unwrap();
    tokio::spawn(server);
    assert_eq!(scrape(&http, &base, None).await.0, 401);
    assert_eq!(scrape(&http, &base, Some("scrape-token-for-tests-012345678")).await.0, 401, "a near miss is refused");

    // Traffic: a member (with an invitation email queued), a read by id, a forged webhook.
    let r = http.post(format!("{base}/api/v1/users")).bearer_auth(&t).json(&json!({"email": "ada@example.com", "send_invite": true})).send().await.unwrap();
    assert_eq!(r.status(), 201);
    let ada = r.json::<serde_json::Value>().await.unwrap()["id"].as_str().unwrap().to_owned();
    assert_eq!(http.get(format!("{base}/api/v1/users/{ada}")).bearer_auth(&t).send().await.unwrap().status(), 200);
    let app_id = app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned();
    let forged = http.post(format!("{base}/webhooks/stripe/{app_id}")).header("stripe-signature", "t=1,v1=00").body("{}").send().await.unwrap();
    assert_eq!(forged.status(), 400);
    app.clock.advance(time::Duration::seconds(90));

    let (status, text) = scrape(&http, &base, Some(TOKEN)).await;
    assert_eq!(status, 200);
    let route = r#"route="/api/v1/users/{id}""#;
    let reads = sample(&text, "tollgate_http_request_duration_seconds_count", &[route, r#"method="GET""#, r#"status="200""#]);
    assert!(reads >= Some(1.0), "a histogram per route template:\n{text}");
    assert!(sample(&text, "tollgate_http_request_duration_seconds_bucket", &[route, r#"le="0.5""#]).is_some(), "with buckets");
    assert!(!text.contains(&ada), "raw paths (ids) are never labels");
    assert!(sample(&text, "tollgate_stripe_webhooks_total", &[r#"outcome="rejected""#]) >= Some(1.0));
    assert_eq!(sample(&text, "tollgate_jobs", &[r#"kind="send_email""#, r#"status="queued""#]), Some(1.0), "{text}");
    let age = sample(&text, "tollgate_job_oldest_due_age_seconds", &[r#"kind="send_email""#]).unwrap();
    assert!((90.0..91.0).contains(&age), "waiting since the clock moved 90 s: {age}");
    assert!(sample(&text, "tollgate_db_pool_connections", &[r#"state="idle""#]).is_some());
    assert!(sample(&text, "tollgate_db_pool_max_connections", &[]) > Some(0.0));

    // The worker runs the email job: the queue empties and the outcome is counted.
    app.drain_jobs().await;
    let (_, text) = scrape(&http, &base, Some(TOKEN)).await;
    assert_eq!(sample(&text, "tollgate_jobs", &[r#"kind="send_email""#, r#"status="queued""#]), Some(0.0), "an emptied queue reads 0:\n{text}");
    let finished = sample(&text, "tollgate_jobs_finished_total", &[r#"kind="send_email""#, r#"outcome="succeeded""#]);
    assert!(finished >= Some(1.0), "{text}");
    assert!(sample(&text, "tollgate_job_duration_seconds_count", &[r#"kind="send_email""#]) >= Some(1.0));
    app.req(Method::GET, "/api/v1/users", Some(&t), None).await.expect(200);
}
