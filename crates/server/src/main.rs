//! `tollgate`: serve the API and SPA, run background jobs, migrate, manage admins.

mod config;

use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::Arc;

use anyhow::Context;
use clap::{Parser, Subcommand};
use tollgate_app::crypto::Keys;
use tollgate_app::usecases::admin_auth::NewAdminAndApp;
use tollgate_app::worker::Worker;
use tollgate_app::{Services, ServicesConfig};
use tollgate_domain::clock::SystemClock;
use tollgate_persistence::{Db, DbOptions};

use secrecy::ExposeSecret;

use crate::config::{Config, redact_url};

#[derive(Parser)]
#[command(name = "tollgate", version, about = "Tollgate: a self-hostable membership hub")]
struct Cli {
    /// A TOML configuration file (default: ./tollgate.toml when present).
    #[arg(long, global = true, env = "TOLLGATE_CONFIG")]
    config: Option<PathBuf>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Serve the API and the SPA; also runs background jobs unless run_worker=false.
    Serve,
    /// Run background jobs only (several may share a PostgreSQL database).
    Worker,
    /// Apply database migrations.
    Migrate,
    /// Copy the SQLite database into a new FILE, safely while `serve` runs
    /// (PostgreSQL: use pg_dump; see the README's Backups section).
    Backup {
        /// The backup file to create (never overwritten).
        file: PathBuf,
    },
    /// Manage admins.
    Admin {
        #[command(subcommand)]
        command: AdminCommand,
    },
    /// Stripe connector operations.
    Stripe {
        #[command(subcommand)]
        command: StripeCommand,
    },
    /// Print the OpenAPI document (`--check FILE` fails if FILE differs).
    Openapi {
        #[arg(long)]
        check: Option<PathBuf>,
    },
    /// Print the version.
    Version,
}

#[derive(Subcommand)]
enum AdminCommand {
    /// Create an admin who owns a new app.
    Create {
        #[arg(long)]
        email: String,
        /// At least 10 characters.
        #[arg(long, env = "TOLLGATE_ADMIN_PASSWORD", hide_env_values = true)]
        password: String,
        #[arg(long, default_value = "")]
        name: String,
        #[arg(long)]
        app_name: String,
        #[arg(long)]
        site_url: Option<String>,
    },
}

#[derive(Subcommand)]
enum StripeCommand {
    /// Fetch events Stripe has (last 30 days) that were not delivered and process them.
    SyncEvents {
        /// One app; default: every connected app.
        #[arg(long)]
        app: Option<String>,
    },
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    match cli.command {
        Command::Version => {
            println!("tollgate {}", env!("CARGO_PKG_VERSION"));
            Ok(())
        }
        Command::Openapi { check } => {
            let doc = tollgate_http::openapi_json();
            match check {
                None => print!("{doc}"),
                Some(path) => {
                    let committed = std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?;
                    anyhow::ensure!(
                        committed == doc,
                        "{} is out of date; regenerate it with: cargo run -p tollgate -- openapi > {}",
                        path.display(),
                        path.display()
                    );
                    println!("{} is up to date", path.display());
                }
            }
            Ok(())
        }
        command => {
            let cfg = Config::load(cli.config.as_deref())?;
            init_tracing(&cfg.log_format);
            run(cfg, command).await
        }
    }
}

fn init_tracing(format: &str) {
    let filter = tracing_subscriber::EnvFilter::try_from_env("TOLLGATE_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("info,sqlx=warn,actix_server=warn"));
    let b = tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr);
    if format == "json" {
        b.json().flatten_event(true).init();
    } else {
        b.init();
    }
}

async fn services(cfg: &Config) -> anyhow::Result<Services> {
    let db = Db::connect(&DbOptions::new(cfg.database_url.clone()))
        .await
        .with_context(|| format!("opening the database {}", redact_url(&cfg.database_url)))?;
    db.migrate().await.context("applying migrations")?;
    let keys = Keys::from_master(&cfg.master_secret()?).map_err(|e| anyhow::anyhow!("{e}"))?;
    let mut sc = ServicesConfig::new(cfg.public_url());
    // An empty host (e.g. an unset variable in docker-compose) means no SMTP.
    sc.smtp = cfg.smtp.clone().filter(|s| !s.host.trim().is_empty());
    sc.mail_from = cfg.mail_from.clone();
    sc.stripe = cfg.stripe.clone();
    sc.outbound = cfg.outbound.clone();
    sc.crm = cfg.crm.clone();
    sc.audit = cfg.audit.clone();
    sc.throttle = cfg.throttle.clone();
    sc.media_dir = cfg.data_dir.join("media");
    Ok(Services::new(db, Arc::new(SystemClock), keys, sc))
}

/// The separate `/metrics` address, when configured: started, and its handle.
fn metrics_server(cfg: &Config, s: &Services) -> anyhow::Result<Option<actix_web::dev::ServerHandle>> {
    let Some(bind) = &cfg.metrics.bind else { return Ok(None) };
    let listener = TcpListener::bind(bind).with_context(|| format!("binding the metrics address {bind}"))?;
    let server = tollgate_http::metrics::serve_metrics(listener, s.clone())?;
    let handle = server.handle();
    tokio::spawn(server);
    println!("Metrics at http://{bind}/metrics");
    Ok(Some(handle))
}

async fn shutdown_signal() {
    let ctrl_c = tokio::signal::ctrl_c();
    #[cfg(unix)]
    {
        let mut term = tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()).expect("signal handler");
        tokio::select! { _ = ctrl_c => {}, _ = term.recv() => {} }
    }
    #[cfg(not(unix))]
    let _ = ctrl_c.await;
}

async fn run(cfg: Config, command: Command) -> anyhow::Result<()> {
    match command {
        Command::Migrate => {
            let db = Db::connect(&DbOptions::new(cfg.database_url.clone())).await?;
            db.migrate().await?;
            println!("migrations applied to {}", redact_url(&cfg.database_url));
            Ok(())
        }
        Command::Backup { file } => {
            let info = tollgate_persistence::backup::sqlite_backup(&cfg.database_url, &file).await.map_err(|e| anyhow::anyhow!("backup failed: {e}"))?;
            println!(
                "backed up {} to {} ({} bytes, {} migrations, integrity ok)",
                info.source.display(),
                file.display(),
                info.bytes,
                info.migrations
            );
            println!("the instance secret ({}/secret.key or TOLLGATE_SECRET_KEY) is not in the backup: keep a copy of it too", cfg.data_dir.display());
            Ok(())
        }
        Command::Admin { command: AdminCommand::Create { email, password, name, app_name, site_url } } => {
            let s = services(&cfg).await?;
            match s.create_admin_and_app(NewAdminAndApp { email, password, name, app_name, site_url }, false).await {
                Ok((admin, app)) => {
                    println!("created admin {} ({}) owning app {} ({})", admin.email, admin.id, app.name, app.id);
                    println!("log in at {}/login or POST {}/api/v1/auth/login", cfg.public_url(), cfg.public_url());
                    Ok(())
                }
                Err(tollgate_app::AppError::Validation(v)) => {
                    for f in v.0 {
                        eprintln!("{}: {}", f.field, f.message);
                    }
                    anyhow::bail!("admin not created")
                }
                Err(e) => Err(anyhow::anyhow!("{e}")),
            }
        }
        Command::Stripe { command: StripeCommand::SyncEvents { app } } => {
            let s = services(&cfg).await?;
            let apps = match app {
                Some(a) => vec![tollgate_domain::ids::AppId::parse(&a).map_err(|e| anyhow::anyhow!("--app: {}", e.message))?],
                None => {
                    let mut c = s.db.acquire().await?;
                    tollgate_persistence::apps::list_ids(&mut c.conn(), None).await?
                }
            };
            for app in apps {
                if s.stripe_connection(&app).await.map_err(|e| anyhow::anyhow!("{e}"))?.is_none() {
                    continue;
                }
                let n = s.recover_stripe_events(&app).await.map_err(|e| anyhow::anyhow!("{app}: {e}"))?;
                println!("{app}: {n} event(s) recovered");
            }
            // Process what was recovered now.
            let w = Worker::new(s.clone());
            while w.run_once().await.map_err(|e| anyhow::anyhow!("{e}"))? > 0 {}
            Ok(())
        }
        Command::Worker => {
            let s = services(&cfg).await?;
            let metrics = metrics_server(&cfg, &s)?;
            Worker::new(s).run(shutdown_signal()).await;
            if let Some(m) = metrics {
                m.stop(true).await;
            }
            Ok(())
        }
        Command::Serve => {
            let s = services(&cfg).await?;
            let listener = TcpListener::bind(&cfg.bind).with_context(|| format!("binding {}", cfg.bind))?;
            let addr = listener.local_addr()?;
            let frontend = cfg.frontend_dir.join("index.html").is_file().then(|| cfg.frontend_dir.clone());
            let metrics_opts = tollgate_http::metrics::MetricsOptions { token: cfg.metrics.token.as_ref().map(|t| t.expose_secret().to_owned()), open: false };
            let server = tollgate_http::serve_with(listener, s.clone(), tollgate_http::HttpOptions { frontend_dir: frontend.clone(), workers: cfg.http_workers }, metrics_opts)?;
            let metrics = metrics_server(&cfg, &s)?;
            let handle = server.handle();
            let (stop_tx, stop_rx) = tokio::sync::oneshot::channel::<()>();
            let worker = cfg.run_worker.then(|| {
                tokio::spawn(Worker::new(s.clone()).run(async move {
                    let _ = stop_rx.await;
                }))
            });
            let url = cfg.public_url();
            println!("Tollgate listening on http://{addr} (public URL {url})");
            match frontend {
                Some(_) => println!("Open {url}/ in a browser; API docs at {url}/api/docs/"),
                None => println!("SPA not built (run `npm --prefix frontend ci && npm --prefix frontend run build`); API docs at {url}/api/docs/"),
            }
            if s.needs_setup().await.unwrap_or(false) {
                println!("No admin yet: open {url}/ to set up, or run `tollgate admin create --email you@example.com --app-name \"My site\"` (password via --password or TOLLGATE_ADMIN_PASSWORD)");
            }
            tokio::spawn(async move {
                shutdown_signal().await;
                handle.stop(true).await;
            });
            server.await?;
            if let Some(m) = metrics {
                m.stop(true).await;
            }
            let _ = stop_tx.send(());
            if let Some(w) = worker {
                let _ = w.await;
            }
            s.db.close().await;
            Ok(())
        }
        Command::Version | Command::Openapi { .. } => unreachable!("handled before configuration"),
    }
}
