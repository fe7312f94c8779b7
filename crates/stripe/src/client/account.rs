//! The account itself, its webhook endpoints and its event log.

use serde::Serialize;

use super::{CreatedFilter, ListParams, StripeClient, StripeError};
use crate::form::FormParams;
use crate::types::{Account, DeletedObject, Event, List, Metadata, WebhookEndpoint};

/// `GET /v1/events`
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListEvents {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub created: Option<CreatedFilter>,
    /// One type, or a wildcard like `customer.subscription.*`.
    #[serde(rename = "type", skip_serializing_if = "Option::is_none")]
    pub event_type: Option<String>,
    /// Up to 20 types (`types[0]=...`).
    pub types: Vec<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListEvents {
    type Item = Event;
    const PATH: &'static [&'static str] = &["events"];
}

/// `GET /v1/webhook_endpoints`
#[derive(Debug, Clone, Default, Serialize)]
pub struct ListWebhookEndpoints {
    #[serde(skip_serializing_if = "Option::is_none")]
    pub limit: Option<u32>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub starting_after: Option<String>,
}

impl ListParams for ListWebhookEndpoints {
    type Item = WebhookEndpoint;
    const PATH: &'static [&'static str] = &["webhook_endpoints"];
}

/// `POST /v1/webhook_endpoints`
#[derive(Debug, Clone, Default, Serialize)]
pub struct CreateWebhookEndpoint {
    pub url: String,
    /// Event types, or `["*"]` for all.
    pub enabled_events: Vec<String>,
    /// Pin the API version the endpoint's events are rendered with.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub api_version: Option<String>,
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
    /// A platform's endpoint for its connected accounts' events.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub connect: Option<bool>,
    pub metadata: Metadata,
}

impl StripeClient {
    /// The account the key (or `Stripe-Account`) acts on. Not served by localstripe.
    pub async fn retrieve_account(&self) -> Result<Account, StripeError> {
        self.get(&["account"], &FormParams::new()).await
    }

    pub async fn list_events(&self, params: &ListEvents) -> Result<List<Event>, StripeError> {
        self.list(params).await
    }

    /// One page of events as Stripe sent them (raw JSON), for storing
    /// verbatim in the webhook inbox when recovering missed deliveries.
    pub async fn list_events_raw(&self, params: &ListEvents) -> Result<List<serde_json::Value>, StripeError> {
        let query = FormParams::from_serializable(params)?;
        self.get(&["events"], &query).await
    }

    pub async fn retrieve_event(&self, event_id: &str) -> Result<Event, StripeError> {
        self.get(&["events", event_id], &FormParams::new()).await
    }

    /// The answer carries the endpoint's signing secret, only this once.
    /// Not served by localstripe.
    pub async fn create_webhook_endpoint(
        &self,
        params: &CreateWebhookEndpoint,
        idempotency_key: Option<&str>,
    ) -> Result<WebhookEndpoint, StripeError> {
        self.post_params(&["webhook_endpoints"], params, idempotency_key)
            .await
    }

    pub async fn list_webhook_endpoints(
        &self,
        params: &ListWebhookEndpoints,
    ) -> Result<List<WebhookEndpoint>, StripeError> {
        self.list(params).await
    }

    pub async fn delete_webhook_endpoint(
        &self,
        endpoint_id: &str,
    ) -> Result<DeletedObject, StripeError> {
        self.delete(&["webhook_endpoints", endpoint_id]).await
    }
}
