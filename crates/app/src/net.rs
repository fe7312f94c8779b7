//! Keeping outbound requests out of our own network (SSRF).
//!
//! An admin gives us a URL; we must not let it reach loopback, private,
//! link-local (cloud metadata at 169.254.169.254) or other internal ranges.
//! URLs are checked when saved (obvious cases, a clear 422) and again at send
//! time after DNS: the HTTP client resolves names through [`GuardedResolver`],
//! which drops forbidden addresses, so the address checked is the address
//! connected to (no DNS rebinding between check and use). Redirects are not
//! followed. `allow_private_networks` turns all of this off for tests and
//! self-hosters on a LAN.
//!
//! A leaf: outbound webhooks (`outbound`) and the CRM connectors (`crm`) use it.

use std::net::{IpAddr, Ipv4Addr, SocketAddr};

use url::{Host, Url};

/// Whether Tollgate refuses to send to `ip` (unless private networks are allowed).
pub fn is_forbidden(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => forbidden_v4(v4),
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return forbidden_v4(v4);
            }
            let s = v6.segments();
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (s[0] & 0xfe00) == 0xfc00 // unique local fc00::/7 (incl. fd00:ec2::254 metadata)
                || (s[0] & 0xffc0) == 0xfe80 // link-local fe80::/10
                || (s[0] & 0xffc0) == 0xfec0 // site-local fec0::/10 (deprecated)
                || (s[0] == 0x64 && s[1] == 0xff9b) // NAT64 64:ff9b::/96 reaches IPv4 space
                || (s[0] == 0x2001 && s[1] == 0x0db8) // documentation
                || (s[0] == 0 && s[1] == 0 && s[2] == 0 && s[3] == 0 && s[4] == 0 && s[5] == 0) // IPv4-compatible ::a.b.c.d
        }
    }
}

fn forbidden_v4(ip: Ipv4Addr) -> bool {
    let o = ip.octets();
    ip.is_loopback()
        || ip.is_private()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || o[0] == 0 // 0.0.0.0/8
        || (o[0] == 100 && (o[1] & 0xc0) == 64) // carrier-grade NAT 100.64/10
        || (o[0] == 192 && o[1] == 0 && o[2] == 0) // IETF protocol assignments
        || (o[0] == 198 && (o[1] & 0xfe) == 18) // benchmarking 198.18/15
        || o[0] >= 240 // reserved
}

/// Why a URL cannot be an endpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct UrlProblem {
    pub code: &'static str,
    pub message: String,
}

fn problem(code: &'static str, message: impl Into<String>) -> UrlProblem {
    UrlProblem { code, message: message.into() }
}

/// Checks an endpoint URL when it is saved. Names are resolved only at send time.
pub fn check_url(raw: &str, allow_private: bool) -> Result<Url, UrlProblem> {
    let raw = raw.trim();
    if raw.is_empty() {
        return Err(problem("required", "give the URL Tollgate should POST events to"));
    }
    if raw.len() > 2000 {
        return Err(problem("too_long", "at most 2000 characters"));
    }
    let url = Url::parse(raw).map_err(|e| problem("invalid_url", format!("not a URL: {e}")))?;
    match url.scheme() {
        "https" => {}
        "http" if allow_private => {}
        "http" => return Err(problem("https_required", "use an https:// URL")),
        other => return Err(problem("invalid_url", format!("{other}: URLs are not supported; use https://"))),
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(problem("invalid_url", "credentials in the URL are not allowed; put a token in the path or query instead"));
    }
    if url.fragment().is_some() {
        return Err(problem("invalid_url", "a URL with a #fragment cannot be an endpoint"));
    }
    let host = url.host().ok_or_else(|| problem("invalid_url", "the URL has no host"))?;
    if !allow_private {
        let forbidden = match &host {
            Host::Ipv4(ip) => is_forbidden(IpAddr::V4(*ip)),
            Host::Ipv6(ip) => is_forbidden(IpAddr::V6(*ip)),
            Host::Domain(d) => {
                let d = d.trim_end_matches('.').to_ascii_lowercase();
                d == "localhost" || d.ends_with(".localhost") || d.ends_with(".internal") || d.ends_with(".local") || !d.contains('.')
            }
        };
        if forbidden {
            return Err(problem("private_address", "the URL points into a private network; Tollgate only sends to public addresses"));
        }
    }
    Ok(url)
}

/// Checks an address literal at send time (names go through [`GuardedResolver`]).
pub fn check_literal_host(url: &Url) -> Result<(), String> {
    let ip = match url.host() {
        Some(Host::Ipv4(ip)) => IpAddr::V4(ip),
        Some(Host::Ipv6(ip)) => IpAddr::V6(ip),
        _ => return Ok(()),
    };
    if is_forbidden(ip) { Err(format!("refused: {ip} is a private or reserved address")) } else { Ok(()) }
}

/// A DNS resolver for the outbound HTTP client that returns only public addresses.
#[derive(Debug, Clone, Copy)]
pub struct GuardedResolver;

impl reqwest::dns::Resolve for GuardedResolver {
    fn resolve(&self, name: reqwest::dns::Name) -> reqwest::dns::Resolving {
        let host = name.as_str().to_owned();
        Box::pin(async move {
            let all: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0)).await?.collect();
            let public: Vec<SocketAddr> = all.iter().copied().filter(|a| !is_forbidden(a.ip())).collect();
            if public.is_empty() {
                let err: Box<dyn std::error::Error + Send + Sync> = if all.is_empty() {
                    format!("{host} did not resolve").into()
                } else {
                    format!("refused: {host} resolves only to private or reserved addresses").into()
                };
                return Err(err);
            }
            let addrs: reqwest::dns::Addrs = Box::new(public.into_iter());
            Ok(addrs)
        })
    }
}

/// The HTTP client for CRM APIs: an admin gives the ActiveCampaign URL, so
/// it resolves names through the same guard as outbound webhooks (no
/// loopback, private or metadata addresses) and follows no redirects.
pub fn crm_http_client(allow_private: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(std::time::Duration::from_secs(30))
        .connect_timeout(std::time::Duration::from_secs(10))
        .user_agent(concat!("Tollgate/", env!("CARGO_PKG_VERSION")));
    if !allow_private {
        b = b.dns_resolver(std::sync::Arc::new(GuardedResolver));
    }
    b.build().expect("the CRM HTTP client builds")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_metadata_ranges_are_forbidden() {
        for ip in ["127.0.0.1", "10.1.2.3", "172.16.0.1", "192.168.1.1", "169.254.169.254", "100.64.0.1", "0.0.0.0", "::1", "fd00:ec2::254", "fe80::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1"] {
            assert!(is_forbidden(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"] {
            assert!(!is_forbidden(ip.parse().unwrap()), "{ip}");
        }
    }

    #[test]
    fn urls_are_checked_when_saved() {
        assert!(check_url("https://hooks.example.com/in?token=1", false).is_ok());
        assert_eq!(check_url("http://hooks.example.com/", false).unwrap_err().code, "https_required");
        assert_eq!(check_url("https://127.0.0.1/x", false).unwrap_err().code, "private_address");
        assert_eq!(check_url("https://[::1]/x", false).unwrap_err().code, "private_address");
        assert_eq!(check_url("https://169.254.169.254/latest/meta-data", false).unwrap_err().code, "private_address");
        assert_eq!(check_url("https://localhost/x", false).unwrap_err().code, "private_address");
        assert_eq!(check_url("https://metadata.google.internal/", false).unwrap_err().code, "private_address");
        assert_eq!(check_url("https://user:pw@example.com/", false).unwrap_err().code, "invalid_url");
        assert_eq!(check_url("ftp://example.com/", false).unwrap_err().code, "invalid_url");
        assert_eq!(check_url("not a url", false).unwrap_err().code, "invalid_url");
        assert!(check_url("http://127.0.0.1:9000/hook", true).is_ok());
    }
}
