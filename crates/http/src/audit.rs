//! Which requests the audit log records, and the middleware that opens
//! their audit scope (see `tollgate_persistence::audit`).
//!
//! [`OPERATIONS`] names every audited admin write by method and route
//! template, with its stable action name and what it targets. A test walks
//! the OpenAPI document and fails on a write route that is neither here nor
//! in its short list of writes that change nothing (previews, dry runs).

use std::borrow::Cow;

use actix_web::body::{BoxBody, MessageBody};
use actix_web::dev::{ServiceRequest, ServiceResponse};
use actix_web::http::{Method, header};
use actix_web::middleware::Next;
use actix_web::{HttpMessage, web};
use tollgate_app::Services;
use tollgate_persistence::audit::{self, Pending};

use crate::extract::{MAX_BODY, client_ip};
use crate::middleware::RequestId;

/// One audited operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Operation {
    pub method: &'static str,
    /// The route template as in the OpenAPI document.
    pub path: &'static str,
    /// The stable action name recorded (`product.updated`).
    pub action: &'static str,
    /// What the entry's target is (`product`).
    pub target: &'static str,
    /// The path parameter holding the target's id; `None` when the use case
    /// names it (a created object) or there is none (app-wide settings).
    pub target_param: Option<&'static str>,
}

const fn op(method: &'static str, path: &'static str, action: &'static str, target: &'static str, target_param: Option<&'static str>) -> Operation {
    Operation { method, path, action, target, target_param }
}

const ID: Option<&str> = Some("id");

/// Every audited admin write.
pub const OPERATIONS: &[Operation] = &[
    // Admin sessions (security events; the actor is named by the use case).
    op("POST", "/api/v1/auth/login", "admin.signed_in", "admin", None),
    op("POST", "/api/v1/auth/switch", "admin.switched_app", "admin", None),
    op("POST", "/api/v1/auth/password-reset/confirm", "admin.password_reset", "admin", None),
    // The app, its stages and account settings.
    op("PATCH", "/api/v1/app", "app.updated", "app", None),
    op("PUT", "/api/v1/app/stages", "stages.updated", "app", None),
    op("PUT", "/api/v1/accounts/settings", "account_settings.updated", "app", None),
    // Team.
    op("POST", "/api/v1/admins/invitations", "invitation.created", "invitation", None),
    op("DELETE", "/api/v1/admins/invitations/{id}", "invitation.revoked", "invitation", ID),
    op("PATCH", "/api/v1/admins/{id}", "admin.role_changed", "admin", ID),
    op("DELETE", "/api/v1/admins/{id}", "admin.removed", "admin", ID),
    // API keys.
    op("POST", "/api/v1/api-keys", "api_key.created", "api_key", None),
    op("DELETE", "/api/v1/api-keys/{id}", "api_key.revoked", "api_key", ID),
    // Products, pages, media, sales pages, checkout and Stripe links.
    op("POST", "/api/v1/products", "product.created", "product", None),
    op("PATCH", "/api/v1/products/{id}", "product.updated", "product", ID),
    op("DELETE", "/api/v1/products/{id}", "product.deleted", "product", ID),
    op("POST", "/api/v1/products/{id}/archive", "product.archived", "product", ID),
    op("POST", "/api/v1/products/{id}/unarchive", "product.unarchived", "product", ID),
    op("POST", "/api/v1/products/{id}/pages", "page.created", "page", None),
    op("PATCH", "/api/v1/products/{id}/pages/{page_id}", "page.updated", "page", Some("page_id")),
    op("DELETE", "/api/v1/products/{id}/pages/{page_id}", "page.deleted", "page", Some("page_id")),
    op("POST", "/api/v1/images", "image.uploaded", "image", None),
    op("POST", "/api/v1/products/{id}/media", "media.uploaded", "media", None),
    op("PATCH", "/api/v1/products/{id}/media/{media_id}", "media.updated", "media", Some("media_id")),
    op("DELETE", "/api/v1/products/{id}/media/{media_id}", "media.deleted", "media", Some("media_id")),
    op("PUT", "/api/v1/products/{id}/sales-page", "sales_page.updated", "product", ID),
    op("POST", "/api/v1/products/{id}/sales-page/create-from", "sales_page.created", "product", ID),
    op("PUT", "/api/v1/products/{id}/stripe", "product.stripe_linked", "product", ID),
    op("DELETE", "/api/v1/products/{id}/stripe", "product.stripe_unlinked", "product", ID),
    op("PUT", "/api/v1/products/{id}/stripe/checkout", "product.checkout_updated", "product", ID),
    // Members, their access and subscriptions, bulk actions, imports, segments, accounts.
    op("POST", "/api/v1/users", "member.created", "member", None),
    op("PATCH", "/api/v1/users/{id}", "member.updated", "member", ID),
    op("POST", "/api/v1/users/{id}/access", "access.granted", "member", ID),
    op("POST", "/api/v1/users/{id}/access/{grant_id}/revoke", "access.revoked", "member", ID),
    op("POST", "/api/v1/users/{id}/subscriptions/{subscription_id}/cancel", "subscription.canceled", "member", ID),
    op("POST", "/api/v1/users/bulk", "members.bulk_action", "members", None),
    op("POST", "/api/v1/users/imports", "member_import.uploaded", "member_import", None),
    op("POST", "/api/v1/users/imports/{id}/run", "member_import.started", "member_import", ID),
    op("POST", "/api/v1/segments", "segment.created", "segment", None),
    op("PATCH", "/api/v1/segments/{id}", "segment.updated", "segment", ID),
    op("DELETE", "/api/v1/segments/{id}", "segment.deleted", "segment", ID),
    op("POST", "/api/v1/accounts/{id}/seats", "account.seat_added", "account", ID),
    op("DELETE", "/api/v1/accounts/{id}/seats/{user_id}", "account.seat_removed", "account", ID),
    // Automations and email templates.
    op("POST", "/api/v1/automations", "automation.created", "automation", None),
    op("PATCH", "/api/v1/automations/{id}", "automation.updated", "automation", ID),
    op("DELETE", "/api/v1/automations/{id}", "automation.deleted", "automation", ID),
    op("POST", "/api/v1/automation-runs/{id}/retry", "automation_run.retried", "automation_run", ID),
    op("POST", "/api/v1/email-templates", "email_template.created", "email_template", None),
    op("PUT", "/api/v1/email-templates/{id}", "email_template.updated", "email_template", ID),
    op("DELETE", "/api/v1/email-templates/{id}", "email_template.deleted", "email_template", ID),
    // Outbound webhooks and Zapier hooks.
    op("POST", "/api/v1/webhooks/endpoints", "webhook_endpoint.created", "webhook_endpoint", None),
    op("PATCH", "/api/v1/webhooks/endpoints/{id}", "webhook_endpoint.updated", "webhook_endpoint", ID),
    op("DELETE", "/api/v1/webhooks/endpoints/{id}", "webhook_endpoint.deleted", "webhook_endpoint", ID),
    op("POST", "/api/v1/webhooks/endpoints/{id}/rotate-secret", "webhook_endpoint.secret_rotated", "webhook_endpoint", ID),
    op("POST", "/api/v1/webhooks/endpoints/{id}/replay", "webhook_endpoint.replayed", "webhook_endpoint", ID),
    op("POST", "/api/v1/webhooks/endpoints/{id}/test", "webhook_endpoint.tested", "webhook_endpoint", ID),
    op("POST", "/api/v1/webhooks/deliveries/{id}/redeliver", "webhook_delivery.redelivered", "webhook_delivery", ID),
    op("POST", "/api/v1/hooks", "zapier_hook.created", "zapier_hook", None),
    op("DELETE", "/api/v1/hooks/{id}", "zapier_hook.deleted", "zapier_hook", ID),
    // Connectors.
    op("PATCH", "/api/v1/connectors/{kind}/settings", "connector.settings_updated", "connector", Some("kind")),
    op("POST", "/api/v1/connectors/stripe/connect", "stripe.connected", "connector", None),
    op("DELETE", "/api/v1/connectors/stripe", "stripe.disconnected", "connector", None),
    op("POST", "/api/v1/connectors/stripe/webhook-secrets", "stripe.webhook_secret_added", "connector", None),
    op("PUT", "/api/v1/connectors/stripe/portal", "stripe.portal_updated", "connector", None),
    op("POST", "/api/v1/connectors/stripe/sync-events", "stripe.events_synced", "connector", None),
    op("POST", "/api/v1/connectors/stripe/events/{id}/process", "stripe_event.reprocessed", "stripe_event", ID),
    op("POST", "/api/v1/connectors/crm/{kind}", "crm.connected", "connector", Some("kind")),
    op("PATCH", "/api/v1/connectors/crm/{kind}", "crm.settings_updated", "connector", Some("kind")),
    op("DELETE", "/api/v1/connectors/crm/{kind}", "crm.disconnected", "connector", Some("kind")),
    op("POST", "/api/v1/connectors/crm/{kind}/sync", "crm.sync_started", "connector", Some("kind")),
    op("PUT", "/api/v1/connectors/crm/{kind}/tags/{product_id}", "crm.tag_set", "product", Some("product_id")),
    // Jobs.
    op("POST", "/api/v1/jobs/{id}/retry", "job.retried", "job", ID),
];

/// Every action name, sorted, without duplicates.
pub fn actions() -> Vec<&'static str> {
    let mut v: Vec<&str> = OPERATIONS.iter().map(|o| o.action).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// Every target type, sorted, without duplicates.
pub fn target_types() -> Vec<&'static str> {
    let mut v: Vec<&str> = OPERATIONS.iter().map(|o| o.target).collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The audited operation a request is, if any: the template with the
/// fewest parameters wins (`/users/bulk` before `/users/{id}`).
pub fn operation(method: &Method, path: &str) -> Option<&'static Operation> {
    // Every audited operation is under /api/v1/ (a test holds it to that):
    // webhook deliveries, the SPA and the docs skip the search.
    if !path.starts_with("/api/v1/") {
        return None;
    }
    OPERATIONS
        .iter()
        .filter(|o| o.method == method.as_str())
        .filter(|o| matches(o.path, path))
        .min_by_key(|o| o.path.matches('{').count())
}

/// Whether `path` fits `template` segment by segment (a `{param}` takes any
/// non-empty segment); allocates nothing, as it runs on every request.
fn matches(template: &str, path: &str) -> bool {
    let (mut t, mut p) = (template.split('/'), path.split('/'));
    loop {
        match (t.next(), p.next()) {
            (None, None) => return true,
            (Some(t), Some(p)) if (t.starts_with('{') && !p.is_empty()) || t == p => {}
            _ => return false,
        }
    }
}

/// The value of the path parameter `name` of `template` in `path`.
fn param(template: &str, path: &str, name: &str) -> Option<String> {
    let want = format!("{{{name}}}");
    template.split('/').zip(path.split('/')).find(|(t, _)| *t == want).map(|(_, p)| p.to_owned())
}

fn is_json(req: &ServiceRequest) -> bool {
    req.headers()
        .get(header::CONTENT_TYPE)
        .and_then(|v| v.to_str().ok())
        .map(|v| v.split(';').next().unwrap_or("").trim().to_ascii_lowercase())
        .is_some_and(|m| m == "application/json" || (m.starts_with("application/") && m.ends_with("+json")))
}

/// Opens the audit scope of an audited request: the action and target from
/// [`OPERATIONS`], the request id, the client IP, the start time and the
/// JSON fields sent (secrets redacted). A success whose transactions did
/// not carry the entry (a request that changed nothing, or a use case
/// writing outside a transaction) is recorded right after, logged with its
/// action, so no successful write goes unrecorded.
pub async fn audit_scope(mut req: ServiceRequest, next: Next<impl MessageBody + 'static>) -> Result<ServiceResponse<BoxBody>, actix_web::Error> {
    let found = operation(req.method(), req.path());
    let services = req.app_data::<web::Data<Services>>().cloned();
    let (Some(op), Some(services)) = (found, services) else {
        return next.call(req).await.map(|r| r.map_into_boxed_body());
    };
    let target_id = op.target_param.and_then(|name| param(op.path, req.path(), name));
    let declared_len = req.headers().get(header::CONTENT_LENGTH).and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    let mut after = None;
    if is_json(&req) && declared_len.is_some_and(|n| n > 0 && n <= MAX_BODY) {
        if let Ok(body) = req.extract::<web::Bytes>().await {
            after = serde_json::from_slice::<serde_json::Value>(&body).ok().map(tollgate_domain::audit::redact);
            req.set_payload(actix_http::Payload::from(body));
        }
    }
    let pending = Pending {
        action: op.action.into(),
        target_type: op.target.into(),
        target_id,
        after,
        request_id: req.extensions().get::<RequestId>().map(|r| r.0.clone()),
        ip: client_ip(req.request()).map(|ip| ip.to_string()),
        at: Some(services.now()),
        ..Default::default()
    };
    let (res, pending) = audit::scope(pending, next.call(req)).await;
    let res = res?.map_into_boxed_body();
    if res.status().is_success() && !pending.written && pending.actor.is_some() {
        // A success whose transactions did not carry the entry: a request
        // that changed nothing (linking the product already linked, starting
        // an import already running) or a write made outside a transaction.
        tracing::info!(action = %pending.action, "an admin write succeeded without a transaction carrying its audit entry; recorded after it");
        if let Err(e) = audit::write_remaining(&services.db, &pending).await {
            tracing::error!(error = ?e, action = %pending.action, "could not record an audit entry");
        }
    }
    Ok(res)
}

/// The action names, as a string enum in the OpenAPI document.
pub struct AuditAction;

impl utoipa::PartialSchema for AuditAction {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("A stable dotted name of what was done"))
            .enum_values(Some(actions()))
            .into()
    }
}

impl utoipa::ToSchema for AuditAction {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AuditAction")
    }
}

/// The target types, as a string enum in the OpenAPI document.
pub struct AuditTargetType;

impl utoipa::PartialSchema for AuditTargetType {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("What kind of object an entry is about"))
            .enum_values(Some(target_types()))
            .into()
    }
}

impl utoipa::ToSchema for AuditTargetType {
    fn name() -> Cow<'static, str> {
        Cow::Borrowed("AuditTargetType")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_most_specific_template_wins() {
        assert_eq!(operation(&Method::POST, "/api/v1/users/bulk").unwrap().action, "members.bulk_action");
        assert_eq!(operation(&Method::PATCH, "/api/v1/users/usr_1").unwrap().action, "member.updated");
        assert_eq!(operation(&Method::DELETE, "/api/v1/connectors/stripe").unwrap().action, "stripe.disconnected");
        assert_eq!(operation(&Method::PATCH, "/api/v1/connectors/crm/keap").unwrap().action, "crm.settings_updated");
        assert_eq!(operation(&Method::PATCH, "/api/v1/connectors/stripe/settings").unwrap().action, "connector.settings_updated");
        assert!(operation(&Method::GET, "/api/v1/products").is_none());
        assert!(operation(&Method::POST, "/api/v1/markdown/preview").is_none());
    }

    #[test]
    fn the_target_id_comes_from_its_parameter() {
        let o = operation(&Method::PATCH, "/api/v1/products/prod_1/pages/page_2").unwrap();
        assert_eq!(param(o.path, "/api/v1/products/prod_1/pages/page_2", o.target_param.unwrap()).as_deref(), Some("page_2"));
    }

    #[test]
    fn every_operation_is_under_api_v1() {
        for o in OPERATIONS {
            assert!(o.path.starts_with("/api/v1/"), "{} {} is outside /api/v1/: `operation` would never find it", o.method, o.path);
        }
        assert!(operation(&Method::POST, "/webhooks/stripe/app_1").is_none());
    }

    #[test]
    fn every_operation_is_unique() {
        for (i, a) in OPERATIONS.iter().enumerate() {
            assert!(!OPERATIONS[i + 1..].iter().any(|b| a.method == b.method && a.path == b.path), "{} {} twice", a.method, a.path);
            assert!(a.action.contains('.') && a.action.bytes().all(|b| b.is_ascii_lowercase() || b == b'.' || b == b'_'), "{}", a.action);
        }
    }
}
