//! Wire types of the audit log.

use serde::{Deserialize, Serialize};
use tollgate_domain::audit::AuditEntry;
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::audit::{AuditAction, AuditTargetType};
use crate::dto::rfc3339;

/// Filters and paging of the audit log.
#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct AuditLogQuery {
    /// How many entries to return (1 to 100, default 25).
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    #[bound(length(min = 1, max = 100))]
    #[param(pattern = r"^[+-]?[0-9]{1,18}\.[A-Za-z0-9_]{1,64}$")]
    pub cursor: Option<String>,
    /// Only this actor: an admin id (`adm_…`) or an API key id (`key_…`).
    #[bound(length(min = 1, max = 100))]
    pub actor: Option<String>,
    /// Only this action.
    #[param(value_type = Option<AuditAction>)]
    pub action: Option<String>,
    /// Only entries about this kind of object.
    #[param(value_type = Option<AuditTargetType>)]
    pub target_type: Option<String>,
    /// Only entries about this object (with `target_type`).
    #[bound(length(min = 1, max = 100))]
    pub target_id: Option<String>,
    /// Inclusive lower bound (RFC 3339).
    pub since: Option<String>,
    /// Exclusive upper bound (RFC 3339).
    pub until: Option<String>,
}

/// Who made a change.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditActorResponse {
    /// An admin id (`adm_…`) or an API key id (`key_…`).
    pub id: String,
    /// `session` (an admin signed in) or `api_key`.
    pub credential: String,
    /// The admin's role at the time (`owner`, `admin`, `viewer`); none for an API key.
    pub role: Option<String>,
}

/// One change made through the admin API.
#[derive(Debug, Serialize, ToSchema)]
pub struct AuditEntryResponse {
    pub id: String,
    #[schema(format = DateTime)]
    pub occurred_at: String,
    pub actor: AuditActorResponse,
    #[schema(value_type = AuditAction)]
    pub action: String,
    #[schema(value_type = AuditTargetType)]
    pub target_type: String,
    pub target_id: Option<String>,
    /// The values the change replaced (the fields sent, where known); never a secret.
    #[schema(value_type = Option<Object>)]
    pub before: Option<serde_json::Value>,
    /// The fields sent; secrets appear as `[redacted]`.
    #[schema(value_type = Option<Object>)]
    pub after: Option<serde_json::Value>,
    /// The `X-Request-Id` of the request that made the change.
    pub request_id: Option<String>,
    /// The client's IP address.
    pub ip: Option<String>,
}

impl From<AuditEntry> for AuditEntryResponse {
    fn from(e: AuditEntry) -> Self {
        AuditEntryResponse {
            id: e.id.into_string(),
            occurred_at: rfc3339(e.at),
            actor: AuditActorResponse { id: e.actor.id, credential: e.actor.credential.as_str().into(), role: e.actor.role.map(|r| r.as_str().into()) },
            action: e.action,
            target_type: e.target_type,
            target_id: e.target_id,
            before: e.before,
            after: e.after,
            request_id: e.request_id,
            ip: e.ip,
        }
    }
}
