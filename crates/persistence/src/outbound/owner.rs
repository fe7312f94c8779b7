//! PostgreSQL: which dispatcher sends an endpoint's deliveries.
//!
//! A claim that writes every row it takes (a lease in `locked_until`) costs
//! a new row version, an entry in each of the table's indexes and a lock
//! record per delivery, about as much as writing its answer. On PostgreSQL
//! the dispatcher instead owns endpoints: a session-level advisory lock per
//! endpoint, held on a connection of its own ([`Owner`]). An owned
//! endpoint's due rows are read, not written, and only this dispatcher
//! sends them; it keeps the rows it holds in memory so it does not read
//! them twice. When its process dies the connection closes and PostgreSQL
//! releases the locks at once: another dispatcher takes the endpoints and
//! sends what was not answered again (at-least-once, same `webhook-id`).
//! One owner per endpoint also makes the per-endpoint concurrency cap hold
//! across processes.
//!
//! SQLite has one writer and usually one process: its dispatcher claims rows
//! with leases (`claim_due`).

use sqlx::Connection;
use tollgate_domain::ids::{AppId, EndpointId};

use crate::{Db, DbResult};

/// A connection outside the pool whose session owns endpoints.
pub struct Owner {
    conn: sqlx::PgConnection,
}

impl Owner {
    /// A session of its own (taken out of the pool, so its locks never go
    /// back to the pool with it). `None` on SQLite.
    ///
    /// The session reads due rows only through the due index, in its order
    /// (bitmap scans and sorts off). The planner otherwise picks by its
    /// statistics: a table never analysed, or analysed while the queue was
    /// empty, is thought to hold a few due rows, and a backlog of 30,000 was
    /// then read whole and sorted to keep 256 (31 ms per read in `EXPLAIN
    /// ANALYZE`, against 0.4 ms walking the index).
    pub async fn open(db: &Db) -> DbResult<Option<Owner>> {
        let Db::Pg(pool) = db else { return Ok(None) };
        let mut conn = pool.acquire().await?.detach();
        sqlx::query("SET enable_bitmapscan = off").execute(&mut conn).await?;
        sqlx::query("SET enable_sort = off").execute(&mut conn).await?;
        Ok(Some(Owner { conn }))
    }

    /// Walks up to `walk` due deliveries in the due order, after `after` if
    /// given, without writing them, and returns those not for the endpoints
    /// in `skip`, with where the walk stopped: see [`super::due_rows`]. On
    /// this session, so the read walks the index.
    pub async fn due_rows(&mut self, walk: i64, now: time::OffsetDateTime, skip: &[EndpointId], after: Option<&super::DueAt>) -> DbResult<(Vec<super::Due>, Option<super::DueAt>)> {
        super::due_rows(&mut crate::Conn::Pg(&mut self.conn, None), walk, now, skip, after).await
    }

    /// The rows with their events' bodies: see [`super::with_bodies`].
    pub async fn with_bodies(&mut self, rows: Vec<super::Claimed>) -> DbResult<Vec<(super::Claimed, Option<String>)>> {
        super::with_bodies(&mut crate::Conn::Pg(&mut self.conn, None), rows).await
    }

    /// Tries to own each endpoint (without waiting); answers, in order,
    /// whether this session owns it now. Owning one already owned by this
    /// session is a yes.
    pub async fn take(&mut self, endpoints: &[(AppId, EndpointId)]) -> DbResult<Vec<bool>> {
        if endpoints.is_empty() {
            return Ok(Vec::new());
        }
        let apps: Vec<&str> = endpoints.iter().map(|(a, _)| a.as_str()).collect();
        let ids: Vec<&str> = endpoints.iter().map(|(_, e)| e.as_str()).collect();
        // The lock key: a 64-bit hash of a name of ours, so other users of
        // advisory locks in the same database do not collide with it.
        let got: Vec<bool> = sqlx::query_scalar(
            "SELECT pg_try_advisory_lock(hashtextextended('tollgate.outbound/' || a || '/' || e, 0)) \
             FROM unnest($1::text[], $2::text[]) WITH ORDINALITY AS v(a, e, i) ORDER BY i",
        )
        .bind(apps)
        .bind(ids)
        .fetch_all(&mut self.conn)
        .await?;
        Ok(got)
    }

    /// Gives up every endpoint at once and closes the session. (Dropped
    /// instead, the connection closes and PostgreSQL releases the locks
    /// when it notices, a moment later.)
    pub async fn close(mut self) -> DbResult<()> {
        sqlx::query("SELECT pg_advisory_unlock_all()").execute(&mut self.conn).await?;
        self.conn.close().await?;
        Ok(())
    }
}
