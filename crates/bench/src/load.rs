//! The load generator: `connections` keep-alive HTTP/1.1 connections, each
//! a task sending one request at a time (closed loop, like wrk), for a
//! warm-up and then a measured window. A request is measured when it
//! completes inside the window; its latency is from just before it is
//! written to when its whole response has been read.

use std::net::SocketAddr;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper::header::{CONTENT_TYPE, HOST, HeaderValue, USER_AGENT};
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::events::{Delivery, event_id};

/// What each request carries.
pub enum Source {
    /// The same pre-signed deliveries, round-robin: after the first pass
    /// every delivery is a duplicate.
    Replay(Vec<(Bytes, HeaderValue)>),
    /// A new event id for every request (the deliveries' bodies as
    /// templates), signed when it is sent.
    Unique { templates: Vec<Delivery>, secret: String, timestamp: i64, run: u32 },
}

impl Source {
    fn request(&self, n: u64) -> (Bytes, HeaderValue) {
        match self {
            Source::Replay(all) => all[(n % all.len() as u64) as usize].clone(),
            Source::Unique { templates, secret, timestamp, run } => {
                let t = &templates[(n % templates.len() as u64) as usize];
                let body = t.with_event_id(&event_id(*run, n));
                let sig = tollgate_stripe::webhook::sign(&body, secret, *timestamp);
                (Bytes::from(body), HeaderValue::from_str(&sig).expect("a signature is a valid header"))
            }
        }
    }
}

pub struct Spec {
    pub addr: SocketAddr,
    pub path: String,
    pub connections: usize,
    pub warmup: Duration,
    pub measure: Duration,
}

#[derive(Debug, Default, Clone)]
pub struct Outcome {
    /// Requests completed inside the measured window.
    pub measured: u64,
    pub seconds: f64,
    /// Latencies of the measured requests, in microseconds, sorted.
    pub latencies_us: Vec<u32>,
    /// Non-2xx answers and transport errors, warm-up included.
    pub errors: u64,
    /// A sample of what went wrong.
    pub first_error: Option<String>,
    /// 2xx answers (warm-up included) whose body said "stored" / "duplicate".
    pub stored: u64,
    pub duplicate: u64,
    /// All requests answered, warm-up included.
    pub total: u64,
}

impl Outcome {
    pub fn rps(&self) -> f64 {
        self.measured as f64 / self.seconds
    }
    fn percentile(&self, p: f64) -> Duration {
        if self.latencies_us.is_empty() {
            return Duration::ZERO;
        }
        let i = ((self.latencies_us.len() as f64 * p).ceil() as usize).clamp(1, self.latencies_us.len()) - 1;
        Duration::from_micros(self.latencies_us[i] as u64)
    }
    pub fn p50(&self) -> Duration {
        self.percentile(0.50)
    }
    pub fn p99(&self) -> Duration {
        self.percentile(0.99)
    }
}

struct Shared {
    source: Source,
    next: AtomicU64,
    host: HeaderValue,
    path: String,
    addr: SocketAddr,
    measure_from: Instant,
    end: Instant,
}

#[derive(Default)]
struct TaskResult {
    latencies: Vec<u32>,
    errors: u64,
    first_error: Option<String>,
    stored: u64,
    duplicate: u64,
    total: u64,
}

impl TaskResult {
    fn error(&mut self, e: String) {
        self.errors += 1;
        self.first_error.get_or_insert(e);
    }
}

pub async fn run(spec: Spec, source: Source) -> Outcome {
    let start = Instant::now();
    let shared = Arc::new(Shared {
        source,
        next: AtomicU64::new(0),
        host: HeaderValue::from_str(&spec.addr.to_string()).expect("an address is a valid Host"),
        path: spec.path,
        addr: spec.addr,
        measure_from: start + spec.warmup,
        end: start + spec.warmup + spec.measure,
    });
    let tasks: Vec<_> = (0..spec.connections).map(|_| tokio::spawn(connection(shared.clone()))).collect();
    let mut out = Outcome { seconds: spec.measure.as_secs_f64(), ..Default::default() };
    for t in tasks {
        let r = t.await.unwrap_or_else(|e| {
            let mut r = TaskResult::default();
            r.error(format!("load task failed: {e}"));
            r
        });
        out.measured += r.latencies.len() as u64;
        out.latencies_us.extend(r.latencies);
        out.errors += r.errors;
        out.stored += r.stored;
        out.duplicate += r.duplicate;
        out.total += r.total;
        if out.first_error.is_none() {
            out.first_error = r.first_error;
        }
    }
    out.latencies_us.sort_unstable();
    out
}

type Sender = hyper::client::conn::http1::SendRequest<Full<Bytes>>;

async fn connect(addr: SocketAddr) -> Result<Sender, String> {
    let stream = TcpStream::connect(addr).await.map_err(|e| format!("connect: {e}"))?;
    stream.set_nodelay(true).map_err(|e| e.to_string())?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await.map_err(|e| format!("handshake: {e}"))?;
    tokio::spawn(conn);
    Ok(sender)
}

async fn connection(s: Arc<Shared>) -> TaskResult {
    let mut r = TaskResult::default();
    let user_agent = HeaderValue::from_static("Stripe/1.0 (+https://stripe.com/docs/webhooks)");
    let json = HeaderValue::from_static("application/json; charset=utf-8");
    let mut sender: Option<Sender> = None;
    while Instant::now() < s.end {
        let tx = match sender.as_mut() {
            Some(tx) => tx,
            None => match connect(s.addr).await {
                Ok(tx) => sender.insert(tx),
                Err(e) => {
                    r.error(e);
                    tokio::time::sleep(Duration::from_millis(10)).await;
                    continue;
                }
            },
        };
        let n = s.next.fetch_add(1, Ordering::Relaxed);
        let (body, signature) = s.source.request(n);
        let req = Request::post(s.path.as_str())
            .header(HOST, s.host.clone())
            .header(USER_AGENT, user_agent.clone())
            .header(CONTENT_TYPE, json.clone())
            .header("stripe-signature", signature)
            .body(Full::new(body))
            .expect("a valid request");
        let t0 = Instant::now();
        let answer = async {
            tx.ready().await.map_err(|e| format!("connection: {e}"))?;
            let resp = tx.send_request(req).await.map_err(|e| format!("request: {e}"))?;
            let status = resp.status();
            let body = resp.into_body().collect().await.map_err(|e| format!("response body: {e}"))?.to_bytes();
            Ok::<_, String>((status, body))
        }
        .await;
        let t1 = Instant::now();
        match answer {
            Ok((status, body)) if status.is_success() => {
                r.total += 1;
                if contains(&body, b"\"stored\"") {
                    r.stored += 1;
                } else if contains(&body, b"\"duplicate\"") {
                    r.duplicate += 1;
                }
                if t1 >= s.measure_from && t1 <= s.end {
                    r.latencies.push((t1 - t0).as_micros().min(u32::MAX as u128) as u32);
                }
            }
            Ok((status, body)) => {
                r.total += 1;
                r.error(format!("HTTP {status}: {}", String::from_utf8_lossy(&body[..body.len().min(300)])));
            }
            Err(e) => {
                r.error(e);
                sender = None;
            }
        }
    }
    r
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    haystack.windows(needle.len()).any(|w| w == needle)
}
