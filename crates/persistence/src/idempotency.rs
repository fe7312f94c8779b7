//! Stored responses of POST requests made with an `Idempotency-Key`.

use time::OffsetDateTime;
use tollgate_domain::ids::AppId;

use crate::{Conn, DbResult, ms, on};

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Claim {
    /// The key is new: the caller runs the request and then stores the result.
    Fresh,
    /// The key was used with another request body.
    Mismatch,
    /// A request with this key is still being processed.
    InFlight,
    /// The stored response of the first request.
    Done { status: u16, body: String },
}

/// Claims a key for a request whose body hashes to `request_hash`.
pub async fn claim(conn: &mut Conn<'_>, app: &AppId, key: &str, request_hash: &str, now: OffsetDateTime) -> DbResult<Claim> {
    let inserted = on!(conn, c => sqlx::query(
        "INSERT INTO idempotency_keys (app_id, idem_key, request_hash, created_at) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING",
    )
    .bind(app.as_str())
    .bind(key)
    .bind(request_hash)
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected());
    if inserted == 1 {
        return Ok(Claim::Fresh);
    }
    let (hash, status, body): (String, Option<i64>, Option<String>) = on!(conn, c => sqlx::query_as(
        "SELECT request_hash, status_code, response_body FROM idempotency_keys WHERE app_id = $1 AND idem_key = $2",
    )
    .bind(app.as_str())
    .bind(key)
    .fetch_one(&mut **c)
    .await?);
    Ok(if hash != request_hash {
        Claim::Mismatch
    } else {
        match (status, body) {
            (Some(s), Some(b)) => Claim::Done { status: s as u16, body: b },
            _ => Claim::InFlight,
        }
    })
}

pub async fn complete(conn: &mut Conn<'_>, app: &AppId, key: &str, status: u16, body: &str) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("UPDATE idempotency_keys SET status_code = $3, response_body = $4 WHERE app_id = $1 AND idem_key = $2")
            .bind(app.as_str())
            .bind(key)
            .bind(status as i64)
            .bind(body)
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Forgets a key whose request failed without effect, so a retry can run.
pub async fn release(conn: &mut Conn<'_>, app: &AppId, key: &str) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("DELETE FROM idempotency_keys WHERE app_id = $1 AND idem_key = $2 AND status_code IS NULL")
            .bind(app.as_str())
            .bind(key)
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Keys live 24 hours, as Stripe's do.
pub async fn prune(conn: &mut Conn<'_>, before: OffsetDateTime) -> DbResult<u64> {
    let n = on!(conn, c => sqlx::query("DELETE FROM idempotency_keys WHERE created_at < $1")
        .bind(ms(before))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n)
}
