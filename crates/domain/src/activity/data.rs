//! What each activity kind records in `data`: one struct per kind, and
//! [`ActivityData`], the kind with its data. This is the public payload of
//! the activity feed and of outbound webhooks (`data.activity.data`), so the
//! field names are those stored since the first version: a rename would break
//! stored rows and integrators alike. A field that may be empty is `null`,
//! never left out.

use serde::{Deserialize, Serialize};

use crate::access::AccessSource;
use crate::activity::ActivityKind;
use crate::subscription::SubscriptionStatus;

#[cfg(feature = "schema")]
use utoipa::ToSchema;

/// How a member logged in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub enum LoginMethod {
    Password,
    MagicLink,
}

/// `user.login`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct UserLoginData {
    pub method: LoginMethod,
}

/// `user.created`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct UserCreatedData {
    /// The member's email when they were added.
    pub email: String,
}

/// `user.activate`: no data (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct UserActivateData {}

/// `user.inactive`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct UserInactiveData {
    /// The app's inactivity threshold the member crossed, in days.
    pub threshold_days: u16,
}

macro_rules! media_data {
    ($($name:ident => $kind:literal),*) => {$(
        #[doc = concat!("`", $kind, "`: the hosted media file.")]
        #[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
        #[cfg_attr(feature = "schema", derive(ToSchema))]
        pub struct $name {
            /// `med_…`
            pub media_id: String,
            pub filename: String,
        }
    )*};
}
media_data!(UserVideoWatchedData => "user.video_watched", UserAudioListenedData => "user.audio_listened", UserFileDownloadedData => "user.file_downloaded");

/// `user.page_completed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct UserPageCompletedData {
    /// `page_…`
    pub page_id: String,
    pub page_title: String,
}

/// `user.product_completed`: no data (`{}`).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct UserProductCompletedData {}

/// `product.access_granted`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct ProductAccessGrantedData {
    /// `grant_…`
    pub grant_id: String,
    pub source: AccessSource,
    /// What the source refers to (a Stripe subscription or payment, an automation, a CRM tag); null when none.
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub source_ref: Option<String>,
    /// The product's name when access was granted.
    pub product_name: String,
}

/// `product.access_removed`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct ProductAccessRemovedData {
    /// `grant_…`: the grant whose end removed the access.
    pub grant_id: String,
    pub source: AccessSource,
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub source_ref: Option<String>,
    /// Why the grant was revoked, as given; null when none was.
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub reason: Option<String>,
}

/// `product.purchased`: `kind` tells a subscription's first payment from a one-time purchase.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub enum ProductPurchasedData {
    /// A Stripe subscription of the product started.
    Subscription {
        subscription_id: String,
        /// The subscription's monthly recurring revenue, in minor units.
        amount: i64,
        #[cfg_attr(feature = "schema", schema(required = true))]
        currency: Option<String>,
    },
    /// A one-time Stripe payment.
    OneTime {
        /// The Stripe Checkout session or payment it came from.
        source_ref: String,
        /// In minor units of `currency`.
        amount: i64,
        #[cfg_attr(feature = "schema", schema(required = true))]
        currency: Option<String>,
    },
}

/// `subscription.started`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct SubscriptionStartedData {
    pub subscription_id: String,
    pub status: SubscriptionStatus,
    /// Monthly recurring revenue in minor units of `currency`.
    pub mrr: i64,
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub currency: Option<String>,
}

/// `subscription.cancelled`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct SubscriptionCancelledData {
    pub subscription_id: String,
    /// Cancelled at the end of the paid period (access lasts until `access_until`).
    pub at_period_end: bool,
    /// Unix seconds when access ends, for a cancellation at period end; else null.
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub access_until: Option<i64>,
}

/// `member.stage_changed`: the stages' names; null is no stage.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub struct MemberStageChangedData {
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub from: Option<String>,
    #[cfg_attr(feature = "schema", schema(required = true))]
    pub to: Option<String>,
}

/// An activity's kind with its data, as `{"kind": "user.login", "data": {…}}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", content = "data")]
#[cfg_attr(feature = "schema", derive(ToSchema))]
pub enum ActivityData {
    #[serde(rename = "user.login")]
    UserLogin(UserLoginData),
    #[serde(rename = "user.created")]
    UserCreated(UserCreatedData),
    #[serde(rename = "user.activate")]
    UserActivate(UserActivateData),
    #[serde(rename = "user.inactive")]
    UserInactive(UserInactiveData),
    #[serde(rename = "user.video_watched")]
    UserVideoWatched(UserVideoWatchedData),
    #[serde(rename = "user.audio_listened")]
    UserAudioListened(UserAudioListenedData),
    #[serde(rename = "user.file_downloaded")]
    UserFileDownloaded(UserFileDownloadedData),
    #[serde(rename = "user.page_completed")]
    UserPageCompleted(UserPageCompletedData),
    #[serde(rename = "user.product_completed")]
    UserProductCompleted(UserProductCompletedData),
    #[serde(rename = "product.access_granted")]
    ProductAccessGranted(ProductAccessGrantedData),
    #[serde(rename = "product.access_removed")]
    ProductAccessRemoved(ProductAccessRemovedData),
    #[serde(rename = "product.purchased")]
    ProductPurchased(ProductPurchasedData),
    #[serde(rename = "subscription.started")]
    SubscriptionStarted(SubscriptionStartedData),
    #[serde(rename = "subscription.cancelled")]
    SubscriptionCancelled(SubscriptionCancelledData),
    #[serde(rename = "member.stage_changed")]
    MemberStageChanged(MemberStageChangedData),
}

impl ActivityData {
    pub fn kind(&self) -> ActivityKind {
        use ActivityData as D;
        match self {
            D::UserLogin(_) => ActivityKind::UserLogin,
            D::UserCreated(_) => ActivityKind::UserCreated,
            D::UserActivate(_) => ActivityKind::UserActivate,
            D::UserInactive(_) => ActivityKind::UserInactive,
            D::UserVideoWatched(_) => ActivityKind::UserVideoWatched,
            D::UserAudioListened(_) => ActivityKind::UserAudioListened,
            D::UserFileDownloaded(_) => ActivityKind::UserFileDownloaded,
            D::UserPageCompleted(_) => ActivityKind::UserPageCompleted,
            D::UserProductCompleted(_) => ActivityKind::UserProductCompleted,
            D::ProductAccessGranted(_) => ActivityKind::ProductAccessGranted,
            D::ProductAccessRemoved(_) => ActivityKind::ProductAccessRemoved,
            D::ProductPurchased(_) => ActivityKind::ProductPurchased,
            D::SubscriptionStarted(_) => ActivityKind::SubscriptionStarted,
            D::SubscriptionCancelled(_) => ActivityKind::SubscriptionCancelled,
            D::MemberStageChanged(_) => ActivityKind::MemberStageChanged,
        }
    }

    /// The `data` object alone, as stored and sent.
    pub fn data_value(&self) -> serde_json::Value {
        fn v<T: Serialize>(t: &T) -> serde_json::Value {
            serde_json::to_value(t).unwrap_or_else(|_| serde_json::Value::Object(Default::default()))
        }
        use ActivityData as D;
        match self {
            D::UserLogin(d) => v(d),
            D::UserCreated(d) => v(d),
            D::UserActivate(d) => v(d),
            D::UserInactive(d) => v(d),
            D::UserVideoWatched(d) => v(d),
            D::UserAudioListened(d) => v(d),
            D::UserFileDownloaded(d) => v(d),
            D::UserPageCompleted(d) => v(d),
            D::UserProductCompleted(d) => v(d),
            D::ProductAccessGranted(d) => v(d),
            D::ProductAccessRemoved(d) => v(d),
            D::ProductPurchased(d) => v(d),
            D::SubscriptionStarted(d) => v(d),
            D::SubscriptionCancelled(d) => v(d),
            D::MemberStageChanged(d) => v(d),
        }
    }

    /// Reads stored data of an activity of `kind` (an error: data this version does not recognise).
    pub fn parse(kind: ActivityKind, data: &serde_json::Value) -> Result<Self, serde_json::Error> {
        serde_json::from_value(serde_json::json!({ "kind": kind.as_str(), "data": data }))
    }

    /// A made-up activity of `kind`, shaped like a real one (samples and test events).
    pub fn sample(kind: ActivityKind) -> Self {
        use ActivityData as D;
        let media = "med_00000000000070008000000000000001".to_owned();
        let grant = "grant_00000000000070008000000000000001".to_owned();
        let sub = "sub_1Sample".to_owned();
        match kind {
            ActivityKind::UserLogin => D::UserLogin(UserLoginData { method: LoginMethod::MagicLink }),
            ActivityKind::UserCreated => D::UserCreated(UserCreatedData { email: "ada@example.com".into() }),
            ActivityKind::UserActivate => D::UserActivate(UserActivateData {}),
            ActivityKind::UserInactive => D::UserInactive(UserInactiveData { threshold_days: 30 }),
            ActivityKind::UserVideoWatched => D::UserVideoWatched(UserVideoWatchedData { media_id: media, filename: "lesson-1.mp4".into() }),
            ActivityKind::UserAudioListened => D::UserAudioListened(UserAudioListenedData { media_id: media, filename: "episode-1.mp3".into() }),
            ActivityKind::UserFileDownloaded => D::UserFileDownloaded(UserFileDownloadedData { media_id: media, filename: "workbook.pdf".into() }),
            ActivityKind::UserPageCompleted => {
                D::UserPageCompleted(UserPageCompletedData { page_id: "page_00000000000070008000000000000001".into(), page_title: "Lesson 1".into() })
            }
            ActivityKind::UserProductCompleted => D::UserProductCompleted(UserProductCompletedData {}),
            ActivityKind::ProductAccessGranted => D::ProductAccessGranted(ProductAccessGrantedData {
                grant_id: grant,
                source: AccessSource::StripePurchase,
                source_ref: Some("cs_1Sample".into()),
                product_name: "Starter Course".into(),
            }),
            ActivityKind::ProductAccessRemoved => D::ProductAccessRemoved(ProductAccessRemovedData {
                grant_id: grant,
                source: AccessSource::Manual,
                source_ref: None,
                reason: Some("refunded".into()),
            }),
            ActivityKind::ProductPurchased => {
                D::ProductPurchased(ProductPurchasedData::OneTime { source_ref: "cs_1Sample".into(), amount: 4900, currency: Some("usd".into()) })
            }
            ActivityKind::SubscriptionStarted => {
                D::SubscriptionStarted(SubscriptionStartedData { subscription_id: sub, status: SubscriptionStatus::Active, mrr: 2500, currency: Some("usd".into()) })
            }
            ActivityKind::SubscriptionCancelled => {
                D::SubscriptionCancelled(SubscriptionCancelledData { subscription_id: sub, at_period_end: true, access_until: Some(1_767_225_600) })
            }
            ActivityKind::MemberStageChanged => D::MemberStageChanged(MemberStageChangedData { from: Some("Trial".into()), to: Some("Customer".into()) }),
        }
    }
}

#[cfg(test)]
#[path = "data_tests.rs"]
mod tests;
