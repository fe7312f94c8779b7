//! `tollgate-bench fanout`: outbound webhook delivery against a bare sender.
//!
//! One local receiver (actix-web, answers 200, notes when each POST arrived)
//! serves both sides. Tollgate: events are recorded through the same path
//! the app uses (`record` → one message + one delivery row per endpoint in
//! the same transaction), and the dispatcher sends them, signed, with its
//! caps (4 in flight per endpoint). Baseline: a bare reqwest sender POSTs
//! bodies of the same shape and size (one Tollgate recorded, with a new id and
//! time per event), with the same headers and signature and the same
//! per-endpoint cap, and nothing stored. (Before 2026-12-03 its bodies were
//! `{"data": {}}` envelopes, a tenth of the size: the receiver's parse, the
//! signature and the transfer cost it less than they cost Tollgate.)
//!
//! Two figures per side:
//! - throughput: a backlog of N events × E endpoints, delivered/s until the
//!   receiver has them all;
//! - latency: events produced at a steady pace while the sender runs;
//!   event → delivered is the arrival time minus the event's own timestamp.

use std::net::TcpListener;
use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use actix_web::{App, HttpRequest, HttpResponse, HttpServer, web};
use anyhow::Context;
use time::OffsetDateTime;
use tokio::sync::Semaphore;
use tollgate_app::crypto::Keys;
use tollgate_app::outbound::dispatch::{Dispatcher, PER_ENDPOINT, http_client};
use tollgate_app::outbound::endpoints::NewEndpoint;
use tollgate_app::outbound::signing;
use tollgate_app::usecases::access::record;
use tollgate_app::usecases::admin_auth::NewAdminAndApp;
use tollgate_app::{Services, ServicesConfig};
use tollgate_domain::activity::{ActivityKind, NewActivity};
use tollgate_domain::clock::SystemClock;
use tollgate_persistence::Backend;

use crate::db::FreshDb;

/// What the receiver saw.
#[derive(Default)]
struct Seen {
    count: AtomicUsize,
    /// Event → arrival delays in µs (only while `measure_latency` is on).
    delays: std::sync::Mutex<Vec<u64>>,
}

async fn receive(seen: web::Data<Arc<Seen>>, body: web::Bytes, _req: HttpRequest) -> HttpResponse {
    let arrived = OffsetDateTime::now_utc();
    seen.count.fetch_add(1, Ordering::Relaxed);
    // The body's own timestamp is when the event happened.
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
        if let Some(ts) = v["timestamp"].as_str().and_then(|t| OffsetDateTime::parse(t, &time::format_description::well_known::Rfc3339).ok()) {
            let us = (arrived - ts).whole_microseconds().max(0) as u64;
            seen.delays.lock().unwrap().push(us);
        }
    }
    HttpResponse::Ok().finish()
}

fn start_receiver(seen: Arc<Seen>) -> anyhow::Result<(String, actix_web::dev::ServerHandle)> {
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let url = format!("http://{}", listener.local_addr()?);
    let server = HttpServer::new(move || App::new().app_data(web::Data::new(seen.clone())).default_service(web::to(receive)))
        .workers(1)
        .listen(listener)?
        .run();
    let handle = server.handle();
    tokio::spawn(server);
    Ok((url, handle))
}

pub struct Figures {
    pub delivered_per_s: f64,
    pub p50_ms: f64,
    pub p99_ms: f64,
    /// While the backlog drained, the whole machine's (every process's,
    /// PostgreSQL's too): CPU time per delivery in µs, and context
    /// switches per delivery. Less sensitive than the rate to what else the
    /// machine is doing, as long as nothing else runs.
    pub cpu_us: f64,
    pub switches: f64,
}

/// The machine's busy CPU time (ms) and context switches so far, from `/proc/stat`.
fn machine() -> (f64, f64) {
    let Ok(stat) = std::fs::read_to_string("/proc/stat") else { return (f64::NAN, f64::NAN) };
    let mut busy = f64::NAN;
    let mut ctxt = f64::NAN;
    for line in stat.lines() {
        let mut f = line.split_whitespace();
        match f.next() {
            // user nice system idle iowait irq softirq steal: all but idle and iowait, in 10 ms ticks.
            Some("cpu") => {
                let v: Vec<f64> = f.filter_map(|x| x.parse().ok()).collect();
                if v.len() >= 8 {
                    busy = (v[0] + v[1] + v[2] + v[5] + v[6] + v[7]) * 10.0;
                }
            }
            Some("ctxt") => ctxt = f.next().and_then(|x| x.parse().ok()).unwrap_or(f64::NAN),
            _ => {}
        }
    }
    (busy, ctxt)
}

/// CPU µs and context switches per delivery since `from` (a [`machine`] reading).
fn per_delivery(from: (f64, f64), n: usize) -> (f64, f64) {
    let to = machine();
    ((to.0 - from.0) * 1000.0 / n as f64, (to.1 - from.1) / n as f64)
}

fn percentile(v: &mut [u64], p: f64) -> f64 {
    if v.is_empty() {
        return f64::NAN;
    }
    v.sort_unstable();
    let i = ((v.len() as f64 - 1.0) * p).round() as usize;
    v[i] as f64 / 1000.0
}

async fn wait_for(seen: &Seen, n: usize, limit: Duration) -> anyhow::Result<Duration> {
    let started = Instant::now();
    while seen.count.load(Ordering::Relaxed) < n {
        anyhow::ensure!(started.elapsed() < limit, "only {} of {n} deliveries arrived within {limit:?}", seen.count.load(Ordering::Relaxed));
        tokio::time::sleep(Duration::from_millis(2)).await;
    }
    Ok(started.elapsed())
}

async fn record_events(s: &Services, app: &tollgate_domain::ids::AppId, user: &tollgate_domain::ids::UserId, n: usize) -> anyhow::Result<()> {
    let mut tx = s.db.begin().await?;
    for _ in 0..n {
        record(&mut tx.conn(), app, NewActivity::new(ActivityKind::UserLogin, Some(user.clone()), None, s.now())).await?;
    }
    tx.commit().await?;
    Ok(())
}

/// An app with `urls.len()` endpoints wanting `user.login`, and a member.
struct Setup {
    fresh: FreshDb,
    s: Services,
    app: tollgate_domain::ids::AppId,
    member: tollgate_domain::ids::UserId,
}

async fn setup(backend: Backend, urls: &[String]) -> anyhow::Result<Setup> {
    let fresh = FreshDb::create(backend, "fanout", 16).await?;
    fresh.db.migrate().await?;
    let mut cfg = ServicesConfig::new("http://127.0.0.1:8080");
    cfg.outbound.allow_private_networks = true;
    let keys = Keys::from_master(&[42u8; 32]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let s = Services::new(fresh.db.clone(), Arc::new(SystemClock), keys, cfg);
    let (_, app) = s
        .create_admin_and_app(
            NewAdminAndApp { email: "bench@example.com".into(), password: "correct horse battery staple".into(), name: "Bench".into(), app_name: "Bench".into(), site_url: None },
            false,
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    for url in urls {
        s.create_endpoint(&app.id, NewEndpoint { url: url.clone(), event_types: vec!["user.login".into()], ..Default::default() })
            .await
            .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let member = s
        .create_member(&app.id, tollgate_app::usecases::users::NewMemberInput { email: "m@example.com".into(), ..Default::default() })
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    Ok(Setup { fresh, s, app: app.id, member: member.id })
}

/// The body Tollgate sends for the bench's event (the member's `user.login`:
/// the activity and the member as the REST API shows them), recorded once on
/// a throwaway SQLite database, with its id and timestamp: the bare sender
/// posts bodies of the same shape and size, with its own id and time each.
async fn sample_body() -> anyhow::Result<(String, String, String)> {
    let b = setup(Backend::Sqlite, &["http://127.0.0.1:9/sample".to_owned()]).await?;
    record_events(&b.s, &b.app, &b.member, 1).await?;
    let mut conn = b.s.db.acquire().await?;
    let body = tollgate_persistence::outbound::recent_payloads(&mut conn.conn(), &b.app, "user.login", 1).await?.pop().context("the sample event was queued")?;
    drop(conn);
    b.fresh.remove().await?;
    let v: serde_json::Value = serde_json::from_str(&body)?;
    let id = v["id"].as_str().context("event id")?.to_owned();
    let ts = v["timestamp"].as_str().context("event timestamp")?.to_owned();
    Ok((body, id, ts))
}

/// Tollgate's dispatcher: backlog throughput, then paced latency.
pub async fn tollgate(backend: Backend, events: usize, endpoints: usize, rate: usize, paced: usize) -> anyhow::Result<Figures> {
    let seen = Arc::new(Seen::default());
    let (url, rx) = start_receiver(seen.clone())?;
    let urls: Vec<String> = (0..endpoints).map(|i| format!("{url}/e{i}")).collect();
    let Setup { fresh, s, app, member } = setup(backend, &urls).await?;

    // Throughput: a backlog, then the dispatcher drains it.
    for chunk in 0..events.div_ceil(500) {
        record_events(&s, &app, &member, 500.min(events - chunk * 500)).await?;
    }
    let (stop, stopped) = tokio::sync::watch::channel(false);
    eprintln!("tollgate: {} deliveries queued, the dispatcher starts", events * endpoints);
    let from = machine();
    let running = tokio::spawn(Dispatcher::new(s.clone()).run(stopped));
    let took = wait_for(&seen, events * endpoints, Duration::from_secs(600)).await.context("tollgate backlog")?;
    let (cpu_us, switches) = per_delivery(from, events * endpoints);
    let delivered_per_s = (events * endpoints) as f64 / took.as_secs_f64();

    // Latency: events at a steady pace while the dispatcher runs.
    seen.delays.lock().unwrap().clear();
    let before = seen.count.load(Ordering::Relaxed);
    let batch = (rate / 50).max(1);
    let mut made = 0;
    let tick = Duration::from_millis(20);
    let mut next = Instant::now();
    while made < paced {
        let n = batch.min(paced - made);
        record_events(&s, &app, &member, n).await?;
        made += n;
        next += tick;
        tokio::time::sleep_until(next.into()).await;
    }
    wait_for(&seen, before + paced * endpoints, Duration::from_secs(120)).await.context("tollgate paced")?;
    let mut d = std::mem::take(&mut *seen.delays.lock().unwrap());
    stop.send(true).ok();
    let _ = running.await;
    rx.stop(false).await;
    fresh.remove().await?;
    Ok(Figures { delivered_per_s, p50_ms: percentile(&mut d, 0.50), p99_ms: percentile(&mut d, 0.99), cpu_us, switches })
}

/// The bare sender: bodies like Tollgate's, signed the same way, the same
/// per-endpoint cap, nothing stored.
pub async fn baseline(events: usize, endpoints: usize, rate: usize, paced: usize) -> anyhow::Result<Figures> {
    let (sample, sample_id, sample_ts) = sample_body().await?;
    let seen = Arc::new(Seen::default());
    let (url, rx) = start_receiver(seen.clone())?;
    let client = http_client(true);
    let key = signing::key_of(&signing::new_secret()).context("secret")?;
    let caps: Vec<Arc<Semaphore>> = (0..endpoints).map(|_| Arc::new(Semaphore::new(PER_ENDPOINT))).collect();
    // An event as Tollgate queues one: its id, and its body with that id and
    // the time it happened; each of its endpoints gets the same.
    let event = move || {
        let id = tollgate_domain::ids::MessageId::new().as_str().to_owned();
        let body = sample.replace(&sample_id, &id).replace(&sample_ts, &tollgate_app::wire::rfc3339(OffsetDateTime::now_utc()));
        Arc::new((id, body))
    };
    let send = {
        let client = client.clone();
        let url = url.clone();
        move |ev: Arc<(String, String)>, e: usize, cap: Arc<Semaphore>| {
            let client = client.clone();
            let key = key.clone();
            let target = format!("{url}/e{e}");
            async move {
                let _permit = cap.acquire_owned().await.expect("open semaphore");
                let (id, body) = &*ev;
                let ts = OffsetDateTime::now_utc().unix_timestamp();
                let sig = signing::signature_header(std::slice::from_ref(&key), id, ts, body.as_bytes());
                let r = client
                    .post(target)
                    .header("content-type", "application/json")
                    .header("webhook-id", id.as_str())
                    .header("webhook-timestamp", ts.to_string())
                    .header("webhook-signature", sig)
                    .body(body.clone())
                    .send()
                    .await;
                if let Ok(r) = r {
                    let _ = r.bytes().await;
                }
            }
        }
    };
    // The backlog's events exist before the clock starts, as Tollgate's do.
    let backlog: Vec<Arc<(String, String)>> = (0..events).map(|_| event()).collect();
    let from = machine();
    let started = Instant::now();
    let mut set = tokio::task::JoinSet::new();
    for ev in backlog {
        for (e, cap) in caps.iter().enumerate() {
            set.spawn(send(ev.clone(), e, cap.clone()));
        }
    }
    while set.join_next().await.is_some() {}
    let took = started.elapsed();
    wait_for(&seen, events * endpoints, Duration::from_secs(60)).await?;
    let (cpu_us, switches) = per_delivery(from, events * endpoints);
    let delivered_per_s = (events * endpoints) as f64 / took.as_secs_f64();

    seen.delays.lock().unwrap().clear();
    let batch = (rate / 50).max(1);
    let tick = Duration::from_millis(20);
    let mut next = Instant::now();
    let mut made = 0;
    while made < paced {
        let n = batch.min(paced - made);
        for _ in 0..n {
            let ev = event();
            for (e, cap) in caps.iter().enumerate() {
                set.spawn(send(ev.clone(), e, cap.clone()));
            }
        }
        made += n;
        next += tick;
        tokio::time::sleep_until(next.into()).await;
    }
    while set.join_next().await.is_some() {}
    let mut d = std::mem::take(&mut *seen.delays.lock().unwrap());
    rx.stop(false).await;
    Ok(Figures { delivered_per_s, p50_ms: percentile(&mut d, 0.50), p99_ms: percentile(&mut d, 0.99), cpu_us, switches })
}
