//! Configuration: defaults, then an optional TOML file, then `TOLLGATE_*`
//! environment variables (nested keys with `__`, e.g. `TOLLGATE_SMTP__HOST`).

use std::path::{Path, PathBuf};

use anyhow::Context;
use base64::Engine;
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tollgate_app::StripeSettings;
use tollgate_app::mail::SmtpConfig;

#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Defaults {
    pub database_url: String,
    pub data_dir: String,
    pub bind: String,
    pub frontend_dir: String,
    pub log_format: String,
    pub run_worker: bool,
    pub mail_from: String,
}

impl Default for Defaults {
    fn default() -> Self {
        Self {
            database_url: "sqlite://./data/tollgate.db".into(),
            data_dir: "./data".into(),
            bind: "127.0.0.1:8080".into(),
            frontend_dir: "frontend/dist".into(),
            log_format: "pretty".into(),
            run_worker: true,
            mail_from: "Tollgate <no-reply@localhost>".into(),
        }
    }
}

#[derive(Deserialize)]
pub struct Config {
    /// `sqlite://path` (default, created on first run) or `postgres://…`.
    pub database_url: String,
    /// Where the SQLite file and the generated instance key live.
    pub data_dir: PathBuf,
    pub bind: String,
    /// The URL members and Stripe reach Tollgate at (default: http://<bind>).
    pub public_url: Option<String>,
    /// The instance secret (base64, ≥ 32 bytes). Default: generated once into `<data_dir>/secret.key`.
    pub secret_key: Option<SecretString>,
    pub frontend_dir: PathBuf,
    /// `pretty` or `json`.
    pub log_format: String,
    /// Run the job worker inside `serve` (default true).
    pub run_worker: bool,
    pub http_workers: Option<usize>,
    pub smtp: Option<SmtpConfig>,
    pub mail_from: String,
    /// Stripe API and Connect base URLs, Connect OAuth client id and platform key.
    #[serde(default)]
    pub stripe: StripeSettings,
    /// CRM connectors: `[crm.keap]` api_base, authorize_url, token_url,
    /// client_id, client_secret (OAuth); `reconcile_minutes` (default 15).
    #[serde(default)]
    pub crm: tollgate_app::crm::CrmConfig,
    /// Audit log: `retention_days` (default 365; 0 keeps entries forever).
    #[serde(default)]
    pub audit: tollgate_app::audit::AuditSettings,
    /// Outbound webhooks: `allow_private_networks` lets endpoints live on loopback/LAN addresses.
    #[serde(default)]
    pub outbound: tollgate_app::outbound::OutboundSettings,
    /// Throttling of password guessing and emailed links, and the reverse
    /// proxies whose `X-Forwarded-For` is believed (none by default).
    #[serde(default)]
    pub throttle: tollgate_app::throttle::ThrottleSettings,
    /// `GET /metrics` (Prometheus): off unless a token or a bind address is set.
    #[serde(default)]
    pub metrics: MetricsSettings,
}

/// How Prometheus reaches `/metrics`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MetricsSettings {
    /// Serve `/metrics` on the main address to requests with this bearer token.
    pub token: Option<SecretString>,
    /// Also serve `/metrics`, without a token, on this address (e.g. `127.0.0.1:9464`);
    /// `tollgate worker` serves its own figures there.
    pub bind: Option<String>,
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &redact_url(&self.database_url))
            .field("data_dir", &self.data_dir)
            .field("bind", &self.bind)
            .field("public_url", &self.public_url)
            .field("secret_key", &self.secret_key.as_ref().map(|_| "[redacted]"))
            .field("frontend_dir", &self.frontend_dir)
            .field("smtp", &self.smtp)
            .field("throttle", &self.throttle)
            .field("metrics_bind", &self.metrics.bind)
            .finish_non_exhaustive()
    }
}

/// Hides a password in a database URL.
pub fn redact_url(u: &str) -> String {
    match (u.find("://"), u.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &u[s + 3..at];
            let user = creds.split(':').next().unwrap_or("");
            format!("{}://{}:***@{}", &u[..s], user, &u[at + 1..])
        }
        _ => u.to_owned(),
    }
}

impl Config {
    pub fn load(file: Option<&Path>) -> anyhow::Result<Config> {
        let mut fig = Figment::from(Serialized::defaults(Defaults::default()));
        match file {
            Some(f) => {
                anyhow::ensure!(f.is_file(), "config file {} not found", f.display());
                fig = fig.merge(Toml::file(f));
            }
            None => fig = fig.merge(Toml::file("tollgate.toml")),
        }
        fig = fig.merge(Env::prefixed("TOLLGATE_").split("__"));
        fig.extract().context("invalid configuration")
    }

    pub fn public_url(&self) -> String {
        self.public_url.clone().unwrap_or_else(|| format!("http://{}", self.bind)).trim_end_matches('/').to_owned()
    }

    /// The instance master secret: configured, or read from / generated into the data dir.
    pub fn master_secret(&self) -> anyhow::Result<Vec<u8>> {
        let decode = |s: &str| base64::engine::general_purpose::STANDARD.decode(s.trim()).context("secret_key must be base64");
        if let Some(k) = &self.secret_key {
            let b = decode(k.expose_secret())?;
            anyhow::ensure!(b.len() >= 32, "secret_key must decode to at least 32 bytes");
            return Ok(b);
        }
        let path = self.data_dir.join("secret.key");
        if path.is_file() {
            let b = decode(&std::fs::read_to_string(&path).with_context(|| format!("reading {}", path.display()))?)?;
            anyhow::ensure!(b.len() >= 32, "{} is too short", path.display());
            return Ok(b);
        }
        std::fs::create_dir_all(&self.data_dir).with_context(|| format!("creating {}", self.data_dir.display()))?;
        let mut b = vec![0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut b);
        write_private(&path, &base64::engine::general_purpose::STANDARD.encode(&b))?;
        eprintln!("Generated a new instance secret at {} (keep it: it decrypts stored secrets)", path.display());
        Ok(b)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new().write(true).create_new(true).mode(0o600).open(path)?;
    f.write_all(content.as_bytes())?;
    Ok(())
}

#[cfg(not(unix))]
fn write_private(path: &Path, content: &str) -> anyhow::Result<()> {
    std::fs::write(path, content)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn throttle_settings_have_safe_defaults_and_parse_proxies() {
        let dir = std::env::temp_dir().join(format!("tollgate-config-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tollgate.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9\"\n").unwrap();
        let c = Config::load(Some(&file)).unwrap();
        assert!(c.throttle.trusted_proxies.is_empty(), "no proxy is trusted unless configured");
        assert_eq!((c.throttle.account_failures, c.throttle.magic_links_per_hour), (10, 5));
        std::fs::write(&file, "[throttle]\ntrusted_proxies = [\"10.0.0.0/8\", \"::1\"]\naccount_failures = 5\n").unwrap();
        let c = Config::load(Some(&file)).unwrap();
        assert_eq!(c.throttle.trusted_proxies, vec!["10.0.0.0/8".parse().unwrap(), "::1".parse().unwrap()]);
        assert_eq!((c.throttle.account_failures, c.throttle.ip_failures_burst), (5, 30));
        std::fs::write(&file, "[throttle]\ntrusted_proxies = [\"the load balancer\"]\n").unwrap();
        let e = format!("{:#}", Config::load(Some(&file)).err().expect("a bad proxy is refused"));
        assert!(e.contains("not an IP address or CIDR range"), "{e}");
        std::fs::write(&file, "[throttle]\naccount_failure = 5\n").unwrap();
        assert!(Config::load(Some(&file)).is_err(), "a misspelt limit is refused, not ignored");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn audit_retention_defaults_to_a_year_and_zero_keeps_forever() {
        let dir = std::env::temp_dir().join(format!("tollgate-config-audit-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let file = dir.join("tollgate.toml");
        std::fs::write(&file, "bind = \"127.0.0.1:9\"\n").unwrap();
        assert_eq!(Config::load(Some(&file)).unwrap().audit.retention_days, 365);
        std::fs::write(&file, "[audit]\nretention_days = 0\n").unwrap();
        assert_eq!(Config::load(Some(&file)).unwrap().audit.retention_days, 0);
        std::fs::write(&file, "[audit]\nretention_day = 30\n").unwrap();
        assert!(Config::load(Some(&file)).is_err(), "a misspelt key is refused, not ignored");
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn urls_are_redacted() {
        assert_eq!(redact_url("postgres://tg:s3cret@db:5432/tollgate"), "postgres://tg:***@db:5432/tollgate");
        assert_eq!(redact_url("sqlite://./data/tollgate.db"), "sqlite://./data/tollgate.db");
    }
}
