//! CSV imports of members: the import (status, counts, where the run is)
//! and its rows (what the preview found, what the run did).

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, ImportId, JobId, UserId};
use tollgate_domain::page::{Limit, Page};

use crate::{Conn, DbError, DbResult, at, ms, on, opt_at};

#[derive(Debug, Clone, PartialEq)]
pub struct MemberImport {
    pub id: ImportId,
    pub app_id: AppId,
    /// previewed | running | done | failed
    pub status: String,
    pub columns: serde_json::Value,
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
    /// The line the run resumes at.
    pub next_row: i64,
    pub job_id: Option<JobId>,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
    pub started_at: Option<OffsetDateTime>,
    pub finished_at: Option<OffsetDateTime>,
    pub updated_at: OffsetDateTime,
}

#[derive(sqlx::FromRow)]
struct ImportRow {
    app_id: String,
    id: String,
    status: String,
    columns: String,
    invite: bool,
    total: i64,
    invalid: i64,
    would_create: i64,
    would_update: i64,
    created: i64,
    updated: i64,
    granted: i64,
    skipped: i64,
    processed: i64,
    next_row: i64,
    job_id: Option<String>,
    error: Option<String>,
    created_at: i64,
    started_at: Option<i64>,
    finished_at: Option<i64>,
    updated_at: i64,
}

impl TryFrom<ImportRow> for MemberImport {
    type Error = DbError;
    fn try_from(r: ImportRow) -> DbResult<Self> {
        Ok(MemberImport {
            id: ImportId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            status: r.status,
            columns: serde_json::from_str(&r.columns).map_err(DbError::corrupt)?,
            invite: r.invite,
            total: r.total,
            invalid: r.invalid,
            would_create: r.would_create,
            would_update: r.would_update,
            created: r.created,
            updated: r.updated,
            granted: r.granted,
            skipped: r.skipped,
            processed: r.processed,
            next_row: r.next_row,
            job_id: r.job_id.map(JobId::from_trusted),
            error: r.error,
            created_at: at(r.created_at),
            started_at: opt_at(r.started_at),
            finished_at: opt_at(r.finished_at),
            updated_at: at(r.updated_at),
        })
    }
}

macro_rules! import_cols {
    () => {
        "app_id, id, status, columns, invite, total, invalid, would_create, would_update, created, updated, granted, skipped, \
         processed, next_row, job_id, error, created_at, started_at, finished_at, updated_at"
    };
}

/// A problem the preview found in a row.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize, serde::Deserialize)]
pub struct RowProblem {
    pub code: String,
    pub message: String,
}

/// One row of an imported file.
#[derive(Debug, Clone, PartialEq)]
pub struct ImportRowRecord {
    /// The row's number in the file (the header is row 1).
    pub line: i64,
    pub email: String,
    pub name: Option<String>,
    pub products: Vec<String>,
    pub problems: Vec<RowProblem>,
    pub outcome: Option<String>,
    pub reason: Option<String>,
    pub user_id: Option<UserId>,
    pub granted: Vec<String>,
}

#[derive(sqlx::FromRow)]
struct RowRow {
    line: i64,
    email: String,
    name: Option<String>,
    products: String,
    problems: String,
    outcome: Option<String>,
    reason: Option<String>,
    user_id: Option<String>,
    granted: Option<String>,
}

impl TryFrom<RowRow> for ImportRowRecord {
    type Error = DbError;
    fn try_from(r: RowRow) -> DbResult<Self> {
        Ok(ImportRowRecord {
            line: r.line,
            email: r.email,
            name: r.name,
            products: serde_json::from_str(&r.products).map_err(DbError::corrupt)?,
            problems: serde_json::from_str(&r.problems).map_err(DbError::corrupt)?,
            outcome: r.outcome,
            reason: r.reason,
            user_id: r.user_id.map(UserId::from_trusted),
            granted: match r.granted {
                Some(g) => serde_json::from_str(&g).map_err(DbError::corrupt)?,
                None => vec![],
            },
        })
    }
}

macro_rules! row_cols {
    () => {
        "line, email, name, products, problems, outcome, reason, user_id, granted"
    };
}

/// Stores a new import (status `previewed`).
pub async fn insert(conn: &mut Conn<'_>, i: &MemberImport) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(concat!("INSERT INTO member_imports (", import_cols!(), ") VALUES \
            ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21)"))
        .bind(i.app_id.as_str())
        .bind(i.id.as_str())
        .bind(&i.status)
        .bind(i.columns.to_string())
        .bind(i.invite)
        .bind(i.total)
        .bind(i.invalid)
        .bind(i.would_create)
        .bind(i.would_update)
        .bind(i.created)
        .bind(i.updated)
        .bind(i.granted)
        .bind(i.skipped)
        .bind(i.processed)
        .bind(i.next_row)
        .bind(i.job_id.as_ref().map(|j| j.as_str()))
        .bind(&i.error)
        .bind(ms(i.created_at))
        .bind(i.started_at.map(ms))
        .bind(i.finished_at.map(ms))
        .bind(ms(i.updated_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Rows per INSERT statement (9 values each, well under SQLite's bind limit).
const INSERT_CHUNK: usize = 500;

/// Stores the rows of an import (without outcomes), several per statement.
pub async fn insert_rows(conn: &mut Conn<'_>, app: &AppId, import: &ImportId, rows: &[ImportRowRecord]) -> DbResult<()> {
    for chunk in rows.chunks(INSERT_CHUNK) {
        let encoded: Vec<(String, String)> = chunk
            .iter()
            .map(|r| Ok((serde_json::to_string(&r.products)?, serde_json::to_string(&r.problems)?)))
            .collect::<Result<_, serde_json::Error>>()
            .map_err(DbError::corrupt)?;
        on!(conn, c => {
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO member_import_rows (app_id, import_id, line, email, name, products, problems) ");
            qb.push_values(chunk.iter().zip(&encoded), |mut b, (r, (products, problems))| {
                b.push_bind(app.as_str())
                    .push_bind(import.as_str())
                    .push_bind(r.line)
                    .push_bind(r.email.as_str())
                    .push_bind(r.name.as_deref())
                    .push_bind(products.as_str())
                    .push_bind(problems.as_str());
            });
            qb.build().execute(&mut **c).await?;
        });
    }
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &ImportId) -> DbResult<Option<MemberImport>> {
    let r: Option<ImportRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", import_cols!(), " FROM member_imports WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    r.map(MemberImport::try_from).transpose()
}

/// Moves a previewed import to `running`; `false` when it was not previewed
/// (already started, finished or failed).
pub async fn start(conn: &mut Conn<'_>, app: &AppId, id: &ImportId, invite: bool, job: &JobId, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE member_imports SET status = 'running', invite = $3, job_id = $4, started_at = $5, updated_at = $5 \
         WHERE app_id = $1 AND id = $2 AND status = 'previewed'",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(invite)
    .bind(job.as_str())
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Makes a failed import startable again (it resumes where it stopped).
pub async fn reopen(conn: &mut Conn<'_>, app: &AppId, id: &ImportId, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE member_imports SET status = 'previewed', error = NULL, finished_at = NULL, updated_at = $3 WHERE app_id = $1 AND id = $2 AND status = 'failed'",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Up to `n` rows from line `from` on, in file order.
pub async fn rows_from(conn: &mut Conn<'_>, app: &AppId, id: &ImportId, from: i64, n: i64) -> DbResult<Vec<ImportRowRecord>> {
    let rows: Vec<RowRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", row_cols!(), " FROM member_import_rows WHERE app_id = $1 AND import_id = $2 AND line >= $3 ORDER BY line LIMIT $4"
    ))
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(from)
    .bind(n)
    .fetch_all(&mut **c)
    .await?);
    rows.into_iter().map(ImportRowRecord::try_from).collect()
}

/// What the run did with one row.
#[derive(Debug, Clone)]
pub struct RowOutcome<'a> {
    pub line: i64,
    pub outcome: &'a str,
    pub reason: Option<&'a str>,
    pub user_id: Option<&'a UserId>,
    pub granted: &'a [String],
}

pub async fn set_outcome(conn: &mut Conn<'_>, app: &AppId, id: &ImportId, o: &RowOutcome<'_>) -> DbResult<()> {
    let granted = if o.granted.is_empty() { None } else { Some(serde_json::to_string(o.granted).map_err(DbError::corrupt)?) };
    on!(conn, c => {
        sqlx::query("UPDATE member_import_rows SET outcome = $4, reason = $5, user_id = $6, granted = $7 WHERE app_id = $1 AND import_id = $2 AND line = $3")
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(o.line)
            .bind(o.outcome)
            .bind(o.reason)
            .bind(o.user_id.map(|u| u.as_str()))
            .bind(granted)
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Counts added by one batch of the run.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Tally {
    pub processed: i64,
    pub created: i64,
    pub updated: i64,
    pub granted: i64,
    pub skipped: i64,
}

/// Adds a batch's counts and moves the resume point from `from` to
/// `next_row`; `false` (nothing written) when the import is not at `from`.
pub async fn advance(conn: &mut Conn<'_>, app: &AppId, id: &ImportId, t: Tally, from: i64, next_row: i64, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => {
        sqlx::query(
            "UPDATE member_imports SET processed = processed + $3, created = created + $4, updated = updated + $5, \
             granted = granted + $6, skipped = skipped + $7, next_row = $8, updated_at = $9 WHERE app_id = $1 AND id = $2 AND next_row = $10",
        )
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(t.processed)
        .bind(t.created)
        .bind(t.updated)
        .bind(t.granted)
        .bind(t.skipped)
        .bind(next_row)
        .bind(ms(now))
        .bind(from)
        .execute(&mut **c)
        .await?
        .rows_affected()
    });
    Ok(n == 1)
}

/// The job running the import's current step.
pub async fn set_job(conn: &mut Conn<'_>, app: &AppId, id: &ImportId, job: &JobId) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("UPDATE member_imports SET job_id = $3 WHERE app_id = $1 AND id = $2").bind(app.as_str()).bind(id.as_str()).bind(job.as_str()).execute(&mut **c).await?;
    });
    Ok(())
}

/// Ends a running import as `done` or `failed` (with the error).
pub async fn finish(conn: &mut Conn<'_>, app: &AppId, id: &ImportId, status: &str, error: Option<&str>, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE member_imports SET status = $3, error = $4, finished_at = $5, updated_at = $5 WHERE app_id = $1 AND id = $2 AND status = 'running'",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(status)
    .bind(error)
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// An import's rows in file order, optionally of one outcome, after line `after`.
pub async fn list_rows(conn: &mut Conn<'_>, app: &AppId, id: &ImportId, outcome: Option<&str>, after: Option<i64>, limit: Limit) -> DbResult<Page<ImportRowRecord>> {
    let rows: Vec<RowRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!("SELECT ", row_cols!(), " FROM member_import_rows WHERE app_id = "));
        qb.push_bind(app.as_str()).push(" AND import_id = ").push_bind(id.as_str());
        if let Some(o) = outcome {
            qb.push(" AND outcome = ").push_bind(o);
        }
        if let Some(a) = after {
            qb.push(" AND line > ").push_bind(a);
        }
        qb.push(" ORDER BY line LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows.into_iter().map(ImportRowRecord::try_from).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(items, limit, |r| r.line.to_string()))
}

/// Which of `emails` (normalized) are members of the app already.
pub async fn existing_emails(conn: &mut Conn<'_>, app: &AppId, emails: &[&str]) -> DbResult<Vec<String>> {
    let mut found = Vec::new();
    for chunk in emails.chunks(INSERT_CHUNK) {
        let rows: Vec<String> = on!(conn, c => {
            let mut qb = sqlx::QueryBuilder::new("SELECT email FROM users WHERE app_id = ");
            qb.push_bind(app.as_str()).push(" AND email IN (");
            let mut sep = qb.separated(", ");
            for e in chunk {
                sep.push_bind(*e);
            }
            qb.push(")");
            qb.build_query_scalar().fetch_all(&mut **c).await?
        });
        found.extend(rows);
    }
    Ok(found)
}
