//! Wire types of the activity feed, API keys, jobs, the email outbox, health.

use serde::{Deserialize, Serialize};
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use tollgate_app::usecases::keys::ApiKeyView;
use tollgate_app::usecases::operations::{EmailView, JobView};

use crate::dto::rfc3339;

#[derive(Debug, Serialize, ToSchema)]
pub struct ApiKeyResponse {
    pub id: String,
    pub name: String,
    /// The last four characters of the secret, to tell keys apart.
    pub last4: String,
    pub scopes: Vec<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub last_used_at: Option<String>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
}

impl From<ApiKeyView> for ApiKeyResponse {
    fn from(k: ApiKeyView) -> Self {
        ApiKeyResponse {
            id: k.id.into_string(),
            name: k.name,
            last4: k.last4,
            scopes: k.scopes.iter().map(|s| s.to_string()).collect(),
            created_at: rfc3339(k.created_at),
            last_used_at: k.last_used_at.map(rfc3339),
            revoked_at: k.revoked_at.map(rfc3339),
        }
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateApiKeyRequest {
    #[bound(length(min = 1, max = 100))]
    pub name: String,
    /// e.g. ["products:read", "users:write"]
    #[bound(items(min = 1, max = 32))]
    pub scopes: Vec<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedApiKeyResponse {
    pub key: ApiKeyResponse,
    /// The full key. Shown this once; only its hash is stored.
    pub secret: String,
}

// ---------- jobs, emails ----------

/// A job's kind, one of the kinds the worker runs, as a string enum in the OpenAPI document.
pub struct JobKindSchema;

impl utoipa::PartialSchema for JobKindSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("What the job does (the name it is stored under)"))
            .enum_values(Some(tollgate_app::registry::kinds()))
            .into()
    }
}

impl ToSchema for JobKindSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("JobKind")
    }
}

/// A job's state, as a string enum in the OpenAPI document.
pub struct JobStatusSchema;

impl utoipa::PartialSchema for JobStatusSchema {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::schema::ObjectBuilder::new()
            .schema_type(utoipa::openapi::schema::Type::String)
            .description(Some("queued: waiting for its time or a worker; running; succeeded; dead: out of tries, or failed in a way retrying cannot fix"))
            .enum_values(Some(tollgate_domain::jobs::JobStatus::ALL.map(|s| s.as_str())))
            .into()
    }
}

impl ToSchema for JobStatusSchema {
    fn name() -> std::borrow::Cow<'static, str> {
        std::borrow::Cow::Borrowed("JobStatus")
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct JobResponse {
    pub id: String,
    #[schema(value_type = JobKindSchema)]
    pub kind: String,
    #[schema(value_type = JobStatusSchema)]
    pub status: String,
    pub attempts: i32,
    pub max_attempts: i32,
    #[schema(format = DateTime)]
    pub run_at: String,
    pub last_error: Option<String>,
    pub progress_done: Option<i64>,
    pub progress_total: Option<i64>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
}

impl From<JobView> for JobResponse {
    fn from(j: JobView) -> Self {
        JobResponse {
            id: j.id.into_string(),
            kind: j.kind,
            status: j.status.as_str().into(),
            attempts: j.attempts,
            max_attempts: j.max_attempts,
            run_at: rfc3339(j.run_at),
            last_error: j.last_error,
            progress_done: j.progress_done,
            progress_total: j.progress_total,
            created_at: rfc3339(j.created_at),
            finished_at: j.finished_at.map(rfc3339),
        }
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct JobListQuery {
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[bound(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    #[param(value_type = Option<JobStatusSchema>)]
    pub status: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct EmailResponse {
    pub id: String,
    /// magic_link | member_invite | access_granted | admin_invite | endpoint_disabled | …
    pub template: String,
    pub to: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// queued | sent | logged (no SMTP configured) | failed (being retried)
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub sent_at: Option<String>,
}

impl From<EmailView> for EmailResponse {
    fn from(e: EmailView) -> Self {
        EmailResponse {
            id: e.id.into_string(),
            template: e.template,
            to: e.to,
            subject: e.subject,
            text_body: e.text_body,
            html_body: e.html_body,
            status: e.status,
            attempts: e.attempts,
            last_error: e.last_error,
            created_at: rfc3339(e.created_at),
            sent_at: e.sent_at.map(rfc3339),
        }
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct EmailListQuery {
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[bound(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Only messages to this address.
    #[bound(length(max = 254))]
    pub to: Option<String>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityQuery {
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[bound(length(min = 1, max = 100))]
    #[param(pattern = r"^[+-]?[0-9]{1,18}\.[A-Za-z0-9_]{1,64}$")]
    pub cursor: Option<String>,
    /// Comma-separated kinds, e.g. `user.login,product.access_granted`.
    #[bound(length(max = 1000))]
    pub kind: Option<String>,
    pub user_id: Option<String>,
    pub product_id: Option<String>,
    /// Inclusive lower bound (RFC 3339).
    pub since: Option<String>,
    /// Exclusive upper bound (RFC 3339).
    pub until: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
}
