//! CSV import of members: upload and preview, run as a job, progress, report.

pub mod dto;

use actix_web::http::StatusCode;
use actix_web::{HttpRequest, HttpResponse, get, post, web};
use futures_util::StreamExt;
use tollgate_app::Services;
use tollgate_app::members_import::parse::MAX_BYTES;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::ImportId;

pub use self::dto::*;
use crate::dto::ListResponse;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidQuery, path_id};
use crate::routes::limit;

/// Registers the routes of this capability (before `/users/{id}`).
pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(upload_import).service(get_import).service(run_import).service(import_rows);
}

fn too_large() -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("a members file must be at most {} MiB", MAX_BYTES / (1024 * 1024)))
}

/// Uploads a members CSV and answers its preview; nothing is imported until the import is run.
///
/// The body is the file's raw bytes (UTF-8; a leading byte order mark, CRLF line ends and quoted
/// fields are fine), at most 20 MiB and 100,000 rows. The header row must name an `email` column;
/// `name` and `products` (product ids or exact names, separated by `;` or `|`) are optional.
/// Members have no metadata field: any other column is ignored and listed in `warnings`
/// (`metadata_ignored`). Each row is checked: `missing_email`, `invalid_email`, `duplicate_row`
/// (the same email on an earlier row), `invalid_name`, `unknown_product`, `ambiguous_product`,
/// `archived_product`; rows with problems are skipped when the import runs.
#[utoipa::path(tag = "users", security(("bearer" = [])), request_body(content = String, content_type = "text/csv", description = "The CSV file"),
    responses(
        (status = 201, body = ImportPreviewResponse),
        (status = 400, body = Problem, description = "invalid_body: the upload could not be read"),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 413, body = Problem, description = "payload_too_large: over 20 MiB"),
        (status = 422, body = Problem, description = "validation_failed: `file` (empty_file, not_utf8, malformed_csv, no_rows, too_many_rows) or `columns` (missing_email_column, duplicate_column)"),
    ))]
#[post("/users/imports")]
pub async fn upload_import(s: web::Data<Services>, auth: Auth, req: HttpRequest, mut payload: web::Payload) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let declared = req.headers().get("content-length").and_then(|v| v.to_str().ok()).and_then(|v| v.parse::<usize>().ok());
    if declared.is_some_and(|n| n > MAX_BYTES) {
        return Err(too_large());
    }
    let mut body = web::BytesMut::with_capacity(declared.unwrap_or(0).min(MAX_BYTES));
    while let Some(chunk) = payload.next().await {
        let chunk = chunk.map_err(|_| ApiError::bad_request("invalid_body", "the upload could not be read"))?;
        if body.len() + chunk.len() > MAX_BYTES {
            return Err(too_large());
        }
        body.extend_from_slice(&chunk);
    }
    let preview = s.preview_member_import(auth.0.app_id(), &body).await?;
    Ok(HttpResponse::Created().json(ImportPreviewResponse::from(preview)))
}

/// An import's status, counts and progress (poll it while it runs).
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path)),
    responses((status = 200, body = ImportResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/users/imports/{id}")]
pub async fn get_import(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<ImportResponse>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "import", ImportId::parse)?;
    Ok(web::Json(s.get_member_import(auth.0.app_id(), &id).await?.into()))
}

/// Runs a previewed import in the background (a job; poll the import for progress).
///
/// Members are matched by email: a new email creates a member, an existing one has its name
/// updated when the row gives a different one; products are granted with source `import` unless
/// the member already holds them from an import. Nobody is emailed unless `invite=true`.
/// Starting a running import again changes nothing (202 with its state); a finished import is a
/// 409 `import_already_run` (upload the file again to import it again, which creates nobody twice).
/// A failed import can be started again and resumes where it stopped.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path), RunImportQuery),
    responses(
        (status = 202, body = ImportResponse),
        (status = 401, body = Problem),
        (status = 403, body = Problem),
        (status = 404, body = Problem),
        (status = 409, body = Problem, description = "import_already_run"),
        (status = 422, body = Problem),
    ))]
#[post("/users/imports/{id}/run")]
pub async fn run_import(s: web::Data<Services>, auth: Auth, id: web::Path<String>, q: ValidQuery<RunImportQuery>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Users))?;
    let id = path_id(&id, "import", ImportId::parse)?;
    let imp = s.start_member_import(auth.0.app_id(), &id, q.0.invite.unwrap_or(false)).await?;
    Ok(HttpResponse::Accepted().json(ImportResponse::from(imp)))
}

/// The import's rows in file order with their outcome and reason (the report); before the run,
/// the rows with what the preview found.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(("id" = String, Path), ImportRowsQuery),
    responses((status = 200, body = ListResponse<ImportRowResponse>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem),
        (status = 422, body = Problem, description = "validation_failed: `outcome` (invalid_outcome), `limit`, `cursor` (invalid_cursor)")))]
#[get("/users/imports/{id}/rows")]
pub async fn import_rows(s: web::Data<Services>, auth: Auth, id: web::Path<String>, q: ValidQuery<ImportRowsQuery>) -> ApiResult<web::Json<ListResponse<ImportRowResponse>>> {
    auth.0.require(Scope::read(Family::Users))?;
    let id = path_id(&id, "import", ImportId::parse)?;
    let q = q.0;
    let after = q
        .cursor
        .as_deref()
        .map(|c| c.parse::<i64>().map_err(|_| ApiError::field("cursor", "invalid_cursor", "is not a cursor returned by this list")))
        .transpose()?;
    let page = s.member_import_rows(auth.0.app_id(), &id, q.outcome.as_deref(), after, limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}
