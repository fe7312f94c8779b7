//! Outbound webhooks: endpoints, the events sent to them, and the delivery
//! queue with its log of tries.
//!
//! `webhook_deliveries` is the log: one row per (event, endpoint), with its
//! status and its last answer. `webhook_queue` holds one row per delivery
//! still pending (migration 0033), and is what senders read: SQLite's
//! dispatcher claims due rows by setting `locked_until` (one writer, the
//! `UPDATE … RETURNING` is atomic), PostgreSQL's owns endpoints and reads
//! their rows (`Owner`). A row whose lease ran out, or whose owner died
//! mid-send, is sent again, which is what makes delivery at-least-once.
//! Every write that changes a delivery's status keeps its queue row in step.

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, DeliveryId, EndpointId, MessageId};
use tollgate_domain::outbound::{Attempt, Delivery, DeliveryStatus, Endpoint, EndpointKind, EventType};
use tollgate_domain::page::{Limit, Page};

use crate::{Conn, DbError, DbResult, at, ms, on, opt_at};

mod owner;
mod queue;
pub mod wake;
pub use owner::Owner;
pub use queue::*;

#[derive(sqlx::FromRow)]
struct EndpointRow {
    app_id: String,
    id: String,
    kind: String,
    url: String,
    description: String,
    event_types: String,
    enabled: bool,
    disabled_reason: Option<String>,
    failing_since: Option<i64>,
    previous_secret_until: Option<i64>,
    created_at: i64,
    updated_at: i64,
}

macro_rules! endpoint_cols {
    () => {
        "app_id, id, kind, url, description, event_types, enabled, disabled_reason, failing_since, previous_secret_until, created_at, updated_at"
    };
}

fn encode_types(types: &[EventType]) -> String {
    serde_json::Value::Array(types.iter().map(|t| serde_json::Value::String(t.as_str().into())).collect()).to_string()
}

fn decode_types(raw: &str) -> DbResult<Vec<EventType>> {
    let names: Vec<String> = serde_json::from_str(raw).map_err(DbError::corrupt)?;
    // An event type retired by a later version is dropped rather than failing the endpoint.
    Ok(names.iter().filter_map(|n| n.parse().ok()).collect())
}

impl TryFrom<EndpointRow> for Endpoint {
    type Error = DbError;
    fn try_from(r: EndpointRow) -> Result<Self, DbError> {
        Ok(Endpoint {
            id: EndpointId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            kind: EndpointKind::parse(&r.kind).ok_or_else(|| DbError::corrupt(format!("endpoint kind {}", r.kind)))?,
            url: r.url,
            description: r.description,
            event_types: decode_types(&r.event_types)?,
            enabled: r.enabled,
            disabled_reason: r.disabled_reason,
            failing_since: opt_at(r.failing_since),
            previous_secret_until: opt_at(r.previous_secret_until),
            created_at: at(r.created_at),
            updated_at: at(r.updated_at),
        })
    }
}

pub async fn insert_endpoint(conn: &mut Conn<'_>, e: &Endpoint, secret_sealed: &str) -> DbResult<()> {
    let types = encode_types(&e.event_types);
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO webhook_endpoints (app_id, id, kind, url, description, event_types, enabled, disabled_reason, secret_sealed, created_at, updated_at) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $10)",
        )
        .bind(e.app_id.as_str())
        .bind(e.id.as_str())
        .bind(e.kind.as_str())
        .bind(&e.url)
        .bind(&e.description)
        .bind(&types)
        .bind(e.enabled)
        .bind(&e.disabled_reason)
        .bind(secret_sealed)
        .bind(ms(e.created_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

pub async fn count_endpoints(conn: &mut Conn<'_>, app: &AppId) -> DbResult<i64> {
    Ok(on!(conn, c => sqlx::query_scalar("SELECT COUNT(*) FROM webhook_endpoints WHERE app_id = $1").bind(app.as_str()).fetch_one(&mut **c).await?))
}

pub async fn find_endpoint(conn: &mut Conn<'_>, app: &AppId, id: &EndpointId) -> DbResult<Option<Endpoint>> {
    let row: Option<EndpointRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", endpoint_cols!(), " FROM webhook_endpoints WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    row.map(Endpoint::try_from).transpose()
}

/// Endpoints of an app, oldest first; `kind` narrows to webhooks or Zapier hooks.
pub async fn list_endpoints(conn: &mut Conn<'_>, app: &AppId, kind: Option<EndpointKind>, after: Option<&EndpointId>, limit: Limit) -> DbResult<Page<Endpoint>> {
    let rows: Vec<EndpointRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!("SELECT ", endpoint_cols!(), " FROM webhook_endpoints WHERE app_id = "));
        qb.push_bind(app.as_str());
        if let Some(k) = kind {
            qb.push(" AND kind = ").push_bind(k.as_str());
        }
        if let Some(a) = after {
            qb.push(" AND id > ").push_bind(a.as_str());
        }
        qb.push(" ORDER BY id LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows.into_iter().map(Endpoint::try_from).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(items, limit, |e| e.id.to_string()))
}

/// Saves an endpoint's editable fields and state.
pub async fn update_endpoint(conn: &mut Conn<'_>, e: &Endpoint) -> DbResult<bool> {
    let types = encode_types(&e.event_types);
    let n = on!(conn, c => sqlx::query(
        "UPDATE webhook_endpoints SET url = $3, description = $4, event_types = $5, enabled = $6, disabled_reason = $7, failing_since = $8, updated_at = $9 \
         WHERE app_id = $1 AND id = $2",
    )
    .bind(e.app_id.as_str())
    .bind(e.id.as_str())
    .bind(&e.url)
    .bind(&e.description)
    .bind(&types)
    .bind(e.enabled)
    .bind(&e.disabled_reason)
    .bind(e.failing_since.map(ms))
    .bind(ms(e.updated_at))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Replaces the signing secret; the old one signs beside it until `until`.
pub async fn rotate_secret(conn: &mut Conn<'_>, app: &AppId, id: &EndpointId, new_sealed: &str, until: OffsetDateTime, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "UPDATE webhook_endpoints SET previous_secret_sealed = secret_sealed, previous_secret_until = $4, secret_sealed = $3, updated_at = $5 \
         WHERE app_id = $1 AND id = $2",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(new_sealed)
    .bind(ms(until))
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

/// Deletes an endpoint; its deliveries still waiting fail.
pub async fn delete_endpoint(conn: &mut Conn<'_>, app: &AppId, id: &EndpointId, now: OffsetDateTime) -> DbResult<bool> {
    fail_pending(conn, app, id, "the endpoint was deleted", now).await?;
    let n = on!(conn, c => sqlx::query("DELETE FROM webhook_endpoints WHERE app_id = $1 AND id = $2")
        .bind(app.as_str())
        .bind(id.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Fails every delivery of an endpoint that is still waiting (the endpoint was disabled or removed).
pub async fn fail_pending(conn: &mut Conn<'_>, app: &AppId, endpoint: &EndpointId, reason: &str, now: OffsetDateTime) -> DbResult<u64> {
    // The queue rows first (the order every writer takes: queue row, then
    // delivery row), found through the endpoint's deliveries (the endpoint
    // index) while they still read as pending. On PostgreSQL a delivery
    // queued between the two statements (an event published meanwhile) is
    // left failed with its queue row; the dispatcher then finds its endpoint
    // disabled or gone and fails it untried, which removes that row.
    on!(conn, c => {
        sqlx::query(
            "DELETE FROM webhook_queue WHERE (app_id, delivery_id) IN \
             (SELECT app_id, id FROM webhook_deliveries WHERE app_id = $1 AND endpoint_id = $2 AND status = 'pending')",
        )
        .bind(app.as_str())
        .bind(endpoint.as_str())
        .execute(&mut **c)
        .await?;
    });
    Ok(on!(conn, c => sqlx::query(
        "UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, locked_until = NULL, last_error = $3, updated_at = $4 \
         WHERE app_id = $1 AND endpoint_id = $2 AND status = 'pending'",
    )
    .bind(app.as_str())
    .bind(endpoint.as_str())
    .bind(reason)
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected()))
}

/// The enabled endpoints of an app with their filters: what an event fans out to.
pub async fn enabled_endpoints(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Vec<(EndpointId, Vec<EventType>)>> {
    let rows: Vec<(String, String)> = on!(conn, c => sqlx::query_as("SELECT id, event_types FROM webhook_endpoints WHERE app_id = $1 AND enabled")
        .bind(app.as_str())
        .fetch_all(&mut **c)
        .await?);
    rows.into_iter().map(|(id, t)| Ok((EndpointId::from_trusted(id), decode_types(&t)?))).collect()
}

/// The sealed secrets of an endpoint: the current one and, until it expires, the previous one.
pub async fn secrets(conn: &mut Conn<'_>, app: &AppId, id: &EndpointId) -> DbResult<Option<(String, Option<String>, Option<OffsetDateTime>)>> {
    let row: Option<(String, Option<String>, Option<i64>)> = on!(conn, c => sqlx::query_as(
        "SELECT secret_sealed, previous_secret_sealed, previous_secret_until FROM webhook_endpoints WHERE app_id = $1 AND id = $2",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .fetch_optional(&mut **c)
    .await?);
    Ok(row.map(|(s, p, u)| (s, p, opt_at(u))))
}

pub async fn insert_message(conn: &mut Conn<'_>, app: &AppId, id: &MessageId, event_type: &str, payload: &str, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("INSERT INTO webhook_messages (app_id, id, event_type, payload, created_at) VALUES ($1, $2, $3, $4, $5)")
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(event_type)
            .bind(payload)
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Queues one event for one endpoint, due at once.
pub async fn insert_delivery(conn: &mut Conn<'_>, app: &AppId, endpoint: &EndpointId, message: &MessageId, event_type: &str, now: OffsetDateTime) -> DbResult<DeliveryId> {
    let mut ids = insert_deliveries(conn, app, std::slice::from_ref(endpoint), message, event_type, now).await?;
    ids.pop().ok_or_else(|| DbError::corrupt("a delivery was queued"))
}

/// Queues one event for each of `endpoints`, due at once: a delivery row
/// and its queue row each, however many endpoints in one statement on
/// PostgreSQL (the queue rows are inserted from the deliveries' `RETURNING`)
/// and two on SQLite, not two per endpoint: on SQLite each statement is a
/// hand-off to the connection's thread, and recording 10,000 events for 3
/// endpoints one insert at a time took 7.3–8.7 s against 4.5–4.7 s before
/// the queue had a table of its own.
pub async fn insert_deliveries(conn: &mut Conn<'_>, app: &AppId, endpoints: &[EndpointId], message: &MessageId, event_type: &str, now: OffsetDateTime) -> DbResult<Vec<DeliveryId>> {
    if endpoints.is_empty() {
        return Ok(Vec::new());
    }
    let ids: Vec<DeliveryId> = endpoints.iter().map(|_| DeliveryId::new()).collect();
    match conn {
        Conn::Pg(c, _) => {
            let id_strs: Vec<&str> = ids.iter().map(|d| d.as_str()).collect();
            let eps: Vec<&str> = endpoints.iter().map(|e| e.as_str()).collect();
            sqlx::query(
                "WITH d AS (INSERT INTO webhook_deliveries (app_id, id, endpoint_id, message_id, event_type, status, attempts, next_attempt_at, created_at, updated_at) \
                   SELECT $1, v.id, v.endpoint_id, $4, $5, 'pending', 0, $6, $6, $6 FROM unnest($2::text[], $3::text[]) AS v(id, endpoint_id) \
                   RETURNING app_id, id, endpoint_id, message_id, ctid) \
                 INSERT INTO webhook_queue (app_id, delivery_id, endpoint_id, message_id, attempts, next_attempt_at, delivery_tid) SELECT app_id, id, endpoint_id, message_id, 0, $6, ctid FROM d",
            )
            .bind(app.as_str())
            .bind(id_strs)
            .bind(eps)
            .bind(message.as_str())
            .bind(event_type)
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
        }
        Conn::Sqlite(c, _) => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO webhook_deliveries (app_id, id, endpoint_id, message_id, event_type, status, attempts, next_attempt_at, created_at, updated_at) ",
            );
            qb.push_values(ids.iter().zip(endpoints), |mut b, (id, e)| {
                b.push_bind(app.as_str().to_owned())
                    .push_bind(id.as_str().to_owned())
                    .push_bind(e.as_str().to_owned())
                    .push_bind(message.as_str().to_owned())
                    .push_bind(event_type.to_owned())
                    .push("'pending'")
                    .push("0")
                    .push_bind(ms(now))
                    .push_bind(ms(now))
                    .push_bind(ms(now));
            });
            qb.build().execute(&mut **c).await?;
            let mut qb = sqlx::QueryBuilder::new("INSERT INTO webhook_queue (app_id, delivery_id, endpoint_id, message_id, attempts, next_attempt_at) ");
            qb.push_values(ids.iter().zip(endpoints), |mut b, (id, e)| {
                b.push_bind(app.as_str().to_owned())
                    .push_bind(id.as_str().to_owned())
                    .push_bind(e.as_str().to_owned())
                    .push_bind(message.as_str().to_owned())
                    .push("0")
                    .push_bind(ms(now));
            });
            qb.build().execute(&mut **c).await?;
        }
    }
    conn.wake_outbound_after_commit();
    Ok(ids)
}

/// The payload of up to `n` newest events of a type (Zapier's samples).
pub async fn recent_payloads(conn: &mut Conn<'_>, app: &AppId, event_type: &str, n: i64) -> DbResult<Vec<String>> {
    Ok(on!(conn, c => sqlx::query_scalar("SELECT payload FROM webhook_messages WHERE app_id = $1 AND event_type = $2 ORDER BY id DESC LIMIT $3")
        .bind(app.as_str())
        .bind(event_type)
        .bind(n)
        .fetch_all(&mut **c)
        .await?))
}


/// Marks an endpoint as failing since `now` unless it already is; returns
/// since when it fails and whether it is still enabled. It takes the
/// endpoint's row lock first, so a try recorded after another one disabled
/// the endpoint sees that (and does not queue a retry for it).
pub async fn note_failure(conn: &mut Conn<'_>, app: &AppId, id: &EndpointId, now: OffsetDateTime) -> DbResult<(Option<OffsetDateTime>, bool)> {
    let row: Option<(Option<i64>, bool)> = on!(conn, c => sqlx::query_as(
        "UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, $3) WHERE app_id = $1 AND id = $2 RETURNING failing_since, enabled",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(ms(now))
    .fetch_optional(&mut **c)
    .await?);
    Ok(match row {
        Some((since, enabled)) => (since.map(at), enabled),
        None => (None, false),
    })
}

/// Successes: these endpoints are healthy again. One statement on
/// PostgreSQL however many endpoints (the recorder writes a batch of answers
/// at a time); one per endpoint on SQLite, in process.
pub async fn note_success(conn: &mut Conn<'_>, endpoints: &[(&AppId, &EndpointId)]) -> DbResult<()> {
    if endpoints.is_empty() {
        return Ok(());
    }
    match conn {
        Conn::Pg(c, _) => {
            let apps: Vec<&str> = endpoints.iter().map(|(a, _)| a.as_str()).collect();
            let ids: Vec<&str> = endpoints.iter().map(|(_, e)| e.as_str()).collect();
            sqlx::query(
                "UPDATE webhook_endpoints e SET failing_since = NULL FROM unnest($1::text[], $2::text[]) AS v(app_id, id) \
                 WHERE e.app_id = v.app_id AND e.id = v.id AND e.failing_since IS NOT NULL",
            )
            .bind(apps)
            .bind(ids)
            .execute(&mut **c)
            .await?;
        }
        Conn::Sqlite(c, _) => {
            for (app, id) in endpoints {
                sqlx::query("UPDATE webhook_endpoints SET failing_since = NULL WHERE app_id = $1 AND id = $2 AND failing_since IS NOT NULL")
                    .bind(app.as_str())
                    .bind(id.as_str())
                    .execute(&mut **c)
                    .await?;
            }
        }
    }
    Ok(())
}

/// Disables an endpoint (Tollgate's decision: `reason` says why) and fails what waits for it.
pub async fn disable(conn: &mut Conn<'_>, app: &AppId, id: &EndpointId, reason: &str, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE webhook_endpoints SET enabled = FALSE, disabled_reason = $3, updated_at = $4 WHERE app_id = $1 AND id = $2 AND enabled")
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(reason)
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected());
    fail_pending(conn, app, id, &format!("the endpoint was disabled ({reason})"), now).await?;
    Ok(n == 1)
}

#[derive(sqlx::FromRow)]
struct DeliveryRow {
    app_id: String,
    id: String,
    endpoint_id: String,
    message_id: String,
    event_type: String,
    status: String,
    attempts: i64,
    next_attempt_at: Option<i64>,
    last_status_code: Option<i64>,
    last_error: Option<String>,
    created_at: i64,
    updated_at: i64,
    delivered_at: Option<i64>,
}

macro_rules! delivery_cols {
    () => {
        "app_id, id, endpoint_id, message_id, event_type, status, attempts, next_attempt_at, last_status_code, last_error, created_at, updated_at, delivered_at"
    };
}

impl TryFrom<DeliveryRow> for Delivery {
    type Error = DbError;
    fn try_from(r: DeliveryRow) -> Result<Self, DbError> {
        Ok(Delivery {
            id: DeliveryId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            endpoint_id: EndpointId::from_trusted(r.endpoint_id),
            message_id: MessageId::from_trusted(r.message_id),
            event_type: r.event_type,
            status: DeliveryStatus::parse(&r.status).ok_or_else(|| DbError::corrupt(format!("delivery status {}", r.status)))?,
            attempts: r.attempts.max(0) as u32,
            next_attempt_at: opt_at(r.next_attempt_at),
            last_status_code: r.last_status_code.and_then(|s| u16::try_from(s).ok()),
            last_error: r.last_error,
            created_at: at(r.created_at),
            updated_at: at(r.updated_at),
            delivered_at: opt_at(r.delivered_at),
        })
    }
}

pub use tollgate_domain::outbound::DeliveryFilter;

/// An endpoint's deliveries, newest first (keyset on the time-ordered id).
pub async fn list_deliveries(conn: &mut Conn<'_>, app: &AppId, endpoint: &EndpointId, f: &DeliveryFilter, before: Option<&DeliveryId>, limit: Limit) -> DbResult<Page<Delivery>> {
    let rows: Vec<DeliveryRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!("SELECT ", delivery_cols!(), " FROM webhook_deliveries WHERE app_id = "));
        qb.push_bind(app.as_str());
        qb.push(" AND endpoint_id = ").push_bind(endpoint.as_str());
        if let Some(s) = f.status {
            qb.push(" AND status = ").push_bind(s.as_str());
        }
        if let Some(t) = &f.event_type {
            qb.push(" AND event_type = ").push_bind(t.clone());
        }
        if let Some(b) = before {
            qb.push(" AND id < ").push_bind(b.as_str());
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows.into_iter().map(Delivery::try_from).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(items, limit, |d| d.id.to_string()))
}

pub async fn find_delivery(conn: &mut Conn<'_>, app: &AppId, id: &DeliveryId) -> DbResult<Option<Delivery>> {
    let row: Option<DeliveryRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", delivery_cols!(), " FROM webhook_deliveries WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    row.map(Delivery::try_from).transpose()
}

/// The tries of some deliveries, oldest first, keyed by delivery: the rows
/// of `webhook_attempts`, then a delivered row's inline success (migration
/// 0032) as its last try, numbered after the logged ones. One statement.
pub async fn attempts_of(conn: &mut Conn<'_>, app: &AppId, ids: &[DeliveryId]) -> DbResult<Vec<(DeliveryId, Attempt)>> {
    if ids.is_empty() {
        return Ok(Vec::new());
    }
    type Row = (String, i64, i64, Option<i64>, i64, Option<String>, Option<String>);
    let rows: Vec<Row> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT delivery_id, n, attempted_at, status_code, latency_ms, response_body, error FROM webhook_attempts WHERE ");
        push_deliveries(&mut qb, app, "delivery_id", ids);
        qb.push(
            " UNION ALL SELECT d.id, (SELECT COALESCE(MAX(a.n), 0) + 1 FROM webhook_attempts a WHERE a.app_id = d.app_id AND a.delivery_id = d.id), \
             COALESCE(d.delivered_at, d.updated_at), d.last_status_code, d.success_latency_ms, d.success_body, NULL \
             FROM webhook_deliveries d WHERE d.success_latency_ms IS NOT NULL AND ",
        );
        push_deliveries(&mut qb, app, "d.id", ids);
        qb.push(" ORDER BY 1, 2");
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(rows
        .into_iter()
        .map(|(d, n, t, s, l, b, e)| {
            (
                DeliveryId::from_trusted(d),
                Attempt { n: n.max(0) as u32, attempted_at: at(t), status_code: s.and_then(|s| u16::try_from(s).ok()), latency_ms: l, response_body: b, error: e },
            )
        })
        .collect())
}

/// `app_id = … AND <column> IN (…)`: an app's rows of some deliveries.
fn push_deliveries<'t, DB: sqlx::Database>(qb: &mut sqlx::QueryBuilder<DB>, app: &AppId, column: &str, ids: &[DeliveryId])
where
    String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push("app_id = ").push_bind(app.as_str().to_owned());
    qb.push(" AND ").push(column).push(" IN (");
    let mut sep = qb.separated(", ");
    for id in ids {
        sep.push_bind(id.as_str().to_owned());
    }
    qb.push(")");
}

/// Queues a delivery again at once with a fresh retry schedule (its log is
/// kept: an inline success moves into `webhook_attempts` first).
pub async fn redeliver(conn: &mut Conn<'_>, app: &AppId, id: &DeliveryId, now: OffsetDateTime) -> DbResult<bool> {
    queue::log_inline_successes(conn, &[(app, id)]).await?;
    // In the queue again, due now, whether it was still there or not.
    queue::requeue(conn, app, id, 0, now).await?;
    let n = on!(conn, c => sqlx::query(
        "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $3, locked_until = NULL, updated_at = $3, \
         success_latency_ms = NULL, success_body = NULL WHERE app_id = $1 AND id = $2",
    )
    .bind(app.as_str())
    .bind(id.as_str())
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    conn.wake_outbound_after_commit();
    Ok(n == 1)
}

/// Queues again every failed delivery of an endpoint created since `since`; returns how many.
pub async fn replay_failed(conn: &mut Conn<'_>, app: &AppId, endpoint: &EndpointId, since: OffsetDateTime, now: OffsetDateTime) -> DbResult<u64> {
    // The rows are chosen once, and each one made pending gets its queue
    // row (a failed delivery has none). PostgreSQL: one statement, so a
    // delivery that fails for good meanwhile is either in both or in
    // neither (two statements would each see the table as it is when they
    // start). SQLite: one writer at a time, two statements.
    let n = match conn {
        Conn::Pg(c, _) => sqlx::query(
            "WITH f AS (UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $4, locked_until = NULL, updated_at = $4 \
               WHERE app_id = $1 AND endpoint_id = $2 AND status = 'failed' AND created_at >= $3 RETURNING app_id, id, endpoint_id, message_id, ctid) \
             INSERT INTO webhook_queue (app_id, delivery_id, endpoint_id, message_id, attempts, next_attempt_at, delivery_tid) \
             SELECT app_id, id, endpoint_id, message_id, 0, $4, ctid FROM f ON CONFLICT (app_id, delivery_id) DO UPDATE SET attempts = 0, next_attempt_at = excluded.next_attempt_at, locked_until = NULL, delivery_tid = excluded.delivery_tid",
        )
        .bind(app.as_str())
        .bind(endpoint.as_str())
        .bind(ms(since))
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected(),
        Conn::Sqlite(c, _) => {
            sqlx::query(
                "INSERT INTO webhook_queue (app_id, delivery_id, endpoint_id, message_id, attempts, next_attempt_at) \
                 SELECT app_id, id, endpoint_id, message_id, 0, $4 FROM webhook_deliveries \
                 WHERE app_id = $1 AND endpoint_id = $2 AND status = 'failed' AND created_at >= $3 ON CONFLICT (app_id, delivery_id) DO NOTHING",
            )
            .bind(app.as_str())
            .bind(endpoint.as_str())
            .bind(ms(since))
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
            sqlx::query(
                "UPDATE webhook_deliveries SET status = 'pending', attempts = 0, next_attempt_at = $4, locked_until = NULL, updated_at = $4 \
                 WHERE app_id = $1 AND endpoint_id = $2 AND status = 'failed' AND created_at >= $3",
            )
            .bind(app.as_str())
            .bind(endpoint.as_str())
            .bind(ms(since))
            .bind(ms(now))
            .execute(&mut **c)
            .await?
            .rows_affected()
        }
    };
    conn.wake_outbound_after_commit();
    Ok(n)
}
