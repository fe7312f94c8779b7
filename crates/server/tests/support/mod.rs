//! Real `tollgate` processes for the server's tests: `serve` over a data
//! directory and database that outlive it, and the localstripe emulator.
#![allow(dead_code)]

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

pub const KEY: &str = "sk_test_tollgate_crash";
pub const PASSWORD: &str = "correct horse battery";

pub struct Emulator {
    child: Child,
    pub base: String,
    http: reqwest::Client,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..").canonicalize().unwrap()
}

impl Emulator {
    pub fn start() -> Emulator {
        let setup = Command::new("bash").arg(root().join("tools/testkit/setup.sh")).stderr(Stdio::inherit()).output().expect("tools/testkit/setup.sh");
        assert!(setup.status.success());
        let python = String::from_utf8(setup.stdout).unwrap().lines().last().unwrap().trim().to_owned();
        let mut child = Command::new(python)
            .arg(root().join("tools/testkit/localstripe_launcher.py"))
            .args(["--port", "0", "--exit-on-stdin-eof"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .expect("start localstripe");
        let mut line = String::new();
        BufReader::new(child.stdout.take().unwrap()).read_line(&mut line).unwrap();
        let port: u16 = line.trim().strip_prefix("LISTENING ").expect("LISTENING <port>").parse().unwrap();
        Emulator { child, base: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() }
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        let r = self.http.post(format!("{}{path}", self.base)).bearer_auth(KEY).form(form).send().await.unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "localstripe {path}: {status} {v}");
        v
    }
}

/// A `tollgate serve` process over a data directory and database that outlive it.
pub struct Server {
    child: Child,
    pub base: String,
}

impl Server {
    pub async fn start(dir: &Path, db_url: &str, port: u16, stripe_api: &str) -> Server {
        let base = format!("http://127.0.0.1:{port}");
        let log = std::fs::OpenOptions::new().create(true).append(true).open(dir.join("server.log")).unwrap();
        let child = Command::new(env!("CARGO_BIN_EXE_tollgate"))
            .arg("serve")
            .current_dir(dir)
            .env("TOLLGATE_DATABASE_URL", db_url)
            .env("TOLLGATE_DATA_DIR", dir)
            .env("TOLLGATE_BIND", format!("127.0.0.1:{port}"))
            .env("TOLLGATE_PUBLIC_URL", &base)
            .env("TOLLGATE_FRONTEND_DIR", dir.join("no-spa"))
            .env("TOLLGATE_HTTP_WORKERS", "2")
            .env("TOLLGATE_STRIPE__API_BASE", stripe_api)
            .stdout(Stdio::null())
            .stderr(log)
            .spawn()
            .expect("tollgate serve");
        let mut s = Server { child, base };
        let http = reqwest::Client::new();
        for _ in 0..600 {
            if let Ok(r) = http.get(format!("{}/healthz", s.base)).send().await {
                if r.status().is_success() {
                    return s;
                }
            }
            assert!(s.child.try_wait().unwrap().is_none(), "tollgate serve exited; see {}", dir.join("server.log").display());
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        panic!("tollgate serve did not answer /healthz; see {}", dir.join("server.log").display());
    }

    /// SIGTERM: a graceful stop, waited for.
    pub fn stop(mut self) {
        let status = Command::new("kill").args(["-TERM", &self.child.id().to_string()]).status().unwrap();
        assert!(status.success());
        let exit = self.child.wait().unwrap();
        assert!(exit.success(), "tollgate serve stopped with {exit}");
    }

    /// `kill -9`: no shutdown, no cleanup, leases left as they were.
    pub fn kill9(mut self) {
        self.child.kill().unwrap();
        self.child.wait().unwrap();
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

pub async fn call(http: &reqwest::Client, method: reqwest::Method, url: String, token: Option<&str>, body: Option<Value>) -> Value {
    let mut r = http.request(method, &url);
    if let Some(t) = token {
        r = r.bearer_auth(t);
    }
    if let Some(b) = body {
        r = r.json(&b);
    }
    let r = r.send().await.unwrap();
    let status = r.status();
    let v: Value = r.json().await.unwrap_or(Value::Null);
    assert!(status.is_success(), "{url}: {status} {v}");
    v
}

pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port()
}


/// Runs a one-shot `tollgate` command in `dir` over `db_url`; returns its stdout, or panics with its stderr.
pub fn tollgate(dir: &Path, db_url: &str, args: &[&str]) -> std::process::Output {
    Command::new(env!("CARGO_BIN_EXE_tollgate"))
        .args(args)
        .current_dir(dir)
        .env("TOLLGATE_DATABASE_URL", db_url)
        .env("TOLLGATE_DATA_DIR", dir)
        .env("TOLLGATE_LOG", "warn")
        .output()
        .expect("run tollgate")
}
