//! Making the grants one source gave match what the source says now: used
//! by Stripe subscriptions and CRM tags. The decision of what to change is
//! the domain's [`plan`]; this reads the open grants and applies the plan
//! in the caller's transaction, through the same grant and revoke paths as
//! every other source (activities, emails, outbound events).

use tollgate_domain::access::{AccessGrant, AccessSource};
use tollgate_domain::ids::{AppId, ProductId, UserId};
use tollgate_domain::reconcile::{Change, plan};
use tollgate_domain::subscription::AccessDecision;
use tollgate_persistence::{Conn, access};

use super::GrantSpec;
use crate::error::AppResult;
use crate::services::Services;

/// One source's grants of one product, and how to describe changes to them.
#[derive(Debug, Clone)]
pub struct SourceGrants<'a> {
    pub source: AccessSource,
    /// The source's object (a subscription id, a tag id), given to new grants.
    pub source_ref: &'a str,
    /// Only grants with this `source_ref` are the source's (Stripe: this
    /// subscription's); otherwise any open grant of `source` is (a CRM's,
    /// whichever tag gave it).
    pub same_ref_only: bool,
    pub product: &'a ProductId,
    /// The reason written on new grants and on removals.
    pub grant_reason: String,
    pub revoke_reason: String,
}

impl Services {
    /// Makes `of`'s open grants match `decision` for `people` (see
    /// [`plan`]); returns the changes made.
    pub async fn reconcile_grants_in(&self, conn: &mut Conn<'_>, app: &AppId, of: &SourceGrants<'_>, people: &[UserId], decision: AccessDecision) -> AppResult<Vec<Change>> {
        let open: Vec<AccessGrant> = if of.same_ref_only {
            access::open_by_source(conn, app, of.source, of.source_ref).await?.into_iter().filter(|g| &g.product_id == of.product).collect()
        } else {
            let mut all = Vec::new();
            for person in people {
                all.extend(access::open_for(conn, app, person, of.product).await?.into_iter().filter(|g| g.source == of.source));
            }
            all
        };
        let now = self.now();
        let changes = plan(&open, people, decision, now);
        for change in &changes {
            match change {
                Change::SetEnd { grant, until } => {
                    access::set_ends_at(conn, app, grant, *until, now).await?;
                }
                Change::Close { grant, at } => {
                    self.revoke_at(conn, app, grant, Some("access period ended"), *at).await?;
                }
                Change::Grant { user, until } => {
                    let spec = GrantSpec {
                        source: of.source,
                        source_ref: Some(of.source_ref.to_owned()),
                        reason: Some(of.grant_reason.clone()),
                        ends_at: *until,
                        notify: true,
                        depth: 0,
                    };
                    self.grant_in(conn, app, user, of.product, spec).await?;
                }
                Change::Revoke { grant } => {
                    self.revoke_in(conn, app, grant, Some(&of.revoke_reason)).await?;
                }
            }
        }
        Ok(changes)
    }
}
