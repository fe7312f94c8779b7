//! Wire types of the CRM connectors.

use serde::{Deserialize, Serialize};
use tollgate_app::crm::{CrmStatus, TagMapping};
use tollgate_crm::CrmKind;
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::rfc3339;

/// Which CRM.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum CrmKindDto {
    #[serde(rename = "activecampaign")]
    ActiveCampaign,
    Keap,
}

impl From<CrmKind> for CrmKindDto {
    fn from(k: CrmKind) -> Self {
        match k {
            CrmKind::ActiveCampaign => CrmKindDto::ActiveCampaign,
            CrmKind::Keap => CrmKindDto::Keap,
        }
    }
}

/// What the admin chose for this CRM.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CrmOptionsResponse {
    /// A product's tag name; `{product}` stands for the product's name.
    pub tag_pattern: String,
    /// A contact who is not a member and gets a product's tag becomes a member.
    pub create_members: bool,
    /// Removing a tag also removes access from other sources (Stripe, manual…); by default only the tag's own grant goes.
    pub removal_revokes_all: bool,
    /// Each member carries their lifecycle stage's tag (the old stage's tag is removed when it changes).
    pub stage_tags: bool,
    /// A stage's tag name; `{stage}` stands for the stage's name.
    pub stage_tag_pattern: String,
}

/// A CRM connector card.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct CrmConnectorResponse {
    pub kind: CrmKindDto,
    /// The vendor's name.
    pub label: String,
    pub connected: bool,
    /// The CRM account last connected (kept after a disconnect: reconnecting it resumes the mapping).
    pub account_name: Option<String>,
    pub account_id: Option<String>,
    /// `api_key` or `oauth`
    pub auth: Option<String>,
    /// ActiveCampaign: the account's API URL.
    pub api_url: Option<String>,
    pub options: CrmOptionsResponse,
    /// Keap: "Connect with Keap" (OAuth) is configured on this server.
    pub oauth_available: bool,
    #[schema(format = DateTime)]
    pub connected_at: Option<String>,
    /// The last finished reconcile.
    #[schema(format = DateTime)]
    pub last_sync_at: Option<String>,
    /// The last failure talking to the CRM (cleared by a successful reconcile).
    pub last_error: Option<String>,
    #[schema(format = DateTime)]
    pub last_error_at: Option<String>,
    /// The CRM's webhooks are registered; without them only the periodic reconcile converges.
    pub webhooks_registered: bool,
    /// A sync is queued or running (right after connecting, "Sync now", the periodic reconcile).
    pub syncing: bool,
    pub mapped_tags: i64,
    pub linked_contacts: i64,
    /// Open access grants this CRM's tags gave.
    pub open_grants: i64,
}

impl From<CrmStatus> for CrmConnectorResponse {
    fn from(s: CrmStatus) -> Self {
        Self {
            kind: s.kind.into(),
            label: s.kind.label().into(),
            connected: s.connected,
            account_name: s.account_name,
            account_id: s.account_id,
            auth: s.auth,
            api_url: s.api_url,
            options: CrmOptionsResponse {
                tag_pattern: s.options.tag_pattern,
                create_members: s.options.create_members,
                removal_revokes_all: s.options.removal_revokes_all,
                stage_tags: s.options.stage_tags,
                stage_tag_pattern: s.options.stage_tag_pattern,
            },
            oauth_available: s.oauth_available,
            connected_at: s.connected_at.map(rfc3339),
            last_sync_at: s.last_sync_at.map(rfc3339),
            last_error: s.last_error,
            last_error_at: s.last_error_at.map(rfc3339),
            webhooks_registered: s.webhooks_registered,
            syncing: s.syncing,
            mapped_tags: s.mapped_tags,
            linked_contacts: s.linked_contacts,
            open_grants: s.open_grants,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrmConnectorsResponse {
    pub data: Vec<CrmConnectorResponse>,
}

/// Connects a CRM with a key.
#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct ConnectCrmRequest {
    /// ActiveCampaign only: the account's API URL (Settings → Developer), e.g. `https://youraccount.api-us1.com`.
    #[bound(length(max = 2000))]
    pub api_url: Option<String>,
    /// ActiveCampaign API key, or a Keap personal access token / service account key. Stored encrypted.
    #[bound(length(min = 1, max = 500))]
    pub api_key: String,
    /// The key opens another account than the one mapped before: forget the old mapping and go ahead.
    #[serde(default)]
    pub confirm_new_account: bool,
}

/// Options to change; a missing field keeps its value.
#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CrmOptionsRequest {
    /// Must contain `{product}`; at most 100 characters.
    #[bound(length(min = 1, max = 100))]
    pub tag_pattern: Option<String>,
    pub create_members: Option<bool>,
    pub removal_revokes_all: Option<bool>,
    pub stage_tags: Option<bool>,
    /// Must contain `{stage}`; at most 100 characters.
    #[bound(length(min = 1, max = 100))]
    pub stage_tag_pattern: Option<String>,
}

/// A product and its tag in the CRM.
#[derive(Debug, Serialize, ToSchema)]
pub struct CrmTagMappingResponse {
    pub product_id: String,
    pub product_name: String,
    pub archived: bool,
    /// `None` until the next sync makes the tag.
    pub tag_id: Option<String>,
    pub tag_name: Option<String>,
    /// An admin picked this tag (else Tollgate named it from the pattern).
    pub picked: bool,
}

impl From<TagMapping> for CrmTagMappingResponse {
    fn from(m: TagMapping) -> Self {
        Self {
            product_id: m.product_id.to_string(),
            product_name: m.product_name,
            archived: m.archived,
            picked: m.tag.as_ref().is_some_and(|t| t.picked),
            tag_id: m.tag.as_ref().map(|t| t.tag_id.clone()),
            tag_name: m.tag.map(|t| t.tag_name),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrmTagsResponse {
    pub data: Vec<CrmTagMappingResponse>,
}

/// Picks a product's tag: an existing tag by id, or by name (created when missing). Give exactly one.
#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PutCrmTagRequest {
    #[bound(length(min = 1, max = 64))]
    pub tag_id: Option<String>,
    #[bound(length(min = 1, max = 250))]
    pub tag_name: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CrmSyncResponse {
    /// The queued reconcile (`GET /api/v1/jobs/{id}`).
    pub job_id: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct KeapOAuthStartQuery {
    /// Connect even if Keap's account differs from the one mapped before (the old mapping is forgotten).
    #[serde(default)]
    pub confirm_new_account: bool,
}
