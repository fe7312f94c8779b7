//! What can go wrong talking to Stripe.

use serde::Deserialize;

use crate::form::FormEncodeError;

/// A failed call to Stripe.
#[derive(Debug, thiserror::Error)]
pub enum StripeError {
    /// Stripe answered with its error object.
    #[error(transparent)]
    Api(Box<ApiError>),
    /// Stripe (or something in between) answered with an error status and a
    /// body that is not Stripe's error object.
    #[error("Stripe answered {method} {path} with HTTP {status} and no Stripe error object")]
    UnexpectedResponse {
        method: String,
        path: String,
        status: u16,
        should_retry: Option<bool>,
    },
    /// The request did not get an answer (connection, timeout, TLS).
    /// The URL is stripped from the cause: query strings may hold emails.
    #[error("the request to Stripe ({method} {path}) failed in transport")]
    Transport {
        method: String,
        path: String,
        #[source]
        source: reqwest::Error,
    },
    /// A success answer that does not read as the expected type.
    #[error("Stripe's answer to {method} {path} (HTTP {status}) could not be read")]
    Decode {
        method: String,
        path: String,
        status: u16,
        #[source]
        source: serde_json::Error,
    },
    /// Stripe Connect OAuth refused the exchange.
    #[error(transparent)]
    OAuth(#[from] OAuthError),
    #[error("request parameters could not be encoded")]
    Encode(#[from] FormEncodeError),
    #[error("invalid Stripe client configuration: {0}")]
    InvalidConfig(String),
    /// An id that cannot be a path segment (empty, `.` or `..`).
    #[error("{0:?} is not a usable Stripe id")]
    InvalidId(String),
    /// A list kept answering `has_more` with the same page.
    #[error("Stripe's list at {path} did not advance past {starting_after}")]
    PaginationStuck {
        path: String,
        starting_after: String,
    },
}

impl StripeError {
    /// Worth trying again later (with the same idempotency key for a POST):
    /// Stripe's `Stripe-Should-Retry` header when it sent one, else HTTP 429
    /// and 5xx, and transport failures.
    pub fn is_retryable(&self) -> bool {
        match self {
            StripeError::Api(error) => retryable_status(error.status, error.should_retry),
            StripeError::UnexpectedResponse {
                status,
                should_retry,
                ..
            } => retryable_status(*status, *should_retry),
            StripeError::Transport { source, .. } => !source.is_builder(),
            StripeError::OAuth(error) => retryable_status(error.status, None),
            StripeError::Decode { .. }
            | StripeError::Encode(_)
            | StripeError::InvalidConfig(_)
            | StripeError::InvalidId(_)
            | StripeError::PaginationStuck { .. } => false,
        }
    }

    /// The HTTP status Stripe answered with, if it answered.
    pub fn status(&self) -> Option<u16> {
        match self {
            StripeError::Api(error) => Some(error.status),
            StripeError::UnexpectedResponse { status, .. } | StripeError::Decode { status, .. } => {
                Some(*status)
            }
            StripeError::OAuth(error) => Some(error.status),
            _ => None,
        }
    }

    /// The method and path of the request, when there was one.
    pub fn request(&self) -> Option<(&str, &str)> {
        match self {
            StripeError::Api(error) => Some((&error.method, &error.path)),
            StripeError::UnexpectedResponse { method, path, .. }
            | StripeError::Transport { method, path, .. }
            | StripeError::Decode { method, path, .. } => Some((method, path)),
            _ => None,
        }
    }

    pub fn api_error(&self) -> Option<&ApiError> {
        match self {
            StripeError::Api(error) => Some(error),
            _ => None,
        }
    }

    /// Stripe says the object does not exist (HTTP 404 / `resource_missing`).
    pub fn is_not_found(&self) -> bool {
        match self {
            StripeError::Api(error) => error.is_not_found(),
            StripeError::UnexpectedResponse { status, .. } => *status == 404,
            _ => false,
        }
    }
}

fn retryable_status(status: u16, should_retry: Option<bool>) -> bool {
    should_retry.unwrap_or(status == 429 || status >= 500)
}

/// Stripe's error object (`{"error": {...}}`) plus what the HTTP answer said.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Stripe error (HTTP {status}, {error_type}{}): {}",
    code.as_deref().map(|code| format!(", {code}")).unwrap_or_default(),
    message.as_deref().unwrap_or("no message")
)]
pub struct ApiError {
    /// The request Stripe answered (method and URL path, never the query).
    pub method: String,
    pub path: String,
    pub status: u16,
    /// `api_error`, `card_error`, `idempotency_error`, `invalid_request_error`, ...
    pub error_type: String,
    /// e.g. `resource_missing`, `parameter_missing`.
    pub code: Option<String>,
    pub decline_code: Option<String>,
    pub message: Option<String>,
    /// The parameter the error is about.
    pub param: Option<String>,
    /// Stripe's `Request-Id` header, to quote to Stripe support.
    pub request_id: Option<String>,
    /// Stripe's `Stripe-Should-Retry` header.
    pub should_retry: Option<bool>,
}

impl ApiError {
    pub fn is_not_found(&self) -> bool {
        self.status == 404 || self.code.as_deref() == Some("resource_missing")
    }
}

/// The body of a Stripe error answer.
#[derive(Deserialize)]
pub(crate) struct ErrorBody {
    pub(crate) error: ErrorObject,
}

#[derive(Deserialize)]
pub(crate) struct ErrorObject {
    #[serde(rename = "type", default)]
    pub(crate) error_type: Option<String>,
    #[serde(default)]
    pub(crate) code: Option<String>,
    #[serde(default)]
    pub(crate) decline_code: Option<String>,
    #[serde(default)]
    pub(crate) message: Option<String>,
    #[serde(default)]
    pub(crate) param: Option<String>,
}

/// Stripe Connect's OAuth error (`{"error": "invalid_grant", "error_description": "..."}`).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "Stripe Connect OAuth error (HTTP {status}, {error}): {}",
    error_description.as_deref().unwrap_or("no description")
)]
pub struct OAuthError {
    pub status: u16,
    pub error: String,
    pub error_description: Option<String>,
}
