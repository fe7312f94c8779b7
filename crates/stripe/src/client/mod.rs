//! A small Stripe API client: requests built by hand, answers read into the
//! tolerant types of [`crate::types`].
//!
//! One [`StripeClient`] holds a secret key, the API base URL (Stripe's, or
//! an emulator's), an optional `Stripe-Account` (Connect) and an optional
//! pinned `Stripe-Version`. It is cheap to clone; [`StripeClient::for_account`]
//! gives a client acting on one connected account.
//!
//! Calls do not retry by themselves: a failed call says whether it is worth
//! retrying ([`StripeError::is_retryable`]), and every POST takes an optional
//! idempotency key so that the caller's retry cannot apply twice.

mod account;
mod billing;
mod catalog;
mod checkout;
pub mod connect;
mod error;
mod params;

pub use account::{CreateWebhookEndpoint, ListEvents, ListWebhookEndpoints};
pub use billing::{
    CreateCustomer, ListCharges, ListCustomers, ListInvoices, ListPaymentIntents,
    ListSubscriptions, SubscriptionStatusFilter, UpdateSubscription,
};
pub use catalog::{CreatePrice, CreateProduct, ListPrices, ListProducts, RecurringParams};
pub use checkout::{
    ListCheckoutSessions,
    AfterCompletionParams, BillingPortalConfigurationParams, CheckoutMode,
    CreateBillingPortalSession, CreateCheckoutSession, CreatePaymentLink, CustomerCreation,
    LineItemParams, PaymentIntentDataParams, PortalBusinessProfileParams, PortalCancelMode,
    PortalCustomerUpdateParams, PortalFeaturesParams, PortalSubscriptionCancelParams,
    PortalToggleParams, RedirectParams, SubscriptionDataParams, UpdatePaymentLink,
};
pub use connect::{ConnectTokens, DEFAULT_CONNECT_BASE_URL, authorize_url};
pub use error::{ApiError, OAuthError, StripeError};
pub use params::CreatedFilter;

use std::fmt;
use std::time::Duration;

use reqwest::Method;
use secrecy::{ExposeSecret, SecretString};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tracing::Instrument;
use url::Url;

use crate::form::FormParams;
use crate::types::{List, StripeObject};
use error::ErrorBody;

/// Stripe's API.
pub const DEFAULT_BASE_URL: &str = "https://api.stripe.com";
/// Per request, from connecting to the last byte of the answer.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(30);
pub const DEFAULT_CONNECT_TIMEOUT: Duration = Duration::from_secs(10);
/// Page size [`StripeClient::list_all`] asks for when the parameters set none
/// (Stripe's maximum).
pub const LIST_ALL_PAGE_SIZE: u32 = 100;

/// A Stripe API client. `Debug` never shows the secret key.
#[derive(Clone)]
pub struct StripeClient {
    http: reqwest::Client,
    base_url: Url,
    secret_key: SecretString,
    stripe_account: Option<String>,
    stripe_version: Option<String>,
}

impl fmt::Debug for StripeClient {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeClient")
            .field("base_url", &self.base_url.as_str())
            .field("secret_key", &"[REDACTED]")
            .field("stripe_account", &self.stripe_account)
            .field("stripe_version", &self.stripe_version)
            .finish()
    }
}

/// Builds a [`StripeClient`]; see [`StripeClient::builder`].
pub struct StripeClientBuilder {
    secret_key: SecretString,
    base_url: String,
    stripe_account: Option<String>,
    stripe_version: Option<String>,
    timeout: Duration,
    connect_timeout: Duration,
}

impl fmt::Debug for StripeClientBuilder {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("StripeClientBuilder")
            .field("base_url", &self.base_url)
            .field("secret_key", &"[REDACTED]")
            .field("stripe_account", &self.stripe_account)
            .field("stripe_version", &self.stripe_version)
            .field("timeout", &self.timeout)
            .field("connect_timeout", &self.connect_timeout)
            .finish()
    }
}

impl StripeClientBuilder {
    /// The API's base URL, e.g. an emulator's `http://127.0.0.1:8420`.
    /// A path prefix is kept: `http://host/stripe` calls `http://host/stripe/v1/...`.
    pub fn base_url(mut self, base_url: impl Into<String>) -> Self {
        self.base_url = base_url.into();
        self
    }

    /// Act on a connected account (`Stripe-Account` header).
    pub fn stripe_account(mut self, account_id: impl Into<String>) -> Self {
        self.stripe_account = Some(account_id.into());
        self
    }

    /// Pin the API version (`Stripe-Version` header) instead of the account's default.
    pub fn stripe_version(mut self, version: impl Into<String>) -> Self {
        self.stripe_version = Some(version.into());
        self
    }

    pub fn timeout(mut self, timeout: Duration) -> Self {
        self.timeout = timeout;
        self
    }

    pub fn connect_timeout(mut self, timeout: Duration) -> Self {
        self.connect_timeout = timeout;
        self
    }

    pub fn build(self) -> Result<StripeClient, StripeError> {
        let base_url = Url::parse(&self.base_url)
            .map_err(|error| StripeError::InvalidConfig(format!("base URL: {error}")))?;
        if !matches!(base_url.scheme(), "http" | "https") || base_url.cannot_be_a_base() {
            return Err(StripeError::InvalidConfig(
                "base URL must be an http or https URL".into(),
            ));
        }
        let http = reqwest::Client::builder()
            .timeout(self.timeout)
            .connect_timeout(self.connect_timeout)
            .user_agent(concat!("tollgate-stripe/", env!("CARGO_PKG_VERSION")))
            .build()
            .map_err(|error| StripeError::InvalidConfig(format!("HTTP client: {error}")))?;
        Ok(StripeClient {
            http,
            base_url,
            secret_key: self.secret_key,
            stripe_account: self.stripe_account,
            stripe_version: self.stripe_version,
        })
    }
}

/// Parameters of a list endpoint: they name the endpoint and the item type,
/// so [`StripeClient::list`] and [`StripeClient::list_all`] work for all.
pub trait ListParams: Serialize {
    type Item: DeserializeOwned + StripeObject;
    /// Path segments after `/v1`, e.g. `["products"]`.
    const PATH: &'static [&'static str];
}

impl StripeClient {
    /// A builder with Stripe's base URL and default timeouts.
    pub fn builder(secret_key: SecretString) -> StripeClientBuilder {
        StripeClientBuilder {
            secret_key,
            base_url: DEFAULT_BASE_URL.to_owned(),
            stripe_account: None,
            stripe_version: None,
            timeout: DEFAULT_TIMEOUT,
            connect_timeout: DEFAULT_CONNECT_TIMEOUT,
        }
    }

    /// The same client acting on a connected account (`Stripe-Account`).
    pub fn for_account(&self, account_id: impl Into<String>) -> StripeClient {
        StripeClient {
            stripe_account: Some(account_id.into()),
            ..self.clone()
        }
    }

    pub fn base_url(&self) -> &Url {
        &self.base_url
    }

    pub fn stripe_account(&self) -> Option<&str> {
        self.stripe_account.as_deref()
    }

    pub fn stripe_version(&self) -> Option<&str> {
        self.stripe_version.as_deref()
    }

    /// One page of any list endpoint.
    pub async fn list<P: ListParams>(&self, params: &P) -> Result<List<P::Item>, StripeError> {
        let query = FormParams::from_serializable(params)?;
        self.get(P::PATH, &query).await
    }

    /// Every item of a list endpoint, following `starting_after` page by page.
    /// A `starting_after` in `params` is where it starts.
    pub async fn list_all<P: ListParams>(&self, params: &P) -> Result<Vec<P::Item>, StripeError> {
        let mut query = FormParams::from_serializable(params)?;
        if query.get("limit").is_none() {
            query.set("limit", LIST_ALL_PAGE_SIZE.to_string());
        }
        let mut items = Vec::new();
        loop {
            let page: List<P::Item> = self.get(P::PATH, &query).await?;
            let last_id = page.data.last().map(|item| item.id().to_owned());
            items.extend(page.data);
            let Some(last_id) = last_id.filter(|_| page.has_more) else {
                return Ok(items);
            };
            if query.get("starting_after") == Some(last_id.as_str()) {
                return Err(StripeError::PaginationStuck {
                    path: P::PATH.join("/"),
                    starting_after: last_id,
                });
            }
            query.set("starting_after", last_id);
        }
    }

    pub(crate) async fn get<T: DeserializeOwned>(
        &self,
        path: &[&str],
        query: &FormParams,
    ) -> Result<T, StripeError> {
        let mut url = self.endpoint(path)?;
        if !query.is_empty() {
            url.set_query(Some(&query.encode()));
        }
        self.execute(Method::GET, url, None, None).await
    }

    pub(crate) async fn post<T: DeserializeOwned>(
        &self,
        path: &[&str],
        form: &FormParams,
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeError> {
        let url = self.endpoint(path)?;
        self.execute(Method::POST, url, Some(form.encode()), idempotency_key)
            .await
    }

    pub(crate) async fn post_params<T: DeserializeOwned, P: Serialize + ?Sized>(
        &self,
        path: &[&str],
        params: &P,
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeError> {
        let form = FormParams::from_serializable(params)?;
        self.post(path, &form, idempotency_key).await
    }

    pub(crate) async fn delete<T: DeserializeOwned>(
        &self,
        path: &[&str],
    ) -> Result<T, StripeError> {
        let url = self.endpoint(path)?;
        self.execute(Method::DELETE, url, None, None).await
    }

    /// `{base}/v1/{segments...}`, each segment percent-encoded.
    fn endpoint(&self, path: &[&str]) -> Result<Url, StripeError> {
        endpoint_url(&self.base_url, path)
    }

    async fn execute<T: DeserializeOwned>(
        &self,
        method: Method,
        url: Url,
        form_body: Option<String>,
        idempotency_key: Option<&str>,
    ) -> Result<T, StripeError> {
        // Only the method and the path are logged: never the query (emails),
        // the body or the headers (the key).
        let path = url.path().to_owned();
        let span = tracing::info_span!(
            "stripe_request",
            method = %method,
            path = %path,
            status = tracing::field::Empty
        );
        async move {
            let mut request = self
                .http
                .request(method.clone(), url)
                .bearer_auth(self.secret_key.expose_secret());
            if let Some(account) = &self.stripe_account {
                request = request.header("Stripe-Account", account);
            }
            if let Some(version) = &self.stripe_version {
                request = request.header("Stripe-Version", version);
            }
            if let Some(key) = idempotency_key {
                request = request.header("Idempotency-Key", key);
            }
            if let Some(body) = form_body {
                request = request
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        "application/x-www-form-urlencoded",
                    )
                    .body(body);
            }
            let transport_error = |source: reqwest::Error| StripeError::Transport {
                method: method.to_string(),
                path: path.clone(),
                source: source.without_url(),
            };
            let response = request.send().await.map_err(transport_error)?;
            let status = response.status();
            tracing::Span::current().record("status", status.as_u16());
            let request_id = header_text(&response, "request-id");
            let should_retry = header_text(&response, "stripe-should-retry")
                .and_then(|text| text.parse::<bool>().ok());
            let body = response.bytes().await.map_err(transport_error)?;
            if status.is_success() {
                return serde_json::from_slice(&body).map_err(|source| StripeError::Decode {
                    method: method.to_string(),
                    path: path.clone(),
                    status: status.as_u16(),
                    source,
                });
            }
            let error = match serde_json::from_slice::<ErrorBody>(&body) {
                Ok(ErrorBody { error }) => StripeError::Api(Box::new(ApiError {
                    method: method.to_string(),
                    path: path.clone(),
                    status: status.as_u16(),
                    error_type: error.error_type.unwrap_or_else(|| "unknown".to_owned()),
                    code: error.code,
                    decline_code: error.decline_code,
                    message: error.message,
                    param: error.param,
                    request_id,
                    should_retry,
                })),
                Err(_) => StripeError::UnexpectedResponse {
                    method: method.to_string(),
                    path: path.clone(),
                    status: status.as_u16(),
                    should_retry,
                },
            };
            tracing::debug!(
                retryable = error.is_retryable(),
                "Stripe refused the request"
            );
            Err(error)
        }
        .instrument(span)
        .await
    }
}

fn header_text(response: &reqwest::Response, name: &str) -> Option<String> {
    response
        .headers()
        .get(name)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned)
}

fn endpoint_url(base_url: &Url, path: &[&str]) -> Result<Url, StripeError> {
    if let Some(bad) = path
        .iter()
        .find(|segment| segment.is_empty() || **segment == "." || **segment == "..")
    {
        return Err(StripeError::InvalidId((*bad).to_owned()));
    }
    let mut url = base_url.clone();
    url.set_query(None);
    url.set_fragment(None);
    {
        let mut segments = url
            .path_segments_mut()
            .map_err(|_| StripeError::InvalidConfig("base URL cannot have a path".into()))?;
        segments.pop_if_empty().push("v1").extend(path);
    }
    Ok(url)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn endpoint_urls_encode_ids_and_keep_a_base_path() {
        let base = Url::parse("https://api.stripe.com").expect("url");
        assert_eq!(
            endpoint_url(&base, &["products", "prod_1"])
                .expect("url")
                .as_str(),
            "https://api.stripe.com/v1/products/prod_1"
        );
        assert_eq!(
            endpoint_url(&base, &["plans", "gold plan/2?x#y"])
                .expect("url")
                .as_str(),
            "https://api.stripe.com/v1/plans/gold%20plan%2F2%3Fx%23y"
        );
        let prefixed = Url::parse("http://127.0.0.1:8420/stripe/").expect("url");
        assert_eq!(
            endpoint_url(&prefixed, &["checkout", "sessions"])
                .expect("url")
                .as_str(),
            "http://127.0.0.1:8420/stripe/v1/checkout/sessions"
        );
        for bad in ["", ".", ".."] {
            assert!(matches!(
                endpoint_url(&base, &["products", bad]),
                Err(StripeError::InvalidId(_))
            ));
        }
    }

    #[test]
    fn debug_never_shows_the_secret_key() {
        let client = StripeClient::builder(SecretString::from("sk_test_very_secret"))
            .stripe_account("acct_1")
            .build()
            .expect("client");
        let shown = format!("{client:?}");
        assert!(!shown.contains("sk_test_very_secret"));
        assert!(shown.contains("REDACTED"));
        let builder = StripeClient::builder(SecretString::from("sk_test_very_secret"));
        assert!(!format!("{builder:?}").contains("sk_test_very_secret"));
    }

    #[test]
    fn rejects_unusable_base_urls() {
        for bad in ["not a url", "ftp://example.com", "mailto:a@b.c"] {
            assert!(matches!(
                StripeClient::builder(SecretString::from("sk"))
                    .base_url(bad)
                    .build(),
                Err(StripeError::InvalidConfig(_))
            ));
        }
    }

    #[test]
    fn for_account_keeps_everything_else() {
        let client = StripeClient::builder(SecretString::from("sk"))
            .base_url("http://127.0.0.1:1")
            .stripe_version("2017-08-15")
            .build()
            .expect("client");
        let connected = client.for_account("acct_9");
        assert_eq!(connected.stripe_account(), Some("acct_9"));
        assert_eq!(connected.stripe_version(), Some("2017-08-15"));
        assert_eq!(connected.base_url(), client.base_url());
        assert_eq!(client.stripe_account(), None);
    }
}
