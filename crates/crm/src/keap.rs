//! Keap REST v1 (`<api base>/v1/…`; the public base is
//! `https://api.infusionsoft.com/crm/rest`). Authenticated with a personal
//! access token / service account key (`X-Keap-API-Key`) or an OAuth2
//! access token (`Authorization: Bearer`). Reference:
//! https://developer.keap.com/docs/rest/ (Contact, Tags, REST Hooks, Account
//! Info) and https://developer.keap.com/getting-started-oauth-keys/ (OAuth2).

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};

use crate::activecampaign::enc;
use crate::{Account, Contact, CrmError, CrmResult, Page, Tag, id_of, send, str_of};

/// The REST hook events Tollgate subscribes to.
pub const HOOK_EVENTS: [&str; 2] = ["contactGroup.applied", "contactGroup.removed"];

/// How a Keap client authenticates.
#[derive(Clone)]
pub enum KeapAuth {
    /// A personal access token or service account key.
    ApiKey(SecretString),
    /// An OAuth2 access token.
    Bearer(SecretString),
}

#[derive(Clone)]
pub struct Keap {
    http: reqwest::Client,
    /// e.g. `https://api.infusionsoft.com/crm/rest`, no trailing slash.
    base: String,
    auth: KeapAuth,
}

impl std::fmt::Debug for Keap {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keap").field("base", &self.base).finish_non_exhaustive()
    }
}

/// Tokens from Keap's token endpoint.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct KeapTokens {
    pub access_token: String,
    pub refresh_token: String,
    /// Seconds.
    #[serde(default)]
    pub expires_in: Option<i64>,
}

impl Keap {
    pub fn new(http: reqwest::Client, api_base: &str, auth: KeapAuth) -> Self {
        Self { http, base: api_base.trim_end_matches('/').to_owned(), auth }
    }

    fn req(&self, m: Method, path: &str) -> reqwest::RequestBuilder {
        let rb = self.http.request(m, format!("{}/v1/{path}", self.base)).header("Accept", "application/json");
        match &self.auth {
            KeapAuth::ApiKey(k) => rb.header("X-Keap-API-Key", k.expose_secret()),
            KeapAuth::Bearer(t) => rb.bearer_auth(t.expose_secret()),
        }
    }

    pub async fn account(&self) -> CrmResult<Account> {
        let (_, v) = send(self.req(Method::GET, "account/profile"), "account/profile").await?;
        if !v.is_object() {
            return Err(CrmError::NotAnApi("account/profile: not an account profile".into()));
        }
        let name = str_of(&v["name"]).unwrap_or_default();
        let id = id_of(&v["id"]).or_else(|| str_of(&v["email"]).map(|e| e.to_ascii_lowercase())).unwrap_or_else(|| name.clone());
        Ok(Account { id, name })
    }

    fn tag(v: &Value) -> Option<Tag> {
        Some(Tag { id: id_of(&v["id"])?, name: str_of(&v["name"]).unwrap_or_default() })
    }

    fn contact(v: &Value) -> Option<Contact> {
        let email = v["email_addresses"]
            .as_array()
            .and_then(|a| a.iter().find(|e| e["field"] == "EMAIL1").or_else(|| a.first()))
            .and_then(|e| str_of(&e["email"]))
            .or_else(|| str_of(&v["email"]));
        Some(Contact {
            id: id_of(&v["id"])?,
            email,
            first_name: str_of(&v["given_name"]).or_else(|| str_of(&v["first_name"])),
            last_name: str_of(&v["family_name"]).or_else(|| str_of(&v["last_name"])),
        })
    }

    pub async fn find_tag(&self, name: &str) -> CrmResult<Option<Tag>> {
        let (_, v) = send(self.req(Method::GET, "tags").query(&[("name", name), ("limit", "1000")]), "tags").await?;
        Ok(v["tags"].as_array().and_then(|a| a.iter().filter_map(Self::tag).find(|t| t.name.eq_ignore_ascii_case(name))))
    }

    pub async fn get_tag(&self, id: &str) -> CrmResult<Option<Tag>> {
        match send(self.req(Method::GET, &format!("tags/{}", enc(id))), "tags/{id}").await {
            Ok((_, v)) => Ok(Self::tag(&v)),
            Err(CrmError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn create_tag(&self, name: &str, description: &str) -> CrmResult<Tag> {
        let (_, v) = send(self.req(Method::POST, "tags").json(&json!({ "name": name, "description": description })), "create tag").await?;
        Self::tag(&v).ok_or_else(|| CrmError::NotAnApi("create tag: no tag in the answer".into()))
    }

    pub async fn find_contact(&self, email: &str) -> CrmResult<Option<Contact>> {
        let (_, v) = send(self.req(Method::GET, "contacts").query(&[("email", email), ("optional_properties", "email_addresses")]), "contacts").await?;
        Ok(v["contacts"].as_array().and_then(|a| a.iter().filter_map(Self::contact).find(|c| c.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email)))))
    }

    pub async fn get_contact(&self, id: &str) -> CrmResult<Option<Contact>> {
        match send(self.req(Method::GET, &format!("contacts/{}", enc(id))).query(&[("optional_properties", "email_addresses")]), "contacts/{id}").await {
            Ok((_, v)) => Ok(Self::contact(&v)),
            Err(CrmError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn upsert_contact(&self, email: &str, first_name: &str, last_name: &str) -> CrmResult<Contact> {
        let body = json!({
            "duplicate_option": "Email",
            "email_addresses": [{ "email": email, "field": "EMAIL1" }],
            "given_name": first_name,
            "family_name": last_name,
        });
        let (_, v) = send(self.req(Method::PUT, "contacts").json(&body), "create or update contact").await?;
        Self::contact(&v).ok_or_else(|| CrmError::NotAnApi("create or update contact: no contact in the answer".into()))
    }

    pub async fn update_contact(&self, id: &str, email: &str, first_name: &str, last_name: &str) -> CrmResult<Contact> {
        let body = json!({ "email_addresses": [{ "email": email, "field": "EMAIL1" }], "given_name": first_name, "family_name": last_name });
        let (_, v) = send(self.req(Method::PATCH, &format!("contacts/{}", enc(id))).json(&body), "update contact").await?;
        Self::contact(&v).ok_or_else(|| CrmError::NotAnApi("update contact: no contact in the answer".into()))
    }

    pub async fn contact_tags(&self, contact: &str) -> CrmResult<Vec<String>> {
        let mut out = Vec::new();
        let mut offset = 0usize;
        loop {
            let (_, v) =
                send(self.req(Method::GET, &format!("contacts/{}/tags", enc(contact))).query(&[("limit", "1000"), ("offset", &offset.to_string())]), "contact tags").await?;
            let page: Vec<String> = v["tags"].as_array().map(|a| a.iter().filter_map(|t| id_of(&t["tag"]["id"])).collect()).unwrap_or_default();
            let n = page.len();
            out.extend(page);
            let total = v["count"].as_u64().map(|c| c as usize);
            if n == 0 || total.is_none_or(|t| out.len() >= t) || n < 1000 {
                return Ok(out);
            }
            offset += n;
        }
    }

    pub async fn apply_tag(&self, contact: &str, tag: &str) -> CrmResult<()> {
        let id: Value = tag.parse::<i64>().map(Value::from).unwrap_or_else(|_| Value::from(tag));
        send(self.req(Method::POST, &format!("contacts/{}/tags", enc(contact))).json(&json!({ "tagIds": [id] })), "apply tag").await?;
        Ok(())
    }

    pub async fn remove_tag(&self, contact: &str, tag: &str) -> CrmResult<()> {
        match send(self.req(Method::DELETE, &format!("contacts/{}/tags/{}", enc(contact), enc(tag))), "remove tag").await {
            Ok(_) | Err(CrmError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }

    pub async fn tag_contacts(&self, tag: &str, offset: usize, limit: usize) -> CrmResult<Page<Contact>> {
        let limit = limit.clamp(1, 1000);
        let (_, v) = send(
            self.req(Method::GET, &format!("tags/{}/contacts", enc(tag))).query(&[("limit", limit.to_string()), ("offset", offset.to_string())]),
            "tagged contacts",
        )
        .await?;
        let items: Vec<Contact> = v["contacts"].as_array().map(|a| a.iter().filter_map(|c| Self::contact(&c["contact"])).collect()).unwrap_or_default();
        let more = match v["count"].as_u64() {
            Some(t) => offset + items.len() < t as usize && !items.is_empty(),
            None => items.len() == limit,
        };
        Ok(Page { items, more })
    }

    /// Subscribes `url` to tag applied / removed. Keap verifies each
    /// subscription at once by POSTing `X-Hook-Secret` to the URL, which
    /// must echo it; a subscription left `Unverified` is asked to verify again.
    pub async fn register_webhooks(&self, url: &str) -> CrmResult<Vec<String>> {
        let mut keys = Vec::new();
        for ev in HOOK_EVENTS {
            let (_, v) = send(self.req(Method::POST, "hooks").json(&json!({ "eventKey": ev, "hookUrl": url })), "create hook").await?;
            let key = id_of(&v["key"]).ok_or_else(|| CrmError::NotAnApi("create hook: no key in the answer".into()))?;
            if v["status"].as_str() != Some("Verified") {
                let (_, v) = send(self.req(Method::POST, &format!("hooks/{}/verify", enc(&key))), "verify hook").await?;
                if v["status"].as_str() != Some("Verified") {
                    return Err(CrmError::Rejected { status: 200, message: format!("Keap could not verify the hook at {url}") });
                }
            }
            keys.push(key);
        }
        Ok(keys)
    }

    pub async fn delete_webhook(&self, key: &str) -> CrmResult<()> {
        match send(self.req(Method::DELETE, &format!("hooks/{}", enc(key))), "delete hook").await {
            Ok(_) | Err(CrmError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// Keap's OAuth2 endpoints (authorization code with refresh-token rotation).
#[derive(Debug, Clone)]
pub struct KeapOAuth {
    /// Where the owner approves (`https://accounts.infusionsoft.com/app/oauth/authorize`).
    pub authorize_url: String,
    /// The token endpoint (`https://api.infusionsoft.com/token`).
    pub token_url: String,
    pub client_id: String,
    pub client_secret: SecretString,
}

impl KeapOAuth {
    pub fn authorize(&self, redirect_uri: &str, state: &str) -> String {
        let q: String = url::form_urlencoded::Serializer::new(String::new())
            .append_pair("client_id", &self.client_id)
            .append_pair("redirect_uri", redirect_uri)
            .append_pair("response_type", "code")
            .append_pair("scope", "full")
            .append_pair("state", state)
            .finish();
        format!("{}?{q}", self.authorize_url)
    }

    pub async fn exchange(&self, http: &reqwest::Client, code: &str, redirect_uri: &str) -> CrmResult<KeapTokens> {
        self.token(
            http,
            &[
                ("grant_type", "authorization_code"),
                ("code", code),
                ("redirect_uri", redirect_uri),
                ("client_id", &self.client_id),
                ("client_secret", self.client_secret.expose_secret()),
            ],
        )
        .await
    }

    /// A new token pair; the refresh token given is spent (rotation).
    pub async fn refresh(&self, http: &reqwest::Client, refresh_token: &str) -> CrmResult<KeapTokens> {
        self.token(http, &[("grant_type", "refresh_token"), ("refresh_token", refresh_token)]).await
    }

    async fn token(&self, http: &reqwest::Client, form: &[(&str, &str)]) -> CrmResult<KeapTokens> {
        let rb = http.post(&self.token_url).basic_auth(&self.client_id, Some(self.client_secret.expose_secret())).form(form);
        let (_, v) = match send(rb, "token").await {
            // A spent or unknown grant is a 400 `invalid_grant`: the owner must connect again.
            Err(CrmError::Rejected { message, .. }) => return Err(CrmError::Unauthorized(message)),
            r => r?,
        };
        serde_json::from_value(v).map_err(|e| CrmError::NotAnApi(format!("token: {e}")))
    }
}
