//! Activity feed, API keys, jobs, the email outbox, health.

pub mod dto;

use actix_web::{HttpResponse, delete, get, post, web};
use tollgate_app::Services;
use tollgate_domain::activity::{ActivityFilter, ActivityKind};
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{ApiKeyId, EmailId, JobId, ProductId, UserId};
use tollgate_domain::jobs::JobStatus;
use tollgate_domain::page::TimeCursor;

pub use self::dto::*;
use crate::dto::{ActivityResponse, ListQuery, ListResponse};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};
use crate::routes::{cursor, limit, parse_time};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_activities)
        .service(list_api_keys)
        .service(create_api_key)
        .service(revoke_api_key)
        .service(list_jobs)
        .service(get_job)
        .service(retry_job)
        .service(list_emails)
        .service(get_email);
}

/// The activity feed, newest first, filtered by kind, member, product and time.
#[utoipa::path(tag = "activities", security(("bearer" = [])), params(ActivityQuery), responses((status = 200, body = ListResponse<ActivityResponse>), (status = 422, body = Problem)))]
#[get("/activities")]
pub async fn list_activities(s: web::Data<Services>, auth: Auth, q: ValidQuery<ActivityQuery>) -> ApiResult<web::Json<ListResponse<ActivityResponse>>> {
    auth.0.require(Scope::read(Family::Activities))?;
    let q = q.0;
    let filter = activity_filter(q.kind.as_deref(), q.user_id.as_deref(), q.product_id.as_deref(), q.since.as_deref(), q.until.as_deref())?;
    let after = q.cursor.as_deref().map(TimeCursor::parse).transpose().map_err(|p| ApiError::field("cursor", p.code, p.message))?;
    let page = s.activity_feed(auth.0.app_id(), &filter, after.as_ref(), limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

/// The feed's filters from query parameters (the list and the CSV export).
pub(crate) fn activity_filter(kind: Option<&str>, user_id: Option<&str>, product_id: Option<&str>, since: Option<&str>, until: Option<&str>) -> ApiResult<ActivityFilter> {
    let mut kinds = vec![];
    for k in kind.unwrap_or("").split(',').map(str::trim).filter(|k| !k.is_empty()) {
        kinds.push(k.parse::<ActivityKind>().map_err(|p| ApiError::field("kind", p.code, p.message))?);
    }
    let user_id = user_id.map(UserId::parse).transpose().map_err(|p| ApiError::field("user_id", p.code, p.message))?;
    let product_id = product_id.map(ProductId::parse).transpose().map_err(|p| ApiError::field("product_id", p.code, p.message))?;
    let since = since.map(|v| parse_time("since", v)).transpose()?;
    let until = until.map(|v| parse_time("until", v)).transpose()?;
    if let (Some(a), Some(b)) = (since, until) {
        if a >= b {
            return Err(ApiError::field("until", "before_since", "must be after since"));
        }
    }
    Ok(ActivityFilter {
        kinds,
        user_id,
        product_id,
        since_ms: since.map(tollgate_domain::clock::to_millis),
        until_ms: until.map(tollgate_domain::clock::to_millis),
    })
}

// ---------- api keys ----------

#[utoipa::path(tag = "api-keys", security(("bearer" = [])), params(ListQuery), responses((status = 200, body = ListResponse<ApiKeyResponse>)))]
#[get("/api-keys")]
pub async fn list_api_keys(s: web::Data<Services>, auth: Auth, q: ValidQuery<ListQuery>) -> ApiResult<web::Json<ListResponse<ApiKeyResponse>>> {
    auth.0.require(Scope::read(Family::ApiKeys))?;
    let after = cursor(q.0.cursor.as_deref())?;
    let page = s.list_api_keys(auth.0.app_id(), after.as_deref(), limit(q.0.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

/// Creates an API key for integrators. The secret is in this answer only.
#[utoipa::path(tag = "api-keys", security(("bearer" = [])), request_body = CreateApiKeyRequest,
    responses((status = 201, body = CreatedApiKeyResponse), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[post("/api-keys")]
pub async fn create_api_key(s: web::Data<Services>, auth: Auth, body: ValidJson<CreateApiKeyRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::ApiKeys))?;
    let (key, secret) = s.create_api_key(&auth.0, &body.0.name, &body.0.scopes).await?;
    Ok(HttpResponse::Created().json(CreatedApiKeyResponse { key: key.into(), secret }))
}

/// Revokes an API key at once.
#[utoipa::path(tag = "api-keys", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ApiKeyResponse), (status = 404, body = Problem), (status = 409, body = Problem)))]
#[delete("/api-keys/{id}")]
pub async fn revoke_api_key(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<ApiKeyResponse>> {
    auth.0.require(Scope::write(Family::ApiKeys))?;
    let id = path_id(&id, "api key", ApiKeyId::parse)?;
    Ok(web::Json(s.revoke_api_key(auth.0.app_id(), &id).await?.into()))
}

// ---------- jobs ----------

/// Background jobs of the app (email delivery, imports, webhook processing), newest first.
#[utoipa::path(tag = "jobs", security(("bearer" = [])), params(JobListQuery), responses((status = 200, body = ListResponse<JobResponse>), (status = 422, body = Problem)))]
#[get("/jobs")]
pub async fn list_jobs(s: web::Data<Services>, auth: Auth, q: ValidQuery<JobListQuery>) -> ApiResult<web::Json<ListResponse<JobResponse>>> {
    auth.0.require(Scope::read(Family::Jobs))?;
    let q = q.0;
    let status = q
        .status
        .as_deref()
        .map(|v| JobStatus::parse(v).ok_or_else(|| ApiError::field("status", "invalid_choice", "must be one of queued, running, succeeded, dead")))
        .transpose()?;
    let after = cursor(q.cursor.as_deref())?.map(JobId::from_trusted);
    let page = s.list_jobs(auth.0.app_id(), status, after.as_ref(), limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

#[utoipa::path(tag = "jobs", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = JobResponse), (status = 404, body = Problem)))]
#[get("/jobs/{id}")]
pub async fn get_job(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<JobResponse>> {
    auth.0.require(Scope::read(Family::Jobs))?;
    let id = path_id(&id, "job", JobId::parse)?;
    Ok(web::Json(s.get_job(auth.0.app_id(), &id).await?.into()))
}

/// Puts a dead job back in the queue.
#[utoipa::path(tag = "jobs", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = JobResponse), (status = 404, body = Problem), (status = 409, body = Problem, description = "job_not_dead")))]
#[post("/jobs/{id}/retry")]
pub async fn retry_job(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<JobResponse>> {
    auth.0.require(Scope::write(Family::Jobs))?;
    let id = path_id(&id, "job", JobId::parse)?;
    Ok(web::Json(s.retry_job(auth.0.app_id(), &id).await?.into()))
}

// ---------- emails ----------

/// Login links in emails are credentials: only principals that may write
/// emails (owners, admins, keys with emails:write) see them.
fn redact_links(mut e: EmailResponse, principal: &tollgate_app::auth::Principal) -> EmailResponse {
    if principal.require(Scope::write(Family::Emails)).is_ok() {
        return e;
    }
    let redact = |s: &str| {
        let mut out = String::with_capacity(s.len());
        let mut rest = s;
        while let Some(i) = rest.find("token=") {
            out.push_str(&rest[..i + 6]);
            out.push_str("[redacted]");
            let after = &rest[i + 6..];
            let end = after.find(|c: char| c.is_whitespace() || c == '"' || c == '<' || c == '&').unwrap_or(after.len());
            rest = &after[end..];
        }
        out.push_str(rest);
        out
    };
    e.text_body = redact(&e.text_body);
    e.html_body = redact(&e.html_body);
    e
}

/// The email outbox, newest first. Without SMTP configured this is where messages (magic links, invites) can be read.
#[utoipa::path(tag = "emails", security(("bearer" = [])), params(EmailListQuery), responses((status = 200, body = ListResponse<EmailResponse>)))]
#[get("/emails")]
pub async fn list_emails(s: web::Data<Services>, auth: Auth, q: ValidQuery<EmailListQuery>) -> ApiResult<web::Json<ListResponse<EmailResponse>>> {
    auth.0.require(Scope::read(Family::Emails))?;
    let q = q.0;
    let to = q.to.map(|t| t.trim().to_lowercase());
    let after = cursor(q.cursor.as_deref())?.map(EmailId::from_trusted);
    let page = s.list_emails(auth.0.app_id(), to.as_deref(), after.as_ref(), limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, |e| redact_links(e.into(), &auth.0))))
}

#[utoipa::path(tag = "emails", security(("bearer" = [])), params(("id" = String, Path)), responses((status = 200, body = EmailResponse), (status = 404, body = Problem)))]
#[get("/emails/{id}")]
pub async fn get_email(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<EmailResponse>> {
    auth.0.require(Scope::read(Family::Emails))?;
    let id = path_id(&id, "email", EmailId::parse)?;
    Ok(web::Json(redact_links(s.get_email(auth.0.app_id(), &id).await?.into(), &auth.0)))
}

// ---------- health ----------

/// The process is up.
#[utoipa::path(tag = "health", responses((status = 200, body = Health)))]
#[get("/healthz")]
pub async fn healthz() -> web::Json<Health> {
    web::Json(Health { status: "ok".into() })
}

/// The database answers.
#[utoipa::path(tag = "health", responses((status = 200, body = Health), (status = 503, body = Problem)))]
#[get("/readyz")]
pub async fn readyz(s: web::Data<Services>) -> ApiResult<web::Json<Health>> {
    match tokio::time::timeout(std::time::Duration::from_secs(3), s.db.ping()).await {
        Ok(Ok(())) => Ok(web::Json(Health { status: "ok".into() })),
        other => {
            tracing::warn!(result = ?other.map(|r| r.map_err(|e| e.to_string())), "readiness check failed");
            Err(ApiError::new(actix_web::http::StatusCode::SERVICE_UNAVAILABLE, "database_unavailable", "the database does not answer"))
        }
    }
}
