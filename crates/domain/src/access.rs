//! Access grants: the record of why a member can open a product.

use std::str::FromStr;

use time::OffsetDateTime;

use crate::error::FieldProblem;
use crate::ids::{AppId, GrantId, ProductId, UserId};

/// Where a grant came from: manual, stripe_subscription, stripe_purchase, import, crm_tag, api,
/// automation (source_ref: the automation), activecampaign or keap (source_ref: the CRM tag).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = GrantSource))]
pub enum AccessSource {
    Manual,
    StripeSubscription,
    StripePurchase,
    Import,
    CrmTag,
    Api,
    /// A step of an automation (source_ref: the automation's id).
    Automation,
    /// An ActiveCampaign tag (source_ref: the tag's id).
    #[serde(rename = "activecampaign")]
    ActiveCampaign,
    /// A Keap tag (source_ref: the tag's id).
    Keap,
}

impl AccessSource {
    pub const ALL: [AccessSource; 9] = [
        AccessSource::Manual,
        AccessSource::StripeSubscription,
        AccessSource::StripePurchase,
        AccessSource::Import,
        AccessSource::CrmTag,
        AccessSource::Api,
        AccessSource::Automation,
        AccessSource::ActiveCampaign,
        AccessSource::Keap,
    ];
    pub fn as_str(self) -> &'static str {
        match self {
            AccessSource::Manual => "manual",
            AccessSource::StripeSubscription => "stripe_subscription",
            AccessSource::StripePurchase => "stripe_purchase",
            AccessSource::Import => "import",
            AccessSource::CrmTag => "crm_tag",
            AccessSource::Api => "api",
            AccessSource::Automation => "automation",
            AccessSource::ActiveCampaign => "activecampaign",
            AccessSource::Keap => "keap",
        }
    }
}

impl FromStr for AccessSource {
    type Err = FieldProblem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|x| x.as_str() == s)
            .ok_or_else(|| FieldProblem::new("invalid_choice", "unknown access source"))
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccessGrant {
    pub id: GrantId,
    pub app_id: AppId,
    pub user_id: UserId,
    pub product_id: ProductId,
    pub source: AccessSource,
    /// The outside object behind the grant: a Stripe subscription or charge id, a tag id…
    pub source_ref: Option<String>,
    pub reason: Option<String>,
    pub granted_at: OffsetDateTime,
    /// When access ends by itself (a canceled subscription's period end); `None` = open-ended.
    pub ends_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
    pub revoke_reason: Option<String>,
}

impl AccessGrant {
    /// Whether this grant gives access at `now`.
    pub fn is_active(&self, now: OffsetDateTime) -> bool {
        self.revoked_at.is_none() && self.granted_at <= now && self.ends_at.is_none_or(|e| now < e)
    }
}

/// Whether any of a member's grants for one product gives access at `now`.
pub fn has_access<'a>(grants: impl IntoIterator<Item = &'a AccessGrant>, now: OffsetDateTime) -> bool {
    grants.into_iter().any(|g| g.is_active(now))
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::datetime;

    fn grant() -> AccessGrant {
        AccessGrant {
            id: GrantId::new(),
            app_id: AppId::new(),
            user_id: UserId::new(),
            product_id: ProductId::new(),
            source: AccessSource::Manual,
            source_ref: None,
            reason: None,
            granted_at: datetime!(2026-01-01 0:00 UTC),
            ends_at: None,
            revoked_at: None,
            revoke_reason: None,
        }
    }

    #[test]
    fn grant_activity_over_time() {
        let mut g = grant();
        assert!(!g.is_active(datetime!(2025-12-31 23:59 UTC)), "not before granted_at");
        assert!(g.is_active(datetime!(2030-01-01 0:00 UTC)), "open-ended");
        g.ends_at = Some(datetime!(2026-02-01 0:00 UTC));
        assert!(g.is_active(datetime!(2026-01-31 23:59 UTC)));
        assert!(!g.is_active(datetime!(2026-02-01 0:00 UTC)), "ends_at is exclusive");
        g.ends_at = None;
        g.revoked_at = Some(datetime!(2026-01-02 0:00 UTC));
        assert!(!g.is_active(datetime!(2026-01-01 12:00 UTC)), "a revoked grant gives nothing");
    }

    #[test]
    fn any_active_grant_gives_access() {
        let mut a = grant();
        a.revoked_at = Some(datetime!(2026-01-02 0:00 UTC));
        let b = grant();
        let now = datetime!(2026-03-01 0:00 UTC);
        assert!(has_access([&a, &b], now));
        assert!(!has_access([&a], now));
    }
}
