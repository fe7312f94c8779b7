//! What the import use cases answer: an import, its rows and their problems
//! as the admin sees them (the stored rows stay in persistence).

use time::OffsetDateTime;
use tollgate_domain::ids::{ImportId, JobId, UserId};
use tollgate_persistence::member_imports::{ImportRowRecord, MemberImport, RowProblem};

/// A problem with a row (or, in the preview's warnings, with the whole file).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportProblem {
    pub code: String,
    pub message: String,
}

impl From<RowProblem> for ImportProblem {
    fn from(p: RowProblem) -> Self {
        ImportProblem { code: p.code, message: p.message }
    }
}

/// Which columns of the file are read.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImportColumns {
    pub name: bool,
    pub products: bool,
    /// Columns not imported.
    pub ignored: Vec<String>,
}

/// An import: where it is and what it did.
#[derive(Debug, Clone)]
pub struct ImportView {
    pub id: ImportId,
    /// previewed | running | done | failed
    pub status: String,
    pub columns: ImportColumns,
    pub invite: bool,
    pub total: i64,
    pub invalid: i64,
    pub would_create: i64,
    pub would_update: i64,
    pub created: i64,
    pub updated: i64,
    pub granted: i64,
    pub skipped: i64,
    pub processed: i64,
    pub job_id: Option<JobId>,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
}

impl ImportView {
    /// `processed / total`, 0 to 1 (1 for an empty file).
    pub fn progress(&self) -> f64 {
        if self.total == 0 { 1.0 } else { self.processed as f64 / self.total as f64 }
    }
}

impl From<MemberImport> for ImportView {
    fn from(i: MemberImport) -> Self {
        let col = |k: &str| i.columns.get(k).and_then(|v| v.as_bool()).unwrap_or(false);
        let ignored = i.columns.get("ignored").and_then(|v| serde_json::from_value(v.clone()).ok()).unwrap_or_default();
        let columns = ImportColumns { name: col("name"), products: col("products"), ignored };
        ImportView {
            id: i.id,
            status: i.status,
            columns,
            invite: i.invite,
            total: i.total,
            invalid: i.invalid,
            would_create: i.would_create,
            would_update: i.would_update,
            created: i.created,
            updated: i.updated,
            granted: i.granted,
            skipped: i.skipped,
            processed: i.processed,
            job_id: i.job_id,
            error: i.error,
            created_at: i.created_at,
            started_at: i.started_at,
            finished_at: i.finished_at,
        }
    }
}

/// One row of the file, with what the preview found and what the run did.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRowView {
    /// The row's number in the file (the header is row 1).
    pub line: i64,
    pub email: String,
    pub name: Option<String>,
    /// Ids of the products the row grants.
    pub products: Vec<String>,
    pub problems: Vec<ImportProblem>,
    /// created | updated | granted | skipped; `None` until run.
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub user_id: Option<UserId>,
    /// Ids of the products this row granted.
    pub granted: Vec<String>,
}

impl From<ImportRowRecord> for ImportRowView {
    fn from(r: ImportRowRecord) -> Self {
        ImportRowView {
            line: r.line,
            email: r.email,
            name: r.name,
            products: r.products,
            problems: r.problems.into_iter().map(Into::into).collect(),
            outcome: r.outcome,
            reason: r.reason,
            user_id: r.user_id,
            granted: r.granted,
        }
    }
}
