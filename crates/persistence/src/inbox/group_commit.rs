//! Group commit for webhook ingest, on both databases: a delivery joins the
//! queue of its database; whoever gets a writing lane writes every queued
//! delivery (up to [`MAX_BATCH`]) in one statement or transaction and
//! answers each. Each caller still returns only after its own row is
//! committed, so nothing is acknowledged before it is stored.
//!
//! Why: a delivery alone costs a commit (SQLite's cost is per commit; on
//! PostgreSQL a WAL flush), a round trip, a parse and plan and an executor
//! start. Deliveries that arrive together share them. SQLite has one writer,
//! so one lane (nobody collides on the write lock, whose busy handler
//! sleeps); PostgreSQL has [`PG_LANES`], so one batch is written while the
//! next one gathers.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use tokio::sync::{Semaphore, oneshot};
use tollgate_domain::connector::ConnectorKind;

use super::InboxEvent;
use crate::{Conn, Db, DbError, DbResult, ms, on};

/// One delivery waiting to be written.
pub(super) struct Delivery {
    pub app: String,
    pub connector: ConnectorKind,
    pub event: InboxEvent,
}

/// Every caller of a batch gets the database's own error (shared), not its text.
type Written = Result<bool, Arc<sqlx::Error>>;

/// The deliveries waiting for one database, and its writing lanes.
struct WriteQueue {
    pending: Mutex<Vec<(Delivery, oneshot::Sender<Written>)>>,
    lanes: Arc<Semaphore>,
}

/// Batches written at once on PostgreSQL.
const PG_LANES: usize = 2;
/// The most deliveries one batch writes (PostgreSQL: eight arrays of this
/// many elements in one statement).
const MAX_BATCH: usize = 256;

/// One delivery's row, the same on both databases; a duplicate changes nothing.
const INSERT_EVENT: &str = "INSERT INTO inbox_events (app_id, connector, event_id, event_type, created, payload, status, received_at) \
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8) ON CONFLICT DO NOTHING";

/// Stores a delivery with the others arriving at the same time; returns
/// false for a duplicate (of a stored event, or of one in the same batch).
pub(super) async fn store(db: &Db, item: Delivery) -> DbResult<bool> {
    let queue = queue_of(db);
    let (tx, mut rx) = oneshot::channel();
    queue.pending.lock().unwrap_or_else(|p| p.into_inner()).push((item, tx));
    // A lane, unless a batch writes ours first: then the answer is at hand
    // at once, not after the callers queued before us have had their turns
    // (each maybe writing a batch of its own).
    let lane = tokio::select! {
        biased;
        r = &mut rx => return answer(r),
        lane = queue.lanes.clone().acquire_owned() => lane.map_err(|_| DbError::corrupt("the ingest lanes were closed"))?,
    };
    // Written by a batch while we got the lane?
    if let Ok(r) = rx.try_recv() {
        return r.map_err(DbError::batch);
    }
    let batch: Vec<_> = {
        let mut pending = queue.pending.lock().unwrap_or_else(|p| p.into_inner());
        let n = pending.len().min(MAX_BATCH);
        pending.drain(..n).collect()
    };
    if batch.is_empty() {
        // Ours is in a batch another lane is writing.
        drop(lane);
    } else {
        let db = db.clone();
        // A task of its own: a caller that goes away (its client hung up)
        // does not take the others' answers, or its lane, with it.
        tokio::spawn(async move {
            let written = write(&db, &batch).await;
            drop(lane);
            for ((_, reply), w) in batch.into_iter().zip(written) {
                let _ = reply.send(w);
            }
        });
    }
    answer(rx.await)
}

/// A caller's answer as its batch's writer sent it.
fn answer(r: Result<Written, oneshot::error::RecvError>) -> DbResult<bool> {
    r.map_err(|_| DbError::corrupt("the ingest writer went away"))?.map_err(DbError::batch)
}

/// The queue of `db`'s database: the same file, or the same PostgreSQL
/// database, shares one. The batch is written through the pool of the
/// caller that writes it, one that is open.
fn queue_of(db: &Db) -> Arc<WriteQueue> {
    static QUEUES: LazyLock<Mutex<HashMap<String, Arc<WriteQueue>>>> = LazyLock::new(Default::default);
    let (key, lanes) = match db {
        Db::Sqlite(pool) => (format!("sqlite:{}", pool.connect_options().get_filename().display()), 1),
        Db::Pg(pool) => {
            let o = pool.connect_options();
            (format!("postgres:{}:{}/{}", o.get_host(), o.get_port(), o.get_database().unwrap_or_default()), PG_LANES)
        }
    };
    QUEUES
        .lock()
        .unwrap_or_else(|p| p.into_inner())
        .entry(key)
        .or_insert_with(|| Arc::new(WriteQueue { pending: Mutex::new(Vec::new()), lanes: Arc::new(Semaphore::new(lanes)) }))
        .clone()
}

/// Each delivery's answer, in the batch's order.
async fn write(db: &Db, batch: &[(Delivery, oneshot::Sender<Written>)]) -> Vec<Written> {
    let items: Vec<&Delivery> = batch.iter().map(|(d, _)| d).collect();
    let result = match db {
        Db::Pg(pool) => write_pg(pool, &items).await,
        Db::Sqlite(pool) => write_sqlite(pool, &items).await,
    };
    match (result, db) {
        (Ok(stored), _) => stored.into_iter().map(Ok).collect(),
        // PostgreSQL refused the statement: maybe for one delivery's row.
        // Each is written alone then, so only that one gets the error.
        (Err(sqlx::Error::Database(_)), Db::Pg(pool)) if items.len() > 1 => {
            let mut out = Vec::with_capacity(items.len());
            for d in items {
                let one = match pool.acquire().await {
                    Ok(mut c) => write_one(&mut Conn::Pg(&mut *c, None), d).await,
                    Err(e) => Err(e),
                };
                out.push(one.map_err(Arc::new));
            }
            out
        }
        (Err(e), _) => {
            let e = Arc::new(e);
            items.iter().map(|_| Err(e.clone())).collect()
        }
    }
}

/// PostgreSQL: the whole batch in one autocommit statement over arrays.
/// `RETURNING` names the rows inserted; of two deliveries of one event in
/// the batch, the first is the one stored.
async fn write_pg(pool: &sqlx::PgPool, items: &[&Delivery]) -> Result<Vec<bool>, sqlx::Error> {
    let mut cols: (Vec<&str>, Vec<&str>, Vec<&str>, Vec<&str>, Vec<i64>, Vec<&str>, Vec<&str>, Vec<i64>) = Default::default();
    for d in items {
        let e = &d.event;
        cols.0.push(&d.app);
        cols.1.push(d.connector.as_str());
        cols.2.push(&e.event_id);
        cols.3.push(&e.event_type);
        cols.4.push(e.created);
        cols.5.push(&e.payload);
        cols.6.push(&e.status);
        cols.7.push(ms(e.received_at));
    }
    let inserted: Vec<(String, String, String)> = sqlx::query_as(
        "INSERT INTO inbox_events (app_id, connector, event_id, event_type, created, payload, status, received_at) \
         SELECT * FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::int8[], $6::text[], $7::text[], $8::int8[]) \
         ON CONFLICT DO NOTHING RETURNING app_id, connector, event_id",
    )
    .bind(&cols.0)
    .bind(&cols.1)
    .bind(&cols.2)
    .bind(&cols.3)
    .bind(&cols.4)
    .bind(&cols.5)
    .bind(&cols.6)
    .bind(&cols.7)
    .fetch_all(pool)
    .await?;
    let mut inserted: HashMap<(String, String, String), usize> = inserted.into_iter().fold(HashMap::new(), |mut m, k| {
        *m.entry(k).or_default() += 1;
        m
    });
    Ok(items
        .iter()
        .map(|d| match inserted.get_mut(&(d.app.clone(), d.connector.as_str().to_owned(), d.event.event_id.clone())) {
            Some(n) if *n > 0 => {
                *n -= 1;
                true
            }
            _ => false,
        })
        .collect())
}

/// One delivery's row alone, on any connection.
async fn write_one(conn: &mut Conn<'_>, d: &Delivery) -> Result<bool, sqlx::Error> {
    let e = &d.event;
    let n = on!(conn, c => sqlx::query(INSERT_EVENT)
        .bind(&d.app)
        .bind(d.connector.as_str())
        .bind(&e.event_id)
        .bind(&e.event_type)
        .bind(e.created)
        .bind(&e.payload)
        .bind(&e.status)
        .bind(ms(e.received_at))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// SQLite: one transaction, a statement per delivery (each cheap; the
/// commit is what costs).
async fn write_sqlite(pool: &sqlx::SqlitePool, items: &[&Delivery]) -> Result<Vec<bool>, sqlx::Error> {
    let mut tx = pool.begin_with("BEGIN IMMEDIATE").await?;
    let mut stored = Vec::with_capacity(items.len());
    for d in items {
        stored.push(write_one(&mut Conn::Sqlite(&mut *tx, None), d).await?);
    }
    tx.commit().await?;
    Ok(stored)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Backend;

    crate::both!(answers_in_order);

    fn delivery(id: &str, payload: &str) -> (Delivery, oneshot::Sender<Written>) {
        let event = InboxEvent {
            event_id: id.into(),
            event_type: "invoice.paid".into(),
            created: 1,
            payload: payload.into(),
            status: super::super::RECEIVED.into(),
            received_at: time::OffsetDateTime::UNIX_EPOCH,
            processed_at: None,
            error: None,
        };
        (Delivery { app: "app_1".into(), connector: ConnectorKind::Stripe, event }, oneshot::channel().0)
    }

    /// A batch's answers, each in its place: stored, duplicate (of a row
    /// stored before, or of an earlier one in the batch), or refused. A
    /// delivery PostgreSQL refuses (a NUL byte in a text) fails alone; the
    /// others of its batch are stored. SQLite stores it.
    async fn answers_in_order(db: &Db) {
        let first = write(db, &[delivery("evt_0", "{}")]).await;
        assert!(matches!(first[..], [Ok(true)]));
        let batch = [delivery("evt_1", "{}"), delivery("evt_0", "{}"), delivery("evt_2", "{\"a\":\"\0\"}"), delivery("evt_3", "{}"), delivery("evt_3", "{}")];
        let got: Vec<Option<bool>> = write(db, &batch).await.into_iter().map(|r| r.ok()).collect();
        let refused = match db.backend() {
            Backend::Postgres => None,
            Backend::Sqlite => Some(true),
        };
        assert_eq!(got, [Some(true), Some(false), refused, Some(true), Some(false)]);
    }
}
