/// What can go wrong in persistence, with constraint violations told apart
/// so callers can answer 409/422 instead of 500.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    #[error("a row with the same unique value exists")]
    UniqueViolation,
    #[error("a referenced row does not exist")]
    ForeignKeyViolation,
    #[error("stored data is corrupt: {0}")]
    Corrupt(String),
    #[error("database configuration: {0}")]
    Config(String),
    #[error("migration failed")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("database error: {0}")]
    Sqlx(#[source] sqlx::Error),
    /// A group-committed write failed for every delivery in its batch; the
    /// batch's error is the source.
    #[error("batched write failed: {0}")]
    Batch(#[source] BoxError),
    /// Stored JSON that does not read back, or a value that does not
    /// serialize; serde's error is the source.
    #[error("{what}: {source}")]
    Json {
        what: &'static str,
        #[source]
        source: serde_json::Error,
    },
}

/// Any error kept as a cause.
pub type BoxError = Box<dyn std::error::Error + Send + Sync>;

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            match d.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return DbError::UniqueViolation,
                sqlx::error::ErrorKind::ForeignKeyViolation => return DbError::ForeignKeyViolation,
                _ => {}
            }
        }
        DbError::Sqlx(e)
    }
}

impl DbError {
    pub(crate) fn corrupt(what: impl std::fmt::Display) -> Self {
        DbError::Corrupt(what.to_string())
    }
    /// A batched write failed for everyone in the batch: the database's
    /// error (or, from a writer that shares one answer, its message).
    pub(crate) fn batch(cause: impl Into<BoxError>) -> Self {
        DbError::Batch(cause.into())
    }
    pub(crate) fn json(what: &'static str) -> impl FnOnce(serde_json::Error) -> Self {
        move |source| DbError::Json { what, source }
    }
}
