//! The audit log: every admin write, newest first.

pub mod dto;

use actix_web::{get, web};
use tollgate_app::Services;
use tollgate_domain::audit::AuditFilter;
use tollgate_domain::page::TimeCursor;

pub use self::dto::*;
use crate::audit::{actions, target_types};
use crate::dto::ListResponse;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidQuery};
use crate::routes::{limit, parse_time};

/// Registers the routes of this capability.
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_audit_log);
}

/// The audit log of the app, newest first: who changed what, with which
/// credential, from where. Owners and admins only (viewers and API keys: 403).
#[utoipa::path(tag = "app", security(("bearer" = [])), params(AuditLogQuery), responses(
    (status = 200, body = ListResponse<AuditEntryResponse>),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 422, body = Problem, description = "limit, cursor, actor, action, target_type, target_id, since, until"),
))]
#[get("/audit-log")]
pub async fn list_audit_log(s: web::Data<Services>, auth: Auth, q: ValidQuery<AuditLogQuery>) -> ApiResult<web::Json<ListResponse<AuditEntryResponse>>> {
    let q = q.0;
    let filter = audit_filter(&q)?;
    let after = q.cursor.as_deref().map(TimeCursor::parse).transpose().map_err(|p| ApiError::field("cursor", p.code, p.message))?;
    let page = s.audit_log(&auth.0, &filter, after.as_ref(), limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

fn audit_filter(q: &AuditLogQuery) -> ApiResult<AuditFilter> {
    let id_like = |field: &str, v: &str| -> ApiResult<String> {
        if v.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-') {
            Ok(v.to_owned())
        } else {
            Err(ApiError::field(field, "invalid_id", "must be an id (letters, digits, _ and -)"))
        }
    };
    let actor = q.actor.as_deref().map(|a| id_like("actor", a)).transpose()?;
    if let Some(a) = &actor {
        if !(a.starts_with("adm_") || a.starts_with("key_")) {
            return Err(ApiError::field("actor", "invalid_actor", "must be an admin id (adm_…) or an API key id (key_…)"));
        }
    }
    if let Some(a) = &q.action {
        if !actions().contains(&a.as_str()) {
            return Err(ApiError::field("action", "unknown_action", "is not an action of the audit log"));
        }
    }
    if let Some(t) = &q.target_type {
        if !target_types().contains(&t.as_str()) {
            return Err(ApiError::field("target_type", "unknown_target_type", "is not a target type of the audit log"));
        }
    }
    let target_id = q.target_id.as_deref().map(|t| id_like("target_id", t)).transpose()?;
    if target_id.is_some() && q.target_type.is_none() {
        return Err(ApiError::field("target_type", "required", "must be given with target_id"));
    }
    let since = q.since.as_deref().map(|v| parse_time("since", v)).transpose()?;
    let until = q.until.as_deref().map(|v| parse_time("until", v)).transpose()?;
    if let (Some(a), Some(b)) = (since, until) {
        if a >= b {
            return Err(ApiError::field("until", "before_since", "must be after since"));
        }
    }
    Ok(AuditFilter {
        actor_id: actor,
        action: q.action.clone(),
        target_type: q.target_type.clone(),
        target_id,
        since_ms: since.map(tollgate_domain::clock::to_millis),
        until_ms: until.map(tollgate_domain::clock::to_millis),
    })
}
