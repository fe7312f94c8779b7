//! The webhook inbox: every delivery stored once, before it is
//! acknowledged (a group commit with the deliveries arriving together),
//! then read and marked as the worker processes it. Rows are keyed by
//! connector kind (`inbox_events.connector`); Stripe's deliveries are its
//! only rows today. Also the inspector's reads: filtered, cursor-paginated
//! lists, the processing tries of one event, and putting an event back in
//! the queue.

use time::OffsetDateTime;
use tollgate_domain::connector::ConnectorKind;
use tollgate_domain::ids::AppId;
use tollgate_domain::page::{Limit, Page};

use crate::{Conn, DbError, DbResult, at, ms, on, opt_at};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct InboxEvent {
    pub event_id: String,
    pub event_type: String,
    pub created: i64,
    pub payload: String,
    /// pending | processed | ignored | failed, and [`RECEIVED`] when stored
    /// (read back as pending).
    pub status: String,
    pub received_at: OffsetDateTime,
    pub processed_at: Option<OffsetDateTime>,
    pub error: Option<String>,
}

mod group_commit;

/// Stores a delivery; returns false for a duplicate. Webhook ingest is the
/// hot path: it writes this row and nothing else (its processing job is
/// queued later by the worker, see [`take_received`]). The row is committed
/// before this returns, in a group commit with the deliveries arriving at
/// the same time (see [`group_commit`]); a duplicate costs its conflict
/// check in that batch.
pub async fn store_event(db: &crate::Db, app: &AppId, connector: ConnectorKind, e: &InboxEvent) -> DbResult<bool> {
    group_commit::store(db, group_commit::Delivery { app: app.as_str().to_owned(), connector, event: e.clone() }).await
}

/// Marks up to `n` received events `pending` and returns them (app,
/// connector, event id, received at), for the caller to queue their
/// processing in the same transaction. PostgreSQL skips rows another worker
/// is taking at the same time.
pub async fn take_received(conn: &mut Conn<'_>, n: i64) -> DbResult<Vec<(AppId, ConnectorKind, String, OffsetDateTime)>> {
    let rows: Vec<(String, String, String, i64)> = match conn {
        Conn::Pg(c, _) => {
            sqlx::query_as(
                "UPDATE inbox_events e SET status = 'pending' FROM \
                   (SELECT app_id, connector, event_id FROM inbox_events WHERE status = 'received' LIMIT $1 FOR UPDATE SKIP LOCKED) r \
                 WHERE e.app_id = r.app_id AND e.connector = r.connector AND e.event_id = r.event_id \
                 RETURNING e.app_id, e.connector, e.event_id, e.received_at",
            )
            .bind(n)
            .fetch_all(&mut **c)
            .await?
        }
        Conn::Sqlite(c, _) => {
            sqlx::query_as(
                "UPDATE inbox_events SET status = 'pending' WHERE (app_id, connector, event_id) IN \
                   (SELECT app_id, connector, event_id FROM inbox_events WHERE status = 'received' LIMIT $1) \
                 RETURNING app_id, connector, event_id, received_at",
            )
            .bind(n)
            .fetch_all(&mut **c)
            .await?
        }
    };
    rows.into_iter()
        .map(|(app, connector, id, received)| {
            let kind = ConnectorKind::parse(&connector).ok_or_else(|| DbError::corrupt(format!("inbox event of unknown connector {connector:?}")))?;
            Ok((AppId::from_trusted(app), kind, id, at(received)))
        })
        .collect()
}

/// The status ingest stores: received, its processing not queued yet.
pub const RECEIVED: &str = "received";

type EventRow = (String, String, i64, String, String, i64, Option<i64>, Option<String>);

fn event(r: EventRow) -> InboxEvent {
    // A received event is waiting to be processed like a pending one: it only lacks its job for a moment.
    let status = if r.4 == RECEIVED { "pending".to_owned() } else { r.4 };
    InboxEvent { event_id: r.0, event_type: r.1, created: r.2, payload: r.3, status, received_at: at(r.5), processed_at: opt_at(r.6), error: r.7 }
}

pub async fn find_event(conn: &mut Conn<'_>, app: &AppId, connector: ConnectorKind, id: &str) -> DbResult<Option<InboxEvent>> {
    let r: Option<EventRow> = on!(conn, c => sqlx::query_as(
        "SELECT event_id, event_type, created, payload, status, received_at, processed_at, error FROM inbox_events WHERE app_id = $1 AND connector = $2 AND event_id = $3",
    )
    .bind(app.as_str())
    .bind(connector.as_str())
    .bind(id)
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(event))
}

pub async fn mark_event(conn: &mut Conn<'_>, app: &AppId, connector: ConnectorKind, id: &str, status: &str, error: Option<&str>, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("UPDATE inbox_events SET status = $3, error = $4, processed_at = $5 WHERE app_id = $1 AND event_id = $2 AND connector = $6")
            .bind(app.as_str())
            .bind(id)
            .bind(status)
            .bind(error)
            .bind(ms(now))
            .bind(connector.as_str())
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// The status filter: pending also finds the received events (read back as pending).
fn push_status<'t, DB: sqlx::Database>(qb: &mut sqlx::QueryBuilder<DB>, status: &str)
where
    String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    if status == "pending" {
        qb.push(" AND status IN ('pending', '").push(RECEIVED).push("')");
    } else {
        qb.push(" AND status = ").push_bind(status.to_owned());
    }
}

/// How many of the newest received events `latest_event_created` looks at.
const RECOVERY_WINDOW: i64 = 1000;

/// Where recovery resumes: the newest `created` among the connector's
/// last [`RECOVERY_WINDOW`] received events, read backwards through the
/// received index (no index on `created`: ingest would write one more entry
/// per delivery for a query the periodic recovery job runs).
///
/// Deliveries arrive about in the order they were created, so this is the
/// newest `created` stored. When it is not (a recovery just stored more than
/// the window of older events, oldest last), the point is earlier than the
/// newest: recovery then lists events it already has again, which are
/// duplicates and change nothing. It never skips an event.
pub async fn latest_event_created(conn: &mut Conn<'_>, app: &AppId, connector: ConnectorKind) -> DbResult<Option<i64>> {
    let (m,): (Option<i64>,) = on!(conn, c => sqlx::query_as(
        "SELECT MAX(created) FROM (SELECT created FROM inbox_events WHERE app_id = $1 AND connector = $2 ORDER BY received_at DESC LIMIT $3) AS newest",
    )
    .bind(app.as_str())
    .bind(connector.as_str())
    .bind(RECOVERY_WINDOW)
    .fetch_one(&mut **c)
    .await?);
    Ok(m)
}

/// Inbox events, newest first.
pub async fn list_events(conn: &mut Conn<'_>, app: &AppId, connector: ConnectorKind, status: Option<&str>, limit: i64) -> DbResult<Vec<InboxEvent>> {
    let rows: Vec<EventRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT event_id, event_type, created, payload, status, received_at, processed_at, error FROM inbox_events WHERE app_id = ");
        qb.push_bind(app.as_str());
        qb.push(" AND connector = ").push_bind(connector.as_str());
        if let Some(s) = status {
            push_status(&mut qb, s);
        }
        qb.push(" ORDER BY received_at DESC, event_id DESC LIMIT ").push_bind(limit);
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(rows.into_iter().map(event).collect())
}

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


/// Stored events, newest first (received time, then id), filtered.
pub async fn list(conn: &mut Conn<'_>, app: &AppId, connector: ConnectorKind, f: &InboxFilter, after: Option<&InboxCursor>, limit: Limit) -> DbResult<Page<InboxEvent>> {
    let rows: Vec<EventRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT event_id, event_type, created, payload, status, received_at, processed_at, error FROM inbox_events WHERE app_id = ");
        qb.push_bind(app.as_str());
        qb.push(" AND connector = ").push_bind(connector.as_str());
        if let Some(t) = &f.event_type {
            qb.push(" AND event_type = ").push_bind(t.clone());
        }
        if let Some(s) = &f.status {
            push_status(&mut qb, s);
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
        .map(event)
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
pub async fn record_attempt(conn: &mut Conn<'_>, app: &AppId, connector: ConnectorKind, event_id: &str, started_at: OffsetDateTime, finished_at: OffsetDateTime, outcome: &str, error: Option<&str>) -> DbResult<()> {
    let error: Option<String> = error.map(|e| e.chars().take(2000).collect());
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO inbox_event_attempts (app_id, connector, event_id, attempt, started_at, finished_at, outcome, error) \
             SELECT $1, $7, $2, COALESCE(MAX(attempt), 0) + 1, $3, $4, $5, $6 FROM inbox_event_attempts WHERE app_id = $1 AND connector = $7 AND event_id = $2 \
             ON CONFLICT DO NOTHING",
        )
        .bind(app.as_str())
        .bind(event_id)
        .bind(ms(started_at))
        .bind(ms(finished_at))
        .bind(outcome)
        .bind(error)
        .bind(connector.as_str())
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// An event's tries, oldest first.
pub async fn attempts(conn: &mut Conn<'_>, app: &AppId, connector: ConnectorKind, event_id: &str) -> DbResult<Vec<Attempt>> {
    let rows: Vec<(i64, i64, i64, String, Option<String>)> = on!(conn, c => sqlx::query_as(
        "SELECT attempt, started_at, finished_at, outcome, error FROM inbox_event_attempts WHERE app_id = $1 AND connector = $2 AND event_id = $3 ORDER BY attempt LIMIT 200",
    )
    .bind(app.as_str())
    .bind(connector.as_str())
    .bind(event_id)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(|r| Attempt { attempt: r.0, started_at: at(r.1), finished_at: at(r.2), outcome: r.3, error: r.4 }).collect())
}

/// Puts a failed or ignored event back to pending; false when it is not
/// failed or ignored (already pending, or processed).
pub async fn reopen(conn: &mut Conn<'_>, app: &AppId, connector: ConnectorKind, event_id: &str) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE inbox_events SET status = 'pending', error = NULL, processed_at = NULL WHERE app_id = $1 AND connector = $2 AND event_id = $3 AND status IN ('failed', 'ignored')",
    )
    .bind(app.as_str())
    .bind(connector.as_str())
    .bind(event_id)
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}
