//! Keyset pagination: a list is read after a cursor, in a stable order,
//! never with OFFSET.

use crate::error::FieldProblem;

pub const DEFAULT_LIMIT: u32 = 25;
pub const MAX_LIMIT: u32 = 100;

/// How many rows a list call may return.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limit(u32);

impl Limit {
    pub fn parse(v: Option<i64>) -> Result<Self, FieldProblem> {
        match v {
            None => Ok(Self(DEFAULT_LIMIT)),
            Some(n) if (1..=MAX_LIMIT as i64).contains(&n) => Ok(Self(n as u32)),
            Some(_) => Err(FieldProblem::new("out_of_range", format!("must be between 1 and {MAX_LIMIT}"))),
        }
    }
    /// A batch size for server-side reads that walk a whole list (CSV
    /// exports), not for client input: at least 1, beyond [`MAX_LIMIT`].
    pub fn batch(n: u32) -> Self {
        Self(n.max(1))
    }
    pub fn get(self) -> u32 {
        self.0
    }
    /// One more than asked, to learn whether another page exists.
    pub fn probe(self) -> i64 {
        self.0 as i64 + 1
    }
}

impl Default for Limit {
    fn default() -> Self {
        Self(DEFAULT_LIMIT)
    }
}

/// A page of results and the cursor of the next one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Page<T> {
    pub items: Vec<T>,
    pub next_cursor: Option<String>,
}

impl<T> Page<T> {
    /// Builds a page from `limit + 1` probed rows.
    pub fn from_probe(mut rows: Vec<T>, limit: Limit, cursor_of: impl Fn(&T) -> String) -> Self {
        let more = rows.len() > limit.get() as usize;
        rows.truncate(limit.get() as usize);
        let next_cursor = if more { rows.last().map(cursor_of) } else { None };
        Self { items: rows, next_cursor }
    }

    pub fn map<U>(self, f: impl FnMut(T) -> U) -> Page<U> {
        Page { items: self.items.into_iter().map(f).collect(), next_cursor: self.next_cursor }
    }
}

/// A cursor made of a timestamp and an id, for lists ordered by time.
/// Printed as `<millis>.<id>`; opaque to clients.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TimeCursor {
    pub at_millis: i64,
    pub id: String,
}

impl TimeCursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.at_millis, self.id)
    }
    pub fn parse(s: &str) -> Result<Self, FieldProblem> {
        let bad = || FieldProblem::new("invalid_cursor", "is not a cursor returned by this list");
        let (t, id) = s.split_once('.').ok_or_else(bad)?;
        let at_millis = t.parse().map_err(|_| bad())?;
        if id.is_empty() || id.len() > 64 || !id.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
            return Err(bad());
        }
        Ok(Self { at_millis, id: id.to_owned() })
    }
}

/// A cursor that is an id of the listed kind (ids are time-ordered).
pub fn id_cursor(s: &str) -> Result<String, FieldProblem> {
    if s.is_empty() || s.len() > 64 || !s.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_') {
        return Err(FieldProblem::new("invalid_cursor", "is not a cursor returned by this list"));
    }
    Ok(s.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limit_bounds() {
        assert_eq!(Limit::parse(None).unwrap().get(), DEFAULT_LIMIT);
        assert!(Limit::parse(Some(0)).is_err());
        assert!(Limit::parse(Some(101)).is_err());
        assert_eq!(Limit::parse(Some(100)).unwrap().get(), 100);
    }

    #[test]
    fn probe_decides_next_cursor() {
        let l = Limit::parse(Some(2)).unwrap();
        let p = Page::from_probe(vec![1, 2, 3], l, |n| n.to_string());
        assert_eq!(p.items, vec![1, 2]);
        assert_eq!(p.next_cursor.as_deref(), Some("2"));
        let p = Page::from_probe(vec![1, 2], l, |n| n.to_string());
        assert_eq!(p.next_cursor, None);
    }

    #[test]
    fn time_cursor_round_trips_and_rejects_junk() {
        let c = TimeCursor { at_millis: 1700000000000, id: "act_0192".into() };
        assert_eq!(TimeCursor::parse(&c.encode()).unwrap(), c);
        for bad in ["", "abc", "12.", "x.act_1", "1.a'b"] {
            assert!(TimeCursor::parse(bad).is_err(), "{bad}");
        }
    }
}
