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
    /// Where the claimed queue row lies, so writing its answer finds it
    /// without a descent of the key (PostgreSQL: its version's `ctid`;
    /// SQLite: its rowid). A row changed (PostgreSQL) or queued anew
    /// (SQLite) since is found by its key instead.
    pub tid: Option<String>,
    /// PostgreSQL: where its delivery row's version lay when the queue row
    /// was written (`delivery_tid`, migration 0034), so the answer updates
    /// the delivery by a TID scan rather than a descent of the primary key.
    /// Stale once the delivery was updated (then its key finds it).
    pub dtid: Option<String>,
}

/// Claims up to `n` due deliveries for `lease`, leaving out those of the
/// endpoints in `skip` (at their concurrency cap), and returns each with its
/// event's body (`None` if the event is gone). Rows in flight elsewhere are
/// skipped.
///
/// Each claimed row is found through the due index (`webhook_queue_due_idx`) and written in place:
/// PostgreSQL locks the rows (`SKIP LOCKED`) and updates them by `ctid`, and
/// reads the bodies in the same statement, one primary-key lookup per row (a
/// join let the planner hash every event ever recorded, a sequential scan
/// of `webhook_messages` per claim); SQLite updates them by key, then reads
/// the bodies by key. Neither walks the table, which grows with every
/// delivery ever made.
pub async fn claim_due(conn: &mut Conn<'_>, n: i64, now: OffsetDateTime, lease: time::Duration, skip: &[EndpointId]) -> DbResult<Vec<(Claimed, Option<String>)>> {
    // The lease also moves the row's next try to the lease's end, so the
    // rows in flight leave the due range of the index at once: neither the
    // next claim nor `any_due` walks over them.
    match conn {
        Conn::Pg(c, _) => {
            let mut qb = sqlx::QueryBuilder::new("WITH c AS (SELECT ctid FROM webhook_queue WHERE ");
            push_due(&mut qb, now, skip);
            qb.push(" ORDER BY next_attempt_at LIMIT ").push_bind(n);
            qb.push(" FOR UPDATE SKIP LOCKED), u AS (UPDATE webhook_queue q SET locked_until = ");
            qb.push_bind(ms(now + lease));
            qb.push(", next_attempt_at = ").push_bind(ms(now + lease));
            qb.push(
                " FROM c WHERE q.ctid = c.ctid RETURNING q.app_id, q.delivery_id, q.endpoint_id, q.message_id, q.attempts, q.ctid::text AS tid, q.delivery_tid::text AS dtid) \
                 SELECT u.app_id, u.delivery_id, u.endpoint_id, u.message_id, u.attempts, u.tid, u.dtid, \
                 (SELECT m.payload FROM webhook_messages m WHERE m.app_id = u.app_id AND m.id = u.message_id) FROM u",
            );
            let rows: Vec<(String, String, String, String, i64, String, Option<String>, Option<String>)> = qb.build_query_as().fetch_all(&mut **c).await?;
            Ok(rows
                .into_iter()
                .map(|(app, id, ep, msg, attempts, tid, dtid, body)| (claimed(app, id, ep, msg, attempts, Some(tid), dtid), body))
                .collect())
        }
        Conn::Sqlite(c, _) => {
            // By rowid, which the due index carries: no descent of the key per row.
            let mut qb = sqlx::QueryBuilder::new("UPDATE webhook_queue SET locked_until = ");
            qb.push_bind(ms(now + lease));
            qb.push(", next_attempt_at = ").push_bind(ms(now + lease));
            qb.push(" WHERE rowid IN (SELECT rowid FROM webhook_queue WHERE ");
            push_due(&mut qb, now, skip);
            qb.push(" ORDER BY next_attempt_at LIMIT ").push_bind(n);
            qb.push(") RETURNING app_id, delivery_id, endpoint_id, message_id, attempts, rowid");
            let rows: Vec<(String, String, String, String, i64, i64)> = qb.build_query_as().fetch_all(&mut **c).await?;
            let claimed: Vec<Claimed> =
                rows.into_iter().map(|(app, id, ep, msg, attempts, rowid)| claimed(app, id, ep, msg, attempts, Some(rowid.to_string()), None)).collect();
            with_bodies(conn, claimed).await
        }
    }
}

fn claimed(app: String, id: String, ep: String, msg: String, attempts: i64, tid: Option<String>, dtid: Option<String>) -> Claimed {
    Claimed {
        app_id: AppId::from_trusted(app),
        id: DeliveryId::from_trusted(id),
        endpoint_id: EndpointId::from_trusted(ep),
        message_id: MessageId::from_trusted(msg),
        attempts: attempts.max(0) as u32,
        tid,
        dtid,
    }
}

/// A due delivery as an owner reads it ([`due_rows`]): the row and where it
/// stands in the due order.
#[derive(Debug, Clone)]
pub struct Due {
    pub c: Claimed,
    pub at: DueAt,
}

/// A place in the due order: `next_attempt_at` (ms), then the delivery id.
pub type DueAt = (i64, DeliveryId);

/// PostgreSQL, for a dispatcher that owns endpoints ([`super::Owner`]):
/// walks up to `walk` due deliveries in the due order (`next_attempt_at`,
/// then id), after `after` if given, without writing them, and returns
/// those not for an endpoint in `skip`, with where the walk stopped if it
/// walked all it was allowed (more may follow; `None`: it reached the end of
/// what is due). Each comes with where its row version lies (`tid`) for
/// writing its answer; the bodies are read afterwards ([`with_bodies`]) for
/// the rows the reader keeps, once per event. Rows a lease holds
/// (`claim_due`) are left out like any claim would.
///
/// The walk is bounded whatever `skip` leaves out: rows of skipped
/// endpoints (a slow receiver's backlog) cost one bounded read, not a walk
/// to the end of the queue, and the next read resumes after them.
///
/// `after` lets a reader resume where its last walk stopped: the read then
/// starts at that place in `webhook_queue_due_idx` and walks only
/// rows it has not read, not the rows it still holds nor the entries of rows
/// answered since. Rows that come due behind that place (given back, or
/// committed late with an earlier time, or skipped) are found by a read from
/// the start.
pub async fn due_rows(conn: &mut Conn<'_>, walk: i64, now: OffsetDateTime, skip: &[EndpointId], after: Option<&DueAt>) -> DbResult<(Vec<Due>, Option<DueAt>)> {
    let Conn::Pg(c, _) = conn else {
        return Err(crate::DbError::corrupt("due_rows is for PostgreSQL; SQLite claims with leases"));
    };
    let mut qb = sqlx::QueryBuilder::new("SELECT q.app_id, q.delivery_id, q.endpoint_id, q.message_id, q.attempts, q.ctid::text, q.delivery_tid::text, q.next_attempt_at FROM webhook_queue q WHERE ");
    push_due(&mut qb, now, &[]);
    if let Some((t, id)) = after {
        qb.push(" AND (next_attempt_at, delivery_id) > (").push_bind(*t).push(", ").push_bind(id.as_str().to_owned()).push(")");
    }
    qb.push(" ORDER BY next_attempt_at, delivery_id LIMIT ").push_bind(walk);
    type Row = (String, String, String, String, i64, String, Option<String>, i64);
    let rows: Vec<Row> = qb.build_query_as().fetch_all(&mut **c).await?;
    let full = rows.len() as i64 == walk;
    let mut stopped = None;
    let mut kept = Vec::with_capacity(rows.len());
    for (app, id, ep, msg, attempts, tid, dtid, t) in rows {
        let c = claimed(app, id, ep, msg, attempts, Some(tid), dtid);
        stopped = Some((t, c.id.clone()));
        if !skip.contains(&c.endpoint_id) {
            kept.push(Due { at: (t, c.id.clone()), c });
        }
    }
    Ok((kept, if full { stopped } else { None }))
}

/// Whether any delivery is due now (a cheap probe of the due index).
///
/// In the index's order, so both databases walk the index: without an
/// order PostgreSQL read the table from its start, over every row delivered
/// since the table was last vacuumed (486 µs a probe in a backlog of 9,600,
/// as many as all the claims' reads together).
pub async fn any_due(conn: &mut Conn<'_>, now: OffsetDateTime) -> DbResult<bool> {
    let n: Option<i64> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT 1 FROM webhook_queue WHERE ");
        push_due(&mut qb, now, &[]);
        qb.push(" ORDER BY next_attempt_at LIMIT 1");
        qb.build_query_scalar().fetch_optional(&mut **c).await?
    });
    Ok(n.is_some())
}

/// The due rows' condition on `webhook_queue` (every row of which is a
/// pending delivery), the one `claim_due`, `due_rows` and `any_due` share:
/// due by `now`, not leased (or the lease ran out), and not for an endpoint
/// in `skip`. Both databases walk `webhook_queue_due_idx` for it.
fn push_due<'t, DB: sqlx::Database>(qb: &mut sqlx::QueryBuilder<DB>, now: OffsetDateTime, skip: &[EndpointId])
where
    i64: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
    String: sqlx::Encode<'t, DB> + sqlx::Type<DB>,
{
    qb.push("next_attempt_at <= ").push_bind(ms(now));
    qb.push(" AND (locked_until IS NULL OR locked_until <= ").push_bind(ms(now)).push(")");
    if !skip.is_empty() {
        qb.push(" AND endpoint_id NOT IN (");
        let mut sep = qb.separated(", ");
        for e in skip {
            sep.push_bind(e.as_str().to_owned());
        }
        qb.push(")");
    }
}

/// Gives claimed deliveries back untried, due again at `at` (now: their
/// endpoint was busy; later: it could not be read), in one statement. On
/// PostgreSQL a row changed since its claim is left as it is.
pub async fn release(conn: &mut Conn<'_>, rows: &[Claimed], at: OffsetDateTime) -> DbResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    match conn {
        Conn::Pg(c, _) => {
            let (tids, apps, ids) = pg_keys(rows);
            sqlx::query(
                "UPDATE webhook_queue q SET locked_until = NULL, next_attempt_at = $1 FROM unnest($2::text[], $3::text[], $4::text[]) AS v(tid, app_id, id) \
                 WHERE q.ctid = v.tid::tid AND q.app_id = v.app_id AND q.delivery_id = v.id",
            )
            .bind(ms(at))
            .bind(tids)
            .bind(apps)
            .bind(ids)
            .execute(&mut **c)
            .await?;
        }
        Conn::Sqlite(c, _) => {
            let mut qb = sqlx::QueryBuilder::new("UPDATE webhook_queue SET locked_until = NULL, next_attempt_at = ");
            qb.push_bind(ms(at));
            qb.push(" FROM (VALUES ");
            let mut sep = qb.separated(", ");
            for r in rows {
                sep.push("(").push_bind_unseparated(r.app_id.as_str()).push_unseparated(", ").push_bind_unseparated(r.id.as_str()).push_unseparated(")");
            }
            qb.push(") AS v WHERE webhook_queue.app_id = v.column1 AND webhook_queue.delivery_id = v.column2");
            qb.build().execute(&mut **c).await?;
        }
    }
    Ok(())
}

/// The row locators and keys of claimed rows, as PostgreSQL arrays.
fn pg_keys<'a>(rows: impl IntoIterator<Item = &'a Claimed>) -> (Vec<&'a str>, Vec<&'a str>, Vec<&'a str>) {
    let mut out = (Vec::new(), Vec::new(), Vec::new());
    for r in rows {
        // A row without a locator (claimed on another path) matches no `ctid`.
        out.0.push(r.tid.as_deref().unwrap_or("(0,0)"));
        out.1.push(r.app_id.as_str());
        out.2.push(r.id.as_str());
    }
    out
}

/// Pairs each delivery with its event's body (`None` if the event is gone),
/// reading each event's body once however many of the deliveries it goes
/// to (one event usually goes to several endpoints, and its deliveries sit
/// together in the due order): one statement, a primary-key lookup per event.
pub async fn with_bodies(conn: &mut Conn<'_>, rows: Vec<Claimed>) -> DbResult<Vec<(Claimed, Option<String>)>> {
    let mut ids: Vec<(&str, &str)> = rows.iter().map(|c| (c.app_id.as_str(), c.message_id.as_str())).collect();
    ids.sort_unstable();
    ids.dedup();
    let mut bodies = bodies_of(conn, &ids).await?;
    let last_use: std::collections::HashMap<&MessageId, usize> = rows.iter().enumerate().map(|(i, c)| (&c.message_id, i)).collect();
    let last: Vec<bool> = rows.iter().enumerate().map(|(i, c)| last_use.get(&c.message_id) == Some(&i)).collect();
    Ok(rows
        .into_iter()
        .zip(last)
        .map(|(c, last)| {
            // The last delivery of an event takes the body; the others copy it.
            let body = if last { bodies.remove(c.message_id.as_str()) } else { bodies.get(c.message_id.as_str()).cloned() };
            (c, body)
        })
        .collect())
}

/// The bodies of several events, by event id, each found through the
/// primary key: PostgreSQL runs a subquery per id (a join let the planner
/// hash every event ever recorded), SQLite joins on the key (`IN (VALUES
/// …)` scanned the table).
async fn bodies_of(conn: &mut Conn<'_>, ids: &[(&str, &str)]) -> DbResult<std::collections::HashMap<String, String>> {
    if ids.is_empty() {
        return Ok(Default::default());
    }
    let rows: Vec<(String, Option<String>)> = match conn {
        Conn::Pg(c, _) => {
            let apps: Vec<&str> = ids.iter().map(|(a, _)| *a).collect();
            let msgs: Vec<&str> = ids.iter().map(|(_, m)| *m).collect();
            sqlx::query_as(
                "SELECT v.id, (SELECT m.payload FROM webhook_messages m WHERE m.app_id = v.app_id AND m.id = v.id) \
                 FROM unnest($1::text[], $2::text[]) AS v(app_id, id)",
            )
            .bind(apps)
            .bind(msgs)
            .fetch_all(&mut **c)
            .await?
        }
        Conn::Sqlite(c, _) => {
            let mut qb = sqlx::QueryBuilder::new("SELECT m.id, m.payload FROM (VALUES ");
            let mut sep = qb.separated(", ");
            for (app, id) in ids {
                sep.push("(").push_bind_unseparated(app.to_string()).push_unseparated(", ").push_bind_unseparated(id.to_string()).push_unseparated(")");
            }
            qb.push(") AS v JOIN webhook_messages m ON m.app_id = v.column1 AND m.id = v.column2");
            qb.build_query_as().fetch_all(&mut **c).await?
        }
    };
    Ok(rows.into_iter().filter_map(|(id, p)| Some((id, p?))).collect())
}

pub async fn message_payload(conn: &mut Conn<'_>, app: &AppId, id: &MessageId) -> DbResult<Option<(String, OffsetDateTime)>> {
    let row: Option<(String, i64)> = on!(conn, c => sqlx::query_as("SELECT payload, created_at FROM webhook_messages WHERE app_id = $1 AND id = $2")
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    Ok(row.map(|(p, t)| (p, at(t))))
}

/// Settings for the transaction that writes a batch of answers: its commit
/// does not wait for the WAL to reach disk when `relaxed` (see
/// [`crate::relax_durability`]: a lost answer means the delivery is sent
/// again), and, on PostgreSQL, rows are found by where they lie or by key,
/// never by reading a whole table. The answers find their queue rows by
/// `ctid`; for a batch of a few hundred the planner priced that above
/// reading the whole queue and hashing it (it prices each row's page as a
/// random read from disk): in `tollgate-bench fanout`'s plans (auto_explain)
/// such a statement took 15.1 ms for 235 answers, where deleting 235 queue
/// rows by `ctid` takes 0.6–0.9 ms (`EXPLAIN ANALYZE`, a queue of 28,800).
/// Bitmap scans are off too: the deliveries were each looked up by a
/// bitmap of one row. One statement for all the settings.
pub async fn answering(conn: &mut Conn<'_>, relaxed: bool) -> DbResult<()> {
    if let Conn::Pg(c, _) = conn {
        sqlx::query(
            "SELECT set_config('enable_seqscan', 'off', true), set_config('enable_bitmapscan', 'off', true), \
             set_config('synchronous_commit', CASE WHEN $1 THEN 'off' ELSE current_setting('synchronous_commit') END, true)",
        )
        .bind(relaxed)
        .execute(&mut **c)
        .await?;
    }
    Ok(())
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
    log_inline_successes(conn, &[(app, id)]).await?;
    // The queue row first (the order every writer takes: queue row, then
    // delivery row). A retry puts it back even if it is gone: a copy sent
    // twice (a lease that ran out mid-send) may have been answered 2xx and
    // dequeued; its delivery is pending again below, and a pending delivery
    // always has its queue row.
    match (o.status, o.next_attempt_at) {
        (DeliveryStatus::Pending, Some(next)) => requeue(conn, app, id, o.attempts, next).await?,
        _ => dequeue(conn, &[(app, id)]).await?,
    }
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
             last_error = $7, updated_at = $8, delivered_at = COALESCE($9, delivered_at), success_latency_ms = NULL, success_body = NULL \
             WHERE app_id = $1 AND id = $2",
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

/// Puts a delivery in the queue with `attempts` tries so far, due at `at`,
/// whether its queue row is still there (updated, its lease ended) or not
/// (created from the delivery row). Writers call it before they update the
/// delivery row: queue row first, then delivery row, the order every writer
/// takes.
pub(crate) async fn requeue(conn: &mut Conn<'_>, app: &AppId, id: &DeliveryId, attempts: u32, at: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO webhook_queue (app_id, delivery_id, endpoint_id, message_id, attempts, next_attempt_at) \
             SELECT app_id, id, endpoint_id, message_id, $3, $4 FROM webhook_deliveries WHERE app_id = $1 AND id = $2 \
             ON CONFLICT (app_id, delivery_id) DO UPDATE SET attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at, locked_until = NULL",
        )
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(i64::from(attempts))
        .bind(ms(at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Takes deliveries out of the queue (answered for good, or failed): one
/// statement per thousand, each row found by its key.
pub(crate) async fn dequeue(conn: &mut Conn<'_>, keys: &[(&AppId, &DeliveryId)]) -> DbResult<()> {
    for chunk in keys.chunks(1000) {
        match conn {
            Conn::Pg(c, _) => {
                let apps: Vec<&str> = chunk.iter().map(|(a, _)| a.as_str()).collect();
                let ids: Vec<&str> = chunk.iter().map(|(_, d)| d.as_str()).collect();
                sqlx::query("DELETE FROM webhook_queue q USING unnest($1::text[], $2::text[]) AS v(app_id, id) WHERE q.app_id = v.app_id AND q.delivery_id = v.id")
                    .bind(apps)
                    .bind(ids)
                    .execute(&mut **c)
                    .await?;
            }
            Conn::Sqlite(c, _) => {
                // By rowid, each found through the key (`IN (VALUES …)` on the key would scan).
                let mut qb = sqlx::QueryBuilder::new("DELETE FROM webhook_queue WHERE rowid IN (SELECT q.rowid FROM (VALUES ");
                let mut sep = qb.separated(", ");
                for (app, id) in chunk {
                    sep.push("(").push_bind_unseparated(app.as_str()).push_unseparated(", ").push_bind_unseparated(id.as_str()).push_unseparated(")");
                }
                qb.push(") AS v JOIN webhook_queue q ON q.app_id = v.column1 AND q.delivery_id = v.column2)");
                qb.build().execute(&mut **c).await?;
            }
        }
    }
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
    dequeue(conn, &[(app, id)]).await
}

/// Records a batch of answers that were all 2xx: each row is (the claimed
/// delivery, its try, tries in the current schedule with this one); a
/// delivery must appear once.
///
/// The try is written on the delivery row (its inline success, migration
/// 0032), not as a row of `webhook_attempts`: one row written per answer.
///
/// Each delivery leaves the queue (`webhook_queue`) and its row is marked
/// delivered, which changes no indexed column of `webhook_deliveries`
/// (PostgreSQL updates it in place: see migration 0033).
///
/// PostgreSQL: one statement deletes each queue row found by the `ctid` of
/// its claim and marks the deliveries of those it deleted, each found by
/// the `ctid` its queue row recorded (`delivery_tid`, migration 0034): a
/// TID scan, where the key cost a descent of the primary key per delivery.
/// Rows changed since (redelivered meanwhile, tried before, queued before
/// 0034, or answered twice) are then written by key. The deleted rows
/// carry their answers to the update, so the batch is never joined with
/// itself: the planner prices `unnest` at 10 rows, and such a join (the
/// batch against the rows deleted) ran as a nested loop, 1,047,552
/// comparisons and 570 ms for a batch of 1,024
/// (auto_explain, `tollgate-bench fanout --events 40000`), which made the
/// answers fall further behind the bigger their batches grew.
///
/// SQLite: the queue rows are deleted by the rowids their claims returned
/// (checked against the keys), and the deliveries marked by key in one
/// `UPDATE … FROM (VALUES …)` however many rows, counting the rows written
/// rather than returning them. A row answered twice has its earlier inline
/// success moved into the log first.
pub async fn record_delivered(conn: &mut Conn<'_>, rows: &[(Claimed, Attempt, u32)]) -> DbResult<()> {
    if rows.is_empty() {
        return Ok(());
    }
    let rest: Vec<&(Claimed, Attempt, u32)> = match conn {
        Conn::Pg(c, _) => {
            let (tids, apps, ids) = pg_keys(rows.iter().map(|r| &r.0));
            let dtids: Vec<&str> = rows.iter().map(|r| r.0.dtid.as_deref().unwrap_or("(0,0)")).collect();
            let tries: Vec<i64> = rows.iter().map(|r| i64::from(r.2)).collect();
            let codes: Vec<i64> = rows.iter().map(|r| r.1.status_code.map(i64::from).unwrap_or(200)).collect();
            let ats: Vec<i64> = rows.iter().map(|r| ms(r.1.attempted_at)).collect();
            let latencies: Vec<i64> = rows.iter().map(|r| r.1.latency_ms).collect();
            let bodies: Vec<&str> = rows.iter().map(|r| r.1.response_body.as_deref().unwrap_or("")).collect();
            let done: Vec<String> = sqlx::query_scalar(
                "WITH gone AS (DELETE FROM webhook_queue q \
                   USING unnest($1::text[], $2::text[], $3::text[], $4::int8[], $5::int8[], $6::int8[], $7::int8[], $8::text[], $9::text[]) \
                     AS v(tid, app_id, id, tries, code, at, latency, body, dtid) \
                   WHERE q.ctid = v.tid::tid AND q.app_id = v.app_id AND q.delivery_id = v.id \
                   RETURNING q.app_id, q.delivery_id, v.tries, v.code, v.at, v.latency, v.body, v.dtid::tid AS dtid) \
                 UPDATE webhook_deliveries d SET status = 'delivered', attempts = g.tries, next_attempt_at = NULL, locked_until = NULL, \
                   last_status_code = g.code, last_error = NULL, updated_at = g.at, delivered_at = g.at, success_latency_ms = g.latency, success_body = g.body \
                 FROM gone g WHERE d.ctid = g.dtid AND d.app_id = g.app_id AND d.id = g.delivery_id AND d.success_latency_ms IS NULL RETURNING d.id",
            )
            .bind(tids)
            .bind(apps)
            .bind(ids)
            .bind(tries)
            .bind(codes)
            .bind(ats)
            .bind(latencies)
            .bind(bodies)
            .bind(dtids)
            .fetch_all(&mut **c)
            .await?;
            // Delivery ids are unique across apps (UUIDv7): the id alone tells the rows apart.
            let done: std::collections::HashSet<String> = done.into_iter().collect();
            rows.iter().filter(|r| !done.contains(r.0.id.as_str())).collect()
        }
        Conn::Sqlite(_, _) => rows.iter().collect(),
    };
    record_delivered_by_key(conn, &rest).await
}

async fn record_delivered_by_key(conn: &mut Conn<'_>, rows: &[&(Claimed, Attempt, u32)]) -> DbResult<()> {
    // Seven binds a row; PostgreSQL allows 65,535 binds a statement.
    for chunk in rows.chunks(1000) {
        if !dequeue_by_rowid(conn, chunk).await? {
            let keys: Vec<(&AppId, &DeliveryId)> = chunk.iter().map(|(c, _, _)| (&c.app_id, &c.id)).collect();
            dequeue(conn, &keys).await?;
        }
        // The rows without an inline success first (every row, but one
        // answered twice): nothing to move to the log.
        if conn.backend() == crate::Backend::Sqlite && mark_all_fresh(conn, chunk).await? {
            continue;
        }
        let (_, written) = mark_delivered(conn, chunk, true, true).await?;
        let twice: Vec<&(Claimed, Attempt, u32)> = chunk.iter().copied().filter(|(c, _, _)| !written.contains(c.id.as_str())).collect();
        if twice.is_empty() {
            continue;
        }
        // A row answered twice (sent again after a crash): its earlier
        // success goes to the log before this one takes its place.
        let keys: Vec<(&AppId, &DeliveryId)> = twice.iter().map(|(c, _, _)| (&c.app_id, &c.id)).collect();
        log_inline_successes(conn, &keys).await?;
        mark_delivered(conn, &twice, false, false).await?;
    }
    Ok(())
}

/// SQLite hands each returned row over from its connection's thread: marks
/// the rows delivered counting them instead of returning their ids, and
/// returns whether every one was written. If one was answered before (rare),
/// undoes the statement (a savepoint), and the caller finds which.
async fn mark_all_fresh(conn: &mut Conn<'_>, rows: &[&(Claimed, Attempt, u32)]) -> DbResult<bool> {
    async fn run(conn: &mut Conn<'_>, sql: &'static str) -> DbResult<()> {
        on!(conn, c => sqlx::query(sql).execute(&mut **c).await.map(|_| ())?);
        Ok(())
    }
    run(conn, "SAVEPOINT tollgate_answers").await?;
    let (n, _) = mark_delivered(conn, rows, true, false).await?;
    let all = n == rows.len() as u64;
    if !all {
        run(conn, "ROLLBACK TO tollgate_answers").await?;
    }
    run(conn, "RELEASE tollgate_answers").await?;
    Ok(all)
}

/// SQLite: takes answered deliveries out of the queue by the rowids their
/// claims returned, each checked against its key, in one statement.
/// Returns whether every row was found so; if not (a row queued anew since
/// its claim, or claimed without a rowid), the caller dequeues by key.
async fn dequeue_by_rowid(conn: &mut Conn<'_>, rows: &[&(Claimed, Attempt, u32)]) -> DbResult<bool> {
    let Conn::Sqlite(c, _) = conn else { return Ok(false) };
    let rowids: Option<Vec<i64>> = rows.iter().map(|(cl, _, _)| cl.tid.as_deref().and_then(|t| t.parse().ok())).collect();
    let Some(rowids) = rowids else { return Ok(false) };
    let mut qb = sqlx::QueryBuilder::new("DELETE FROM webhook_queue WHERE rowid IN (SELECT q.rowid FROM (VALUES ");
    let mut sep = qb.separated(", ");
    for ((cl, _, _), rowid) in rows.iter().zip(rowids) {
        sep.push("(")
            .push_bind_unseparated(rowid)
            .push_unseparated(", ")
            .push_bind_unseparated(cl.app_id.as_str())
            .push_unseparated(", ")
            .push_bind_unseparated(cl.id.as_str())
            .push_unseparated(")");
    }
    qb.push(") AS v JOIN webhook_queue q ON q.rowid = v.column1 AND q.app_id = v.column2 AND q.delivery_id = v.column3)");
    let n = qb.build().execute(&mut **c).await?.rows_affected();
    Ok(n == rows.len() as u64)
}

/// Marks rows delivered by key with their inline success; with `fresh`,
/// only rows without one yet. Returns how many rows were written and, with
/// `returning`, the ids of those deliveries (unique across apps: UUIDv7).
async fn mark_delivered(conn: &mut Conn<'_>, rows: &[&(Claimed, Attempt, u32)], fresh: bool, returning: bool) -> DbResult<(u64, std::collections::HashSet<String>)> {
    Ok(on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "UPDATE webhook_deliveries SET status = 'delivered', attempts = v.column3, next_attempt_at = NULL, locked_until = NULL, \
             last_status_code = v.column4, last_error = NULL, updated_at = v.column5, delivered_at = v.column5, \
             success_latency_ms = v.column6, success_body = v.column7 FROM (VALUES ",
        );
        let mut sep = qb.separated(", ");
        for (cl, a, tries) in rows.iter().copied() {
            sep.push("(")
                .push_bind_unseparated(cl.app_id.as_str())
                .push_unseparated(", ")
                .push_bind_unseparated(cl.id.as_str())
                .push_unseparated(", ")
                .push_bind_unseparated(i64::from(*tries))
                .push_unseparated(", ")
                .push_bind_unseparated(a.status_code.map(i64::from).unwrap_or(200))
                .push_unseparated(", ")
                .push_bind_unseparated(ms(a.attempted_at))
                .push_unseparated(", ")
                .push_bind_unseparated(a.latency_ms)
                .push_unseparated(", ")
                .push_bind_unseparated(a.response_body.as_deref().unwrap_or(""))
                .push_unseparated(")");
        }
        qb.push(") AS v WHERE webhook_deliveries.app_id = v.column1 AND webhook_deliveries.id = v.column2");
        if fresh {
            qb.push(" AND webhook_deliveries.success_latency_ms IS NULL");
        }
        if returning {
            qb.push(" RETURNING webhook_deliveries.id");
            let ids: Vec<String> = qb.build_query_scalar().fetch_all(&mut **c).await?;
            (ids.len() as u64, ids.into_iter().collect())
        } else {
            (qb.build().execute(&mut **c).await?.rows_affected(), Default::default())
        }
    }))
}

/// Moves the inline successes of some deliveries (see migration 0032) into
/// `webhook_attempts`, as each delivery's next try, before their rows are
/// written again; the caller's write then replaces or clears them. Rows
/// without one are left alone.
pub(crate) async fn log_inline_successes(conn: &mut Conn<'_>, keys: &[(&AppId, &DeliveryId)]) -> DbResult<()> {
    for chunk in keys.chunks(1000) {
        on!(conn, c => {
            let mut qb = sqlx::QueryBuilder::new(
                "INSERT INTO webhook_attempts (app_id, delivery_id, n, attempted_at, status_code, latency_ms, response_body, error) \
                 SELECT d.app_id, d.id, (SELECT COALESCE(MAX(a.n), 0) + 1 FROM webhook_attempts a WHERE a.app_id = d.app_id AND a.delivery_id = d.id), \
                 d.delivered_at, d.last_status_code, d.success_latency_ms, d.success_body, NULL FROM webhook_deliveries d JOIN (VALUES ",
            );
            let mut sep = qb.separated(", ");
            for (app, id) in chunk {
                sep.push("(").push_bind_unseparated(app.as_str()).push_unseparated(", ").push_bind_unseparated(id.as_str()).push_unseparated(")");
            }
            qb.push(") AS v ON d.app_id = v.column1 AND d.id = v.column2 WHERE d.success_latency_ms IS NOT NULL");
            qb.build().execute(&mut **c).await?;
        });
    }
    Ok(())
}
