//! Wire shapes of members, products and activities: what the REST API
//! returns and what outbound events carry. One serializer for both, so an
//! integrator sees the same object in a webhook as in `GET /users/{id}`.

use serde::Serialize;
use time::OffsetDateTime;
use tollgate_domain::activity::Activity;
use tollgate_domain::activity::ActivityData;
use tollgate_domain::product::{Product, PurchaseMethod};
use tollgate_domain::user::User;
use utoipa::ToSchema;

pub fn rfc3339(t: OffsetDateTime) -> String {
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ProductResponse {
    pub id: String,
    pub name: String,
    pub description: String,
    pub image_url: Option<String>,
    pub purchase_method: PurchaseMethod,
    pub external_url: Option<String>,
    /// Show the product as a locked card to members without access.
    pub show_locked_card: bool,
    #[schema(format = DateTime)]
    pub archived_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Product> for ProductResponse {
    fn from(p: Product) -> Self {
        ProductResponse {
            id: p.id.into_string(),
            name: p.fields.name,
            description: p.fields.description,
            image_url: p.fields.image_url,
            purchase_method: p.fields.purchase_method,
            external_url: p.fields.external_url,
            show_locked_card: p.fields.show_locked_card,
            archived_at: p.archived_at.map(rfc3339),
            created_at: rfc3339(p.created_at),
            updated_at: rfc3339(p.updated_at),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserResponse {
    pub id: String,
    pub email: String,
    pub name: String,
    pub has_password: bool,
    #[schema(format = DateTime)]
    pub last_login_at: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
    /// Lifecycle stage from the member's Stripe subscriptions (the app's stage definitions); null: none.
    pub stage: Option<String>,
    /// Monthly recurring revenue in minor units of `mrr_currency` (active and past-due subscriptions; trialing counts 0).
    pub mrr: i64,
    pub mrr_currency: Option<String>,
    /// When the member's next live subscription renews (or their trial ends); null when nothing renews.
    #[schema(format = DateTime)]
    pub renews_at: Option<String>,
}

impl From<User> for UserResponse {
    fn from(u: User) -> Self {
        UserResponse {
            id: u.id.into_string(),
            email: u.email.to_string(),
            name: u.name,
            has_password: u.has_password,
            last_login_at: u.last_login_at.map(rfc3339),
            created_at: rfc3339(u.created_at),
            updated_at: rfc3339(u.updated_at),
            stage: u.customer.stage,
            mrr: u.customer.mrr,
            mrr_currency: u.customer.currency,
            renews_at: u.customer.renews_at.map(rfc3339),
        }
    }
}

/// An activity: `kind` (e.g. `user.login`, `product.access_granted`) says
/// which of the [`ActivityData`] shapes `data` has.
#[derive(Debug, Serialize, ToSchema)]
pub struct ActivityResponse {
    pub id: String,
    /// `kind` and `data`, as stored (rows written by earlier versions keep their data as it was).
    #[serde(flatten)]
    #[schema(value_type = ActivityData)]
    pub event: StoredEvent,
    /// e.g. "User Login", "Product Access Granted"
    pub label: String,
    pub user_id: Option<String>,
    pub product_id: Option<String>,
    #[schema(format = DateTime)]
    pub occurred_at: String,
}

/// An activity's kind and data as stored; documented as [`ActivityData`].
#[derive(Debug, Clone, Serialize)]
pub struct StoredEvent {
    pub kind: String,
    pub data: serde_json::Value,
}

impl From<Activity> for ActivityResponse {
    fn from(a: Activity) -> Self {
        ActivityResponse {
            id: a.id.into_string(),
            event: StoredEvent { kind: a.kind.as_str().into(), data: a.data },
            label: a.kind.label().into(),
            user_id: a.user_id.map(|u| u.into_string()),
            product_id: a.product_id.map(|p| p.into_string()),
            occurred_at: rfc3339(a.occurred_at),
        }
    }
}

