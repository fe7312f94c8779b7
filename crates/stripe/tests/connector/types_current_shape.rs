//! The tolerant types read Stripe's own published example objects (the
//! current API shape). Where a test adjusts a field, it says so.

use serde_json::{Value, json};
use tollgate_stripe::types::{
    Account, BillingPortalConfiguration, BillingPortalSession, Charge, CheckoutSession, Customer,
    DeletedObject, Event, EventKind, EventObjectError, Invoice, InvoiceLine, List, PaymentIntent,
    PaymentLink, Price, Product, RecurringInterval, Subscription, SubscriptionItem,
    SubscriptionStatus, WebhookEndpoint,
};

use crate::fixtures::{list_of, stripe};

fn read<T: serde::de::DeserializeOwned>(value: Value) -> T {
    serde_json::from_value(value).expect("the example object parses")
}

#[test]
fn subscription_reads_period_and_prices_from_items() {
    let subscription: Subscription = read(stripe("subscription"));
    assert_eq!(subscription.id, "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw");
    assert_eq!(subscription.customer_id(), Some("cus_QXg1o8vcGmoR32"));
    assert_eq!(subscription.status, SubscriptionStatus::Active);
    assert!(subscription.cancel_at_period_end);
    assert_eq!(subscription.cancel_at, Some(1234567890));
    assert_eq!(subscription.canceled_at, Some(1234567890));
    assert_eq!(subscription.ended_at, Some(1234567890));
    assert_eq!(subscription.trial_end, Some(1234567890));
    assert_eq!(subscription.created, Some(1234567890));
    // API 2025+: no period on the subscription, only on its items.
    assert_eq!(subscription.current_period_end, None);
    assert_eq!(subscription.period_end(), Some(976287773));
    assert_eq!(subscription.period_start(), Some(1896570518));
    assert!(subscription.metadata.is_empty());
    let pause = subscription
        .pause_collection
        .as_ref()
        .expect("pause_collection");
    assert_eq!(pause.behavior.as_deref(), Some("mark_uncollectible"));
    assert_eq!(pause.resumes_at, None);
    assert!(subscription.is_collection_paused());
    assert_eq!(subscription.plan, None);

    let item = &subscription.items.data[0];
    assert_eq!(item.price_id(), Some("price_1PgafmB7WZ01zgkW6dKueIc5"));
    assert_eq!(item.product_id(), Some("prod_QXg1hqf4jFNsqG"));
    assert_eq!(item.unit_amount(), Some(2000));
    assert_eq!(item.currency(), Some("usd"));
    assert_eq!(item.interval(), Some(&RecurringInterval::Month));
    assert_eq!(item.interval_count(), Some(1));
    assert_eq!(item.quantity, Some(1));
    assert_eq!(subscription.product_ids(), vec!["prod_QXg1hqf4jFNsqG"]);
    assert_eq!(
        subscription.price_ids(),
        vec!["price_1PgafmB7WZ01zgkW6dKueIc5"]
    );
}

#[test]
fn subscription_item_prefers_price_over_its_plan_mirror() {
    // Stripe's example item carries both a `price` and a `plan` whose fields
    // differ (the plan has no product): the price wins, field by field.
    let item: SubscriptionItem = read(stripe("subscription_item"));
    assert_eq!(item.price_id(), Some("price_1PgafmB7WZ01zgkW6dKueIc5"));
    assert_eq!(
        item.plan.as_ref().map(|plan| plan.id.as_str()),
        Some("obj_123")
    );
    assert!(item.plan.as_ref().is_some_and(Price::is_plan));
    assert_eq!(item.product_id(), Some("prod_QXg1hqf4jFNsqG"));
    assert_eq!(item.current_period_end, Some(976287773));
}

#[test]
fn subscription_period_end_takes_the_latest_item() {
    // Adjusted: a second item with a later period end.
    let mut value = stripe("subscription");
    let mut second = value["items"]["data"][0].clone();
    second["id"] = json!("si_second");
    second["current_period_end"] = json!(976287999);
    value["items"]["data"]
        .as_array_mut()
        .expect("items")
        .push(second);
    let subscription: Subscription = read(value);
    assert_eq!(subscription.period_end(), Some(976287999));
    // The same product twice is listed once.
    assert_eq!(subscription.product_ids(), vec!["prod_QXg1hqf4jFNsqG"]);
}

#[test]
fn subscription_status_knows_every_status_and_keeps_unknown_ones() {
    for (text, status) in [
        ("trialing", SubscriptionStatus::Trialing),
        ("active", SubscriptionStatus::Active),
        ("past_due", SubscriptionStatus::PastDue),
        ("incomplete", SubscriptionStatus::Incomplete),
        ("incomplete_expired", SubscriptionStatus::IncompleteExpired),
        ("unpaid", SubscriptionStatus::Unpaid),
        ("canceled", SubscriptionStatus::Canceled),
        ("paused", SubscriptionStatus::Paused),
    ] {
        assert_eq!(SubscriptionStatus::parse(text), status);
        assert_eq!(status.as_str(), text);
        let mut value = stripe("subscription");
        value["status"] = json!(text);
        assert_eq!(read::<Subscription>(value).status, status);
    }
    let mut value = stripe("subscription");
    value["status"] = json!("on_vacation");
    assert_eq!(
        read::<Subscription>(value).status,
        SubscriptionStatus::Unknown("on_vacation".into())
    );
}

#[test]
fn customer_and_deleted_customer() {
    let customer: Customer = read(stripe("customer"));
    assert_eq!(customer.id, "cus_QXg1o8vcGmoR32");
    assert_eq!(customer.email, None);
    assert_eq!(customer.name, None);
    assert!(!customer.deleted);
    assert_eq!(customer.created, Some(1234567890));

    let deleted: Customer = read(stripe("deleted_customer"));
    assert_eq!(deleted.id, "cus_QXg1o8vcGmoR32");
    assert!(deleted.deleted);
    assert_eq!(deleted.created, None);
}

#[test]
fn product_and_deleted_product() {
    let product: Product = read(stripe("product"));
    assert_eq!(product.name.as_deref(), Some("T-shirt"));
    assert_eq!(
        product.description.as_deref(),
        Some("Comfortable gray cotton t-shirt")
    );
    assert_eq!(product.active, Some(true));
    assert!(product.images.is_empty());
    assert_eq!(
        product.default_price.as_ref().map(|price| price.id()),
        Some("price_1PgafmB7WZ01zgkW02Hf9z6c")
    );
    assert!(!product.deleted);

    let deleted: Product = read(stripe("deleted_product"));
    assert!(deleted.deleted);
    assert_eq!(deleted.name, None);
}

#[test]
fn price_and_plan_read_as_the_same_type() {
    let price: Price = read(stripe("price"));
    assert!(!price.is_plan());
    assert_eq!(price.product_id(), Some("prod_QXg1hqf4jFNsqG"));
    assert_eq!(price.unit_amount, Some(2000));
    assert_eq!(price.currency.as_deref(), Some("usd"));
    assert_eq!(price.interval(), Some(&RecurringInterval::Month));
    assert_eq!(price.interval_count(), Some(1));

    let plan: Price = read(stripe("plan"));
    assert!(plan.is_plan());
    assert_eq!(plan.id, price.id);
    assert_eq!(plan.product_id(), price.product_id());
    assert_eq!(plan.unit_amount, price.unit_amount);
    assert_eq!(plan.recurring, price.recurring);
}

#[test]
fn one_time_price_has_no_recurrence_even_with_a_stray_recurring_object() {
    // Stripe's example checkout line item has a `type: one_time` price that
    // still carries a `recurring` object; `type` decides.
    let item = stripe("item");
    let price: Price = read(item["price"].clone());
    assert!(!price.is_recurring());
    assert_eq!(price.unit_amount, Some(1000));
}

#[test]
fn invoice_finds_its_subscription_under_parent() {
    let invoice: Invoice = read(stripe("invoice"));
    assert_eq!(invoice.id, "in_1Pgc6tB7WZ01zgkWu9fdqL6I");
    assert_eq!(invoice.customer_id(), Some("cus_QXg1o8vcGmoR32"));
    // Top-level `subscription` is null; the subscription is under `parent`.
    assert_eq!(invoice.subscription, None);
    assert_eq!(invoice.subscription_id(), Some("subscription"));
    assert_eq!(invoice.paid, None, "the current shape has no `paid` flag");
    assert!(!invoice.is_paid());
    assert_eq!(invoice.status.as_deref(), Some("draft"));
    assert_eq!(invoice.amount_paid, Some(0));
    assert_eq!(invoice.amount_due, Some(1000));

    let line = &invoice.lines.data[0];
    assert_eq!(line.amount, Some(1000));
    assert_eq!(line.subscription_id(), Some("subscription"));
    // The example line's `pricing` has no `price_details`: no price known.
    assert_eq!(line.price_id(), None);
    assert_eq!(line.product_id(), None);
}

#[test]
fn invoice_line_reads_price_details() {
    // Adjusted: `pricing.price_details` filled in (shape per Stripe's API
    // reference for invoice line items), status set to paid.
    let mut value = stripe("invoice");
    value["status"] = json!("paid");
    value["lines"]["data"][0]["pricing"]["price_details"] =
        json!({ "price": "price_1PgafmB7WZ01zgkW6dKueIc5", "product": "prod_QXg1hqf4jFNsqG" });
    let invoice: Invoice = read(value);
    assert!(invoice.is_paid());
    let line = &invoice.lines.data[0];
    assert_eq!(line.price_id(), Some("price_1PgafmB7WZ01zgkW6dKueIc5"));
    assert_eq!(line.product_id(), Some("prod_QXg1hqf4jFNsqG"));
    assert_eq!(invoice.product_ids(), vec!["prod_QXg1hqf4jFNsqG"]);
}

#[test]
fn standalone_invoice_line_item() {
    let line: InvoiceLine = read(stripe("line_item"));
    assert_eq!(line.id, "il_tmp_1Pgc6sB7WZ01zgkWrG16hkdl");
    assert_eq!(line.period.map(|period| period.end), Some(1721954054));
    assert_eq!(line.subscription_id(), Some("subscription"));
}

#[test]
fn charge_and_refund_state() {
    let charge: Charge = read(stripe("charge"));
    assert_eq!(charge.id, "ch_1PgafuB7WZ01zgkWXYmPNZs8");
    assert_eq!(charge.amount, 100);
    assert_eq!(charge.amount_refunded, 0);
    assert!(!charge.refunded);
    assert!(!charge.is_fully_refunded());
    assert_eq!(charge.customer_id(), None);
    assert_eq!(charge.payment_intent_id(), None);
    assert_eq!(
        charge.invoice_id(),
        None,
        "the current shape has no `invoice`"
    );

    // Adjusted: refunded in part, then in full.
    let mut value = stripe("charge");
    value["amount_refunded"] = json!(40);
    assert!(!read::<Charge>(value.clone()).is_fully_refunded());
    value["amount_refunded"] = json!(100);
    value["refunded"] = json!(true);
    assert!(read::<Charge>(value).is_fully_refunded());
}

#[test]
fn payment_intent() {
    let intent: PaymentIntent = read(stripe("payment_intent"));
    assert_eq!(intent.id, "pi_1PgafyB7WZ01zgkWSjxsAJo3");
    assert_eq!(intent.amount, 1099);
    assert_eq!(intent.status.as_deref(), Some("requires_payment_method"));
    assert!(!intent.is_succeeded());
    assert_eq!(intent.customer_id(), None);
}

#[test]
fn checkout_session() {
    let session: CheckoutSession = read(stripe("checkout.session"));
    assert_eq!(
        session.id,
        "cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY"
    );
    assert_eq!(session.mode.as_deref(), Some("payment"));
    assert_eq!(session.status.as_deref(), Some("open"));
    assert_eq!(session.payment_status.as_deref(), Some("unpaid"));
    assert!(!session.is_paid());
    assert_eq!(session.customer_id(), None);
    assert_eq!(session.customer_email, None);
    assert_eq!(session.buyer_email(), Some("example@example.com"));
    assert_eq!(session.client_reference_id, None);
    assert_eq!(session.subscription_id(), None);
    assert_eq!(
        session.payment_intent_id(),
        Some("pi_1PgafyB7WZ01zgkWSjxsAJo3")
    );
    assert!(
        session
            .url
            .as_deref()
            .is_some_and(|url| url.starts_with("https://checkout.stripe.com/"))
    );
    assert_eq!(session.line_items, None);
}

#[test]
fn checkout_session_with_expanded_line_items() {
    // Adjusted: `line_items` expanded with Stripe's example `item`.
    let mut value = stripe("checkout.session");
    value["line_items"] = list_of(
        vec![stripe("item")],
        "/v1/checkout/sessions/cs_test/line_items",
        false,
    );
    let session: CheckoutSession = read(value);
    let items = session.line_items.expect("expanded line items");
    assert_eq!(
        items.data[0].price_id(),
        Some("price_1PgafmB7WZ01zgkW02Hf9z6c")
    );
    assert_eq!(items.data[0].product_id(), Some("prod_QXg1hqf4jFNsqG"));
    assert_eq!(items.data[0].quantity, Some(1));
}

#[test]
fn account_display_name_falls_back_to_email() {
    let account: Account = read(stripe("account"));
    assert_eq!(account.id, "acct_1PgafTB7WZ01zgkW");
    assert_eq!(account.email.as_deref(), Some("site@stripe.com"));
    assert_eq!(account.display_name(), Some("site@stripe.com"));

    // Adjusted: names filled in.
    let mut value = stripe("account");
    value["business_profile"]["name"] = json!("Acme Courses LLC");
    assert_eq!(
        read::<Account>(value.clone()).display_name(),
        Some("Acme Courses LLC")
    );
    value["settings"]["dashboard"]["display_name"] = json!("Acme Courses");
    assert_eq!(read::<Account>(value).display_name(), Some("Acme Courses"));
}

#[test]
fn webhook_endpoint_and_its_secret_stay_redacted() {
    let endpoint: WebhookEndpoint = read(stripe("webhook_endpoint"));
    assert_eq!(endpoint.id, "we_1Pgc6yB7WZ01zgkWzAudq4eU");
    assert_eq!(endpoint.url, "https://example.com/my/webhook/endpoint");
    assert_eq!(
        endpoint.enabled_events,
        vec!["charge.failed", "charge.succeeded"]
    );
    assert_eq!(endpoint.api_version, None);
    assert_eq!(endpoint.status.as_deref(), Some("enabled"));
    assert!(endpoint.secret.is_none());

    // Adjusted: the secret Stripe returns only on creation.
    let mut value = stripe("webhook_endpoint");
    value["secret"] = json!("whsec_do_not_print_me");
    let created: WebhookEndpoint = read(value);
    use secrecy::ExposeSecret;
    assert_eq!(
        created.secret.as_ref().map(|secret| secret.expose_secret()),
        Some("whsec_do_not_print_me")
    );
    assert!(!format!("{created:?}").contains("whsec_do_not_print_me"));

    let deleted: DeletedObject = read(stripe("deleted_webhook_endpoint"));
    assert!(deleted.deleted);
}

#[test]
fn payment_link() {
    let link: PaymentLink = read(stripe("payment_link"));
    assert_eq!(link.id, "plink_1Pgc78B7WZ01zgkWC75kX0jg");
    assert_eq!(link.active, Some(true));
    assert!(link.url.starts_with("https://"));
}

#[test]
fn billing_portal_configuration_and_session() {
    let configuration: BillingPortalConfiguration = read(stripe("billing_portal.configuration"));
    assert_eq!(configuration.id, "bpc_1Pgc70B7WZ01zgkWSnFO04Vt");
    let profile = configuration
        .business_profile
        .as_ref()
        .expect("business_profile");
    assert_eq!(
        profile.privacy_policy_url.as_deref(),
        Some("https://example.com/privacy")
    );
    assert_eq!(
        profile.terms_of_service_url.as_deref(),
        Some("https://example.com/terms")
    );
    assert!(!configuration.allows_cancel());
    let features = configuration.features.as_ref().expect("features");
    let cancel = features
        .subscription_cancel
        .as_ref()
        .expect("subscription_cancel");
    assert_eq!(cancel.mode.as_deref(), Some("at_period_end"));
    let customer_update = features.customer_update.as_ref().expect("customer_update");
    assert_eq!(customer_update.allowed_updates, vec!["email", "tax_id"]);
    assert!(
        configuration.metadata.is_empty(),
        "null metadata reads as empty"
    );

    let session: BillingPortalSession = read(stripe("billing_portal.session"));
    assert_eq!(
        session.customer.as_ref().map(|customer| customer.id()),
        Some("cus_QXg1o8vcGmoR32")
    );
    assert_eq!(
        session.return_url.as_deref(),
        Some("https://example.com/account")
    );
    assert!(session.url.starts_with("https://"));
}

#[test]
fn example_event_carries_a_plan_and_a_null_api_version() {
    let event: Event = read(stripe("event"));
    assert_eq!(event.id, "evt_1Pgc76B7WZ01zgkWwyRHS12y");
    assert_eq!(event.event_type, "plan.created");
    assert_eq!(event.kind(), EventKind::Other("plan.created".into()));
    assert_eq!(event.api_version, None);
    assert_eq!(event.account, None);
    assert!(!event.livemode);
    assert_eq!(event.object_type(), Some("plan"));
    assert_eq!(event.object_id(), Some("price_1PgafmB7WZ01zgkW6dKueIc5"));
    let plan = event.price().expect("a plan reads as a price");
    assert!(plan.is_plan());
    assert_eq!(plan.unit_amount, Some(2000));
    assert!(matches!(
        event.subscription(),
        Err(EventObjectError::UnexpectedObject {
            expected: "subscription",
            ..
        })
    ));
}

#[test]
fn subscription_updated_event_built_from_example_objects() {
    // Adjusted: Stripe's example event envelope around Stripe's example
    // subscription, with the type and previous_attributes of an update.
    let mut value = stripe("event");
    value["type"] = json!("customer.subscription.updated");
    value["account"] = json!("acct_1PgafTB7WZ01zgkW");
    value["data"]["object"] = stripe("subscription");
    value["data"]["previous_attributes"] = json!({ "cancel_at_period_end": false });
    let payload = serde_json::to_vec(&value).expect("serialize");
    let event = Event::from_slice(&payload).expect("event parses");
    assert_eq!(event.kind(), EventKind::CustomerSubscriptionUpdated);
    assert_eq!(event.account.as_deref(), Some("acct_1PgafTB7WZ01zgkW"));
    assert!(event.changed("cancel_at_period_end"));
    assert!(!event.changed("status"));
    assert_eq!(
        event.previous_attribute("cancel_at_period_end"),
        Some(&json!(false))
    );
    let subscription = event.subscription().expect("typed subscription");
    assert!(subscription.cancel_at_period_end);
    assert!(matches!(
        event.invoice(),
        Err(EventObjectError::UnexpectedObject { .. })
    ));
}

#[test]
fn event_with_an_unreadable_object_still_parses() {
    // Adjusted: a subscription without its required `status`. The event
    // parses (so it can be stored); asking for the typed object fails.
    let mut value = stripe("event");
    value["type"] = json!("customer.subscription.updated");
    let mut subscription = stripe("subscription");
    subscription
        .as_object_mut()
        .expect("object")
        .remove("status");
    value["data"]["object"] = subscription;
    let event: Event = read(value);
    assert!(matches!(
        event.subscription(),
        Err(EventObjectError::Invalid {
            object: "subscription",
            ..
        })
    ));
}

#[test]
fn event_kinds_round_trip() {
    let known = [
        (
            "checkout.session.completed",
            EventKind::CheckoutSessionCompleted,
        ),
        (
            "checkout.session.async_payment_succeeded",
            EventKind::CheckoutSessionAsyncPaymentSucceeded,
        ),
        (
            "customer.subscription.created",
            EventKind::CustomerSubscriptionCreated,
        ),
        (
            "customer.subscription.updated",
            EventKind::CustomerSubscriptionUpdated,
        ),
        (
            "customer.subscription.deleted",
            EventKind::CustomerSubscriptionDeleted,
        ),
        (
            "customer.subscription.paused",
            EventKind::CustomerSubscriptionPaused,
        ),
        (
            "customer.subscription.resumed",
            EventKind::CustomerSubscriptionResumed,
        ),
        (
            "customer.subscription.trial_will_end",
            EventKind::CustomerSubscriptionTrialWillEnd,
        ),
        ("invoice.paid", EventKind::InvoicePaid),
        (
            "invoice.payment_succeeded",
            EventKind::InvoicePaymentSucceeded,
        ),
        ("invoice.payment_failed", EventKind::InvoicePaymentFailed),
        ("charge.refunded", EventKind::ChargeRefunded),
        ("customer.updated", EventKind::CustomerUpdated),
        ("customer.deleted", EventKind::CustomerDeleted),
        ("product.updated", EventKind::ProductUpdated),
        ("product.deleted", EventKind::ProductDeleted),
        ("price.created", EventKind::PriceCreated),
        ("price.updated", EventKind::PriceUpdated),
    ];
    for (text, kind) in known {
        assert_eq!(EventKind::parse(text), kind);
        assert_eq!(kind.as_str(), text);
    }
    assert_eq!(
        EventKind::parse("radar.early_fraud_warning.created"),
        EventKind::Other("radar.early_fraud_warning.created".into())
    );
}

#[test]
fn list_envelope() {
    let list: List<Subscription> = read(list_of(
        vec![stripe("subscription")],
        "/v1/subscriptions",
        true,
    ));
    assert!(list.has_more);
    assert_eq!(list.url.as_deref(), Some("/v1/subscriptions"));
    assert_eq!(list.data.len(), 1);
}
