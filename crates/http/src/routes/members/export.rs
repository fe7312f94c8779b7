//! CSV exports of the members list and the activity feed, with the same
//! filters as the JSON lists. The body is streamed: keyset pages of
//! [`BATCH`] rows are read and written one after another, so memory stays
//! flat however many rows the app has.

use std::io;

use actix_web::http::header;
use actix_web::{HttpResponse, get, web};
use bytes::Bytes;
use futures_util::{Stream, StreamExt, stream};
use tollgate_app::Services;
use tollgate_app::access::ExportedGrant;
use tollgate_domain::activity::Activity;
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::UserId;
use tollgate_domain::page::{Limit, TimeCursor};
use tollgate_domain::user::User;

use super::dto::{ActivityExportQuery, GrantExportQuery, UserExportQuery};
use crate::dto::rfc3339;
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidQuery};
use crate::routes::ops::activity_filter;

/// Rows read per page while streaming.
pub const BATCH: u32 = 1000;

const BOM: &[u8] = b"\xEF\xBB\xBF";
const USER_COLUMNS: [&str; 9] = ["id", "email", "name", "stage", "mrr", "mrr_currency", "renews_at", "last_login_at", "created_at"];
const ACTIVITY_COLUMNS: [&str; 7] = ["id", "kind", "label", "user_id", "product_id", "occurred_at", "data"];
const GRANT_COLUMNS: [&str; 11] = ["id", "user_id", "email", "product_id", "source", "source_ref", "reason", "granted_at", "ends_at", "revoked_at", "revoke_reason"];

fn grant_record(r: &ExportedGrant) -> Vec<String> {
    let g = &r.grant;
    vec![
        g.id.to_string(),
        g.user_id.to_string(),
        cell(&r.email),
        g.product_id.to_string(),
        g.source.as_str().to_owned(),
        cell(g.source_ref.as_deref().unwrap_or("")),
        cell(g.reason.as_deref().unwrap_or("")),
        rfc3339(g.granted_at),
        opt_time(g.ends_at),
        opt_time(g.revoked_at),
        cell(g.revoke_reason.as_deref().unwrap_or("")),
    ]
}

/// Access grants as CSV (newest first), streamed: of one product or source,
/// open ones only by default. Columns: id, user_id, email, product_id,
/// source, source_ref, reason, granted_at, ends_at, revoked_at, revoke_reason.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(GrantExportQuery),
    responses((status = 200, description = "CSV file, one row per grant", content_type = "text/csv", body = String),
        (status = 400, body = Problem), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem, description = "product_id (unknown_product), source (invalid_choice)")))]
#[get("/grants/export.csv")]
pub async fn export_grants(s: web::Data<Services>, auth: Auth, q: ValidQuery<GrantExportQuery>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::read(Family::Users))?;
    let q = q.0;
    let app = auth.0.app_id().clone();
    let open_only = q.open_only.unwrap_or(true);
    let first = s.grants_for_export(&app, q.product_id.as_deref(), q.source.as_deref(), open_only, None, Limit::batch(BATCH)).await?;
    let head = encode(Some((q.bom.unwrap_or(false), &GRANT_COLUMNS)), first.items.iter().map(grant_record)).map_err(|e| {
        failed("grants", e);
        ApiError::internal()
    })?;
    let svc = s.clone();
    let rest = stream::unfold(first.next_cursor, move |cursor| {
        let (s, app, product, source) = (svc.clone(), app.clone(), q.product_id.clone(), q.source.clone());
        async move {
            let after = tollgate_domain::ids::GrantId::from_trusted(cursor?);
            let chunk = match s.grants_for_export(&app, product.as_deref(), source.as_deref(), open_only, Some(&after), Limit::batch(BATCH)).await {
                Ok(p) => (encode(None, p.items.iter().map(grant_record)), p.next_cursor),
                Err(e) => (Err(failed("grants", e)), None),
            };
            Some(chunk)
        }
    });
    Ok(csv_response(&s, "grants", stream::once(async { Ok(head) }).chain(rest)))
}

/// A text cell made safe for spreadsheets (OWASP CSV injection): a value
/// starting with `=`, `+`, `-`, `@`, tab or carriage return is prefixed with
/// an apostrophe so it is shown as text, never run as a formula.
pub fn cell(s: &str) -> String {
    if s.starts_with(['=', '+', '-', '@', '\t', '\r']) { format!("'{s}") } else { s.to_owned() }
}

fn opt_time(t: Option<time::OffsetDateTime>) -> String {
    t.map(rfc3339).unwrap_or_default()
}

fn user_record(u: &User) -> Vec<String> {
    let c = &u.customer;
    vec![
        u.id.as_str().to_owned(),
        cell(u.email.as_str()),
        cell(&u.name),
        cell(c.stage.as_deref().unwrap_or("")),
        c.mrr.to_string(),
        cell(c.currency.as_deref().unwrap_or("")),
        opt_time(c.renews_at),
        opt_time(u.last_login_at),
        rfc3339(u.created_at),
    ]
}

fn activity_record(a: &Activity) -> Vec<String> {
    vec![
        a.id.as_str().to_owned(),
        a.kind.as_str().to_owned(),
        a.kind.label().to_owned(),
        a.user_id.as_ref().map(|u| u.as_str().to_owned()).unwrap_or_default(),
        a.product_id.as_ref().map(|p| p.as_str().to_owned()).unwrap_or_default(),
        rfc3339(a.occurred_at),
        cell(&a.data.to_string()),
    ]
}

/// One page as CSV bytes; `head` (BOM and header row) goes first when given.
fn encode(head: Option<(bool, &[&str])>, rows: impl Iterator<Item = Vec<String>>) -> io::Result<Bytes> {
    let mut out = Vec::with_capacity(64 * 1024);
    if let Some((true, _)) = head {
        out.extend_from_slice(BOM);
    }
    let mut w = csv::Writer::from_writer(out);
    if let Some((_, columns)) = head {
        w.write_record(columns)?;
    }
    for r in rows {
        w.write_record(&r)?;
    }
    w.into_inner().map(Bytes::from).map_err(|e| io::Error::other(e.to_string()))
}

fn failed(what: &str, e: impl std::fmt::Display) -> io::Error {
    // Headers are sent already: the client sees a cut-off download.
    tracing::error!(error = %e, "{what} export failed mid-stream");
    io::Error::other(format!("{what} export failed"))
}

fn csv_response(s: &Services, name: &str, body: impl Stream<Item = io::Result<Bytes>> + 'static) -> HttpResponse {
    HttpResponse::Ok()
        .content_type("text/csv; charset=utf-8")
        .insert_header((header::CONTENT_DISPOSITION, format!("attachment; filename=\"{name}-{}.csv\"", s.now().date())))
        .insert_header((header::CACHE_CONTROL, "no-store"))
        .streaming(body)
}

/// Members matching the list's filters as CSV (newest first), streamed.
/// Columns: id, email, name, stage, mrr (minor units), mrr_currency,
/// renews_at, last_login_at, created_at. Cells that a spreadsheet would
/// run as a formula get a leading apostrophe.
#[utoipa::path(tag = "users", security(("bearer" = [])), params(UserExportQuery),
    responses((status = 200, description = "CSV file, one row per member", content_type = "text/csv", body = String),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/users/export.csv")]
pub async fn export_users(s: web::Data<Services>, auth: Auth, q: ValidQuery<UserExportQuery>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::read(Family::Users))?;
    let q = q.0;
    let app = auth.0.app_id().clone();
    // The first page is read here, so a bad filter is a 422, not a broken download.
    let filter = q.filter();
    let first = s.list_members(&app, &filter, None, Limit::batch(BATCH)).await?;
    let head = encode(Some((q.bom.unwrap_or(false), &USER_COLUMNS)), first.items.iter().map(user_record)).map_err(|e| {
        failed("members", e);
        ApiError::internal()
    })?;
    let svc = s.clone();
    let rest = stream::unfold(first.next_cursor, move |cursor| {
        let (s, app, filter) = (svc.clone(), app.clone(), filter.clone());
        async move {
            let after = UserId::from_trusted(cursor?);
            let chunk = match s.list_members(&app, &filter, Some(&after), Limit::batch(BATCH)).await {
                Ok(p) => (encode(None, p.items.iter().map(user_record)), p.next_cursor),
                Err(e) => (Err(failed("members", e)), None),
            };
            Some(chunk)
        }
    });
    Ok(csv_response(&s, "members", stream::once(async { Ok(head) }).chain(rest)))
}

/// Activities matching the feed's filters as CSV (newest first), streamed.
/// Columns: id, kind, label, user_id, product_id, occurred_at, data (JSON).
#[utoipa::path(tag = "activities", security(("bearer" = [])), params(ActivityExportQuery),
    responses((status = 200, description = "CSV file, one row per activity", content_type = "text/csv", body = String),
        (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/activities/export.csv")]
pub async fn export_activities(s: web::Data<Services>, auth: Auth, q: ValidQuery<ActivityExportQuery>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::read(Family::Activities))?;
    let q = q.0;
    let app = auth.0.app_id().clone();
    let filter = activity_filter(q.kind.as_deref(), q.user_id.as_deref(), q.product_id.as_deref(), q.since.as_deref(), q.until.as_deref())?;
    let first = s.activity_feed(&app, &filter, None, Limit::batch(BATCH)).await?;
    let head = encode(Some((q.bom.unwrap_or(false), &ACTIVITY_COLUMNS)), first.items.iter().map(activity_record)).map_err(|e| {
        failed("activities", e);
        ApiError::internal()
    })?;
    let svc = s.clone();
    let rest = stream::unfold(first.next_cursor, move |cursor| {
        let (s, app, filter) = (svc.clone(), app.clone(), filter.clone());
        async move {
            let after = match TimeCursor::parse(&cursor?) {
                Ok(c) => c,
                Err(e) => return Some((Err(failed("activities", e.message)), None)),
            };
            let chunk = match s.activity_feed(&app, &filter, Some(&after), Limit::batch(BATCH)).await {
                Ok(p) => (encode(None, p.items.iter().map(activity_record)), p.next_cursor),
                Err(e) => (Err(failed("activities", e)), None),
            };
            Some(chunk)
        }
    });
    Ok(csv_response(&s, "activities", stream::once(async { Ok(head) }).chain(rest)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formula_cells_are_quoted_as_text() {
        for bad in ["=HYPERLINK(\"x\")", "+1", "-2", "@SUM(A1)", "\tx", "\rx"] {
            assert_eq!(cell(bad), format!("'{bad}"));
        }
        assert_eq!(cell("Ada"), "Ada");
        assert_eq!(cell(""), "");
    }

    #[test]
    fn encode_writes_bom_header_and_quotes() {
        let b = encode(Some((true, &["a", "b"])), [vec!["x,y".to_owned(), "q\"".to_owned()]].into_iter()).unwrap();
        assert_eq!(&b[..], b"\xEF\xBB\xBFa,b\n\"x,y\",\"q\"\"\"\n");
        let b = encode(None, [vec!["1".to_owned()]].into_iter()).unwrap();
        assert_eq!(&b[..], b"1\n");
    }
}
