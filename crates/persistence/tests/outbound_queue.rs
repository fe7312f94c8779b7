//! The outbound delivery queue: claiming with a lease, giving back, and
//! recording answers, on SQLite and on PostgreSQL; on PostgreSQL also
//! owning endpoints and reading their due rows.

mod common;

use time::{Duration, OffsetDateTime, macros::datetime};
use tollgate_domain::app::{App, AppSettings};
use tollgate_domain::ids::{AppId, EndpointId, MessageId};
use tollgate_domain::outbound::{Attempt, DeliveryStatus};
use tollgate_persistence::both;
use tollgate_persistence::outbound::{self, Claimed};
use tollgate_persistence::{Db, Tx, apps, on};

both!(
    claims_carry_their_bodies_and_answers_are_recorded_even_after_a_change,
    the_queue_holds_exactly_the_pending_deliveries,
    a_delivery_sent_twice_and_failed_by_one_copy_stays_queued,
    queuing_wakes_the_dispatchers_once_committed,
    one_session_owns_an_endpoint_and_reads_its_due_rows_without_writing,
    successes_mark_their_endpoints_healthy_and_no_other,
    an_answer_never_lands_on_the_row_at_a_stale_place
);

const T0: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);
const LEASE: Duration = Duration::seconds(60);

async fn setup(db: &Db) -> (AppId, EndpointId, EndpointId) {
    let app = App {
        id: AppId::new(),
        name: "Queue".into(),
        site_url: None,
        support_email: None,
        settings: AppSettings::default(),
        branding: Default::default(),
        created_at: T0,
        updated_at: T0,
    };
    let mut c = db.acquire().await.unwrap();
    apps::insert(&mut c.conn(), &app).await.unwrap();
    let mut ids = Vec::new();
    for n in 0..2 {
        let e = common::endpoint(&app.id, &format!("https://hooks.example.com/{n}"));
        outbound::insert_endpoint(&mut c.conn(), &e, "sealed").await.unwrap();
        ids.push(e.id);
    }
    let b = ids.pop().unwrap();
    (app.id, ids.pop().unwrap(), b)
}

async fn claim(db: &Db, n: i64, now: OffsetDateTime) -> Vec<(Claimed, Option<String>)> {
    let mut tx = db.begin().await.unwrap();
    let got = outbound::claim_due(&mut tx.conn(), n, now, LEASE, &[]).await.unwrap();
    tx.commit().await.unwrap();
    got
}

fn ok(at: OffsetDateTime) -> Attempt {
    Attempt { n: 1, attempted_at: at, status_code: Some(200), latency_ms: 7, response_body: Some("thanks".into()), error: None }
}

async fn claims_carry_their_bodies_and_answers_are_recorded_even_after_a_change(db: &Db) {
    let (app, e1, e2) = setup(db).await;
    // Three events, each for both endpoints: six deliveries.
    let mut c = db.acquire().await.unwrap();
    let mut messages = Vec::new();
    for n in 0..3 {
        let m = MessageId::new();
        outbound::insert_message(&mut c.conn(), &app, &m, "user.login", &format!("{{\"n\":{n}}}"), T0).await.unwrap();
        for e in [&e1, &e2] {
            outbound::insert_delivery(&mut c.conn(), &app, e, &m, "user.login", T0).await.unwrap();
        }
        messages.push(m);
    }
    drop(c);

    // Every delivery comes with its own event's body, however many endpoints share it.
    let first = claim(db, 4, T0).await;
    assert_eq!(first.len(), 4);
    let rest = claim(db, 10, T0).await;
    assert_eq!(rest.len(), 2, "a leased delivery is not claimed twice");
    for (cl, body) in first.iter().chain(&rest) {
        let n = messages.iter().position(|m| m == &cl.message_id).unwrap();
        assert_eq!(body.as_deref(), Some(format!("{{\"n\":{n}}}").as_str()));
        assert_eq!(cl.attempts, 0);
    }
    assert!(claim(db, 10, T0).await.is_empty());
    let mut c = db.acquire().await.unwrap();
    assert!(!outbound::any_due(&mut c.conn(), T0).await.unwrap(), "rows in flight are not due");
    drop(c);

    // One row is given back and claimed again before the first claim's answer is written:
    // the answer still lands on it (by key, when the row moved since).
    let (stale, _) = first[0].clone();
    let mut tx = db.begin().await.unwrap();
    outbound::release(&mut tx.conn(), std::slice::from_ref(&stale), T0).await.unwrap();
    tx.commit().await.unwrap();
    let again = claim(db, 10, T0).await;
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].0.id, stale.id);

    let at = T0 + Duration::seconds(1);
    let answered: Vec<(Claimed, Attempt, u32)> = first.iter().chain(&rest).map(|(cl, _)| (cl.clone(), ok(at), 1)).collect();
    let mut tx = db.begin().await.unwrap();
    outbound::record_delivered(&mut tx.conn(), &answered).await.unwrap();
    tx.commit().await.unwrap();

    let mut c = db.acquire().await.unwrap();
    let ids: Vec<_> = answered.iter().map(|(cl, _, _)| cl.id.clone()).collect();
    for id in &ids {
        let d = outbound::find_delivery(&mut c.conn(), &app, id).await.unwrap().unwrap();
        assert_eq!(d.status, DeliveryStatus::Delivered, "{id}");
        assert_eq!(d.attempts, 1);
        assert_eq!(d.last_status_code, Some(200));
        assert_eq!(d.delivered_at, Some(at));
        assert_eq!(d.next_attempt_at, None);
    }
    let attempts = outbound::attempts_of(&mut c.conn(), &app, &ids).await.unwrap();
    assert_eq!(attempts.len(), 6, "one try each, none twice");
    for (_, a) in &attempts {
        assert_eq!((a.n, a.status_code, a.latency_ms, a.response_body.as_deref()), (1, Some(200), 7, Some("thanks")));
    }
    let logged: i64 = on!(&mut c.conn(), c => sqlx::query_scalar("SELECT COUNT(*) FROM webhook_attempts").fetch_one(&mut **c).await.unwrap());
    assert_eq!(logged, 0, "a success is written on its delivery's row, not as a row of its own");
    drop(c);
    // The same delivery answered again (sent twice after a crash): both successes stay in the log.
    let later = T0 + Duration::seconds(2);
    let twice = Attempt { latency_ms: 9, response_body: Some("again".into()), ..ok(later) };
    let mut tx = db.begin().await.unwrap();
    outbound::record_delivered(&mut tx.conn(), &[(answered[0].0.clone(), twice, 1)]).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = db.acquire().await.unwrap();
    let log = outbound::attempts_of(&mut c.conn(), &app, std::slice::from_ref(&ids[0])).await.unwrap();
    let seen: Vec<_> = log.iter().map(|(_, a)| (a.n, a.attempted_at, a.latency_ms, a.response_body.clone().unwrap_or_default())).collect();
    assert_eq!(seen, vec![(1, at, 7, "thanks".to_owned()), (2, later, 9, "again".to_owned())]);
    // Nothing is due afterwards, not even after the leases end.
    assert!(!outbound::any_due(&mut c.conn(), T0 + Duration::minutes(5)).await.unwrap());
    drop(c);
    assert!(claim(db, 10, T0 + Duration::minutes(5)).await.is_empty());
}

/// The ids of the deliveries whose status is pending, sorted.
async fn pending(db: &Db) -> Vec<String> {
    let mut c = db.acquire().await.unwrap();
    on!(&mut c.conn(), c => sqlx::query_scalar("SELECT id FROM webhook_deliveries WHERE status = 'pending' ORDER BY id").fetch_all(&mut **c).await.unwrap())
}

/// Every way a delivery's status changes keeps what is due in step: a retry
/// stays pending (due at its next try, with its tries so far), a success, a
/// failure for good, a failure untried and a disabled endpoint end it for
/// good, a redelivery and a replay queue it again.
async fn the_queue_holds_exactly_the_pending_deliveries(db: &Db) {
    let (app, e1, e2) = setup(db).await;
    let mut c = db.acquire().await.unwrap();
    for _ in 0..3 {
        let m = MessageId::new();
        outbound::insert_message(&mut c.conn(), &app, &m, "user.login", "{}", T0).await.unwrap();
        for e in [&e1, &e2] {
            outbound::insert_delivery(&mut c.conn(), &app, e, &m, "user.login", T0).await.unwrap();
        }
    }
    drop(c);
    assert_eq!(pending(db).await.len(), 6);

    let got = claim(db, 10, T0).await;
    let of = |e: &EndpointId| got.iter().filter(|(c, _)| &c.endpoint_id == e).map(|(c, _)| c.clone()).collect::<Vec<_>>();
    let (one, two) = (of(&e1), of(&e2));
    let fail = |at: OffsetDateTime| Attempt { n: 1, attempted_at: at, status_code: Some(500), latency_ms: 3, response_body: None, error: None };
    let retry_at = T0 + Duration::seconds(5);
    let mut tx = db.begin().await.unwrap();
    let c = &mut tx.conn();
    // e1: a retry, a failure for good, a success.
    outbound::record_attempt(c, &app, &one[0].id, &fail(T0), &outbound::Outcome { status: DeliveryStatus::Pending, attempts: 1, next_attempt_at: Some(retry_at) }).await.unwrap();
    outbound::record_attempt(c, &app, &one[1].id, &fail(T0), &outbound::Outcome { status: DeliveryStatus::Failed, attempts: 7, next_attempt_at: None }).await.unwrap();
    outbound::record_delivered(c, &[(one[2].clone(), ok(T0), 1)]).await.unwrap();
    // e2: one failed untried, then the endpoint is disabled with the rest in flight.
    outbound::fail_untried(c, &app, &two[0].id, "the endpoint was deleted", T0).await.unwrap();
    outbound::fail_pending(c, &app, &e2, "the endpoint was disabled", T0).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(pending(db).await, vec![one[0].id.as_str().to_owned()]);

    // The retry is due at its time, with its try counted; nothing else ever is.
    assert!(claim(db, 10, retry_at - Duration::seconds(1)).await.is_empty());
    let again = claim(db, 10, retry_at).await;
    assert_eq!(again.iter().map(|(c, _)| (c.id.clone(), c.attempts)).collect::<Vec<_>>(), vec![(one[0].id.clone(), 1)]);
    assert!(claim(db, 10, T0 + Duration::hours(1)).await.iter().all(|(c, _)| c.id == one[0].id));

    // Redelivering the success and replaying e1's failures queue them again from scratch.
    let later = T0 + Duration::hours(2);
    let mut tx = db.begin().await.unwrap();
    assert!(outbound::redeliver(&mut tx.conn(), &app, &one[2].id, later).await.unwrap());
    assert_eq!(outbound::replay_failed(&mut tx.conn(), &app, &e1, T0 - Duration::hours(1), later).await.unwrap(), 1);
    tx.commit().await.unwrap();
    assert_eq!(pending(db).await.len(), 3);
    let claimed: Vec<Claimed> = claim(db, 10, later).await.into_iter().map(|(c, _)| c).collect();
    let mut back: Vec<_> = claimed.iter().map(|c| (c.id.clone(), c.attempts)).collect();
    back.sort();
    let mut want = vec![(one[0].id.clone(), 1), (one[1].id.clone(), 0), (one[2].id.clone(), 0)];
    want.sort();
    assert_eq!(back, want, "e2's failures were not replayed; the retry keeps its count");

    // Their successes land however each was queued again: the retry's row
    // was updated by its failed try, the redelivered one was queued anew,
    // the replayed one was queued from its updated row. None is left due.
    let done = later + Duration::seconds(1);
    let mut tx = db.begin().await.unwrap();
    let answered: Vec<(Claimed, Attempt, u32)> = claimed.iter().map(|c| (c.clone(), ok(done), c.attempts + 1)).collect();
    outbound::record_delivered(&mut tx.conn(), &answered).await.unwrap();
    tx.commit().await.unwrap();
    assert!(pending(db).await.is_empty());
    let mut c = db.acquire().await.unwrap();
    for cl in &claimed {
        let d = outbound::find_delivery(&mut c.conn(), &app, &cl.id).await.unwrap().unwrap();
        assert_eq!((d.status, d.delivered_at, d.attempts), (DeliveryStatus::Delivered, Some(done), cl.attempts + 1), "{}", cl.id);
    }
    drop(c);
    assert!(claim(db, 10, T0 + Duration::days(2)).await.is_empty());
}

/// PostgreSQL: an answer finds its delivery by where the row lay when it
/// was queued, and checks the key there: a place that holds another
/// delivery's row (a stale place, reused) leaves that row alone, and the
/// answer lands on its own delivery by key.
async fn an_answer_never_lands_on_the_row_at_a_stale_place(db: &Db) {
    if db.backend() != tollgate_persistence::Backend::Postgres {
        return;
    }
    let (app, e1, _) = setup(db).await;
    let mut c = db.acquire().await.unwrap();
    let m = MessageId::new();
    outbound::insert_message(&mut c.conn(), &app, &m, "user.login", "{}", T0).await.unwrap();
    let x = outbound::insert_delivery(&mut c.conn(), &app, &e1, &m, "user.login", T0).await.unwrap();
    let y = outbound::insert_delivery(&mut c.conn(), &app, &e1, &m, "user.login", T0).await.unwrap();
    drop(c);
    let got = claim(db, 10, T0).await;
    let mut cx = got.iter().find(|(c, _)| c.id == x).unwrap().0.clone();
    let cy = got.iter().find(|(c, _)| c.id == y).unwrap().0.clone();
    assert!(cx.dtid.is_some() && cy.dtid.is_some(), "each queued row knows where its delivery lies");
    cx.dtid = cy.dtid.clone();
    let mut tx = db.begin().await.unwrap();
    outbound::record_delivered(&mut tx.conn(), &[(cx, ok(T0), 1)]).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(pending(db).await, vec![y.as_str().to_owned()], "x is delivered, y untouched");
    let mut c = db.acquire().await.unwrap();
    let d = outbound::find_delivery(&mut c.conn(), &app, &x).await.unwrap().unwrap();
    assert_eq!((d.status, d.delivered_at), (DeliveryStatus::Delivered, Some(T0)));
    let d = outbound::find_delivery(&mut c.conn(), &app, &y).await.unwrap().unwrap();
    assert_eq!((d.status, d.delivered_at, d.last_status_code), (DeliveryStatus::Pending, None, None));
}

/// Whether `ready` was rung since it was last looked at (takes the permit).
fn rung(ready: &tokio::sync::Notify) -> bool {
    std::pin::pin!(ready.notified()).enable()
}

/// Queues one event for `endpoint` inside `tx`.
async fn queue_one(tx: &mut Tx, app: &AppId, endpoint: &EndpointId) {
    let m = MessageId::new();
    outbound::insert_message(&mut tx.conn(), app, &m, "user.login", "{}", T0).await.unwrap();
    outbound::insert_delivery(&mut tx.conn(), app, endpoint, &m, "user.login", T0).await.unwrap();
}

/// A transaction that queues deliveries wakes the dispatchers once it has
/// committed (the rows are visible by then), not before and not if it rolls
/// back. On PostgreSQL the commit also reaches listeners on other
/// connections (dispatchers in other processes).
async fn queuing_wakes_the_dispatchers_once_committed(db: &Db) {
    let (app, e1, _) = setup(db).await;
    let ready = std::sync::Arc::new(tokio::sync::Notify::new());
    outbound::wake::register(&ready);

    let mut tx = db.begin().await.unwrap();
    queue_one(&mut tx, &app, &e1).await;
    assert!(!rung(&ready), "not before the commit");
    tx.rollback().await.unwrap();
    assert!(!rung(&ready), "not after a rollback");

    let mut tx = db.begin().await.unwrap();
    outbound::any_due(&mut tx.conn(), T0).await.unwrap();
    tx.commit().await.unwrap();
    assert!(!rung(&ready), "not for a transaction that queued nothing");

    let mut tx = db.begin().await.unwrap();
    queue_one(&mut tx, &app, &e1).await;
    tx.commit().await.unwrap();
    assert!(rung(&ready), "after the commit");

    if db.backend() == tollgate_persistence::Backend::Postgres {
        // Another process: only the notification tells it.
        let elsewhere = std::sync::Arc::new(tokio::sync::Notify::new());
        let listening = {
            let (db, elsewhere) = (db.clone(), elsewhere.clone());
            tokio::spawn(async move { outbound::wake::listen(&db, &elsewhere).await })
        };
        // The listener may not listen yet when the first commits land.
        let mut heard = false;
        for _ in 0..30 {
            let mut tx = db.begin().await.unwrap();
            queue_one(&mut tx, &app, &e1).await;
            tx.commit().await.unwrap();
            if tokio::time::timeout(std::time::Duration::from_secs(1), elsewhere.notified()).await.is_ok() {
                heard = true;
                break;
            }
        }
        listening.abort();
        assert!(heard, "a listener hears commits that queued deliveries");
    }
}

/// PostgreSQL: one session at a time owns an endpoint; its owner reads the
/// due rows without writing them (they stay due, and a leased row stays
/// out); closing the session lets another take the endpoint. SQLite has no
/// owner sessions: its dispatcher claims with leases.
async fn one_session_owns_an_endpoint_and_reads_its_due_rows_without_writing(db: &Db) {
    let Some(mut first) = outbound::Owner::open(db).await.unwrap() else {
        assert_eq!(db.backend(), tollgate_persistence::Backend::Sqlite);
        return;
    };
    let (app, e1, e2) = setup(db).await;
    let mut second = outbound::Owner::open(db).await.unwrap().unwrap();
    let both = [(app.clone(), e1.clone()), (app.clone(), e2.clone())];
    assert_eq!(first.take(&both[..1]).await.unwrap(), [true]);
    assert_eq!(first.take(&both[..1]).await.unwrap(), [true], "its own endpoint again");
    assert_eq!(second.take(&both).await.unwrap(), [false, true], "e1 is owned by the first session");

    let mut tx = db.begin().await.unwrap();
    queue_one(&mut tx, &app, &e1).await;
    queue_one(&mut tx, &app, &e1).await;
    queue_one(&mut tx, &app, &e2).await;
    tx.commit().await.unwrap();
    let (read, stopped) = first.due_rows(10, T0, std::slice::from_ref(&e2), None).await.unwrap();
    assert_eq!(stopped, None, "the walk reached the end of what is due");
    assert_eq!(read.len(), 2, "e2's row is left out");
    assert!(read.iter().all(|r| r.c.endpoint_id == e1 && r.c.attempts == 0 && r.c.tid.is_some()));
    let bodies = first.with_bodies(read.iter().map(|r| r.c.clone()).collect()).await.unwrap();
    assert!(bodies.iter().all(|(_, b)| b.as_deref() == Some("{}")), "each row gets its event's body");
    let again = first.due_rows(10, T0, &[], None).await.unwrap().0;
    let mut c = db.acquire().await.unwrap();
    assert_eq!(outbound::due_rows(&mut c.conn(), 10, T0, &[], None).await.unwrap().0.len(), 3, "any connection reads the same");
    assert_eq!(again.len(), 3, "reading writes nothing: the rows are still due");
    // In the due order (time, then id), a read resumes after a place in it.
    let order: Vec<_> = again.iter().map(|r| r.at.clone()).collect();
    let mut sorted = order.clone();
    sorted.sort();
    assert_eq!(order, sorted);
    let rest = outbound::due_rows(&mut c.conn(), 10, T0, &[], Some(&again[0].at)).await.unwrap().0;
    assert_eq!(rest.iter().map(|r| r.c.id.clone()).collect::<Vec<_>>(), again[1..].iter().map(|r| r.c.id.clone()).collect::<Vec<_>>());
    assert!(outbound::due_rows(&mut c.conn(), 10, T0, &[], Some(&again[2].at)).await.unwrap().0.is_empty(), "nothing after the last");
    // The walk is bounded whatever is skipped: two rows walked, the skipped
    // endpoint's rows left out, and the next walk resumes where it stopped.
    let skipped: Vec<_> = again.iter().take(2).map(|r| r.c.endpoint_id.clone()).collect();
    let (none, stopped) = outbound::due_rows(&mut c.conn(), 2, T0, &skipped, None).await.unwrap();
    assert!(none.is_empty());
    assert_eq!(stopped.as_ref(), Some(&again[1].at));
    let (last, stopped) = outbound::due_rows(&mut c.conn(), 2, T0, &skipped[..1], stopped.as_ref()).await.unwrap();
    assert_eq!(stopped, None);
    assert_eq!(last.iter().map(|r| r.c.id.clone()).collect::<Vec<_>>(), [again[2].c.id.clone()].into_iter().filter(|_| !skipped[..1].contains(&again[2].c.endpoint_id)).collect::<Vec<_>>());
    drop(c);
    // A row a lease holds is not read.
    assert_eq!(claim(db, 1, T0).await.len(), 1);
    let mut c = db.acquire().await.unwrap();
    assert_eq!(outbound::due_rows(&mut c.conn(), 10, T0, &[], None).await.unwrap().0.len(), 2);
    // An answer written by where the read found the row lands on it.
    let row = outbound::due_rows(&mut c.conn(), 1, T0, &[], None).await.unwrap().0.remove(0).c;
    drop(c);
    let mut tx = db.begin().await.unwrap();
    outbound::record_delivered(&mut tx.conn(), &[(row.clone(), ok(T0), 1)]).await.unwrap();
    tx.commit().await.unwrap();
    let mut c = db.acquire().await.unwrap();
    assert_eq!(outbound::find_delivery(&mut c.conn(), &app, &row.id).await.unwrap().unwrap().status, DeliveryStatus::Delivered);
    drop(c);

    first.close().await.unwrap();
    assert_eq!(second.take(&both[..1]).await.unwrap(), [true], "closed, the first session's endpoints are free");
    second.close().await.unwrap();
}

/// A delivery sent twice (its lease ran out mid-send, and it was claimed
/// and sent again) whose copies are answered 2xx and then with a retryable
/// failure: the failure leaves it pending, as before the queue had a table
/// of its own, and it is due again at its retry.
async fn a_delivery_sent_twice_and_failed_by_one_copy_stays_queued(db: &Db) {
    let (app, e1, _) = setup(db).await;
    let mut c = db.acquire().await.unwrap();
    let m = MessageId::new();
    outbound::insert_message(&mut c.conn(), &app, &m, "user.login", "{}", T0).await.unwrap();
    outbound::insert_delivery(&mut c.conn(), &app, &e1, &m, "user.login", T0).await.unwrap();
    drop(c);
    let first = claim(db, 10, T0).await;
    let second = claim(db, 10, T0 + LEASE).await;
    assert_eq!((first.len(), second.len()), (1, 1), "claimed again once the lease ran out");
    let retry_at = T0 + LEASE + Duration::seconds(5);
    let mut tx = db.begin().await.unwrap();
    outbound::record_delivered(&mut tx.conn(), &[(first[0].0.clone(), ok(T0), 1)]).await.unwrap();
    let fail = Attempt { n: 1, attempted_at: T0 + LEASE, status_code: Some(503), latency_ms: 3, response_body: None, error: None };
    outbound::record_attempt(&mut tx.conn(), &app, &second[0].0.id, &fail, &outbound::Outcome { status: DeliveryStatus::Pending, attempts: 1, next_attempt_at: Some(retry_at) }).await.unwrap();
    tx.commit().await.unwrap();
    assert_eq!(pending(db).await, vec![first[0].0.id.as_str().to_owned()]);
    let again = claim(db, 10, retry_at).await;
    assert_eq!(again.iter().map(|(c, _)| (c.id.clone(), c.attempts)).collect::<Vec<_>>(), vec![(first[0].0.id.clone(), 1)], "due again at its retry");
}

/// The recorder notes a batch's successes in one call: each endpoint named
/// is healthy again, and one failing elsewhere (another app's) stays failing.
async fn successes_mark_their_endpoints_healthy_and_no_other(db: &Db) {
    let (app, e1, e2) = setup(db).await;
    let (other_app, o1, _) = setup(db).await;
    let mut c = db.acquire().await.unwrap();
    for (a, e) in [(&app, &e1), (&app, &e2), (&other_app, &o1)] {
        let (since, enabled) = outbound::note_failure(&mut c.conn(), a, e, T0).await.unwrap();
        assert!(enabled);
        assert_eq!(since, Some(T0), "the first failure starts the failing streak");
    }
    outbound::note_success(&mut c.conn(), &[(&app, &e1), (&app, &e2)]).await.unwrap();
    for (a, e, failing) in [(&app, &e1, None), (&app, &e2, None), (&other_app, &o1, Some(T0))] {
        let found = outbound::find_endpoint(&mut c.conn(), a, e).await.unwrap().unwrap();
        assert_eq!(found.failing_since, failing, "endpoint {e}");
    }
    // One endpoint alone, as a single answer writes it.
    outbound::note_success(&mut c.conn(), &[(&other_app, &o1)]).await.unwrap();
    assert_eq!(outbound::find_endpoint(&mut c.conn(), &other_app, &o1).await.unwrap().unwrap().failing_since, None);
}
