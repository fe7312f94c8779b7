//! CSV import of members (issue 13): upload → preview with per-row problems
//! → run as a job → report; idempotent on email; bad files refused.

use reqwest::Method;
use serde_json::{Value, json};

use crate::both;
use crate::helpers::{Resp, TestApp};

both!(
    preview_reports_problems_per_row,
    run_creates_updates_grants_and_skips,
    invite_true_emails_new_members,
    bad_files_are_refused,
    another_apps_import_is_not_found,
    interrupted_run_resumes_after_the_last_batch
);

/// Posts raw CSV bytes to the upload route.
pub async fn upload(app: &TestApp, token: &str, body: Vec<u8>) -> Resp {
    let res = app
        .http
        .request(Method::POST, format!("{}/api/v1/users/imports", app.url))
        .bearer_auth(token)
        .header("content-type", "text/csv")
        .body(body)
        .send()
        .await
        .unwrap();
    let status = res.status();
    let ct = res.headers().get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("").to_owned();
    let headers = res.headers().clone();
    let body: Value = serde_json::from_str(&res.text().await.unwrap()).unwrap_or(Value::Null);
    if !status.is_success() {
        assert_eq!(ct, "application/problem+json", "{status} {body}");
    }
    assert_ne!(status.as_u16(), 500, "{body}");
    Resp { status, headers, body }
}

fn codes(row: &Value) -> Vec<&str> {
    row["problems"].as_array().unwrap().iter().map(|p| p["code"].as_str().unwrap()).collect()
}

async fn products(app: &TestApp, t: &str) -> (String, String) {
    let course = app.post("/api/v1/products", t, json!({"name": "Course"})).await.expect(201).id();
    let old = app.post("/api/v1/products", t, json!({"name": "Old"})).await.expect(201).id();
    app.post(&format!("/api/v1/products/{old}/archive"), t, json!({})).await.expect(200);
    (course, old)
}

async fn member_count(app: &TestApp, t: &str) -> usize {
    app.get("/api/v1/users?limit=100", t).await.expect(200).body["data"].as_array().unwrap().len()
}

async fn preview_reports_problems_per_row(app: TestApp) {
    let t = app.setup().await;
    let (course, _) = products(&app, &t).await;
    app.post("/api/v1/users", &t, json!({"email": "grace@example.com", "name": "Grace"})).await.expect(201);
    let csv = format!(
        "\u{feff}Email,Name,Products,Plan\r\n\
         ada@example.com,\"Lovelace, Ada\",Course,gold\r\n\
         GRACE@example.com,Grace Hopper,{course},\r\n\
         not-an-email,Nobody,,\r\n\
         ,No Email,,\r\n\
         ada@example.com,Ada Again,,\r\n\
         bob@example.com,Bob,Nope|Course,\r\n\
         carl@example.com,Carl,Old,\r\n"
    );
    let before = member_count(&app, &t).await;
    let r = upload(&app, &t, csv.into_bytes()).await.expect(201);
    let imp = &r.body["import"];
    assert!(imp["id"].as_str().unwrap().starts_with("imp_"));
    assert_eq!(imp["status"], "previewed");
    assert_eq!(imp["columns"], json!({"email": true, "name": true, "products": true, "ignored": ["Plan"]}));
    assert_eq!((imp["total"].as_i64(), imp["invalid"].as_i64()), (Some(7), Some(5)));
    assert_eq!((imp["would_create"].as_i64(), imp["would_update"].as_i64()), (Some(1), Some(1)));
    assert_eq!(r.body["warnings"][0]["code"], "metadata_ignored");
    let rows = r.body["rows"].as_array().unwrap();
    assert_eq!(rows.len(), 7);
    assert_eq!(rows[0]["row"], 2, "the header is row 1");
    assert_eq!(rows[0]["name"], "Lovelace, Ada");
    assert_eq!(rows[0]["products"], json!([course]));
    assert_eq!(rows[1]["email"], "grace@example.com", "emails are lower-cased");
    let by_row: Vec<(i64, Vec<&str>)> = r.body["problem_rows"].as_array().unwrap().iter().map(|r| (r["row"].as_i64().unwrap(), codes(r))).collect();
    assert_eq!(
        by_row,
        vec![(4, vec!["invalid_email"]), (5, vec!["missing_email"]), (6, vec!["duplicate_row"]), (7, vec!["unknown_product"]), (8, vec!["archived_product"])]
    );
    assert!(r.body["problem_rows"][2]["problems"][0]["message"].as_str().unwrap().contains("row 2"));
    // Nothing is imported by a preview.
    assert_eq!(member_count(&app, &t).await, before);
    let id = imp["id"].as_str().unwrap();
    let got = app.get(&format!("/api/v1/users/imports/{id}"), &t).await.expect(200).body;
    assert_eq!((got["status"].as_str(), got["processed"].as_i64()), (Some("previewed"), Some(0)));
    // Before the run, the rows list the preview's findings, a page at a time.
    let p1 = app.get(&format!("/api/v1/users/imports/{id}/rows?limit=4"), &t).await.expect(200).body;
    assert_eq!(p1["data"].as_array().unwrap().len(), 4);
    assert!(p1["data"][0]["outcome"].is_null());
    let cur = p1["next_cursor"].as_str().unwrap();
    let p2 = app.get(&format!("/api/v1/users/imports/{id}/rows?limit=4&cursor={cur}"), &t).await.expect(200).body;
    assert_eq!(p2["data"].as_array().unwrap().iter().map(|r| r["row"].as_i64().unwrap()).collect::<Vec<_>>(), [6, 7, 8]);
    assert_eq!(p2["has_more"], false);
}

async fn run_creates_updates_grants_and_skips(app: TestApp) {
    let t = app.setup().await;
    let (course, _) = products(&app, &t).await;
    let bonus = app.post("/api/v1/products", &t, json!({"name": "Bonus"})).await.expect(201).id();
    let grace = app.post("/api/v1/users", &t, json!({"email": "grace@example.com", "name": "Grace"})).await.expect(201).id();
    let hedy = app.post("/api/v1/users", &t, json!({"email": "hedy@example.com", "name": "Hedy"})).await.expect(201).id();
    let kim = app.post("/api/v1/users", &t, json!({"email": "kim@example.com", "name": "Kim"})).await.expect(201).id();
    let csv = "email,name,products\n\
               ada@example.com,Ada,Course;Bonus\n\
               grace@example.com,Grace Hopper,\n\
               hedy@example.com,Hedy,Course\n\
               kim@example.com,Kim,\n\
               bad@,X,\n"
        .as_bytes()
        .to_vec();
    let imp = upload(&app, &t, csv.clone()).await.expect(201).body["import"]["id"].as_str().unwrap().to_owned();
    let started = app.post(&format!("/api/v1/users/imports/{imp}/run"), &t, json!({})).await.expect(202).body;
    assert_eq!(started["status"], "running");
    assert!(started["job_id"].as_str().unwrap().starts_with("job_"));
    // Starting a running import again is a no-op.
    app.post(&format!("/api/v1/users/imports/{imp}/run"), &t, json!({})).await.expect(202);
    app.drain_jobs().await;

    let done = app.get(&format!("/api/v1/users/imports/{imp}"), &t).await.expect(200).body;
    assert_eq!(done["status"], "done", "{done}");
    let counts: Vec<i64> = ["created", "updated", "granted", "skipped", "processed"].iter().map(|k| done[k].as_i64().unwrap()).collect();
    assert_eq!(counts, [1, 1, 1, 2, 5]);
    assert_eq!(done["progress"], 1.0);
    let job = app.get(&format!("/api/v1/jobs/{}", done["job_id"].as_str().unwrap()), &t).await.expect(200).body;
    assert_eq!((job["status"].as_str(), job["progress_done"].as_i64()), (Some("succeeded"), Some(5)), "{job}");

    let report = app.get(&format!("/api/v1/users/imports/{imp}/rows"), &t).await.expect(200).body;
    let outcomes: Vec<(&str, &str)> = report["data"].as_array().unwrap().iter().map(|r| (r["email"].as_str().unwrap(), r["outcome"].as_str().unwrap())).collect();
    assert_eq!(
        outcomes,
        [("ada@example.com", "created"), ("grace@example.com", "updated"), ("hedy@example.com", "granted"), ("kim@example.com", "skipped"), ("bad@", "skipped")]
    );
    let rows = report["data"].as_array().unwrap();
    assert!(rows[3]["reason"].as_str().unwrap().contains("already a member"), "{}", rows[3]);
    assert!(rows[4]["reason"].as_str().unwrap().starts_with("invalid_email"), "{}", rows[4]);
    assert_eq!(rows[0]["granted"], json!([course, bonus]));
    let skipped = app.get(&format!("/api/v1/users/imports/{imp}/rows?outcome=skipped"), &t).await.expect(200).body;
    assert_eq!(skipped["data"].as_array().unwrap().len(), 2);
    let created = app.get(&format!("/api/v1/users/imports/{imp}/rows?outcome=created"), &t).await.expect(200).body;
    let ada = created["data"][0]["user_id"].as_str().unwrap().to_owned();

    // The members: Ada created with both products, Grace renamed, Hedy granted, Kim untouched.
    assert_eq!(app.get(&format!("/api/v1/users/{ada}"), &t).await.expect(200).body["name"], "Ada");
    assert_eq!(app.get(&format!("/api/v1/users/{grace}"), &t).await.expect(200).body["name"], "Grace Hopper");
    let grants = app.get(&format!("/api/v1/users/{ada}/access"), &t).await.expect(200).body;
    let sources: Vec<(&str, &str)> = grants["data"].as_array().unwrap().iter().map(|g| (g["source"].as_str().unwrap(), g["source_ref"].as_str().unwrap())).collect();
    assert_eq!(sources, [("import", imp.as_str()), ("import", imp.as_str())]);
    let hedy_grants = app.get(&format!("/api/v1/users/{hedy}/access"), &t).await.expect(200).body;
    assert_eq!(hedy_grants["data"].as_array().unwrap().len(), 1);
    assert_eq!(app.get(&format!("/api/v1/users/{kim}/access"), &t).await.expect(200).body["data"].as_array().unwrap().len(), 0);
    let kinds = app.activity_kinds(&t, &format!("?user_id={ada}")).await;
    assert!(kinds.contains(&"user.created".to_owned()) && kinds.contains(&"product.access_granted".to_owned()), "{kinds:?}");
    let acts = app.get(&format!("/api/v1/activities?kind=product.access_granted&user_id={hedy}"), &t).await.expect(200).body;
    assert_eq!(acts["data"][0]["data"]["source"], "import");
    // Nobody is emailed without invite=true.
    assert_eq!(app.get("/api/v1/emails", &t).await.expect(200).body["data"].as_array().unwrap().len(), 0);

    // Running it again: 409, nothing changes.
    let again = app.post(&format!("/api/v1/users/imports/{imp}/run"), &t, json!({})).await.expect(409);
    assert_eq!(again.code(), "import_already_run");
    // The same file uploaded and run again: every valid row is already done.
    let members = member_count(&app, &t).await;
    let second = upload(&app, &t, csv).await.expect(201).body;
    assert_eq!((second["import"]["would_create"].as_i64(), second["import"]["would_update"].as_i64()), (Some(0), Some(4)));
    let imp2 = second["import"]["id"].as_str().unwrap();
    app.post(&format!("/api/v1/users/imports/{imp2}/run"), &t, json!({})).await.expect(202);
    app.drain_jobs().await;
    let done2 = app.get(&format!("/api/v1/users/imports/{imp2}"), &t).await.expect(200).body;
    assert_eq!((done2["created"].as_i64(), done2["updated"].as_i64(), done2["granted"].as_i64(), done2["skipped"].as_i64()), (Some(0), Some(0), Some(0), Some(5)));
    assert_eq!(member_count(&app, &t).await, members);
    assert_eq!(app.get(&format!("/api/v1/users/{ada}/access"), &t).await.expect(200).body["data"].as_array().unwrap().len(), 2);
}

async fn invite_true_emails_new_members(app: TestApp) {
    let t = app.setup().await;
    app.post("/api/v1/users", &t, json!({"email": "old@example.com"})).await.expect(201);
    let imp = upload(&app, &t, b"email\nnew1@example.com\nnew2@example.com\nold@example.com\n".to_vec()).await.expect(201).body["import"]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let r = app.post(&format!("/api/v1/users/imports/{imp}/run?invite=true"), &t, json!({})).await.expect(202).body;
    assert_eq!(r["invite"], true);
    app.drain_jobs().await;
    let emails = app.get("/api/v1/emails", &t).await.expect(200).body;
    let mut to: Vec<&str> = emails["data"].as_array().unwrap().iter().map(|e| e["to"].as_str().unwrap_or("")).collect();
    to.sort();
    assert_eq!(to, ["new1@example.com", "new2@example.com"], "{emails}");
}

async fn bad_files_are_refused(app: TestApp) {
    let t = app.setup().await;
    let cases: [(&[u8], &str, &str); 6] = [
        (b"", "file", "empty_file"),
        (b"\xEF\xBB\xBF\r\n", "file", "empty_file"),
        (b"name,products\nAda,x\n", "columns", "missing_email_column"),
        (b"email,name\nb\xE9b@example.com,B\xE9b\n", "file", "not_utf8"),
        (b"email,name\n", "file", "no_rows"),
        (b"email,email\na@example.com,b@example.com\n", "columns", "duplicate_column"),
    ];
    for (body, field, code) in cases {
        let r = upload(&app, &t, body.to_vec()).await.expect(422);
        assert_eq!(r.code(), "validation_failed");
        assert_eq!(r.fields(), [field]);
        assert_eq!(r.body["errors"][0]["code"], code, "{}", r.body);
    }
    let mut big = b"email,name\n".to_vec();
    big.resize(20 * 1024 * 1024 + 1, b'a');
    let r = upload(&app, &t, big).await.expect(413);
    assert_eq!(r.code(), "payload_too_large");
    // A key without users:write cannot upload or run.
    let key = app.post("/api/v1/api-keys", &t, json!({"name": "ro", "scopes": ["users:read"]})).await.expect(201).body["secret"].as_str().unwrap().to_owned();
    upload(&app, &key, b"email\na@example.com\n".to_vec()).await.expect(403);
    let imp = upload(&app, &t, b"email\na@example.com\n".to_vec()).await.expect(201).body["import"]["id"].as_str().unwrap().to_owned();
    app.post(&format!("/api/v1/users/imports/{imp}/run"), &key, json!({})).await.expect(403);
    app.get(&format!("/api/v1/users/imports/{imp}"), &key).await.expect(200);
    let r = app.get(&format!("/api/v1/users/imports/{imp}/rows?outcome=exploded"), &t).await.expect(422);
    assert_eq!(r.fields(), ["outcome"]);
    let r = app.get(&format!("/api/v1/users/imports/{imp}/rows?cursor=abc"), &t).await.expect(422);
    assert_eq!(r.fields(), ["cursor"]);
    app.get("/api/v1/users/imports/imp_nope", &t).await.expect(404);
    app.get("/api/v1/users/imports/imp_0192f0c3000070008000000000000000", &t).await.expect(404);
}

async fn another_apps_import_is_not_found(app: TestApp) {
    let a = app.setup().await;
    let b = app.second_tenant().await;
    let imp = upload(&app, &b, b"email\nb@example.com\n".to_vec()).await.expect(201).body["import"]["id"].as_str().unwrap().to_owned();
    app.get(&format!("/api/v1/users/imports/{imp}"), &a).await.expect(404);
    app.get(&format!("/api/v1/users/imports/{imp}/rows"), &a).await.expect(404);
    app.post(&format!("/api/v1/users/imports/{imp}/run"), &a, json!({})).await.expect(404);
    assert_eq!(app.get(&format!("/api/v1/users/imports/{imp}"), &b).await.expect(200).body["status"], "previewed", "B's import did not start");
}

async fn interrupted_run_resumes_after_the_last_batch(app: TestApp) {
    use tollgate_domain::ids::{AppId, ImportId, JobId};
    let t = app.setup().await;
    app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201);
    let mut csv = b"email,products\n".to_vec();
    for i in 0..1200 {
        csv.extend_from_slice(format!("m{i:04}@example.com,Course\n").as_bytes());
    }
    let imp = upload(&app, &t, csv).await.expect(201).body["import"]["id"].as_str().unwrap().to_owned();
    let job = app.post(&format!("/api/v1/users/imports/{imp}/run"), &t, json!({})).await.expect(202).body["job_id"].as_str().unwrap().to_owned();
    let app_id = AppId::from_trusted(app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned());
    // A worker runs the first step (500 rows, committed with the next step's job), then dies
    // before recording that its job succeeded.
    let over = app.services.member_import_step(&app_id, &ImportId::parse(&imp).unwrap(), &JobId::parse(&job).unwrap(), 2).await.unwrap();
    assert!(!over);
    let mid = app.get(&format!("/api/v1/users/imports/{imp}"), &t).await.expect(200).body;
    assert_eq!((mid["status"].as_str(), mid["processed"].as_i64(), mid["created"].as_i64()), (Some("running"), Some(500), Some(500)));
    assert_eq!(app.get(&format!("/api/v1/jobs/{job}"), &t).await.expect(200).body["progress_done"], 500);
    // Its job, taken over, finds its step done; the next steps go on from row 502: no row is done twice.
    app.drain_jobs().await;
    let done = app.get(&format!("/api/v1/users/imports/{imp}"), &t).await.expect(200).body;
    let counts: Vec<i64> = ["processed", "created", "updated", "granted", "skipped"].iter().map(|k| done[k].as_i64().unwrap()).collect();
    assert_eq!((done["status"].as_str(), counts), (Some("done"), vec![1200, 1200, 0, 0, 0]), "{done}");
    let last = app.get(&format!("/api/v1/users/imports/{imp}/rows?outcome=created&limit=100&cursor=1101"), &t).await.expect(200).body;
    assert_eq!(last["data"].as_array().unwrap().len(), 100);
    assert_eq!(last["data"][99]["row"], 1201);
    assert_eq!(last["has_more"], false);
}

/// By hand: `cargo nextest run -p tollgate-http --test api --run-ignored only import::hundred_thousand_rows_on_sqlite --no-capture`
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "a measurement: imports 100,000 rows"]
async fn hundred_thousand_rows_on_sqlite() {
    let app = TestApp::spawn(crate::helpers::Backend::Sqlite).await;
    let t = app.setup().await;
    app.post("/api/v1/products", &t, json!({"name": "Course"})).await.expect(201);
    let mut csv = b"email,name,products,plan\n".to_vec();
    for i in 0..100_000 {
        csv.extend_from_slice(format!("member{i:06}@example.com,Member {i},Course,gold\n").as_bytes());
    }
    let bytes = csv.len();
    let t0 = std::time::Instant::now();
    let r = upload(&app, &t, csv).await.expect(201);
    let upload_time = t0.elapsed();
    let imp = r.body["import"]["id"].as_str().unwrap().to_owned();
    assert_eq!(r.body["import"]["would_create"], 100_000);
    let t1 = std::time::Instant::now();
    app.post(&format!("/api/v1/users/imports/{imp}/run"), &t, json!({})).await.expect(202);
    let w = tollgate_app::worker::Worker::new(app.services.clone());
    while w.run_once().await.unwrap() > 0 {}
    let run_time = t1.elapsed();
    let done = app.get(&format!("/api/v1/users/imports/{imp}"), &t).await.expect(200).body;
    assert_eq!((done["status"].as_str(), done["created"].as_i64()), (Some("done"), Some(100_000)), "{done}");
    println!(
        "100,000 rows ({:.1} MiB): upload + preview {:.2} s, run {:.2} s ({:.0} rows/s)",
        bytes as f64 / 1048576.0,
        upload_time.as_secs_f64(),
        run_time.as_secs_f64(),
        100_000.0 / run_time.as_secs_f64()
    );
}
