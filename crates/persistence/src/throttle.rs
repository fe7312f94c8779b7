//! Throttling state per account, shared by every process: counted hits
//! (failed passwords, or emailed links) in a window, and a lockout.
//! Callers pass the key already hashed (see migration 0011).

use time::OffsetDateTime;

use crate::{Conn, DbResult, at, ms, on, opt_at};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ThrottleState {
    /// Hits counted since `window_start`.
    pub hits: i64,
    pub window_start: OffsetDateTime,
    /// Refused until then, whatever is presented.
    pub locked_until: Option<OffsetDateTime>,
}

/// Counts one hit for `key` and returns the state after it. A window that
/// started before `reset_before` starts over with this hit. Atomic: of
/// concurrent hits (from any process) each is counted once.
pub async fn hit(conn: &mut Conn<'_>, key: &str, now: OffsetDateTime, reset_before: OffsetDateTime) -> DbResult<ThrottleState> {
    let (hits, start, locked): (i64, i64, Option<i64>) = on!(conn, c => sqlx::query_as(
        "INSERT INTO throttle (key_hash, hits, window_start, locked_until, updated_at) VALUES ($1, 1, $2, NULL, $2) \
         ON CONFLICT (key_hash) DO UPDATE SET \
           hits = CASE WHEN throttle.window_start < $3 THEN 1 ELSE throttle.hits + 1 END, \
           window_start = CASE WHEN throttle.window_start < $3 THEN $2 ELSE throttle.window_start END, \
           updated_at = $2 \
         RETURNING hits, window_start, locked_until",
    )
    .bind(key)
    .bind(ms(now))
    .bind(ms(reset_before))
    .fetch_one(&mut **c)
    .await?);
    Ok(ThrottleState { hits, window_start: at(start), locked_until: opt_at(locked) })
}

pub async fn find(conn: &mut Conn<'_>, key: &str) -> DbResult<Option<ThrottleState>> {
    let r: Option<(i64, i64, Option<i64>)> = on!(conn, c => sqlx::query_as("SELECT hits, window_start, locked_until FROM throttle WHERE key_hash = $1")
        .bind(key)
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(|(hits, start, locked)| ThrottleState { hits, window_start: at(start), locked_until: opt_at(locked) }))
}

/// Locks `key` until `until`; a longer lock already in place stays.
pub async fn lock(conn: &mut Conn<'_>, key: &str, until: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("UPDATE throttle SET locked_until = CASE WHEN locked_until IS NULL OR locked_until < $2 THEN $2 ELSE locked_until END WHERE key_hash = $1")
            .bind(key)
            .bind(ms(until))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Forgets `key` (after a successful login).
pub async fn clear(conn: &mut Conn<'_>, key: &str) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("DELETE FROM throttle WHERE key_hash = $1").bind(key).execute(&mut **c).await?;
    });
    Ok(())
}

/// Drops rows untouched since `before` whose lock (if any) has ended.
pub async fn prune(conn: &mut Conn<'_>, before: OffsetDateTime) -> DbResult<u64> {
    let n = on!(conn, c => sqlx::query("DELETE FROM throttle WHERE updated_at < $1 AND (locked_until IS NULL OR locked_until < $1)")
        .bind(ms(before))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n)
}
