//! "Forgot password?" for admins: ask for an emailed link, then set a new password with it.

use actix_web::{HttpResponse, post, web};
use serde::Deserialize;
use tollgate_app::Services;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::Accepted;
use crate::error::{ApiResult, Problem};
use crate::extract::{ClientIp, ValidJson};

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetRequest {
    #[validate(length(min = 3, max = 254))]
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PasswordResetConfirm {
    /// The `token` of the emailed link.
    #[validate(length(min = 1, max = 200))]
    #[schema(min_length = 1, max_length = 200)]
    pub token: String,
    #[validate(length(min = 1, max = 256))]
    #[schema(min_length = 1, max_length = 256)]
    pub password: String,
}

/// Emails a single-use link (valid for one hour) to set a new password, when the email is an admin's.
/// The answer is the same either way; an account gets at most a few links an hour (later requests send nothing).
#[utoipa::path(tag = "auth", request_body = PasswordResetRequest, responses((status = 202, body = Accepted), (status = 422, body = Problem, description = "validation_failed: `email` is not an email address"),
    (status = 429, body = Problem, description = "too_many_attempts: too many requests from this address; see Retry-After", headers(("Retry-After" = u64, description = "Seconds to wait")))))]
#[post("/auth/password-reset")]
pub async fn request_password_reset(s: web::Data<Services>, client: ClientIp, body: ValidJson<PasswordResetRequest>) -> ApiResult<HttpResponse> {
    s.request_admin_password_reset(&body.0.email, client.0).await?;
    Ok(HttpResponse::Accepted().json(Accepted { status: "accepted".into() }))
}

/// Sets a new password with the emailed token. The link works once; every session of the account ends (log in again).
#[utoipa::path(tag = "auth", request_body = PasswordResetConfirm, responses((status = 204),
    (status = 422, body = Problem, description = "validation_failed: `token` invalid_token (unknown or used) or token_expired; `password` too_short or too_weak (with advice)")))]
#[post("/auth/password-reset/confirm")]
pub async fn confirm_password_reset(s: web::Data<Services>, body: ValidJson<PasswordResetConfirm>) -> ApiResult<HttpResponse> {
    s.reset_admin_password(&body.0.token, &body.0.password).await?;
    Ok(HttpResponse::NoContent().finish())
}
