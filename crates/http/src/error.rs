//! One error type for the API, rendered as RFC 9457 `application/problem+json`
//! with a stable machine-readable `code`. Server faults are logged with
//! their cause and answered with a bare 500 that reveals nothing.

use actix_web::http::StatusCode;
use actix_web::http::header::{self, HeaderValue};
use actix_web::{HttpRequest, HttpResponse, ResponseError};
use serde::Serialize;
use tollgate_app::AppError;
use tollgate_domain::{FieldError, ValidationErrors};
use utoipa::ToSchema;

/// A problem detail (RFC 9457).
#[derive(Debug, Serialize, ToSchema)]
pub struct Problem {
    /// A URI naming the problem type.
    #[serde(rename = "type")]
    pub type_: String,
    pub title: String,
    pub status: u16,
    pub detail: String,
    /// Stable, machine-readable code, e.g. `validation_failed`, `not_found`.
    pub code: String,
    /// The offending fields, for validation failures.
    #[serde(skip_serializing_if = "Vec::is_empty")]
    pub errors: Vec<ProblemField>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub request_id: Option<String>,
    /// What Stripe answered, when a call to Stripe failed (`stripe_rejected`
    /// 422, `stripe_misconfigured` 502, `stripe_unavailable` 503).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub stripe: Option<StripeProblem>,
}

/// The failed call to Stripe behind a problem.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct StripeProblem {
    /// e.g. `GET`.
    pub method: Option<String>,
    /// The request's path at the Stripe API base, e.g. `/v1/subscriptions/sub_123`.
    pub path: Option<String>,
    /// The HTTP status Stripe answered with; absent when there was no answer.
    pub status: Option<u16>,
    /// Stripe's error code, e.g. `resource_missing`.
    pub code: Option<String>,
    /// Stripe's message, or what went wrong without one.
    pub message: String,
    /// Stripe's request id, to quote to Stripe support.
    pub request_id: Option<String>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ProblemField {
    /// The field, as a path into the request (`name`, `items[0].price`, or a query parameter).
    pub field: String,
    pub code: String,
    pub message: String,
}

impl From<FieldError> for ProblemField {
    fn from(f: FieldError) -> Self {
        ProblemField { field: f.field, code: f.code, message: f.message }
    }
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub code: String,
    pub detail: String,
    pub errors: Vec<ProblemField>,
    pub www_authenticate: bool,
    /// Seconds for `Retry-After` (429, 503).
    pub retry_after: Option<u64>,
    pub stripe: Option<StripeProblem>,
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{} {}: {}", self.status.as_u16(), self.code, self.detail)
    }
}

impl ApiError {
    pub fn new(status: StatusCode, code: &str, detail: impl Into<String>) -> Self {
        Self { status, code: code.into(), detail: detail.into(), errors: vec![], www_authenticate: false, retry_after: None, stripe: None }
    }
    pub fn bad_request(code: &str, detail: impl Into<String>) -> Self {
        Self::new(StatusCode::BAD_REQUEST, code, detail)
    }
    pub fn not_found(what: &str) -> Self {
        Self::new(StatusCode::NOT_FOUND, "not_found", format!("{what} not found"))
    }
    pub fn validation(errors: Vec<ProblemField>) -> Self {
        let n = errors.len();
        let fields: Vec<_> = errors.iter().map(|e| e.field.as_str()).collect();
        let detail = format!("{n} field(s) are invalid: {}", fields.join(", "));
        Self { errors, ..Self::new(StatusCode::UNPROCESSABLE_ENTITY, "validation_failed", detail) }
    }
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        Self::validation(vec![ProblemField { field: field.into(), code: code.into(), message: message.into() }])
    }
    pub fn unauthorized(code: &str, detail: impl Into<String>) -> Self {
        Self { www_authenticate: true, ..Self::new(StatusCode::UNAUTHORIZED, code, detail) }
    }
    /// 429 `too_many_attempts` with `Retry-After`.
    pub fn too_many_attempts(retry_after_secs: u64, detail: impl Into<String>) -> Self {
        Self { retry_after: Some(retry_after_secs), ..Self::new(StatusCode::TOO_MANY_REQUESTS, "too_many_attempts", detail) }
    }
    pub fn internal() -> Self {
        Self::new(StatusCode::INTERNAL_SERVER_ERROR, "internal_error", "something went wrong on our side; try again later")
    }

    fn title(&self) -> &'static str {
        self.status.canonical_reason().unwrap_or("Error")
    }

    pub fn to_problem(&self, request_id: Option<String>) -> Problem {
        Problem {
            type_: format!("https://tollgate.dev/problems/{}", self.code.replace('_', "-")),
            title: self.title().into(),
            status: self.status.as_u16(),
            detail: self.detail.clone(),
            code: self.code.clone(),
            errors: self.errors.clone(),
            request_id,
            stripe: self.stripe.clone(),
        }
    }
}

impl ResponseError for ApiError {
    fn status_code(&self) -> StatusCode {
        self.status
    }
    fn error_response(&self) -> HttpResponse {
        let mut b = HttpResponse::build(self.status);
        b.insert_header((header::CONTENT_TYPE, HeaderValue::from_static("application/problem+json")));
        if self.www_authenticate {
            b.insert_header((header::WWW_AUTHENTICATE, HeaderValue::from_static("Bearer realm=\"tollgate\"")));
        }
        if let Some(secs) = self.retry_after {
            b.insert_header((header::RETRY_AFTER, HeaderValue::from(secs)));
        }
        // The request id is added to the body by the request-id middleware.
        b.body(serde_json::to_string(&self.to_problem(None)).unwrap_or_default())
    }
}

impl From<ValidationErrors> for ApiError {
    fn from(e: ValidationErrors) -> Self {
        ApiError::validation(e.0.into_iter().map(Into::into).collect())
    }
}

impl From<AppError> for ApiError {
    fn from(e: AppError) -> Self {
        match e {
            AppError::Validation(v) => v.into(),
            AppError::NotFound(what) => ApiError::not_found(what),
            AppError::Conflict { code, message } => ApiError::new(StatusCode::CONFLICT, code, message),
            AppError::Unauthorized { code, message } => ApiError::unauthorized(code, message),
            AppError::Forbidden { code, message } => ApiError::new(StatusCode::FORBIDDEN, code, message),
            AppError::Gone { code, message } => ApiError::new(StatusCode::GONE, code, message),
            AppError::TooManyAttempts { retry_after_secs, message } => ApiError::too_many_attempts(retry_after_secs, message),
            AppError::Unavailable { code, message } => {
                tracing::warn!(code, %message, "dependency unavailable");
                ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, "a service Tollgate depends on is unavailable; try again later")
            }
            AppError::Stripe(f) => {
                use tollgate_app::error::StripeFailureKind as K;
                let (status, code) = match f.kind {
                    K::Unavailable => (StatusCode::SERVICE_UNAVAILABLE, "stripe_unavailable"),
                    K::Rejected => (StatusCode::UNPROCESSABLE_ENTITY, "stripe_rejected"),
                    K::Misconfigured => (StatusCode::BAD_GATEWAY, "stripe_misconfigured"),
                };
                tracing::warn!(code, error = %f, "a call to Stripe failed");
                let detail = match f.kind {
                    K::Unavailable => format!("{f}; try again later"),
                    K::Rejected => format!("{f}"),
                    K::Misconfigured => format!("{f}; check the Stripe connection (key, API base URL)"),
                };
                let stripe = StripeProblem {
                    method: f.method.clone(),
                    path: f.path.clone(),
                    status: f.status,
                    code: f.code.clone(),
                    message: f.message.clone(),
                    request_id: f.request_id.clone(),
                };
                let retry_after = (f.kind == K::Unavailable).then_some(30);
                ApiError { stripe: Some(stripe), retry_after, ..ApiError::new(status, code, detail) }
            }
            // Logged with the whole cause chain; the answer stays a bare 500 (no internals).
            AppError::Db(err) => {
                tracing::error!(error = %tollgate_app::error::chain(&err), "database error");
                ApiError::internal()
            }
            AppError::Internal(msg) => {
                tracing::error!(error = %msg, "internal error");
                ApiError::internal()
            }
            e @ AppError::Unexpected { .. } => {
                tracing::error!(error = %tollgate_app::error::chain(&e), "internal error");
                ApiError::internal()
            }
        }
    }
}

pub type ApiResult<T> = Result<T, ApiError>;

/// Fallback for unknown routes under /api.
pub async fn api_not_found(req: HttpRequest) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "route_not_found", format!("no route {} {}", req.method(), req.path()))
}
