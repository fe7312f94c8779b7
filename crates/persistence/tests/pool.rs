//! The PostgreSQL pool: a connection the server closed while it sat idle in
//! the pool is found out and replaced, not handed to a request that then
//! fails. (The pool pings only connections idle at least `ping_idle`; one in
//! recent use is trusted, which saves a round trip per use.)

use std::time::Duration;

use tollgate_persistence::testing::TestDb;
use tollgate_persistence::{Backend, Db, DbOptions};

async fn backend_pid(db: &Db) -> i32 {
    let Db::Pg(p) = db else { unreachable!("PostgreSQL only") };
    sqlx::query_scalar("SELECT pg_backend_pid()").fetch_one(p).await.expect("a query on a pooled connection")
}

#[tokio::test]
async fn postgres_a_connection_closed_while_idle_is_replaced() {
    let t = TestDb::new(Backend::Postgres).await.expect("a fresh PostgreSQL database");
    // One connection, so the pool has only the one to hand out; pinged
    // before each use, as any connection idle past the threshold is.
    let pool = Db::connect(&DbOptions { max_connections: 1, ping_idle: Duration::ZERO, ..DbOptions::new(t.url.clone()) }).await.unwrap();
    let first = backend_pid(&pool).await;

    // The server ends that session (as a restart or an idle timeout would).
    let Db::Pg(admin) = &t.db else { unreachable!() };
    let ended: bool = sqlx::query_scalar("SELECT pg_terminate_backend($1)").bind(first).fetch_one(admin).await.unwrap();
    assert!(ended);
    for _ in 0..200 {
        let alive: i64 = sqlx::query_scalar("SELECT count(*) FROM pg_stat_activity WHERE pid = $1").bind(first).fetch_one(admin).await.unwrap();
        if alive == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(10)).await;
    }

    // The next use gets a new session instead of an error.
    let second = backend_pid(&pool).await;
    assert_ne!(first, second, "the closed session was replaced");
    pool.close().await;
}
