//! Stripe Connect OAuth code exchange.

use secrecy::{ExposeSecret, SecretString};
use serde_json::json;
use tollgate_stripe::StripeClient;
use tollgate_stripe::client::StripeError;

use crate::stub_stripe::{CannedResponse, StubStripe};

fn platform_client() -> StripeClient {
    // The API base URL is not used by the exchange; the Connect one is.
    StripeClient::builder(SecretString::from("sk_test_platform"))
        .build()
        .expect("client")
}

#[tokio::test]
async fn exchange_code_posts_the_code_with_the_client_secret() {
    // Shape per Stripe's Connect OAuth reference (`POST /oauth/token`).
    let stub = StubStripe::start(vec![CannedResponse::json(
        200,
        &json!({
            "access_token": "sk_test_connected_access",
            "livemode": false,
            "refresh_token": "rt_connected_refresh",
            "token_type": "bearer",
            "stripe_publishable_key": "pk_test_connected",
            "stripe_user_id": "acct_connected123",
            "scope": "read_write"
        }),
    )])
    .await;
    let tokens = platform_client()
        .exchange_code(
            &stub.base_url,
            &SecretString::from("sk_test_platform_secret"),
            "ac_code_123",
        )
        .await
        .expect("tokens");
    assert_eq!(tokens.stripe_user_id, "acct_connected123");
    assert_eq!(
        tokens.access_token.expose_secret(),
        "sk_test_connected_access"
    );
    assert_eq!(tokens.scope.as_deref(), Some("read_write"));
    assert_eq!(tokens.livemode, Some(false));
    let shown = format!("{tokens:?}");
    assert!(!shown.contains("sk_test_connected_access"));
    assert!(!shown.contains("rt_connected_refresh"));

    let request = stub.single_request();
    assert_eq!(request.method, "POST");
    assert_eq!(request.path, "/oauth/token");
    assert_eq!(
        request.header("authorization"),
        Some("Bearer sk_test_platform_secret")
    );
    assert_eq!(request.header("stripe-account"), None);
    let mut expected = vec![
        ("code".to_owned(), "ac_code_123".to_owned()),
        ("grant_type".to_owned(), "authorization_code".to_owned()),
    ];
    expected.sort();
    assert_eq!(request.form(), expected);
}

#[tokio::test]
async fn exchange_code_reports_the_oauth_error() {
    let stub = StubStripe::start(vec![CannedResponse::json(
        400,
        &json!({
            "error": "invalid_grant",
            "error_description": "Authorization code does not exist: ac_used"
        }),
    )])
    .await;
    let error = platform_client()
        .exchange_code(
            &stub.base_url,
            &SecretString::from("sk_test_platform"),
            "ac_used",
        )
        .await
        .expect_err("invalid grant");
    match &error {
        StripeError::OAuth(oauth) => {
            assert_eq!(oauth.status, 400);
            assert_eq!(oauth.error, "invalid_grant");
            assert_eq!(
                oauth.error_description.as_deref(),
                Some("Authorization code does not exist: ac_used")
            );
        }
        other => panic!("expected an OAuth error, got {other:?}"),
    }
    assert!(!error.is_retryable());
}
