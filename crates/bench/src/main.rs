//! `tollgate-bench`: measures Tollgate against a baseline on the same
//! machine in the same run. See crates/bench/README.md.

mod automations;
mod baseline;
mod db;
mod events;
mod fanout;
mod load;
mod reads;
mod tollgate;

use std::net::TcpListener;
use std::time::{Duration, SystemTime, UNIX_EPOCH};

use anyhow::Context;
use clap::{Parser, Subcommand, ValueEnum};
use hyper::header::HeaderValue;
use tollgate_persistence::Backend;

use crate::db::FreshDb;
use crate::load::{Outcome, Source, Spec};

#[derive(Parser)]
#[command(name = "tollgate-bench", about = "Benchmarks for Tollgate, each against a baseline measured in the same run")]
struct Cli {
    #[command(subcommand)]
    command: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Stripe webhook ingest (`POST /webhooks/stripe/{app_id}`) against a bare
    /// verify-and-insert endpoint: baseline, Tollgate, baseline again.
    Ingest(IngestArgs),
    /// Outbound webhook delivery: Tollgate's dispatcher against a bare
    /// reqwest sender with the same per-endpoint cap, same receiver, same run.
    Fanout(FanoutArgs),
    /// Recording activities with 50 automations listening against none:
    /// activities/s and automation runs created/s.
    Automations(AutomationsArgs),
    /// Admin reads at scale: members list with each filter, search, the
    /// activity feed, a member's detail and the export's walk, over 100,000
    /// members, 300,000 grants and 1,000,000 activities.
    Reads(ReadsArgs),
}

#[derive(clap::Args)]
struct ReadsArgs {
    #[arg(long, value_enum, default_value_t = BackendArg::Both)]
    backend: BackendArg,
    #[arg(long, default_value_t = 100_000)]
    members: i64,
    /// Grants per member (over 20 products).
    #[arg(long, default_value_t = 3)]
    grants_per_member: i64,
    #[arg(long, default_value_t = 1_000_000)]
    activities: i64,
    /// Times each read is made.
    #[arg(long, default_value_t = 200)]
    iterations: usize,
}

#[derive(clap::Args)]
struct AutomationsArgs {
    #[arg(long, value_enum, default_value_t = BackendArg::Both)]
    backend: BackendArg,
    #[arg(long, default_value_t = 10_000)]
    activities: usize,
    #[arg(long, default_value_t = 50)]
    automations: usize,
}

#[derive(clap::Args)]
struct FanoutArgs {
    #[arg(long, value_enum, default_value_t = BackendArg::Both)]
    backend: BackendArg,
    /// Events in the backlog (each goes to every endpoint).
    #[arg(long, default_value_t = 10_000)]
    events: usize,
    /// Endpoints subscribed to the events.
    #[arg(long, default_value_t = 3)]
    endpoints: usize,
    /// Events per second in the paced (latency) phase.
    #[arg(long, default_value_t = 200)]
    rate: usize,
    /// Events in the paced phase.
    #[arg(long, default_value_t = 2_000)]
    paced: usize,
    /// Tollgate runs per backend, each between two baseline runs (baseline,
    /// Tollgate, baseline, Tollgate, …, baseline); with more than one, the
    /// medians are reported too. On a machine whose load moves, one run's
    /// ratio can be off by half; the median of several is steadier.
    #[arg(long, default_value_t = 1)]
    rounds: usize,
}

#[derive(clap::Args)]
struct IngestArgs {
    /// Which database to run on.
    #[arg(long, value_enum, default_value_t = BackendArg::Both)]
    backend: BackendArg,
    /// Measured seconds per run.
    #[arg(long, default_value_t = 10)]
    seconds: u64,
    /// Warm-up seconds per run (not measured).
    #[arg(long, default_value_t = 2)]
    warmup: u64,
    /// Concurrent keep-alive connections.
    #[arg(long, default_value_t = 64)]
    connections: usize,
    /// Every request carries a new event id (shorthand for `--mode unique`).
    #[arg(long, conflicts_with = "mode")]
    unique: bool,
    /// `replay`: 2,000 distinct deliveries round-robin, so after the first
    /// pass every delivery is a duplicate; `unique`: a new event id per
    /// request; `both`: one after the other.
    #[arg(long, value_enum)]
    mode: Option<ModeArg>,
    /// Distinct deliveries (replay mode; templates in unique mode).
    #[arg(long, default_value_t = 2000)]
    events: usize,
    /// actix-web workers of each server (default: the machine's cores, as `tollgate serve`).
    #[arg(long)]
    workers: Option<usize>,
    /// Runtime threads of the load generator.
    #[arg(long, default_value_t = 2)]
    client_threads: usize,
    /// Database pool size for both servers (default: Tollgate's, 16; SQLite is capped at 8).
    #[arg(long, default_value_t = 16)]
    pool: u32,
    /// Run only one of the servers (for profiling one of them).
    #[arg(long, value_enum, default_value_t = Only::Both)]
    only: Only,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum BackendArg {
    Sqlite,
    Postgres,
    Both,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum ModeArg {
    Replay,
    Unique,
    Both,
}

#[derive(Clone, Copy, PartialEq, Eq, ValueEnum)]
enum Only {
    Baseline,
    Tollgate,
    Both,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Mode {
    Replay,
    Unique,
}

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum Server {
    Baseline,
    Tollgate,
}

fn backend_name(b: Backend) -> &'static str {
    match b {
        Backend::Sqlite => "sqlite",
        Backend::Postgres => "postgres",
    }
}

fn mode_name(m: Mode) -> &'static str {
    match m {
        Mode::Replay => "replay",
        Mode::Unique => "unique",
    }
}

/// One measured run.
struct Run {
    backend: Backend,
    mode: Mode,
    server: Server,
    outcome: Outcome,
    /// Rows in the server's event table after the run.
    rows: i64,
    /// Tollgate's queued jobs after the run.
    jobs: Option<i64>,
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Cmd::Ingest(args) => {
            let rt = tokio::runtime::Builder::new_multi_thread()
                .worker_threads(args.client_threads.max(1))
                .thread_name("loadgen")
                .enable_all()
                .build()?;
            let ok = rt.block_on(ingest(args))?;
            if !ok {
                std::process::exit(1);
            }
            Ok(())
        }
        Cmd::Automations(a) => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(async move {
                let backends: Vec<Backend> = match a.backend {
                    BackendArg::Sqlite => vec![Backend::Sqlite],
                    BackendArg::Postgres => vec![Backend::Postgres],
                    BackendArg::Both => vec![Backend::Sqlite, Backend::Postgres],
                };
                println!("tollgate-bench automations: {} user.login activities, batches of 500 per transaction", a.activities);
                println!("{:<9} {:<16} {:>13} {:>8} {:>10}", "backend", "automations", "activities/s", "runs", "runs/s");
                for b in backends {
                    let base = automations::measure(b, a.activities, 0).await?;
                    let with = automations::measure(b, a.activities, a.automations).await?;
                    let again = automations::measure(b, a.activities, 0).await?;
                    for (n, f) in [(0, &base), (a.automations, &with), (0, &again)] {
                        println!("{:<9} {:<16} {:>13.0} {:>8} {:>10.0}", backend_name(b), n, f.activities_per_s, f.runs, f.runs_per_s);
                    }
                    let mean = (base.activities_per_s + again.activities_per_s) / 2.0;
                    println!("{}: activities/s with {} automations / without: {:.2}", backend_name(b), a.automations, with.activities_per_s / mean);
                }
                anyhow::Ok(())
            })
        }
        Cmd::Reads(a) => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(async move {
                let backends: Vec<Backend> = match a.backend {
                    BackendArg::Sqlite => vec![Backend::Sqlite],
                    BackendArg::Postgres => vec![Backend::Postgres],
                    BackendArg::Both => vec![Backend::Sqlite, Backend::Postgres],
                };
                for b in backends {
                    eprintln!("seeding {} (load average {}) ...", backend_name(b), loadavg());
                    let sizes = reads::Sizes { members: a.members, grants_per_member: a.grants_per_member, activities: a.activities, products: 20 };
                    let f = reads::measure(b, sizes, a.iterations).await?;
                    println!(
                        "\n{}: {} members, {} grants, {} activities seeded in {:.0} s; each read {} times (load average {})",
                        backend_name(b),
                        a.members,
                        a.members * a.grants_per_member,
                        a.activities,
                        f.seed_s,
                        a.iterations,
                        loadavg()
                    );
                    println!("| read | p50 ms | p99 ms | max ms |\n|---|---|---|---|");
                    for r in &f.rows {
                        println!("| {} | {:.2} | {:.2} | {:.2} |", r.name, r.p50_ms, r.p99_ms, r.max_ms);
                    }
                    println!(
                        "export walk: {} members in {:.2} s ({:.0} rows/s), RSS growth {:.1} MB",
                        f.export_rows,
                        f.export_s,
                        f.export_rows as f64 / f.export_s,
                        f.rss_growth_mb
                    );
                }
                anyhow::Ok(())
            })
        }
        Cmd::Fanout(args) => {
            let rt = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
            rt.block_on(fanout_cmd(args))
        }
    }
}

async fn fanout_cmd(a: FanoutArgs) -> anyhow::Result<()> {
    let backends: Vec<Backend> = match a.backend {
        BackendArg::Sqlite => vec![Backend::Sqlite],
        BackendArg::Postgres => vec![Backend::Postgres],
        BackendArg::Both => vec![Backend::Sqlite, Backend::Postgres],
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    println!(
        "tollgate-bench fanout: {} events x {} endpoints backlog, then {} events at {}/s; per-endpoint cap {}; {cores} cores",
        a.events, a.endpoints, a.paced, a.rate, tollgate_app::outbound::dispatch::PER_ENDPOINT
    );
    println!("{:<9} {:<10} {:>13} {:>10} {:>10} {:>13} {:>13}", "backend", "sender", "delivered/s", "p50", "p99", "CPU µs/dlv", "switches/dlv");
    anyhow::ensure!(a.rounds > 0, "--rounds must be positive");
    for b in backends {
        eprintln!("baseline (load average {}) ...", loadavg());
        let mut before = fanout::baseline(a.events, a.endpoints, a.rate, a.paced).await?;
        print_fanout(b, "baseline", &before);
        let mut ratios = Vec::new();
        let mut cpu_ratios = Vec::new();
        for round in 1..=a.rounds {
            eprintln!("tollgate on {}, round {round} of {} (load average {}) ...", backend_name(b), a.rounds, loadavg());
            let t = fanout::tollgate(b, a.events, a.endpoints, a.rate, a.paced).await?;
            eprintln!("baseline again (load average {}) ...", loadavg());
            let after = fanout::baseline(a.events, a.endpoints, a.rate, a.paced).await?;
            print_fanout(b, "tollgate", &t);
            print_fanout(b, "baseline", &after);
            // Against the baseline runs on either side of this one.
            let base_rate = (before.delivered_per_s + after.delivered_per_s) / 2.0;
            let base_p99 = (before.p99_ms + after.p99_ms) / 2.0;
            let base_cpu = (before.cpu_us + after.cpu_us) / 2.0;
            let (ratio, cpu_ratio) = (t.delivered_per_s / base_rate, base_cpu / t.cpu_us);
            println!(
                "tollgate/baseline delivered/s, {}: {ratio:.2}; event->delivered p99 {:.1} ms vs {:.1} ms; baseline/tollgate CPU per delivery {cpu_ratio:.2}",
                backend_name(b), t.p99_ms, base_p99
            );
            ratios.push(ratio);
            cpu_ratios.push(cpu_ratio);
            before = after;
        }
        if a.rounds > 1 {
            println!(
                "median of {} rounds, {}: tollgate/baseline delivered/s {:.2} (runs {}); baseline/tollgate CPU per delivery {:.2}",
                a.rounds, backend_name(b), median(&mut ratios.clone()), list(&ratios), median(&mut cpu_ratios)
            );
        }
    }
    Ok(())
}

fn print_fanout(b: Backend, name: &str, f: &fanout::Figures) {
    println!(
        "{:<9} {:<10} {:>13.0} {:>7.1} ms {:>7.1} ms {:>13.1} {:>13.2}",
        backend_name(b), name, f.delivered_per_s, f.p50_ms, f.p99_ms, f.cpu_us, f.switches
    );
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    match v.len() {
        0 => f64::NAN,
        n if n % 2 == 1 => v[n / 2],
        n => (v[n / 2 - 1] + v[n / 2]) / 2.0,
    }
}

fn list(v: &[f64]) -> String {
    v.iter().map(|x| format!("{x:.2}")).collect::<Vec<_>>().join(", ")
}

fn unix_now() -> i64 {
    SystemTime::now().duration_since(UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

async fn ingest(args: IngestArgs) -> anyhow::Result<bool> {
    anyhow::ensure!(args.events > 0 && args.connections > 0 && args.seconds > 0, "--events, --connections and --seconds must be positive");
    let backends: Vec<Backend> = match args.backend {
        BackendArg::Sqlite => vec![Backend::Sqlite],
        BackendArg::Postgres => vec![Backend::Postgres],
        BackendArg::Both => vec![Backend::Sqlite, Backend::Postgres],
    };
    let modes: Vec<Mode> = match (args.unique, args.mode) {
        (true, _) | (false, Some(ModeArg::Unique)) => vec![Mode::Unique],
        (false, None | Some(ModeArg::Replay)) => vec![Mode::Replay],
        (false, Some(ModeArg::Both)) => vec![Mode::Replay, Mode::Unique],
    };
    let servers: Vec<Server> = match args.only {
        Only::Both => vec![Server::Baseline, Server::Tollgate, Server::Baseline],
        Only::Baseline => vec![Server::Baseline],
        Only::Tollgate => vec![Server::Tollgate],
    };
    let cores = std::thread::available_parallelism().map(|n| n.get()).unwrap_or(1);
    let workers = args.workers.unwrap_or(cores);
    let sample = events::deliveries(0, args.events, unix_now())?;
    let mean_size = sample.iter().map(|d| d.body.len()).sum::<usize>() / sample.len();
    drop(sample);

    println!("tollgate-bench ingest: {} distinct customer.subscription.updated deliveries (mean {:.1} KB), {} connections, {} s warm-up + {} s measured per run",
        args.events, mean_size as f64 / 1000.0, args.connections, args.warmup, args.seconds);
    println!("machine: {cores} cores; each server: {workers} actix workers, pool {} (SQLite {}); load generator: {} threads, same process",
        args.pool, db::effective_pool(Backend::Sqlite, args.pool), args.client_threads);
    if backends.contains(&Backend::Postgres) {
        println!("postgres: {}", redact(&db::pg_admin_url()));
    }

    let emulator = if servers.contains(&Server::Tollgate) {
        eprintln!("starting the Stripe emulator (tools/testkit) for the app's Stripe connection");
        Some(tollgate::Emulator::start()?)
    } else {
        None
    };
    let secret = format!("whsec_bench{}", uuid::Uuid::new_v4().simple());

    let mut runs = Vec::new();
    for &backend in &backends {
        for &mode in &modes {
            for &server in &servers {
                eprintln!("running {} {} {:?} (load average {}) ...", backend_name(backend), mode_name(mode), server, loadavg());
                let run = measure(&args, backend, mode, server, workers, &secret, emulator.as_ref().map(|e| e.base.as_str())).await?;
                let o = &run.outcome;
                eprintln!(
                    "  {:.0} req/s, p50 {}, p99 {}, errors {}, answered {} (stored {}, duplicate {}), rows {}{}",
                    o.rps(), ms(o.p50()), ms(o.p99()), o.errors, o.total, o.stored, o.duplicate, run.rows,
                    run.jobs.map(|j| format!(", jobs {j}")).unwrap_or_default()
                );
                if let Some(e) = &o.first_error {
                    eprintln!("  first error: {e}");
                }
                runs.push(run);
            }
        }
    }
    drop(emulator);
    Ok(report(&runs, &backends, &modes))
}

/// The 1-minute load average, to spot a machine busy with something else.
fn loadavg() -> String {
    std::fs::read_to_string("/proc/loadavg").ok().and_then(|s| s.split_whitespace().next().map(str::to_owned)).unwrap_or_else(|| "?".into())
}

fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => match url[s + 3..at].split_once(':') {
            Some((user, _)) => format!("{}{}:***{}", &url[..s + 3], user, &url[at..]),
            None => url.to_owned(),
        },
        _ => url.to_owned(),
    }
}

async fn measure(args: &IngestArgs, backend: Backend, mode: Mode, server: Server, workers: usize, secret: &str, stripe_base: Option<&str>) -> anyhow::Result<Run> {
    let label = match server {
        Server::Baseline => "baseline",
        Server::Tollgate => "tollgate",
    };
    let fresh = FreshDb::create(backend, label, args.pool).await.with_context(|| format!("creating a {} database", backend_name(backend)))?;
    let listener = TcpListener::bind("127.0.0.1:0")?;
    let addr = listener.local_addr()?;
    let (http, path, table) = match server {
        Server::Baseline => {
            baseline::create_table(&fresh.db).await?;
            (baseline::serve(listener, fresh.db.clone(), secret.to_owned(), workers)?, "/webhooks/stripe/app_baseline".to_owned(), baseline::TABLE)
        }
        Server::Tollgate => {
            let base = stripe_base.context("the Stripe emulator is not running")?;
            let (services, app_id) = tollgate::prepare(&fresh.db, base, secret).await?;
            (tollgate::serve(listener, services, workers)?, format!("/webhooks/stripe/{app_id}"), "inbox_events")
        }
    };
    let handle = http.handle();
    let running = tokio::spawn(http);

    let run_id: u32 = rand_u32();
    let now = unix_now();
    let deliveries = events::deliveries(run_id, args.events, now)?;
    let source = match mode {
        Mode::Replay => Source::Replay(
            deliveries
                .iter()
                .map(|d| {
                    let sig = tollgate_stripe::webhook::sign(&d.body, secret, now);
                    (d.body.clone(), HeaderValue::from_str(&sig).expect("a signature is a valid header"))
                })
                .collect(),
        ),
        Mode::Unique => Source::Unique { templates: deliveries, secret: secret.to_owned(), timestamp: now, run: run_id },
    };
    let spec = Spec {
        addr,
        path,
        connections: args.connections,
        warmup: Duration::from_secs(args.warmup),
        measure: Duration::from_secs(args.seconds),
    };
    let outcome = load::run(spec, source).await;
    handle.stop(false).await;
    let _ = running.await;
    let rows = fresh.count(table).await?;
    let jobs = match server {
        Server::Tollgate => Some(fresh.count("jobs").await?),
        Server::Baseline => None,
    };
    fresh.remove().await?;
    Ok(Run { backend, mode, server, outcome, rows, jobs })
}

fn rand_u32() -> u32 {
    let u = uuid::Uuid::new_v4();
    let b = u.as_bytes();
    u32::from_le_bytes([b[0], b[1], b[2], b[3]])
}

fn ms(d: Duration) -> String {
    format!("{:.2} ms", d.as_secs_f64() * 1000.0)
}

/// Prints the table; returns false if any run had errors.
fn report(runs: &[Run], backends: &[Backend], modes: &[Mode]) -> bool {
    let mut valid = true;
    println!();
    println!("{:<9} {:<7} {:<16} {:>9} {:>10} {:>10} {:>7} {:>8} {:>8}", "backend", "mode", "server", "req/s", "p50", "p99", "errors", "rows", "jobs");
    let mut ratios = Vec::new();
    for &backend in backends {
        for &mode in modes {
            let these: Vec<&Run> = runs.iter().filter(|r| r.backend == backend && r.mode == mode).collect();
            let mut b_index = 0;
            for r in &these {
                let name = match r.server {
                    Server::Baseline => {
                        b_index += 1;
                        format!("baseline #{b_index}")
                    }
                    Server::Tollgate => "tollgate".to_owned(),
                };
                let o = &r.outcome;
                if o.errors > 0 {
                    valid = false;
                }
                println!(
                    "{:<9} {:<7} {:<16} {:>9.0} {:>10} {:>10} {:>7} {:>8} {:>8}",
                    backend_name(backend), mode_name(mode), name, o.rps(), ms(o.p50()), ms(o.p99()), o.errors, r.rows,
                    r.jobs.map(|j| j.to_string()).unwrap_or_else(|| "-".into())
                );
            }
            let base: Vec<&Outcome> = these.iter().filter(|r| r.server == Server::Baseline).map(|r| &r.outcome).collect();
            let toll = these.iter().find(|r| r.server == Server::Tollgate).map(|r| &r.outcome);
            if base.len() > 1 {
                let n = base.len() as f64;
                let rps = base.iter().map(|o| o.rps()).sum::<f64>() / n;
                let p50 = base.iter().map(|o| o.p50().as_secs_f64()).sum::<f64>() / n;
                let p99 = base.iter().map(|o| o.p99().as_secs_f64()).sum::<f64>() / n;
                println!(
                    "{:<9} {:<7} {:<16} {:>9.0} {:>10} {:>10}",
                    backend_name(backend), mode_name(mode), "baseline mean", rps, ms(Duration::from_secs_f64(p50)), ms(Duration::from_secs_f64(p99))
                );
            }
            if let (Some(t), false) = (toll, base.is_empty()) {
                let rps = base.iter().map(|o| o.rps()).sum::<f64>() / base.len() as f64;
                ratios.push((backend, mode, t.rps() / rps));
            }
        }
    }
    if !ratios.is_empty() {
        println!();
        for (backend, mode, ratio) in ratios {
            let flag = if ratio < 0.70 { "  (below 0.70)" } else { "" };
            println!("tollgate/baseline req/s, {} {}: {:.2}{flag}", backend_name(backend), mode_name(mode), ratio);
        }
    }
    if !valid {
        println!();
        println!("INVALID: some requests failed (non-2xx or transport errors); see the errors column and the first error above.");
    }
    valid
}
