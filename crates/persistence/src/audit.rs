//! The audit log: storage, and the request's pending entry.
//!
//! An admin write is recorded in the transaction of the change. The HTTP
//! layer opens a [`scope`] around each audited request with what it knows
//! (action, target, request id, client IP, the fields sent); the credential
//! extractor adds the actor; a use case may name the target it created
//! ([`set_target_id`]) and the values it replaced ([`set_before`]). Then the
//! first [`crate::Tx::commit`] of the request inside that scope writes the
//! entry just before committing, so a write that fails or rolls back leaves
//! no entry and a committed change always has one, without threading an
//! actor argument through a hundred use cases. Work outside a request (jobs,
//! webhooks, the worker) has no scope and records nothing.

use std::future::Future;
use std::sync::{Arc, Mutex};

use serde_json::Value;
use time::OffsetDateTime;
use tollgate_domain::audit::{Actor, AuditEntry, AuditFilter, CredentialKind};
use tollgate_domain::auth::Role;
use tollgate_domain::ids::{AppId, AuditId};
use tollgate_domain::page::{Limit, Page, TimeCursor};

use crate::{Conn, DbError, DbResult, at, ms, on};

/// What an audited request will record, filled in as the request runs.
#[derive(Debug, Clone, Default)]
pub struct Pending {
    pub app_id: Option<AppId>,
    pub actor: Option<Actor>,
    pub action: String,
    pub target_type: String,
    pub target_id: Option<String>,
    pub before: Option<Value>,
    pub after: Option<Value>,
    pub request_id: Option<String>,
    pub ip: Option<String>,
    /// When the request started (the service clock).
    pub at: Option<OffsetDateTime>,
    /// Set once the entry is committed.
    pub written: bool,
}

tokio::task_local! {
    static SCOPE: Arc<Mutex<Pending>>;
}

/// Runs `f` (an audited request) with `pending` as its entry to record.
/// Returns `f`'s output and the entry as it ended (`written` tells whether a
/// transaction committed it).
pub async fn scope<F: Future>(pending: Pending, f: F) -> (F::Output, Pending) {
    let cell = Arc::new(Mutex::new(pending));
    let out = SCOPE.scope(cell.clone(), f).await;
    let p = cell.lock().map(|p| p.clone()).unwrap_or_default();
    (out, p)
}

fn with<R>(f: impl FnOnce(&mut Pending) -> R) -> Option<R> {
    SCOPE.try_with(|cell| cell.lock().ok().map(|mut p| f(&mut p))).ok().flatten()
}

/// Names who is acting in this request (no effect outside an audited request).
pub fn set_actor(app: &AppId, actor: Actor) {
    with(|p| {
        p.app_id = Some(app.clone());
        p.actor = Some(actor);
    });
}

/// Names the object this request created (no effect outside an audited request).
pub fn set_target_id(id: impl AsRef<str>) {
    with(|p| p.target_id = Some(id.as_ref().to_owned()));
}

/// Records the values the change replaces; only the fields the request sent
/// are kept, secrets redacted (no effect outside an audited request).
pub fn set_before(before: Value) {
    with(|p| p.before = Some(tollgate_domain::audit::before_of(before, p.after.as_ref())));
}

/// Replaces the summary of the change (for requests whose body is not JSON).
pub fn set_after(after: Value) {
    with(|p| p.after = Some(tollgate_domain::audit::redact(after)));
}

/// The entry this request still has to write, if it has an actor.
fn due() -> Option<AuditEntry> {
    with(|p| {
        if p.written {
            return None;
        }
        let (Some(app_id), Some(actor), Some(at)) = (p.app_id.clone(), p.actor.clone(), p.at) else { return None };
        Some(AuditEntry {
            app_id,
            id: AuditId::new(),
            at,
            actor,
            action: p.action.clone(),
            target_type: p.target_type.clone(),
            target_id: p.target_id.clone(),
            before: p.before.clone(),
            after: p.after.clone(),
            request_id: p.request_id.clone(),
            ip: p.ip.clone(),
        })
    })
    .flatten()
}

/// Called by [`crate::Tx::commit`] before it commits: writes the request's
/// entry into the transaction. Returns whether it wrote one.
pub(crate) async fn flush_in(conn: &mut Conn<'_>) -> DbResult<bool> {
    let Some(e) = due() else { return Ok(false) };
    insert(conn, &e).await?;
    Ok(true)
}

/// After the commit that carried the entry.
pub(crate) fn mark_written() {
    with(|p| p.written = true);
}

/// Writes the request's entry now, in its own transaction, unless a
/// transaction of the request already did: for a change that committed
/// without one (see the HTTP layer's fallback). Returns whether it wrote.
pub async fn write_remaining(db: &crate::Db, pending: &Pending) -> DbResult<bool> {
    if pending.written {
        return Ok(false);
    }
    let (Some(app_id), Some(actor), Some(at)) = (pending.app_id.clone(), pending.actor.clone(), pending.at) else { return Ok(false) };
    let e = AuditEntry {
        app_id,
        id: AuditId::new(),
        at,
        actor,
        action: pending.action.clone(),
        target_type: pending.target_type.clone(),
        target_id: pending.target_id.clone(),
        before: pending.before.clone(),
        after: pending.after.clone(),
        request_id: pending.request_id.clone(),
        ip: pending.ip.clone(),
    };
    let mut c = db.acquire().await?;
    insert(&mut c.conn(), &e).await?;
    Ok(true)
}

/// Writes the request's entry once for each `(app, actor)`, in the caller's
/// transaction, for a change that concerns every app of an admin (a
/// password reset); the commit then writes no other. No effect outside an
/// audited request.
pub async fn record_per_app_in(conn: &mut Conn<'_>, actors: &[(AppId, Actor)], target_id: &str) -> DbResult<()> {
    let Some(p) = with(|p| p.clone()) else { return Ok(()) };
    if p.written {
        return Ok(());
    }
    for (app_id, actor) in actors {
        let e = AuditEntry {
            app_id: app_id.clone(),
            id: AuditId::new(),
            at: p.at.unwrap_or_else(OffsetDateTime::now_utc),
            actor: actor.clone(),
            action: p.action.clone(),
            target_type: p.target_type.clone(),
            target_id: Some(target_id.to_owned()),
            before: None,
            after: p.after.clone(),
            request_id: p.request_id.clone(),
            ip: p.ip.clone(),
        };
        insert(conn, &e).await?;
    }
    // Written with this transaction: if it rolls back, the request fails and records nothing.
    with(|p| p.written = true);
    Ok(())
}

/// Appends an entry (in the caller's transaction).
pub async fn insert(conn: &mut Conn<'_>, e: &AuditEntry) -> DbResult<()> {
    let before = e.before.as_ref().map(|v| v.to_string());
    let after = e.after.as_ref().map(|v| v.to_string());
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO audit_log (app_id, id, occurred_at, actor_id, credential, role, action, target_type, target_id, before_json, after_json, request_id, ip) \
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13)",
        )
        .bind(e.app_id.as_str())
        .bind(e.id.as_str())
        .bind(ms(e.at))
        .bind(&e.actor.id)
        .bind(e.actor.credential.as_str())
        .bind(e.actor.role.map(|r| r.as_str()))
        .bind(&e.action)
        .bind(&e.target_type)
        .bind(e.target_id.as_deref())
        .bind(before.as_deref())
        .bind(after.as_deref())
        .bind(e.request_id.as_deref())
        .bind(e.ip.as_deref())
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

#[derive(sqlx::FromRow)]
struct AuditRow {
    app_id: String,
    id: String,
    occurred_at: i64,
    actor_id: String,
    credential: String,
    role: Option<String>,
    action: String,
    target_type: String,
    target_id: Option<String>,
    before_json: Option<String>,
    after_json: Option<String>,
    request_id: Option<String>,
    ip: Option<String>,
}

impl TryFrom<AuditRow> for AuditEntry {
    type Error = DbError;
    fn try_from(r: AuditRow) -> Result<Self, DbError> {
        let json = |s: Option<String>| s.map(|s| serde_json::from_str::<Value>(&s).map_err(DbError::corrupt)).transpose();
        Ok(AuditEntry {
            app_id: AppId::from_trusted(r.app_id),
            id: AuditId::from_trusted(r.id),
            at: at(r.occurred_at),
            actor: Actor {
                id: r.actor_id,
                credential: r.credential.parse::<CredentialKind>().map_err(|_| DbError::corrupt(format!("credential {}", r.credential)))?,
                role: r.role.map(|x| x.parse::<Role>().map_err(|_| DbError::corrupt(format!("role {x}")))).transpose()?,
            },
            action: r.action,
            target_type: r.target_type,
            target_id: r.target_id,
            before: json(r.before_json)?,
            after: json(r.after_json)?,
            request_id: r.request_id,
            ip: r.ip,
        })
    }
}

/// The app's entries, newest first by (occurred_at, id); the cursor is the last row's pair.
pub async fn list(conn: &mut Conn<'_>, app: &AppId, f: &AuditFilter, after: Option<&TimeCursor>, limit: Limit) -> DbResult<Page<AuditEntry>> {
    let rows: Vec<AuditRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(
            "SELECT app_id, id, occurred_at, actor_id, credential, role, action, target_type, target_id, before_json, after_json, request_id, ip \
             FROM audit_log WHERE app_id = ",
        );
        qb.push_bind(app.as_str());
        if let Some(a) = &f.actor_id {
            qb.push(" AND actor_id = ").push_bind(a.clone());
        }
        if let Some(a) = &f.action {
            qb.push(" AND action = ").push_bind(a.clone());
        }
        if let Some(t) = &f.target_type {
            qb.push(" AND target_type = ").push_bind(t.clone());
        }
        if let Some(t) = &f.target_id {
            qb.push(" AND target_id = ").push_bind(t.clone());
        }
        if let Some(s) = f.since_ms {
            qb.push(" AND occurred_at >= ").push_bind(s);
        }
        if let Some(u) = f.until_ms {
            qb.push(" AND occurred_at < ").push_bind(u);
        }
        if let Some(cur) = after {
            qb.push(" AND (occurred_at < ").push_bind(cur.at_millis);
            qb.push(" OR (occurred_at = ").push_bind(cur.at_millis).push(" AND id < ").push_bind(cur.id.clone()).push("))");
        }
        qb.push(" ORDER BY occurred_at DESC, id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows.into_iter().map(AuditEntry::try_from).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(items, limit, |e| TimeCursor { at_millis: ms(e.at), id: e.id.to_string() }.encode()))
}

/// Deletes the app's entries older than `before`; returns how many.
pub async fn prune(conn: &mut Conn<'_>, app: &AppId, before: OffsetDateTime) -> DbResult<u64> {
    let n = on!(conn, c => {
        sqlx::query("DELETE FROM audit_log WHERE app_id = $1 AND occurred_at < $2")
            .bind(app.as_str())
            .bind(ms(before))
            .execute(&mut **c)
            .await?
            .rows_affected()
    });
    Ok(n)
}
