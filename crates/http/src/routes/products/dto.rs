//! Wire types of products, their pages, and the content helpers.

use serde::{Deserialize, Serialize};
use tollgate_domain::product::ContentPage;
pub use tollgate_domain::product::PurchaseMethod;
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::rfc3339;
use crate::extract::double_option;

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateProductRequest {
    #[bound(length(min = 1, max = 200))]
    pub name: String,
    #[bound(length(max = 20000))]
    pub description: Option<String>,
    #[bound(length(max = 2048))]
    pub image_url: Option<String>,
    /// none (default) | sales_page_then_checkout | direct_checkout | external_url
    #[schema(value_type = Option<PurchaseMethod>)]
    pub purchase_method: Option<String>,
    #[bound(length(max = 2048))]
    pub external_url: Option<String>,
    pub show_locked_card: Option<bool>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateProductRequest {
    #[bound(length(min = 1, max = 200))]
    pub name: Option<String>,
    #[bound(length(max = 20000))]
    pub description: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub image_url: Option<Option<String>>,
    #[schema(value_type = Option<PurchaseMethod>)]
    pub purchase_method: Option<String>,
    #[serde(default, deserialize_with = "double_option")]
    #[schema(value_type = Option<String>)]
    pub external_url: Option<Option<String>>,
    pub show_locked_card: Option<bool>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ProductListQuery {
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[bound(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Include archived products (default false).
    pub include_archived: Option<bool>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageResponse {
    pub id: String,
    pub product_id: String,
    pub title: String,
    /// Markdown.
    pub body: String,
    /// The body rendered to sanitized HTML (what members see).
    pub body_html: String,
    pub position: i32,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<ContentPage> for PageResponse {
    fn from(p: ContentPage) -> Self {
        PageResponse {
            id: p.id.into_string(),
            product_id: p.product_id.into_string(),
            title: p.title,
            body_html: tollgate_app::markdown::to_html(&p.body),
            body: p.body,
            position: p.position,
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PageListResponse {
    /// The product's pages in reading order.
    pub data: Vec<PageResponse>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreatePageRequest {
    #[bound(length(min = 1, max = 200))]
    pub title: String,
    #[bound(length(max = 200000))]
    pub body: Option<String>,
    /// Reading order; default: after the last page.
    #[bound(range(min = 0, max = 100000))]
    pub position: Option<i64>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdatePageRequest {
    #[bound(length(min = 1, max = 200))]
    pub title: Option<String>,
    #[bound(length(max = 200000))]
    pub body: Option<String>,
    #[bound(range(min = 0, max = 100000))]
    pub position: Option<i64>,
}

// ---------- content helpers ----------

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct MarkdownPreviewRequest {
    /// Markdown, as in a lesson body or a sales-page text block.
    #[bound(length(max = 200000))]
    pub markdown: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MarkdownPreviewResponse {
    /// Sanitized HTML, exactly what members will see.
    pub html: String,
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
