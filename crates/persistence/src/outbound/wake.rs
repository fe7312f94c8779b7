//! Waking the delivery dispatchers of this process when deliveries become
//! due: after the commit of a transaction that queued them (the rows are
//! visible by then), or at once for a write outside a transaction. A
//! dispatcher that finds nothing due goes back to sleep, so waking one more
//! than needed costs one cheap read.
//!
//! On PostgreSQL the committing transaction also sends `NOTIFY
//! tollgate_outbound` (delivered only if it commits), so dispatchers in
//! other processes (`tollgate worker` beside `serve`) wake too; see
//! [`listen`]. On SQLite, other processes find the rows on their next poll.

use std::sync::{Arc, Mutex, Weak};

use sqlx::postgres::PgListener;
use tokio::sync::Notify;

use crate::{Db, DbResult};

/// The PostgreSQL channel a commit that queued deliveries notifies.
pub(crate) const CHANNEL: &str = "tollgate_outbound";

static WAITING: Mutex<Vec<Weak<Notify>>> = Mutex::new(Vec::new());

/// Rings `ready` (`notify_one`) whenever deliveries may have become due in
/// this process, for as long as it lives.
pub fn register(ready: &Arc<Notify>) {
    let mut w = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    w.retain(|n| n.strong_count() > 0 && !std::ptr::eq(n.as_ptr(), Arc::as_ptr(ready)));
    w.push(Arc::downgrade(ready));
}

pub(crate) fn ring() {
    let w = WAITING.lock().unwrap_or_else(|e| e.into_inner());
    for n in w.iter().filter_map(Weak::upgrade) {
        n.notify_one();
    }
}

/// PostgreSQL: rings `ready` on every commit, in any process, that queued
/// deliveries, until the connection fails (an error; a notification missed
/// meanwhile is found by the dispatcher's poll). Holds one of the pool's
/// connections. SQLite: returns at once.
pub async fn listen(db: &Db, ready: &Notify) -> DbResult<()> {
    let Db::Pg(pool) = db else { return Ok(()) };
    let mut listener = PgListener::connect_with(pool).await?;
    listener.listen(CHANNEL).await?;
    loop {
        listener.recv().await?;
        ready.notify_one();
    }
}
