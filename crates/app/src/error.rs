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
    /// Throttled (429 `too_many_attempts`): try again after this many seconds.
    #[error("{message}")]
    TooManyAttempts { retry_after_secs: u64, message: String },
    #[error("storage failed")]
    Db(#[source] DbError),
    #[error("internal error: {0}")]
    Internal(String),
}

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
}
