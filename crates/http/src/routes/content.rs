//! Content helpers for the admin editors: the Markdown preview uses the same
//! renderer as the member area, the public sales page and emails.

use actix_web::{get, post, web};
use serde::{Deserialize, Serialize};
use tollgate_domain::auth::{Family, Scope};
use utoipa::ToSchema;
use validator::Validate;

use crate::error::{ApiResult, Problem};
use crate::extract::{Auth, ValidJson};

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkdownPreviewRequest {
    /// Markdown, as in a lesson body or a sales-page text block.
    #[validate(length(max = 200000))]
    #[schema(max_length = 200000)]
    pub markdown: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkdownPreviewResponse {
    /// Sanitized HTML, exactly what members will see.
    pub html: String,
}

/// Renders Markdown the way members will see it.
#[utoipa::path(tag = "products", security(("bearer" = [])), request_body = MarkdownPreviewRequest,
    responses((status = 200, body = MarkdownPreviewResponse), (status = 401, body = Problem), (status = 403, body = Problem),
        (status = 422, body = Problem, description = "validation_failed: `markdown` longer than 200,000 characters")))]
#[post("/markdown/preview")]
pub async fn markdown_preview(auth: Auth, body: ValidJson<MarkdownPreviewRequest>) -> ApiResult<web::Json<MarkdownPreviewResponse>> {
    auth.0.require(Scope::read(Family::Products))?;
    Ok(web::Json(MarkdownPreviewResponse { html: tollgate_app::markdown::to_html(&body.0.markdown) }))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SaleProblemResponse {
    pub product_id: String,
    /// no_checkout | no_sales_page | no_external_url
    pub code: String,
    /// What is missing and what to do.
    pub message: String,
    /// True when members cannot buy at all (they see "not available yet"); false for a
    /// missing sales page, where buyers go straight to the sale.
    pub blocks_sale: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SaleProblemList {
    /// Only the products with a problem; archived products and method `none` are never listed.
    pub data: Vec<SaleProblemResponse>,
}

/// Products whose purchase method cannot sell them yet (no Checkout, no custom order page URL, no sales page).
#[utoipa::path(tag = "products", security(("bearer" = [])), responses((status = 200, body = SaleProblemList), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[get("/products/sale-problems")]
pub async fn sale_problems(s: web::Data<tollgate_app::Services>, auth: Auth) -> ApiResult<web::Json<SaleProblemList>> {
    auth.0.require(Scope::read(Family::Products))?;
    let list = s.sale_problems(auth.0.app_id()).await?;
    Ok(web::Json(SaleProblemList {
        data: list
            .into_iter()
            .map(|(id, why)| SaleProblemResponse {
                product_id: id.into_string(),
                code: serde_json::to_value(why).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
                message: why.message().to_owned(),
                blocks_sale: why.blocks_sale(),
            })
            .collect(),
    }))
}
