//! The client builds Stripe requests correctly (method, path, form body or
//! query, headers) and reads the answers, checked against a stub server
//! answering with Stripe's example objects.

use std::collections::BTreeMap;

use secrecy::SecretString;
use serde_json::json;
use tollgate_stripe::StripeClient;
use tollgate_stripe::client::{CreatePrice, CreateProduct, ListPrices, ListProducts, ListSubscriptions, RecurringParams, StripeError, SubscriptionStatusFilter};
use tollgate_stripe::types::{RecurringInterval, SubscriptionStatus};

use crate::fixtures::{list_of, stripe};
use crate::stub_stripe::{CannedResponse, StubStripe};

pub(crate) const SECRET_KEY: &str = "sk_test_tollgate_key";

pub(crate) fn client_for(stub: &StubStripe) -> StripeClient {
    StripeClient::builder(SecretString::from(SECRET_KEY))
        .base_url(&stub.base_url)
        .build()
        .expect("client")
}

pub(crate) fn pairs(expected: &[(&str, &str)]) -> Vec<(String, String)> {
    let mut pairs: Vec<(String, String)> = expected
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect();
    pairs.sort();
    pairs
}

pub(crate) fn metadata(entries: &[(&str, &str)]) -> BTreeMap<String, String> {
    entries
        .iter()
        .map(|(key, value)| ((*key).to_owned(), (*value).to_owned()))
        .collect()
}

#[tokio::test]
async fn get_sends_the_key_the_pinned_version_and_the_connected_account() {
    let stub = StubStripe::start(vec![CannedResponse::json(200, &stripe("product"))]).await;
    let client = StripeClient::builder(SecretString::from(SECRET_KEY))
        .base_url(&stub.base_url)
        .stripe_version("2017-08-15")
        .stripe_account("acct_1PgafTB7WZ01zgkW")
        .build()
        .expect("client");

    let product = client
        .retrieve_product("prod_QXg1hqf4jFNsqG")
        .await
        .expect("product");
    assert_eq!(product.name.as_deref(), Some("T-shirt"));

    let request = stub.single_request();
    assert_eq!(request.method, "GET");
    assert_eq!(request.path, "/v1/products/prod_QXg1hqf4jFNsqG");
    assert_eq!(request.query, None);
    assert_eq!(
        request.header("authorization"),
        Some("Bearer sk_test_tollgate_key")
    );
    assert_eq!(request.header("stripe-version"), Some("2017-08-15"));
    assert_eq!(
        request.header("stripe-account"),
        Some("acct_1PgafTB7WZ01zgkW")
    );
    assert_eq!(request.header("idempotency-key"), None);
    assert!(request.body.is_empty());
}

#[tokio::test]
async fn without_pins_no_version_or_account_header_is_sent() {
    let stub = StubStripe::start(vec![CannedResponse::json(200, &stripe("account"))]).await;
    let account = client_for(&stub).retrieve_account().await.expect("account");
    assert_eq!(account.id, "acct_1PgafTB7WZ01zgkW");
    let request = stub.single_request();
    assert_eq!(request.path, "/v1/account");
    assert_eq!(request.header("stripe-version"), None);
    assert_eq!(request.header("stripe-account"), None);
}

#[tokio::test]
async fn for_account_adds_the_connect_header() {
    let stub = StubStripe::start(vec![CannedResponse::json(200, &stripe("customer"))]).await;
    let client = client_for(&stub).for_account("acct_connected");
    client
        .retrieve_customer("cus_QXg1o8vcGmoR32")
        .await
        .expect("customer");
    assert_eq!(
        stub.single_request().header("stripe-account"),
        Some("acct_connected")
    );
}

#[tokio::test]
async fn ids_are_percent_encoded_in_paths() {
    // Old plans could have any id.
    let mut plan = stripe("plan");
    plan["id"] = json!("gold plan/2");
    let stub = StubStripe::start(vec![CannedResponse::json(200, &plan)]).await;
    let price = client_for(&stub)
        .retrieve_price("gold plan/2")
        .await
        .expect("price");
    assert!(price.is_plan());
    assert_eq!(stub.single_request().path, "/v1/prices/gold%20plan%2F2");
}

#[tokio::test]
async fn create_product_posts_a_form_with_an_idempotency_key() {
    let stub = StubStripe::start(vec![CannedResponse::json(200, &stripe("product"))]).await;
    let params = CreateProduct {
        name: "Membership Mastermind".into(),
        description: Some("Monthly calls & notes".into()),
        images: vec!["https://hub.example.com/img/mastermind.png".into()],
        metadata: metadata(&[("tollgate_product_id", "prd_01")]),
    };
    client_for(&stub)
        .create_product(&params, Some("tollgate-create-product-prd_01"))
        .await
        .expect("product");

    let request = stub.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/v1/products");
    assert_eq!(
        request.header("content-type"),
        Some("application/x-www-form-urlencoded")
    );
    assert_eq!(
        request.header("idempotency-key"),
        Some("tollgate-create-product-prd_01")
    );
    assert_eq!(
        request.header("authorization"),
        Some("Bearer sk_test_tollgate_key")
    );
    assert_eq!(
        request.form(),
        pairs(&[
            ("name", "Membership Mastermind"),
            ("description", "Monthly calls & notes"),
            ("images[0]", "https://hub.example.com/img/mastermind.png"),
            ("metadata[tollgate_product_id]", "prd_01"),
        ])
    );
}

#[tokio::test]
async fn create_price_recurring_and_one_off() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &stripe("price")),
        CannedResponse::json(200, &stripe("price")),
    ])
    .await;
    let client = client_for(&stub);
    let recurring = CreatePrice {
        product: "prod_QXg1hqf4jFNsqG".into(),
        currency: "usd".into(),
        unit_amount: 2000,
        recurring: Some(RecurringParams {
            interval: RecurringInterval::Month,
            interval_count: Some(3),
        }),
        nickname: None,
        metadata: BTreeMap::new(),
    };
    let price = client.create_price(&recurring, None).await.expect("price");
    assert_eq!(price.unit_amount, Some(2000));
    let one_off = CreatePrice {
        recurring: None,
        unit_amount: 4900,
        ..recurring
    };
    client.create_price(&one_off, None).await.expect("price");

    let requests = stub.requests();
    assert_eq!(requests[0].path, "/v1/prices");
    assert_eq!(requests[0].header("idempotency-key"), None);
    assert_eq!(
        requests[0].form(),
        pairs(&[
            ("product", "prod_QXg1hqf4jFNsqG"),
            ("currency", "usd"),
            ("unit_amount", "2000"),
            ("recurring[interval]", "month"),
            ("recurring[interval_count]", "3"),
        ])
    );
    assert_eq!(
        requests[1].form(),
        pairs(&[
            ("product", "prod_QXg1hqf4jFNsqG"),
            ("currency", "usd"),
            ("unit_amount", "4900"),
        ])
    );
}

#[tokio::test]
async fn list_prices_and_products_put_filters_in_the_query() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &list_of(vec![stripe("price")], "/v1/prices", false)),
        CannedResponse::json(
            200,
            &list_of(vec![stripe("product")], "/v1/products", false),
        ),
    ])
    .await;
    let client = client_for(&stub);
    let prices = client
        .list_prices(&ListPrices {
            product: Some("prod_QXg1hqf4jFNsqG".into()),
            active: Some(true),
            ..ListPrices::default()
        })
        .await
        .expect("prices");
    assert_eq!(prices.data.len(), 1);
    let products = client
        .list_products(&ListProducts {
            active: Some(true),
            limit: Some(10),
            ..ListProducts::default()
        })
        .await
        .expect("products");
    assert_eq!(products.data[0].id, "prod_QXg1hqf4jFNsqG");

    let requests = stub.requests();
    assert_eq!(
        (requests[0].method.as_str(), requests[0].path.as_str()),
        ("GET", "/v1/prices")
    );
    assert_eq!(
        requests[0].query_pairs(),
        pairs(&[("product", "prod_QXg1hqf4jFNsqG"), ("active", "true")])
    );
    assert!(requests[0].body.is_empty());
    assert_eq!(
        requests[1].query_pairs(),
        pairs(&[("active", "true"), ("limit", "10")])
    );
}

#[tokio::test]
async fn list_subscriptions_by_price_with_status_all() {
    let stub = StubStripe::start(vec![CannedResponse::json(
        200,
        &list_of(vec![stripe("subscription")], "/v1/subscriptions", false),
    )])
    .await;
    let page = client_for(&stub)
        .list_subscriptions(&ListSubscriptions {
            price: Some("price_1PgafmB7WZ01zgkW6dKueIc5".into()),
            status: Some(SubscriptionStatusFilter::All),
            limit: Some(100),
            starting_after: Some("sub_previous".into()),
            ..ListSubscriptions::default()
        })
        .await
        .expect("subscriptions");
    assert_eq!(page.data[0].status, SubscriptionStatus::Active);
    let request = stub.single_request();
    assert_eq!(request.path, "/v1/subscriptions");
    assert_eq!(
        request.query_pairs(),
        pairs(&[
            ("price", "price_1PgafmB7WZ01zgkW6dKueIc5"),
            ("status", "all"),
            ("limit", "100"),
            ("starting_after", "sub_previous"),
        ])
    );
}

#[tokio::test]
async fn list_subscriptions_by_plan_customer_and_one_status() {
    let stub = StubStripe::start(vec![CannedResponse::json(
        200,
        &list_of(vec![], "/v1/subscriptions", false),
    )])
    .await;
    client_for(&stub)
        .list_subscriptions(&ListSubscriptions {
            plan: Some("plan_monthly_gold".into()),
            customer: Some("cus_1".into()),
            status: Some(SubscriptionStatusFilter::Is(SubscriptionStatus::PastDue)),
            ..ListSubscriptions::default()
        })
        .await
        .expect("subscriptions");
    assert_eq!(
        stub.single_request().query_pairs(),
        pairs(&[
            ("plan", "plan_monthly_gold"),
            ("customer", "cus_1"),
            ("status", "past_due")
        ])
    );
}

fn product_with_id(id: &str) -> serde_json::Value {
    let mut product = stripe("product");
    product["id"] = json!(id);
    product
}

#[tokio::test]
async fn list_all_follows_starting_after_until_has_more_is_false() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(
            200,
            &list_of(
                vec![product_with_id("prod_1"), product_with_id("prod_2")],
                "/v1/products",
                true,
            ),
        ),
        CannedResponse::json(
            200,
            &list_of(
                vec![product_with_id("prod_3"), product_with_id("prod_4")],
                "/v1/products",
                true,
            ),
        ),
        CannedResponse::json(
            200,
            &list_of(vec![product_with_id("prod_5")], "/v1/products", false),
        ),
    ])
    .await;
    let products = client_for(&stub)
        .list_all(&ListProducts {
            active: Some(true),
            ..ListProducts::default()
        })
        .await
        .expect("all products");
    let ids: Vec<&str> = products.iter().map(|product| product.id.as_str()).collect();
    assert_eq!(ids, vec!["prod_1", "prod_2", "prod_3", "prod_4", "prod_5"]);

    let queries: Vec<Vec<(String, String)>> = stub
        .requests()
        .iter()
        .map(|request| request.query_pairs())
        .collect();
    assert_eq!(
        queries,
        vec![
            pairs(&[("active", "true"), ("limit", "100")]),
            pairs(&[
                ("active", "true"),
                ("limit", "100"),
                ("starting_after", "prod_2")
            ]),
            pairs(&[
                ("active", "true"),
                ("limit", "100"),
                ("starting_after", "prod_4")
            ]),
        ]
    );
}

#[tokio::test]
async fn list_all_stops_when_the_list_does_not_advance() {
    let page = list_of(vec![product_with_id("prod_1")], "/v1/products", true);
    let stub = StubStripe::start(vec![
        CannedResponse::json(200, &page),
        CannedResponse::json(200, &page),
    ])
    .await;
    let result = client_for(&stub).list_all(&ListProducts::default()).await;
    assert!(matches!(
        result,
        Err(StripeError::PaginationStuck { ref starting_after, .. }) if starting_after == "prod_1"
    ));
    assert_eq!(stub.requests().len(), 2);
}
