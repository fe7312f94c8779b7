//! What a CRM's webhook says, read from its body. Neither vendor signs its
//! deliveries (ActiveCampaign sends none; Keap verifies the subscription
//! once with `X-Hook-Secret`), so a delivery is only a hint: it names the
//! contact (ActiveCampaign) or the tag (Keap's `contactGroup.*` events carry
//! tag ids) to look at, and Tollgate reads the current tags from the API
//! before changing anything. A forged or replayed delivery can at most make
//! Tollgate re-read a contact or a tag.

use serde_json::Value;

use crate::{CrmKind, id_of};

/// What a delivery is about.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Hint {
    /// A contact whose tags changed.
    Contact { contact_id: String, email: Option<String> },
    /// A tag applied to or removed from someone.
    Tag { tag_id: String },
}

/// What a delivery names; empty for events Tollgate does not use.
pub fn hints_in(kind: CrmKind, content_type: &str, body: &[u8]) -> Vec<Hint> {
    match kind {
        CrmKind::ActiveCampaign => activecampaign(content_type, body),
        CrmKind::Keap => keap(body),
    }
}

/// ActiveCampaign posts `application/x-www-form-urlencoded` with PHP-style
/// keys: `type=contact_tag_added&tag=…&contact[id]=…&contact[email]=…`.
fn activecampaign(content_type: &str, body: &[u8]) -> Vec<Hint> {
    let pairs: Vec<(String, String)> = if content_type.contains("json") {
        let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
        let ty = v["type"].as_str().unwrap_or_default().to_owned();
        let mut p = vec![("type".to_owned(), ty)];
        if let Some(id) = id_of(&v["contact"]["id"]) {
            p.push(("contact[id]".into(), id));
        }
        if let Some(e) = v["contact"]["email"].as_str() {
            p.push(("contact[email]".into(), e.to_owned()));
        }
        p
    } else {
        url::form_urlencoded::parse(body).into_owned().collect()
    };
    let get = |k: &str| pairs.iter().find(|(key, _)| key == k).map(|(_, v)| v.trim().to_owned()).filter(|v| !v.is_empty());
    match get("type").as_deref() {
        Some("contact_tag_added" | "contact_tag_removed") => {}
        _ => return Vec::new(),
    }
    match get("contact[id]") {
        Some(id) => vec![Hint::Contact { contact_id: id, email: get("contact[email]") }],
        None => Vec::new(),
    }
}

/// Keap posts JSON for its tag ("contact group") events:
/// `{"event_key": "contactGroup.applied", "object_type": "contactGroup",
/// "object_keys": [{"id": <tag id>, "apiUrl": …, "timestamp": …}]}`.
fn keap(body: &[u8]) -> Vec<Hint> {
    let v: Value = serde_json::from_slice(body).unwrap_or(Value::Null);
    match v["event_key"].as_str() {
        Some("contactGroup.applied" | "contactGroup.removed") => {}
        _ => return Vec::new(),
    }
    let mut tags: Vec<Hint> = v["object_keys"].as_array().map(|a| a.iter().filter_map(|k| Some(Hint::Tag { tag_id: id_of(&k["id"])? })).collect()).unwrap_or_default();
    tags.dedup();
    tags
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activecampaign_form_bodies_name_the_contact() {
        let body = b"type=contact_tag_added&date_time=2026-12-01T10%3A00%3A00-06%3A00&initiated_from=admin&tag=Tollgate%3A+Course&contact%5Bid%5D=42&contact%5Bemail%5D=ann%40example.com";
        assert_eq!(hints_in(CrmKind::ActiveCampaign, "application/x-www-form-urlencoded", body), vec![Hint::Contact { contact_id: "42".into(), email: Some("ann@example.com".into()) }]);
        assert!(hints_in(CrmKind::ActiveCampaign, "application/x-www-form-urlencoded", b"type=subscribe&contact%5Bid%5D=42").is_empty());
        assert!(hints_in(CrmKind::ActiveCampaign, "application/x-www-form-urlencoded", b"\xff\xfe garbage").is_empty());
    }

    #[test]
    fn keap_json_bodies_name_the_tags() {
        let body = br#"{"event_key":"contactGroup.removed","object_type":"contactGroup","object_keys":[{"id":7,"apiUrl":"","timestamp":"2026-12-01T10:00:00.000Z"},{"id":"8"}]}"#;
        assert_eq!(hints_in(CrmKind::Keap, "application/json", body), vec![Hint::Tag { tag_id: "7".into() }, Hint::Tag { tag_id: "8".into() }]);
        assert!(hints_in(CrmKind::Keap, "application/json", br#"{"event_key":"order.add","object_keys":[{"id":1}]}"#).is_empty());
        assert!(hints_in(CrmKind::Keap, "application/json", b"not json").is_empty());
    }
}
