use std::sync::Arc;

use tollgate_domain::clock::Clock;
use tollgate_persistence::Db;

pub use crate::config::StripeSettings;
use crate::config::{AuditSettings, CrmConfig, OutboundSettings, SmtpConfig, ThrottleSettings};
use crate::crypto::Keys;
use crate::mailer::Mailer;


/// Settings the use cases need from configuration.
#[derive(Debug, Clone)]
pub struct ServicesConfig {
    /// Where Tollgate is reached from outside (links in emails, webhook URLs).
    pub public_url: String,
    pub smtp: Option<SmtpConfig>,
    pub mail_from: String,
    /// Lifetime of an admin or member access token.
    pub access_token_ttl: time::Duration,
    /// Lifetime of a refresh session.
    pub refresh_ttl: time::Duration,
    /// A rotated refresh token presented again this soon after its rotation
    /// is refused without ending its session family (two tabs refreshing at
    /// once); later, the replay ends the family. Default 10 seconds.
    pub refresh_reuse_grace: time::Duration,
    /// Lifetime of a magic login link.
    pub magic_link_ttl: time::Duration,
    /// Lifetime of the link that confirms a member's new email address.
    pub email_change_ttl: time::Duration,
    pub stripe: StripeSettings,
    /// Where uploaded media is stored on local disk.
    pub media_dir: std::path::PathBuf,
    /// Outbound webhooks (SSRF switch).
    pub outbound: OutboundSettings,
    /// Limits on password guessing and emailed links, and the trusted proxies.
    pub throttle: ThrottleSettings,
    /// CRM connectors (Keap's addresses and OAuth client, reconcile period).
    pub crm: CrmConfig,
    /// Audit log retention.
    pub audit: AuditSettings,
}

impl ServicesConfig {
    pub fn new(public_url: impl Into<String>) -> Self {
        Self {
            public_url: public_url.into().trim_end_matches('/').to_owned(),
            smtp: None,
            mail_from: "Tollgate <no-reply@localhost>".into(),
            access_token_ttl: time::Duration::minutes(15),
            refresh_ttl: time::Duration::days(30),
            refresh_reuse_grace: time::Duration::seconds(10),
            magic_link_ttl: time::Duration::minutes(15),
            email_change_ttl: time::Duration::hours(24),
            stripe: StripeSettings::default(),
            media_dir: std::path::PathBuf::from("./data/media"),
            outbound: Default::default(),
            throttle: Default::default(),
            crm: Default::default(),
            audit: Default::default(),
        }
    }
}

/// Everything a use case may touch. Cheap to clone.
#[derive(Clone)]
pub struct Services {
    pub db: Db,
    pub clock: Arc<dyn Clock>,
    pub keys: Keys,
    pub config: Arc<ServicesConfig>,
    pub mailer: Mailer,
    /// Wakes the in-process worker when a job is enqueued.
    pub jobs_ready: Arc<tokio::sync::Notify>,
    /// Set when webhook ingest stored an event whose processing the worker
    /// has yet to queue (`Services::queue_received_events`).
    pub(crate) inbox_received: Arc<std::sync::atomic::AtomicBool>,
    /// Wakes the outbound dispatcher: a running dispatcher has it rung after
    /// every commit that queued deliveries (`tollgate_persistence::outbound::wake`).
    pub outbound_ready: Arc<tokio::sync::Notify>,
    /// Hosted media bytes.
    pub storage: Arc<dyn crate::storage::Storage>,
    /// Per-IP throttling buckets (per-account state is in the database).
    pub throttle: Arc<crate::throttle::Throttle>,
    /// Stripe webhook signing secrets per app, decrypted, kept briefly so
    /// webhook ingest does not read and decrypt them on every delivery.
    /// The HTTP client for CRM APIs (no redirects; private addresses refused unless allowed).
    pub(crate) crm_http: reqwest::Client,
    pub(crate) webhook_secrets: Arc<std::sync::Mutex<std::collections::HashMap<tollgate_domain::ids::AppId, (std::time::Instant, Arc<Vec<String>>)>>>,
}

impl Services {
    pub fn new(db: Db, clock: Arc<dyn Clock>, keys: Keys, config: ServicesConfig) -> Self {
        let mailer = Mailer::new(config.smtp.clone(), config.mail_from.clone());
        let storage = Arc::new(crate::storage::LocalDisk::new(config.media_dir.clone()));
        let throttle = Arc::new(crate::throttle::Throttle::new(config.throttle.clone()));
        let crm_http = crate::net::crm_http_client(config.outbound.allow_private_networks);
        Self {
            crm_http,
            db,
            clock,
            keys,
            config: Arc::new(config),
            mailer,
            jobs_ready: Arc::new(tokio::sync::Notify::new()),
            inbox_received: Default::default(),
            outbound_ready: Arc::new(tokio::sync::Notify::new()),
            webhook_secrets: Default::default(),
            storage,
            throttle,
        }
    }

    pub fn now(&self) -> time::OffsetDateTime {
        self.clock.now()
    }
}
