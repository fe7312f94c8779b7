//! The Stripe inbox inspector: filtered, cursor-paginated lists of stored
//! events, the processing tries of one event, and putting an event back in
//! the queue.

use time::OffsetDateTime;
use tollgate_domain::ids::AppId;
use tollgate_domain::page::{Limit, Page};

use crate::inbox::InboxEvent;
use crate::{Conn, DbResult, at, ms, on, opt_at};

/// What to list: all filters optional.
#[derive(Debug, Clone, Default)]
pub struct InboxFilter {
    pub event_type: Option<String>,
    pub status: Option<String>,
    /// Received at or after.
    pub since: Option<OffsetDateTime>,
    /// Received before.
    pub until: Option<OffsetDateTime>,
}

/// Where a page starts: after this (received_at, event_id), newest first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxCursor {
    pub received_at: i64,
    pub event_id: String,
}

impl InboxCursor {
    pub fn encode(&self) -> String {
        format!("{}.{}", self.received_at, self.event_id)
    }
    pub fn decode(s: &str) -> Option<InboxCursor> {
        let (t, id) = s.split_once('.')?;
        if id.is_empty() {
            return None;
        }
        Some(InboxCursor { received_at: t.parse().ok()?, event_id: id.to_owned() })
    }
}

type EventRow = (String, String, i64, String, String, i64, Option<i64>, Option<String>);

/// Stored events, newest first (received time, then id), filtered.
pub async fn list(conn: &mut Conn<'_>, app: &AppId, f: &InboxFilter, after: Option<&InboxCursor>, limit: Limit) -> DbResult<Page<InboxEvent>> {
    let rows: Vec<EventRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT event_id, event_type, created, payload, status, received_at, processed_at, error FROM stripe_events WHERE app_id = ");
        qb.push_bind(app.as_str());
        if let Some(t) = &f.event_type {
            qb.push(" AND event_type = ").push_bind(t.clone());
        }
        if let Some(s) = &f.status {
            qb.push(" AND status = ").push_bind(s.clone());
        }
        if let Some(t) = f.since {
            qb.push(" AND received_at >= ").push_bind(ms(t));
        }
        if let Some(t) = f.until {
            qb.push(" AND received_at < ").push_bind(ms(t));
        }
        if let Some(a) = after {
            qb.push(" AND (received_at < ").push_bind(a.received_at);
            qb.push(" OR (received_at = ").push_bind(a.received_at);
            qb.push(" AND event_id < ").push_bind(a.event_id.clone());
            qb.push("))");
        }
        qb.push(" ORDER BY received_at DESC, event_id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows
        .into_iter()
        .map(|r| InboxEvent { event_id: r.0, event_type: r.1, created: r.2, payload: r.3, status: r.4, received_at: at(r.5), processed_at: opt_at(r.6), error: r.7 })
        .collect();
    Ok(Page::from_probe(items, limit, |e: &InboxEvent| InboxCursor { received_at: ms(e.received_at), event_id: e.event_id.clone() }.encode()))
}

/// One processing try of an event.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Attempt {
    pub attempt: i64,
    pub started_at: OffsetDateTime,
    pub finished_at: OffsetDateTime,
    /// processed | ignored | failed
    pub outcome: String,
    pub error: Option<String>,
}

/// Records a try (numbered after the event's last one).
pub async fn record_attempt(conn: &mut Conn<'_>, app: &AppId, event_id: &str, started_at: OffsetDateTime, finished_at: OffsetDateTime, outcome: &str, error: Option<&str>) -> DbResult<()> {
    let error: Option<String> = error.map(|e| e.chars().take(2000).collect());
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO stripe_event_attempts (app_id, event_id, attempt, started_at, finished_at, outcome, error) \
             SELECT $1, $2, COALESCE(MAX(attempt), 0) + 1, $3, $4, $5, $6 FROM stripe_event_attempts WHERE app_id = $1 AND event_id = $2 \
             ON CONFLICT DO NOTHING",
        )
        .bind(app.as_str())
        .bind(event_id)
        .bind(ms(started_at))
        .bind(ms(finished_at))
        .bind(outcome)
        .bind(error)
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// An event's tries, oldest first.
pub async fn attempts(conn: &mut Conn<'_>, app: &AppId, event_id: &str) -> DbResult<Vec<Attempt>> {
    let rows: Vec<(i64, i64, i64, String, Option<String>)> = on!(conn, c => sqlx::query_as(
        "SELECT attempt, started_at, finished_at, outcome, error FROM stripe_event_attempts WHERE app_id = $1 AND event_id = $2 ORDER BY attempt LIMIT 200",
    )
    .bind(app.as_str())
    .bind(event_id)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(|r| Attempt { attempt: r.0, started_at: at(r.1), finished_at: at(r.2), outcome: r.3, error: r.4 }).collect())
}

/// Puts a failed or ignored event back to pending; false when it is not
/// failed or ignored (already pending, or processed).
pub async fn reopen(conn: &mut Conn<'_>, app: &AppId, event_id: &str) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE stripe_events SET status = 'pending', error = NULL, processed_at = NULL WHERE app_id = $1 AND event_id = $2 AND status IN ('failed', 'ignored')",
    )
    .bind(app.as_str())
    .bind(event_id)
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}
