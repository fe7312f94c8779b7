//! The activity catalogue (the kinds a membership hub tracks): what members do and what
//! happens to them. Append-only; automations and outbound webhooks key on it.

pub mod data;

use std::str::FromStr;

use time::OffsetDateTime;

pub use data::ActivityData;

use crate::error::FieldProblem;
use crate::ids::{ActivityId, AppId, ProductId, UserId};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum ActivityKind {
    /// A member logged in.
    UserLogin,
    /// A member was added.
    UserCreated,
    /// A member logged in after crossing the inactivity threshold.
    UserActivate,
    /// A member has not logged in for the inactivity threshold.
    UserInactive,
    UserVideoWatched,
    UserAudioListened,
    UserFileDownloaded,
    /// A member ticked a page in the progress tracker.
    UserPageCompleted,
    /// A member completed every page of a product.
    UserProductCompleted,
    ProductAccessGranted,
    ProductAccessRemoved,
    /// One-time and subscription purchases.
    ProductPurchased,
    SubscriptionStarted,
    SubscriptionCancelled,
    /// A member's lifecycle stage changed (data: from, to).
    MemberStageChanged,
}

impl ActivityKind {
    pub const ALL: [ActivityKind; 15] = [
        ActivityKind::UserLogin,
        ActivityKind::UserCreated,
        ActivityKind::UserActivate,
        ActivityKind::UserInactive,
        ActivityKind::UserVideoWatched,
        ActivityKind::UserAudioListened,
        ActivityKind::UserFileDownloaded,
        ActivityKind::UserPageCompleted,
        ActivityKind::UserProductCompleted,
        ActivityKind::ProductAccessGranted,
        ActivityKind::ProductAccessRemoved,
        ActivityKind::ProductPurchased,
        ActivityKind::SubscriptionStarted,
        ActivityKind::SubscriptionCancelled,
        ActivityKind::MemberStageChanged,
    ];

    /// The stable wire name, used in the API, in storage and in outbound webhooks.
    pub fn as_str(self) -> &'static str {
        match self {
            ActivityKind::UserLogin => "user.login",
            ActivityKind::UserCreated => "user.created",
            ActivityKind::UserActivate => "user.activate",
            ActivityKind::UserInactive => "user.inactive",
            ActivityKind::UserVideoWatched => "user.video_watched",
            ActivityKind::UserAudioListened => "user.audio_listened",
            ActivityKind::UserFileDownloaded => "user.file_downloaded",
            ActivityKind::UserPageCompleted => "user.page_completed",
            ActivityKind::UserProductCompleted => "user.product_completed",
            ActivityKind::ProductAccessGranted => "product.access_granted",
            ActivityKind::ProductAccessRemoved => "product.access_removed",
            ActivityKind::ProductPurchased => "product.purchased",
            ActivityKind::SubscriptionStarted => "subscription.started",
            ActivityKind::SubscriptionCancelled => "subscription.cancelled",
            ActivityKind::MemberStageChanged => "member.stage_changed",
        }
    }

    /// The name site owners see in the feed.
    pub fn label(self) -> &'static str {
        match self {
            ActivityKind::UserLogin => "User Login",
            ActivityKind::UserCreated => "User Created",
            ActivityKind::UserActivate => "User Activate",
            ActivityKind::UserInactive => "User Inactive",
            ActivityKind::UserVideoWatched => "User Video Watched",
            ActivityKind::UserAudioListened => "User Audio Listened",
            ActivityKind::UserFileDownloaded => "User File Downloaded",
            ActivityKind::UserPageCompleted => "User Page Completed",
            ActivityKind::UserProductCompleted => "User Product Completed",
            ActivityKind::ProductAccessGranted => "Product Access Granted",
            ActivityKind::ProductAccessRemoved => "Product Access Removed",
            ActivityKind::ProductPurchased => "Product Purchased",
            ActivityKind::SubscriptionStarted => "Subscription Started",
            ActivityKind::SubscriptionCancelled => "Subscription Cancelled",
            ActivityKind::MemberStageChanged => "Member Stage Changed",
        }
    }
}

impl FromStr for ActivityKind {
    type Err = FieldProblem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Self::ALL
            .iter()
            .copied()
            .find(|k| k.as_str() == s)
            .ok_or_else(|| FieldProblem::new("invalid_choice", format!("unknown activity kind {s:?}")))
    }
}

#[derive(Debug, Clone, PartialEq)]
pub struct Activity {
    pub id: ActivityId,
    pub app_id: AppId,
    pub kind: ActivityKind,
    pub user_id: Option<UserId>,
    pub product_id: Option<ProductId>,
    pub data: serde_json::Value,
    pub occurred_at: OffsetDateTime,
}

/// An activity about to be recorded.
#[derive(Debug, Clone, PartialEq)]
pub struct NewActivity {
    pub kind: ActivityKind,
    pub user_id: Option<UserId>,
    pub product_id: Option<ProductId>,
    pub data: serde_json::Value,
    pub occurred_at: OffsetDateTime,
    /// How many automation runs led to it (0: not caused by an automation).
    /// Not stored; it limits chains of automations triggering each other.
    pub depth: u32,
}

impl NewActivity {
    pub fn new(kind: ActivityKind, user_id: Option<UserId>, product_id: Option<ProductId>, occurred_at: OffsetDateTime) -> Self {
        Self { kind, user_id, product_id, data: serde_json::Value::Object(Default::default()), occurred_at, depth: 0 }
    }
    /// An activity of the kind of `data`, with that data.
    pub fn of(data: ActivityData, user_id: Option<UserId>, product_id: Option<ProductId>, occurred_at: OffsetDateTime) -> Self {
        Self::new(data.kind(), user_id, product_id, occurred_at).with_data(data.data_value())
    }
    pub fn at_depth(mut self, depth: u32) -> Self {
        self.depth = depth;
        self
    }
    pub fn with_data(mut self, data: serde_json::Value) -> Self {
        self.data = data;
        self
    }
}

/// Filters of the activity feed; all optional, combined with AND.
#[derive(Debug, Clone, Default)]
pub struct ActivityFilter {
    pub kinds: Vec<ActivityKind>,
    pub user_id: Option<UserId>,
    pub product_id: Option<ProductId>,
    /// Inclusive lower bound of `occurred_at`, in ms.
    pub since_ms: Option<i64>,
    /// Exclusive upper bound of `occurred_at`, in ms.
    pub until_ms: Option<i64>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_are_unique_and_round_trip() {
        let mut seen = std::collections::HashSet::new();
        for k in ActivityKind::ALL {
            assert!(seen.insert(k.as_str()));
            assert_eq!(k.as_str().parse::<ActivityKind>().unwrap(), k);
        }
        assert!("user.flew".parse::<ActivityKind>().is_err());
    }
}
