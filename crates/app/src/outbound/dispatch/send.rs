//! One try over HTTP: the client, the Standard Webhooks headers, and what
//! came back.

use std::sync::Arc;
use std::time::Duration;

use time::OffsetDateTime;
use tollgate_domain::outbound::EndpointKind;
use tollgate_persistence::outbound::Claimed;

use super::super::net::{GuardedResolver, check_literal_host};
use super::super::signing::signature_header;

pub const TIMEOUT: Duration = Duration::from_secs(15);
const BODY_KEPT: usize = 1024;

/// The HTTP client for deliveries: no redirects, 15 s timeout, and (unless
/// private networks are allowed) a resolver that only returns public addresses.
pub fn http_client(allow_private: bool) -> reqwest::Client {
    let mut b = reqwest::Client::builder()
        .redirect(reqwest::redirect::Policy::none())
        .timeout(TIMEOUT)
        .connect_timeout(Duration::from_secs(10))
        .pool_idle_timeout(Duration::from_secs(30))
        .user_agent(concat!("Tollgate-Webhooks/", env!("CARGO_PKG_VERSION")));
    if !allow_private {
        b = b.dns_resolver(Arc::new(GuardedResolver));
    }
    b.build().expect("the outbound HTTP client builds")
}

/// The endpoint's URL as tries use it: parsed, and (unless private
/// networks are allowed) refused if its host is a private or reserved
/// address literal; or why it cannot be tried. Worked out once per read
/// of the endpoint's settings, not once per try.
pub(super) fn target_url(url: &str, allow_private: bool) -> Result<url::Url, String> {
    let url = url::Url::parse(url).map_err(|e| format!("invalid URL: {e}"))?;
    if !allow_private {
        check_literal_host(&url)?;
    }
    Ok(url)
}

/// One try: `url` from [`target_url`], `payload` the event's body (sent as
/// it is, without a copy). Returns the answer's status and the first
/// kilobyte of its body, or why there was no answer.
pub(super) async fn send(client: &reqwest::Client, url: &Result<url::Url, String>, kind: EndpointKind, c: &Claimed, payload: String, keys: &[Vec<u8>], at: OffsetDateTime) -> Result<(u16, String), String> {
    let url = url.clone()?;
    let ts = at.unix_timestamp();
    let mut req = client
        .post(url)
        .header(reqwest::header::CONTENT_TYPE, "application/json")
        .header("webhook-id", c.message_id.as_str())
        .header("webhook-timestamp", ts.to_string());
    if kind == EndpointKind::Standard {
        req = req.header("webhook-signature", signature_header(keys, c.message_id.as_str(), ts, payload.as_bytes()));
    }
    match req.body(payload).send().await {
        Ok(mut resp) => {
            let code = resp.status().as_u16();
            let mut kept = Vec::new();
            // Only the first kilobyte is kept; a slow or endless body is cut by the timeout.
            while kept.len() < BODY_KEPT {
                match resp.chunk().await {
                    Ok(Some(chunk)) => kept.extend_from_slice(&chunk[..chunk.len().min(BODY_KEPT - kept.len())]),
                    _ => break,
                }
            }
            Ok((code, String::from_utf8_lossy(&kept).into_owned()))
        }
        Err(e) => Err(describe(&e)),
    }
}

/// A reqwest error with its causes, for the delivery log.
fn describe(e: &reqwest::Error) -> String {
    let what = if e.is_timeout() {
        "timed out after 15 s"
    } else if e.is_connect() {
        "could not connect"
    } else {
        "request failed"
    };
    let mut out = what.to_owned();
    let mut src = std::error::Error::source(e);
    while let Some(s) = src {
        out.push_str(": ");
        out.push_str(&s.to_string());
        src = s.source();
    }
    out.chars().take(500).collect()
}
