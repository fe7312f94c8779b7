//! Throttling of password guessing and of emailed links.
//!
//! Two layers, both answering 429 `too_many_attempts` with `Retry-After`:
//!
//! - **Per client IP, in memory** (`governor`, GCRA buckets per address;
//!   IPv6 per /64). *Failed* password attempts spend from one bucket, so a
//!   site behind one NAT (or a test suite on 127.0.0.1) can log in as often
//!   as it likes; once the bucket is empty the address is refused until a
//!   token is back. Requests that send email (magic links, email changes)
//!   spend from another bucket whether they succeed or not. Each process has
//!   its own buckets: with N `serve` processes an address gets up to N times
//!   the burst. The client IP is the socket peer, or the nearest untrusted
//!   address of `X-Forwarded-For` when the peer is a configured proxy.
//! - **Per account, in the database** (table `throttle`, shared by every
//!   process). Failed passwords of one account (an admin's email, or a
//!   member's email in one app) are counted whether or not the account
//!   exists, so the answer never tells which emails have accounts. From the
//!   `account_failures`-th failure on the account is locked for
//!   `account_lockout`, doubled by each further failure up to
//!   `account_lockout_max`; while locked every attempt is refused before the
//!   password is looked at, the right one too. A success forgets the
//!   failures, and so do 24 hours without one. Emailed links are capped per
//!   member and hour: extra magic-link requests answer 202 as usual but send
//!   nothing (so the answer still does not tell whether the email is a
//!   member); extra email-change requests, made signed in, answer 429.
//!
//! The lockout lets anyone who knows an email keep that account from logging
//! in with a password for a while (the price of stopping guessing); members
//! can still use a magic link, and the lock is short and capped.

use std::collections::HashMap;
use std::net::{IpAddr, Ipv6Addr};
use std::num::NonZeroU32;
use std::sync::Mutex;
use std::sync::atomic::AtomicU64;
use std::time::{Duration, Instant};

use governor::clock::Clock;
use governor::{DefaultKeyedRateLimiter, Quota};
use tollgate_domain::ids::AppId;

pub use crate::config::{IpNet, ThrottleSettings};
use crate::config::canonical;
use crate::crypto::token_hash;
use crate::error::{AppError, AppResult};

/// The key of an address in the buckets: IPv6 clients usually hold a whole /64.
fn bucket_key(ip: IpAddr) -> IpAddr {
    match canonical(ip) {
        IpAddr::V6(v6) => {
            let s = v6.segments();
            IpAddr::V6(Ipv6Addr::new(s[0], s[1], s[2], s[3], 0, 0, 0, 0))
        }
        v4 => v4,
    }
}

/// The client of a request: `peer` (the socket's remote address), unless
/// `peer` is a trusted proxy; then `X-Forwarded-For` (all its values, in
/// order) is read from the right, skipping trusted proxies, and the first
/// other address is the client. A malformed entry stops the walk at the
/// last trusted hop, which is then taken as the client.
pub fn client_ip(peer: Option<IpAddr>, forwarded_for: &[&str], trusted: &[IpNet]) -> Option<IpAddr> {
    let peer = canonical(peer?);
    let is_trusted = |ip: IpAddr| trusted.iter().any(|n| n.contains(ip));
    if !is_trusted(peer) {
        return Some(peer);
    }
    let mut client = peer;
    for hop in forwarded_for.iter().flat_map(|v| v.split(',')).rev() {
        let Some(ip) = parse_hop(hop) else { break };
        client = ip;
        if !is_trusted(ip) {
            break;
        }
    }
    Some(client)
}

/// One `X-Forwarded-For` entry: an address, maybe with a port (`1.2.3.4:5678`, `[::1]:80`).
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    if let Ok(ip) = hop.parse::<IpAddr>() {
        return Some(canonical(ip));
    }
    hop.parse::<std::net::SocketAddr>().ok().map(|s| canonical(s.ip()))
}

/// Whose password is being tried.
#[derive(Debug, Clone, Copy)]
pub enum Account<'a> {
    /// An admin account (instance-wide), by the email as typed.
    Admin(&'a str),
    /// A member of one app, by the email as typed.
    Member(&'a AppId, &'a str),
}

impl Account<'_> {
    pub(crate) fn key(&self, purpose: &str) -> String {
        let norm = |e: &str| e.trim().to_lowercase();
        match self {
            Account::Admin(e) => token_hash(&format!("{purpose}:admin:{}", norm(e))),
            Account::Member(app, e) => token_hash(&format!("{purpose}:member:{app}:{}", norm(e))),
        }
    }
}

/// The in-memory half: per-IP buckets (see the module docs).
pub struct Throttle {
    settings: ThrottleSettings,
    ip_failures: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Addresses whose failure bucket ran dry, and until when (governor has
    /// no look-without-spending, and a refused address must stay refused
    /// even when it tries a right password).
    ip_refused: Mutex<HashMap<IpAddr, Instant>>,
    ip_sends: Option<DefaultKeyedRateLimiter<IpAddr>>,
    /// Counts database hits to prune old rows now and then.
    pub(crate) hits: AtomicU64,
}

impl std::fmt::Debug for Throttle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Throttle").field("settings", &self.settings).finish_non_exhaustive()
    }
}

fn keyed(burst: u32, per_hour: u32) -> Option<DefaultKeyedRateLimiter<IpAddr>> {
    let (burst, per_hour) = (NonZeroU32::new(burst)?, NonZeroU32::new(per_hour)?);
    let quota = Quota::with_period(Duration::from_secs(3600) / per_hour.get())?.allow_burst(burst);
    Some(governor::RateLimiter::keyed(quota))
}

/// Keep memory bounded however many addresses knock.
const MAX_TRACKED: usize = 50_000;

/// A 429 that says when to come back (whole seconds, at least 1).
pub(crate) fn too_many(wait: Duration, message: &str) -> AppError {
    let secs = wait.as_secs() + u64::from(wait.subsec_nanos() > 0);
    AppError::TooManyAttempts { retry_after_secs: secs.max(1), message: message.to_owned() }
}

pub(crate) const PASSWORD_WAIT: &str = "too many failed attempts; wait before trying again";
const SENDS_WAIT: &str = "too many requests; wait before asking again";

impl Throttle {
    pub fn new(settings: ThrottleSettings) -> Self {
        Self {
            ip_failures: keyed(settings.ip_failures_burst, settings.ip_failures_per_hour),
            ip_sends: keyed(settings.ip_sends_burst, settings.ip_sends_per_hour),
            ip_refused: Mutex::new(HashMap::new()),
            hits: AtomicU64::new(0),
            settings,
        }
    }

    pub fn settings(&self) -> &ThrottleSettings {
        &self.settings
    }

    /// The client IP of a request (see [`client_ip`]) with the configured proxies.
    pub fn client_ip(&self, peer: Option<IpAddr>, forwarded_for: &[&str]) -> Option<IpAddr> {
        client_ip(peer, forwarded_for, &self.settings.trusted_proxies)
    }

    /// Refuses an address whose failure bucket ran dry.
    pub(crate) fn check_ip(&self, client: Option<IpAddr>) -> AppResult<()> {
        let Some(ip) = client.map(bucket_key) else { return Ok(()) };
        let mut refused = self.ip_refused.lock().unwrap_or_else(|e| e.into_inner());
        match refused.get(&ip) {
            Some(until) if *until > Instant::now() => Err(too_many(*until - Instant::now(), PASSWORD_WAIT)),
            Some(_) => {
                refused.remove(&ip);
                Ok(())
            }
            None => Ok(()),
        }
    }

    /// Spends a token of the address's failure bucket; an empty bucket refuses the address until one is back.
    pub(crate) fn ip_failed(&self, client: Option<IpAddr>) {
        let (Some(ip), Some(limiter)) = (client.map(bucket_key), &self.ip_failures) else { return };
        if limiter.len() > MAX_TRACKED {
            limiter.retain_recent();
        }
        if let Err(not_until) = limiter.check_key(&ip) {
            let wait = not_until.wait_time_from(limiter.clock().now());
            let mut refused = self.ip_refused.lock().unwrap_or_else(|e| e.into_inner());
            if refused.len() > MAX_TRACKED {
                let now = Instant::now();
                refused.retain(|_, until| *until > now);
            }
            refused.insert(ip, Instant::now() + wait);
            tracing::warn!(client_ip = %ip, retry_after_ms = wait.as_millis() as u64, "too many failed password attempts from one address");
        }
    }

    /// Spends a token of the address's send bucket, or refuses.
    pub(crate) fn ip_send(&self, client: Option<IpAddr>) -> AppResult<()> {
        let (Some(ip), Some(limiter)) = (client.map(bucket_key), &self.ip_sends) else { return Ok(()) };
        if limiter.len() > MAX_TRACKED {
            limiter.retain_recent();
        }
        limiter.check_key(&ip).map_err(|not_until| {
            tracing::warn!(client_ip = %ip, "too many emailed-link requests from one address");
            too_many(not_until.wait_time_from(limiter.clock().now()), SENDS_WAIT)
        })
    }

    /// The lockout earned by `failures` failed attempts in a row, if any.
    pub fn lockout(&self, failures: i64) -> Option<Duration> {
        let limit = i64::from(self.settings.account_failures);
        if limit == 0 || failures < limit {
            return None;
        }
        let doublings = (failures - limit).min(32) as u32;
        let secs = self.settings.account_lockout_secs.saturating_mul(1u64 << doublings);
        Some(Duration::from_secs(secs.min(self.settings.account_lockout_max_secs.max(self.settings.account_lockout_secs))))
    }
}

/// The answer to a member over their emailed-link cap, made signed in.
pub(crate) fn sends_exhausted(wait: Duration) -> AppError {
    too_many(wait, SENDS_WAIT)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn nets(s: &[&str]) -> Vec<IpNet> {
        s.iter().map(|n| n.parse().unwrap()).collect()
    }
    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    #[test]
    fn cidr_ranges_parse_and_match() {
        let n: IpNet = "10.0.0.0/8".parse().unwrap();
        assert!(n.contains(ip("10.200.3.4")) && !n.contains(ip("11.0.0.1")));
        assert!(n.contains(ip("::ffff:10.1.2.3")), "IPv4-mapped IPv6 is IPv4");
        let n: IpNet = "fd00::/8".parse().unwrap();
        assert!(n.contains(ip("fd12::1")) && !n.contains(ip("fe80::1")) && !n.contains(ip("10.0.0.1")));
        let n: IpNet = "192.168.1.7".parse().unwrap();
        assert!(n.contains(ip("192.168.1.7")) && !n.contains(ip("192.168.1.8")));
        let n: IpNet = "172.16.0.0/12".parse().unwrap();
        assert!(n.contains(ip("172.31.255.255")) && !n.contains(ip("172.32.0.0")));
        assert!("0.0.0.0/0".parse::<IpNet>().unwrap().contains(ip("8.8.8.8")));
        for bad in ["10.0.0.0/33", "example.com", "10.0.0/8", "::/129", ""] {
            assert!(bad.parse::<IpNet>().is_err(), "{bad}");
        }
    }

    #[test]
    fn forwarded_for_is_believed_only_from_trusted_proxies() {
        let none: Vec<IpNet> = vec![];
        let proxies = nets(&["127.0.0.1", "10.0.0.0/8"]);
        // No trusted proxy: the header is anyone's to forge.
        assert_eq!(client_ip(Some(ip("127.0.0.1")), &["6.6.6.6"], &none), Some(ip("127.0.0.1")));
        // A peer that is not a trusted proxy: ignored too.
        assert_eq!(client_ip(Some(ip("8.8.8.8")), &["6.6.6.6"], &proxies), Some(ip("8.8.8.8")));
        // Through the proxy: the rightmost untrusted hop; forged entries on the left do not count.
        assert_eq!(client_ip(Some(ip("127.0.0.1")), &["6.6.6.6, 203.0.113.9"], &proxies), Some(ip("203.0.113.9")));
        assert_eq!(client_ip(Some(ip("127.0.0.1")), &["6.6.6.6", "203.0.113.9, 10.1.1.1"], &proxies), Some(ip("203.0.113.9")));
        assert_eq!(client_ip(Some(ip("127.0.0.1")), &["[2001:db8::1]:4711"], &proxies), Some(ip("2001:db8::1")));
        // Only proxies in the chain, no header, or garbage: the last trusted hop.
        assert_eq!(client_ip(Some(ip("127.0.0.1")), &["10.0.0.2"], &proxies), Some(ip("10.0.0.2")));
        assert_eq!(client_ip(Some(ip("127.0.0.1")), &[], &proxies), Some(ip("127.0.0.1")));
        assert_eq!(client_ip(Some(ip("127.0.0.1")), &["6.6.6.6, nonsense"], &proxies), Some(ip("127.0.0.1")));
        assert_eq!(client_ip(None, &["6.6.6.6"], &proxies), None);
    }

    #[test]
    fn ipv6_clients_share_a_bucket_per_64() {
        assert_eq!(bucket_key(ip("2001:db8:1:2:aaaa::1")), bucket_key(ip("2001:db8:1:2:bbbb::2")));
        assert_ne!(bucket_key(ip("2001:db8:1:2::1")), bucket_key(ip("2001:db8:1:3::1")));
        assert_eq!(bucket_key(ip("::ffff:192.0.2.1")), ip("192.0.2.1"));
    }

    #[test]
    fn lockouts_double_up_to_the_cap() {
        let t = Throttle::new(ThrottleSettings::default());
        let secs = |n| t.lockout(n).map(|d| d.as_secs());
        assert_eq!((secs(9), secs(10), secs(11), secs(12), secs(15), secs(16), secs(1000)), (None, Some(60), Some(120), Some(240), Some(1920), Some(3600), Some(3600)));
        let off = Throttle::new(ThrottleSettings { account_failures: 0, ..Default::default() });
        assert_eq!(off.lockout(1000), None);
    }

    #[test]
    fn an_address_is_refused_once_its_failures_run_out_and_successes_cost_nothing() {
        let t = Throttle::new(ThrottleSettings { ip_failures_burst: 3, ip_failures_per_hour: 1, ..Default::default() });
        let me = Some(ip("192.0.2.7"));
        for _ in 0..3 {
            t.check_ip(me).unwrap();
            t.ip_failed(me);
        }
        t.check_ip(me).unwrap();
        t.ip_failed(me); // the bucket is dry: from now on refused
        match t.check_ip(me) {
            Err(AppError::TooManyAttempts { retry_after_secs, .. }) => assert!((3000..=3600).contains(&retry_after_secs), "{retry_after_secs}"),
            other => panic!("expected 429, got {other:?}"),
        }
        t.check_ip(Some(ip("192.0.2.8"))).unwrap();
        t.check_ip(None).unwrap();
    }

    #[test]
    fn sends_spend_per_address() {
        let t = Throttle::new(ThrottleSettings { ip_sends_burst: 2, ip_sends_per_hour: 1, ..Default::default() });
        let me = Some(ip("2001:db8::1"));
        t.ip_send(me).unwrap();
        t.ip_send(Some(ip("2001:db8::2"))).unwrap();
        assert!(matches!(t.ip_send(me), Err(AppError::TooManyAttempts { .. })), "same /64");
        t.ip_send(Some(ip("192.0.2.1"))).unwrap();
        let off = Throttle::new(ThrottleSettings { ip_sends_burst: 0, ..Default::default() });
        for _ in 0..100 {
            off.ip_send(me).unwrap();
        }
    }
}
