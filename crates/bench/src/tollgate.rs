//! Tollgate as it serves: `tollgate_http::serve` on a fresh migrated
//! database, one app connected to Stripe in manual webhook mode (a signing
//! secret given, so no endpoint is registered). The connection is made
//! against the Stripe emulator in `tools/testkit`, which answers the
//! account lookup `stripe_connect` does. No job worker runs: queued
//! `stripe_event` jobs just accumulate as rows.

use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::sync::Arc;

use actix_web::dev::Server;
use anyhow::Context;
use secrecy::SecretString;
use tollgate_app::crypto::Keys;
use tollgate_app::stripe::ConnectInput;
use tollgate_app::usecases::admin_auth::NewAdminAndApp;
use tollgate_app::{Services, ServicesConfig};
use tollgate_domain::clock::SystemClock;
use tollgate_persistence::Db;

/// The localstripe launcher, running for as long as this value lives.
pub struct Emulator {
    child: Child,
    pub base: String,
}

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

impl Emulator {
    pub fn start() -> anyhow::Result<Emulator> {
        let root = repo_root();
        let setup = Command::new("bash")
            .arg(root.join("tools/testkit/setup.sh"))
            .stderr(Stdio::inherit())
            .output()
            .context("running tools/testkit/setup.sh")?;
        anyhow::ensure!(setup.status.success(), "tools/testkit/setup.sh failed");
        let python = String::from_utf8(setup.stdout)?.lines().last().unwrap_or_default().trim().to_owned();
        let mut child = Command::new(python)
            .arg(root.join("tools/testkit/localstripe_launcher.py"))
            .args(["--port", "0", "--exit-on-stdin-eof", "--account-name", "Bench Academy LLC"])
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .context("starting the Stripe emulator")?;
        let mut line = String::new();
        BufReader::new(child.stdout.take().context("emulator stdout")?).read_line(&mut line)?;
        let port: u16 = line
            .trim()
            .strip_prefix("LISTENING ")
            .and_then(|p| p.parse().ok())
            .with_context(|| format!("the emulator said {line:?}, not LISTENING <port>"))?;
        Ok(Emulator { child, base: format!("http://127.0.0.1:{port}") })
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        // Closing stdin ends it (--exit-on-stdin-eof); kill in case it hangs.
        drop(self.child.stdin.take());
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Makes the app deliveries are posted to. Returns its id.
pub async fn prepare(db: &Db, stripe_api_base: &str, webhook_secret: &str) -> anyhow::Result<(Services, String)> {
    db.migrate().await.context("migrating Tollgate's database")?;
    let mut cfg = ServicesConfig::new("http://127.0.0.1:8080");
    cfg.stripe.api_base = stripe_api_base.to_owned();
    let keys = Keys::from_master(&[42u8; 32]).map_err(|e| anyhow::anyhow!("{e}"))?;
    let services = Services::new(db.clone(), Arc::new(SystemClock), keys, cfg);
    let (_, app) = services
        .create_admin_and_app(
            NewAdminAndApp {
                email: "bench@example.com".into(),
                password: "correct horse battery staple".into(),
                name: "Bench".into(),
                app_name: "Bench Academy".into(),
                site_url: None,
            },
            false,
        )
        .await
        .map_err(|e| anyhow::anyhow!("creating the app: {e}"))?;
    services
        .stripe_connect(
            &app.id,
            ConnectInput {
                secret_key: SecretString::from("sk_test_tollgatebench0000000000".to_owned()),
                webhook_secret: Some(SecretString::from(webhook_secret.to_owned())),
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("connecting Stripe (emulator at {stripe_api_base}): {e}"))?;
    Ok((services, app.id.as_str().to_owned()))
}

pub fn serve(listener: TcpListener, services: Services, workers: usize) -> std::io::Result<Server> {
    tollgate_http::serve(listener, services, tollgate_http::HttpOptions { frontend_dir: None, workers: Some(workers) })
}
