//! What upgrading does to rows an older version wrote: each test migrates a
//! fresh database up to an old version, writes rows as that version did,
//! runs the remaining migrations and reads them through today's code.

mod common;

use common::*;
use tollgate_domain::connector::ConnectorKind::Stripe;
use tollgate_domain::page::Limit;
use tollgate_persistence::inbox::{self, InboxEvent, InboxFilter};
use tollgate_persistence::testing::TestDb;
use tollgate_persistence::{Backend, Db};

async fn exec(db: &Db, sql: &str) {
    match db {
        Db::Sqlite(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(p).await.map(|_| ()),
        Db::Pg(p) => sqlx::query(sqlx::AssertSqlSafe(sql.to_owned())).execute(p).await.map(|_| ()),
    }
    .expect(sql);
}

/// 0027 moved Stripe's events and their tries into the generic inbox.
async fn stripe_events_move_into_the_inbox(backend: Backend) {
    let t = TestDb::at_version(backend, Some(26)).await.expect("a database at version 26");
    let db = &t.db;
    let app = new_app(db, "A").await;
    let a = app.id.as_str();
    exec(db, &format!("INSERT INTO stripe_events (app_id, event_id, event_type, created, payload, status, received_at, processed_at, error) VALUES ('{a}', 'evt_old', 'invoice.paid', 100, '{{\"id\":\"evt_old\"}}', 'failed', 5000, 6000, 'no such product')")).await;
    exec(db, &format!("INSERT INTO stripe_events (app_id, event_id, event_type, created, payload, status, received_at) VALUES ('{a}', 'evt_new', 'customer.subscription.updated', 200, '{{}}', 'pending', 7000)")).await;
    exec(db, &format!("INSERT INTO stripe_event_attempts (app_id, event_id, attempt, started_at, finished_at, outcome, error) VALUES ('{a}', 'evt_old', 1, 5500, 6000, 'failed', 'no such product')")).await;

    db.migrate().await.expect("the remaining migrations");

    let mut c = db.acquire().await.unwrap();
    let old = inbox::find_event(&mut c.conn(), &app.id, Stripe, "evt_old").await.unwrap().expect("the old event is in the inbox");
    assert_eq!((old.status.as_str(), old.error.as_deref(), old.created, old.payload.as_str()), ("failed", Some("no such product"), 100, r#"{"id":"evt_old"}"#));
    let tries = inbox::attempts(&mut c.conn(), &app.id, Stripe, "evt_old").await.unwrap();
    assert_eq!(tries.len(), 1, "its processing try came along");
    assert_eq!(tries[0].error.as_deref(), Some("no such product"));
    let page = inbox::list(&mut c.conn(), &app.id, Stripe, &InboxFilter::default(), None, Limit::default()).await.unwrap();
    assert_eq!(page.items.iter().map(|e| e.event_id.as_str()).collect::<Vec<_>>(), ["evt_new", "evt_old"], "newest first, as before");
    assert_eq!(inbox::latest_event_created(&mut c.conn(), &app.id, Stripe).await.unwrap(), Some(200), "recovery resumes where it was");
    assert!(inbox::reopen(&mut c.conn(), &app.id, Stripe, "evt_old").await.unwrap(), "a failed event can still be processed again");
    drop(c);
    let again = InboxEvent { event_id: "evt_new".into(), event_type: "customer.subscription.updated".into(), created: 200, payload: "{}".into(), status: "pending".into(), received_at: T0, processed_at: None, error: None };
    assert!(!inbox::store_event(db, &app.id, Stripe, &again).await.unwrap(), "a redelivery of a moved event is still a duplicate");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sqlite_stripe_events_move_into_the_inbox() {
    stripe_events_move_into_the_inbox(Backend::Sqlite).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_stripe_events_move_into_the_inbox() {
    stripe_events_move_into_the_inbox(Backend::Postgres).await;
}
