//! Job leases and heartbeats, on SQLite and on PostgreSQL.

use time::{Duration, OffsetDateTime, macros::datetime};
use tollgate_domain::app::{App, AppSettings};
use tollgate_domain::ids::AppId;
use tollgate_domain::jobs::{JOB_HEARTBEAT, JOB_LEASE, JobStatus};
use tollgate_persistence::jobs::{self, NewJob};
use tollgate_persistence::testing::TestDb;
use tollgate_persistence::*;

macro_rules! both {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let t = super::TestDb::new(super::Backend::Sqlite).await.expect("sqlite test db");
                super::$name(&t.db).await;
            })*
        }
        mod postgres {
            $(#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
            async fn $name() {
                let t = super::TestDb::new(super::Backend::Postgres).await.expect("postgres test db (is PostgreSQL running on 127.0.0.1:5432?)");
                super::$name(&t.db).await;
            })*
        }
    };
}

both!(a_heartbeat_keeps_a_running_job_and_a_dead_workers_job_is_taken_within_the_lease);

const T0: OffsetDateTime = datetime!(2026-06-01 12:00 UTC);

async fn new_app(db: &Db) -> AppId {
    let app = App {
        id: AppId::new(),
        name: "A".into(),
        site_url: None,
        support_email: None,
        settings: AppSettings::default(),
        branding: Default::default(),
        created_at: T0,
        updated_at: T0,
    };
    apps::insert(&mut db.acquire().await.unwrap().conn(), &app).await.unwrap();
    app.id
}

fn job() -> NewJob {
    NewJob { kind: "stripe_event".into(), payload: serde_json::json!({}), run_at: T0, max_attempts: 3, unique_key: None }
}

async fn a_heartbeat_keeps_a_running_job_and_a_dead_workers_job_is_taken_within_the_lease(db: &Db) {
    assert!(JOB_LEASE <= Duration::seconds(30), "a dead worker's job waits at most 30 s");
    assert!(JOB_HEARTBEAT * 3 <= JOB_LEASE, "a missed heartbeat or two does not lose the lease");
    let app = new_app(db).await;
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
