/// What can go wrong in persistence, with constraint violations told apart
/// so callers can answer 409/422 instead of 500.
#[derive(Debug, thiserror::Error)]
pub enum DbError {
    /// A unique value exists, under a constraint no caller names (see [`Unique`]).
    #[error("a row with the same unique value exists")]
    UniqueViolation,
    /// A unique value exists under a named constraint a caller answers for.
    #[error("a row with the same unique value exists ({})", .0.constraint())]
    Taken(Unique),
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

/// The unique constraints (or unique indexes) callers answer for, each
/// with what it means: the name PostgreSQL reports, and what SQLite, which
/// reports no names, says instead (the constrained columns, or the index of
/// an expression). Both are in the migrations; a violation of any other
/// unique constraint is a plain [`DbError::UniqueViolation`].
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Unique {
    /// `admins_email_key`: an admin has this email.
    AdminEmail,
    /// `users_app_email_key`: a member of the app has this email.
    MemberEmail,
    /// `access_grants_open_key`: the member has an open grant of the product from the same source.
    OpenGrant,
    /// `admin_invitations_open_idx`: the email has an open invitation to the app's team.
    OpenInvitation,
    /// `segments_name_idx`: the app has a segment of this name.
    SegmentName,
    /// `stripe_links_stripe_product_key`: the Stripe product is linked to another product of the app.
    StripeProductLink,
}

/// Each named constraint: its name, and the text after SQLite's `UNIQUE constraint failed: `.
const UNIQUES: [(Unique, &str, &str); 6] = [
    (Unique::AdminEmail, "admins_email_key", "admins.email"),
    (Unique::MemberEmail, "users_app_email_key", "users.app_id, users.email"),
    (Unique::OpenGrant, "access_grants_open_key", "index 'access_grants_open_key'"),
    (Unique::OpenInvitation, "admin_invitations_open_idx", "admin_invitations.app_id, admin_invitations.email"),
    (Unique::SegmentName, "segments_name_idx", "segments.app_id, segments.name"),
    (Unique::StripeProductLink, "stripe_links_stripe_product_key", "stripe_product_links.app_id, stripe_product_links.stripe_product_id"),
];

impl Unique {
    /// The constraint's name in the migrations.
    pub fn constraint(self) -> &'static str {
        UNIQUES.iter().find(|(u, ..)| *u == self).map_or("", |(_, name, _)| name)
    }

    /// The named constraint a database's unique violation is about, if it is one of ours.
    fn of(d: &dyn sqlx::error::DatabaseError) -> Option<Unique> {
        let found = match d.constraint() {
            Some(name) => UNIQUES.iter().find(|(_, n, _)| *n == name),
            None => d.message().strip_prefix("UNIQUE constraint failed: ").and_then(|what| UNIQUES.iter().find(|(.., s)| *s == what)),
        };
        found.map(|(u, ..)| *u)
    }
}

impl From<sqlx::Error> for DbError {
    fn from(e: sqlx::Error) -> Self {
        if let sqlx::Error::Database(d) = &e {
            match d.kind() {
                sqlx::error::ErrorKind::UniqueViolation => return Unique::of(d.as_ref()).map_or(DbError::UniqueViolation, DbError::Taken),
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
