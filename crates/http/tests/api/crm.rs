//! The CRM connectors end to end against tools/testkit's ActiveCampaign and
//! Keap emulators (stateful HTTP servers on a port, shaped on each vendor's
//! published API; they send their webhooks to the server under test).

use std::process::Child;
use std::time::Duration;

use reqwest::Method;
use serde_json::{Value, json};

use crate::helpers::{Backend, TestApp};
use crate::stripe_emulator::{Emulator as Stripe, KEY as STRIPE_KEY, grants_of, id, wait_inbox};

/// One emulator process (one vendor); each test makes its own account in it.
pub struct CrmEmu {
    child: Child,
    pub base: String,
    http: reqwest::Client,
}

impl Drop for CrmEmu {
    fn drop(&mut self) {
        let _ = self.child.kill();
    }
}

/// An account in the emulator.
pub struct Account {
    pub slug: String,
    pub api_key: String,
    pub api_url: String,
    pub raw: Value,
}

impl CrmEmu {
    pub fn start(vendor: &str) -> CrmEmu {
        let args = ["--vendor", vendor, "--port", "0"].map(std::ffi::OsStr::new);
        let (child, port) = crate::helpers::testkit("crm_emulator.py", &args, false);
        CrmEmu { child, base: format!("http://127.0.0.1:{port}"), http: reqwest::Client::new() }
    }

    async fn control(&self, method: Method, path: &str, body: Option<Value>) -> Value {
        let mut r = self.http.request(method, format!("{}/_emulator{path}", self.base));
        if let Some(b) = body {
            r = r.json(&b);
        }
        let r = r.send().await.unwrap();
        let status = r.status();
        let v: Value = r.json().await.unwrap_or(Value::Null);
        assert!(status.is_success(), "emulator {path}: {status} {v}");
        v
    }

    pub async fn account(&self) -> Account {
        let v = self.control(Method::POST, "/accounts", Some(json!({"name": "Membership Academy"}))).await;
        Account { slug: v["account"].as_str().unwrap().into(), api_key: v["api_key"].as_str().unwrap().into(), api_url: v["api_url"].as_str().unwrap().into(), raw: v }
    }

    pub async fn state(&self, a: &Account) -> Value {
        self.control(Method::GET, &format!("/{}/state", a.slug), None).await
    }

    /// A contact made in the CRM's own screens.
    pub async fn contact(&self, a: &Account, email: &str) -> String {
        let v = self.control(Method::POST, &format!("/{}/contacts", a.slug), Some(json!({"email": email, "first_name": "Ann", "last_name": "Lee"}))).await;
        v["id"].to_string().trim_matches('"').to_owned()
    }

    /// Someone applies (`true`) or removes a tag in the CRM's own screens: the CRM sends its webhook.
    pub async fn tag(&self, a: &Account, contact: &str, tag: &str, apply: bool) {
        let m = if apply { Method::POST } else { Method::DELETE };
        self.control(m, &format!("/{}/contacts/{contact}/tags/{tag}", a.slug), None).await;
    }

    pub async fn pause_webhooks(&self, a: &Account, paused: bool) {
        self.control(Method::POST, &format!("/{}/webhooks/{}", a.slug, if paused { "pause" } else { "resume" }), None).await;
    }

    pub async fn fail_next(&self, a: &Account, status: u16, count: u32, retry_after: u32) {
        self.control(Method::POST, &format!("/{}/fail", a.slug), Some(json!({"status": status, "count": count, "retry_after": retry_after}))).await;
    }

    /// The id of the tag named `name` (exactly one such tag: never a duplicate).
    pub async fn tag_id(&self, a: &Account, name: &str) -> String {
        let st = self.state(a).await;
        let hits: Vec<&Value> = st["tags"].as_array().unwrap().iter().filter(|t| t["name"] == name).collect();
        assert_eq!(hits.len(), 1, "one tag named {name}: {}", st["tags"]);
        hits[0]["id"].to_string().trim_matches('"').to_owned()
    }

    /// The names of the tags the contact with this email has.
    pub async fn tags_of(&self, a: &Account, email: &str) -> Vec<String> {
        let st = self.state(a).await;
        let Some(c) = st["contacts"].as_array().unwrap().iter().find(|c| c["email"] == email) else { return vec![] };
        let names = |id: &Value| st["tags"].as_array().unwrap().iter().find(|t| t["id"] == *id).map(|t| t["name"].as_str().unwrap().to_owned());
        c["tag_ids"].as_array().unwrap().iter().filter_map(names).collect()
    }
}

async fn spawn(backend: Backend, keap: Option<&CrmEmu>, oauth: Option<(&str, &str)>) -> TestApp {
    let keap_base = keap.map(|k| k.base.clone());
    let (cid, secret) = oauth.map(|(a, b)| (a.to_owned(), b.to_owned())).unzip();
    TestApp::spawn_configured(backend, |c| {
        c.outbound.allow_private_networks = true;
        if let Some(b) = keap_base {
            c.crm.keap.api_base = format!("{b}/crm/rest");
            c.crm.keap.authorize_url = format!("{b}/app/oauth/authorize");
            c.crm.keap.token_url = format!("{b}/token");
        }
        c.crm.keap.client_id = cid;
        c.crm.keap.client_secret = secret.map(secrecy::SecretString::from);
    })
    .await
}

/// Runs the server's jobs until `check` holds (webhooks arrive asynchronously).
async fn until<F, Fut>(app: &TestApp, what: &str, check: F)
where
    F: Fn() -> Fut,
    Fut: std::future::Future<Output = bool>,
{
    for _ in 0..150 {
        app.drain_jobs().await;
        if check().await {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("never happened: {what}");
}

/// The sources of a member's active grants of a product.
async fn sources(app: &TestApp, t: &str, user: &str, product: &str) -> Vec<String> {
    grants_of(app, t, user)
        .await
        .into_iter()
        .filter(|g| g["product_id"] == product && g["active"] == true)
        .map(|g| g["source"].as_str().unwrap().to_owned())
        .collect()
}

async fn member(app: &TestApp, t: &str, email: &str) -> String {
    app.post("/api/v1/users", t, json!({"email": email, "name": "Ann Lee"})).await.expect(201).id()
}

async fn product(app: &TestApp, t: &str, name: &str) -> String {
    app.post("/api/v1/products", t, json!({"name": name})).await.expect(201).id()
}

async fn card(app: &TestApp, t: &str, kind: &str) -> Value {
    app.get(&format!("/api/v1/connectors/crm/{kind}"), t).await.expect(200).body
}

/// Done means (ActiveCampaign): connect; each product gets its tag (never
/// twice); a tag applied in the CRM grants access, removed revokes it; a
/// missed webhook is caught by the reconcile; access from another source
/// applies the tag and its webhook echo grants nothing; bad keys and URLs
/// are refused naming the field.
async fn activecampaign_tags_grant_and_remove_access(backend: Backend) {
    let emu = CrmEmu::start("activecampaign");
    let acct = emu.account().await;
    let app = spawn(backend, None, None).await;
    let t = app.setup().await;
    let course = product(&app, &t, "Starter Course").await;
    let ann = member(&app, &t, "ann@example.com").await;

    // Bad input: no URL, a URL with no CRM behind it, a wrong key.
    let r = app.post("/api/v1/connectors/crm/activecampaign", &t, json!({"api_key": acct.api_key})).await.expect(422);
    assert_eq!(r.fields(), ["api_url"]);
    let r = app.post("/api/v1/connectors/crm/activecampaign", &t, json!({"api_url": format!("{}/nobody", emu.base), "api_key": acct.api_key})).await.expect(422);
    assert_eq!((r.fields(), r.body["errors"][0]["code"].as_str()), (vec!["api_url".to_owned()], Some("not_a_crm")));
    let r = app.post("/api/v1/connectors/crm/activecampaign", &t, json!({"api_url": acct.api_url, "api_key": "wrong-key"})).await.expect(422);
    assert_eq!(r.fields(), ["api_key"]);
    assert!(r.body["errors"][0]["message"].as_str().unwrap().contains("not authorized"), "the CRM's own message: {}", r.body);
    app.post("/api/v1/connectors/crm/nosuchcrm", &t, json!({"api_key": "x"})).await.expect(404);

    let c = app.post("/api/v1/connectors/crm/activecampaign", &t, json!({"api_url": acct.api_url, "api_key": acct.api_key})).await.expect(200);
    assert_eq!((c.body["connected"].as_bool(), c.body["webhooks_registered"].as_bool()), (Some(true), Some(true)), "{}", c.body);
    assert!(!c.body.to_string().contains(&acct.api_key), "the key is never shown again");
    let hooks = emu.state(&acct).await["webhooks"].clone();
    assert_eq!(hooks[0]["events"], json!(["contact_tag_added", "contact_tag_removed"]));
    app.drain_jobs().await;
    let starter_tag = emu.tag_id(&acct, "Tollgate: Starter Course").await;
    // A product made later gets its tag too; a second sync makes no duplicate.
    let pro = product(&app, &t, "Pro").await;
    app.drain_jobs().await;
    app.post("/api/v1/connectors/crm/activecampaign/sync", &t, json!({})).await.expect(202);
    app.drain_jobs().await;
    let pro_tag = emu.tag_id(&acct, "Tollgate: Pro").await;
    emu.tag_id(&acct, "Tollgate: Starter Course").await;
    let mapping = app.get("/api/v1/connectors/crm/activecampaign/tags", &t).await.expect(200).body["data"].clone();
    let row = mapping.as_array().unwrap().iter().find(|m| m["product_id"] == course.as_str()).unwrap().clone();
    assert_eq!((row["tag_id"].as_str(), row["tag_name"].as_str(), row["picked"].as_bool()), (Some(starter_tag.as_str()), Some("Tollgate: Starter Course"), Some(false)));

    // A tag applied in ActiveCampaign grants access; removed, it revokes.
    let contact = emu.contact(&acct, "ann@example.com").await;
    emu.tag(&acct, &contact, &starter_tag, true).await;
    until(&app, "the tag grants access", || async { sources(&app, &t, &ann, &course).await == ["activecampaign"] }).await;
    // The same webhook again (the CRM sends at least once) has one effect.
    emu.tag(&acct, &contact, &starter_tag, true).await;
    app.drain_jobs().await;
    assert_eq!(grants_of(&app, &t, &ann).await.len(), 1);
    emu.tag(&acct, &contact, &starter_tag, false).await;
    until(&app, "the removed tag revokes access", || async { sources(&app, &t, &ann, &course).await.is_empty() }).await;
    assert!(app.activity_kinds(&t, "").await.contains(&"product.access_removed".to_owned()));

    // A missed webhook: the reconcile converges.
    emu.pause_webhooks(&acct, true).await;
    emu.tag(&acct, &contact, &pro_tag, true).await;
    app.drain_jobs().await;
    assert!(sources(&app, &t, &ann, &pro).await.is_empty());
    app.post("/api/v1/connectors/crm/activecampaign/sync", &t, json!({})).await.expect(202);
    app.drain_jobs().await;
    assert_eq!(sources(&app, &t, &ann, &pro).await, ["activecampaign"]);
    emu.tag(&acct, &contact, &pro_tag, false).await;
    app.post("/api/v1/connectors/crm/activecampaign/sync", &t, json!({})).await.expect(202);
    app.drain_jobs().await;
    assert!(sources(&app, &t, &ann, &pro).await.is_empty());
    emu.pause_webhooks(&acct, false).await;

    // Access from another source applies the tag; its webhook echo (the CRM
    // reports the API's own change) is not taken for a CRM grant.
    let bob = member(&app, &t, "bob@example.com").await;
    app.drain_jobs().await;
    let g = app.post(&format!("/api/v1/users/{bob}/access"), &t, json!({"product_id": course})).await.expect(201).id();
    until(&app, "the grant applies the tag", || async { emu.tags_of(&acct, "bob@example.com").await == ["Tollgate: Starter Course"] }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.drain_jobs().await;
    assert_eq!(sources(&app, &t, &bob, &course).await, ["manual"], "the echo of Tollgate's own tag grants nothing");
    // Removing that access removes the tag.
    app.post(&format!("/api/v1/users/{bob}/access/{g}/revoke"), &t, json!({})).await.expect(200);
    until(&app, "the removal removes the tag", || async { emu.tags_of(&acct, "bob@example.com").await.is_empty() }).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.drain_jobs().await;
    assert!(sources(&app, &t, &bob, &course).await.is_empty());
    // None of that failed along the way (a failing job would only be retried later).
    let c = card(&app, &t, "activecampaign").await;
    assert!(c["last_error"].is_null(), "{c}");

    // A member's new email reaches the same contact in the CRM.
    let st = emu.state(&acct).await;
    let bob_contact = st["contacts"].as_array().unwrap().iter().find(|c| c["email"] == "bob@example.com").unwrap()["id"].clone();
    assert_eq!(st["contacts"].as_array().unwrap().iter().find(|c| c["email"] == "bob@example.com").unwrap()["first_name"], "Ann");
    app.patch(&format!("/api/v1/users/{bob}"), &t, json!({"email": "bobby@example.com", "name": "Bobby Tables"})).await.expect(200);
    app.drain_jobs().await;
    let st = emu.state(&acct).await;
    let c = st["contacts"].as_array().unwrap().iter().find(|c| c["id"] == bob_contact).unwrap();
    assert_eq!((c["email"].as_str(), c["first_name"].as_str(), c["last_name"].as_str()), (Some("bobby@example.com"), Some("Bobby"), Some("Tables")));

    // The CRM failing shows on the card, and a sync that works clears it.
    emu.fail_next(&acct, 500, 100, 0).await;
    app.post("/api/v1/connectors/crm/activecampaign/sync", &t, json!({})).await.expect(202);
    app.drain_jobs().await;
    let c = card(&app, &t, "activecampaign").await;
    assert!(c["last_error"].as_str().unwrap().contains("HTTP 500"), "{c}");
    emu.fail_next(&acct, 500, 0, 0).await;

    // A contact who is not a member: skipped unless the admin opts in.
    let carl = emu.contact(&acct, "carl@example.com").await;
    emu.tag(&acct, &carl, &starter_tag, true).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.drain_jobs().await;
    let find = || async { app.get("/api/v1/users?q=carl%40example.com", &t).await.expect(200).body["data"].as_array().unwrap().len() };
    assert_eq!(find().await, 0);
    let c = app.patch("/api/v1/connectors/crm/activecampaign", &t, json!({"create_members": true})).await.expect(200);
    assert_eq!(c.body["options"]["create_members"], true);
    app.patch("/api/v1/connectors/crm/activecampaign", &t, json!({"tag_pattern": "no placeholder"})).await.expect(422);
    app.post("/api/v1/connectors/crm/activecampaign/sync", &t, json!({})).await.expect(202);
    app.drain_jobs().await;
    assert_eq!(find().await, 1, "the tagged contact became a member");

    let c = card(&app, &t, "activecampaign").await;
    assert_eq!((c["mapped_tags"].as_i64(), c["last_error"].is_null(), c["last_sync_at"].is_string()), (Some(2), true, true), "{c}");
    assert!(c["open_grants"].as_i64().unwrap() >= 1);
}

/// Done means (Keap): connect with a personal access token; Keap's REST
/// hooks are verified through the X-Hook-Secret handshake; a tag applied in
/// Keap grants access and removed revokes it; a Stripe purchase applies the tag.
async fn keap_tags_grant_and_stripe_applies_the_tag(backend: Backend) {
    let emu = CrmEmu::start("keap");
    let acct = emu.account().await;
    let stripe = Stripe::start();
    let sbase = stripe.base.clone();
    let keap_base = emu.base.clone();
    let app = TestApp::spawn_configured(backend, |c| {
        c.outbound.allow_private_networks = true;
        c.crm.keap.api_base = format!("{keap_base}/crm/rest");
        c.stripe.api_base = sbase;
    })
    .await;
    let t = app.setup().await;
    let course = product(&app, &t, "Mastermind").await;
    let ann = member(&app, &t, "ann@example.com").await;

    app.post("/api/v1/connectors/crm/keap", &t, json!({"api_key": "not-a-key"})).await.expect(422);
    app.post("/api/v1/connectors/crm/keap", &t, json!({"api_key": acct.api_key, "api_url": "https://example.com"})).await.expect(422);
    let c = app.post("/api/v1/connectors/crm/keap", &t, json!({"api_key": acct.api_key})).await.expect(200);
    assert_eq!((c.body["connected"].as_bool(), c.body["webhooks_registered"].as_bool(), c.body["auth"].as_str()), (Some(true), Some(true), Some("api_key")), "{}", c.body);
    let hooks = emu.state(&acct).await["hooks"].clone();
    assert!(hooks.as_array().unwrap().iter().all(|h| h["status"] == "Verified"), "the handshake verified every hook: {hooks}");
    app.drain_jobs().await;
    let tag = emu.tag_id(&acct, "Tollgate: Mastermind").await;

    let contact = emu.contact(&acct, "ann@example.com").await;
    emu.tag(&acct, &contact, &tag, true).await;
    until(&app, "the Keap tag grants access", || async { sources(&app, &t, &ann, &course).await == ["keap"] }).await;
    emu.tag(&acct, &contact, &tag, false).await;
    until(&app, "the removed Keap tag revokes access", || async { sources(&app, &t, &ann, &course).await.is_empty() }).await;

    // A Stripe subscription grants access, and the grant applies the tag in Keap.
    app.post("/api/v1/connectors/stripe/connect", &t, json!({"secret_key": STRIPE_KEY})).await.expect(200);
    let sp = stripe.post("/v1/products", &[("name", "Mastermind")]).await;
    let price = stripe.post("/v1/prices", &[("product", &id(&sp)), ("currency", "usd"), ("unit_amount", "4900"), ("recurring[interval]", "month")]).await;
    app.req(Method::PUT, &format!("/api/v1/products/{course}/stripe"), Some(&t), Some(json!({"stripe_product_id": id(&sp)}))).await.expect(200);
    app.drain_jobs().await;
    // Members also carry their lifecycle stage's tag.
    let c = app.patch("/api/v1/connectors/crm/keap", &t, json!({"stage_tags": true, "stage_tag_pattern": "Stage: {stage}"})).await.expect(200);
    assert_eq!(c.body["options"]["stage_tags"], true);
    app.patch("/api/v1/connectors/crm/keap", &t, json!({"stage_tag_pattern": "Stage"})).await.expect(422);
    let dee = stripe.customer("dee@example.com", "Dee Buyer").await;
    stripe.subscribe(&dee, &id(&price)).await;
    wait_inbox(&app, &t, "subscription created", |e| e["type"] == "customer.subscription.created").await;
    until(&app, "the purchase applies the product's and the stage's tags in Keap", || async {
        let mut tags = emu.tags_of(&acct, "dee@example.com").await;
        tags.sort();
        tags == ["Stage: Customer", "Tollgate: Mastermind"]
    })
    .await;
    // Keap's echo of Tollgate's own change grants nothing more.
    tokio::time::sleep(Duration::from_millis(300)).await;
    app.drain_jobs().await;
    let c = card(&app, &t, "keap").await;
    assert!(c["last_error"].is_null(), "{c}");
    let users = app.get("/api/v1/users?q=dee%40example.com", &t).await.expect(200).body["data"].clone();
    let dee_id = users[0]["id"].as_str().unwrap().to_owned();
    assert_eq!(sources(&app, &t, &dee_id, &course).await, ["stripe_subscription"]);

    // Webhooks for another app or with a wrong token are acknowledged and ignored.
    let other = app.http.post(format!("{}/webhooks/keap/app_nope/tok", app.url)).json(&json!({"event_key": "contactGroup.applied", "object_keys": [{"id": 1}]})).send().await.unwrap();
    assert_eq!(other.status(), 200);
    assert_eq!(other.json::<Value>().await.unwrap()["outcome"], "ignored");
}

/// Keap's second way in: OAuth2 authorization code; a refused access token
/// is refreshed (the refresh token rotates) and the call made again.
async fn keap_oauth_connects_and_refreshes(backend: Backend) {
    let emu = CrmEmu::start("keap");
    let acct = emu.account().await;
    let (cid, secret) = (acct.raw["client_id"].as_str().unwrap().to_owned(), acct.raw["client_secret"].as_str().unwrap().to_owned());
    let app = spawn(backend, Some(&emu), Some((&cid, &secret))).await;
    let t = app.setup().await;
    assert_eq!(card(&app, &t, "keap").await["oauth_available"], true);
    let client = reqwest::Client::builder().redirect(reqwest::redirect::Policy::none()).build().unwrap();
    let start = client.get(format!("{}/api/v1/connectors/crm/keap/oauth/start", app.url)).bearer_auth(&t).send().await.unwrap();
    assert_eq!(start.status(), 200);
    let cookie = start.headers().get("set-cookie").unwrap().to_str().unwrap().split(';').next().unwrap().to_owned();
    let url = start.json::<Value>().await.unwrap()["url"].as_str().unwrap().to_owned();
    // Keap approves and sends the browser back with a code.
    let approved = client.get(&url).send().await.unwrap();
    assert_eq!(approved.status(), 302);
    let back = approved.headers()["location"].to_str().unwrap().to_owned();
    assert!(back.starts_with(&format!("{}/oauth/keap/callback?", app.url)), "{back}");
    // Another browser (no cookie) cannot finish it.
    let stolen = client.get(&back).send().await.unwrap();
    assert!(stolen.headers()["location"].to_str().unwrap().ends_with("keap=error"));
    let done = client.get(&back).header("cookie", &cookie).send().await.unwrap();
    assert_eq!(done.status(), 303);
    assert!(done.headers()["location"].to_str().unwrap().ends_with("keap=connected"), "{:?}", done.headers()["location"]);
    let c = card(&app, &t, "keap").await;
    assert_eq!((c["connected"].as_bool(), c["auth"].as_str()), (Some(true), Some("oauth")), "{c}");

    // Keap stops taking the access token: the next call refreshes and goes through.
    app.drain_jobs().await;
    emu.control(Method::POST, &format!("/{}/expire_tokens", acct.slug), None).await;
    product(&app, &t, "Renewed Course").await;
    app.drain_jobs().await;
    emu.tag_id(&acct, "Tollgate: Renewed Course").await;
    let grants: Vec<String> = emu.state(&acct).await["requests"].as_array().unwrap().iter().filter_map(|r| r["grant_type"].as_str().map(str::to_owned)).collect();
    assert_eq!(grants, ["authorization_code", "refresh_token"], "one exchange, one refresh");
    assert!(card(&app, &t, "keap").await["last_error"].is_null());
}

/// Reconnecting: the same account resumes its mapping (no new tags); another
/// account needs a confirmation and starts fresh; disconnecting keeps the mapping.
async fn reconnecting_keeps_or_resets_the_mapping(backend: Backend) {
    let emu = CrmEmu::start("activecampaign");
    let (one, two) = (emu.account().await, emu.account().await);
    let app = spawn(backend, None, None).await;
    let t = app.setup().await;
    let course = product(&app, &t, "Course").await;
    app.post("/api/v1/connectors/crm/activecampaign", &t, json!({"api_url": one.api_url, "api_key": one.api_key})).await.expect(200);
    app.drain_jobs().await;
    let tag = emu.tag_id(&one, "Tollgate: Course").await;

    let c = app.req(Method::DELETE, "/api/v1/connectors/crm/activecampaign", Some(&t), None).await.expect(200);
    assert_eq!((c.body["connected"].as_bool(), c.body["mapped_tags"].as_i64()), (Some(false), Some(1)));
    assert!(emu.state(&one).await["webhooks"].as_array().unwrap().is_empty(), "disconnecting deletes Tollgate's webhook");
    // A member granted meanwhile: nothing is sent to a disconnected CRM.
    let ann = member(&app, &t, "ann@example.com").await;
    app.post(&format!("/api/v1/users/{ann}/access"), &t, json!({"product_id": course})).await.expect(201);
    app.drain_jobs().await;
    assert!(emu.tags_of(&one, "ann@example.com").await.is_empty());

    let c = app.post("/api/v1/connectors/crm/activecampaign", &t, json!({"api_url": one.api_url, "api_key": one.api_key})).await.expect(200);
    assert_eq!(c.body["syncing"], true, "the first sync is queued");
    app.drain_jobs().await;
    assert_eq!(card(&app, &t, "activecampaign").await["syncing"], false);
    assert_eq!(emu.tag_id(&one, "Tollgate: Course").await, tag, "the same tag, not a new one");
    // Access given while the CRM was away gets its tag when it comes back.
    assert_eq!(emu.tags_of(&one, "ann@example.com").await, ["Tollgate: Course"]);

    let r = app.post("/api/v1/connectors/crm/activecampaign", &t, json!({"api_url": two.api_url, "api_key": two.api_key})).await.expect(409);
    assert_eq!(r.code(), "crm_account_changed");
    app.post("/api/v1/connectors/crm/activecampaign", &t, json!({"api_url": two.api_url, "api_key": two.api_key, "confirm_new_account": true})).await.expect(200);
    let row = app.get("/api/v1/connectors/crm/activecampaign/tags", &t).await.expect(200).body["data"][0].clone();
    assert!(row["tag_id"].is_null(), "the old account's mapping is forgotten: {row}");
    app.drain_jobs().await;
    let new_tag = emu.tag_id(&two, "Tollgate: Course").await;
    let row = app.get("/api/v1/connectors/crm/activecampaign/tags", &t).await.expect(200).body["data"][0].clone();
    assert_eq!(row["tag_id"].as_str(), Some(new_tag.as_str()), "the new account's tag");

    // The admin picks another tag by name: created once, and the mapping says it was picked.
    let r = app.req(Method::PUT, &format!("/api/v1/connectors/crm/activecampaign/tags/{course}"), Some(&t), Some(json!({"tag_name": "VIP Members"}))).await.expect(200);
    assert_eq!((r.body["tag_name"].as_str(), r.body["picked"].as_bool()), (Some("VIP Members"), Some(true)));
    emu.tag_id(&two, "VIP Members").await;
    app.req(Method::PUT, &format!("/api/v1/connectors/crm/activecampaign/tags/{course}"), Some(&t), Some(json!({"tag_id": "999999"}))).await.expect(422);
    app.req(Method::PUT, &format!("/api/v1/connectors/crm/activecampaign/tags/{course}"), Some(&t), Some(json!({}))).await.expect(422);
}

/// An automation step adds a CRM tag; a 429 is waited out as the CRM asks.
async fn automation_tags_and_rate_limits(backend: Backend) {
    let emu = CrmEmu::start("activecampaign");
    let acct = emu.account().await;
    let app = spawn(backend, None, None).await;
    let t = app.setup().await;
    let auto = json!({"name": "Tag new members", "trigger": {"type": "activity", "kind": "user.created"}, "steps": [{"type": "add_crm_tag", "tag": "New member"}]});
    let r = app.post("/api/v1/automations", &t, auto.clone()).await.expect(422);
    assert_eq!(r.body["errors"][0]["code"], "crm_not_connected");
    app.post("/api/v1/connectors/crm/activecampaign", &t, json!({"api_url": acct.api_url, "api_key": acct.api_key})).await.expect(200);
    app.post("/api/v1/automations", &t, auto).await.expect(201);
    app.drain_jobs().await;
    emu.fail_next(&acct, 429, 2, 1).await;
    member(&app, &t, "eve@example.com").await;
    app.drain_jobs().await;
    assert_eq!(emu.tags_of(&acct, "eve@example.com").await, ["New member"]);
    let st = emu.state(&acct).await;
    assert!(st["requests"].as_array().unwrap().iter().filter(|r| r["status"] == 429).count() >= 2, "the CRM answered 429 twice and the client waited");
}


crate::both!(backend;
    
    activecampaign_tags_grant_and_remove_access,
    keap_tags_grant_and_stripe_applies_the_tag,
    keap_oauth_connects_and_refreshes,
    reconnecting_keeps_or_resets_the_mapping,
    automation_tags_and_rate_limits,
);
