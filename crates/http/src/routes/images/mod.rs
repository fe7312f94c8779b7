//! Public images: an admin uploads a logo, favicon or product cover; anyone
//! reads it (member pages and emails show it before anyone signs in).

use actix_web::{HttpRequest, HttpResponse, get, post, web};
use serde::Serialize;
use tollgate_app::Services;
use tollgate_app::images::MAX_IMAGE_BYTES;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::AppId;
use utoipa::ToSchema;

use crate::dto::rfc3339;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, declared_length, path_id, read_body};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(upload_image).service(public_image);
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ImageResponse {
    pub id: String,
    /// Where anyone can read it: use it as the logo, favicon or a product's image.
    pub url: String,
    /// image/png | image/jpeg | image/gif | image/webp | image/x-icon, from the bytes.
    pub content_type: String,
    pub size: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
}

/// Uploads a public image: the raw bytes are the body. PNG, JPEG, GIF, WebP
/// or ICO, recognised from the bytes (not SVG: it can carry script), up to 2 MiB.
#[utoipa::path(tag = "app", security(("bearer" = [])), request_body(content = Vec<u8>, content_type = "application/octet-stream"),
    responses((status = 201, body = ImageResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 413, body = Problem),
        (status = 422, body = Problem, description = "body: required (empty) or unsupported_image")))]
#[post("/images")]
pub async fn upload_image(s: web::Data<Services>, auth: Auth, req: HttpRequest, payload: web::Payload) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::App))?;
    let too_large = || ApiError::new(actix_web::http::StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", format!("an image must be at most {} MiB", MAX_IMAGE_BYTES / (1024 * 1024)));
    let body = read_body(declared_length(&req), payload, MAX_IMAGE_BYTES, too_large).await?;
    let app = auth.0.app_id();
    let image = s.upload_image(app, &body).await?;
    let url = s.image_url(app, &image.id);
    Ok(HttpResponse::Created().json(ImageResponse { id: image.id, url, content_type: image.content_type, size: image.size, created_at: rfc3339(image.created_at) }))
}

/// A public image, for anyone (cached for a year: an image never changes; a new upload is a new id).
#[utoipa::path(tag = "app", params(("app_id" = String, Path), ("id" = String, Path)),
    responses((status = 200, content_type = "image/*", body = Vec<u8>), (status = 404, body = Problem)))]
#[get("/public/apps/{app_id}/images/{id}")]
pub async fn public_image(s: web::Data<Services>, path: web::Path<(String, String)>) -> ApiResult<HttpResponse> {
    let app = path_id(&path.0, "app", AppId::parse)?;
    let id = &path.1;
    if !id.starts_with("img_") || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(ApiError::not_found("image"));
    }
    let (image, body) = s.public_image(&app, id).await?;
    Ok(HttpResponse::Ok()
        .insert_header(("content-type", image.content_type.as_str()))
        .insert_header(("cache-control", "public, max-age=31536000, immutable"))
        .insert_header(("x-content-type-options", "nosniff"))
        .insert_header(("content-security-policy", "default-src 'none'; sandbox"))
        .insert_header(("cross-origin-resource-policy", "cross-origin"))
        .no_chunking(body.size)
        .streaming(futures_util::StreamExt::map(body.chunks, |c| c.map(actix_web::web::Bytes::from))))
}
