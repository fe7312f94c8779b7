//! Reading an uploaded members CSV: UTF-8 only (a leading BOM is dropped),
//! CRLF or LF line ends, RFC 4180 quoting, a header row naming the columns.

use crate::error::{AppError, AppResult};

/// The largest file accepted (the HTTP layer answers 413 beyond it).
pub const MAX_BYTES: usize = 20 * 1024 * 1024;
/// The most data rows one import takes.
pub const MAX_ROWS: usize = 100_000;

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Where the recognised columns are; every other column is listed in `ignored`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Columns {
    pub email: usize,
    pub name: Option<usize>,
    pub products: Option<usize>,
    pub ignored: Vec<String>,
}

/// One data row as written in the file (trimmed).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RawRow {
    /// The row's number in the file, the header being row 1.
    pub line: i64,
    pub email: String,
    /// `None` when the file has no name column or the cell is empty.
    pub name: Option<String>,
    /// Product ids or names, split on `;` or `|`.
    pub products: Vec<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Parsed {
    pub columns: Columns,
    pub rows: Vec<RawRow>,
}

fn file_error(code: &str, message: impl Into<String>) -> AppError {
    AppError::field("file", code, message)
}

/// Parses the file; a file that cannot be imported at all is a 422 naming
/// `file` (`empty_file`, `not_utf8`, `malformed_csv`, `no_rows`,
/// `too_many_rows`) or `columns` (`missing_email_column`, `duplicate_column`).
pub fn parse(body: &[u8]) -> AppResult<Parsed> {
    let body = body.strip_prefix(BOM).unwrap_or(body);
    if let Err(e) = std::str::from_utf8(body) {
        let at = e.valid_up_to();
        let line = body[..at].iter().filter(|b| **b == b'\n').count() + 1;
        return Err(file_error("not_utf8", format!("the file must be UTF-8 text; line {line} has a byte that is not (save it as \"CSV UTF-8\")")));
    }
    if body.iter().all(u8::is_ascii_whitespace) {
        return Err(file_error("empty_file", "the file is empty"));
    }
    let mut r = csv::ReaderBuilder::new().flexible(true).trim(csv::Trim::All).from_reader(body);
    let headers = r.headers().map_err(|e| file_error("malformed_csv", format!("the header row cannot be read: {e}")))?.clone();
    let columns = columns(&headers)?;
    let mut rows = Vec::new();
    let mut rec = csv::StringRecord::new();
    let mut n = 0i64;
    loop {
        match r.read_record(&mut rec) {
            Ok(false) => break,
            Ok(true) => {}
            Err(e) => return Err(file_error("malformed_csv", format!("row {} cannot be read: {e}", n + 2))),
        }
        n += 1;
        if rec.iter().all(str::is_empty) {
            continue;
        }
        if rows.len() == MAX_ROWS {
            return Err(file_error("too_many_rows", format!("a file can have at most {MAX_ROWS} rows")));
        }
        let cell = |i: Option<usize>| i.and_then(|i| rec.get(i)).filter(|v| !v.is_empty()).map(str::to_owned);
        rows.push(RawRow {
            line: n + 1,
            email: cell(Some(columns.email)).unwrap_or_default(),
            name: cell(columns.name),
            products: cell(columns.products).map(|p| split_products(&p)).unwrap_or_default(),
        });
    }
    if rows.is_empty() {
        return Err(file_error("no_rows", "the file has a header row but no members"));
    }
    Ok(Parsed { columns, rows })
}

fn columns(headers: &csv::StringRecord) -> AppResult<Columns> {
    let (mut email, mut name, mut products, mut ignored) = (None, None, None, Vec::new());
    for (i, h) in headers.iter().enumerate() {
        let key = h.trim().to_lowercase();
        let slot = match key.as_str() {
            "email" | "e-mail" | "email address" => &mut email,
            "name" | "full name" => &mut name,
            "products" | "product" => &mut products,
            _ => {
                if !h.trim().is_empty() {
                    ignored.push(h.trim().to_owned());
                }
                continue;
            }
        };
        if slot.is_some() {
            return Err(AppError::field("columns", "duplicate_column", format!("the header row names the {key} column twice")));
        }
        *slot = Some(i);
    }
    let email = email.ok_or_else(|| AppError::field("columns", "missing_email_column", "the header row must have an `email` column"))?;
    Ok(Columns { email, name, products, ignored })
}

fn split_products(cell: &str) -> Vec<String> {
    cell.split([';', '|']).map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn code(e: AppError) -> (String, String) {
        match e {
            AppError::Validation(v) => {
                let f = v.0.into_iter().next().unwrap();
                (f.field, f.code)
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn reads_bom_crlf_quotes_and_extra_columns() {
        let body = b"\xEF\xBB\xBFEmail,Name,Products,Plan\r\nada@example.com,\"Lovelace, Ada\",Course;prod_x | Other,gold\r\n\r\n\"grace@example.com\",,,\r\n";
        let p = parse(body).unwrap();
        assert_eq!(p.columns, Columns { email: 0, name: Some(1), products: Some(2), ignored: vec!["Plan".into()] });
        assert_eq!(p.rows.len(), 2);
        assert_eq!(p.rows[0], RawRow { line: 2, email: "ada@example.com".into(), name: Some("Lovelace, Ada".into()), products: vec!["Course".into(), "prod_x".into(), "Other".into()] });
        assert_eq!(p.rows[1].email, "grace@example.com");
        assert_eq!(p.rows[1].name, None);
        assert!(p.rows[1].products.is_empty());
    }

    #[test]
    fn quoted_newlines_count_as_one_row() {
        let p = parse(b"email,name\na@example.com,\"two\nlines\"\nb@example.com,B\n").unwrap();
        assert_eq!(p.rows[0].name.as_deref(), Some("two\nlines"));
        assert_eq!(p.rows[1].line, 3);
    }

    #[test]
    fn refuses_files_it_cannot_import() {
        assert_eq!(code(parse(b"").unwrap_err()), ("file".into(), "empty_file".into()));
        assert_eq!(code(parse(b"\xEF\xBB\xBF \r\n").unwrap_err()), ("file".into(), "empty_file".into()));
        assert_eq!(code(parse(b"email\nb\xE9b@example.com\n").unwrap_err()), ("file".into(), "not_utf8".into()));
        assert_eq!(code(parse(b"name,products\nAda,x\n").unwrap_err()), ("columns".into(), "missing_email_column".into()));
        assert_eq!(code(parse(b"email,Email\na@example.com,b@example.com\n").unwrap_err()), ("columns".into(), "duplicate_column".into()));
        assert_eq!(code(parse(b"email,name\n").unwrap_err()), ("file".into(), "no_rows".into()));
        let mut big = b"email\n".to_vec();
        for i in 0..=MAX_ROWS {
            big.extend_from_slice(format!("m{i}@example.com\n").as_bytes());
        }
        assert_eq!(code(parse(&big).unwrap_err()), ("file".into(), "too_many_rows".into()));
    }
}
