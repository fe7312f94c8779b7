//! The client's requests for selling and after-sale (subscriptions,
//! customers, events, webhook endpoints, past purchases, Checkout, Payment
//! Links, the billing portal), checked against a stub server answering with
//! Stripe's example objects. Catalog and header tests: `client_requests`.

use std::collections::BTreeMap;

use secrecy::ExposeSecret;
use serde_json::json;
use tollgate_stripe::client::*;
use tollgate_stripe::types::SubscriptionStatus;

use crate::client_requests::{client_for, metadata, pairs};
use crate::fixtures::{list_of, stripe};
use crate::stub_stripe::{CannedResponse, StubStripe};

#[tokio::test]
async fn update_then_cancel_a_subscription() {
    let mut canceled = stripe("subscription");
    canceled["status"] = json!("canceled");
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &stripe("subscription")),
        CannedResponse::json(200, &canceled),
    ])
    .await;
    let client = client_for(&stub);
    let updated = client
        .update_subscription(
            "sub_1Pgc6rB7WZ01zgkWNy0Cn5nw",
            &UpdateSubscription {
                cancel_at_period_end: Some(true),
                ..UpdateSubscription::default()
            },
            Some("cancel-at-end-1"),
        )
        .await
        .expect("updated");
    assert!(updated.cancel_at_period_end);
    let canceled = client
        .cancel_subscription("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw")
        .await
        .expect("canceled");
    assert_eq!(canceled.status, SubscriptionStatus::Canceled);

    let requests = stub.requests();
    assert_eq!(requests[0].method, "POST");
    assert_eq!(
        requests[0].path,
        "/v1/subscriptions/sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"
    );
    assert_eq!(
        requests[0].form(),
        pairs(&[("cancel_at_period_end", "true")])
    );
    assert_eq!(
        requests[0].header("idempotency-key"),
        Some("cancel-at-end-1")
    );
    assert_eq!(requests[1].method, "DELETE");
    assert_eq!(
        requests[1].path,
        "/v1/subscriptions/sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"
    );
    assert!(requests[1].body.is_empty());
}

#[tokio::test]
async fn retrieve_subscription() {
    let stub = StubStripe::start(vec![CannedResponse::json(200, &stripe("subscription"))]).await;
    let subscription = client_for(&stub)
        .retrieve_subscription("sub_1Pgc6rB7WZ01zgkWNy0Cn5nw")
        .await
        .expect("subscription");
    assert_eq!(subscription.period_end(), Some(976287773));
    assert_eq!(
        stub.single_request().path,
        "/v1/subscriptions/sub_1Pgc6rB7WZ01zgkWNy0Cn5nw"
    );
}

#[tokio::test]
async fn customers_by_email_and_creation() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(
            200,
            &list_of(vec![stripe("customer")], "/v1/customers", false),
        ),
        CannedResponse::json(200, &stripe("customer")),
    ])
    .await;
    let client = client_for(&stub);
    let found = client
        .list_customers(&ListCustomers {
            email: Some("buyer+tag@example.com".into()),
            ..ListCustomers::default()
        })
        .await
        .expect("customers");
    assert_eq!(found.data.len(), 1);
    client
        .create_customer(
            &CreateCustomer {
                email: Some("buyer+tag@example.com".into()),
                name: Some("Buyer".into()),
                metadata: metadata(&[("tollgate_user_id", "usr_1")]),
            },
            Some("create-customer-usr_1"),
        )
        .await
        .expect("customer");

    let requests = stub.requests();
    assert_eq!(requests[0].path, "/v1/customers");
    assert_eq!(
        requests[0].query_pairs(),
        pairs(&[("email", "buyer+tag@example.com")])
    );
    assert_eq!(requests[1].method, "POST");
    assert_eq!(
        requests[1].form(),
        pairs(&[
            ("email", "buyer+tag@example.com"),
            ("name", "Buyer"),
            ("metadata[tollgate_user_id]", "usr_1"),
        ])
    );
}

#[tokio::test]
async fn list_events_created_after_with_types() {
    let stub = StubStripe::start(vec![CannedResponse::json(
        200,
        &list_of(vec![stripe("event")], "/v1/events", false),
    )])
    .await;
    let events = client_for(&stub)
        .list_events(&ListEvents {
            created: Some(CreatedFilter::after(1_700_000_000)),
            types: vec![
                "customer.subscription.updated".into(),
                "invoice.paid".into(),
            ],
            limit: Some(50),
            starting_after: Some("evt_previous".into()),
            ..ListEvents::default()
        })
        .await
        .expect("events");
    assert_eq!(events.data[0].event_type, "plan.created");
    let request = stub.single_request();
    assert_eq!(request.path, "/v1/events");
    assert_eq!(
        request.query_pairs(),
        pairs(&[
            ("created[gt]", "1700000000"),
            ("types[0]", "customer.subscription.updated"),
            ("types[1]", "invoice.paid"),
            ("limit", "50"),
            ("starting_after", "evt_previous"),
        ])
    );
}

#[tokio::test]
async fn webhook_endpoints_create_list_delete() {
    // Adjusted: the creation answer carries the signing secret, as Stripe's does.
    let mut created = stripe("webhook_endpoint");
    created["secret"] = json!("whsec_from_creation");
    created["api_version"] = json!("2025-03-31.basil");
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &created),
        CannedResponse::json(
            200,
            &list_of(
                vec![stripe("webhook_endpoint")],
                "/v1/webhook_endpoints",
                false,
            ),
        ),
        CannedResponse::json(200, &stripe("deleted_webhook_endpoint")),
    ])
    .await;
    let client = client_for(&stub);
    let endpoint = client
        .create_webhook_endpoint(
            &CreateWebhookEndpoint {
                url: "https://hub.example.com/webhooks/stripe/app_1".into(),
                enabled_events: vec![
                    "checkout.session.completed".into(),
                    "customer.subscription.updated".into(),
                ],
                api_version: Some("2025-03-31.basil".into()),
                ..CreateWebhookEndpoint::default()
            },
            Some("webhook-app_1"),
        )
        .await
        .expect("endpoint");
    assert_eq!(
        endpoint
            .secret
            .as_ref()
            .map(|secret| secret.expose_secret()),
        Some("whsec_from_creation")
    );
    let listed = client
        .list_webhook_endpoints(&ListWebhookEndpoints::default())
        .await
        .expect("endpoints");
    assert!(listed.data[0].secret.is_none());
    let deleted = client
        .delete_webhook_endpoint("we_1Pgc6yB7WZ01zgkWzAudq4eU")
        .await
        .expect("deleted");
    assert!(deleted.deleted);

    let requests = stub.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/v1/webhook_endpoints")
    );
    assert_eq!(
        requests[0].form(),
        pairs(&[
            ("url", "https://hub.example.com/webhooks/stripe/app_1"),
            ("enabled_events[0]", "checkout.session.completed"),
            ("enabled_events[1]", "customer.subscription.updated"),
            ("api_version", "2025-03-31.basil"),
        ])
    );
    assert_eq!(
        (requests[1].method.as_str(), requests[1].path.as_str()),
        ("GET", "/v1/webhook_endpoints")
    );
    assert_eq!(
        (requests[2].method.as_str(), requests[2].path.as_str()),
        (
            "DELETE",
            "/v1/webhook_endpoints/we_1Pgc6yB7WZ01zgkWzAudq4eU"
        )
    );
}

#[tokio::test]
async fn past_purchases_lists() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &list_of(vec![stripe("charge")], "/v1/charges", false)),
        CannedResponse::json(
            200,
            &list_of(vec![stripe("payment_intent")], "/v1/payment_intents", false),
        ),
        CannedResponse::json(
            200,
            &list_of(vec![stripe("invoice")], "/v1/invoices", false),
        ),
    ])
    .await;
    let client = client_for(&stub);
    let charges = client
        .list_charges(&ListCharges {
            customer: Some("cus_1".into()),
            ..ListCharges::default()
        })
        .await
        .expect("charges");
    assert_eq!(charges.data[0].amount, 100);
    let intents = client
        .list_payment_intents(&ListPaymentIntents {
            customer: Some("cus_1".into()),
            created: Some(CreatedFilter {
                gte: Some(1_600_000_000),
                ..CreatedFilter::default()
            }),
            ..ListPaymentIntents::default()
        })
        .await
        .expect("payment intents");
    assert_eq!(intents.data[0].amount, 1099);
    let invoices = client
        .list_invoices(&ListInvoices {
            customer: Some("cus_1".into()),
            status: Some("paid".into()),
            ..ListInvoices::default()
        })
        .await
        .expect("invoices");
    assert_eq!(invoices.data[0].subscription_id(), Some("subscription"));

    let requests = stub.requests();
    assert_eq!(requests[0].path, "/v1/charges");
    assert_eq!(requests[0].query_pairs(), pairs(&[("customer", "cus_1")]));
    assert_eq!(requests[1].path, "/v1/payment_intents");
    assert_eq!(
        requests[1].query_pairs(),
        pairs(&[("customer", "cus_1"), ("created[gte]", "1600000000")])
    );
    assert_eq!(requests[2].path, "/v1/invoices");
    assert_eq!(
        requests[2].query_pairs(),
        pairs(&[("customer", "cus_1"), ("status", "paid")])
    );
}

#[tokio::test]
async fn checkout_session_create_and_retrieve_with_line_items() {
    // Adjusted for the retrieval: line items expanded with Stripe's example item.
    let mut expanded = stripe("checkout.session");
    expanded["line_items"] = list_of(
        vec![stripe("item")],
        "/v1/checkout/sessions/cs/line_items",
        false,
    );
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &stripe("checkout.session")),
        CannedResponse::json(200, &expanded),
    ])
    .await;
    let client = client_for(&stub);
    let session = client
        .create_checkout_session(
            &CreateCheckoutSession {
                mode: CheckoutMode::Subscription,
                line_items: vec![LineItemParams {
                    price: "price_1PgafmB7WZ01zgkW6dKueIc5".into(),
                    quantity: 1,
                }],
                success_url: "https://hub.example.com/checkout/done?session={CHECKOUT_SESSION_ID}"
                    .into(),
                cancel_url: Some("https://hub.example.com/products/mastermind".into()),
                customer: None,
                customer_email: Some("buyer@example.com".into()),
                customer_creation: None,
                client_reference_id: Some("usr_1".into()),
                metadata: metadata(&[("tollgate_product_id", "prd_01")]),
                subscription_data: Some(SubscriptionDataParams {
                    metadata: metadata(&[("tollgate_product_id", "prd_01")]),
                    trial_period_days: None,
                }),
                payment_intent_data: None,
                allow_promotion_codes: Some(true),
            },
            Some("checkout-usr_1-prd_01"),
        )
        .await
        .expect("session");
    assert!(session.url.is_some());
    let retrieved = client
        .retrieve_checkout_session(&session.id)
        .await
        .expect("session");
    let items = retrieved.line_items.expect("line items");
    assert_eq!(items.data[0].product_id(), Some("prod_QXg1hqf4jFNsqG"));

    let requests = stub.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("POST", "/v1/checkout/sessions")
    );
    assert_eq!(
        requests[0].header("idempotency-key"),
        Some("checkout-usr_1-prd_01")
    );
    assert_eq!(
        requests[0].form(),
        pairs(&[
            ("mode", "subscription"),
            ("line_items[0][price]", "price_1PgafmB7WZ01zgkW6dKueIc5"),
            ("line_items[0][quantity]", "1"),
            (
                "success_url",
                "https://hub.example.com/checkout/done?session={CHECKOUT_SESSION_ID}"
            ),
            ("cancel_url", "https://hub.example.com/products/mastermind"),
            ("customer_email", "buyer@example.com"),
            ("client_reference_id", "usr_1"),
            ("metadata[tollgate_product_id]", "prd_01"),
            ("subscription_data[metadata][tollgate_product_id]", "prd_01"),
            ("allow_promotion_codes", "true"),
        ])
    );
    assert_eq!(requests[1].method, "GET");
    assert_eq!(
        requests[1].path,
        "/v1/checkout/sessions/cs_test_a1YS1URlnyQCN5fUUduORoQ7Pw41PJqDWkIVQCpJPqkfIhd6tVY8XB1OLY"
    );
    assert_eq!(
        requests[1].query_pairs(),
        pairs(&[("expand[0]", "line_items")])
    );
}

#[tokio::test]
async fn payment_link_create_and_update() {
    let mut inactive = stripe("payment_link");
    inactive["active"] = json!(false);
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &stripe("payment_link")),
        CannedResponse::json(200, &inactive),
    ])
    .await;
    let client = client_for(&stub);
    let link = client
        .create_payment_link(
            &CreatePaymentLink {
                line_items: vec![LineItemParams {
                    price: "price_one_off".into(),
                    quantity: 1,
                }],
                metadata: metadata(&[("tollgate_product_id", "prd_02")]),
                after_completion: Some(AfterCompletionParams::redirect(
                    "https://hub.example.com/library",
                )),
                customer_creation: Some(CustomerCreation::Always),
                ..CreatePaymentLink::default()
            },
            None,
        )
        .await
        .expect("link");
    let updated = client
        .update_payment_link(
            &link.id,
            &UpdatePaymentLink {
                active: Some(false),
                ..UpdatePaymentLink::default()
            },
            None,
        )
        .await
        .expect("link");
    assert_eq!(updated.active, Some(false));

    let requests = stub.requests();
    assert_eq!(requests[0].path, "/v1/payment_links");
    assert_eq!(
        requests[0].form(),
        pairs(&[
            ("line_items[0][price]", "price_one_off"),
            ("line_items[0][quantity]", "1"),
            ("metadata[tollgate_product_id]", "prd_02"),
            ("after_completion[type]", "redirect"),
            (
                "after_completion[redirect][url]",
                "https://hub.example.com/library"
            ),
            ("customer_creation", "always"),
        ])
    );
    assert_eq!(
        requests[1].path,
        "/v1/payment_links/plink_1Pgc78B7WZ01zgkWC75kX0jg"
    );
    assert_eq!(requests[1].form(), pairs(&[("active", "false")]));
}

#[tokio::test]
async fn billing_portal_configuration_and_session() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &stripe("billing_portal.configuration")),
        CannedResponse::json(200, &stripe("billing_portal.configuration")),
        CannedResponse::json(200, &stripe("billing_portal.session")),
    ])
    .await;
    let client = client_for(&stub);
    let params = BillingPortalConfigurationParams {
        business_profile: Some(PortalBusinessProfileParams {
            headline: None,
            privacy_policy_url: Some("https://hub.example.com/privacy".into()),
            terms_of_service_url: Some("https://hub.example.com/terms".into()),
        }),
        default_return_url: Some("https://hub.example.com/account".into()),
        features: Some(PortalFeaturesParams {
            invoice_history: Some(PortalToggleParams { enabled: true }),
            payment_method_update: Some(PortalToggleParams { enabled: true }),
            subscription_cancel: Some(PortalSubscriptionCancelParams {
                enabled: true,
                mode: Some(PortalCancelMode::AtPeriodEnd),
            }),
            customer_update: None,
        }),
        metadata: BTreeMap::new(),
    };
    let configuration = client
        .create_billing_portal_configuration(&params, Some("portal-app_1"))
        .await
        .expect("configuration");
    client
        .update_billing_portal_configuration(&configuration.id, &params, None)
        .await
        .expect("configuration");
    let session = client
        .create_billing_portal_session(
            &CreateBillingPortalSession {
                customer: "cus_QXg1o8vcGmoR32".into(),
                return_url: Some("https://hub.example.com/account".into()),
                configuration: Some(configuration.id.clone()),
            },
            None,
        )
        .await
        .expect("session");
    assert!(session.url.starts_with("https://"));

    let requests = stub.requests();
    let expected_form = pairs(&[
        (
            "business_profile[privacy_policy_url]",
            "https://hub.example.com/privacy",
        ),
        (
            "business_profile[terms_of_service_url]",
            "https://hub.example.com/terms",
        ),
        ("default_return_url", "https://hub.example.com/account"),
        ("features[invoice_history][enabled]", "true"),
        ("features[payment_method_update][enabled]", "true"),
        ("features[subscription_cancel][enabled]", "true"),
        ("features[subscription_cancel][mode]", "at_period_end"),
    ]);
    assert_eq!(requests[0].path, "/v1/billing_portal/configurations");
    assert_eq!(requests[0].form(), expected_form);
    assert_eq!(requests[0].header("idempotency-key"), Some("portal-app_1"));
    assert_eq!(
        requests[1].path,
        "/v1/billing_portal/configurations/bpc_1Pgc70B7WZ01zgkWSnFO04Vt"
    );
    assert_eq!(requests[1].form(), expected_form);
    assert_eq!(requests[2].path, "/v1/billing_portal/sessions");
    assert_eq!(
        requests[2].form(),
        pairs(&[
            ("customer", "cus_QXg1o8vcGmoR32"),
            ("return_url", "https://hub.example.com/account"),
            ("configuration", "bpc_1Pgc70B7WZ01zgkWSnFO04Vt"),
        ])
    );
}

#[tokio::test]
async fn retrieve_event_by_id() {
    let stub = StubStripe::start(vec![CannedResponse::json(200, &stripe("event"))]).await;
    let event = client_for(&stub)
        .retrieve_event("evt_1Pgc76B7WZ01zgkWwyRHS12y")
        .await
        .expect("event");
    assert_eq!(event.id, "evt_1Pgc76B7WZ01zgkWwyRHS12y");
    assert_eq!(
        stub.single_request().path,
        "/v1/events/evt_1Pgc76B7WZ01zgkWwyRHS12y"
    );
}
