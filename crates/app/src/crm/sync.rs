//! The jobs that talk to a CRM, and how access and tags converge.
//!
//! Each job's payload is its type ([`crate::jobs::JobSpec`]); the payloads are
//! defined in `events::crm`, since the activity recorder queues them, and
//! run here:
//!
//! - [`SyncPayload`] (`crm_sync`): makes sure every product has its tag, then reconciles:
//!   lists the contacts of each mapped tag and converges each; grants this
//!   CRM gave to members who no longer carry the tag are revoked. Runs on
//!   connect, on "Sync now", when a product is created or renamed, and
//!   every `crm.reconcile_minutes`, so missed webhooks converge.
//! - [`ContactPayload`] (`crm_contact`): a webhook named a contact: read its current tags and converge.
//! - [`PushPayload`] (`crm_push`): access granted or removed by another source: apply or remove the tag.
//! - [`UpsertPayload`] (`crm_upsert_contact`): a member was created or changed: create or update the contact.
//! - [`TagPayload`] (`crm_tag`): an automation step adds or removes a tag by name.
//!
//! Loop safety: a tag Tollgate applies because of access from elsewhere is
//! marked (`crm_pushed_tags`) before the CRM is called, so its webhook echo
//! grants nothing; a grant the CRM gave is not pushed back to the same CRM.
//! Every decision reads the current state (access in the database, tags in
//! the CRM), so duplicate and out-of-order webhooks converge.

use std::collections::HashSet;

use time::OffsetDateTime;
use tollgate_crm::{Contact, Crm, CrmKind};
use tollgate_domain::access::{AccessSource, has_access};
use tollgate_domain::email::Email;
use tollgate_domain::ids::{AppId, ProductId, UserId};
use tollgate_domain::product::Product;
use tollgate_domain::subscription::AccessDecision;
use tollgate_persistence::crm::{self as store, TagLink};
use tollgate_persistence::{Conn, access, contacts, products, users};

use super::connector::connector_kind;
use super::{CrmOptions, crm_job_error};
use crate::access::reconcile::SourceGrants;
use crate::error::{AppError, AppResult};
use crate::events::crm::enqueue;
pub use crate::events::crm::{ContactPayload, PushPayload, SyncPayload, TagOp, TagPayload, UpsertPayload};
pub(crate) use crate::events::crm::enqueue_sync;
use crate::jobs::{self, JobCtx, JobError, JobSpec};
use crate::services::Services;

/// Tags applied for existing access per product and sync (the next sync does the rest).
const MAX_PUSHES_PER_SYNC: i64 = 5000;

/// A CRM's grants of a tag's product: any grant of the CRM's source counts
/// (whichever tag gave it), new ones name the tag.
fn tag_grants(kind: CrmKind, link: &TagLink) -> SourceGrants<'_> {
    SourceGrants {
        source: access_source(kind),
        source_ref: &link.tag_id,
        same_ref_only: false,
        product: &link.product_id,
        grant_reason: format!("{} tag \u{201c}{}\u{201d}", kind.label(), link.tag_name),
        revoke_reason: format!("{} tag \u{201c}{}\u{201d} removed", kind.label(), link.tag_name),
    }
}

pub(crate) fn access_source(kind: CrmKind) -> AccessSource {
    match kind {
        CrmKind::ActiveCampaign => AccessSource::ActiveCampaign,
        CrmKind::Keap => AccessSource::Keap,
    }
}

/// The periodic reconcile of one CRM (a unique key per time slot: several workers enqueue it once).
pub(crate) async fn enqueue_periodic_sync(conn: &mut Conn<'_>, app: &AppId, kind: CrmKind, slot: i64, now: OffsetDateTime) -> AppResult<()> {
    jobs::enqueue_periodic(conn, app, &SyncPayload { kind, product_id: None }, format!("crm_sync:{}:{slot}", kind.as_str()), now).await?;
    Ok(())
}

pub(crate) async fn enqueue_contact(conn: &mut Conn<'_>, app: &AppId, kind: CrmKind, contact_id: &str, now: OffsetDateTime) -> AppResult<()> {
    enqueue(conn, app, ContactPayload { kind, contact_id: contact_id.to_owned() }, now).await?;
    Ok(())
}

/// An automation step's tag change, queued in the run's transaction for every connected CRM.
/// Errs when no CRM is connected.
pub(crate) async fn enqueue_tag_in(conn: &mut Conn<'_>, app: &AppId, user: &UserId, tag: &str, op: TagOp, now: OffsetDateTime) -> AppResult<Vec<CrmKind>> {
    let kinds = super::connected_kinds(conn, app).await?;
    if kinds.is_empty() {
        return Err(AppError::conflict("crm_not_connected", "no CRM is connected"));
    }
    for kind in &kinds {
        enqueue(conn, app, TagPayload { kind: *kind, user_id: user.clone(), tag: tag.to_owned(), op }, now).await?;
    }
    Ok(kinds)
}

/// Every product (up to 5,000), archived ones too when asked.
pub(crate) async fn all_products(conn: &mut Conn<'_>, app: &AppId, include_archived: bool) -> AppResult<Vec<Product>> {
    let mut all = vec![];
    let mut after: Option<ProductId> = None;
    loop {
        let page = products::list(conn, app, include_archived, after.as_ref(), tollgate_domain::page::Limit::parse(Some(100)).unwrap_or_default()).await?;
        let next = page.next_cursor.clone();
        all.extend(page.items);
        match next {
            Some(n) if all.len() < 5000 => after = Some(ProductId::from_trusted(n)),
            _ => break,
        }
    }
    Ok(all)
}

fn split_name(name: &str) -> (String, String) {
    let name = name.trim();
    match name.split_once(' ') {
        Some((first, last)) => (first.to_owned(), last.trim().to_owned()),
        None => (name.to_owned(), String::new()),
    }
}

/// What a job reports back to the worker: permanent refusals are not retried.
pub(crate) fn job_result(r: AppResult<()>) -> Result<(), JobError> {
    r.map_err(|e| match &e {
        AppError::Unavailable { code: "crm_refused" | "crm_unauthorized", .. } | AppError::NotFound(_) => JobError::permanent(e),
        _ => e.into(),
    })
}

impl Services {
    async fn note_error(&self, app: &AppId, kind: CrmKind, e: &AppError) {
        if let Ok(mut c) = self.db.acquire().await {
            if let Err(err) = store::record_error(&mut c.conn(), app, kind.as_str(), &e.to_string(), self.now()).await {
                tracing::warn!(error = %err, "could not record the CRM error");
            }
        }
    }

    /// Runs a CRM job body, noting a failure on the connector card. An
    /// OAuth access token the CRM refuses (revoked or expired early) is
    /// refreshed once and the body run again.
    pub(crate) async fn crm_job<F, Fut>(&self, app: &AppId, kind: CrmKind, body: F) -> Result<(), JobError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = AppResult<()>>,
    {
        let mut r = body().await;
        if matches!(&r, Err(AppError::Unavailable { code: "crm_unauthorized", .. })) && self.refresh_oauth_now(app, kind).await {
            r = body().await;
        }
        if let Err(e) = &r {
            self.note_error(app, kind, e).await;
        }
        job_result(r)
    }

    /// The product's tag: the mapped one (recreated by name if it was
    /// deleted in the CRM), or found / created from the tag pattern.
    async fn ensure_product_tag(&self, crm: &Crm, app: &AppId, kind: CrmKind, opts: &CrmOptions, product: &Product) -> AppResult<TagLink> {
        let mut c = self.db.acquire().await?;
        let existing = store::tag_of_product(&mut c.conn(), app, kind.as_str(), &product.id).await?;
        drop(c);
        if let Some(link) = &existing {
            if crm.get_tag(&link.tag_id).await.map_err(|e| crm_job_error(kind, e))?.is_some() {
                return Ok(link.clone());
            }
            tracing::info!(kind = kind.as_str(), tag = %link.tag_id, product = %product.id, "the product's tag was deleted in the CRM; making it again");
        }
        let name = opts.tag_name(&product.fields.name);
        let tag = crm.ensure_tag(&name, &format!("Access to {} in Tollgate", product.fields.name)).await.map_err(|e| crm_job_error(kind, e))?;
        let link = TagLink { product_id: product.id.clone(), tag_id: tag.id, tag_name: tag.name, picked: false, updated_at: self.now() };
        let mut c = self.db.acquire().await?;
        store::put_tag(&mut c.conn(), app, kind.as_str(), &link).await?;
        Ok(link)
    }

    /// The member's contact in the CRM, created (by email) when not linked yet.
    async fn ensure_contact(&self, crm: &Crm, app: &AppId, kind: CrmKind, user: &UserId) -> AppResult<Option<String>> {
        let mut c = self.db.acquire().await?;
        if let Some(id) = contacts::contact_of(&mut c.conn(), app, connector_kind(kind), user).await? {
            return Ok(Some(id));
        }
        let Some(member) = users::find(&mut c.conn(), app, user).await? else { return Ok(None) };
        drop(c);
        let (first, last) = split_name(&member.name);
        let contact = crm.upsert_contact(member.email.as_str(), &first, &last).await.map_err(|e| crm_job_error(kind, e))?;
        let mut c = self.db.acquire().await?;
        contacts::link(&mut c.conn(), app, connector_kind(kind), user, &contact.id, self.now()).await?;
        Ok(Some(contact.id))
    }

    /// The `crm_sync` job ([`SyncPayload`]).
    pub async fn run_crm_sync(&self, app: &AppId, p: SyncPayload) -> Result<(), JobError> {
        let kind = p.kind;
        self.crm_job(app, kind, || async {
            let Some((crm, _, settings)) = self.crm_for(app, kind).await? else { return Ok(()) };
            let mut c = self.db.acquire().await?;
            let mut products = all_products(&mut c.conn(), app, false).await?;
            drop(c);
            if let Some(only) = &p.product_id {
                products.retain(|x| &x.id == only);
            }
            for product in &products {
                let link = self.ensure_product_tag(&crm, app, kind, &settings.options, product).await?;
                let tagged = self.reconcile_tag(&crm, app, kind, &settings.options, &link).await?;
                // Access given before the CRM was connected (or a tag removed there while access stays) gets its tag.
                let now = self.now();
                let mut tx = self.db.begin().await?;
                for user in store::members_to_tag(&mut tx.conn(), app, kind.as_str(), &product.id, now, MAX_PUSHES_PER_SYNC).await? {
                    if !tagged.contains(&user) {
                        enqueue(&mut tx.conn(), app, PushPayload { kind, user_id: user, product_id: product.id.clone(), op: TagOp::Apply }, now).await?;
                    }
                }
                tx.commit().await?;
                self.jobs_ready.notify_one();
            }
            let mut c = self.db.acquire().await?;
            if p.product_id.is_none() {
                store::record_sync(&mut c.conn(), app, kind.as_str(), self.now()).await?;
            }
            Ok(())
        })
        .await
    }

    /// Converges one tag: everyone the CRM tags has the access it gives;
    /// members holding this CRM's grant without the tag lose it.
    async fn reconcile_tag(&self, crm: &Crm, app: &AppId, kind: CrmKind, opts: &CrmOptions, link: &TagLink) -> AppResult<HashSet<UserId>> {
        let present: HashSet<String> = [link.tag_id.clone()].into();
        let mut tagged: HashSet<UserId> = HashSet::new();
        let mut offset = 0;
        loop {
            let page = crm.tag_contacts(&link.tag_id, offset, 100).await.map_err(|e| crm_job_error(kind, e))?;
            offset += page.items.len();
            for contact in &page.items {
                if let Some(u) = self.converge_contact(app, kind, opts, contact, &present, Some(&link.product_id)).await? {
                    tagged.insert(u);
                }
            }
            if !page.more || page.items.is_empty() {
                break;
            }
        }
        let mut c = self.db.acquire().await?;
        let holders = store::granted_members(&mut c.conn(), app, access_source(kind).as_str(), &link.product_id).await?;
        drop(c);
        for u in holders.into_iter().filter(|u| !tagged.contains(u)) {
            self.tag_absent(app, kind, opts, &u, link).await?;
        }
        Ok(tagged)
    }

    /// The `crm_contact` job ([`ContactPayload`]): read the contact's tags now and converge.
    pub async fn run_crm_contact(&self, app: &AppId, p: ContactPayload) -> Result<(), JobError> {
        let kind = p.kind;
        self.crm_job(app, kind, || async {
            let Some((crm, _, settings)) = self.crm_for(app, kind).await? else { return Ok(()) };
            let Some(contact) = crm.get_contact(&p.contact_id).await.map_err(|e| crm_job_error(kind, e))? else {
                tracing::info!(kind = kind.as_str(), contact = %p.contact_id, "the webhook's contact is gone; the reconcile settles its access");
                return Ok(());
            };
            let present: HashSet<String> = crm.contact_tags(&contact.id).await.map_err(|e| crm_job_error(kind, e))?.into_iter().collect();
            self.converge_contact(app, kind, &settings.options, &contact, &present, None).await?;
            Ok(())
        })
        .await
    }

    /// Makes the member's access from this CRM match the contact's tags
    /// (`present`), for every mapped product or only `only`. Returns the member, if any.
    async fn converge_contact(&self, app: &AppId, kind: CrmKind, opts: &CrmOptions, contact: &Contact, present: &HashSet<String>, only: Option<&ProductId>) -> AppResult<Option<UserId>> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let mut links = store::tags(&mut tx.conn(), app, kind.as_str()).await?;
        if let Some(p) = only {
            links.retain(|l| &l.product_id == p);
        }
        if links.is_empty() {
            return Ok(None);
        }
        let email = contact.email.as_deref().and_then(|e| Email::parse(e).ok());
        let mut member = contacts::member_of(&mut tx.conn(), app, connector_kind(kind), &contact.id).await?;
        if member.is_none() {
            if let Some(e) = &email {
                member = users::find_by_email(&mut tx.conn(), app, e).await?.map(|u| u.id);
            }
        }
        let wants_any = links.iter().any(|l| present.contains(&l.tag_id));
        let member = match member {
            Some(u) => u,
            None if !wants_any => return Ok(None),
            None => {
                let Some(email) = email else {
                    tracing::info!(kind = kind.as_str(), contact = %contact.id, "skipped: a tagged contact without a valid email");
                    return Ok(None);
                };
                if !opts.create_members {
                    tracing::info!(kind = kind.as_str(), contact = %contact.id, "skipped: a tagged contact who is not a member (creating members is off)");
                    return Ok(None);
                }
                let name = [contact.first_name.as_deref(), contact.last_name.as_deref()].into_iter().flatten().collect::<Vec<_>>().join(" ");
                self.find_or_create_member_in(&mut tx.conn(), app, email, name).await?
            }
        };
        contacts::link(&mut tx.conn(), app, connector_kind(kind), &member, &contact.id, now).await?;
        let source = access_source(kind);
        for link in &links {
            let open = access::open_for(&mut tx.conn(), app, &member, &link.product_id).await?;
            let from_crm: Vec<_> = open.iter().filter(|g| g.source == source).collect();
            if present.contains(&link.tag_id) {
                if from_crm.is_empty() {
                    // Loop safety: a tag Tollgate applied itself is not a grant.
                    if store::is_pushed(&mut tx.conn(), app, kind.as_str(), &member, &link.product_id).await? {
                        continue;
                    }
                    let Some(product) = products::find(&mut tx.conn(), app, &link.product_id).await? else { continue };
                    if product.archived_at.is_some() {
                        continue;
                    }
                }
                let of = tag_grants(kind, link);
                self.reconcile_grants_in(&mut tx.conn(), app, &of, std::slice::from_ref(&member), AccessDecision::Grant { until: None }).await?;
            } else {
                self.revoke_for_missing_tag(&mut tx.conn(), app, kind, opts, &member, link).await?;
            }
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(Some(member))
    }

    async fn tag_absent(&self, app: &AppId, kind: CrmKind, opts: &CrmOptions, member: &UserId, link: &TagLink) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        self.revoke_for_missing_tag(&mut tx.conn(), app, kind, opts, member, link).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(())
    }

    /// The contact lacks the product's tag: the grant the tag gave goes
    /// (and, when the admin chose so, every other grant of the product).
    async fn revoke_for_missing_tag(&self, conn: &mut Conn<'_>, app: &AppId, kind: CrmKind, opts: &CrmOptions, member: &UserId, link: &TagLink) -> AppResult<()> {
        let source = access_source(kind);
        let had_pushed = store::unmark_pushed(conn, app, kind.as_str(), member, &link.product_id).await?;
        let open = access::open_for(conn, app, member, &link.product_id).await?;
        let of = tag_grants(kind, link);
        let had_tag = had_pushed || open.iter().any(|g| g.source == source);
        self.reconcile_grants_in(conn, app, &of, std::slice::from_ref(member), AccessDecision::Revoke).await?;
        if opts.removal_revokes_all && had_tag {
            for g in open.iter().filter(|g| g.source != source) {
                self.revoke_in(conn, app, &g.id, Some(&of.revoke_reason)).await?;
            }
        }
        Ok(())
    }

    /// The `crm_push` job ([`PushPayload`]): the tag follows access given or removed elsewhere.
    pub async fn run_crm_push(&self, app: &AppId, p: PushPayload) -> Result<(), JobError> {
        let kind = p.kind;
        self.crm_job(app, kind, || async {
            let Some((crm, _, settings)) = self.crm_for(app, kind).await? else { return Ok(()) };
            let mut c = self.db.acquire().await?;
            let Some(product) = products::find(&mut c.conn(), app, &p.product_id).await? else { return Ok(()) };
            drop(c);
            let now = self.now();
            match p.op {
                TagOp::Apply => {
                    let mut tx = self.db.begin().await?;
                    let open = access::open_for(&mut tx.conn(), app, &p.user_id, &p.product_id).await?;
                    // Decided on the state now: a removal since, or the CRM's own grant, needs no tag from us.
                    if !has_access(&open, now) || open.iter().any(|g| g.source == access_source(kind)) {
                        return Ok(());
                    }
                    // Marked before the CRM hears of it: the webhook echo must find the mark.
                    store::mark_pushed(&mut tx.conn(), app, kind.as_str(), &p.user_id, &p.product_id, now).await?;
                    tx.commit().await?;
                    let link = self.ensure_product_tag(&crm, app, kind, &settings.options, &product).await?;
                    let Some(contact) = self.ensure_contact(&crm, app, kind, &p.user_id).await? else { return Ok(()) };
                    crm.apply_tag(&contact, &link.tag_id).await.map_err(|e| crm_job_error(kind, e))?;
                }
                TagOp::Remove => {
                    let mut tx = self.db.begin().await?;
                    let open = access::open_for(&mut tx.conn(), app, &p.user_id, &p.product_id).await?;
                    if has_access(&open, now) {
                        return Ok(());
                    }
                    store::unmark_pushed(&mut tx.conn(), app, kind.as_str(), &p.user_id, &p.product_id).await?;
                    let link = store::tag_of_product(&mut tx.conn(), app, kind.as_str(), &p.product_id).await?;
                    tx.commit().await?;
                    let Some(link) = link else { return Ok(()) };
                    let Some(contact) = self.ensure_contact(&crm, app, kind, &p.user_id).await? else { return Ok(()) };
                    crm.remove_tag(&contact, &link.tag_id).await.map_err(|e| crm_job_error(kind, e))?;
                }
            }
            Ok(())
        })
        .await
    }

    /// The `crm_upsert_contact` job ([`UpsertPayload`]): the member's contact, created or brought up to date.
    pub async fn run_crm_upsert(&self, app: &AppId, p: UpsertPayload) -> Result<(), JobError> {
        let kind = p.kind;
        self.crm_job(app, kind, || async {
            let Some((crm, _, _)) = self.crm_for(app, kind).await? else { return Ok(()) };
            let mut c = self.db.acquire().await?;
            let Some(member) = users::find(&mut c.conn(), app, &p.user_id).await? else { return Ok(()) };
            let linked = contacts::contact_of(&mut c.conn(), app, connector_kind(kind), &p.user_id).await?;
            drop(c);
            let (first, last) = split_name(&member.name);
            let email = member.email.as_str();
            let contact = match linked {
                Some(id) => match crm.update_contact(&id, email, &first, &last).await {
                    Ok(c) => c,
                    Err(tollgate_crm::CrmError::NotFound(_)) => crm.upsert_contact(email, &first, &last).await.map_err(|e| crm_job_error(kind, e))?,
                    Err(e) => return Err(crm_job_error(kind, e)),
                },
                None => crm.upsert_contact(email, &first, &last).await.map_err(|e| crm_job_error(kind, e))?,
            };
            let mut c = self.db.acquire().await?;
            contacts::link(&mut c.conn(), app, connector_kind(kind), &p.user_id, &contact.id, self.now()).await?;
            Ok(())
        })
        .await
    }

    /// The `crm_tag` job ([`TagPayload`]): an automation adds or removes a tag by name.
    pub async fn run_crm_tag(&self, app: &AppId, p: TagPayload) -> Result<(), JobError> {
        let kind = p.kind;
        self.crm_job(app, kind, || async {
            let Some((crm, _, _)) = self.crm_for(app, kind).await? else { return Ok(()) };
            let tag = match p.op {
                TagOp::Apply => Some(crm.ensure_tag(&p.tag, "Added by a Tollgate automation").await.map_err(|e| crm_job_error(kind, e))?),
                TagOp::Remove => crm.find_tag(&p.tag).await.map_err(|e| crm_job_error(kind, e))?,
            };
            let Some(tag) = tag else { return Ok(()) };
            let Some(contact) = self.ensure_contact(&crm, app, kind, &p.user_id).await? else { return Ok(()) };
            match p.op {
                TagOp::Apply => crm.apply_tag(&contact, &tag.id).await,
                TagOp::Remove => crm.remove_tag(&contact, &tag.id).await,
            }
            .map_err(|e| crm_job_error(kind, e))
        })
        .await
    }
}

/// Tries of a CRM call job (the CRM may be down for a while).
const CRM_CALL_ATTEMPTS: i32 = 10;

impl JobSpec for SyncPayload {
    const KIND: &'static str = "crm_sync";
    const MAX_ATTEMPTS: i32 = 5;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_sync(&ctx.app, self).await
    }
}

impl JobSpec for ContactPayload {
    const KIND: &'static str = "crm_contact";
    const MAX_ATTEMPTS: i32 = CRM_CALL_ATTEMPTS;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_contact(&ctx.app, self).await
    }
}

impl JobSpec for PushPayload {
    const KIND: &'static str = "crm_push";
    const MAX_ATTEMPTS: i32 = CRM_CALL_ATTEMPTS;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_push(&ctx.app, self).await
    }
}

impl JobSpec for UpsertPayload {
    const KIND: &'static str = "crm_upsert_contact";
    const MAX_ATTEMPTS: i32 = CRM_CALL_ATTEMPTS;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_upsert(&ctx.app, self).await
    }
}

impl JobSpec for TagPayload {
    const KIND: &'static str = "crm_tag";
    const MAX_ATTEMPTS: i32 = CRM_CALL_ATTEMPTS;
    async fn run(self, s: &Services, ctx: &JobCtx) -> Result<(), JobError> {
        s.run_crm_tag(&ctx.app, self).await
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_split_for_the_crm() {
        assert_eq!(split_name("Ann Lee Smith"), ("Ann".into(), "Lee Smith".into()));
        assert_eq!(split_name("Cher"), ("Cher".into(), String::new()));
        assert_eq!(split_name(""), (String::new(), String::new()));
    }

    #[test]
    fn refusals_are_not_retried() {
        let refused = AppError::Unavailable { code: "crm_refused", message: "Keap: the CRM refused the credentials".into() };
        assert!(job_result(Err(refused)).unwrap_err().is_permanent());
        let down = AppError::Unavailable { code: "crm_unavailable", message: "Keap: timed out".into() };
        assert!(!job_result(Err(down)).unwrap_err().is_permanent());
    }

    #[test]
    fn tag_names_follow_the_pattern() {
        let o = CrmOptions::default();
        assert_eq!(o.tag_name(" Starter Course "), "Tollgate: Starter Course");
        let o = CrmOptions { tag_pattern: "Access – {product}".into(), ..o };
        assert_eq!(o.tag_name("Pro"), "Access – Pro");
    }
}
