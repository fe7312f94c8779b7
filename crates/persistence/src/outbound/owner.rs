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
    pub async fn open(db: &Db) -> DbResult<Option<Owner>> {
        let Db::Pg(pool) = db else { return Ok(None) };
        Ok(Some(Owner { conn: pool.acquire().await?.detach() }))
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
