//! The delivery queue: claiming due deliveries with a lease, reading their
//! bodies, and writing each try's answer (one by one, or a batch of
//! successes in two statements).

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, DeliveryId, EndpointId, MessageId};
use tollgate_domain::outbound::{Attempt, DeliveryStatus};

use crate::{Conn, DbResult, at, ms, on};

/// A delivery claimed for sending, with what sending needs.
#[derive(Debug, Clone)]
pub struct Claimed {
    pub app_id: AppId,
    pub id: DeliveryId,
    pub endpoint_id: EndpointId,
    pub message_id: MessageId,
    /// Tries so far, before this one.
    pub attempts: u32,
}

/// Claims up to `n` due deliveries for `lease`, leaving out those of the
/// endpoints in `skip` (at their concurrency cap). Rows in flight elsewhere
/// are skipped.
pub async fn claim_due(conn: &mut Conn<'_>, n: i64, now: OffsetDateTime, lease: time::Duration, skip: &[EndpointId]) -> DbResult<Vec<Claimed>> {
    let pg = matches!(conn, Conn::Pg(_));
    let rows: Vec<(String, String, String, String, i64)> = on!(conn, c => {
        // The lease also moves the row's next try to the lease's end, so the
        // rows in flight leave the due range of the index at once: neither
        // the next claim nor `any_due` walks over them.
        let mut qb = sqlx::QueryBuilder::new("UPDATE webhook_deliveries SET locked_until = ");
        qb.push_bind(ms(now + lease));
        qb.push(", next_attempt_at = ").push_bind(ms(now + lease));
        qb.push(" WHERE (app_id, id) IN (SELECT app_id, id FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= ");
        qb.push_bind(ms(now));
        qb.push(" AND (locked_until IS NULL OR locked_until <= ").push_bind(ms(now)).push(")");
        if !skip.is_empty() {
            qb.push(" AND endpoint_id NOT IN (");
            let mut sep = qb.separated(", ");
            for e in skip {
                sep.push_bind(e.as_str().to_owned());
            }
            qb.push(")");
        }
        qb.push(" ORDER BY next_attempt_at LIMIT ").push_bind(n);
        if pg {
            qb.push(" FOR UPDATE SKIP LOCKED");
        }
        qb.push(") RETURNING app_id, id, endpoint_id, message_id, attempts");
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(rows
        .into_iter()
        .map(|(app, id, ep, msg, attempts)| Claimed {
            app_id: AppId::from_trusted(app),
            id: DeliveryId::from_trusted(id),
            endpoint_id: EndpointId::from_trusted(ep),
            message_id: MessageId::from_trusted(msg),
            attempts: attempts.max(0) as u32,
        })
        .collect())
}

/// Whether any delivery is due now (a cheap probe of the partial index).
pub async fn any_due(conn: &mut Conn<'_>, now: OffsetDateTime) -> DbResult<bool> {
    let n: Option<i64> = on!(conn, c => sqlx::query_scalar(
        "SELECT 1 FROM webhook_deliveries WHERE status = 'pending' AND next_attempt_at <= $1 AND (locked_until IS NULL OR locked_until <= $1) LIMIT 1",
    )
    .bind(ms(now))
    .fetch_optional(&mut **c)
    .await?);
    Ok(n.is_some())
}

/// Gives claimed deliveries back untried (their endpoint is busy), in one statement.
pub async fn release(conn: &mut Conn<'_>, rows: &[(AppId, DeliveryId)], now: OffsetDateTime) -> DbResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("UPDATE webhook_deliveries SET locked_until = NULL, next_attempt_at = ");
        qb.push_bind(ms(now));
        qb.push(" WHERE status = 'pending' AND (app_id, id) IN (VALUES ");
        let mut sep = qb.separated(", ");
        for (app, id) in rows {
            sep.push("(").push_bind_unseparated(app.as_str().to_owned()).push_unseparated(", ").push_bind_unseparated(id.as_str().to_owned()).push_unseparated(")");
        }
        qb.push(")");
        qb.build().execute(&mut **c).await?;
    });
    Ok(())
}

/// The bodies of several events (a claimed batch), by event id.
pub async fn payloads_of(conn: &mut Conn<'_>, ids: &[(AppId, MessageId)]) -> DbResult<std::collections::HashMap<MessageId, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(String, String)> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT id, payload FROM webhook_messages WHERE (app_id, id) IN (VALUES ");
        let mut sep = qb.separated(", ");
        for (app, id) in ids {
            sep.push("(").push_bind_unseparated(app.as_str().to_owned()).push_unseparated(", ").push_bind_unseparated(id.as_str().to_owned()).push_unseparated(")");
        }
        qb.push(")");
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(rows.into_iter().map(|(id, p)| (MessageId::from_trusted(id), p)).collect())
}

pub async fn message_payload(conn: &mut Conn<'_>, app: &AppId, id: &MessageId) -> DbResult<Option<(String, OffsetDateTime)>> {
    let row: Option<(String, i64)> = on!(conn, c => sqlx::query_as("SELECT payload, created_at FROM webhook_messages WHERE app_id = $1 AND id = $2")
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    Ok(row.map(|(p, t)| (p, at(t))))
}

/// How a try ended, as stored.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub status: DeliveryStatus,
    /// Tries in the current schedule, this one included.
    pub attempts: u32,
    pub next_attempt_at: Option<OffsetDateTime>,
}

/// Appends a try to the log and moves the delivery on, in one statement pair.
pub async fn record_attempt(conn: &mut Conn<'_>, app: &AppId, id: &DeliveryId, a: &Attempt, o: &Outcome) -> DbResult<()> {
    let error = a.error.clone().or_else(|| a.status_code.map(|s| format!("HTTP {s}")));
    let delivered = (o.status == DeliveryStatus::Delivered).then(|| ms(a.attempted_at));
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO webhook_attempts (app_id, delivery_id, n, attempted_at, status_code, latency_ms, response_body, error) \
             VALUES ($1, $2, (SELECT COALESCE(MAX(n), 0) + 1 FROM webhook_attempts WHERE app_id = $1 AND delivery_id = $2), $3, $4, $5, $6, $7)",
        )
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(ms(a.attempted_at))
        .bind(a.status_code.map(i64::from))
        .bind(a.latency_ms)
        .bind(&a.response_body)
        .bind(&a.error)
        .execute(&mut **c)
        .await?;
        sqlx::query(
            "UPDATE webhook_deliveries SET status = $3, attempts = $4, next_attempt_at = $5, locked_until = NULL, last_status_code = $6, \
             last_error = $7, updated_at = $8, delivered_at = COALESCE($9, delivered_at) WHERE app_id = $1 AND id = $2",
        )
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(o.status.as_str())
        .bind(i64::from(o.attempts))
        .bind(o.next_attempt_at.map(ms))
        .bind(a.status_code.map(i64::from))
        .bind(if o.status == DeliveryStatus::Delivered { None } else { error })
        .bind(ms(a.attempted_at))
        .bind(delivered)
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Fails a claimed delivery without trying it (its endpoint is gone or disabled).
pub async fn fail_untried(conn: &mut Conn<'_>, app: &AppId, id: &DeliveryId, reason: &str, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, locked_until = NULL, last_error = $3, updated_at = $4 WHERE app_id = $1 AND id = $2")
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(reason)
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Records a batch of first-time answers that were all 2xx: the tries in one
/// `INSERT … SELECT` and the deliveries in one `UPDATE … FROM (VALUES …)`,
/// two statements however many rows. Each row is (app, delivery, try, tries
/// in the current schedule with this one). A delivery must appear once.
pub async fn record_delivered(conn: &mut Conn<'_>, rows: &[(AppId, DeliveryId, Attempt, u32)]) -> DbResult<()> {
    // Nine binds a row; PostgreSQL allows 65,535 binds a statement.
    for chunk in rows.chunks(1000) {
        on!(conn, c => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO webhook_attempts (app_id, delivery_id, n, attempted_at, status_code, latency_ms, response_body, error) \
                 SELECT v.column1, v.column2, (SELECT COALESCE(MAX(a.n), 0) + 1 FROM webhook_attempts a WHERE a.app_id = v.column1 AND a.delivery_id = v.column2), \
                 v.column3, v.column4, v.column5, v.column6, NULL FROM (VALUES ",
            );
            let mut sep = qb.separated(", ");
            for (app, id, a, _) in chunk {
                sep.push("(")
                    .push_bind_unseparated(app.as_str().to_owned())
                    .push_unseparated(", ")
                    .push_bind_unseparated(id.as_str().to_owned())
                    .push_unseparated(", ")
                    .push_bind_unseparated(ms(a.attempted_at))
                    .push_unseparated(", ")
                    .push_bind_unseparated(a.status_code.map(i64::from).unwrap_or(200))
                    .push_unseparated(", ")
                    .push_bind_unseparated(a.latency_ms)
                    .push_unseparated(", ")
                    .push_bind_unseparated(a.response_body.clone().unwrap_or_default())
                    .push_unseparated(")");
            }
            qb.push(") AS v");
            qb.build().execute(&mut **c).await?;
            let mut qb = sqlx::QueryBuilder::new(
                "UPDATE webhook_deliveries SET status = 'delivered', attempts = v.column3, next_attempt_at = NULL, locked_until = NULL, \
                 last_status_code = v.column4, last_error = NULL, updated_at = v.column5, delivered_at = v.column5 FROM (VALUES ",
            );
            let mut sep = qb.separated(", ");
            for (app, id, a, tries) in chunk {
                sep.push("(")
                    .push_bind_unseparated(app.as_str().to_owned())
                    .push_unseparated(", ")
                    .push_bind_unseparated(id.as_str().to_owned())
                    .push_unseparated(", ")
                    .push_bind_unseparated(i64::from(*tries))
                    .push_unseparated(", ")
                    .push_bind_unseparated(a.status_code.map(i64::from).unwrap_or(200))
                    .push_unseparated(", ")
                    .push_bind_unseparated(ms(a.attempted_at))
                    .push_unseparated(")");
            }
            qb.push(") AS v WHERE webhook_deliveries.app_id = v.column1 AND webhook_deliveries.id = v.column2");
            qb.build().execute(&mut **c).await?;
        });
    }
    Ok(())
}
