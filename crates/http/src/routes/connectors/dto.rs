//! Wire types of the connectors' settings and webhook receiver.

use serde::Serialize;
use utoipa::ToSchema;

/// What happened to a delivery.
#[derive(Debug, Clone, Copy, Serialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WebhookOutcome {
    /// A new event: stored and queued for processing.
    Stored,
    /// An event received before: nothing done.
    Duplicate,
    /// Acknowledged and not acted on (an event type Tollgate does not use, another app's, a wrong token).
    Ignored,
    /// A CRM's hint: the reads it asks for are queued.
    Queued,
    /// Keap's subscription check: `X-Hook-Secret` echoed.
    Handshake,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct WebhookAck {
    pub received: bool,
    pub outcome: WebhookOutcome,
}

/// A JSON object of settings.
#[derive(Debug, serde::Deserialize)]
#[serde(transparent)]
pub struct SettingsPatch(pub serde_json::Map<String, serde_json::Value>);

impl validator::Validate for SettingsPatch {
    fn validate(&self) -> Result<(), validator::ValidationErrors> {
        Ok(())
    }
}
