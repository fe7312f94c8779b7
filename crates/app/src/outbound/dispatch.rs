//! Sends queued deliveries.
//!
//! The dispatcher claims due rows of `webhook_deliveries` with a one-minute
//! lease and sends each on its own task: at most [`MAX_IN_FLIGHT`] at once,
//! at most [`PER_ENDPOINT`] to one endpoint (rows of an endpoint at its cap
//! are not claimed), so a receiver that hangs for the whole 15 s timeout
//! slows only itself. A sender that dies mid-send leaves its rows leased; they
//! are sent again when the lease ends (at-least-once, same `webhook-id`).

use std::collections::HashMap;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use time::OffsetDateTime;
use tokio::task::JoinSet;
use tollgate_domain::auth::Role;
use tollgate_domain::ids::{AppId, EndpointId};
use tollgate_domain::outbound::{Attempt, DISABLE_AFTER, DeliveryStatus, EndpointKind, retry_after};
use tollgate_persistence::outbound::{self, Claimed, Outcome};
use tollgate_persistence::{Conn, admins, apps};

use super::net::{GuardedResolver, check_literal_host};
use super::signing::signature_header;
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::services::Services;

pub const MAX_IN_FLIGHT: usize = 64;
pub const PER_ENDPOINT: usize = 4;
const LEASE: time::Duration = time::Duration::seconds(60);
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

/// Rows claimed per claim: small, so a claim rarely takes rows it must give back.
const CLAIM_BATCH: usize = 16;
/// How often the dispatcher looks for due deliveries when nothing woke it.
/// Events are recorded deep inside other transactions, which cannot wake it
/// after they commit; a cheap indexed read every 50 ms keeps the added
/// latency small.
const POLL: Duration = Duration::from_millis(50);
/// How long an endpoint's settings and keys are reused without reading them again.
const ENDPOINT_TTL: Duration = Duration::from_secs(1);

#[derive(Clone)]
pub struct Dispatcher {
    s: Services,
    client: reqwest::Client,
    busy: Arc<Mutex<HashMap<EndpointId, usize>>>,
    endpoints: Arc<Mutex<HashMap<EndpointId, (Instant, Arc<Target>)>>>,
}

/// What sending to an endpoint needs, read once a second at most.
struct Target {
    endpoint: Option<tollgate_domain::outbound::Endpoint>,
    keys: Vec<Vec<u8>>,
}

/// A try's answer, waiting to be written.
struct Tried {
    c: Claimed,
    kind: EndpointKind,
    url: String,
    attempt: Attempt,
    answer: Answer,
}

/// Gives an endpoint's in-flight slot back when its send ends, however it ends.
struct Slot {
    busy: Arc<Mutex<HashMap<EndpointId, usize>>>,
    endpoint: EndpointId,
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut b = self.busy.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(n) = b.get_mut(&self.endpoint) {
            *n -= 1;
            if *n == 0 {
                b.remove(&self.endpoint);
            }
        }
    }
}

/// What came back from one try.
enum Answer {
    Status { code: u16, body: String },
    Error(String),
}

impl Dispatcher {
    pub fn new(s: Services) -> Self {
        let client = http_client(s.config.outbound.allow_private_networks);
        Self { s, client, busy: Default::default(), endpoints: Default::default() }
    }

    /// Claims up to `n` due deliveries, skipping endpoints at their cap, and takes a slot for each.
    async fn claim(&self, n: usize) -> AppResult<Vec<(Claimed, Slot, Option<String>)>> {
        let full: Vec<EndpointId> = {
            let b = self.busy.lock().unwrap_or_else(|e| e.into_inner());
            b.iter().filter(|(_, n)| **n >= PER_ENDPOINT).map(|(e, _)| e.clone()).collect()
        };
        let now = self.s.now();
        let mut tx = self.s.db.begin().await?;
        let claimed = outbound::claim_due(&mut tx.conn(), n.min(CLAIM_BATCH) as i64, now, LEASE, &full).await?;
        let mut out = Vec::with_capacity(claimed.len());
        let mut back = Vec::new();
        {
            let mut b = self.busy.lock().unwrap_or_else(|e| e.into_inner());
            for c in claimed {
                let cur = b.entry(c.endpoint_id.clone()).or_insert(0);
                if *cur >= PER_ENDPOINT {
                    back.push(c);
                    continue;
                }
                *cur += 1;
                let slot = Slot { busy: self.busy.clone(), endpoint: c.endpoint_id.clone() };
                out.push((c, slot));
            }
        }
        let back: Vec<_> = back.into_iter().map(|c| (c.app_id, c.id)).collect();
        outbound::release(&mut tx.conn(), &back).await?;
        tx.commit().await?;
        // The bodies of the whole batch in one read.
        let ids: Vec<_> = out.iter().map(|(c, _)| (c.app_id.clone(), c.message_id.clone())).collect();
        let bodies = {
            let mut conn = self.s.db.acquire().await?;
            outbound::payloads_of(&mut conn.conn(), &ids).await?
        };
        Ok(out.into_iter().map(|(c, slot)| {
            // One event goes to several endpoints: each of its deliveries gets the body.
            let body = bodies.get(&c.message_id).cloned();
            (c, slot, body)
        }).collect())
    }

    /// Sends everything due now and waits for the answers; returns how many
    /// deliveries were tried. For tests and `tollgate` commands.
    pub async fn run_once(&self) -> AppResult<usize> {
        let claimed = self.claim(MAX_IN_FLIGHT).await?;
        let n = claimed.len();
        let mut set = JoinSet::new();
        for (c, slot, body) in claimed {
            let me = self.clone();
            set.spawn(async move {
                let tried = me.try_one(c, body).await;
                drop(slot);
                match tried? {
                    Some(t) => me.record(vec![t]).await,
                    None => Ok(()),
                }
            });
        }
        while let Some(r) = set.join_next().await {
            match r {
                Ok(Err(e)) => tracing::error!(error = %e, "a delivery could not be recorded"),
                Err(e) => tracing::error!(error = %e, "a delivery task failed"),
                Ok(Ok(())) => {}
            }
        }
        Ok(n)
    }

    /// Sends until `stop` turns true: claims whenever a slot is free and
    /// something is due (checked every 50 ms, or at once when woken). Answers
    /// are written by one recorder in batches (a transaction per batch), so
    /// senders never queue for the database's write lock one by one.
    /// (Each finished send also wakes the loop to claim more.)
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut set: JoinSet<AppResult<()>> = JoinSet::new();
        let ready = self.s.outbound_ready.clone();
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Tried>(MAX_IN_FLIGHT * 2);
        let recorder = {
            let me = self.clone();
            tokio::spawn(async move {
                while let Some(first) = rx.recv().await {
                    let mut batch = vec![first];
                    while batch.len() < MAX_IN_FLIGHT {
                        match rx.try_recv() {
                            Ok(x) => batch.push(x),
                            Err(_) => break,
                        }
                    }
                    if let Err(e) = me.record(batch).await {
                        // The rows stay leased and are sent again when the lease ends.
                        tracing::error!(error = %e, "could not record delivery answers");
                    }
                }
            })
        };
        loop {
            while let Some(r) = set.try_join_next() {
                if let Ok(Err(e)) | Err(e) = r.map_err(|e| AppError::Internal(e.to_string())) {
                    tracing::error!(error = %e, "a delivery failed before its answer was recorded");
                }
            }
            let free = MAX_IN_FLIGHT.saturating_sub(self.in_flight());
            // A cheap read first: claiming is a write, and SQLite has one writer.
            if free > 0 && self.anything_due().await {
                match self.claim(free).await {
                    Ok(claimed) => {
                        for (c, slot, body) in claimed {
                            let me = self.clone();
                            let tx = tx.clone();
                            set.spawn(async move {
                                // The endpoint's slot is the HTTP request only; the row
                                // stays leased until its answer is recorded.
                                let tried = me.try_one(c, body).await;
                                drop(slot);
                                if let Some(t) = tried? {
                                    let _ = tx.send(t).await;
                                }
                                Ok(())
                            });
                        }
                    }
                    Err(e) => tracing::error!(error = %e, "could not claim deliveries"),
                }
            }
            tokio::select! {
                _ = stop.changed() => break,
                _ = ready.notified() => {}
                Some(_) = set.join_next(), if !set.is_empty() => {}
                _ = tokio::time::sleep(POLL) => {}
            }
        }
        // In-flight sends are abandoned: their leases end and they are sent again.
        set.abort_all();
        drop(tx);
        let _ = recorder.await;
    }

    async fn anything_due(&self) -> bool {
        match self.s.db.acquire().await {
            Ok(mut c) => outbound::any_due(&mut c.conn(), self.s.now()).await.unwrap_or(true),
            Err(_) => true,
        }
    }

    fn in_flight(&self) -> usize {
        self.busy.lock().unwrap_or_else(|e| e.into_inner()).values().sum()
    }

    /// The endpoint's settings and signing keys, read at most once per second.
    async fn target(&self, app: &AppId, id: &EndpointId) -> AppResult<Arc<Target>> {
        if let Some((at, t)) = self.endpoints.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
            if at.elapsed() < ENDPOINT_TTL {
                return Ok(t.clone());
            }
        }
        let mut conn = self.s.db.acquire().await?;
        let endpoint = outbound::find_endpoint(&mut conn.conn(), app, id).await?;
        let keys = match &endpoint {
            Some(e) if e.kind == EndpointKind::Standard => self.s.signing_keys(&mut conn.conn(), app, id).await?,
            _ => Vec::new(),
        };
        let t = Arc::new(Target { endpoint, keys });
        self.endpoints.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), (Instant::now(), t.clone()));
        Ok(t)
    }

    /// Tries one claimed delivery; `None` when it could not be tried (its
    /// endpoint is gone or disabled: recorded as failed at once).
    async fn try_one(&self, c: Claimed, body: Option<String>) -> AppResult<Option<Tried>> {
        let s = &self.s;
        let target = self.target(&c.app_id, &c.endpoint_id).await?;
        let payload = body.map(|b| (b, ()));
        let reason = match (&target.endpoint, &payload) {
            (None, _) => Some("the endpoint was deleted"),
            (Some(e), _) if !e.enabled => Some("the endpoint is disabled"),
            (_, None) => Some("the event is missing"),
            _ => None,
        };
        let (Some(endpoint), Some((payload, _)), None) = (&target.endpoint, payload, reason) else {
            let mut tx = s.db.begin().await?;
            outbound::fail_untried(&mut tx.conn(), &c.app_id, &c.id, reason.unwrap_or("the endpoint is gone"), s.now()).await?;
            tx.commit().await?;
            return Ok(None);
        };
        let attempted_at = s.now();
        let started = Instant::now();
        let answer = self.send(&endpoint.url, endpoint.kind, &c, &payload, &target.keys, attempted_at).await;
        let latency_ms = started.elapsed().as_millis() as i64;
        let (status_code, body, error) = match &answer {
            Answer::Status { code, body } => (Some(*code), Some(body.clone()), None),
            Answer::Error(e) => (None, None, Some(e.clone())),
        };
        let attempt = Attempt { n: c.attempts + 1, attempted_at, status_code, latency_ms, response_body: body, error };
        Ok(Some(Tried { kind: endpoint.kind, url: endpoint.url.clone(), c, attempt, answer }))
    }

    /// Writes answers and their consequences in one transaction.
    async fn record(&self, tried: Vec<Tried>) -> AppResult<()> {
        let s = &self.s;
        let now = s.now();
        let mut tx = s.db.begin().await?;
        let conn = &mut tx.conn();
        for Tried { c, kind, url, attempt, answer } in tried {
            let tries = c.attempts + 1;
            match answer {
                Answer::Status { code, .. } if (200..300).contains(&code) => {
                    outbound::record_attempt(conn, &c.app_id, &c.id, &attempt, &Outcome { status: DeliveryStatus::Delivered, attempts: tries, next_attempt_at: None }).await?;
                    outbound::note_success(conn, &c.app_id, &c.endpoint_id).await?;
                }
                Answer::Status { code: 410, .. } => {
                    outbound::record_attempt(conn, &c.app_id, &c.id, &attempt, &Outcome { status: DeliveryStatus::Failed, attempts: tries, next_attempt_at: None }).await?;
                    self.forget(&c.endpoint_id);
                    match kind {
                        // Zapier answers 410 when the Zap is off: the subscription is over.
                        EndpointKind::Zapier => {
                            outbound::delete_endpoint(conn, &c.app_id, &c.endpoint_id, now).await?;
                            tracing::info!(endpoint = %c.endpoint_id, "Zapier answered 410 Gone: hook removed");
                        }
                        EndpointKind::Standard => {
                            outbound::disable(conn, &c.app_id, &c.endpoint_id, "gone", now).await?;
                            tracing::warn!(endpoint = %c.endpoint_id, "endpoint answered 410 Gone: disabled");
                        }
                    }
                }
                _ => {
                    // The endpoint first: another try may have disabled (or deleted) it meanwhile.
                    let (since, enabled) = outbound::note_failure(conn, &c.app_id, &c.endpoint_id, now).await?;
                    let next = if enabled { retry_after(tries, rand::thread_rng().r#gen::<f64>()).map(|d| now + d) } else { None };
                    let status = if next.is_some() { DeliveryStatus::Pending } else { DeliveryStatus::Failed };
                    outbound::record_attempt(conn, &c.app_id, &c.id, &attempt, &Outcome { status, attempts: tries, next_attempt_at: next }).await?;
                    if enabled && since.is_some_and(|t| now - t >= DISABLE_AFTER) && outbound::disable(conn, &c.app_id, &c.endpoint_id, "failing", now).await? {
                        self.forget(&c.endpoint_id);
                        tracing::warn!(endpoint = %c.endpoint_id, "every try failed for 5 days: endpoint disabled");
                        email_owners(conn, &c.app_id, &url, now).await?;
                    }
                }
            }
        }
        tx.commit().await?;
        Ok(())
    }

    fn forget(&self, id: &EndpointId) {
        self.endpoints.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }

    async fn send(&self, url: &str, kind: EndpointKind, c: &Claimed, payload: &str, keys: &[Vec<u8>], at: OffsetDateTime) -> Answer {
        let url = match url::Url::parse(url) {
            Ok(u) => u,
            Err(e) => return Answer::Error(format!("invalid URL: {e}")),
        };
        if !self.s.config.outbound.allow_private_networks {
            if let Err(e) = check_literal_host(&url) {
                return Answer::Error(e);
            }
        }
        let ts = at.unix_timestamp();
        let mut req = self
            .client
            .post(url)
            .header(reqwest::header::CONTENT_TYPE, "application/json")
            .header("webhook-id", c.message_id.as_str())
            .header("webhook-timestamp", ts.to_string());
        if kind == EndpointKind::Standard {
            req = req.header("webhook-signature", signature_header(keys, c.message_id.as_str(), ts, payload.as_bytes()));
        }
        match req.body(payload.to_owned()).send().await {
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
                Answer::Status { code, body: String::from_utf8_lossy(&kept).into_owned() }
            }
            Err(e) => Answer::Error(describe(&e)),
        }
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

async fn email_owners(conn: &mut Conn<'_>, app: &AppId, url: &str, now: OffsetDateTime) -> AppResult<()> {
    let site = mail::Site::of(apps::find(conn, app).await?.as_ref());
    for m in admins::list_team(conn, app).await?.into_iter().filter(|m| m.role == Role::Owner) {
        mail::enqueue(conn, app, m.admin.email.as_str(), mail::endpoint_disabled(&site, url), now).await?;
    }
    Ok(())
}
