//! Claiming due deliveries: with a lease per row on SQLite, by owning
//! endpoints and reading their rows on PostgreSQL (see the module above).

use std::collections::HashSet;
use std::time::Instant;

use tollgate_domain::ids::{AppId, DeliveryId, EndpointId};
use tollgate_persistence::Backend;
use tollgate_persistence::outbound::{self, Owner};

use super::{Dispatcher, ELSEWHERE_TTL, Held, Item, LEASE, MAX_WALK, RESCAN};
use crate::error::AppResult;

impl Dispatcher {
    /// Claims up to `n` due deliveries, leaving out endpoints whose lane is full.
    pub(super) async fn claim(&self, n: usize) -> AppResult<Vec<Item>> {
        self.0.claims.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        metrics::counter!("tollgate_outbound_claims_total").increment(1);
        let full: Vec<EndpointId> = {
            let lanes = self.0.lanes.lock().unwrap_or_else(|e| e.into_inner());
            lanes.iter().filter(|(_, l)| l.waiting.len() + l.senders >= l.cap()).map(|(e, _)| e.clone()).collect()
        };
        if self.0.s.db.backend() == Backend::Postgres {
            return self.claim_owned(n, full).await;
        }
        let s = &self.0.s;
        let _writing = self.write_turn().await;
        let mut tx = s.db.begin().await?;
        // A claim lost in a crash only means the rows are claimed again.
        tollgate_persistence::relax_durability(&mut tx.conn()).await?;
        // The bodies come with the rows: one event goes to several
        // endpoints, each of its deliveries gets the body.
        let claimed = outbound::claim_due(&mut tx.conn(), n as i64, s.now(), LEASE, &full).await?;
        tx.commit().await?;
        let at = Instant::now();
        Ok(claimed.into_iter().map(|(c, body)| Item { c, body, claimed: at }).collect())
    }

    /// PostgreSQL: reads up to `n` due deliveries of endpoints this
    /// dispatcher owns or can take, leaving out the rows it holds and the
    /// endpoints in `skip` (full lanes) or owned elsewhere, then the bodies
    /// of those it keeps (each event's once). Writes nothing.
    ///
    /// Each read walks a bounded stretch of the due order (more when
    /// endpoints are skipped, at most [`MAX_WALK`] times `n`, plus the rows
    /// held when it starts from the beginning) and resumes where the last
    /// one stopped (`Owned::cursor`), so it walks only rows not read yet. It
    /// starts from the beginning again after a walk that reached the end of
    /// what is due and at least every [`RESCAN`]: rows can come due behind
    /// the cursor (given back unsent, an answer that could not be written, a
    /// commit that queued rows with an earlier time, an endpoint that was
    /// skipped), and a read from the start finds them.
    async fn claim_owned(&self, n: usize, mut skip: Vec<EndpointId>) -> AppResult<Vec<Item>> {
        let s = &self.0.s;
        let mut owned = self.0.owned.lock().await;
        if owned.session.is_none() {
            owned.session = Owner::open(&s.db).await?;
        }
        owned.elsewhere.retain(|_, since| since.elapsed() < ELSEWHERE_TTL);
        skip.extend(owned.elsewhere.keys().cloned());
        if owned.rescanned.is_none_or(|t| t.elapsed() >= RESCAN) {
            owned.cursor = None;
        }
        let cursor = owned.cursor.take();
        if cursor.is_none() {
            owned.rescanned = Some(Instant::now());
        }
        let asked = {
            let mut held = self.0.held.lock().unwrap_or_else(|e| e.into_inner());
            // Rows recorded during the read may still read as due: they are
            // noted while it runs and left out with the held ones.
            held.reading = Some(Vec::new());
            // Rows of skipped endpoints are walked over and left out.
            let walk = n * (1 + skip.len()).min(MAX_WALK);
            // From the start, the rows held are read again and left out.
            if cursor.is_none() { walk + held.ids.len() } else { walk }
        };
        let session = owned.session.as_mut().expect("PostgreSQL opens an owner session");
        let (read, stopped) = match session.due_rows(asked as i64, s.now(), &skip, cursor.as_ref()).await {
            Ok(r) => r,
            Err(e) => {
                self.0.held.lock().unwrap_or_else(|e| e.into_inner()).reading = None;
                return Err(e.into());
            }
        };
        owned.cursor = stopped;
        let mut rows: Vec<outbound::Due> = Vec::with_capacity(n);
        {
            let mut held = self.0.held.lock().unwrap_or_else(|e| e.into_inner());
            let during: HashSet<DeliveryId> = held.reading.take().unwrap_or_default().into_iter().collect();
            for r in read.into_iter().filter(|r| !held.ids.contains(&r.c.id) && !during.contains(&r.c.id)) {
                if rows.len() == n {
                    // More than asked for: the next read resumes after the last row kept.
                    owned.cursor = rows.last().map(|r| r.at.clone());
                    break;
                }
                rows.push(r);
            }
        }
        let mut new: Vec<(AppId, EndpointId)> = Vec::new();
        for r in &rows {
            if !owned.endpoints.contains(&r.c.endpoint_id) && !new.iter().any(|(_, e)| *e == r.c.endpoint_id) {
                new.push((r.c.app_id.clone(), r.c.endpoint_id.clone()));
            }
        }
        if !new.is_empty() {
            let session = owned.session.as_mut().expect("PostgreSQL opens an owner session");
            let got = session.take(&new).await?;
            for ((_, e), mine) in new.into_iter().zip(got) {
                if mine {
                    owned.endpoints.insert(e);
                } else {
                    owned.elsewhere.insert(e, Instant::now());
                }
            }
            rows.retain(|r| owned.endpoints.contains(&r.c.endpoint_id));
        }
        // The bodies of the rows kept only, each event's once.
        let session = owned.session.as_mut().expect("PostgreSQL opens an owner session");
        let rows = session.with_bodies(rows.into_iter().map(|r| r.c).collect()).await?;
        self.0.held.lock().unwrap_or_else(|e| e.into_inner()).ids.extend(rows.iter().map(|(c, _)| c.id.clone()));
        let at = Instant::now();
        Ok(rows.into_iter().map(|(c, body)| Item { c, body, claimed: at }).collect())
    }

    /// PostgreSQL: lets the rows go (recorded, given back, or their answer
    /// lost): the next claim may read them again if they are still due.
    pub(super) fn unhold<'a>(&self, ids: impl IntoIterator<Item = &'a DeliveryId>) {
        let mut held = self.0.held.lock().unwrap_or_else(|e| e.into_inner());
        if held.ids.is_empty() {
            return;
        }
        let Held { ids: set, reading } = &mut *held;
        for id in ids {
            if set.remove(id) {
                if let Some(r) = reading.as_mut() {
                    r.push(id.clone());
                }
            }
        }
    }

    /// PostgreSQL: gives up every owned endpoint and closes the session.
    pub(super) async fn disown(&self) {
        let mut owned = self.0.owned.lock().await;
        owned.endpoints.clear();
        owned.elsewhere.clear();
        owned.cursor = None;
        if let Some(session) = owned.session.take() {
            if let Err(e) = session.close().await {
                // Dropped, the session's locks go when PostgreSQL notices it closed.
                tracing::warn!(error = %e, "could not release owned webhook endpoints");
            }
        }
    }
}
