//! Parameter pieces several endpoints share.

use serde::Serialize;

/// A range filter on `created` (`created[gt]=...`), in Unix seconds.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CreatedFilter {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gt: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub gte: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lt: Option<i64>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub lte: Option<i64>,
}

impl CreatedFilter {
    pub fn after(unix_seconds: i64) -> Self {
        CreatedFilter {
            gt: Some(unix_seconds),
            ..Self::default()
        }
    }
}
