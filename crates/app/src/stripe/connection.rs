//! Connecting an app to a Stripe account: with a secret or restricted key
//! (validated by retrieving the account) or through Connect OAuth; the
//! webhook endpoint is registered by Tollgate or its secret pasted by hand.

use std::sync::Arc;
use std::time::{Duration as StdDuration, Instant};

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use tollgate_domain::ids::AppId;
use tollgate_stripe::StripeClient;
use tollgate_stripe::client::{CreateWebhookEndpoint, ListWebhookEndpoints};

use super::{HANDLED_EVENTS, stripe_error};
pub use crate::connector_settings::StripeConnection;
use crate::connector_settings::{StripeConnectorSettings, stripe_settings_in};
use crate::error::{AppError, AppResult};
use crate::services::Services;

const SECRET_CACHE_TTL: StdDuration = StdDuration::from_secs(15);

/// The sealed credentials (never in the settings); Debug shows no value.
#[derive(Clone, Default, Serialize, Deserialize)]
pub(crate) struct Secrets {
    pub secret_key: String,
    /// Newest first; any of them verifies a delivery (rotation).
    pub webhook_secrets: Vec<String>,
    #[serde(default)]
    pub refresh_token: Option<String>,
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Secrets")
            .field("secret_key", &"[redacted]")
            .field("webhook_secrets", &format_args!("[{} redacted]", self.webhook_secrets.len()))
            .field("refresh_token", &self.refresh_token.as_ref().map(|_| "[redacted]"))
            .finish()
    }
}

/// Input of a key-based connection.
#[derive(Debug, Clone)]
pub struct ConnectInput {
    pub secret_key: SecretString,
    /// A signing secret pasted from Stripe's dashboard; `None` registers the endpoint automatically.
    pub webhook_secret: Option<SecretString>,
}

pub(crate) fn valid_key(k: &str) -> bool {
    (k.starts_with("sk_") || k.starts_with("rk_")) && k.len() >= 10 && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
}

fn valid_webhook_secret(k: &str) -> bool {
    k.starts_with("whsec_") && k.len() >= 12 && k.len() <= 255 && k.bytes().all(|b| b.is_ascii_graphic())
}

impl Services {
    pub fn stripe_webhook_url(&self, app: &AppId) -> String {
        format!("{}/webhooks/stripe/{app}", self.config.public_url)
    }

    pub(crate) fn stripe_client_for_key(&self, key: &str) -> AppResult<StripeClient> {
        StripeClient::builder(SecretString::from(key.to_owned()))
            .base_url(self.config.stripe.api_base.clone())
            .build()
            .map_err(|e| AppError::internal("Stripe client", e))
    }

    /// The connection of an app with its decrypted secrets, and the settings.
    pub(crate) async fn stripe_state(&self, app: &AppId) -> AppResult<Option<(StripeConnection, Secrets, StripeConnectorSettings)>> {
        let mut c = self.db.acquire().await?;
        let Some((settings, sealed)) = stripe_settings_in(&mut c.conn(), app).await? else { return Ok(None) };
        let Some(conn) = settings.connection.clone() else { return Ok(None) };
        let sealed = sealed.ok_or_else(|| AppError::Internal("Stripe connection without secrets".into()))?;
        let plain = self.keys.open(&sealed, &format!("{app}/stripe"))?;
        let secrets: Secrets = serde_json::from_slice(&plain).map_err(|e| AppError::internal("stored Stripe secrets", e))?;
        Ok(Some((conn, secrets, settings)))
    }

    /// A client for the app's connected account; 409 when not connected.
    pub(crate) async fn stripe_client(&self, app: &AppId) -> AppResult<(StripeClient, StripeConnectorSettings)> {
        let (_, secrets, settings) = self
            .stripe_state(app)
            .await?
            .ok_or_else(|| AppError::conflict("stripe_not_connected", "connect Stripe first (POST /api/v1/connectors/stripe/connect)"))?;
        Ok((self.stripe_client_for_key(&secrets.secret_key)?, settings))
    }

    async fn save_stripe(&self, app: &AppId, conn: Option<&StripeConnection>, secrets: Option<&Secrets>) -> AppResult<()> {
        let sealed = match secrets {
            Some(s) => Some(self.keys.seal(&serde_json::to_vec(s).map_err(|e| AppError::internal("Stripe secrets to JSON", e))?, &format!("{app}/stripe"))?),
            None => None,
        };
        self.update_stripe_settings(app, |settings, stored| {
            settings.connection = conn.cloned();
            *stored = sealed;
            Ok(())
        })
        .await?;
        self.forget_webhook_secrets(app);
        Ok(())
    }

    pub(crate) fn forget_webhook_secrets(&self, app: &AppId) {
        self.webhook_secrets.lock().unwrap_or_else(|e| e.into_inner()).remove(app);
    }

    /// The app's current webhook signing secrets (cached for a few seconds).
    pub(crate) async fn webhook_secrets_for(&self, app: &AppId) -> AppResult<Arc<Vec<String>>> {
        if let Some((at, s)) = self.webhook_secrets.lock().unwrap_or_else(|e| e.into_inner()).get(app) {
            if at.elapsed() < SECRET_CACHE_TTL {
                return Ok(s.clone());
            }
        }
        let secrets = Arc::new(self.stripe_state(app).await?.map(|(_, s, _)| s.webhook_secrets).unwrap_or_default());
        // Only connected apps are cached: deliveries to made-up app ids cannot grow the cache.
        if !secrets.is_empty() {
            self.webhook_secrets.lock().unwrap_or_else(|e| e.into_inner()).insert(app.clone(), (Instant::now(), secrets.clone()));
        }
        Ok(secrets)
    }

    /// Connects with a secret or restricted key.
    pub async fn stripe_connect(&self, app: &AppId, input: ConnectInput) -> AppResult<StripeConnection> {
        let key = input.secret_key.expose_secret().trim().to_owned();
        if !valid_key(&key) {
            return Err(AppError::field("secret_key", "invalid_key", "must be a Stripe secret (sk_…) or restricted (rk_…) key"));
        }
        if let Some(w) = &input.webhook_secret {
            if !valid_webhook_secret(w.expose_secret().trim()) {
                return Err(AppError::field("webhook_secret", "invalid_secret", "must be a Stripe signing secret (whsec_…)"));
            }
        }
        self.connect_with_key(app, key, "secret_key", input.webhook_secret.map(|w| w.expose_secret().trim().to_owned()), None).await
    }

    pub(crate) async fn connect_with_key(
        &self,
        app: &AppId,
        key: String,
        auth: &str,
        webhook_secret: Option<String>,
        refresh_token: Option<String>,
    ) -> AppResult<StripeConnection> {
        let client = self.stripe_client_for_key(&key)?;
        let account = match client.retrieve_account().await {
            Ok(a) => a,
            Err(e) if matches!(e.status(), Some(401 | 403)) => {
                return Err(AppError::field("secret_key", "rejected_by_stripe", "Stripe rejected this key"));
            }
            Err(e) => return Err(stripe_error(e)),
        };
        // Replacing a connection: remove the endpoint Tollgate registered before.
        if let Some((old, old_secrets, _)) = self.stripe_state(app).await? {
            if let (Some(id), "managed") = (&old.webhook_endpoint_id, old.webhook_mode.as_str()) {
                if let Ok(old_client) = self.stripe_client_for_key(&old_secrets.secret_key) {
                    if let Err(e) = old_client.delete_webhook_endpoint(id).await {
                        tracing::warn!(error = %e, "could not delete the previous webhook endpoint");
                    }
                }
            }
        }
        let url = self.stripe_webhook_url(app);
        let (mode, endpoint_id, secret) = match webhook_secret {
            Some(s) => ("manual", None, s),
            None => {
                // No duplicate endpoints: remove any left for this URL, then create one.
                let existing = client.list_all(&ListWebhookEndpoints::default()).await.map_err(stripe_error)?;
                for e in existing.iter().filter(|e| e.url == url) {
                    client.delete_webhook_endpoint(&e.id).await.map_err(stripe_error)?;
                }
                let created = client
                    .create_webhook_endpoint(
                        &CreateWebhookEndpoint {
                            url: url.clone(),
                            enabled_events: HANDLED_EVENTS.iter().map(|s| (*s).to_owned()).collect(),
                            api_version: self.config.stripe.webhook_api_version.clone(),
                            description: Some("Tollgate: membership access".into()),
                            connect: None,
                            metadata: [("tollgate_app".to_owned(), app.to_string())].into_iter().collect(),
                        },
                        Some(&format!("tollgate-endpoint-{app}-{}", account.id)),
                    )
                    .await
                    .map_err(stripe_error)?;
                let secret = created
                    .secret
                    .as_ref()
                    .map(|s| s.expose_secret().to_owned())
                    .ok_or_else(|| AppError::Internal("Stripe returned no signing secret".into()))?;
                ("managed", Some(created.id), secret)
            }
        };
        let conn = StripeConnection {
            display_name: account.display_name().unwrap_or(&account.id).to_owned(),
            account_id: account.id.clone(),
            livemode: key.contains("_live_"),
            auth: auth.into(),
            webhook_mode: mode.into(),
            webhook_endpoint_id: endpoint_id,
            webhook_url: url,
            connected_at: self.now().unix_timestamp(),
        };
        self.save_stripe(app, Some(&conn), Some(&Secrets { secret_key: key, webhook_secrets: vec![secret], refresh_token })).await?;
        tracing::info!(app_id = %app, account = %conn.account_id, mode = %conn.webhook_mode, "Stripe connected");
        Ok(conn)
    }

    pub async fn stripe_connection(&self, app: &AppId) -> AppResult<Option<StripeConnection>> {
        Ok(self.stripe_state(app).await?.map(|(c, _, _)| c))
    }

    /// Disconnects: removes the endpoint Tollgate registered and forgets the keys.
    /// Product links stay, so reconnecting the same account resumes.
    pub async fn stripe_disconnect(&self, app: &AppId) -> AppResult<()> {
        let Some((conn, secrets, _)) = self.stripe_state(app).await? else {
            return Err(AppError::NotFound("Stripe connection"));
        };
        if let (Some(id), "managed") = (&conn.webhook_endpoint_id, conn.webhook_mode.as_str()) {
            if let Err(e) = self.stripe_client_for_key(&secrets.secret_key)?.delete_webhook_endpoint(id).await {
                tracing::warn!(error = %e, "could not delete the webhook endpoint on disconnect");
            }
        }
        self.save_stripe(app, None, None).await
    }

    /// Adds a signing secret (rotation): the three newest are accepted.
    pub async fn stripe_add_webhook_secret(&self, app: &AppId, secret: &str) -> AppResult<usize> {
        let secret = secret.trim();
        if !valid_webhook_secret(secret) {
            return Err(AppError::field("secret", "invalid_secret", "must be a Stripe signing secret (whsec_…)"));
        }
        let (conn, mut secrets, _) = self.stripe_state(app).await?.ok_or_else(|| AppError::conflict("stripe_not_connected", "connect Stripe first"))?;
        secrets.webhook_secrets.retain(|s| s != secret);
        secrets.webhook_secrets.insert(0, secret.to_owned());
        secrets.webhook_secrets.truncate(3);
        let n = secrets.webhook_secrets.len();
        self.save_stripe(app, Some(&conn), Some(&secrets)).await?;
        Ok(n)
    }
}

#[cfg(test)]
mod tests {
    use super::Secrets;

    #[test]
    fn secrets_do_not_debug_print_their_values() {
        let s = Secrets { secret_key: "sk_test_abcdef123".into(), webhook_secrets: vec!["whsec_zzz".into()], refresh_token: Some("rt_123".into()) };
        let d = format!("{s:?}");
        assert!(!d.contains("sk_test") && !d.contains("whsec_") && !d.contains("rt_123"), "{d}");
    }
}
