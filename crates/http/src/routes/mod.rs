//! The routes, one folder per capability: handlers in `mod.rs` (and, for a
//! large capability, files next to it), request and response types in
//! `dto.rs`, and a `configure()` registering its /api/v1 routes.
//! `crate::routes()` puts them together, for serving and for the document.

use time::OffsetDateTime;
use tollgate_domain::page::{Limit, id_cursor};

use crate::error::{ApiError, ApiResult};

pub mod accounts;
pub mod app;
pub mod audit;
pub mod auth;
pub mod automations;
pub mod connectors;
pub mod crm;
pub mod customers;
pub mod images;
pub mod import;
pub mod member_area;
pub mod members;
pub mod ops;
pub mod outbound;
pub mod products;
pub mod selling;
pub mod stripe;
pub mod team;

/// The `limit` query parameter: 1 to 100, 25 when absent.
pub(crate) fn limit(v: Option<i64>) -> ApiResult<Limit> {
    Limit::parse(v).map_err(|p| ApiError::field("limit", p.code, p.message))
}

/// The `cursor` query parameter of a list ordered by id.
pub(crate) fn cursor(v: Option<&str>) -> ApiResult<Option<String>> {
    v.map(|c| id_cursor(c).map_err(|p| ApiError::field("cursor", p.code, p.message))).transpose()
}

/// An RFC 3339 date-time parameter (`field` names it in the problem).
pub(crate) fn parse_time(field: &str, v: &str) -> ApiResult<OffsetDateTime> {
    OffsetDateTime::parse(v, &time::format_description::well_known::Rfc3339)
        .map_err(|_| ApiError::field(field, "invalid_datetime", "must be an RFC 3339 date-time like 2026-01-31T12:00:00Z"))
}
