//! Wire types of members and their access grants.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tollgate_domain::access::AccessGrant;
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::rfc3339;

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[bound(length(min = 3, max = 254))]
    #[validate(email)]
    pub email: String,
    #[bound(length(max = 200))]
    pub name: Option<String>,
    /// Optional; members can also log in with a magic link.
    #[bound(length(min = 10, max = 256))]
    pub password: Option<String>,
    /// Email the member an invitation with a login link (default false).
    pub send_invite: Option<bool>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[bound(length(min = 3, max = 254))]
    #[validate(email)]
    pub email: Option<String>,
    #[bound(length(max = 200))]
    pub name: Option<String>,
    #[bound(length(min = 10, max = 256))]
    pub password: Option<String>,
}

/// A query struct with the members list's filter parameters (`q` … `created_before`)
/// between its own leading and trailing fields, and its `filter()`. The members
/// list and its CSV export take the same filters; this keeps them one list.
macro_rules! member_filter_query {
    ($(#[$attr:meta])* pub struct $name:ident { $($before:tt)* } { $($after:tt)* }) => {
        $(#[$attr])*
        #[tollgate_http_macros::bounds]
        #[derive(Debug, Deserialize, Validate, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($before)*
            /// Matches the start of the email or any part of the name, case-insensitively.
            #[bound(length(max = 200))]
            pub q: Option<String>,
            /// Members in this lifecycle stage (a stage name).
            #[bound(length(min = 1, max = 40))]
            pub stage: Option<String>,
            /// Members whose renewal date falls within this many days from now (1 to 366).
            #[bound(range(min = 1, max = 366))]
            pub renews_within_days: Option<i64>,
            /// Members with access to this product now (a product id).
            #[bound(length(min = 1, max = 64))]
            pub has_product: Option<String>,
            /// Members without access to this product now.
            #[bound(length(min = 1, max = 64))]
            pub lacks_product: Option<String>,
            /// Members holding an open grant from this source (manual, stripe_subscription, stripe_purchase, import, api, automation, activecampaign, keap…).
            #[bound(length(min = 1, max = 40))]
            pub source: Option<String>,
            /// MRR at least this many minor units.
            #[bound(range(min = 0))]
            pub mrr_min: Option<i64>,
            /// MRR at most this many minor units.
            #[bound(range(min = 0))]
            pub mrr_max: Option<i64>,
            /// Last login on or after this UTC day (`YYYY-MM-DD`).
            #[bound(length(max = 10))]
            pub last_login_after: Option<String>,
            /// Last login before this UTC day (`YYYY-MM-DD`), or never.
            #[bound(length(max = 10))]
            pub last_login_before: Option<String>,
            /// `active` or `inactive` (past the app's inactivity threshold).
            #[bound(length(max = 10))]
            pub status: Option<String>,
            /// Created on or after this UTC day (`YYYY-MM-DD`).
            #[bound(length(max = 10))]
            pub created_after: Option<String>,
            /// Created before this UTC day (`YYYY-MM-DD`).
            #[bound(length(max = 10))]
            pub created_before: Option<String>,
            $($after)*
        }

        impl $name {
            /// The filters of this query.
            pub fn filter(&self) -> tollgate_domain::members::RawMemberFilter {
                tollgate_domain::members::RawMemberFilter {
                    q: self.q.clone(),
                    stage: self.stage.clone(),
                    renews_within_days: self.renews_within_days,
                    has_product: self.has_product.clone(),
                    lacks_product: self.lacks_product.clone(),
                    source: self.source.clone(),
                    mrr_min: self.mrr_min,
                    mrr_max: self.mrr_max,
                    last_login_after: self.last_login_after.clone(),
                    last_login_before: self.last_login_before.clone(),
                    status: self.status.clone(),
                    created_after: self.created_after.clone(),
                    created_before: self.created_before.clone(),
                }
            }
        }
    };
}

member_filter_query! {
    pub struct UserListQuery {
        #[bound(range(min = 1, max = 100))]
        pub limit: Option<i64>,
        #[bound(length(min = 1, max = 100))]
        pub cursor: Option<String>,
    } {
        /// Also count every member matching the filters (`total` in the answer).
        pub include_total: Option<bool>,
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantResponse {
    pub id: String,
    pub user_id: String,
    pub product_id: String,
    pub source: tollgate_domain::access::AccessSource,
    /// The outside object behind the grant (Stripe subscription, charge, tag…).
    pub source_ref: Option<String>,
    pub reason: Option<String>,
    #[schema(format = DateTime)]
    pub granted_at: String,
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    #[schema(format = DateTime)]
    pub revoked_at: Option<String>,
    pub revoke_reason: Option<String>,
    /// Whether the grant gives access now.
    pub active: bool,
}

impl GrantResponse {
    pub fn new(g: AccessGrant, now: OffsetDateTime) -> Self {
        GrantResponse {
            active: g.is_active(now),
            id: g.id.into_string(),
            user_id: g.user_id.into_string(),
            product_id: g.product_id.into_string(),
            source: g.source,
            source_ref: g.source_ref,
            reason: g.reason,
            granted_at: rfc3339(g.granted_at),
            ends_at: g.ends_at.map(rfc3339),
            revoked_at: g.revoked_at.map(rfc3339),
            revoke_reason: g.revoke_reason,
        }
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantAccessRequest {
    pub product_id: String,
    /// When access ends by itself (RFC 3339); default: open-ended.
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    #[bound(length(max = 500))]
    pub reason: Option<String>,
    /// Email the member that access was granted (default true).
    pub notify: Option<bool>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeAccessRequest {
    #[bound(length(max = 500))]
    pub reason: Option<String>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GrantListQuery {
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[bound(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Only grants of this product.
    pub product_id: Option<String>,
}

// ---------- CSV exports ----------

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GrantExportQuery {
    /// Grants of this product only.
    #[bound(length(min = 1, max = 64))]
    pub product_id: Option<String>,
    /// Grants from this source only (manual, stripe_subscription, stripe_purchase, import, api, automation, activecampaign, keap…).
    #[bound(length(min = 1, max = 40))]
    pub source: Option<String>,
    /// Only grants not revoked (default true).
    pub open_only: Option<bool>,
    /// Start the file with a UTF-8 byte order mark (for spreadsheets); default false.
    pub bom: Option<bool>,
}

member_filter_query! {
    pub struct UserExportQuery {} {
        /// Start the file with a UTF-8 byte order mark (for spreadsheets); default false.
        pub bom: Option<bool>,
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityExportQuery {
    /// Comma-separated kinds, e.g. `user.login,product.access_granted`.
    #[bound(length(max = 1000))]
    pub kind: Option<String>,
    pub user_id: Option<String>,
    pub product_id: Option<String>,
    /// Inclusive lower bound (RFC 3339).
    pub since: Option<String>,
    /// Exclusive upper bound (RFC 3339).
    pub until: Option<String>,
    /// Start the file with a UTF-8 byte order mark (for spreadsheets); default false.
    pub bom: Option<bool>,
}
