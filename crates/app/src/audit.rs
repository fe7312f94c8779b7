//! The audit log: reading it, pruning it, and naming the actor of a request.
//!
//! Entries are written by `tollgate_persistence::audit`: the HTTP layer opens
//! an audit scope around each admin write, the credential extractor names
//! the actor ([`set_actor`]), and the request's first transaction commit
//! writes the entry with the change. A task-local scope rather than an actor
//! argument: the change and its entry must share a transaction, and every
//! write use case already commits through `Tx::commit`, so the entry rides
//! on that commit instead of a new parameter on ~90 use cases (and a use
//! case added later is covered without remembering to pass it along).

use serde::{Deserialize, Serialize};
use tollgate_domain::audit::{Actor, AuditEntry, AuditFilter, CredentialKind};
use tollgate_domain::auth::Role;
use tollgate_domain::ids::AppId;
use tollgate_domain::page::{Limit, Page, TimeCursor};
use tollgate_persistence::{Conn, audit};

use crate::auth::Principal;
pub use crate::config::AuditSettings;
use crate::error::{AppError, AppResult};
use crate::jobs::{JobCtx, JobError, JobSpec};
use crate::services::Services;

/// The actor a principal records as.
pub fn actor_of(p: &Principal) -> Actor {
    match p {
        Principal::Admin { admin_id, role, .. } => Actor { id: admin_id.to_string(), credential: CredentialKind::Session, role: Some(*role) },
        Principal::ApiKey { key_id, .. } => Actor { id: key_id.to_string(), credential: CredentialKind::ApiKey, role: None },
    }
}

/// Names the principal as the actor of the current audited request.
pub fn set_actor(p: &Principal) {
    audit::set_actor(p.app_id(), actor_of(p));
}

/// Records `old` (a wire shape of the object a request changes) as the
/// entry's `before`: only the fields the request sent are kept.
pub fn set_before_of(old: &impl serde::Serialize) {
    if let Ok(v) = serde_json::to_value(old) {
        audit::set_before(v);
    }
}

/// Appends an entry in the caller's transaction (for changes recorded
/// outside an audited request's scope).
pub async fn record_in(conn: &mut Conn<'_>, entry: &AuditEntry) -> AppResult<()> {
    Ok(audit::insert(conn, entry).await?)
}

impl Services {
    /// The app's audit log, newest first. Owners and admins only: it holds
    /// the team's IP addresses, which viewers and API keys see nowhere else.
    pub async fn audit_log(&self, p: &Principal, filter: &AuditFilter, after: Option<&TimeCursor>, limit: Limit) -> AppResult<Page<AuditEntry>> {
        match p {
            Principal::Admin { role: Role::Owner | Role::Admin, .. } => {}
            _ => return Err(AppError::forbidden("audit_log_forbidden", "only owners and admins may read the audit log")),
        }
        let mut c = self.db.acquire().await?;
        Ok(audit::list(&mut c.conn(), p.app_id(), filter, after, limit).await?)
    }

    /// Deletes the app's entries older than `audit.retention_days` (0 keeps them); returns how many.
    pub async fn prune_audit_log(&self, app: &AppId) -> AppResult<u64> {
        let days = self.config.audit.retention_days;
        if days <= 0 {
            return Ok(0);
        }
        let cutoff = self.now() - time::Duration::days(days);
        let mut c = self.db.acquire().await?;
        Ok(audit::prune(&mut c.conn(), app, cutoff).await?)
    }
}

/// Each minute: deletes audit entries past `audit.retention_days`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditPrune {}

impl JobSpec for AuditPrune {
    const KIND: &'static str = "audit_prune";
    const MAX_ATTEMPTS: i32 = 3;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.prune_audit_log(&ctx.app).await?;
        Ok(())
    }
}
