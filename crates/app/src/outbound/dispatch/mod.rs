//! Sends queued deliveries.
//!
//! The dispatcher claims due rows of the queue (`webhook_queue`) in batches, with a
//! one-minute lease, into one in-memory lane per endpoint. Each lane is
//! drained by at most [`PER_ENDPOINT`] senders, and at most
//! [`MAX_IN_FLIGHT`] requests are in flight in all, so a receiver that hangs
//! for the whole 15 s timeout slows only itself. A lane holds about ten
//! seconds of its endpoint's work (measured from its recent latency); a full
//! lane's endpoint is left out of the next claim. Answers go to one recorder
//! that writes them in batches, a transaction per batch.
//!
//! Claiming differs by database. SQLite (one writer): a claim writes a
//! lease on each row. PostgreSQL: the dispatcher owns endpoints (an advisory
//! lock each, on a session of its own: `outbound::Owner`), reads their due
//! rows without writing them, and keeps the ids it holds (waiting, in
//! flight, or sent and not yet recorded) in memory so it reads none twice.
//! A delivery then costs one write, its answer, instead of two.
//!
//! Claims run beside the sending: the next starts while the lanes still hold
//! work (two at once on PostgreSQL during a backlog). The dispatcher sleeps
//! until a commit that queued deliveries wakes it (`outbound::wake`: in this
//! process at once, on PostgreSQL in any process by `NOTIFY`), or its poll.
//!
//! A row that waited in a lane too long to be sent inside its lease is given
//! back unsent. A sender that dies mid-send leaves its rows leased (SQLite)
//! or its endpoints' locks released with its session (PostgreSQL); they are
//! sent again when the lease ends or another dispatcher takes the endpoint
//! (at-least-once, same `webhook-id`).

use std::collections::{HashMap, HashSet, VecDeque};
use std::sync::atomic::{AtomicU64, AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use tokio::sync::{Notify, Semaphore, mpsc};
use tokio::task::JoinSet;
use tollgate_domain::ids::{AppId, DeliveryId, EndpointId};
use tollgate_domain::outbound::{Attempt, EndpointKind};
use tollgate_persistence::outbound::{self, Claimed, Owner};

use crate::error::AppResult;
use crate::services::Services;

mod claim;
mod record;
mod send;

pub use send::{TIMEOUT, http_client};

pub const MAX_IN_FLIGHT: usize = 64;
pub const PER_ENDPOINT: usize = 4;
const LEASE: time::Duration = time::Duration::seconds(60);
/// Rows claimed at once.
const CLAIM_BATCH: usize = 256;
/// Rows held in lanes (or being claimed) at most, and the level under which
/// more are claimed.
const HIGH_WATER: usize = 1024;
const LOW_WATER: usize = 768;
/// A row that waited longer than this is given back: sending it now could
/// outlast its lease (60 s) by the request's timeout (15 s).
const MAX_WAIT: Duration = Duration::from_secs(40);
/// How much of an endpoint's work (by its recent latency) its lane holds.
const LANE_MS: f64 = 10_000.0;
/// A fast endpoint's lane may hold all the rows held: only the latency
/// bounds it. A full lane's endpoint is left out of claims, and on
/// PostgreSQL its rows are still read and dropped. With a bound of 256,
/// three fast endpoints filled their lanes at 768 rows, the level claims
/// start under: a drain of 30,000 deliveries (`tollgate-bench fanout`)
/// walked up to 95,000 rows in its reads; 47,000 with this bound, 36,000
/// with claims that bring nothing no longer repeated (see `run`).
const LANE_MAX: usize = HIGH_WATER;
/// Answers written per transaction at most.
const RECORD_BATCH: usize = 1024;
/// How long the recorder gathers answers after the first before writing
/// them. A batch's transaction costs the same few statements whatever its
/// size, so bigger batches cost less per answer; and waiting delays no
/// delivery (the receiver has it already), only when the row reads as
/// delivered.
const RECORD_WAIT: Duration = Duration::from_millis(10);
/// How often the dispatcher looks for due deliveries when nothing woke it.
/// A commit in this process that queued deliveries wakes it at once
/// (`outbound::wake`); the poll finds the rest: retries coming due, leases
/// running out, deliveries queued by other processes.
const POLL: Duration = Duration::from_millis(250);
/// How long an endpoint's settings and keys are reused without reading them again.
const ENDPOINT_TTL: Duration = Duration::from_secs(1);
/// PostgreSQL: how long an endpoint another dispatcher owns is left out of
/// claims before asking again.
const ELSEWHERE_TTL: Duration = Duration::from_secs(5);
/// PostgreSQL: reads resume where the last one stopped, and start from the
/// beginning of the due order at least this often.
const RESCAN: Duration = Duration::from_secs(1);
/// PostgreSQL: a read walks at most this many times the rows it wants (rows
/// of skipped endpoints are walked over), so a slow endpoint's backlog does
/// not make every read walk to the end of the queue.
const MAX_WALK: usize = 4;

#[derive(Clone)]
pub struct Dispatcher(Arc<Shared>);

struct Shared {
    s: Services,
    client: reqwest::Client,
    /// Each endpoint's sending settings (`None`: it was deleted), and when they were read.
    endpoints: Mutex<HashMap<EndpointId, (Instant, Option<Arc<Sending>>)>>,
    lanes: Mutex<HashMap<EndpointId, Lane>>,
    /// Rows waiting in lanes (not yet taken by a sender).
    waiting: AtomicUsize,
    /// Claims made so far (reads of the queue on PostgreSQL).
    claims: AtomicU64,
    sending: Semaphore,
    /// Rung when the lanes run low: time to claim more.
    room: Notify,
    /// SQLite: taken around the dispatcher's own write transactions (claims,
    /// answers), which would otherwise meet at SQLite's write lock, where
    /// the one that waits sleeps in the busy handler (1, 2, 5, 10 ms …)
    /// instead of starting when the other commits.
    writing: tokio::sync::Mutex<()>,
    /// PostgreSQL: the endpoints this dispatcher owns (taken at claim time;
    /// claims take turns on this lock).
    owned: tokio::sync::Mutex<Owned>,
    /// PostgreSQL: the deliveries read and not yet recorded (or given back):
    /// still due in the table, so the next claim leaves them out.
    held: Mutex<Held>,
}

/// PostgreSQL: the rows a dispatcher holds (see `Shared::held`).
#[derive(Default)]
struct Held {
    ids: HashSet<DeliveryId>,
    /// While a claim reads: the rows let go meanwhile. The read may still
    /// see them as due (it began before their answers were committed).
    reading: Option<Vec<DeliveryId>>,
}

/// PostgreSQL: the session that owns endpoints, and what it knows.
#[derive(Default)]
struct Owned {
    session: Option<Owner>,
    endpoints: HashSet<EndpointId>,
    /// Endpoints another dispatcher owns, and since when this one knows.
    elsewhere: HashMap<EndpointId, Instant>,
    /// Where the last read stopped in the due order, if it was full.
    cursor: Option<outbound::DueAt>,
    /// When a read last started from the beginning of the due order.
    rescanned: Option<Instant>,
}

/// One endpoint's queue of claimed rows.
struct Lane {
    waiting: VecDeque<Item>,
    senders: usize,
    /// Recent latency, an exponential moving average in ms.
    latency_ms: f64,
}

impl Lane {
    fn new() -> Self {
        Self { waiting: VecDeque::new(), senders: 0, latency_ms: 250.0 }
    }

    /// Rows this lane may hold: about [`LANE_MS`] of its endpoint's work.
    fn cap(&self) -> usize {
        ((LANE_MS / self.latency_ms.max(1.0)) as usize * PER_ENDPOINT).clamp(PER_ENDPOINT, LANE_MAX)
    }
}

struct Item {
    c: Claimed,
    body: Option<String>,
    claimed: Instant,
}

/// What sending to an existing endpoint needs, read once a second at most.
struct Sending {
    endpoint: tollgate_domain::outbound::Endpoint,
    keys: Vec<Vec<u8>>,
    /// The endpoint's URL, parsed and checked (`send::target_url`), or why
    /// it cannot be tried.
    url: Result<url::Url, String>,
}

/// A try, waiting to be written: its answer is the attempt's status code
/// (`None`: no answer, the attempt's error says why).
struct Tried {
    c: Claimed,
    /// The endpoint as the try saw it (its kind and URL decide what an answer means).
    to: Arc<Sending>,
    attempt: Attempt,
}

impl Tried {
    /// The receiver answered 2xx.
    fn succeeded(&self) -> bool {
        self.attempt.status_code.is_some_and(|c| (200..300).contains(&c))
    }
}

/// How a claimed row ended in this process.
enum Done {
    Tried(Tried),
    /// Not tried: its endpoint is gone or disabled, or its event is missing.
    Untried(Claimed, &'static str),
    /// Given back unsent, due again at once.
    Release(Claimed),
    /// Not tried: its endpoint could not be read (a database error, a
    /// secret that does not open). Due again a [`LEASE`] later, so an
    /// endpoint that stays unreadable is not retried in a loop.
    Defer(Claimed),
}

/// Counts a lane's sender out however its task ends (a normal end counts
/// itself out under the lanes' lock and disarms this).
struct SenderGuard {
    d: Dispatcher,
    endpoint: EndpointId,
    armed: bool,
}

impl Drop for SenderGuard {
    fn drop(&mut self) {
        if self.armed {
            let mut lanes = self.d.0.lanes.lock().unwrap_or_else(|e| e.into_inner());
            if let Some(l) = lanes.get_mut(&self.endpoint) {
                l.senders = l.senders.saturating_sub(1);
            }
        }
    }
}

/// A task that ends with its owner (here: `run`, even if it is dropped).
struct AbortOnDrop(tokio::task::JoinHandle<()>);

impl Drop for AbortOnDrop {
    fn drop(&mut self) {
        self.0.abort();
    }
}

impl Dispatcher {
    pub fn new(s: Services) -> Self {
        let client = http_client(s.config.outbound.allow_private_networks);
        Self(Arc::new(Shared {
            s,
            client,
            endpoints: Default::default(),
            lanes: Default::default(),
            waiting: AtomicUsize::new(0),
            claims: AtomicU64::new(0),
            sending: Semaphore::new(MAX_IN_FLIGHT),
            room: Notify::new(),
            writing: tokio::sync::Mutex::new(()),
            owned: Default::default(),
            held: Default::default(),
        }))
    }

    /// How many claims this dispatcher has made (also counted, for every
    /// dispatcher in the process, in `tollgate_outbound_claims_total`).
    pub fn claims(&self) -> u64 {
        self.0.claims.load(Ordering::Relaxed)
    }

    /// Puts claimed rows in their lanes, starting no sender (when stopping).
    fn enqueue_only(&self, items: Vec<Item>) {
        let mut lanes = self.0.lanes.lock().unwrap_or_else(|e| e.into_inner());
        self.0.waiting.fetch_add(items.len(), Ordering::SeqCst);
        for it in items {
            lanes.entry(it.c.endpoint_id.clone()).or_insert_with(Lane::new).waiting.push_back(it);
        }
    }

    /// Puts claimed rows in their lanes and starts the senders they need.
    fn enqueue(&self, items: Vec<Item>, done: &mpsc::Sender<Done>, senders: &mut JoinSet<()>) {
        let mut start = Vec::new();
        {
            let mut lanes = self.0.lanes.lock().unwrap_or_else(|e| e.into_inner());
            self.0.waiting.fetch_add(items.len(), Ordering::SeqCst);
            for it in items {
                lanes.entry(it.c.endpoint_id.clone()).or_insert_with(Lane::new).waiting.push_back(it);
            }
            for (e, l) in lanes.iter_mut() {
                while l.senders < PER_ENDPOINT && l.senders < l.waiting.len() {
                    l.senders += 1;
                    start.push(e.clone());
                }
            }
        }
        for e in start {
            let guard = SenderGuard { d: self.clone(), endpoint: e, armed: true };
            senders.spawn(self.clone().sender(guard, done.clone()));
        }
    }

    /// One of a lane's senders: takes its rows one at a time until the lane is empty.
    async fn sender(self, mut guard: SenderGuard, done: mpsc::Sender<Done>) {
        loop {
            let item = {
                let mut lanes = self.0.lanes.lock().unwrap_or_else(|e| e.into_inner());
                let lane = lanes.entry(guard.endpoint.clone()).or_insert_with(Lane::new);
                match lane.waiting.pop_front() {
                    Some(it) => it,
                    None => {
                        lane.senders = lane.senders.saturating_sub(1);
                        guard.armed = false;
                        return;
                    }
                }
            };
            if self.0.waiting.fetch_sub(1, Ordering::SeqCst) <= LOW_WATER {
                self.0.room.notify_one();
            }
            if item.claimed.elapsed() > MAX_WAIT {
                let _ = done.send(Done::Release(item.c)).await;
                continue;
            }
            let permit = self.0.sending.acquire().await.expect("the semaphore stays open");
            let started = Instant::now();
            let result = self.try_one(item.c, item.body).await;
            drop(permit);
            if let Done::Tried(_) = &result {
                let ms = started.elapsed().as_secs_f64() * 1000.0;
                let mut lanes = self.0.lanes.lock().unwrap_or_else(|e| e.into_inner());
                if let Some(l) = lanes.get_mut(&guard.endpoint) {
                    l.latency_ms = 0.7 * l.latency_ms + 0.3 * ms;
                }
            }
            let _ = done.send(result).await;
        }
    }

    /// Sends what is due now (one claim) and waits for the answers; returns
    /// how many deliveries were claimed. For tests and `tollgate` commands,
    /// on a dispatcher that is not [`run`](Self::run)ning.
    pub async fn run_once(&self) -> AppResult<usize> {
        let items = self.claim(CLAIM_BATCH).await?;
        let n = items.len();
        let (tx, mut rx) = mpsc::channel(n.max(1));
        let mut senders = JoinSet::new();
        self.enqueue(items, &tx, &mut senders);
        drop(tx);
        let mut done = Vec::with_capacity(n);
        while let Some(d) = rx.recv().await {
            done.push(d);
        }
        while senders.join_next().await.is_some() {}
        let recorded = self.record(done).await;
        self.disown().await;
        recorded?;
        Ok(n)
    }

    /// Sends until `stop` turns true: claims whenever the lanes run low and
    /// something is due (checked every 20 ms, or at once when woken).
    pub async fn run(self, mut stop: tokio::sync::watch::Receiver<bool>) {
        let (tx, mut rx) = mpsc::channel::<Done>(RECORD_BATCH);
        let recorder = {
            let me = self.clone();
            tokio::spawn(async move {
                while let Some(first) = rx.recv().await {
                    let mut batch = vec![first];
                    // The answers that come within RECORD_WAIT join the batch.
                    let until = tokio::time::Instant::now() + RECORD_WAIT;
                    while batch.len() < RECORD_BATCH {
                        match rx.try_recv() {
                            Ok(x) => batch.push(x),
                            Err(mpsc::error::TryRecvError::Disconnected) => break,
                            Err(mpsc::error::TryRecvError::Empty) => match tokio::time::timeout_at(until, rx.recv()).await {
                                Ok(Some(x)) => batch.push(x),
                                _ => break,
                            },
                        }
                    }
                    if let Err(e) = me.record(batch).await {
                        // The rows stay leased and are sent again when the lease ends.
                        tracing::error!(error = %e, "could not record delivery answers");
                    }
                }
            })
        };
        let ready = self.0.s.outbound_ready.clone();
        // Rung after every commit in this process that queued deliveries.
        outbound::wake::register(&ready);
        // On PostgreSQL, rung after such commits in any process (this one's
        // too, so a wake from here is only a hint to look).
        let elsewhere = Arc::new(Notify::new());
        let listener = {
            let (db, elsewhere) = (self.0.s.db.clone(), elsewhere.clone());
            AbortOnDrop(tokio::spawn(async move {
                while let Err(e) = outbound::wake::listen(&db, &elsewhere).await {
                    tracing::warn!(error = %e, "not listening for deliveries queued elsewhere; polling meanwhile");
                    tokio::time::sleep(Duration::from_secs(5)).await;
                }
            }))
        };
        let mut senders = JoinSet::new();
        // Claims run beside the loop, so the lanes keep being served while
        // one is written; during a backlog, PostgreSQL runs two at once (each
        // on its own connection; SQLite has one writer). `claiming` counts
        // the rows they may bring.
        let mut claims: JoinSet<(usize, AppResult<Vec<Item>>)> = JoinSet::new();
        let max_claims = match self.0.s.db.backend() {
            tollgate_persistence::Backend::Sqlite => 1,
            tollgate_persistence::Backend::Postgres => 2,
        };
        let mut claiming = 0;
        // Whether something is probably due: the last claim got all it asked
        // for, or a commit in this process queued deliveries.
        let mut likely = false;
        // Whether the last claim was full: a backlog, worth two claims at once.
        let mut backlog = false;
        // Whether the last claim brought nothing. On PostgreSQL the rows a
        // dispatcher holds (in its lanes, in flight, answers not yet written)
        // still read as due, so the probe would say yes and claim after claim
        // would read them back, a loop of reads until their answers are
        // written. Until a commit queues deliveries (here or, by `NOTIFY`,
        // elsewhere) or the poll comes round, there is no probe.
        let mut dry = false;
        // The poll's next turn: a deadline, not a sleep begun anew on every
        // turn of the loop, which a sender's `room` ringing now and then
        // would put off for as long as any lane is being drained.
        let mut poll = tokio::time::Instant::now() + POLL;
        while !*stop.borrow() {
            while let Some(r) = senders.try_join_next() {
                if let Err(e) = r {
                    tracing::error!(error = %e, "a delivery sender failed");
                }
            }
            let ahead = self.0.waiting.load(Ordering::SeqCst) + claiming;
            let at_once = if backlog { max_claims } else { 1 };
            // A cheap read first, unless something is probably due: claiming
            // is a write, and SQLite has one writer.
            if ahead < LOW_WATER && claims.len() < at_once && (std::mem::take(&mut likely) || (!dry && self.anything_due().await)) {
                let n = (HIGH_WATER - ahead).min(CLAIM_BATCH);
                claiming += n;
                let me = self.clone();
                claims.spawn(async move { (n, me.claim(n).await) });
                likely = backlog;
                continue;
            }
            tokio::select! {
                // A dropped sender (its owner ended or panicked) is a stop too:
                // otherwise `changed()` answers at once and this loop spins.
                r = stop.changed() => if r.is_err() { break },
                Some(r) = claims.join_next(), if !claims.is_empty() => {
                    match r {
                        Ok((n, Ok(items))) => {
                            claiming -= n;
                            backlog = items.len() == n;
                            dry = items.is_empty();
                            // A wake that came meanwhile still counts.
                            likely |= backlog;
                            self.enqueue(items, &tx, &mut senders);
                        }
                        Ok((n, Err(e))) => {
                            claiming -= n;
                            backlog = false;
                            tracing::error!(error = %e, "could not claim deliveries");
                        }
                        Err(e) => tracing::error!(error = %e, "a claim failed"),
                    }
                    if claims.is_empty() {
                        claiming = 0;
                    }
                }
                _ = ready.notified() => likely = true,
                _ = elsewhere.notified() => dry = false,
                _ = self.0.room.notified() => {}
                _ = tokio::time::sleep_until(poll) => {
                    dry = false;
                    poll = tokio::time::Instant::now() + POLL;
                }
            }
        }
        // Claims under way finish, and what they got waits in the lanes to be given back below.
        while let Some(r) = claims.join_next().await {
            if let Ok((_, Ok(items))) = r {
                self.enqueue_only(items);
            }
        }
        drop(listener);
        // Sends in flight are abandoned (their leases end and they are sent
        // again); rows still waiting are given back at once.
        senders.abort_all();
        while senders.join_next().await.is_some() {}
        let waiting: Vec<Claimed> = {
            let mut lanes = self.0.lanes.lock().unwrap_or_else(|e| e.into_inner());
            lanes.values_mut().flat_map(|l| l.waiting.drain(..).map(|it| it.c).collect::<Vec<_>>()).collect()
        };
        for c in waiting {
            let _ = tx.send(Done::Release(c)).await;
        }
        drop(tx);
        let _ = recorder.await;
        self.disown().await;
    }

    /// On SQLite, this dispatcher's turn to write (see `Shared::writing`).
    pub(super) async fn write_turn(&self) -> Option<tokio::sync::MutexGuard<'_, ()>> {
        match self.0.s.db.backend() {
            tollgate_persistence::Backend::Sqlite => Some(self.0.writing.lock().await),
            tollgate_persistence::Backend::Postgres => None,
        }
    }

    async fn anything_due(&self) -> bool {
        let s = &self.0.s;
        match s.db.acquire().await {
            Ok(mut c) => outbound::any_due(&mut c.conn(), s.now()).await.unwrap_or(true),
            Err(_) => true,
        }
    }

    /// The endpoint's settings and signing keys (`None`: it was deleted),
    /// read at most once per second.
    async fn sending(&self, app: &AppId, id: &EndpointId) -> AppResult<Option<Arc<Sending>>> {
        if let Some((at, t)) = self.0.endpoints.lock().unwrap_or_else(|e| e.into_inner()).get(id) {
            if at.elapsed() < ENDPOINT_TTL {
                return Ok(t.clone());
            }
        }
        let s = &self.0.s;
        let mut conn = s.db.acquire().await?;
        let t = match outbound::find_endpoint(&mut conn.conn(), app, id).await? {
            Some(endpoint) => {
                let keys = match endpoint.kind {
                    EndpointKind::Standard => s.signing_keys(&mut conn.conn(), app, id).await?,
                    EndpointKind::Zapier => Vec::new(),
                };
                let url = send::target_url(&endpoint.url, s.config.outbound.allow_private_networks);
                Some(Arc::new(Sending { endpoint, keys, url }))
            }
            None => None,
        };
        self.0.endpoints.lock().unwrap_or_else(|e| e.into_inner()).insert(id.clone(), (Instant::now(), t.clone()));
        Ok(t)
    }

    /// Tries one claimed delivery, unless its endpoint is gone or disabled,
    /// or cannot be read (then it is deferred: see [`Done::Defer`]).
    async fn try_one(&self, c: Claimed, body: Option<String>) -> Done {
        let s = &self.0.s;
        let to = match self.sending(&c.app_id, &c.endpoint_id).await {
            Ok(Some(to)) => to,
            Ok(None) => return Done::Untried(c, "the endpoint was deleted"),
            Err(e) => {
                tracing::error!(error = %e, "a delivery could not be tried: its endpoint could not be read");
                return Done::Defer(c);
            }
        };
        if !to.endpoint.enabled {
            return Done::Untried(c, "the endpoint is disabled");
        }
        let Some(payload) = body else {
            return Done::Untried(c, "the event is missing");
        };
        let attempted_at = s.now();
        let started = Instant::now();
        let answer = send::send(&self.0.client, &to.url, to.endpoint.kind, &c, payload, &to.keys, attempted_at).await;
        let latency_ms = started.elapsed().as_millis() as i64;
        let (status_code, response_body, error) = match answer {
            Ok((code, body)) => (Some(code), Some(body), None),
            Err(e) => (None, None, Some(e)),
        };
        let attempt = Attempt { n: c.attempts + 1, attempted_at, status_code, latency_ms, response_body, error };
        Done::Tried(Tried { c, to, attempt })
    }
}
