//! Stripe Connect OAuth (standard accounts): send the site owner to Stripe,
//! then trade the returned `code` for the connected account's id and keys.
//! Not served by localstripe.

use secrecy::{ExposeSecret, SecretString};
use serde::Deserialize;
use tracing::Instrument;
use url::Url;

use super::{OAuthError, StripeClient, StripeError};
use crate::form::FormParams;

/// Stripe Connect's OAuth host.
pub const DEFAULT_CONNECT_BASE_URL: &str = "https://connect.stripe.com";

/// What Stripe answers to a successful code exchange. `Debug` redacts the tokens.
#[derive(Debug, Clone, Deserialize)]
pub struct ConnectTokens {
    /// The connected account's id (`acct_...`): use it as `Stripe-Account`.
    pub stripe_user_id: String,
    pub access_token: SecretString,
    #[serde(default)]
    pub refresh_token: Option<SecretString>,
    #[serde(default)]
    pub stripe_publishable_key: Option<String>,
    #[serde(default)]
    pub scope: Option<String>,
    #[serde(default)]
    pub livemode: Option<bool>,
    #[serde(default)]
    pub token_type: Option<String>,
}

#[derive(Deserialize)]
struct OAuthErrorBody {
    error: String,
    #[serde(default)]
    error_description: Option<String>,
}

/// The URL to send a site owner to, to connect their Stripe account
/// (`read_write` scope). Stripe comes back to `redirect_uri` with `code` and
/// the same `state`, which the caller must check.
pub fn authorize_url(
    connect_base_url: &str,
    client_id: &str,
    state: &str,
    redirect_uri: &str,
) -> Result<Url, StripeError> {
    let mut url = oauth_url(connect_base_url, "authorize")?;
    url.query_pairs_mut()
        .append_pair("response_type", "code")
        .append_pair("client_id", client_id)
        .append_pair("scope", "read_write")
        .append_pair("state", state)
        .append_pair("redirect_uri", redirect_uri);
    Ok(url)
}

fn oauth_url(connect_base_url: &str, endpoint: &str) -> Result<Url, StripeError> {
    let mut url = Url::parse(connect_base_url)
        .map_err(|error| StripeError::InvalidConfig(format!("Connect base URL: {error}")))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(StripeError::InvalidConfig(
            "Connect base URL must be an http or https URL".into(),
        ));
    }
    url.set_query(None);
    url.set_fragment(None);
    url.path_segments_mut()
        .map_err(|_| StripeError::InvalidConfig("Connect base URL cannot have a path".into()))?
        .pop_if_empty()
        .extend(["oauth", endpoint]);
    Ok(url)
}

impl StripeClient {
    /// Trades an OAuth `code` for the connected account's id and tokens,
    /// authenticated with the platform's secret key (`client_secret`).
    pub async fn exchange_code(
        &self,
        connect_base_url: &str,
        client_secret: &SecretString,
        code: &str,
    ) -> Result<ConnectTokens, StripeError> {
        let url = oauth_url(connect_base_url, "token")?;
        let path = url.path().to_owned();
        let mut form = FormParams::new();
        form.push("grant_type", "authorization_code");
        form.push("code", code);
        let span = tracing::info_span!(
            "stripe_request",
            method = "POST",
            path = %path,
            status = tracing::field::Empty
        );
        async move {
            let transport_error = |source: reqwest::Error| StripeError::Transport {
                method: "POST".to_owned(),
                path: path.clone(),
                source: source.without_url(),
            };
            let response = self
                .http
                .post(url)
                .bearer_auth(client_secret.expose_secret())
                .header(
                    reqwest::header::CONTENT_TYPE,
                    "application/x-www-form-urlencoded",
                )
                .body(form.encode())
                .send()
                .await
                .map_err(transport_error)?;
            let status = response.status();
            tracing::Span::current().record("status", status.as_u16());
            let body = response.bytes().await.map_err(transport_error)?;
            if status.is_success() {
                return serde_json::from_slice(&body).map_err(|source| StripeError::Decode {
                    method: "POST".to_owned(),
                    path: path.clone(),
                    status: status.as_u16(),
                    source,
                });
            }
            Err(match serde_json::from_slice::<OAuthErrorBody>(&body) {
                Ok(body) => StripeError::OAuth(OAuthError {
                    status: status.as_u16(),
                    error: body.error,
                    error_description: body.error_description,
                }),
                Err(_) => StripeError::UnexpectedResponse {
                    method: "POST".to_owned(),
                    path: path.clone(),
                    status: status.as_u16(),
                    should_retry: None,
                },
            })
        }
        .instrument(span)
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn authorize_url_carries_every_parameter_encoded() {
        let url = authorize_url(
            DEFAULT_CONNECT_BASE_URL,
            "ca_123",
            "state with spaces&=",
            "https://hub.example.com/stripe/callback?app=1",
        )
        .expect("url");
        assert_eq!(url.path(), "/oauth/authorize");
        let query: Vec<(String, String)> = url.query_pairs().into_owned().collect();
        assert_eq!(
            query,
            vec![
                ("response_type".to_owned(), "code".to_owned()),
                ("client_id".to_owned(), "ca_123".to_owned()),
                ("scope".to_owned(), "read_write".to_owned()),
                ("state".to_owned(), "state with spaces&=".to_owned()),
                (
                    "redirect_uri".to_owned(),
                    "https://hub.example.com/stripe/callback?app=1".to_owned()
                ),
            ]
        );
    }

    #[test]
    fn authorize_url_keeps_a_base_path() {
        let url =
            authorize_url("http://127.0.0.1:9000/connect/", "ca", "s", "http://x/cb").expect("url");
        assert_eq!(url.path(), "/connect/oauth/authorize");
        assert!(authorize_url("nope", "ca", "s", "http://x/cb").is_err());
    }
}
