//! The job queue as an operator sees it at `/api/v1/jobs`: what is retried
//! and what is dead at once (with why), rows queued by an older version, and
//! the periodic jobs, each queued once per minute and each on its own.

use serde::{Deserialize, Serialize};
use serde_json::{Value, json};
use time::Duration;
use tollgate_app::Services;
use tollgate_app::jobs::{self, JobCtx, JobError, JobSpec};
use tollgate_app::worker::Worker;
use tollgate_domain::ids::{AppId, JobId};
use tollgate_persistence::jobs::NewJob;

use crate::both;
use crate::helpers::TestApp;

both!(
    a_refusal_is_dead_at_once_a_transient_failure_is_retried,
    a_bad_payload_or_an_unknown_kind_is_dead_at_once_with_why,
    rows_queued_by_an_older_version_still_run,
    periodic_jobs_are_queued_once_per_minute_whoever_schedules,
    a_failing_sweep_does_not_hold_back_the_others,
    events_stored_by_another_process_are_queued_once
);

/// Fails (worth retrying) on its first `fail` tries, then succeeds.
#[derive(Serialize, Deserialize)]
struct Flaky {
    fail: i32,
}

impl JobSpec for Flaky {
    const KIND: &'static str = "test_flaky";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, _s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        if ctx.attempt <= self.fail { Err(JobError::retry(format!("try {} timed out", ctx.attempt))) } else { Ok(()) }
    }
}

/// Refused in a way retrying cannot fix.
#[derive(Serialize, Deserialize)]
struct Refused {}

impl JobSpec for Refused {
    const KIND: &'static str = "test_refused";
    const MAX_ATTEMPTS: i32 = 5;
    async fn run(self, _s: &Services, _ctx: &JobCtx) -> Result<(), JobError> {
        Err(JobError::permanent("the remote refused the credentials"))
    }
}

async fn app_id(app: &TestApp, t: &str) -> AppId {
    AppId::parse(app.get("/api/v1/auth/me", t).await.expect(200).body["app"]["id"].as_str().unwrap()).unwrap()
}

async fn run_due(w: &Worker) {
    for _ in 0..50 {
        if w.run_once().await.unwrap() == 0 {
            return;
        }
    }
    panic!("jobs kept coming");
}

async fn enqueue<J: JobSpec>(app: &TestApp, id: &AppId, p: &J) -> JobId {
    let now = app.clock_now();
    let mut c = app.services.db.acquire().await.unwrap();
    jobs::enqueue(&mut c.conn(), id, p, now, None, now).await.unwrap().unwrap()
}

async fn enqueue_raw(app: &TestApp, id: &AppId, kind: &str, payload: Value, max_attempts: i32) -> JobId {
    let now = app.clock_now();
    let mut c = app.services.db.acquire().await.unwrap();
    let j = NewJob { kind: kind.into(), payload, run_at: now, max_attempts, unique_key: None };
    tollgate_persistence::jobs::enqueue(&mut c.conn(), id, &j, now).await.unwrap().unwrap()
}

/// (status, attempts, max_attempts, last_error) as the API shows the job.
async fn job(app: &TestApp, t: &str, id: &JobId) -> (String, i64, i64, String) {
    let j = app.get(&format!("/api/v1/jobs/{id}"), t).await.expect(200).body;
    (j["status"].as_str().unwrap().into(), j["attempts"].as_i64().unwrap(), j["max_attempts"].as_i64().unwrap(), j["last_error"].as_str().unwrap_or("").into())
}

/// How many jobs of each kind in `kinds` the API lists, in any state.
async fn counts(app: &TestApp, t: &str, kinds: &[&str]) -> Vec<usize> {
    let mut all: Vec<Value> = vec![];
    for status in ["queued", "running", "succeeded", "dead"] {
        let r = app.get(&format!("/api/v1/jobs?status={status}&limit=100"), t).await.expect(200).body;
        all.extend(r["data"].as_array().unwrap().iter().cloned());
    }
    kinds.iter().map(|k| all.iter().filter(|j| j["kind"] == *k).count()).collect()
}

async fn a_refusal_is_dead_at_once_a_transient_failure_is_retried(app: TestApp) {
    let t = app.setup().await;
    let id = app_id(&app, &t).await;
    let mut w = Worker::new(app.services.clone());
    w.register::<Flaky>();
    w.register::<Refused>();
    let refused = enqueue(&app, &id, &Refused {}).await;
    let flaky = enqueue(&app, &id, &Flaky { fail: 2 }).await;
    let hopeless = enqueue(&app, &id, &Flaky { fail: 9 }).await;
    run_due(&w).await;
    assert_eq!(job(&app, &t, &refused).await, ("dead".into(), 1, 5, "permanent: the remote refused the credentials".into()), "one try of five");
    assert_eq!(job(&app, &t, &flaky).await, ("queued".into(), 1, 3, "try 1 timed out".into()), "tried again later");
    run_due(&w).await;
    assert_eq!(job(&app, &t, &flaky).await.1, 1, "not before its backoff");
    app.clock.advance(Duration::hours(2));
    let t = app.login_owner().await;
    run_due(&w).await;
    assert_eq!(job(&app, &t, &flaky).await, ("queued".into(), 2, 3, "try 2 timed out".into()));
    app.clock.advance(Duration::hours(2));
    let t = app.login_owner().await;
    run_due(&w).await;
    assert_eq!(job(&app, &t, &flaky).await.0, "succeeded");
    assert_eq!(job(&app, &t, &flaky).await.1, 3);
    // Out of tries: dead after the last one, with its error.
    assert_eq!(job(&app, &t, &hopeless).await, ("dead".into(), 3, 3, "try 3 timed out".into()));
    assert_eq!(job(&app, &t, &refused).await.1, 1, "a dead job is not tried again");
}

async fn a_bad_payload_or_an_unknown_kind_is_dead_at_once_with_why(app: TestApp) {
    let t = app.setup().await;
    let id = app_id(&app, &t).await;
    let bad = enqueue_raw(&app, &id, "stripe_event", json!({ "event": "evt_1" }), 10).await;
    let unknown = enqueue_raw(&app, &id, "no_such_job", json!({}), 8).await;
    app.drain_jobs().await;
    let (status, attempts, _, error) = job(&app, &t, &bad).await;
    assert_eq!((status.as_str(), attempts), ("dead", 1), "{error}");
    assert!(error.starts_with("permanent: bad payload for stripe_event") && error.contains("event_id"), "{error}");
    let (status, attempts, _, error) = job(&app, &t, &unknown).await;
    assert_eq!((status.as_str(), attempts), ("dead", 1), "{error}");
    assert!(error.contains("unknown job kind \"no_such_job\""), "{error}");
    // Listed with the dead jobs, and can be put back in the queue (where it dies again).
    let dead = app.get("/api/v1/jobs?status=dead", &t).await.expect(200).body;
    assert_eq!(dead["data"].as_array().unwrap().len(), 2, "{dead}");
    app.post(&format!("/api/v1/jobs/{bad}/retry"), &t, json!({})).await.expect(200);
    app.drain_jobs().await;
    assert_eq!(job(&app, &t, &bad).await.0, "dead");
}

async fn rows_queued_by_an_older_version_still_run(app: TestApp) {
    let t = app.setup().await;
    let id = app_id(&app, &t).await;
    // The combined minute sweep of older versions queues this minute's separate sweeps.
    let sweep = enqueue_raw(&app, &id, "access_sweep", json!({}), 3).await;
    let recover = enqueue_raw(&app, &id, "stripe_recover", json!({}), 3).await;
    let stages = enqueue_raw(&app, &id, "stages_recompute", json!({ "generation": 1, "after": null }), 10).await;
    app.drain_jobs().await;
    for j in [&sweep, &recover, &stages] {
        let (status, _, _, error) = job(&app, &t, j).await;
        assert_eq!(status, "succeeded", "{j}: {error}");
    }
    let kinds = tollgate_app::registry::periodic_kinds();
    assert_eq!(counts(&app, &t, &kinds).await, vec![1; kinds.len()], "{kinds:?}");
    let today = app.clock_now().to_offset(time::UtcOffset::UTC).date();
    let mut c = app.services.db.acquire().await.unwrap();
    let days = tollgate_persistence::metrics::days(&mut c.conn(), &id, today, today).await.unwrap();
    assert_eq!(days.len(), 1, "today's MRR was recorded");
}

async fn periodic_jobs_are_queued_once_per_minute_whoever_schedules(app: TestApp) {
    let t = app.setup().await;
    let (w1, w2) = (Worker::new(app.services.clone()), Worker::new(app.services.clone()));
    let kinds = tollgate_app::registry::periodic_kinds();
    let (a, b) = tokio::join!(w1.schedule_periodic(), w2.schedule_periodic());
    a.unwrap();
    b.unwrap();
    w1.schedule_periodic().await.unwrap();
    assert_eq!(counts(&app, &t, &kinds).await, vec![1; kinds.len()], "{kinds:?}");
    // Each in its own job, each with the periodic tries.
    let queued = app.get("/api/v1/jobs?status=queued&limit=100", &t).await.expect(200).body;
    for j in queued["data"].as_array().unwrap().iter().filter(|j| kinds.contains(&j["kind"].as_str().unwrap())) {
        assert_eq!(j["max_attempts"], jobs::PERIODIC_ATTEMPTS, "{j}");
    }
    app.clock.advance(Duration::seconds(60));
    let (a, b) = tokio::join!(w1.schedule_periodic(), w2.schedule_periodic());
    a.unwrap();
    b.unwrap();
    assert_eq!(counts(&app, &t, &kinds).await, vec![2; kinds.len()], "the next minute's");
    app.drain_jobs().await;
    let dead_or_waiting = app.get("/api/v1/jobs?status=dead", &t).await.expect(200).body;
    assert!(dead_or_waiting["data"].as_array().unwrap().is_empty(), "{dead_or_waiting}");
}

async fn a_failing_sweep_does_not_hold_back_the_others(app: TestApp) {
    let t = app.setup().await;
    let id = app_id(&app, &t).await;
    let x = app.post("/api/v1/products", &t, json!({"name": "X"})).await.expect(201).id();
    let body = json!({"name": "Dunning", "trigger": {"type": "payment_failed"}, "steps": [{"type": "grant_access", "product_id": x}]});
    app.post("/api/v1/automations", &t, body).await.expect(201);
    // A stored automation that no longer reads: the time-trigger sweep fails on it.
    const SQL: &str = "UPDATE automations SET definition = '{'";
    let changed = match &app.services.db {
        tollgate_persistence::Db::Sqlite(p) => sqlx::query(SQL).execute(p).await.unwrap().rows_affected(),
        tollgate_persistence::Db::Pg(p) => sqlx::query(SQL).execute(p).await.unwrap().rows_affected(),
    };
    assert_eq!(changed, 1);
    Worker::new(app.services.clone()).schedule_periodic().await.unwrap();
    app.drain_jobs().await;
    let listed = |status: &'static str| {
        let app = &app;
        let t = t.clone();
        async move { app.get(&format!("/api/v1/jobs?status={status}&limit=100"), &t).await.expect(200).body["data"].as_array().unwrap().clone() }
    };
    let waiting = listed("queued").await;
    let failed: Vec<&Value> = waiting.iter().filter(|j| j["kind"] == "sweep_time_triggers").collect();
    assert_eq!(failed.len(), 1, "{waiting:?}");
    assert!(failed[0]["last_error"].as_str().unwrap().contains("does not parse"), "{}", failed[0]);
    let done: Vec<String> = listed("succeeded").await.iter().map(|j| j["kind"].as_str().unwrap().to_owned()).collect();
    for k in ["sweep_ended_access", "sweep_inactivity", "audit_prune", "mrr_snapshot"] {
        assert!(done.iter().any(|d| d == k), "{k} ran: {done:?}");
    }
    let today = app.clock_now().to_offset(time::UtcOffset::UTC).date();
    let mut c = app.services.db.acquire().await.unwrap();
    assert_eq!(tollgate_persistence::metrics::days(&mut c.conn(), &id, today, today).await.unwrap().len(), 1, "the MRR snapshot was recorded");
}

/// Webhook ingest stores an event and nothing else; the worker queues its
/// processing. A `tollgate serve` without a worker in this process (ingest
/// in one process, `tollgate worker` in another) leaves no in-process sign:
/// the worker still finds the event, queues one job for it, and two workers
/// looking at once do not queue it twice.
async fn events_stored_by_another_process_are_queued_once(app: TestApp) {
    use tollgate_domain::connector::ConnectorKind;
    use tollgate_persistence::inbox::{self, InboxEvent, RECEIVED};
    let t = app.setup().await;
    let id = app_id(&app, &t).await;
    let now = app.clock_now();
    let ev = |n: usize| InboxEvent {
        event_id: format!("evt_elsewhere_{n}"),
        event_type: "invoice.paid".into(),
        created: 1,
        payload: "{}".into(),
        status: RECEIVED.into(),
        received_at: now,
        processed_at: None,
        error: None,
    };
    for n in 0..3 {
        assert!(inbox::store_event(&app.services.db, &id, ConnectorKind::Stripe, &ev(n)).await.unwrap());
    }
    let listed = app.get("/api/v1/connectors/stripe/events?status=pending", &t).await.expect(200).body;
    assert_eq!(listed["data"].as_array().unwrap().len(), 3, "waiting events are pending in the inspector");
    assert_eq!(counts(&app, &t, &["stripe_event"]).await, [0], "nothing queued yet");
    let (w1, w2) = (Worker::new(app.services.clone()), Worker::new(app.services.clone()));
    let (a, b) = tokio::join!(app.services.queue_received_events(), app.services.queue_received_events());
    assert_eq!(a.unwrap() + b.unwrap(), 3, "each event taken once");
    assert_eq!(counts(&app, &t, &["stripe_event"]).await, [3], "one job per event");
    // A later event: a new worker's first look finds it (no sign from ingest).
    assert!(inbox::store_event(&app.services.db, &id, ConnectorKind::Stripe, &ev(3)).await.unwrap());
    let _ = w1.run_once().await.unwrap();
    let _ = w2.run_once().await.unwrap();
    assert_eq!(counts(&app, &t, &["stripe_event"]).await, [4]);
}
