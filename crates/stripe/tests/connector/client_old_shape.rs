//! The client reads answers in the OLDER API VERSION SHAPE (2017-08-15, as
//! localstripe emits), where the typed async-stripe responses fail.

use secrecy::SecretString;
use tollgate_stripe::StripeClient;
use tollgate_stripe::client::{ListSubscriptions, SubscriptionStatusFilter};
use tollgate_stripe::types::SubscriptionStatus;

use crate::fixtures::localstripe;
use crate::stub_stripe::{CannedResponse, StubStripe};

#[tokio::test]
async fn old_subscription_list_and_customer() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &localstripe("list_subscriptions")),
        CannedResponse::json(200, &localstripe("customer")),
        CannedResponse::json(200, &localstripe("subscription_cancel_at_period_end")),
    ])
    .await;
    let client = StripeClient::builder(SecretString::from("sk_test_123"))
        .base_url(&stub.base_url)
        .build()
        .expect("client");
    let subscriptions = client
        .list_all(&ListSubscriptions {
            plan: Some("plan_monthly_gold".into()),
            status: Some(SubscriptionStatusFilter::All),
            ..ListSubscriptions::default()
        })
        .await
        .expect("subscriptions");
    assert_eq!(subscriptions[0].status, SubscriptionStatus::Incomplete);
    assert_eq!(subscriptions[0].price_ids(), vec!["plan_monthly_gold"]);
    let customer = client
        .retrieve_customer("cus_Iw1og1d2Wc8u8e")
        .await
        .expect("customer");
    assert_eq!(customer.email.as_deref(), Some("buyer@example.com"));
    let subscription = client
        .retrieve_subscription("sub_cCpu0GCxTxWGDl")
        .await
        .expect("subscription");
    assert!(subscription.cancel_at_period_end);
    assert_eq!(subscription.period_end(), Some(1798050761));
}
