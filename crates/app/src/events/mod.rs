//! Recording what happened: an activity is inserted, and in the same
//! transaction published to the outbound endpoints that want it
//! ([`publish`]), the automations listening to its kind start their runs
//! ([`triggers`]) and each connected CRM's jobs are queued ([`crm`]).
//!
//! This layer sits below every capability that records (access, members,
//! the member area, Stripe, the CRMs, automations, …) and names none of
//! them: it queues the jobs by their payloads, defined here, and the
//! capabilities run them.

pub mod crm;
pub mod publish;
pub mod triggers;

use tollgate_domain::activity::{Activity, NewActivity};
use tollgate_domain::ids::AppId;
use tollgate_persistence::{Conn, activities};

use crate::error::AppResult;

/// Records an activity inside the caller's transaction, and publishes it to
/// the outbound endpoints that want it in the same transaction.
/// Automations listening to its kind start their runs in the same transaction too.
pub async fn record(conn: &mut Conn<'_>, app: &AppId, a: NewActivity) -> AppResult<Activity> {
    let depth = a.depth;
    let a = activities::insert(conn, app, &a).await?;
    publish::publish_activity_in(conn, app, &a).await?;
    triggers::on_activity_in(conn, app, &a, depth).await?;
    crm::on_activity_in(conn, app, &a).await?;
    Ok(a)
}
