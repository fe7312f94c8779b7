//! The job queue: its lifecycle, unique keys, leases, heartbeats and
//! concurrent claims, on SQLite and on PostgreSQL.

mod common;

use time::Duration;
use tollgate_domain::page::Limit;
use tollgate_domain::jobs::{JOB_HEARTBEAT, JOB_LEASE, JobStatus};
use tollgate_persistence::jobs::{self, NewJob};
use tollgate_persistence::*;
use common::{T0, new_app};

both!(
    a_heartbeat_keeps_a_running_job_and_a_dead_workers_job_is_taken_within_the_lease,
    jobs_lifecycle,
    jobs_unique_key_and_stale_lease,
    jobs_concurrent_claims_never_overlap,
);

fn job() -> NewJob {
    NewJob { kind: "stripe_event".into(), payload: serde_json::json!({}), run_at: T0, max_attempts: 3, unique_key: None }
}

async fn a_heartbeat_keeps_a_running_job_and_a_dead_workers_job_is_taken_within_the_lease(db: &Db) {
    assert!(JOB_LEASE <= Duration::seconds(30), "a dead worker's job waits at most 30 s");
    assert!(JOB_HEARTBEAT * 3 <= JOB_LEASE, "a missed heartbeat or two does not lose the lease");
    let app = new_app(db, "A").await.id;
    let mut c = db.acquire().await.unwrap();
    let slow = jobs::enqueue(&mut c.conn(), &app, &job(), T0).await.unwrap().unwrap();
    let dies = jobs::enqueue(&mut c.conn(), &app, &job(), T0).await.unwrap().unwrap();
    let a = jobs::claim(&mut c.conn(), "alive", 1, T0, JOB_LEASE).await.unwrap();
    let b = jobs::claim(&mut c.conn(), "killed", 1, T0, JOB_LEASE).await.unwrap();
    assert_eq!((a[0].id.clone(), b[0].id.clone()), (slow.clone(), dies.clone()));

    // The live worker beats while its job runs for three leases; the killed one is silent.
    let mut t = T0;
    let mut taken_at = None;
    while t < T0 + JOB_LEASE * 3 {
        t += JOB_HEARTBEAT;
        assert!(jobs::heartbeat(&mut c.conn(), &app, &slow, "alive", t).await.unwrap());
        if taken_at.is_some() {
            assert!(jobs::heartbeat(&mut c.conn(), &app, &dies, "other", t).await.unwrap(), "the new holder beats too");
        }
        let taken = jobs::claim(&mut c.conn(), "other", 10, t, JOB_LEASE).await.unwrap();
        if t - T0 <= JOB_LEASE {
            assert!(taken.is_empty(), "nothing is taken over within the lease ({:?} in)", t - T0);
        } else if taken_at.is_none() {
            // At the first look after the lease, the silent worker's job, and only it, is taken.
            assert_eq!(taken.iter().map(|j| j.id.clone()).collect::<Vec<_>>(), vec![dies.clone()]);
            assert_eq!(taken[0].attempts, 2);
            taken_at = Some(t);
        } else {
            assert!(taken.is_empty(), "the beating worker's job is never taken");
        }
    }
    let d = jobs::find(&mut c.conn(), &app, &dies).await.unwrap().unwrap();
    assert_eq!(d.status, JobStatus::Running);
    assert!(jobs::succeed(&mut c.conn(), &app, &dies, "other", t).await.unwrap(), "the job went to the other worker");
    // The killed worker, were it only frozen, finds its job gone.
    assert!(!jobs::heartbeat(&mut c.conn(), &app, &dies, "killed", t).await.unwrap());
    assert!(!jobs::succeed(&mut c.conn(), &app, &dies, "killed", t).await.unwrap());
    assert!(jobs::succeed(&mut c.conn(), &app, &slow, "alive", t).await.unwrap(), "the beating worker kept its job");
    let s = jobs::find(&mut c.conn(), &app, &slow).await.unwrap().unwrap();
    assert_eq!((s.status, s.attempts), (JobStatus::Succeeded, 1), "never run twice");
}

fn kind_job(kind: &str, unique: Option<&str>) -> NewJob {
    NewJob { kind: kind.into(), payload: serde_json::json!({"k": kind}), run_at: T0, max_attempts: 3, unique_key: unique.map(str::to_owned) }
}

async fn jobs_lifecycle(db: &Db) {
    let app = new_app(db, "A").await;
    let mut c = db.acquire().await.unwrap();
    let id = jobs::enqueue(&mut c.conn(), &app.id, &kind_job("send_email", None), T0).await.unwrap().unwrap();
    assert!(jobs::claim(&mut c.conn(), "w1", 10, T0 - Duration::seconds(1), Duration::minutes(5)).await.unwrap().is_empty(), "not due yet");
    let got = jobs::claim(&mut c.conn(), "w1", 10, T0, Duration::minutes(5)).await.unwrap();
    assert_eq!(got.len(), 1);
    assert_eq!(got[0].attempts, 1);
    assert_eq!(got[0].status, JobStatus::Running);
    assert!(jobs::claim(&mut c.conn(), "w2", 10, T0, Duration::minutes(5)).await.unwrap().is_empty(), "claimed once");
    assert!(!jobs::succeed(&mut c.conn(), &app.id, &id, "w2", T0).await.unwrap(), "only the holder completes it");
    // Fail, retry later, fail to death.
    assert!(jobs::fail(&mut c.conn(), &app.id, &id, "w1", "smtp down", Some(T0 + Duration::seconds(10)), T0).await.unwrap());
    let j = jobs::find(&mut c.conn(), &app.id, &id).await.unwrap().unwrap();
    assert_eq!((j.status, j.last_error.as_deref()), (JobStatus::Queued, Some("smtp down")));
    let got = jobs::claim(&mut c.conn(), "w1", 10, T0 + Duration::seconds(10), Duration::minutes(5)).await.unwrap();
    assert_eq!(got[0].attempts, 2);
    assert!(jobs::fail(&mut c.conn(), &app.id, &id, "w1", "still down", None, T0).await.unwrap());
    let dead = jobs::list(&mut c.conn(), &app.id, Some(JobStatus::Dead), None, Limit::default()).await.unwrap();
    assert_eq!(dead.items.len(), 1);
    assert!(jobs::retry_dead(&mut c.conn(), &app.id, &id, T0).await.unwrap());
    let got = jobs::claim(&mut c.conn(), "w1", 10, T0, Duration::minutes(5)).await.unwrap();
    assert_eq!(got[0].attempts, 1, "a retried dead job starts with fresh tries");
    jobs::set_progress(&mut c.conn(), &app.id, &id, 5, 10, T0).await.unwrap();
    assert!(jobs::succeed(&mut c.conn(), &app.id, &id, "w1", T0).await.unwrap());
    let j = jobs::find(&mut c.conn(), &app.id, &id).await.unwrap().unwrap();
    assert_eq!((j.status, j.progress_done, j.progress_total), (JobStatus::Succeeded, Some(5), Some(10)));
    assert_eq!(jobs::prune_finished(&mut c.conn(), T0 + Duration::seconds(1)).await.unwrap(), 1);
}

async fn jobs_unique_key_and_stale_lease(db: &Db) {
    let app = new_app(db, "A").await;
    let mut c = db.acquire().await.unwrap();
    assert!(jobs::enqueue(&mut c.conn(), &app.id, &kind_job("import", Some("import:prod_1")), T0).await.unwrap().is_some());
    assert!(jobs::enqueue(&mut c.conn(), &app.id, &kind_job("import", Some("import:prod_1")), T0).await.unwrap().is_none());
    let got = jobs::claim(&mut c.conn(), "w1", 10, T0, Duration::minutes(5)).await.unwrap();
    assert_eq!(got.len(), 1);
    // Worker w1 dies; after the lease another worker takes the job.
    assert!(jobs::claim(&mut c.conn(), "w2", 10, T0 + Duration::minutes(4), Duration::minutes(5)).await.unwrap().is_empty());
    let again = jobs::claim(&mut c.conn(), "w2", 10, T0 + Duration::minutes(6), Duration::minutes(5)).await.unwrap();
    assert_eq!(again.len(), 1);
    assert_eq!(again[0].attempts, 2);
    assert!(!jobs::succeed(&mut c.conn(), &app.id, &again[0].id, "w1", T0).await.unwrap(), "the dead worker's late completion is ignored");
}

async fn jobs_concurrent_claims_never_overlap(db: &Db) {
    let app = new_app(db, "A").await;
    {
        let mut c = db.acquire().await.unwrap();
        for _ in 0..60 {
            jobs::enqueue(&mut c.conn(), &app.id, &kind_job("x", None), T0).await.unwrap();
        }
    }
    let mut tasks = vec![];
    for w in 0..4 {
        let db = db.clone();
        tasks.push(tokio::spawn(async move {
            let mut mine = vec![];
            loop {
                let mut tx = db.begin().await.unwrap();
                let got = jobs::claim(&mut tx.conn(), &format!("w{w}"), 5, T0, Duration::minutes(5)).await.unwrap();
                tx.commit().await.unwrap();
                if got.is_empty() {
                    break;
                }
                mine.extend(got.into_iter().map(|j| j.id));
            }
            mine
        }));
    }
    let mut all = vec![];
    for t in tasks {
        all.extend(t.await.unwrap());
    }
    let n = all.len();
    all.sort();
    all.dedup();
    assert_eq!(n, 60, "every job claimed");
    assert_eq!(all.len(), 60, "no job claimed twice");
}
