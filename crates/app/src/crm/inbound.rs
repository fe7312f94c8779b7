//! A CRM's webhooks: `POST /webhooks/{kind}/{app_id}/{token}`.
//!
//! Neither CRM signs deliveries, so the URL carries a random token that
//! only the CRM was given, and a delivery is only a hint: Tollgate queues a
//! job that reads the current tags from the CRM's API and converges (a
//! forged, replayed, duplicate or out-of-order delivery changes nothing the
//! CRM does not say). The job row is written before the answer, so what was
//! received is stored before it is acknowledged.

use tollgate_crm::CrmKind;
use tollgate_crm::webhook::{Hint, hints_in};
use tollgate_domain::ids::AppId;
use tollgate_persistence::crm as store;

use super::sync::{enqueue_contact, enqueue_sync};
use crate::crypto::constant_time_eq;
use crate::error::AppResult;
use crate::services::Services;

/// How to answer a delivery.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum HookAnswer {
    /// 200: queued.
    Accepted(usize),
    /// 200 with the `X-Hook-Secret` header echoed (Keap's subscription check).
    Handshake(String),
    /// 200: acknowledged and ignored (logged): another app's, a wrong token, an event we do not use.
    Ignored(&'static str),
    /// 410: nothing is connected here any more (ActiveCampaign then stops sending).
    Gone,
}

/// At most this many hints of one delivery are queued.
const MAX_HINTS: usize = 100;

impl Services {
    pub async fn receive_crm_webhook(&self, kind: CrmKind, app: &str, token: &str, content_type: &str, hook_secret: Option<&str>, body: &[u8]) -> AppResult<HookAnswer> {
        let Ok(app) = AppId::parse(app) else { return Ok(HookAnswer::Ignored("unknown app")) };
        let mut c = self.db.acquire().await?;
        let Some(row) = store::find(&mut c.conn(), &app, kind.as_str()).await? else { return Ok(HookAnswer::Ignored("no such connection")) };
        if !constant_time_eq(row.hook_token.as_bytes(), token.as_bytes()) {
            tracing::warn!(kind = kind.as_str(), app_id = %app, "a CRM webhook with a wrong token was ignored");
            return Ok(HookAnswer::Ignored("wrong token"));
        }
        if row.status != "connected" {
            return Ok(HookAnswer::Gone);
        }
        if let Some(secret) = hook_secret {
            let secret = secret.trim();
            if !secret.is_empty() && secret.len() <= 500 && secret.bytes().all(|b| b.is_ascii_graphic()) {
                return Ok(HookAnswer::Handshake(secret.to_owned()));
            }
        }
        let hints = hints_in(kind, content_type, body);
        if hints.is_empty() {
            tracing::info!(kind = kind.as_str(), app_id = %app, "a CRM webhook Tollgate does not use was ignored");
            return Ok(HookAnswer::Ignored("not a tag event"));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let mut queued = 0;
        for h in hints.iter().take(MAX_HINTS) {
            match h {
                Hint::Contact { contact_id, .. } => {
                    enqueue_contact(&mut tx.conn(), &app, kind, contact_id, now).await?;
                    queued += 1;
                }
                Hint::Tag { tag_id } => match store::product_of_tag(&mut tx.conn(), &app, kind.as_str(), tag_id).await? {
                    Some(product) => {
                        enqueue_sync(&mut tx.conn(), &app, kind, Some(&product), now).await?;
                        queued += 1;
                    }
                    None => tracing::info!(kind = kind.as_str(), app_id = %app, tag = %tag_id, "a webhook about a tag no product uses was ignored"),
                },
            }
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(if queued == 0 { HookAnswer::Ignored("unknown tag") } else { HookAnswer::Accepted(queued) })
    }
}
