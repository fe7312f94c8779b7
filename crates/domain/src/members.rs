//! The members list's filters: one shape for the list, its CSV export,
//! saved segments and bulk actions. Raw values (as a URL or a saved segment
//! carries them) are checked here and become a [`MemberFilter`].

use serde::{Deserialize, Serialize};
use time::{Date, OffsetDateTime};

use crate::access::AccessSource;
use crate::error::ValidationErrors;
use crate::metrics::parse_day;

/// Filters as given (query parameters or a saved segment); all optional.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RawMemberFilter {
    /// Matches the start of the email or any part of the name, case-insensitively.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub q: Option<String>,
    /// A lifecycle stage's name.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub stage: Option<String>,
    /// Renewal date within this many days from now (1 to 366).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub renews_within_days: Option<i64>,
    /// Has access to this product now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub has_product: Option<String>,
    /// Has no access to this product now.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub lacks_product: Option<String>,
    /// Holds an open grant from this source.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub source: Option<String>,
    /// MRR at least / at most this many minor units.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrr_min: Option<i64>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub mrr_max: Option<i64>,
    /// Last login on or after this UTC day (`YYYY-MM-DD`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_after: Option<String>,
    /// Last login before this UTC day, or never.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last_login_before: Option<String>,
    /// `active` or `inactive` (past the app's inactivity threshold).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub status: Option<String>,
    /// Created on or after / before this UTC day.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_after: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub created_before: Option<String>,
}

/// Checked filters.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct MemberFilter {
    pub q: Option<String>,
    pub stage: Option<String>,
    pub renews_within_days: Option<i64>,
    pub has_product: Option<String>,
    pub lacks_product: Option<String>,
    pub source: Option<AccessSource>,
    pub mrr_min: Option<i64>,
    pub mrr_max: Option<i64>,
    pub last_login_after: Option<OffsetDateTime>,
    pub last_login_before: Option<OffsetDateTime>,
    /// `Some(true)`: inactive members only; `Some(false)`: active only.
    pub inactive: Option<bool>,
    pub created_after: Option<OffsetDateTime>,
    pub created_before: Option<OffsetDateTime>,
}

fn start_of(d: Date) -> OffsetDateTime {
    d.midnight().assume_utc()
}

fn trimmed(s: &Option<String>) -> Option<String> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(str::to_owned)
}

impl RawMemberFilter {
    pub fn is_empty(&self) -> bool {
        *self == RawMemberFilter::default()
    }

    /// Checks every value; the errors name the fields.
    pub fn check(&self) -> Result<MemberFilter, ValidationErrors> {
        let mut e = ValidationErrors::new();
        let q = trimmed(&self.q);
        if q.as_ref().is_some_and(|q| q.chars().count() > 200) {
            e.add("q", "too_long", "must have at most 200 characters");
        }
        let stage = trimmed(&self.stage);
        if stage.as_ref().is_some_and(|s| s.chars().count() > 40) {
            e.add("stage", "too_long", "a stage name has at most 40 characters");
        }
        if let Some(d) = self.renews_within_days.filter(|d| !(1..=366).contains(d)) {
            e.add("renews_within_days", "out_of_range", format!("must be between 1 and 366, not {d}"));
        }
        for (field, v) in [("has_product", &self.has_product), ("lacks_product", &self.lacks_product)] {
            if let Some(p) = trimmed(v) {
                if crate::ids::ProductId::parse(&p).is_err() {
                    e.add(field, "unknown_product", format!("{p} is not a product id"));
                }
            }
        }
        let source = match trimmed(&self.source) {
            Some(s) => match s.parse::<AccessSource>() {
                Ok(x) => Some(x),
                Err(p) => {
                    e.add("source", &p.code, p.message);
                    None
                }
            },
            None => None,
        };
        for (field, v) in [("mrr_min", self.mrr_min), ("mrr_max", self.mrr_max)] {
            if v.is_some_and(|v| !(0..=1_000_000_000_000).contains(&v)) {
                e.add(field, "out_of_range", "minor units between 0 and 10^12");
            }
        }
        if let (Some(a), Some(b)) = (self.mrr_min, self.mrr_max) {
            if a > b {
                e.add("mrr_min", "above_max", "must not be above mrr_max");
            }
        }
        let mut day = |field: &str, v: &Option<String>| -> Option<OffsetDateTime> {
            let s = trimmed(v)?;
            match parse_day(&s) {
                Some(d) => Some(start_of(d)),
                None => {
                    e.add(field, "invalid_date", "must be a date like 2026-01-31");
                    None
                }
            }
        };
        let last_login_after = day("last_login_after", &self.last_login_after);
        let last_login_before = day("last_login_before", &self.last_login_before);
        let created_after = day("created_after", &self.created_after);
        let created_before = day("created_before", &self.created_before);
        let inactive = match trimmed(&self.status).as_deref() {
            None => None,
            Some("active") => Some(false),
            Some("inactive") => Some(true),
            Some(_) => {
                e.add("status", "invalid_choice", "active or inactive");
                None
            }
        };
        e.into_result()?;
        Ok(MemberFilter {
            q,
            stage,
            renews_within_days: self.renews_within_days,
            has_product: trimmed(&self.has_product),
            lacks_product: trimmed(&self.lacks_product),
            source,
            mrr_min: self.mrr_min,
            mrr_max: self.mrr_max,
            last_login_after,
            last_login_before,
            inactive,
            created_after,
            created_before,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: RawMemberFilter) -> Vec<String> {
        r.check().unwrap_err().0.into_iter().map(|f| f.field).collect()
    }

    #[test]
    fn good_filters_are_checked_into_values() {
        let f = RawMemberFilter {
            stage: Some(" Customer ".into()),
            source: Some("keap".into()),
            mrr_min: Some(1000),
            last_login_before: Some("2026-11-01".into()),
            status: Some("inactive".into()),
            ..Default::default()
        }
        .check()
        .unwrap();
        assert_eq!(f.stage.as_deref(), Some("Customer"));
        assert_eq!(f.source, Some(AccessSource::Keap));
        assert_eq!(f.last_login_before, Some(time::macros::datetime!(2026-11-01 0:00 UTC)));
        assert_eq!(f.inactive, Some(true));
        assert!(RawMemberFilter::default().is_empty());
    }

    #[test]
    fn bad_filters_name_their_fields() {
        let r = RawMemberFilter {
            renews_within_days: Some(0),
            has_product: Some("nope".into()),
            source: Some("carrier_pigeon".into()),
            mrr_min: Some(5),
            mrr_max: Some(1),
            created_after: Some("yesterday".into()),
            status: Some("asleep".into()),
            ..Default::default()
        };
        assert_eq!(fields(r), ["renews_within_days", "has_product", "source", "mrr_min", "created_after", "status"]);
    }
}
