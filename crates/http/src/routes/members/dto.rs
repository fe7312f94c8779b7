//! Wire types of members and their access grants.

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tollgate_domain::access::AccessGrant;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::rfc3339;

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateUserRequest {
    #[validate(length(min = 3, max = 254), email)]
    #[schema(min_length = 3, max_length = 254)]
    pub email: String,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub name: Option<String>,
    /// Optional; members can also log in with a magic link.
    #[validate(length(min = 10, max = 256))]
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
    /// Email the member an invitation with a login link (default false).
    pub send_invite: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateUserRequest {
    #[validate(length(min = 3, max = 254), email)]
    #[schema(min_length = 3, max_length = 254)]
    pub email: Option<String>,
    #[validate(length(max = 200))]
    #[schema(max_length = 200)]
    pub name: Option<String>,
    #[validate(length(min = 10, max = 256))]
    #[schema(min_length = 10, max_length = 256)]
    pub password: Option<String>,
}

/// A query struct with the members list's filter parameters (`q` … `created_before`)
/// between its own leading and trailing fields, and its `filter()`. The members
/// list and its CSV export take the same filters; this keeps them one list.
macro_rules! member_filter_query {
    ($(#[$attr:meta])* pub struct $name:ident { $($before:tt)* } { $($after:tt)* }) => {
        $(#[$attr])*
        #[derive(Debug, Deserialize, Validate, IntoParams)]
        #[serde(deny_unknown_fields)]
        #[into_params(parameter_in = Query)]
        pub struct $name {
            $($before)*
            /// Matches the start of the email or any part of the name, case-insensitively.
            #[validate(length(max = 200))]
            #[param(max_length = 200)]
            pub q: Option<String>,
            /// Members in this lifecycle stage (a stage name).
            #[validate(length(min = 1, max = 40))]
            #[param(min_length = 1, max_length = 40)]
            pub stage: Option<String>,
            /// Members whose renewal date falls within this many days from now (1 to 366).
            #[validate(range(min = 1, max = 366))]
            #[param(minimum = 1, maximum = 366)]
            pub renews_within_days: Option<i64>,
            /// Members with access to this product now (a product id).
            #[validate(length(min = 1, max = 64))]
            #[param(min_length = 1, max_length = 64)]
            pub has_product: Option<String>,
            /// Members without access to this product now.
            #[validate(length(min = 1, max = 64))]
            #[param(min_length = 1, max_length = 64)]
            pub lacks_product: Option<String>,
            /// Members holding an open grant from this source (manual, stripe_subscription, stripe_purchase, import, api, automation, activecampaign, keap…).
            #[validate(length(min = 1, max = 40))]
            #[param(min_length = 1, max_length = 40)]
            pub source: Option<String>,
            /// MRR at least this many minor units.
            #[validate(range(min = 0))]
            #[param(minimum = 0)]
            pub mrr_min: Option<i64>,
            /// MRR at most this many minor units.
            #[validate(range(min = 0))]
            #[param(minimum = 0)]
            pub mrr_max: Option<i64>,
            /// Last login on or after this UTC day (`YYYY-MM-DD`).
            #[validate(length(max = 10))]
            #[param(max_length = 10)]
            pub last_login_after: Option<String>,
            /// Last login before this UTC day (`YYYY-MM-DD`), or never.
            #[validate(length(max = 10))]
            #[param(max_length = 10)]
            pub last_login_before: Option<String>,
            /// `active` or `inactive` (past the app's inactivity threshold).
            #[validate(length(max = 10))]
            #[param(max_length = 10)]
            pub status: Option<String>,
            /// Created on or after this UTC day (`YYYY-MM-DD`).
            #[validate(length(max = 10))]
            #[param(max_length = 10)]
            pub created_after: Option<String>,
            /// Created before this UTC day (`YYYY-MM-DD`).
            #[validate(length(max = 10))]
            #[param(max_length = 10)]
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
        #[validate(range(min = 1, max = 100))]
        #[param(minimum = 1, maximum = 100)]
        pub limit: Option<i64>,
        #[validate(length(min = 1, max = 100))]
        #[param(min_length = 1, max_length = 100)]
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

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct GrantAccessRequest {
    pub product_id: String,
    /// When access ends by itself (RFC 3339); default: open-ended.
    #[schema(format = DateTime)]
    pub ends_at: Option<String>,
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
    /// Email the member that access was granted (default true).
    pub notify: Option<bool>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct RevokeAccessRequest {
    #[validate(length(max = 500))]
    #[schema(max_length = 500)]
    pub reason: Option<String>,
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GrantListQuery {
    #[validate(range(min = 1, max = 100))]
    #[param(minimum = 1, maximum = 100)]
    pub limit: Option<i64>,
    #[validate(length(min = 1, max = 100))]
    #[param(min_length = 1, max_length = 100)]
    pub cursor: Option<String>,
    /// Only grants of this product.
    pub product_id: Option<String>,
}

// ---------- CSV exports ----------

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct GrantExportQuery {
    /// Grants of this product only.
    #[validate(length(min = 1, max = 64))]
    #[param(min_length = 1, max_length = 64)]
    pub product_id: Option<String>,
    /// Grants from this source only (manual, stripe_subscription, stripe_purchase, import, api, automation, activecampaign, keap…).
    #[validate(length(min = 1, max = 40))]
    #[param(min_length = 1, max_length = 40)]
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

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ActivityExportQuery {
    /// Comma-separated kinds, e.g. `user.login,product.access_granted`.
    #[validate(length(max = 1000))]
    #[param(max_length = 1000)]
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
