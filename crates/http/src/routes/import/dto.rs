//! Wire shapes of member imports: the preview, the import's state, the report rows.

use serde::{Deserialize, Serialize};
use tollgate_app::members_import::{ImportPreview, ImportProblem as ProblemView, ImportRowView, ImportView};
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

use crate::dto::rfc3339;

/// Where a member import is: `previewed` (uploaded, not run), `running`, `done` or `failed`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberImportStatus {
    Previewed,
    Running,
    Done,
    Failed,
}

/// What running an import did with a row: `created` a member, `updated`
/// (name changed), `granted` (an existing member, new products only) or `skipped`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum ImportRowOutcome {
    Created,
    Updated,
    Granted,
    Skipped,
}

/// Which columns of the file are read.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportColumns {
    /// Always true: the file must have an `email` column.
    pub email: bool,
    pub name: bool,
    pub products: bool,
    /// Columns not imported (members have no metadata field).
    pub ignored: Vec<String>,
}

/// A problem with a row (or, in `warnings`, with the whole file).
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportProblem {
    /// Rows: `missing_email`, `invalid_email`, `duplicate_row`, `invalid_name`, `unknown_product`,
    /// `ambiguous_product`, `archived_product`. Warnings: `metadata_ignored`, `no_name_column`.
    pub code: String,
    pub message: String,
}

impl From<ProblemView> for ImportProblem {
    fn from(p: ProblemView) -> Self {
        ImportProblem { code: p.code, message: p.message }
    }
}

/// An import: where it is and what it did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportResponse {
    pub id: String,
    #[schema(value_type = MemberImportStatus)]
    pub status: String,
    pub columns: ImportColumns,
    /// Whether members it creates are sent an invitation (set by the run).
    pub invite: bool,
    /// Data rows in the file.
    pub total: i64,
    /// Rows with problems (skipped when run).
    pub invalid: i64,
    /// Valid rows whose email is not a member yet, as of the upload.
    pub would_create: i64,
    /// Valid rows whose email is a member already, as of the upload.
    pub would_update: i64,
    pub created: i64,
    /// Existing members whose name changed.
    pub updated: i64,
    /// Existing members who only gained products.
    pub granted: i64,
    pub skipped: i64,
    /// Rows the run has been through.
    pub processed: i64,
    /// `processed / total`, 0 to 1.
    pub progress: f64,
    /// The job running the import.
    pub job_id: Option<String>,
    /// Why the import failed.
    pub error: Option<String>,
    pub created_at: String,
    pub started_at: Option<String>,
    pub finished_at: Option<String>,
}

impl From<ImportView> for ImportResponse {
    fn from(i: ImportView) -> Self {
        ImportResponse {
            progress: i.progress(),
            id: i.id.to_string(),
            status: i.status,
            columns: ImportColumns { email: true, name: i.columns.name, products: i.columns.products, ignored: i.columns.ignored },
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
            job_id: i.job_id.map(|j| j.to_string()),
            error: i.error,
            created_at: rfc3339(i.created_at),
            started_at: i.started_at.map(rfc3339),
            finished_at: i.finished_at.map(rfc3339),
        }
    }
}

/// One row of the file, with what the preview found and what the run did.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportRowResponse {
    /// The row's number in the file (the header row is 1).
    pub row: i64,
    /// Lower-cased when valid, as written otherwise.
    pub email: String,
    pub name: Option<String>,
    /// Ids of the products the row grants.
    pub products: Vec<String>,
    pub problems: Vec<ImportProblem>,
    /// `created`, `updated` (name changed), `granted` (existing member, new products only) or `skipped`; null until run.
    #[schema(value_type = Option<ImportRowOutcome>)]
    pub outcome: Option<String>,
    /// Why a row was skipped, or notes on a processed one.
    pub reason: Option<String>,
    pub user_id: Option<String>,
    /// Ids of the products this row granted.
    pub granted: Vec<String>,
}

impl From<ImportRowView> for ImportRowResponse {
    fn from(r: ImportRowView) -> Self {
        ImportRowResponse {
            row: r.line,
            email: r.email,
            name: r.name,
            products: r.products,
            problems: r.problems.into_iter().map(Into::into).collect(),
            outcome: r.outcome,
            reason: r.reason,
            user_id: r.user_id.map(|u| u.to_string()),
            granted: r.granted,
        }
    }
}

/// What an upload answers: the stored import and a look at its rows.
#[derive(Debug, Serialize, ToSchema)]
pub struct ImportPreviewResponse {
    pub import: ImportResponse,
    /// The file's first rows (up to 50).
    pub rows: Vec<ImportRowResponse>,
    /// The first rows with problems (up to 100).
    pub problem_rows: Vec<ImportRowResponse>,
    /// About the whole file.
    pub warnings: Vec<ImportProblem>,
}

impl From<ImportPreview> for ImportPreviewResponse {
    fn from(p: ImportPreview) -> Self {
        ImportPreviewResponse {
            import: p.import.into(),
            rows: p.rows.into_iter().map(Into::into).collect(),
            problem_rows: p.problem_rows.into_iter().map(Into::into).collect(),
            warnings: p.warnings.into_iter().map(Into::into).collect(),
        }
    }
}

#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RunImportQuery {
    /// Email an invitation to each member the import creates, and the "access granted" email for
    /// each product it grants. Default false: the import emails nobody.
    pub invite: Option<bool>,
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct ImportRowsQuery {
    /// Only rows with this outcome.
    #[validate(length(min = 1, max = 20))]
    #[param(value_type = Option<ImportRowOutcome>)]
    pub outcome: Option<String>,
    /// How many rows to return (1 to 100, default 25).
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page.
    // A row's line number (`next_cursor` is `line.to_string()`). At most 18
    // characters: every string the pattern then admits parses as an i64.
    #[bound(length(min = 1, max = 18))]
    #[param(pattern = r"^[+-]?[0-9]+$")]
    pub cursor: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn names(v: serde_json::Value) -> Vec<String> {
        v.as_array().unwrap().iter().map(|x| x.as_str().unwrap().to_owned()).collect()
    }

    /// The values are those the rest of the code writes and checks.
    #[test]
    fn values_match_the_stored_strings() {
        assert_eq!(names(json!([MemberImportStatus::Previewed, MemberImportStatus::Done])), ["previewed", "done"]);
        assert_eq!(
            names(json!([ImportRowOutcome::Created, ImportRowOutcome::Updated, ImportRowOutcome::Granted, ImportRowOutcome::Skipped])),
            tollgate_app::members_import::OUTCOMES
        );
    }
}
