//! The client turns Stripe's error answers (and the lack of one) into
//! `StripeError`, marking what is worth retrying.

use std::error::Error as _;
use std::time::Duration;

use secrecy::SecretString;
use serde_json::json;
use tollgate_stripe::StripeClient;
use tollgate_stripe::client::{ListCustomers, StripeError};

use crate::fixtures::localstripe;
use crate::stub_stripe::{CannedResponse, StubStripe};

const SECRET_KEY: &str = "sk_test_never_in_errors";

fn client_for(base_url: &str) -> StripeClient {
    StripeClient::builder(SecretString::from(SECRET_KEY))
        .base_url(base_url)
        .timeout(Duration::from_millis(500))
        .connect_timeout(Duration::from_millis(500))
        .build()
        .expect("client")
}

/// The error and every cause, as a log line would show them.
fn full_text(error: &StripeError) -> String {
    let mut text = format!("{error} / {error:?}");
    let mut cause = error.source();
    while let Some(inner) = cause {
        text.push_str(&format!(" / {inner}"));
        cause = inner.source();
    }
    text
}

#[tokio::test]
async fn stripe_error_object_is_parsed_with_status_and_request_id() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(
            404,
            &json!({ "error": {
                "type": "invalid_request_error",
                "code": "resource_missing",
                "message": "No such product: 'prod_missing'",
                "param": "id",
                "doc_url": "https://stripe.com/docs/error-codes/resource-missing"
            }}),
        )
        .with_header("Request-Id", "req_abc123"),
    ])
    .await;
    let error = client_for(&stub.base_url)
        .retrieve_product("prod_missing")
        .await
        .expect_err("404");
    let api = error.api_error().expect("a Stripe error object");
    assert_eq!(api.status, 404);
    assert_eq!(api.error_type, "invalid_request_error");
    assert_eq!(api.code.as_deref(), Some("resource_missing"));
    assert_eq!(
        api.message.as_deref(),
        Some("No such product: 'prod_missing'")
    );
    assert_eq!(api.param.as_deref(), Some("id"));
    assert_eq!(api.request_id.as_deref(), Some("req_abc123"));
    assert!(error.is_not_found());
    assert!(!error.is_retryable());
    assert_eq!(error.status(), Some(404));
    assert!(error.to_string().contains("resource_missing"));
}

#[tokio::test]
async fn localstripe_error_object_without_code_is_parsed() {
    // OLDER SHAPE: localstripe's 404 has only `message` and `type`.
    let stub = StubStripe::start(vec![CannedResponse::json(
        404,
        &localstripe("error_not_found"),
    )])
    .await;
    let error = client_for(&stub.base_url)
        .retrieve_customer("cus_missing")
        .await
        .expect_err("404");
    let api = error.api_error().expect("a Stripe error object");
    assert_eq!(api.error_type, "invalid_request_error");
    assert_eq!(api.code, None);
    assert!(error.is_not_found());
}

#[tokio::test]
async fn rate_limits_and_server_errors_are_retryable() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(
            429,
            &json!({ "error": { "type": "invalid_request_error", "code": "rate_limit", "message": "Too many requests" } }),
        ),
        CannedResponse::json(500, &json!({ "error": { "type": "api_error", "message": "Something went wrong" } })),
        CannedResponse::text(502, "<html>Bad gateway</html>"),
    ])
    .await;
    let client = client_for(&stub.base_url);
    for expected_status in [429, 500, 502] {
        let error = client.retrieve_account().await.expect_err("an error");
        assert_eq!(error.status(), Some(expected_status));
        assert!(error.is_retryable(), "{expected_status} is retryable");
    }
}

#[tokio::test]
async fn an_error_status_without_stripe_error_object_is_unexpected() {
    let stub = StubStripe::start(vec![CannedResponse::text(404, "404: Not Found")]).await;
    let error = client_for(&stub.base_url)
        .list_prices(&Default::default())
        .await
        .expect_err("404");
    assert!(matches!(
        error,
        StripeError::UnexpectedResponse { status: 404, ref path, .. } if path == "/v1/prices"
    ));
    assert!(error.is_not_found());
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn stripe_should_retry_header_overrides_the_status() {
    let stub = StubStripe::start(vec![
        CannedResponse::json(
            409,
            &json!({ "error": { "type": "invalid_request_error", "code": "lock_timeout", "message": "locked" } }),
        )
        .with_header("Stripe-Should-Retry", "true"),
        CannedResponse::json(500, &json!({ "error": { "type": "api_error", "message": "no" } }))
            .with_header("Stripe-Should-Retry", "false"),
    ])
    .await;
    let client = client_for(&stub.base_url);
    let conflict = client.retrieve_account().await.expect_err("409");
    assert_eq!(
        conflict.api_error().and_then(|api| api.should_retry),
        Some(true)
    );
    assert!(conflict.is_retryable());
    let server = client.retrieve_account().await.expect_err("500");
    assert!(!server.is_retryable());
}

#[tokio::test]
async fn an_unreadable_success_answer_is_a_decode_error() {
    let stub = StubStripe::start(vec![CannedResponse::json(
        200,
        &json!({ "object": "product" }),
    )])
    .await;
    let error = client_for(&stub.base_url)
        .retrieve_product("prod_1")
        .await
        .expect_err("no id");
    assert!(matches!(error, StripeError::Decode { status: 200, .. }));
    assert!(!error.is_retryable());
}

#[tokio::test]
async fn refused_connections_are_retryable_transport_errors_without_the_query() {
    // A port that was free a moment ago: nothing listens there now.
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("addr"));
    drop(listener);
    let error = client_for(&base_url)
        .list_customers(&ListCustomers {
            email: Some("private.person@example.com".into()),
            ..ListCustomers::default()
        })
        .await
        .expect_err("refused");
    assert!(matches!(error, StripeError::Transport { .. }));
    assert!(error.is_retryable());
    let text = full_text(&error);
    assert!(!text.contains("private.person"), "{text}");
    assert!(!text.contains(SECRET_KEY), "{text}");
}

#[tokio::test]
async fn a_silent_server_times_out_as_a_retryable_transport_error() {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0")
        .await
        .expect("bind");
    let base_url = format!("http://{}", listener.local_addr().expect("addr"));
    let silent = tokio::spawn(async move {
        let mut held = Vec::new();
        while let Ok((stream, _)) = listener.accept().await {
            held.push(stream);
        }
    });
    let error = client_for(&base_url)
        .retrieve_account()
        .await
        .expect_err("timeout");
    silent.abort();
    match &error {
        StripeError::Transport { source, .. } => assert!(source.is_timeout()),
        other => panic!("expected a transport timeout, got {other:?}"),
    }
    assert!(error.is_retryable());
}

#[tokio::test]
async fn unusable_ids_never_reach_stripe() {
    let stub = StubStripe::start(vec![]).await;
    let client = client_for(&stub.base_url);
    for id in ["", ".", ".."] {
        assert!(matches!(
            client.retrieve_subscription(id).await,
            Err(StripeError::InvalidId(_))
        ));
    }
    assert!(stub.requests().is_empty());
}
