//! Configuration types the use cases read (a leaf: it names no other module
//! of this crate). `ServicesConfig` in `services` gathers them.

use std::net::IpAddr;
use std::str::FromStr;

use secrecy::SecretString;
use serde::Deserialize;
use tollgate_crm::keap::KeapOAuth;

/// How Tollgate reaches Stripe. The base URLs are configuration so tests
/// and self-hosters can point them at an emulator or a proxy.
#[derive(Debug, Clone, serde::Deserialize)]
pub struct StripeSettings {
    #[serde(default = "default_api_base")]
    pub api_base: String,
    #[serde(default = "default_connect_base")]
    pub connect_base: String,
    /// Stripe Connect OAuth: the platform's client id (`ca_…`).
    #[serde(default)]
    pub client_id: Option<String>,
    /// Stripe Connect OAuth: the platform's secret key, used to exchange codes.
    #[serde(default)]
    pub platform_secret_key: Option<secrecy::SecretString>,
    /// The API version webhook endpoints are created with.
    #[serde(default = "default_webhook_api_version")]
    pub webhook_api_version: Option<String>,
}

fn default_api_base() -> String {
    "https://api.stripe.com".into()
}
fn default_connect_base() -> String {
    "https://connect.stripe.com".into()
}
fn default_webhook_api_version() -> Option<String> {
    Some("2024-06-20".into())
}

impl Default for StripeSettings {
    fn default() -> Self {
        Self {
            api_base: default_api_base(),
            connect_base: default_connect_base(),
            client_id: None,
            platform_secret_key: None,
            webhook_api_version: default_webhook_api_version(),
        }
    }
}

/// Outbound settings from configuration.
#[derive(Debug, Clone, Default, serde::Deserialize)]
pub struct OutboundSettings {
    /// Allow endpoints on loopback, private and link-local addresses, and
    /// plain http (tests, self-hosters on a LAN). Off by default (SSRF).
    #[serde(default)]
    pub allow_private_networks: bool,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum SmtpTls {
    /// Plain connection (a local relay or a test server).
    None,
    /// STARTTLS upgrade (port 587).
    Starttls,
    /// Implicit TLS (port 465).
    Tls,
}

#[derive(Clone, serde::Deserialize)]
pub struct SmtpConfig {
    pub host: String,
    pub port: u16,
    #[serde(default)]
    pub username: Option<String>,
    #[serde(default)]
    pub password: Option<SecretString>,
    pub tls: SmtpTls,
}

impl std::fmt::Debug for SmtpConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SmtpConfig")
            .field("host", &self.host)
            .field("port", &self.port)
            .field("username", &self.username)
            .field("password", &self.password.as_ref().map(|_| "[redacted]"))
            .field("tls", &self.tls)
            .finish()
    }
}

/// How Tollgate reaches the CRMs (configuration). ActiveCampaign needs
/// nothing here: each account has its own API URL, given when connecting.
#[derive(Debug, Clone, Deserialize)]
pub struct CrmConfig {
    #[serde(default)]
    pub keap: KeapConfig,
    /// Minutes between two reconciles of a connected CRM (default 15).
    #[serde(default = "default_reconcile_minutes")]
    pub reconcile_minutes: i64,
}

fn default_reconcile_minutes() -> i64 {
    15
}

impl Default for CrmConfig {
    fn default() -> Self {
        Self { keap: KeapConfig::default(), reconcile_minutes: default_reconcile_minutes() }
    }
}

/// Keap's addresses and this server's OAuth client.
#[derive(Debug, Clone, Deserialize)]
pub struct KeapConfig {
    #[serde(default = "default_keap_api")]
    pub api_base: String,
    #[serde(default = "default_keap_authorize")]
    pub authorize_url: String,
    #[serde(default = "default_keap_token")]
    pub token_url: String,
    /// OAuth client id and secret from Keap's developer portal; without them
    /// only a personal access token / service account key can connect.
    #[serde(default)]
    pub client_id: Option<String>,
    #[serde(default)]
    pub client_secret: Option<SecretString>,
}

fn default_keap_api() -> String {
    "https://api.infusionsoft.com/crm/rest".into()
}
fn default_keap_authorize() -> String {
    "https://accounts.infusionsoft.com/app/oauth/authorize".into()
}
fn default_keap_token() -> String {
    "https://api.infusionsoft.com/token".into()
}

impl Default for KeapConfig {
    fn default() -> Self {
        Self { api_base: default_keap_api(), authorize_url: default_keap_authorize(), token_url: default_keap_token(), client_id: None, client_secret: None }
    }
}

impl KeapConfig {
    pub fn oauth(&self) -> Option<KeapOAuth> {
        Some(KeapOAuth {
            authorize_url: self.authorize_url.clone(),
            token_url: self.token_url.clone(),
            client_id: self.client_id.clone()?,
            client_secret: self.client_secret.clone()?,
        })
    }
}

/// How long entries are kept (configuration `audit.retention_days`).
#[derive(Debug, Clone, serde::Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AuditSettings {
    /// Days an entry is kept; 0 keeps entries forever. Default 365.
    #[serde(default = "default_retention_days")]
    pub retention_days: i64,
}

fn default_retention_days() -> i64 {
    365
}

impl Default for AuditSettings {
    fn default() -> Self {
        Self { retention_days: default_retention_days() }
    }
}

/// Throttling limits (`[throttle]` in the configuration). A limit of 0 turns that limit off.
#[derive(Debug, Clone, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ThrottleSettings {
    /// Reverse proxies (addresses or CIDR ranges, e.g. `10.0.0.0/8`) whose
    /// `X-Forwarded-For` is believed. Empty (the default): the socket peer
    /// is the client, and `X-Forwarded-For` is ignored.
    pub trusted_proxies: Vec<IpNet>,
    /// Failed password attempts one client IP may make in a row (default 30)…
    pub ip_failures_burst: u32,
    /// …and how many more it gets back per hour (default 600: one every 6 s).
    pub ip_failures_per_hour: u32,
    /// Magic-link and email-change requests one client IP may make in a row (default 10)…
    pub ip_sends_burst: u32,
    /// …and how many more it gets back per hour (default 60).
    pub ip_sends_per_hour: u32,
    /// Failed password attempts that lock an account (default 10).
    pub account_failures: u32,
    /// The first lockout, in seconds (default 60); each further failure doubles it…
    pub account_lockout_secs: u64,
    /// …up to this many seconds (default 3600).
    pub account_lockout_max_secs: u64,
    /// Magic links emailed to one member per hour (default 5).
    pub magic_links_per_hour: u32,
    /// Email-change requests of one member per hour (default 5).
    pub email_changes_per_hour: u32,
}

impl Default for ThrottleSettings {
    fn default() -> Self {
        Self {
            trusted_proxies: vec![],
            ip_failures_burst: 30,
            ip_failures_per_hour: 600,
            ip_sends_burst: 10,
            ip_sends_per_hour: 60,
            account_failures: 10,
            account_lockout_secs: 60,
            account_lockout_max_secs: 3600,
            magic_links_per_hour: 5,
            email_changes_per_hour: 5,
        }
    }
}

/// An address or a CIDR range, e.g. `10.0.0.0/8`, `fd00::/8`, `127.0.0.1`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IpNet {
    addr: IpAddr,
    prefix: u8,
}

impl IpNet {
    pub fn contains(&self, ip: IpAddr) -> bool {
        match (self.addr, canonical(ip)) {
            (IpAddr::V4(net), IpAddr::V4(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.prefix),
            (IpAddr::V6(net), IpAddr::V6(ip)) => prefix_eq(&net.octets(), &ip.octets(), self.prefix),
            _ => false,
        }
    }
}

fn prefix_eq(a: &[u8], b: &[u8], bits: u8) -> bool {
    let (whole, rest) = ((bits / 8) as usize, bits % 8);
    a[..whole] == b[..whole] && (rest == 0 || (a[whole] ^ b[whole]) >> (8 - rest) == 0)
}

impl FromStr for IpNet {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        let bad = || format!("{s:?} is not an IP address or CIDR range (like 10.0.0.0/8)");
        let (addr, prefix) = match s.trim().split_once('/') {
            Some((a, p)) => (a, Some(p.parse::<u8>().map_err(|_| bad())?)),
            None => (s.trim(), None),
        };
        let addr = canonical(addr.parse::<IpAddr>().map_err(|_| bad())?);
        let max = if addr.is_ipv4() { 32 } else { 128 };
        let prefix = prefix.unwrap_or(max);
        if prefix > max {
            return Err(bad());
        }
        Ok(IpNet { addr, prefix })
    }
}

impl<'de> Deserialize<'de> for IpNet {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        String::deserialize(d)?.parse().map_err(serde::de::Error::custom)
    }
}

/// IPv4-mapped IPv6 addresses are IPv4 addresses.
pub(crate) fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

