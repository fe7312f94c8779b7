use tollgate_domain::ValidationErrors;
use tollgate_persistence::DbError;

/// What a use case can answer besides success. Each variant maps to one
/// HTTP status and a stable `code`.
#[derive(Debug, thiserror::Error)]
pub enum AppError {
    #[error("validation failed")]
    Validation(#[from] ValidationErrors),
    #[error("{0} not found")]
    NotFound(&'static str),
    #[error("{message}")]
    Conflict { code: &'static str, message: String },
    #[error("{message}")]
    Unauthorized { code: &'static str, message: String },
    #[error("{message}")]
    Forbidden { code: &'static str, message: String },
    /// A link or token that worked once and no longer does (410).
    #[error("{message}")]
    Gone { code: &'static str, message: String },
    #[error("{message}")]
    Unavailable { code: &'static str, message: String },
    /// A call to Stripe failed; what it means for the caller is in its kind.
    #[error("{0}")]
    Stripe(Box<StripeFailure>),
    /// Throttled (429 `too_many_attempts`): try again after this many seconds.
    #[error("{message}")]
    TooManyAttempts { retry_after_secs: u64, message: String },
    /// Logged with its cause (the HTTP answer stays a bare 500), so a log
    /// line or a job's last error says what failed ("database is locked").
    #[error("storage failed: {0}")]
    Db(#[source] DbError),
    /// Something that should not fail did, with nothing underneath to
    /// keep (a broken invariant); the message says what.
    #[error("internal error: {0}")]
    Internal(String),
    /// Something that should not fail did, and the error underneath is
    /// kept as the source: logged with its chain, while the HTTP answer
    /// stays a bare 500. Built with [`AppError::internal`].
    #[error("internal error: {context}: {source}")]
    Unexpected {
        context: String,
        #[source]
        source: BoxError,
    },
}

/// Any error kept as a cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

pub type AppResult<T> = Result<T, AppError>;

impl From<DbError> for AppError {
    fn from(e: DbError) -> Self {
        AppError::Db(e)
    }
}

impl AppError {
    pub fn conflict(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Conflict { code, message: message.into() }
    }
    pub fn unauthorized(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Unauthorized { code, message: message.into() }
    }
    pub fn forbidden(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Forbidden { code, message: message.into() }
    }
    pub fn gone(code: &'static str, message: impl Into<String>) -> Self {
        AppError::Gone { code, message: message.into() }
    }
    pub fn field(field: &str, code: &str, message: impl Into<String>) -> Self {
        AppError::Validation(ValidationErrors::single(field, code, message))
    }
    /// An unexpected failure of `source` while doing `context` (e.g. "reading media").
    pub fn internal(context: impl Into<String>, source: impl Into<BoxError>) -> Self {
        AppError::Unexpected { context: context.into(), source: source.into() }
    }
}

/// An error and its causes, outermost first, for a log line: each cause
/// whose text the line already ends with (a message that quotes its
/// source) is not repeated.
pub fn chain(e: &(dyn std::error::Error + 'static)) -> String {
    let mut out = e.to_string();
    let mut cause = e.source();
    while let Some(c) = cause {
        let s = c.to_string();
        if !out.ends_with(&s) {
            out.push_str(": ");
            out.push_str(&s);
        }
        cause = c.source();
    }
    out
}

/// Why a call to Stripe failed, as the API answers it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StripeFailureKind {
    /// No answer in time, a network error, Stripe's 5xx or 429: try again later (503).
    Unavailable,
    /// Stripe refused what was asked (a missing resource, a bad parameter): 422.
    Rejected,
    /// Tollgate's side is wrong: the key was refused, the API base URL does
    /// not lead to Stripe, or the answer could not be read (502).
    Misconfigured,
}

/// A failed call to Stripe, with what Stripe said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StripeFailure {
    pub kind: StripeFailureKind,
    pub method: Option<String>,
    pub path: Option<String>,
    /// The HTTP status Stripe answered with, if it answered.
    pub status: Option<u16>,
    /// Stripe's error code (e.g. `resource_missing`).
    pub code: Option<String>,
    /// Stripe's message, or what went wrong without one.
    pub message: String,
    /// Stripe's `Request-Id`, to quote to Stripe support.
    pub request_id: Option<String>,
}

impl std::fmt::Display for StripeFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let req = match (&self.method, &self.path) {
            (Some(m), Some(p)) => format!(" {m} {p}"),
            _ => String::new(),
        };
        match self.status {
            Some(st) => write!(f, "Stripe answered{req} with HTTP {st}: {}", self.message),
            None => write!(f, "the call to Stripe{req} failed: {}", self.message),
        }
    }
}

impl From<tollgate_stripe::StripeError> for StripeFailure {
    fn from(e: tollgate_stripe::StripeError) -> Self {
        use tollgate_stripe::StripeError as E;
        let (method, path) = e.request().map(|(m, p)| (Some(m.to_owned()), Some(p.to_owned()))).unwrap_or((None, None));
        let status = e.status();
        let kind = if e.is_retryable() {
            StripeFailureKind::Unavailable
        } else {
            match &e {
                E::Api(a) if matches!(a.status, 401 | 403) => StripeFailureKind::Misconfigured,
                E::Api(_) | E::InvalidId(_) => StripeFailureKind::Rejected,
                E::OAuth(o) if (400..500).contains(&o.status) => StripeFailureKind::Rejected,
                _ => StripeFailureKind::Misconfigured,
            }
        };
        let (code, message, request_id) = match &e {
            E::Api(a) => (a.code.clone(), a.message.clone().unwrap_or_else(|| a.error_type.clone()), a.request_id.clone()),
            E::OAuth(o) => (Some(o.error.clone()), o.error_description.clone().unwrap_or_else(|| o.error.clone()), None),
            E::UnexpectedResponse { .. } => (None, "the answer is not Stripe's (is the Stripe API base URL right?)".to_owned(), None),
            E::Transport { source, .. } => {
                let what = if source.is_timeout() { "no answer in time" } else { "no answer (network error)" };
                (None, what.to_owned(), None)
            }
            other => (None, other.to_string(), None),
        };
        StripeFailure { kind, method, path, status, code, message, request_id }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unexpected_failure_keeps_its_cause() {
        let e = AppError::internal("storing media", std::io::Error::other("disk full"));
        assert_eq!(e.to_string(), "internal error: storing media: disk full");
        assert_eq!(std::error::Error::source(&e).map(|c| c.to_string()).as_deref(), Some("disk full"));
        // The cause the message already quotes is not repeated.
        assert_eq!(chain(&e), "internal error: storing media: disk full");
    }

    #[test]
    fn a_chain_names_every_cause() {
        let inner = AppError::internal("reading media", std::io::Error::other("gone"));
        let outer = AppError::internal("serving a download", inner);
        assert_eq!(chain(&outer), "internal error: serving a download: internal error: reading media: gone");
    }
}
