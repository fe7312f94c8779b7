//! CSV import of members (issue 13): an upload is parsed and checked row by
//! row into a stored preview; running it is a job that walks the rows in
//! file order, a batch per transaction, and records each row's outcome.
//!
//! Idempotent on email: a row whose member exists updates the name (when
//! the file gives one) instead of creating a second member, and a product
//! the member already holds from an import is not granted again. An import
//! runs once: running a finished import again is a 409.
//!
//! Members have no metadata field: columns other than `email`, `name` and
//! `products` are reported in the preview as ignored.

pub mod parse;
pub(crate) mod run;
mod view;

pub use view::{ImportColumns, ImportProblem, ImportRowView, ImportView};

use std::collections::{HashMap, HashSet};

use tollgate_domain::email::Email;
use tollgate_domain::ids::{AppId, ImportId, ProductId};
use tollgate_domain::page::{Limit, Page};
use tollgate_domain::product::Product;
use tollgate_domain::user::user_name;
use tollgate_persistence::member_imports::{self as repo, ImportRowRecord, MemberImport, RowProblem};
use tollgate_persistence::{Conn, products};

use crate::error::{AppError, AppResult};
use crate::services::Services;

/// Rows of the file shown in the preview, and rows with problems.
pub const PREVIEW_ROWS: usize = 50;
pub const PREVIEW_PROBLEMS: usize = 100;

/// The outcomes a run writes on rows.
pub const OUTCOMES: [&str; 4] = ["created", "updated", "granted", "skipped"];

/// What the upload answers: the stored import and rows to show.
#[derive(Debug, Clone)]
pub struct ImportPreview {
    pub import: ImportView,
    /// The first rows of the file.
    pub rows: Vec<ImportRowView>,
    /// The first rows that have problems (skipped when run).
    pub problem_rows: Vec<ImportRowView>,
    /// Things about the whole file worth knowing (e.g. ignored columns).
    pub warnings: Vec<ImportProblem>,
}

fn problem(code: &str, message: impl Into<String>) -> RowProblem {
    RowProblem { code: code.into(), message: message.into() }
}

/// The app's products by id and by exact name (`None`: two products share the name).
struct Catalogue {
    by_id: HashMap<String, Product>,
    by_name: HashMap<String, Option<ProductId>>,
}

impl Catalogue {
    async fn load(conn: &mut Conn<'_>, app: &AppId) -> AppResult<Self> {
        let (mut by_id, mut by_name) = (HashMap::new(), HashMap::<String, Option<ProductId>>::new());
        let mut after = None;
        loop {
            let page = products::list(conn, app, true, after.as_ref(), Limit::batch(1000)).await?;
            for p in page.items {
                by_name.entry(p.fields.name.clone()).and_modify(|v| *v = None).or_insert_with(|| Some(p.id.clone()));
                by_id.insert(p.id.as_str().to_owned(), p);
            }
            match page.next_cursor {
                Some(c) => after = Some(ProductId::from_trusted(c)),
                None => break,
            }
        }
        Ok(Self { by_id, by_name })
    }

    /// The product a cell names, or the problem with it.
    fn resolve(&self, token: &str) -> Result<ProductId, RowProblem> {
        let found = match self.by_id.get(token) {
            Some(p) => p,
            None => match self.by_name.get(token) {
                Some(Some(id)) => &self.by_id[id.as_str()],
                Some(None) => return Err(problem("ambiguous_product", format!("several products are named \"{token}\"; use the product id"))),
                None => return Err(problem("unknown_product", format!("no product has the id or name \"{token}\""))),
            },
        };
        if found.archived_at.is_some() {
            return Err(problem("archived_product", format!("the product \"{}\" is archived", found.fields.name)));
        }
        Ok(found.id.clone())
    }
}

impl Services {
    /// Parses and checks an uploaded CSV and stores it as a previewed
    /// import. Each row is checked for `missing_email`, `invalid_email`,
    /// `duplicate_row` (an email already on an earlier row), `invalid_name`,
    /// `unknown_product`, `ambiguous_product` and `archived_product`.
    pub async fn preview_member_import(&self, app: &AppId, body: &[u8]) -> AppResult<ImportPreview> {
        let parsed = parse::parse(body)?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let catalogue = Catalogue::load(&mut tx.conn(), app).await?;
        let mut seen: HashMap<String, i64> = HashMap::new();
        let mut rows = Vec::with_capacity(parsed.rows.len());
        for raw in parsed.rows {
            let mut problems = Vec::new();
            let email = if raw.email.is_empty() {
                problems.push(problem("missing_email", "the email cell is empty"));
                raw.email
            } else {
                match Email::parse(&raw.email) {
                    Ok(e) => {
                        let e = e.as_str().to_owned();
                        match seen.get(&e) {
                            Some(first) => problems.push(problem("duplicate_row", format!("the same email is on row {first}"))),
                            None => {
                                seen.insert(e.clone(), raw.line);
                            }
                        }
                        e
                    }
                    Err(p) => {
                        problems.push(problem("invalid_email", format!("\"{}\" {}", raw.email, p.message)));
                        raw.email
                    }
                }
            };
            let name = match raw.name.as_deref().map(user_name).transpose() {
                Ok(n) => n,
                Err(p) => {
                    problems.push(problem("invalid_name", format!("the name {}", p.message)));
                    None
                }
            };
            let mut products = Vec::new();
            for token in &raw.products {
                match catalogue.resolve(token) {
                    Ok(id) if !products.contains(&id.as_str().to_owned()) => products.push(id.into_string()),
                    Ok(_) => {}
                    Err(p) => problems.push(p),
                }
            }
            rows.push(ImportRowRecord { line: raw.line, email, name, products, problems, outcome: None, reason: None, user_id: None, granted: vec![] });
        }
        let valid: Vec<&str> = rows.iter().filter(|r| r.problems.is_empty()).map(|r| r.email.as_str()).collect();
        let existing: HashSet<String> = repo::existing_emails(&mut tx.conn(), app, &valid).await?.into_iter().collect();
        let would_update = valid.iter().filter(|e| existing.contains(**e)).count() as i64;
        let would_create = valid.len() as i64 - would_update;
        let total = rows.len() as i64;
        let mut warnings = Vec::new();
        let c = &parsed.columns;
        if !c.ignored.is_empty() {
            warnings.push(problem(
                "metadata_ignored",
                format!("members have no metadata field: the column(s) {} will not be imported", c.ignored.join(", ")),
            ));
        }
        if c.name.is_none() {
            warnings.push(problem("no_name_column", "the file has no name column: new members get an empty name, existing ones keep theirs"));
        }
        let columns = serde_json::json!({ "email": true, "name": c.name.is_some(), "products": c.products.is_some(), "ignored": c.ignored });
        let import = MemberImport {
            id: ImportId::new(),
            app_id: app.clone(),
            status: "previewed".into(),
            columns,
            invite: false,
            total,
            invalid: total - valid.len() as i64,
            would_create,
            would_update,
            created: 0,
            updated: 0,
            granted: 0,
            skipped: 0,
            processed: 0,
            next_row: rows.first().map(|r| r.line).unwrap_or(2),
            job_id: None,
            error: None,
            created_at: now,
            started_at: None,
            finished_at: None,
            updated_at: now,
        };
        repo::insert(&mut tx.conn(), &import).await?;
        repo::insert_rows(&mut tx.conn(), app, &import.id, &rows).await?;
        tollgate_persistence::audit::set_target_id(&import.id);
        tollgate_persistence::audit::set_after(serde_json::json!({"rows": import.total, "invalid": import.invalid}));
        tx.commit().await?;
        let problem_rows = rows.iter().filter(|r| !r.problems.is_empty()).take(PREVIEW_PROBLEMS).cloned().map(Into::into).collect();
        rows.truncate(PREVIEW_ROWS);
        let (rows, warnings) = (rows.into_iter().map(Into::into).collect(), warnings.into_iter().map(Into::into).collect());
        Ok(ImportPreview { import: import.into(), rows, problem_rows, warnings })
    }

    pub async fn get_member_import(&self, app: &AppId, id: &ImportId) -> AppResult<ImportView> {
        let mut c = self.db.acquire().await?;
        Ok(repo::find(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("import"))?.into())
    }

    /// The import's rows in file order, optionally of one outcome (the report).
    pub async fn member_import_rows(&self, app: &AppId, id: &ImportId, outcome: Option<&str>, after: Option<i64>, limit: Limit) -> AppResult<Page<ImportRowView>> {
        if let Some(o) = outcome.filter(|o| !OUTCOMES.contains(o)) {
            return Err(AppError::field("outcome", "invalid_outcome", format!("\"{o}\" is not one of {}", OUTCOMES.join(", "))));
        }
        let mut c = self.db.acquire().await?;
        repo::find(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("import"))?;
        Ok(repo::list_rows(&mut c.conn(), app, id, outcome, after, limit).await?.map(Into::into))
    }
}
