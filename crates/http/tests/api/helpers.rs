//! The test harness: a real server on port 0 over a fresh database.

use std::net::TcpListener;
use std::sync::Arc;

use reqwest::{Method, StatusCode};
use serde_json::{Value, json};
use tollgate_app::crypto::Keys;
use tollgate_app::mail::SmtpConfig;
use tollgate_app::worker::Worker;
use tollgate_app::{Services, ServicesConfig};
use tollgate_domain::clock::ManualClock;
pub use tollgate_persistence::Backend;
use tollgate_persistence::testing::TestDb;

pub const PASSWORD: &str = "correct horse battery";

pub struct TestApp {
    pub url: String,
    pub services: Services,
    pub clock: ManualClock,
    pub http: reqwest::Client,
    _db: TestDb,
    _media: MediaDir,
}

/// A test's media directory, removed when the test ends.
struct MediaDir(std::path::PathBuf);

impl Drop for MediaDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

pub struct Resp {
    pub status: StatusCode,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

impl Resp {
    /// The `field` names of a 422 problem.
    pub fn fields(&self) -> Vec<String> {
        self.body["errors"].as_array().map(|a| a.iter().map(|e| e["field"].as_str().unwrap_or("").to_owned()).collect()).unwrap_or_default()
    }
    pub fn code(&self) -> &str {
        self.body["code"].as_str().unwrap_or("")
    }
    #[track_caller]
    pub fn expect(self, status: u16) -> Self {
        assert_eq!(self.status.as_u16(), status, "unexpected status; body: {}", self.body);
        self
    }
    pub fn id(&self) -> String {
        self.body["id"].as_str().expect("an id").to_owned()
    }
}

impl TestApp {
    pub async fn spawn(backend: Backend) -> TestApp {
        Self::spawn_with(backend, None).await
    }

    pub async fn spawn_with(backend: Backend, smtp: Option<SmtpConfig>) -> TestApp {
        Self::spawn_configured(backend, |c| c.smtp = smtp).await
    }

    pub async fn spawn_configured(backend: Backend, configure: impl FnOnce(&mut ServicesConfig)) -> TestApp {
        let db = TestDb::new(backend).await.expect("test database (PostgreSQL at 127.0.0.1:5432 for the postgres tests)");
        let listener = TcpListener::bind("127.0.0.1:0").unwrap();
        let url = format!("http://{}", listener.local_addr().unwrap());
        let clock = ManualClock::new(time::OffsetDateTime::now_utc());
        let mut cfg = ServicesConfig::new(url.clone());
        // Uploaded files go to a directory of this test's own, removed with it
        // (the default, ./data/media, would land in the source tree).
        let media = MediaDir(std::env::temp_dir().join(format!("tollgate-test-media-{}", uuid::Uuid::new_v4().simple())));
        cfg.media_dir = media.0.clone();
        configure(&mut cfg);
        cfg.mail_from = "Academy <no-reply@academy.test>".into();
        let services = Services::new(db.db.clone(), Arc::new(clock.clone()), Keys::from_master(&[42u8; 32]).unwrap(), cfg);
        let server = tollgate_http::serve(listener, services.clone(), tollgate_http::HttpOptions { frontend_dir: None, workers: Some(2) }).unwrap();
        tokio::spawn(server);
        let http = reqwest::Client::builder().cookie_store(true).build().unwrap();
        TestApp { url, services, clock, http, _db: db, _media: media }
    }

    /// The database's URL, for a second process's pool (a `tollgate worker`).
    pub fn db_url(&self) -> &str {
        &self._db.url
    }

    /// A client with its own cookie jar (another browser).
    pub fn new_client(&self) -> reqwest::Client {
        reqwest::Client::builder().cookie_store(true).build().unwrap()
    }

    pub async fn req(&self, method: Method, path: &str, token: Option<&str>, body: Option<Value>) -> Resp {
        self.req_with(&self.http, method, path, token, body, &[]).await
    }

    pub async fn req_with(&self, client: &reqwest::Client, method: Method, path: &str, token: Option<&str>, body: Option<Value>, headers: &[(&str, &str)]) -> Resp {
        let mut r = client.request(method, format!("{}{}", self.url, path));
        if let Some(t) = token {
            r = r.bearer_auth(t);
        }
        for (k, v) in headers {
            r = r.header(*k, *v);
        }
        if let Some(b) = body {
            r = r.json(&b);
        }
        let res = r.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let text = res.text().await.unwrap();
        let body = if text.is_empty() { Value::Null } else { serde_json::from_str(&text).unwrap_or(Value::String(text)) };
        if status.is_client_error() || status.is_server_error() {
            let ct = headers.get("content-type").and_then(|v| v.to_str().ok()).unwrap_or("");
            assert_eq!(ct, "application/problem+json", "errors are problem+json: {status} {body}");
            assert!(body["code"].is_string() && body["request_id"].is_string(), "problem has code and request_id: {body}");
        }
        assert_ne!(status, StatusCode::INTERNAL_SERVER_ERROR, "no 500s: {body}");
        Resp { status, headers, body }
    }

    pub async fn get(&self, path: &str, token: &str) -> Resp {
        self.req(Method::GET, path, Some(token), None).await
    }
    pub async fn post(&self, path: &str, token: &str, body: Value) -> Resp {
        self.req(Method::POST, path, Some(token), Some(body)).await
    }
    pub async fn patch(&self, path: &str, token: &str, body: Value) -> Resp {
        self.req(Method::PATCH, path, Some(token), Some(body)).await
    }

    /// First-run setup; returns the owner's access token.
    pub async fn setup(&self) -> String {
        let r = self
            .req(Method::POST, "/api/v1/setup", None, Some(json!({"email": "owner@example.com", "password": PASSWORD, "name": "Olivia", "app_name": "Academy"})))
            .await
            .expect(201);
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Logs the setup owner in again (e.g. after the clock moved past token expiry).
    pub async fn login_owner(&self) -> String {
        let r = self
            .req_with(&self.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "owner@example.com", "password": PASSWORD})), &[])
            .await
            .expect(200);
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    /// A second admin owning a second app; returns their access token.
    pub async fn second_tenant(&self) -> String {
        self.services
            .create_admin_and_app(
                tollgate_app::usecases::admin_auth::NewAdminAndApp {
                    email: "other@example.org".into(),
                    password: PASSWORD.into(),
                    name: "Other".into(),
                    app_name: "Other site".into(),
                    site_url: None,
                },
                false,
            )
            .await
            .unwrap();
        let r = self
            .req_with(&self.new_client(), Method::POST, "/api/v1/auth/login", None, Some(json!({"email": "other@example.org", "password": PASSWORD})), &[])
            .await
            .expect(200);
        r.body["access_token"].as_str().unwrap().to_owned()
    }

    /// Runs due background jobs until none is left.
    pub async fn drain_jobs(&self) {
        let w = Worker::new(self.services.clone());
        for _ in 0..50 {
            if w.run_once().await.unwrap() == 0 {
                return;
            }
        }
        panic!("jobs kept coming");
    }

    /// The server's clock.
    pub fn clock_now(&self) -> time::OffsetDateTime {
        tollgate_domain::clock::Clock::now(&self.clock)
    }

    pub async fn activity_kinds(&self, token: &str, query: &str) -> Vec<String> {
        let r = self.get(&format!("/api/v1/activities{query}"), token).await.expect(200);
        r.body["data"].as_array().unwrap().iter().map(|a| a["kind"].as_str().unwrap().to_owned()).collect()
    }
}

/// Runs each listed test on SQLite and on PostgreSQL.
///
/// - `both!(a, b)`: each test is `async fn a(app: TestApp)` on a fresh server;
/// - `both!(spawn = super::spawn; a, b)`: the test gets what `spawn(backend)`
///   builds (a server configured for that file);
/// - `both!(backend; a, b)`: the test is `async fn a(backend: Backend)` and
///   starts what it needs itself;
/// - `mods(x, y)` before any of these names the two modules (default
///   `sqlite`, `postgres`) when a file uses the macro twice.
#[macro_export]
macro_rules! both {
    (mods($s:ident, $p:ident) backend; $($name:ident),* $(,)?) => { tollgate_persistence::both!(@on $s $p; val $crate::helpers::as_is; $($name),*); };
    (mods($s:ident, $p:ident) spawn = $spawn:path; $($name:ident),* $(,)?) => { tollgate_persistence::both!(@on $s $p; val $spawn; $($name),*); };
    (mods($s:ident, $p:ident) $($name:ident),* $(,)?) => { tollgate_persistence::both!(@on $s $p; val $crate::helpers::TestApp::spawn; $($name),*); };
    (backend; $($name:ident),* $(,)?) => { tollgate_persistence::both!(@on sqlite postgres; val $crate::helpers::as_is; $($name),*); };
    (spawn = $spawn:path; $($name:ident),* $(,)?) => { tollgate_persistence::both!(@on sqlite postgres; val $spawn; $($name),*); };
    ($($name:ident),* $(,)?) => { tollgate_persistence::both!(@on sqlite postgres; val $crate::helpers::TestApp::spawn; $($name),*); };
}

/// The backend itself, for tests that start their own server (`both!(backend; …)`).
pub async fn as_is(b: Backend) -> Backend {
    b
}

/// Starts one of tools/testkit's Python tools (creating its venv on first
/// use) with `args`; returns the process and the port it printed as
/// `LISTENING <port>`. Each tool exits when its stdin (held by the child
/// handle) closes, or when the handle's owner kills it on drop.
pub fn testkit(script: &str, args: &[&std::ffi::OsStr], quiet: bool) -> (std::process::Child, u16) {
    use std::io::{BufRead, BufReader};
    use std::process::{Command, Stdio};
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap();
    let setup = Command::new("bash").arg(root.join("tools/testkit/setup.sh")).stderr(Stdio::inherit()).output().expect("tools/testkit/setup.sh");
    assert!(setup.status.success(), "tools/testkit/setup.sh failed");
    let python = String::from_utf8(setup.stdout).unwrap().lines().last().unwrap().trim().to_owned();
    let mut child = Command::new(python)
        .arg(root.join("tools/testkit").join(script))
        .args(args)
        .arg("--exit-on-stdin-eof")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(if quiet { Stdio::null() } else { Stdio::inherit() })
        .spawn()
        .unwrap_or_else(|e| panic!("start {script}: {e}"));
    let mut line = String::new();
    BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
    let port = line.trim().strip_prefix("LISTENING ").unwrap_or_else(|| panic!("{script} printed {line:?}, not LISTENING <port>")).parse().unwrap();
    (child, port)
}
