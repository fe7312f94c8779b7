//! `tollgate-bench automations`: what matching activities to automations
//! costs on the path that records them. The same 10,000 activities are
//! recorded (batches of 500 per transaction, as a busy worker would) into a
//! fresh app with no automation (baseline), then into one with 50 enabled
//! automations listening to that activity kind, each run starting with a
//! one-day wait (so only run creation is measured, not steps).

use std::sync::Arc;
use std::time::Instant;

use tollgate_app::automations::model::{Definition, Step, Trigger, WaitUnit};
use tollgate_app::crypto::Keys;
use tollgate_app::usecases::access::record;
use tollgate_app::usecases::admin_auth::NewAdminAndApp;
use tollgate_app::{Services, ServicesConfig};
use tollgate_domain::activity::{ActivityKind, NewActivity};
use tollgate_domain::clock::SystemClock;
use tollgate_persistence::Backend;

use crate::db::FreshDb;

pub struct Figures {
    pub activities_per_s: f64,
    pub runs: i64,
    pub runs_per_s: f64,
}

pub async fn measure(backend: Backend, activities: usize, automations: usize) -> anyhow::Result<Figures> {
    let fresh = FreshDb::create(backend, "automations", 16).await?;
    fresh.db.migrate().await?;
    let keys = Keys::from_master(&[42u8; 32]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let s = Services::new(fresh.db.clone(), Arc::new(SystemClock), keys, ServicesConfig::new("http://127.0.0.1:8080"));
    let (_, app) = s
        .create_admin_and_app(
            NewAdminAndApp { email: "bench@example.com".into(), password: "correct horse battery staple".into(), name: "Bench".into(), app_name: "Bench".into(), site_url: None },
            false,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for i in 0..automations {
        let def = Definition {
            trigger: Trigger::Activity { kind: "user.login".into(), product_id: None },
            conditions: vec![],
            steps: vec![Step::Wait { amount: 1, unit: WaitUnit::Days }],
        };
        s.create_automation(&app.id, &format!("A{i}"), true, def).await.map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let member = s
        .create_member(&app.id, tollgate_app::usecases::users::NewMemberInput { email: "m@example.com".into(), ..Default::default() })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let started = Instant::now();
    let mut left = activities;
    while left > 0 {
        let n = left.min(500);
        let mut tx = s.db.begin().await?;
        for _ in 0..n {
            record(&mut tx.conn(), &app.id, NewActivity::new(ActivityKind::UserLogin, Some(member.id.clone()), None, s.now())).await.map_err(|e| anyhow::anyhow!("{e}"))?;
        }
        tx.commit().await?;
        left -= n;
    }
    let took = started.elapsed().as_secs_f64();
    let runs = fresh.count("automation_runs").await?;
    fresh.remove().await?;
    Ok(Figures { activities_per_s: activities as f64 / took, runs, runs_per_s: runs as f64 / took })
}
