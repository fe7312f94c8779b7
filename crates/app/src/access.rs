//! Granting and removing access. Every grant and removal goes through here,
//! whatever its source (manual, Stripe, import, CRM tag), so activities and
//! notifications are recorded the same way. `reconcile` makes the grants
//! one source gave match what it says now.

pub mod reconcile;

use time::OffsetDateTime;
use tollgate_domain::access::{AccessGrant, AccessSource, has_access};
use tollgate_domain::activity::data::{ActivityData, ProductAccessGrantedData, ProductAccessRemovedData};
use tollgate_domain::activity::NewActivity;
use tollgate_domain::error::text;
use tollgate_domain::ids::{AppId, GrantId, ProductId, UserId};
use tollgate_domain::page::{Limit, Page};
use tollgate_persistence::{Conn, DbError, Unique, access, apps, products, users};

use crate::error::{AppError, AppResult};
pub use crate::events::record;
use crate::mail;
use crate::services::Services;

/// What a new grant says about itself.
#[derive(Debug, Clone)]
pub struct GrantSpec {
    pub source: AccessSource,
    pub source_ref: Option<String>,
    pub reason: Option<String>,
    pub ends_at: Option<OffsetDateTime>,
    /// Queue the "access granted" email when the member gains access.
    pub notify: bool,
    /// How many automation runs led to this grant (see `NewActivity::depth`).
    pub depth: u32,
}

impl Services {
    /// Grants access inside a transaction. Records Product Access Granted
    /// when the member did not have access before (a second grant for a
    /// product the member can already open records nothing).
    pub async fn grant_in(&self, conn: &mut Conn<'_>, app: &AppId, user: &UserId, product: &ProductId, spec: GrantSpec) -> AppResult<AccessGrant> {
        let now = self.now();
        let member = users::find(conn, app, user).await?.ok_or(AppError::NotFound("user"))?;
        let prod = products::find(conn, app, product).await?.ok_or(AppError::NotFound("product"))?;
        let before = access::open_for(conn, app, user, product).await?;
        let had = has_access(&before, now);
        let g = AccessGrant {
            id: GrantId::new(),
            app_id: app.clone(),
            user_id: user.clone(),
            product_id: product.clone(),
            source: spec.source,
            source_ref: spec.source_ref,
            reason: spec.reason,
            granted_at: now,
            ends_at: spec.ends_at,
            revoked_at: None,
            revoke_reason: None,
        };
        match access::insert(conn, &g, now).await {
            Err(DbError::Taken(Unique::OpenGrant)) => {
                return Err(AppError::conflict("access_already_granted", "this member already has an open grant of this product from the same source"));
            }
            r => r?,
        }
        if !had && g.is_active(now) {
            let data = ActivityData::ProductAccessGranted(ProductAccessGrantedData {
                grant_id: g.id.to_string(),
                source: g.source,
                source_ref: g.source_ref.clone(),
                product_name: prod.fields.name.clone(),
            });
            record(conn, app, NewActivity::of(data, Some(user.clone()), Some(product.clone()), now).at_depth(spec.depth)).await?;
            if spec.notify {
                let site = mail::Site::of(apps::find(conn, app).await?.as_ref());
                let link = format!("{}/member/products/{}", self.config.public_url, product);
                mail::enqueue(conn, app, member.email.as_str(), mail::access_granted(&site, &prod.fields.name, &link), now).await?;
            }
        }
        Ok(g)
    }

    /// Revokes one grant inside a transaction; records Product Access
    /// Removed when the member no longer has any access to the product.
    pub async fn revoke_in(&self, conn: &mut Conn<'_>, app: &AppId, grant: &GrantId, reason: Option<&str>) -> AppResult<AccessGrant> {
        let now = self.now();
        self.revoke_at(conn, app, grant, reason, now).await
    }

    /// Like [`Services::revoke_in`] for access that ended at `ended` (a
    /// period end the sweeper noticed later): whether the member lost access
    /// is judged at that moment, and the activity carries that time.
    pub async fn revoke_at(&self, conn: &mut Conn<'_>, app: &AppId, grant: &GrantId, reason: Option<&str>, ended: OffsetDateTime) -> AppResult<AccessGrant> {
        self.revoke_with_depth(conn, app, grant, reason, ended, 0).await
    }

    /// [`Services::revoke_at`] for a revoke an automation run made (`depth`: see `NewActivity::depth`).
    pub async fn revoke_with_depth(&self, conn: &mut Conn<'_>, app: &AppId, grant: &GrantId, reason: Option<&str>, ended: OffsetDateTime, depth: u32) -> AppResult<AccessGrant> {
        let now = self.now();
        let ended = ended.min(now);
        let g = access::find(conn, app, grant).await?.ok_or(AppError::NotFound("grant"))?;
        if g.revoked_at.is_some() {
            return Ok(g);
        }
        let before = access::open_for(conn, app, &g.user_id, &g.product_id).await?;
        // A grant that ran out by time is judged just before its end; any other at `ended`.
        let timed_out = g.ends_at.is_some_and(|e| e <= now);
        let ended = if timed_out { g.ends_at.unwrap_or(ended) } else { ended };
        let had = has_access(&before, if timed_out { ended - time::Duration::milliseconds(1) } else { ended });
        if !access::revoke(conn, app, grant, reason, now).await? {
            // Someone else revoked it meanwhile and recorded what there was to record.
            return access::find(conn, app, grant).await?.ok_or(AppError::NotFound("grant"));
        }
        let after: Vec<_> = before.into_iter().filter(|x| x.id != g.id).collect();
        if had && !has_access(&after, ended) {
            let data = ActivityData::ProductAccessRemoved(ProductAccessRemovedData {
                grant_id: g.id.to_string(),
                source: g.source,
                source_ref: g.source_ref.clone(),
                reason: reason.map(str::to_owned),
            });
            record(conn, app, NewActivity::of(data, Some(g.user_id.clone()), Some(g.product_id.clone()), ended).at_depth(depth)).await?;
        }
        access::find(conn, app, grant).await?.ok_or(AppError::NotFound("grant"))
    }

    /// Manual grant by an admin or integrator.
    pub async fn grant_access(
        &self,
        app: &AppId,
        user: &UserId,
        product: &ProductId,
        ends_at: Option<OffsetDateTime>,
        reason: Option<String>,
        notify: bool,
    ) -> AppResult<AccessGrant> {
        let reason = reason.map(|r| text(&r, 0, 500)).transpose().map_err(|p| AppError::field("reason", p.code, p.message))?;
        if let Some(e) = ends_at {
            if e <= self.now() {
                return Err(AppError::field("ends_at", "in_the_past", "must be in the future"));
            }
        }
        let mut tx = self.db.begin().await?;
        let p = products::find(&mut tx.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        if p.archived_at.is_some() {
            return Err(AppError::conflict("product_archived", "the product is archived; restore it before granting access"));
        }
        let g = self
            .grant_in(&mut tx.conn(), app, user, product, GrantSpec { source: AccessSource::Manual, source_ref: None, reason, ends_at, notify, depth: 0 })
            .await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(g)
    }

    /// Manual revoke of one grant of a member.
    pub async fn revoke_access(&self, app: &AppId, user: &UserId, grant: &GrantId, reason: Option<String>) -> AppResult<AccessGrant> {
        let reason = reason.map(|r| text(&r, 0, 500)).transpose().map_err(|p| AppError::field("reason", p.code, p.message))?;
        let mut tx = self.db.begin().await?;
        let g = access::find(&mut tx.conn(), app, grant).await?.ok_or(AppError::NotFound("grant"))?;
        if &g.user_id != user {
            return Err(AppError::NotFound("grant"));
        }
        if g.revoked_at.is_some() {
            return Err(AppError::conflict("already_revoked", "this grant was already revoked"));
        }
        let g = self.revoke_in(&mut tx.conn(), app, grant, reason.as_deref()).await?;
        tx.commit().await?;
        Ok(g)
    }

    pub async fn list_grants(&self, app: &AppId, user: &UserId, product: Option<&ProductId>, after: Option<&GrantId>, limit: Limit) -> AppResult<Page<AccessGrant>> {
        let mut c = self.db.acquire().await?;
        users::find(&mut c.conn(), app, user).await?.ok_or(AppError::NotFound("user"))?;
        Ok(access::list_for_user(&mut c.conn(), app, user, product, after, limit).await?)
    }
}

impl Services {
    /// Grants for the CSV export: one product and/or one source, open ones only when asked.
    pub async fn grants_for_export(
        &self,
        app: &AppId,
        product: Option<&str>,
        source: Option<&str>,
        open_only: bool,
        after: Option<&GrantId>,
        limit: Limit,
    ) -> AppResult<Page<ExportedGrant>> {
        let mut c = self.db.acquire().await?;
        let product = match product {
            Some(p) => {
                let id = ProductId::parse(p).map_err(|_| AppError::field("product_id", "unknown_product", "not a product of this app"))?;
                products::find(&mut c.conn(), app, &id).await?.ok_or_else(|| AppError::field("product_id", "unknown_product", "not a product of this app"))?;
                Some(id)
            }
            None => None,
        };
        let source = source.map(|s| s.parse::<AccessSource>().map_err(|p| AppError::field("source", &p.code, p.message))).transpose()?;
        Ok(access::list_for_export(&mut c.conn(), app, product.as_ref(), source, open_only, after, limit).await?.map(|r| ExportedGrant { grant: r.grant, email: r.email }))
    }
}

/// A grant with its member's email: one row of the grants export.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ExportedGrant {
    pub grant: AccessGrant,
    pub email: String,
}
