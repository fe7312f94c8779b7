//! Keap and ActiveCampaign through the connector interface. Neither signs
//! its deliveries: the URL's token is the credential, and a delivery is
//! only a hint that queues a read of the CRM's current state (see
//! `inbound`), so nothing is kept in the inbox. Recovery is a full
//! reconcile of every mapped tag.

use tollgate_crm::CrmKind;
use tollgate_domain::connector::ConnectorKind;
use tollgate_domain::ids::AppId;

use super::NOT_CONNECTED;
use super::inbound::HookAnswer;
use crate::connector::{Ack, Connector, Inbound};
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// A CRM's connector.
#[derive(Debug, Clone, Copy)]
pub struct CrmConnector(pub CrmKind);

/// The connector kind of a CRM (its rows in the connectors' shared tables).
pub(crate) fn connector_kind(kind: CrmKind) -> ConnectorKind {
    match kind {
        CrmKind::Keap => ConnectorKind::Keap,
        CrmKind::ActiveCampaign => ConnectorKind::ActiveCampaign,
    }
}

impl CrmConnector {
    pub fn of(kind: ConnectorKind) -> Option<Self> {
        match kind {
            ConnectorKind::Keap => Some(Self(CrmKind::Keap)),
            ConnectorKind::ActiveCampaign => Some(Self(CrmKind::ActiveCampaign)),
            ConnectorKind::Stripe => None,
        }
    }
}

impl Connector for CrmConnector {
    fn kind(&self) -> ConnectorKind {
        connector_kind(self.0)
    }

    /// The URL must carry the connection's token (without one there is no
    /// such webhook: 404).
    async fn ingest(&self, s: &Services, app: &str, d: Inbound<'_>) -> AppResult<Ack> {
        let token = d.token.ok_or(AppError::NotFound("webhook"))?;
        let content_type = d.header("content-type").unwrap_or("");
        Ok(match s.receive_crm_webhook(self.0, app, token, content_type, d.header("x-hook-secret"), d.body).await? {
            HookAnswer::Accepted(n) => Ack::Queued(n),
            HookAnswer::Handshake(secret) => Ack::Handshake(secret),
            HookAnswer::Ignored(why) => Ack::Ignored(why),
            HookAnswer::Gone => Ack::Gone,
        })
    }

    /// Queues a reconcile of every mapped tag (at most one waiting); 0 when
    /// the CRM is not connected.
    async fn recover(&self, s: &Services, app: &AppId) -> AppResult<usize> {
        match s.queue_crm_reconcile(app, self.0).await {
            Ok(queued) => Ok(usize::from(queued.is_some())),
            Err(AppError::Conflict { code: NOT_CONNECTED, .. }) => Ok(0),
            Err(e) => Err(e),
        }
    }
}
