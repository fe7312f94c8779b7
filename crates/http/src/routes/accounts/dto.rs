//! Wire types of accounts (companies) and their seats.

use serde::{Deserialize, Serialize};
use tollgate_app::customers::accounts::{AccountInfo, AccountView, SeatView};
use tollgate_http_macros::bounds;
use utoipa::ToSchema;
use validator::Validate;

use crate::dto::rfc3339;

/// Whether Stripe customers are people or companies.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "lowercase")]
pub enum ContactType {
    /// A Stripe customer is a member (the default).
    Users,
    /// A Stripe customer is an account whose owner seats teammates.
    Accounts,
}

#[bounds]
#[derive(Debug, Serialize, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AccountSettings {
    pub contact_type: ContactType,
    /// The Stripe customer metadata key that names the account (else the customer's name).
    #[bound(length(max = 40))]
    pub account_metadata_key: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct SeatResponse {
    pub user_id: String,
    pub email: String,
    pub name: String,
    /// `owner` or `member`
    pub role: String,
    #[schema(format = DateTime)]
    pub added_at: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AccountSummary {
    pub id: String,
    pub name: String,
    pub owner_id: String,
    pub stripe_customer_id: String,
    /// People the subscriptions pay for, the owner included.
    pub seats: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
}

impl From<SeatView> for SeatResponse {
    fn from(s: SeatView) -> Self {
        SeatResponse { user_id: s.user_id.to_string(), email: s.email, name: s.name, role: s.role, added_at: rfc3339(s.added_at) }
    }
}

impl From<AccountInfo> for AccountSummary {
    fn from(a: AccountInfo) -> Self {
        Self { id: a.id.to_string(), name: a.name, owner_id: a.owner_id.to_string(), stripe_customer_id: a.stripe_customer_id, seats: a.seats, created_at: rfc3339(a.created_at) }
    }
}

/// An account with its seats and figures (the owner's: the subscriptions are theirs).
#[derive(Debug, Serialize, ToSchema)]
pub struct AccountResponse {
    #[serde(flatten)]
    pub account: AccountSummary,
    pub seats_used: i64,
    pub people: Vec<SeatResponse>,
    pub stage: Option<String>,
    /// Minor units of `mrr_currency`.
    pub mrr: i64,
    pub mrr_currency: Option<String>,
    #[schema(format = DateTime)]
    pub renews_at: Option<String>,
}

impl From<AccountView> for AccountResponse {
    fn from(v: AccountView) -> Self {
        let c = &v.owner.customer;
        Self {
            seats_used: v.seats.len() as i64,
            stage: c.stage.clone(),
            mrr: c.mrr,
            mrr_currency: c.currency.clone(),
            renews_at: c.renews_at.map(rfc3339),
            people: v.seats.into_iter().map(Into::into).collect(),
            account: v.account.into(),
        }
    }
}

/// The account a member sits in (none: `account` is null).
#[derive(Debug, Serialize, ToSchema)]
pub struct MemberAccountResponse {
    pub account: Option<AccountResponse>,
    /// `owner` or `member`; null without an account.
    pub role: Option<String>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct AddSeatRequest {
    #[bound(length(min = 3, max = 254))]
    pub email: String,
    #[bound(length(max = 200))]
    pub name: Option<String>,
}
