//! Each kind's data reads what the `json!` calls of earlier versions stored
//! and writes it back unchanged, key for key and byte for byte.

use serde_json::{Value, json};

use super::*;

/// `stored` (as written by earlier versions) → typed → the same JSON text.
fn round_trip(kind: ActivityKind, stored: Value, expected: ActivityData) {
    let typed = ActivityData::parse(kind, &stored).unwrap_or_else(|e| panic!("{}: {e}", kind.as_str()));
    assert_eq!(typed, expected, "{}", kind.as_str());
    assert_eq!(typed.kind(), kind);
    assert_eq!(typed.data_value().to_string(), stored.to_string(), "{}", kind.as_str());
    // The tagged form is `{"kind": …, "data": …}` with the wire name.
    let tagged = serde_json::to_value(&typed).unwrap();
    assert_eq!(tagged["kind"], kind.as_str());
    assert_eq!(tagged["data"], stored);
}

#[test]
fn user_login() {
    round_trip(ActivityKind::UserLogin, json!({ "method": "magic_link" }), ActivityData::UserLogin(UserLoginData { method: LoginMethod::MagicLink }));
    round_trip(ActivityKind::UserLogin, json!({ "method": "password" }), ActivityData::UserLogin(UserLoginData { method: LoginMethod::Password }));
}

#[test]
fn user_created() {
    round_trip(ActivityKind::UserCreated, json!({ "email": "a@example.com" }), ActivityData::UserCreated(UserCreatedData { email: "a@example.com".into() }));
}

#[test]
fn user_activate_and_product_completed_are_empty_objects() {
    round_trip(ActivityKind::UserActivate, json!({}), ActivityData::UserActivate(UserActivateData {}));
    round_trip(ActivityKind::UserProductCompleted, json!({}), ActivityData::UserProductCompleted(UserProductCompletedData {}));
}

#[test]
fn user_inactive() {
    round_trip(ActivityKind::UserInactive, json!({ "threshold_days": 30 }), ActivityData::UserInactive(UserInactiveData { threshold_days: 30 }));
}

#[test]
fn media_events() {
    let stored = json!({ "media_id": "med_1", "filename": "a.mp4" });
    let (id, name) = ("med_1".to_owned(), "a.mp4".to_owned());
    round_trip(ActivityKind::UserVideoWatched, stored.clone(), ActivityData::UserVideoWatched(UserVideoWatchedData { media_id: id.clone(), filename: name.clone() }));
    round_trip(ActivityKind::UserAudioListened, stored.clone(), ActivityData::UserAudioListened(UserAudioListenedData { media_id: id.clone(), filename: name.clone() }));
    round_trip(ActivityKind::UserFileDownloaded, stored, ActivityData::UserFileDownloaded(UserFileDownloadedData { media_id: id, filename: name }));
}

#[test]
fn user_page_completed() {
    round_trip(
        ActivityKind::UserPageCompleted,
        json!({ "page_id": "page_1", "page_title": "Intro" }),
        ActivityData::UserPageCompleted(UserPageCompletedData { page_id: "page_1".into(), page_title: "Intro".into() }),
    );
}

#[test]
fn product_access_granted() {
    round_trip(
        ActivityKind::ProductAccessGranted,
        json!({ "grant_id": "grt_1", "source": "stripe_subscription", "source_ref": "sub_1", "product_name": "Course" }),
        ActivityData::ProductAccessGranted(ProductAccessGrantedData {
            grant_id: "grt_1".into(),
            source: AccessSource::StripeSubscription,
            source_ref: Some("sub_1".into()),
            product_name: "Course".into(),
        }),
    );
    // A CRM source and no source_ref: null is written, not left out.
    round_trip(
        ActivityKind::ProductAccessGranted,
        json!({ "grant_id": "grt_1", "source": "activecampaign", "source_ref": null, "product_name": "Course" }),
        ActivityData::ProductAccessGranted(ProductAccessGrantedData {
            grant_id: "grt_1".into(),
            source: AccessSource::ActiveCampaign,
            source_ref: None,
            product_name: "Course".into(),
        }),
    );
}

#[test]
fn product_access_removed() {
    round_trip(
        ActivityKind::ProductAccessRemoved,
        json!({ "grant_id": "grt_1", "source": "keap", "source_ref": "12", "reason": null }),
        ActivityData::ProductAccessRemoved(ProductAccessRemovedData { grant_id: "grt_1".into(), source: AccessSource::Keap, source_ref: Some("12".into()), reason: None }),
    );
    round_trip(
        ActivityKind::ProductAccessRemoved,
        json!({ "grant_id": "grt_1", "source": "manual", "source_ref": null, "reason": "refund" }),
        ActivityData::ProductAccessRemoved(ProductAccessRemovedData { grant_id: "grt_1".into(), source: AccessSource::Manual, source_ref: None, reason: Some("refund".into()) }),
    );
}

#[test]
fn product_purchased_both_kinds() {
    round_trip(
        ActivityKind::ProductPurchased,
        json!({ "subscription_id": "sub_1", "kind": "subscription", "amount": 2500, "currency": "usd" }),
        ActivityData::ProductPurchased(ProductPurchasedData::Subscription { subscription_id: "sub_1".into(), amount: 2500, currency: Some("usd".into()) }),
    );
    round_trip(
        ActivityKind::ProductPurchased,
        json!({ "kind": "one_time", "source_ref": "cs_1", "amount": 4900, "currency": null }),
        ActivityData::ProductPurchased(ProductPurchasedData::OneTime { source_ref: "cs_1".into(), amount: 4900, currency: None }),
    );
}

#[test]
fn subscription_started() {
    round_trip(
        ActivityKind::SubscriptionStarted,
        json!({ "subscription_id": "sub_1", "status": "past_due", "mrr": 0, "currency": "eur" }),
        ActivityData::SubscriptionStarted(SubscriptionStartedData {
            subscription_id: "sub_1".into(),
            status: SubscriptionStatus::PastDue,
            mrr: 0,
            currency: Some("eur".into()),
        }),
    );
}

#[test]
fn subscription_cancelled() {
    round_trip(
        ActivityKind::SubscriptionCancelled,
        json!({ "subscription_id": "sub_1", "at_period_end": true, "access_until": 1767225600 }),
        ActivityData::SubscriptionCancelled(SubscriptionCancelledData { subscription_id: "sub_1".into(), at_period_end: true, access_until: Some(1767225600) }),
    );
    round_trip(
        ActivityKind::SubscriptionCancelled,
        json!({ "subscription_id": "sub_1", "at_period_end": false, "access_until": null }),
        ActivityData::SubscriptionCancelled(SubscriptionCancelledData { subscription_id: "sub_1".into(), at_period_end: false, access_until: None }),
    );
}

#[test]
fn member_stage_changed() {
    round_trip(
        ActivityKind::MemberStageChanged,
        json!({ "from": null, "to": "Customer" }),
        ActivityData::MemberStageChanged(MemberStageChangedData { from: None, to: Some("Customer".into()) }),
    );
}

#[test]
fn every_kind_has_a_sample_of_its_own_kind() {
    for k in ActivityKind::ALL {
        let s = ActivityData::sample(k);
        assert_eq!(s.kind(), k);
        assert_eq!(ActivityData::parse(k, &s.data_value()).unwrap(), s);
    }
}

#[test]
fn data_of_another_kind_is_refused() {
    assert!(ActivityData::parse(ActivityKind::UserLogin, &json!({ "email": "a@example.com" })).is_err());
}
