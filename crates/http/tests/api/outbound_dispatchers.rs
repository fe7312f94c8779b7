//! More than one dispatcher (worker processes beside `serve`): each delivery
//! is sent once while they all run, and a dispatcher that dies hands its
//! work over.

use std::time::{Duration, Instant};

use serde_json::json;
use tollgate_app::outbound::dispatch::Dispatcher;
use tollgate_domain::ids::{AppId, EndpointId, MessageId};
use tollgate_persistence::outbound;

use crate::helpers::{Backend, TestApp};
use crate::outbound::{Receiver, drain, endpoint, members, slow_endpoint, spawn};

/// How long a test waits for deliveries before it fails.
const PATIENCE: Duration = Duration::from_secs(20);

/// Two dispatchers share the queue: every delivery arrives once, none twice.
async fn two_dispatchers_send_each_delivery_once(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    for path in ["/a", "/b"] {
        let (_, secret) = endpoint(&app, &t, &format!("{}{path}", rx.base), json!(["user.created"])).await;
        rx.control(json!({"path": path, "secret": secret})).await;
    }
    members(&app, &t, 20).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let one = tokio::spawn(Dispatcher::new(app.services.clone()).run(stopped.clone()));
    let two = tokio::spawn(Dispatcher::new(app.services.clone()).run(stopped));
    for path in ["/a", "/b"] {
        rx.wait_for(path, 20, PATIENCE, "two dispatchers").await;
    }
    // Long enough for a second copy of anything to arrive.
    tokio::time::sleep(Duration::from_millis(500)).await;
    stop.send(true).unwrap();
    one.await.unwrap();
    two.await.unwrap();
    for path in ["/a", "/b"] {
        let got = rx.on(path);
        let ids: std::collections::HashSet<_> = got.iter().map(|r| r["headers"]["webhook-id"].as_str().unwrap().to_owned()).collect();
        assert_eq!((got.len(), ids.len()), (20, 20), "{path}: each event once");
        assert!(got.iter().all(|r| r["signature_ok"] == true));
    }
}

/// A row that comes due behind where the dispatcher's reads have got to (it
/// was committed late with an earlier time) is still sent: on PostgreSQL
/// each read resumes after the last row it read, and starts over once it
/// reaches the end of what is due.
async fn a_row_due_behind_the_reads_is_still_sent(app: TestApp) {
    let rx = Receiver::start();
    let t = app.setup().await;
    let (ep, secret) = endpoint(&app, &t, &format!("{}/q", rx.base), json!(["user.created"])).await;
    rx.control(json!({"path": "/q", "secret": secret})).await;
    let app_id = AppId::from_trusted(app.get("/api/v1/app", &t).await.expect(200).body["id"].as_str().unwrap().to_owned());
    let ep = EndpointId::from_trusted(ep);
    let now = app.services.now();
    // More than one read's worth (256), so the second read starts after the first.
    let queue = |n: usize, at: time::OffsetDateTime, first: usize| {
        let (db, app_id, ep) = (app.services.db.clone(), app_id.clone(), ep.clone());
        async move {
            let mut tx = db.begin().await.unwrap();
            for i in first..first + n {
                let msg = MessageId::new();
                let body = json!({"id": msg.as_str(), "type": "user.created", "timestamp": "2026-12-02T00:00:00Z", "data": {"n": i}}).to_string();
                outbound::insert_message(&mut tx.conn(), &app_id, &msg, "user.created", &body, at).await.unwrap();
                outbound::insert_delivery(&mut tx.conn(), &app_id, &ep, &msg, "user.created", at).await.unwrap();
            }
            tx.commit().await.unwrap();
        }
    };
    queue(600, now, 0).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let running = tokio::spawn(Dispatcher::new(app.services.clone()).run(stopped));
    rx.wait_for("/q", 1, PATIENCE, "the first reads").await;
    // Due an hour before everything read so far.
    queue(5, now - time::Duration::hours(1), 600).await;
    rx.wait_for("/q", 605, PATIENCE, "the rows behind the reads").await;
    stop.send(true).unwrap();
    running.await.unwrap();
    let ns: std::collections::HashSet<i64> = rx.on("/q").iter().map(|r| crate::outbound::body(r)["data"]["n"].as_i64().unwrap()).collect();
    assert_eq!(ns.len(), 605, "each row once");
}

crate::both!(spawn = super::spawn;
    two_dispatchers_send_each_delivery_once,
    a_row_due_behind_the_reads_is_still_sent,
);

/// PostgreSQL: a dispatcher that dies mid-send (its task dropped) loses the
/// endpoints it owned with its database session; the next dispatcher sends
/// the unanswered tries again, with the same webhook-id, without waiting
/// for a lease. (On SQLite a lease covers the row: see
/// `a_crashed_sender_is_covered_by_the_lease`.)
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn postgres_a_dead_dispatchers_endpoints_are_taken_over() {
    let app = spawn(Backend::Postgres).await;
    let rx = Receiver::start();
    let t = app.setup().await;
    slow_endpoint(&app, &t, &rx, 2).await;
    members(&app, &t, 2).await;
    let (stop, stopped) = tokio::sync::watch::channel(false);
    let dying = tokio::spawn(Dispatcher::new(app.services.clone()).run(stopped));
    rx.wait_for("/slow", 2, PATIENCE, "the first tries").await;
    // Nothing else can send them while it lives.
    assert_eq!(Dispatcher::new(app.services.clone()).run_once().await.unwrap(), 0, "the endpoint is owned");
    dying.abort();
    let _ = dying.await;
    drop(stop);
    // PostgreSQL releases the locks once it notices the session closed.
    let started = Instant::now();
    while rx.on("/slow").len() < 4 {
        assert!(started.elapsed() < Duration::from_secs(20), "the dead dispatcher's tries were not sent again");
        drain(&app).await;
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let got = rx.on("/slow");
    let first: std::collections::HashSet<_> = got[..2].iter().map(|r| r["headers"]["webhook-id"].as_str().unwrap().to_owned()).collect();
    let again: std::collections::HashSet<_> = got[2..].iter().map(|r| r["headers"]["webhook-id"].as_str().unwrap().to_owned()).collect();
    assert_eq!(first, again, "the same two events, with the same ids");
}
