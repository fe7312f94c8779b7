//! The tolerant types read the OLDER API VERSION SHAPE (2017-08-15, as
//! localstripe emits): objects captured from localstripe 1.15.10.

use serde_json::Value;
use tollgate_stripe::types::{
    Charge, Customer, Event, EventKind, Invoice, List, PaymentIntent, Price, Product,
    RecurringInterval, Subscription, SubscriptionStatus,
};

use crate::fixtures::localstripe;

fn read<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the localstripe object parses")
}

#[test]
fn old_subscription_has_its_period_on_itself_and_plans_on_items() {
    let subscription: Subscription = read(localstripe("subscription_active"));
    assert_eq!(subscription.status, SubscriptionStatus::Active);
    assert_eq!(subscription.customer_id(), Some("cus_Iw1og1d2Wc8u8e"));
    assert!(!subscription.cancel_at_period_end);
    assert_eq!(subscription.current_period_end, Some(1798050761));
    assert_eq!(subscription.period_end(), Some(1798050761));
    assert_eq!(subscription.period_start(), Some(1795458761));
    assert_eq!(subscription.pause_collection, None);

    let item = &subscription.items.data[0];
    assert_eq!(item.price, None, "old items carry no `price`");
    assert_eq!(item.current_period_end, None);
    assert_eq!(item.price_id(), Some("plan_monthly_gold"));
    assert_eq!(item.product_id(), Some("prod_mUBDRzXHR1y9yi"));
    assert_eq!(item.unit_amount(), Some(2000));
    assert_eq!(item.currency(), Some("usd"));
    assert_eq!(item.interval(), Some(&RecurringInterval::Month));
    assert_eq!(item.interval_count(), Some(1));
    assert_eq!(item.quantity, Some(1));

    // Single-plan subscriptions also had a top-level plan and quantity.
    assert_eq!(
        subscription.plan.as_ref().map(|plan| plan.id.as_str()),
        Some("plan_monthly_gold")
    );
    assert_eq!(subscription.quantity, Some(1));
    assert_eq!(subscription.product_ids(), vec!["prod_mUBDRzXHR1y9yi"]);
    assert_eq!(subscription.price_ids(), vec!["plan_monthly_gold"]);
}

#[test]
fn old_subscription_without_items_falls_back_to_its_plan() {
    let mut value = localstripe("subscription_active");
    value["items"]["data"] = Value::Array(Vec::new());
    let subscription: Subscription = read(value);
    assert_eq!(subscription.product_ids(), vec!["prod_mUBDRzXHR1y9yi"]);
    assert_eq!(subscription.price_ids(), vec!["plan_monthly_gold"]);
}

#[test]
fn old_subscription_set_to_cancel_at_period_end() {
    let subscription: Subscription = read(localstripe("subscription_cancel_at_period_end"));
    assert_eq!(subscription.status, SubscriptionStatus::Active);
    assert!(subscription.cancel_at_period_end);
    assert_eq!(subscription.cancel_at, None);
    assert_eq!(subscription.period_end(), Some(1798050761));
}

#[test]
fn old_customer_product_and_plan() {
    let customer: Customer = read(localstripe("customer"));
    assert_eq!(customer.email.as_deref(), Some("buyer@example.com"));
    assert_eq!(customer.name.as_deref(), Some("Buyer One"));
    assert_eq!(customer.metadata_value("tollgate_user"), Some("u1"));

    let product: Product = read(localstripe("product"));
    assert_eq!(product.name.as_deref(), Some("Membership Mastermind"));
    assert_eq!(product.default_price, None);

    let plan: Price = read(localstripe("plan"));
    assert!(plan.is_plan());
    assert_eq!(plan.unit_amount, Some(2000));
    assert_eq!(plan.product_id(), Some("prod_mUBDRzXHR1y9yi"));
    assert_eq!(plan.interval(), Some(&RecurringInterval::Month));
}

#[test]
fn old_invoice_has_a_top_level_subscription_and_an_expanded_charge() {
    let invoice: Invoice = read(localstripe("invoice_paid"));
    assert_eq!(invoice.status.as_deref(), Some("paid"));
    assert_eq!(
        invoice.paid, None,
        "localstripe sends no `paid` flag either"
    );
    assert!(invoice.is_paid());
    assert_eq!(invoice.paid_at(), Some(1795458761));
    assert_eq!(
        invoice
            .subscription
            .as_ref()
            .map(|subscription| subscription.id()),
        Some("sub_cCpu0GCxTxWGDl")
    );
    assert_eq!(invoice.subscription_id(), Some("sub_cCpu0GCxTxWGDl"));
    assert_eq!(invoice.amount_paid, Some(2000));
    let charge = invoice.charge.as_ref().expect("charge");
    assert_eq!(charge.id(), "ch_4QpwW2zuyWToyJ");
    assert!(
        charge.as_object().is_some(),
        "localstripe expands the charge"
    );
    assert_eq!(
        invoice.payment_intent.as_ref().map(|intent| intent.id()),
        Some("pi_aTJvGGLAgBysVe")
    );

    let line = &invoice.lines.data[0];
    assert_eq!(line.price, None);
    assert_eq!(line.price_id(), Some("plan_monthly_gold"));
    assert_eq!(line.product_id(), Some("prod_mUBDRzXHR1y9yi"));
    assert_eq!(line.subscription_id(), Some("sub_cCpu0GCxTxWGDl"));
    assert_eq!(invoice.product_ids(), vec!["prod_mUBDRzXHR1y9yi"]);
}

#[test]
fn old_invoice_without_parent_still_finds_its_subscription() {
    // localstripe also adds the 2025 `parent`; a real 2017 invoice has none.
    let mut value = localstripe("invoice_paid");
    value.as_object_mut().expect("object").remove("parent");
    let invoice: Invoice = read(value);
    assert_eq!(invoice.subscription_id(), Some("sub_cCpu0GCxTxWGDl"));
}

#[test]
fn old_refunded_charge_and_payment_intent() {
    let charge: Charge = read(localstripe("charge_refunded"));
    assert!(charge.refunded);
    assert_eq!(charge.amount_refunded, 4900);
    assert!(charge.is_fully_refunded());
    assert_eq!(charge.customer_id(), Some("cus_Iw1og1d2Wc8u8e"));
    assert_eq!(charge.payment_intent_id(), Some("pi_ic8jcgq01jkPDv"));
    assert_eq!(charge.invoice_id(), None);

    let intent: PaymentIntent = read(localstripe("payment_intent_succeeded"));
    assert!(intent.is_succeeded());
    assert_eq!(intent.amount, 4900);
    assert_eq!(
        intent.metadata.get("product").map(String::as_str),
        Some("course")
    );
    assert_eq!(
        intent.latest_charge.as_ref().map(|charge| charge.id()),
        Some("ch_IVHU5qtOtMiuv1")
    );
}

#[test]
fn old_events() {
    let created: Event = read(localstripe("event_customer_subscription_created"));
    assert_eq!(created.api_version.as_deref(), Some("2017-08-15"));
    assert_eq!(created.kind(), EventKind::CustomerSubscriptionCreated);
    assert_eq!(
        created.subscription().expect("subscription").period_end(),
        Some(1798050761)
    );

    let deleted: Event = read(localstripe("event_customer_subscription_deleted"));
    assert_eq!(deleted.kind(), EventKind::CustomerSubscriptionDeleted);
    let subscription = deleted.subscription().expect("subscription");
    assert_eq!(subscription.status, SubscriptionStatus::Canceled);
    assert_eq!(subscription.ended_at, Some(1795458761));

    let paid: Event = read(localstripe("event_invoice_payment_succeeded"));
    assert_eq!(paid.kind(), EventKind::InvoicePaymentSucceeded);
    assert!(paid.invoice().expect("invoice").is_paid());
}

#[test]
fn old_list_with_total_count() {
    let list: List<Subscription> = read(localstripe("list_subscriptions"));
    assert!(!list.has_more);
    assert_eq!(list.data[0].status, SubscriptionStatus::Incomplete);
}
