//! ActiveCampaign API v3 (`<account URL>/api/3/…`, header `Api-Token`).
//! Reference: https://developers.activecampaign.com/reference (tags,
//! contacts, contact/sync, contactTags, webhooks, users/me).

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde_json::{Value, json};
use url::Url;

use crate::{Account, Contact, CrmError, CrmResult, Page, Tag, id_of, send, str_of};

/// The events Tollgate subscribes to.
pub const WEBHOOK_EVENTS: [&str; 2] = ["contact_tag_added", "contact_tag_removed"];

#[derive(Clone)]
pub struct ActiveCampaign {
    http: reqwest::Client,
    /// The account's API URL (`https://<account>.api-us1.com`), no trailing slash.
    base: String,
    key: SecretString,
}

impl std::fmt::Debug for ActiveCampaign {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ActiveCampaign").field("base", &self.base).finish_non_exhaustive()
    }
}

impl ActiveCampaign {
    /// `api_url` is the account's API URL as ActiveCampaign shows it under
    /// Settings → Developer; a trailing `/api/3` is accepted.
    pub fn new(http: reqwest::Client, api_url: &Url, key: SecretString) -> Self {
        let mut base = api_url.as_str().trim_end_matches('/').to_owned();
        if let Some(b) = base.strip_suffix("/api/3") {
            base = b.to_owned();
        }
        Self { http, base, key }
    }

    pub fn base(&self) -> &str {
        &self.base
    }

    fn req(&self, m: Method, path: &str) -> reqwest::RequestBuilder {
        self.http.request(m, format!("{}/api/3/{path}", self.base)).header("Api-Token", self.key.expose_secret()).header("Accept", "application/json")
    }

    pub async fn account(&self) -> CrmResult<Account> {
        let (_, v) = send(self.req(Method::GET, "users/me"), "users/me").await?;
        let u = &v["user"];
        if u.is_null() {
            return Err(CrmError::NotAnApi("users/me: no user in the answer".into()));
        }
        // The account is the API URL: the same key on another account URL is another account.
        let name = str_of(&u["email"]).or_else(|| str_of(&u["username"])).unwrap_or_default();
        Ok(Account { id: self.base.to_ascii_lowercase(), name })
    }

    fn tag(v: &Value) -> Option<Tag> {
        Some(Tag { id: id_of(&v["id"])?, name: str_of(&v["tag"]).unwrap_or_default() })
    }

    fn contact(v: &Value) -> Option<Contact> {
        Some(Contact {
            id: id_of(&v["id"])?,
            email: str_of(&v["email"]),
            first_name: str_of(&v["firstName"]),
            last_name: str_of(&v["lastName"]),
        })
    }

    pub async fn find_tag(&self, name: &str) -> CrmResult<Option<Tag>> {
        // `search` matches substrings: page through the matches for the exact name.
        let mut offset = 0;
        loop {
            let (_, v) = send(self.req(Method::GET, "tags").query(&[("search", name), ("limit", "100"), ("offset", &offset.to_string())]), "tags").await?;
            let tags = v["tags"].as_array().cloned().unwrap_or_default();
            if let Some(t) = tags.iter().filter_map(Self::tag).find(|t| t.name.eq_ignore_ascii_case(name)) {
                return Ok(Some(t));
            }
            if tags.len() < 100 {
                return Ok(None);
            }
            offset += tags.len();
        }
    }

    pub async fn get_tag(&self, id: &str) -> CrmResult<Option<Tag>> {
        match send(self.req(Method::GET, &format!("tags/{}", enc(id))), "tags/{id}").await {
            Ok((_, v)) => Ok(Self::tag(&v["tag"])),
            Err(CrmError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn create_tag(&self, name: &str, description: &str) -> CrmResult<Tag> {
        let body = json!({ "tag": { "tag": name, "tagType": "contact", "description": description } });
        let (_, v) = send(self.req(Method::POST, "tags").json(&body), "create tag").await?;
        Self::tag(&v["tag"]).ok_or_else(|| CrmError::NotAnApi("create tag: no tag in the answer".into()))
    }

    pub async fn find_contact(&self, email: &str) -> CrmResult<Option<Contact>> {
        let (_, v) = send(self.req(Method::GET, "contacts").query(&[("email", email)]), "contacts").await?;
        Ok(v["contacts"].as_array().and_then(|a| a.iter().filter_map(Self::contact).find(|c| c.email.as_deref().is_some_and(|e| e.eq_ignore_ascii_case(email)))))
    }

    pub async fn get_contact(&self, id: &str) -> CrmResult<Option<Contact>> {
        match send(self.req(Method::GET, &format!("contacts/{}", enc(id))), "contacts/{id}").await {
            Ok((_, v)) => Ok(Self::contact(&v["contact"])),
            Err(CrmError::NotFound(_)) => Ok(None),
            Err(e) => Err(e),
        }
    }

    pub async fn upsert_contact(&self, email: &str, first_name: &str, last_name: &str) -> CrmResult<Contact> {
        let body = json!({ "contact": { "email": email, "firstName": first_name, "lastName": last_name } });
        let (_, v) = send(self.req(Method::POST, "contact/sync").json(&body), "contact/sync").await?;
        Self::contact(&v["contact"]).ok_or_else(|| CrmError::NotAnApi("contact/sync: no contact in the answer".into()))
    }

    pub async fn update_contact(&self, id: &str, email: &str, first_name: &str, last_name: &str) -> CrmResult<Contact> {
        let body = json!({ "contact": { "email": email, "firstName": first_name, "lastName": last_name } });
        let (_, v) = send(self.req(Method::PUT, &format!("contacts/{}", enc(id))).json(&body), "update contact").await?;
        Self::contact(&v["contact"]).ok_or_else(|| CrmError::NotAnApi("update contact: no contact in the answer".into()))
    }

    /// `(tag id, contactTag id)` of each tag the contact has.
    pub async fn contact_tags(&self, contact: &str) -> CrmResult<Vec<(String, String)>> {
        let (_, v) = send(self.req(Method::GET, &format!("contacts/{}/contactTags", enc(contact))), "contactTags").await?;
        Ok(v["contactTags"].as_array().map(|a| a.iter().filter_map(|ct| Some((id_of(&ct["tag"])?, id_of(&ct["id"])?))).collect()).unwrap_or_default())
    }

    pub async fn apply_tag(&self, contact: &str, tag: &str) -> CrmResult<()> {
        let body = json!({ "contactTag": { "contact": contact, "tag": tag } });
        send(self.req(Method::POST, "contactTags").json(&body), "add contactTag").await?;
        Ok(())
    }

    pub async fn remove_tag(&self, contact: &str, tag: &str) -> CrmResult<()> {
        for (t, link) in self.contact_tags(contact).await? {
            if t == tag {
                match send(self.req(Method::DELETE, &format!("contactTags/{}", enc(&link))), "delete contactTag").await {
                    Ok(_) | Err(CrmError::NotFound(_)) => {}
                    Err(e) => return Err(e),
                }
            }
        }
        Ok(())
    }

    pub async fn tag_contacts(&self, tag: &str, offset: usize, limit: usize) -> CrmResult<Page<Contact>> {
        let limit = limit.clamp(1, 100);
        let (_, v) = send(
            self.req(Method::GET, "contacts").query(&[("tagid", tag), ("limit", &limit.to_string()), ("offset", &offset.to_string()), ("orders[id]", "ASC")]),
            "contacts by tag",
        )
        .await?;
        let items: Vec<Contact> = v["contacts"].as_array().map(|a| a.iter().filter_map(Self::contact).collect()).unwrap_or_default();
        let total = v["meta"]["total"].as_str().and_then(|t| t.parse::<usize>().ok()).or_else(|| v["meta"]["total"].as_u64().map(|t| t as usize));
        let more = match total {
            Some(t) => offset + items.len() < t,
            None => items.len() == limit,
        };
        Ok(Page { items, more })
    }

    pub async fn register_webhooks(&self, url: &str) -> CrmResult<Vec<String>> {
        let body = json!({ "webhook": {
            "name": "Tollgate: tags grant access",
            "url": url,
            "events": WEBHOOK_EVENTS,
            "sources": ["public", "admin", "api", "system"],
        } });
        let (_, v) = send(self.req(Method::POST, "webhooks").json(&body), "create webhook").await?;
        Ok(id_of(&v["webhook"]["id"]).into_iter().collect())
    }

    pub async fn delete_webhook(&self, id: &str) -> CrmResult<()> {
        match send(self.req(Method::DELETE, &format!("webhooks/{}", enc(id))), "delete webhook").await {
            Ok(_) | Err(CrmError::NotFound(_)) => Ok(()),
            Err(e) => Err(e),
        }
    }
}

/// One path segment, percent-encoded.
pub(crate) fn enc(s: &str) -> String {
    url::form_urlencoded::byte_serialize(s.as_bytes()).collect()
}
