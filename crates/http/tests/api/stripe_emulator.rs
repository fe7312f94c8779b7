//! The Stripe emulator for API tests: localstripe (tools/testkit) started
//! per test, delivering signed webhooks to the server under test, and the
//! small reads the Stripe tests share.

use std::process::Child;
use std::time::Duration;

use reqwest::Method;
use serde_json::Value;

use crate::helpers::TestApp;

pub struct Emulator {
    child: Child,
    pub base: String,
    http: reqwest::Client,
}

impl Drop for Emulator {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

pub const KEY: &str = "sk_test_tollgate_e2e";

impl Emulator {
    pub fn start() -> Emulator {
        let args = ["--port", "0", "--account-name", "Membership Academy LLC"].map(std::ffi::OsStr::new);
        let (child, port) = crate::helpers::testkit("localstripe_launcher.py", &args, true);
        Emulator { child, base: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() }
    }

    pub async fn call(&self, method: Method, path: &str, form: &[(&str, &str)]) -> Value {
        let mut r = self.http.request(method.clone(), format!("{}{path}", self.base)).bearer_auth(KEY);
        r = if method == Method::GET { r.query(form) } else { r.form(form) };
        let r = r.send().await.unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "localstripe {path}: {status} {v}");
        v
    }

    pub async fn post(&self, path: &str, form: &[(&str, &str)]) -> Value {
        self.call(Method::POST, path, form).await
    }

    /// A customer with a default card.
    pub async fn customer(&self, email: &str, name: &str) -> String {
        let c = self.post("/v1/customers", &[("email", email), ("name", name)]).await;
        let id = c["id"].as_str().unwrap().to_owned();
        let pm = self.post("/v1/payment_methods/pm_card_visa/attach", &[("customer", &id)]).await;
        self.post(&format!("/v1/customers/{id}"), &[("invoice_settings[default_payment_method]", pm["id"].as_str().unwrap())]).await;
        id
    }

    pub async fn subscribe(&self, customer: &str, price: &str) -> Value {
        self.post("/v1/subscriptions", &[("customer", customer), ("items[0][price]", price)]).await
    }
}

pub fn id(v: &Value) -> String {
    v["id"].as_str().unwrap().to_owned()
}

/// Waits until the inbox holds `n` events matching `pred`, as delivered by the emulator.
pub async fn wait_inbox(app: &TestApp, t: &str, what: &str, pred: impl Fn(&Value) -> bool) -> Vec<Value> {
    for _ in 0..100 {
        let r = app.get("/api/v1/connectors/stripe/events?limit=100", t).await.expect(200);
        let hits: Vec<Value> = r.body["data"].as_array().unwrap().iter().filter(|e| pred(e)).cloned().collect();
        if !hits.is_empty() {
            return hits;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("no webhook delivery: {what}");
}

pub async fn grants_of(app: &TestApp, t: &str, user: &str) -> Vec<Value> {
    app.get(&format!("/api/v1/users/{user}/access"), t).await.expect(200).body["data"].as_array().unwrap().clone()
}

pub async fn member_by_email(app: &TestApp, t: &str, email: &str) -> Value {
    let r = app.get(&format!("/api/v1/users?q={email}"), t).await.expect(200);
    r.body["data"].as_array().unwrap().iter().find(|u| u["email"] == email).cloned().unwrap_or_else(|| panic!("no member {email}"))
}
