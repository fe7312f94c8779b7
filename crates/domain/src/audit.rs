//! The audit log: who changed what in an app through the admin API, with
//! which credential, from where, and a summary of the change that never
//! holds a secret.

use std::fmt;
use std::str::FromStr;

use serde_json::Value;
use time::OffsetDateTime;

use crate::auth::Role;
use crate::error::FieldProblem;
use crate::ids::{AppId, AuditId};

/// The credential a change was made with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum CredentialKind {
    /// An admin signed in (access token of a session).
    Session,
    /// An API key.
    ApiKey,
}

impl CredentialKind {
    pub fn as_str(self) -> &'static str {
        match self {
            CredentialKind::Session => "session",
            CredentialKind::ApiKey => "api_key",
        }
    }
}

impl fmt::Display for CredentialKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for CredentialKind {
    type Err = FieldProblem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "session" => Ok(CredentialKind::Session),
            "api_key" => Ok(CredentialKind::ApiKey),
            _ => Err(FieldProblem::new("invalid_credential_kind", "must be session or api_key")),
        }
    }
}

/// Who made a change: an admin (`adm_…`, with the role held then) or an API key (`key_…`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Actor {
    pub id: String,
    pub credential: CredentialKind,
    pub role: Option<Role>,
}

/// One recorded change.
#[derive(Debug, Clone, PartialEq)]
pub struct AuditEntry {
    pub app_id: AppId,
    pub id: AuditId,
    pub at: OffsetDateTime,
    pub actor: Actor,
    /// A stable dotted name such as `product.updated`.
    pub action: String,
    /// What was changed: `product`, `member`, `api_key`…
    pub target_type: String,
    pub target_id: Option<String>,
    /// The changed fields before the change, where known; never a secret.
    pub before: Option<Value>,
    /// The fields sent, as changed; secrets replaced by [`REDACTED`].
    pub after: Option<Value>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
}

/// What a secret field's value becomes in a summary: the entry says it changed, not to what.
pub const REDACTED: &str = "[redacted]";

/// Whether a field of a summary holds a secret (API keys, webhook signing
/// secrets, CRM and Stripe keys, passwords, tokens, OAuth codes).
pub fn is_secret_field(name: &str) -> bool {
    let n = name.to_ascii_lowercase();
    // The name of a metadata key is configuration, not a secret.
    if n.ends_with("metadata_key") {
        return false;
    }
    n.contains("secret")
        || n.contains("password")
        || n.contains("token")
        || n == "key"
        || n.ends_with("_key")
        || n.ends_with("apikey")
        || n == "code"
        || n.contains("credential")
        || n == "authorization"
}

/// A summary with every secret field's value replaced by [`REDACTED`], at any depth.
pub fn redact(v: Value) -> Value {
    match v {
        Value::Object(m) => Value::Object(
            m.into_iter()
                .map(|(k, v)| {
                    let v = if is_secret_field(&k) && !v.is_null() { Value::String(REDACTED.into()) } else { redact(v) };
                    (k, v)
                })
                .collect(),
        ),
        Value::Array(a) => Value::Array(a.into_iter().map(redact).collect()),
        other => other,
    }
}

/// The fields of `before` that `after` names (so an update's entry shows
/// the old values of what was sent, not the whole object), redacted.
pub fn before_of(before: Value, after: Option<&Value>) -> Value {
    match (before, after) {
        (Value::Object(b), Some(Value::Object(a))) => redact(Value::Object(b.into_iter().filter(|(k, _)| a.contains_key(k)).collect())),
        (b, _) => redact(b),
    }
}

/// A filter of the audit log.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor_id: Option<String>,
    pub action: Option<String>,
    pub target_type: Option<String>,
    pub target_id: Option<String>,
    pub since_ms: Option<i64>,
    pub until_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn secrets_are_redacted_at_any_depth() {
        let v = json!({"name": "Zap", "secret_key": "sk_live_1", "settings": {"api_key": "ac_1", "url": "https://x"},
            "webhook_secret": "whsec_1", "password": "hunter2", "list": [{"token": "t"}], "scopes": ["users:read"], "cleared_key": null});
        let r = redact(v);
        let s = r.to_string();
        for secret in ["sk_live_1", "ac_1", "whsec_1", "hunter2", "\"t\""] {
            assert!(!s.contains(secret), "{secret} in {s}");
        }
        assert_eq!(r["name"], "Zap");
        assert_eq!(r["settings"]["url"], "https://x");
        assert_eq!(r["settings"]["api_key"], REDACTED);
        assert_eq!(r["scopes"][0], "users:read");
        assert!(r["cleared_key"].is_null());
    }

    #[test]
    fn before_keeps_only_the_fields_sent() {
        let b = before_of(json!({"name": "Old", "price": 5, "secret": "s"}), Some(&json!({"name": "New", "secret": "t"})));
        assert_eq!(b, json!({"name": "Old", "secret": REDACTED}));
    }
}
