use serde::Serialize;

/// One offending field of a request, with a stable machine-readable `code`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FieldError {
    pub field: String,
    pub code: String,
    pub message: String,
}

/// A set of field errors. Built up by parsers; empty means valid.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{} invalid field(s)", .0.len())]
pub struct ValidationErrors(pub Vec<FieldError>);

impl ValidationErrors {
    pub fn new() -> Self {
        Self::default()
    }
    pub fn single(field: &str, code: &str, message: impl Into<String>) -> Self {
        let mut e = Self::new();
        e.add(field, code, message);
        e
    }
    pub fn add(&mut self, field: &str, code: &str, message: impl Into<String>) {
        self.0.push(FieldError { field: field.to_owned(), code: code.to_owned(), message: message.into() });
    }
    /// Records the error of a parse result under `field` and returns the value if any.
    pub fn check<T>(&mut self, field: &str, r: Result<T, FieldProblem>) -> Option<T> {
        match r {
            Ok(v) => Some(v),
            Err(p) => {
                self.add(field, p.code, p.message);
                None
            }
        }
    }
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
    pub fn into_result(self) -> Result<(), ValidationErrors> {
        if self.0.is_empty() { Ok(()) } else { Err(self) }
    }
}

/// A field-less validation problem; the caller knows which field it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldProblem {
    pub code: &'static str,
    pub message: String,
}

impl FieldProblem {
    pub fn new(code: &'static str, message: impl Into<String>) -> Self {
        Self { code, message: message.into() }
    }
}

/// Checks that a trimmed string has between `min` and `max` characters.
pub fn text(value: &str, min: usize, max: usize) -> Result<String, FieldProblem> {
    let v = value.trim();
    let n = v.chars().count();
    if n < min {
        return Err(if min == 1 {
            FieldProblem::new("required", "must not be empty")
        } else {
            FieldProblem::new("too_short", format!("must have at least {min} characters"))
        });
    }
    if n > max {
        return Err(FieldProblem::new("too_long", format!("must have at most {max} characters")));
    }
    if v.chars().any(|c| c.is_control() && c != '\n' && c != '\r' && c != '\t') {
        return Err(FieldProblem::new("invalid_characters", "must not contain control characters"));
    }
    Ok(v.to_owned())
}

/// An absolute http(s) URL without whitespace, at most 2048 characters.
pub fn http_url(value: &str) -> Result<String, FieldProblem> {
    let v = value.trim();
    let lower = v.to_ascii_lowercase();
    let rest = lower.strip_prefix("https://").or_else(|| lower.strip_prefix("http://"));
    let ok = match rest {
        Some(r) => {
            let host = r.split(['/', '?', '#']).next().unwrap_or("");
            !host.is_empty() && !host.starts_with(':') && !v.chars().any(char::is_whitespace)
        }
        None => false,
    };
    if !ok {
        return Err(FieldProblem::new("invalid_url", "must be an absolute http:// or https:// URL"));
    }
    if v.len() > 2048 {
        return Err(FieldProblem::new("too_long", "must have at most 2048 characters"));
    }
    Ok(v.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn text_trims_and_bounds() {
        assert_eq!(text("  Course  ", 1, 10).unwrap(), "Course");
        assert_eq!(text("   ", 1, 10).unwrap_err().code, "required");
        assert_eq!(text("abcdefghijk", 1, 10).unwrap_err().code, "too_long");
        assert_eq!(text("a\u{0}b", 1, 10).unwrap_err().code, "invalid_characters");
    }

    #[test]
    fn urls_must_be_absolute_http() {
        assert!(http_url("https://example.com/a?b=c").is_ok());
        assert!(http_url("http://localhost:8080").is_ok());
        for bad in ["example.com", "ftp://x", "https://", "https:// x.com", "javascript:alert(1)", "https://:80"] {
            assert_eq!(http_url(bad).unwrap_err().code, "invalid_url", "{bad}");
        }
    }
}
