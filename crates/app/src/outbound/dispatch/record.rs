//! Writing answers: a batch of them in one transaction. Successes, the common
//! case, cost two statements per batch whatever its size; failures, 410s and
//! untried rows are written one by one with their consequences (retry
//! schedule, disabling, the owners' email).

use std::collections::HashSet;

use rand::Rng;
use time::OffsetDateTime;
use tollgate_domain::auth::Role;
use tollgate_domain::ids::{AppId, DeliveryId, EndpointId};
use tollgate_domain::outbound::{DISABLE_AFTER, DeliveryStatus, EndpointKind, retry_after};
use tollgate_persistence::outbound::{self, Outcome};
use tollgate_persistence::{Conn, admins, apps};

use super::{Dispatcher, Done, Tried};
use crate::error::AppResult;
use crate::mail;

impl Dispatcher {
    /// Writes answers and their consequences in one transaction.
    pub(super) async fn record(&self, done: Vec<Done>) -> AppResult<()> {
        if done.is_empty() {
            return Ok(());
        }
        let ids: Vec<DeliveryId> = done
            .iter()
            .map(|d| match d {
                Done::Tried(t) => t.c.id.clone(),
                Done::Untried(c, _) | Done::Release(c) | Done::Defer(c) => c.id.clone(),
            })
            .collect();
        let written = self.write_answers(done).await;
        // Recorded rows are no longer due; rows whose answers were lost are
        // read again and sent again (at-least-once).
        self.unhold(&ids);
        written
    }

    async fn write_answers(&self, done: Vec<Done>) -> AppResult<()> {
        let s = &self.0.s;
        let now = s.now();
        let _writing = self.write_turn().await;
        let mut tx = s.db.begin().await?;
        let conn = &mut tx.conn();
        // Answers lost in a crash mean their deliveries are sent again when
        // the lease ends (at-least-once), unless an email to the owners is
        // among them (see below).
        let mut delivered = Vec::new();
        let mut healthy = HashSet::new();
        let mut seen = HashSet::new();
        let mut rest = Vec::new();
        let mut back = Vec::new();
        let mut later = Vec::new();
        for d in done {
            match d {
                Done::Tried(t) if t.succeeded() && seen.insert(t.c.id.clone()) => {
                    healthy.insert((t.c.app_id.clone(), t.c.endpoint_id.clone()));
                    let tries = t.c.attempts + 1;
                    delivered.push((t.c, t.attempt, tries));
                }
                Done::Release(c) => back.push(c),
                Done::Defer(c) => later.push(c),
                other => rest.push(other),
            }
        }
        // Durable unless every answer is one whose loss only means sending again.
        outbound::answering(conn, rest.is_empty()).await?;
        outbound::record_delivered(conn, &delivered).await?;
        let healthy: Vec<(&AppId, &EndpointId)> = healthy.iter().map(|(a, e)| (a, e)).collect();
        outbound::note_success(conn, &healthy).await?;
        // PostgreSQL rows are read, not leased: giving one back is letting it go.
        if s.db.backend() == tollgate_persistence::Backend::Sqlite {
            outbound::release(conn, &back, now).await?;
        }
        outbound::release(conn, &later, now + super::LEASE).await?;
        for d in rest {
            match d {
                Done::Untried(c, reason) => outbound::fail_untried(conn, &c.app_id, &c.id, reason, now).await?,
                Done::Tried(t) => self.record_one(conn, t, now).await?,
                Done::Release(_) | Done::Defer(_) => unreachable!("releases and deferrals were written above"),
            }
        }
        tx.commit().await?;
        Ok(())
    }

    async fn record_one(&self, conn: &mut Conn<'_>, t: Tried, now: OffsetDateTime) -> AppResult<()> {
        let succeeded = t.succeeded();
        let Tried { c, to, attempt } = t;
        let tries = c.attempts + 1;
        match attempt.status_code {
            Some(_) if succeeded => {
                let o = Outcome { status: DeliveryStatus::Delivered, attempts: tries, next_attempt_at: None };
                outbound::record_attempt(conn, &c.app_id, &c.id, &attempt, &o).await?;
                outbound::note_success(conn, &[(&c.app_id, &c.endpoint_id)]).await?;
            }
            Some(410) => {
                let o = Outcome { status: DeliveryStatus::Failed, attempts: tries, next_attempt_at: None };
                outbound::record_attempt(conn, &c.app_id, &c.id, &attempt, &o).await?;
                self.forget(&c.endpoint_id);
                match to.endpoint.kind {
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
                    email_owners(conn, &c.app_id, &to.endpoint.url, now).await?;
                }
            }
        }
        Ok(())
    }

    pub(super) fn forget(&self, id: &EndpointId) {
        self.0.endpoints.lock().unwrap_or_else(|e| e.into_inner()).remove(id);
    }
}

async fn email_owners(conn: &mut Conn<'_>, app: &AppId, url: &str, now: OffsetDateTime) -> AppResult<()> {
    let site = mail::Site::of(apps::find(conn, app).await?.as_ref());
    for m in admins::list_team(conn, app).await?.into_iter().filter(|m| m.role == Role::Owner) {
        mail::enqueue(conn, app, m.admin.email.as_str(), mail::endpoint_disabled(&site, url), now).await?;
    }
    Ok(())
}
