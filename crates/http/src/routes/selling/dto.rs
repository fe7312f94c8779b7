//! Wire types of selling: checkout, the billing portal, sales pages, hosted media.

use serde::{Deserialize, Serialize};
use tollgate_domain::selling::Block;
use tollgate_http_macros::bounds;
use tollgate_app::member_area::MediaView;
use tollgate_app::selling::{CheckoutView, SalesPageView};
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rfc3339;

/// What a hosted media file is: `video` and `audio` play in the member area, `file` downloads.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MediaKind {
    Video,
    Audio,
    File,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CheckoutResponse {
    pub enabled: bool,
    pub price_id: Option<String>,
    /// `payment` (one-off price) or `subscription` (recurring price)
    pub mode: Option<String>,
    pub trial_period_days: Option<i64>,
    /// The Stripe payment link shown as the product's purchase target.
    pub payment_link_url: Option<String>,
}

impl From<CheckoutView> for CheckoutResponse {
    fn from(c: CheckoutView) -> Self {
        CheckoutResponse { enabled: c.enabled, price_id: c.price_id, mode: c.mode, trial_period_days: c.trial_period_days, payment_link_url: c.payment_link_url }
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CheckoutRequest {
    pub enabled: bool,
    /// One of the linked Stripe product's prices (required to enable).
    #[bound(length(min = 1, max = 255))]
    pub price_id: Option<String>,
    /// A free trial for recurring prices.
    #[bound(range(min = 1, max = 730))]
    pub trial_period_days: Option<u32>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PortalResponse {
    pub enabled: bool,
    pub privacy_policy_url: Option<String>,
    pub terms_of_service_url: Option<String>,
    pub allow_cancel: bool,
    pub configuration_id: Option<String>,
}

impl From<tollgate_app::selling::PortalSettings> for PortalResponse {
    fn from(p: tollgate_app::selling::PortalSettings) -> Self {
        PortalResponse { enabled: p.enabled, privacy_policy_url: p.privacy_policy_url, terms_of_service_url: p.terms_of_service_url, allow_cancel: p.allow_cancel, configuration_id: p.configuration_id }
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PortalRequest {
    pub enabled: bool,
    /// Required to enable (Stripe requires it).
    #[bound(length(max = 2048))]
    pub privacy_policy_url: Option<String>,
    /// Required to enable (Stripe requires it).
    #[bound(length(max = 2048))]
    pub terms_of_service_url: Option<String>,
    /// Let members cancel in the portal (at period end).
    #[serde(default)]
    pub allow_cancel: bool,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CancelSubscriptionRequest {
    /// true: at period end (access until then); false: now.
    pub at_period_end: bool,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CanceledSubscription {
    pub id: String,
    pub status: String,
    pub cancel_at_period_end: bool,
    #[schema(format = DateTime)]
    pub current_period_end: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SalesPageResponse {
    pub product_id: String,
    pub title: String,
    /// Blocks: {type: heading|text, text} | {type: image, url, alt} | {type: video, url} | {type: bullets, items} | {type: cta, label}
    #[schema(value_type = Vec<Object>)]
    pub blocks: Vec<Block>,
    pub cta_label: String,
    pub template: Option<String>,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<SalesPageView> for SalesPageResponse {
    fn from(p: SalesPageView) -> Self {
        SalesPageResponse { product_id: p.product_id.into_string(), title: p.title, blocks: p.blocks, cta_label: p.cta_label, template: p.template, updated_at: rfc3339(p.updated_at) }
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesPageRequest {
    #[bound(length(min = 1, max = 200))]
    pub title: String,
    #[schema(value_type = Vec<Object>)]
    pub blocks: Vec<Block>,
    #[bound(length(min = 1, max = 80))]
    pub cta_label: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct SalesPageFromRequest {
    /// classic | minimal | long_form
    pub template: Option<String>,
    /// Copy the sales page of this product instead.
    pub from_product_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PublicSalesPage {
    /// The site's name, logo and accent colour: the page carries the site, not Tollgate.
    pub site_name: String,
    pub logo_url: Option<String>,
    pub accent_color: Option<String>,
    pub product_id: String,
    pub product_name: String,
    pub description: String,
    pub image_url: Option<String>,
    pub title: String,
    /// The page's blocks; a `text` block also carries `html`, its Markdown rendered to sanitized HTML.
    #[schema(value_type = Vec<Object>)]
    pub blocks: Vec<serde_json::Value>,
    pub cta_label: String,
    /// Where the call to action leads: the Checkout link or the custom order page (null: not for sale).
    pub cta_url: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MediaResponse {
    pub id: String,
    pub product_id: String,
    #[schema(value_type = MediaKind)]
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// The lesson it plays in; null: the product's general media.
    pub page_id: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<MediaView> for MediaResponse {
    fn from(m: MediaView) -> Self {
        MediaResponse {
            id: m.id,
            product_id: m.product_id.into_string(),
            kind: m.kind,
            filename: m.filename,
            content_type: m.content_type,
            size: m.size,
            page_id: m.page_id.map(|p| p.into_string()),
            created_at: rfc3339(m.created_at),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateMediaRequest {
    pub filename: Option<String>,
    /// A lesson of the product; null moves the file back to the product's general media.
    #[serde(default, deserialize_with = "crate::extract::double_option")]
    #[schema(value_type = Option<String>)]
    pub page_id: Option<Option<String>>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MediaList {
    pub data: Vec<MediaResponse>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, utoipa::IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct UploadQuery {
    #[param(value_type = MediaKind)]
    pub kind: String,
    #[bound(length(min = 1, max = 255))]
    pub filename: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn media_kinds_are_the_stored_strings() {
        assert_eq!(serde_json::json!([MediaKind::Video, MediaKind::Audio, MediaKind::File]), serde_json::json!(["video", "audio", "file"]));
    }
}
