//! Tollgate's CRM connectors: one client per vendor behind one [`Crm`] type,
//! so the use cases (a tag per product, tags that grant and remove access)
//! are written once for ActiveCampaign and Keap alike.
//!
//! Shapes follow the vendors' published references (ActiveCampaign API v3,
//! Keap REST v1); `tools/testkit/CRM.md` cites the reference for each one the
//! test emulator serves. Responses are read tolerantly: ids may be strings
//! (ActiveCampaign) or numbers (Keap), unknown fields are ignored.

use std::time::Duration;

use serde_json::Value;

pub mod activecampaign;
pub mod keap;
pub mod webhook;

pub use activecampaign::ActiveCampaign;
pub use keap::{Keap, KeapAuth, KeapTokens};

/// Which CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CrmKind {
    #[serde(rename = "activecampaign")]
    ActiveCampaign,
    Keap,
}

impl CrmKind {
    pub const ALL: [CrmKind; 2] = [CrmKind::ActiveCampaign, CrmKind::Keap];

    pub fn as_str(self) -> &'static str {
        match self {
            CrmKind::ActiveCampaign => "activecampaign",
            CrmKind::Keap => "keap",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }

    /// The vendor's name as people write it.
    pub fn label(self) -> &'static str {
        match self {
            CrmKind::ActiveCampaign => "ActiveCampaign",
            CrmKind::Keap => "Keap",
        }
    }
}

/// A tag as the CRM knows it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Tag {
    pub id: String,
    pub name: String,
}

/// A contact as the CRM knows it.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Contact {
    pub id: String,
    pub email: Option<String>,
    pub first_name: Option<String>,
    pub last_name: Option<String>,
}

/// Who the credentials belong to: `id` tells one CRM account from another
/// (reconnecting the same account keeps the tag mapping).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: String,
    pub name: String,
}

/// One page of a listing.
#[derive(Debug, Clone)]
pub struct Page<T> {
    pub items: Vec<T>,
    /// Whether another page follows.
    pub more: bool,
}

/// Why a CRM call failed.
#[derive(Debug, thiserror::Error)]
pub enum CrmError {
    /// The CRM refused the credentials (401/403).
    #[error("the CRM refused the credentials: {0}")]
    Unauthorized(String),
    /// The URL does not lead to a CRM API (wrong account URL).
    #[error("no CRM API at this address: {0}")]
    NotAnApi(String),
    #[error("not found in the CRM: {0}")]
    NotFound(String),
    /// 429: try again after the delay the CRM asked for.
    #[error("the CRM is rate limiting us (retry after {0:?})")]
    RateLimited(Option<Duration>),
    /// The CRM answered 4xx to a request it will never accept.
    #[error("the CRM rejected the request ({status}): {message}")]
    Rejected { status: u16, message: String },
    /// Network trouble or a 5xx: worth retrying.
    #[error("the CRM is unavailable: {0}")]
    Unavailable(String),
}

impl CrmError {
    /// Retrying cannot help.
    pub fn is_permanent(&self) -> bool {
        matches!(self, CrmError::Unauthorized(_) | CrmError::NotAnApi(_) | CrmError::NotFound(_) | CrmError::Rejected { .. })
    }
}

pub type CrmResult<T> = Result<T, CrmError>;

/// A connected CRM.
#[derive(Debug, Clone)]
pub enum Crm {
    ActiveCampaign(ActiveCampaign),
    Keap(Keap),
}

impl Crm {
    pub fn kind(&self) -> CrmKind {
        match self {
            Crm::ActiveCampaign(_) => CrmKind::ActiveCampaign,
            Crm::Keap(_) => CrmKind::Keap,
        }
    }

    /// A cheap authenticated call: whose account the credentials open.
    pub async fn account(&self) -> CrmResult<Account> {
        match self {
            Crm::ActiveCampaign(c) => c.account().await,
            Crm::Keap(c) => c.account().await,
        }
    }

    /// The tag with exactly this name (names compare case-insensitively, as both CRMs treat them).
    pub async fn find_tag(&self, name: &str) -> CrmResult<Option<Tag>> {
        match self {
            Crm::ActiveCampaign(c) => c.find_tag(name).await,
            Crm::Keap(c) => c.find_tag(name).await,
        }
    }

    pub async fn get_tag(&self, id: &str) -> CrmResult<Option<Tag>> {
        match self {
            Crm::ActiveCampaign(c) => c.get_tag(id).await,
            Crm::Keap(c) => c.get_tag(id).await,
        }
    }

    pub async fn create_tag(&self, name: &str, description: &str) -> CrmResult<Tag> {
        match self {
            Crm::ActiveCampaign(c) => c.create_tag(name, description).await,
            Crm::Keap(c) => c.create_tag(name, description).await,
        }
    }

    /// The tag named `name`, created when missing (found by name first: never a duplicate).
    pub async fn ensure_tag(&self, name: &str, description: &str) -> CrmResult<Tag> {
        if let Some(t) = self.find_tag(name).await? {
            return Ok(t);
        }
        self.create_tag(name, description).await
    }

    pub async fn find_contact(&self, email: &str) -> CrmResult<Option<Contact>> {
        match self {
            Crm::ActiveCampaign(c) => c.find_contact(email).await,
            Crm::Keap(c) => c.find_contact(email).await,
        }
    }

    pub async fn get_contact(&self, id: &str) -> CrmResult<Option<Contact>> {
        match self {
            Crm::ActiveCampaign(c) => c.get_contact(id).await,
            Crm::Keap(c) => c.get_contact(id).await,
        }
    }

    /// Creates the contact or updates the one with this email.
    pub async fn upsert_contact(&self, email: &str, first_name: &str, last_name: &str) -> CrmResult<Contact> {
        match self {
            Crm::ActiveCampaign(c) => c.upsert_contact(email, first_name, last_name).await,
            Crm::Keap(c) => c.upsert_contact(email, first_name, last_name).await,
        }
    }

    /// Changes a known contact's email and name (a member changed their email).
    pub async fn update_contact(&self, id: &str, email: &str, first_name: &str, last_name: &str) -> CrmResult<Contact> {
        match self {
            Crm::ActiveCampaign(c) => c.update_contact(id, email, first_name, last_name).await,
            Crm::Keap(c) => c.update_contact(id, email, first_name, last_name).await,
        }
    }

    /// The ids of the tags the contact has now.
    pub async fn contact_tags(&self, contact: &str) -> CrmResult<Vec<String>> {
        match self {
            Crm::ActiveCampaign(c) => Ok(c.contact_tags(contact).await?.into_iter().map(|(tag, _)| tag).collect()),
            Crm::Keap(c) => c.contact_tags(contact).await,
        }
    }

    /// Applies a tag (applying one the contact has is harmless).
    pub async fn apply_tag(&self, contact: &str, tag: &str) -> CrmResult<()> {
        match self {
            Crm::ActiveCampaign(c) => c.apply_tag(contact, tag).await,
            Crm::Keap(c) => c.apply_tag(contact, tag).await,
        }
    }

    /// Removes a tag (removing one the contact lacks is harmless).
    pub async fn remove_tag(&self, contact: &str, tag: &str) -> CrmResult<()> {
        match self {
            Crm::ActiveCampaign(c) => c.remove_tag(contact, tag).await,
            Crm::Keap(c) => c.remove_tag(contact, tag).await,
        }
    }

    /// The contacts that have a tag, one page from `offset`.
    pub async fn tag_contacts(&self, tag: &str, offset: usize, limit: usize) -> CrmResult<Page<Contact>> {
        match self {
            Crm::ActiveCampaign(c) => c.tag_contacts(tag, offset, limit).await,
            Crm::Keap(c) => c.tag_contacts(tag, offset, limit).await,
        }
    }

    /// Asks the CRM to tell `url` when a tag is applied to or removed from a
    /// contact; returns the ids of the subscriptions it made.
    pub async fn register_webhooks(&self, url: &str) -> CrmResult<Vec<String>> {
        match self {
            Crm::ActiveCampaign(c) => c.register_webhooks(url).await,
            Crm::Keap(c) => c.register_webhooks(url).await,
        }
    }

    pub async fn delete_webhook(&self, id: &str) -> CrmResult<()> {
        match self {
            Crm::ActiveCampaign(c) => c.delete_webhook(id).await,
            Crm::Keap(c) => c.delete_webhook(id).await,
        }
    }
}

// ---------- shared plumbing ----------

/// An id that may arrive as a string or a number.
pub(crate) fn id_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) if !s.is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

pub(crate) fn str_of(v: &Value) -> Option<String> {
    v.as_str().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

/// Seconds from a `Retry-After` header (delta-seconds form).
pub(crate) fn retry_after(h: &reqwest::header::HeaderMap) -> Option<Duration> {
    h.get(reqwest::header::RETRY_AFTER)?.to_str().ok()?.trim().parse::<u64>().ok().map(|s| Duration::from_secs(s.min(3600)))
}

/// The first readable message of an error body, bounded.
pub(crate) fn message_of(body: &str) -> String {
    let v: Value = serde_json::from_str(body).unwrap_or(Value::Null);
    let m = v["message"]
        .as_str()
        .or_else(|| v["errors"][0]["title"].as_str())
        .or_else(|| v["error_description"].as_str())
        .or_else(|| v["error"].as_str())
        .or_else(|| v["fault"]["faultstring"].as_str())
        .map(str::to_owned)
        .unwrap_or_else(|| body.chars().take(200).collect());
    m.chars().take(300).collect()
}

/// Sends a request and sorts the answer: the JSON body of a 2xx (or
/// `Value::Null` when empty), or the [`CrmError`] it stands for.
pub(crate) async fn send(rb: reqwest::RequestBuilder, what: &str) -> CrmResult<(u16, Value)> {
    // A 429 is waited out here, as long as the CRM asks (up to 30 s a time,
    // three times), so a burst of work slows down instead of failing; a
    // longer wait goes back to the job queue as a retry.
    let mut rb = rb;
    let mut waits = 0;
    loop {
        let again = rb.try_clone();
        match send_once(rb, what).await {
            Err(CrmError::RateLimited(wait)) if waits < 3 && again.is_some() && wait.is_none_or(|w| w <= Duration::from_secs(30)) => {
                waits += 1;
                tokio::time::sleep(wait.unwrap_or(Duration::from_secs(1))).await;
                rb = again.expect("checked above");
            }
            r => return r,
        }
    }
}

async fn send_once(rb: reqwest::RequestBuilder, what: &str) -> CrmResult<(u16, Value)> {
    let resp = rb.send().await.map_err(|e| CrmError::Unavailable(format!("{what}: {}", without_url(&e))))?;
    let status = resp.status().as_u16();
    let retry = retry_after(resp.headers());
    let is_json = resp.headers().get(reqwest::header::CONTENT_TYPE).and_then(|v| v.to_str().ok()).is_some_and(|v| v.contains("json"));
    let body = resp.text().await.map_err(|e| CrmError::Unavailable(format!("{what}: {}", without_url(&e))))?;
    match status {
        200..=299 => {
            if body.trim().is_empty() {
                return Ok((status, Value::Null));
            }
            serde_json::from_str(&body).map(|v| (status, v)).map_err(|_| CrmError::NotAnApi(format!("{what}: the answer is not JSON")))
        }
        401 | 403 => Err(CrmError::Unauthorized(message_of(&body))),
        404 if !is_json => Err(CrmError::NotAnApi(format!("{what}: 404"))),
        404 => Err(CrmError::NotFound(message_of(&body))),
        429 => Err(CrmError::RateLimited(retry)),
        400..=499 => Err(CrmError::Rejected { status, message: message_of(&body) }),
        _ => Err(CrmError::Unavailable(format!("{what}: HTTP {status}"))),
    }
}

/// reqwest's error text without the URL (it may carry a key in a query).
fn without_url(e: &reqwest::Error) -> String {
    let mut s = e.to_string();
    if let Some(u) = e.url() {
        s = s.replace(u.as_str(), "<url>");
    }
    if e.is_timeout() { format!("timed out ({s})") } else { s }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_come_as_strings_or_numbers() {
        assert_eq!(id_of(&serde_json::json!("12")), Some("12".into()));
        assert_eq!(id_of(&serde_json::json!(12)), Some("12".into()));
        assert_eq!(id_of(&serde_json::json!("")), None);
        assert_eq!(id_of(&Value::Null), None);
    }

    #[test]
    fn error_messages_are_read_from_either_vendor() {
        assert_eq!(message_of(r#"{"message":"No Result found"}"#), "No Result found");
        assert_eq!(message_of(r#"{"errors":[{"title":"Duplicate tag","code":"duplicate"}]}"#), "Duplicate tag");
        assert_eq!(message_of(r#"{"error":"invalid_grant","error_description":"Invalid refresh token"}"#), "Invalid refresh token");
        assert_eq!(message_of("plain"), "plain");
    }

    #[test]
    fn kinds_round_trip() {
        for k in CrmKind::ALL {
            assert_eq!(CrmKind::parse(k.as_str()), Some(k));
        }
        assert_eq!(CrmKind::parse("stripe"), None);
    }
}
