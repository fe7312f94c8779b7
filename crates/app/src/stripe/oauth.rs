//! Stripe Connect OAuth, the second way to connect (beside pasting a key): an authorize
//! URL with a CSRF state, and a callback that exchanges the code. The state
//! is sealed with the instance key, names the app, expires in ten minutes
//! and is bound to the browser that started: it carries a nonce that the
//! callback must also find in that browser's cookie (login CSRF: a callback
//! link made by someone else does not connect your app).

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use secrecy::ExposeSecret;
use tollgate_domain::ids::AppId;
use tollgate_stripe::client::authorize_url;

use super::StripeConnection;
use crate::error::{AppError, AppResult};
use crate::services::Services;

const STATE_CONTEXT: &str = "stripe-oauth-state";

impl Services {
    fn oauth_redirect_uri(&self) -> String {
        format!("{}/oauth/stripe/callback", self.config.public_url)
    }

    /// The URL to send the admin's browser to, and the nonce the browser
    /// must present again (as a cookie) at the callback.
    pub fn stripe_oauth_start(&self, app: &AppId) -> AppResult<(String, String)> {
        let client_id = self
            .config
            .stripe
            .client_id
            .as_deref()
            .ok_or_else(|| AppError::conflict("oauth_not_configured", "Stripe Connect OAuth needs stripe.client_id and stripe.platform_secret_key in the configuration"))?;
        let exp = self.now().unix_timestamp() + 600;
        let nonce = crate::crypto::random_token();
        let sealed = self.keys.seal(format!("{app}|{exp}|{nonce}").as_bytes(), STATE_CONTEXT)?;
        let state = URL_SAFE_NO_PAD.encode(sealed.as_bytes());
        let url = authorize_url(&self.config.stripe.connect_base, client_id, &state, &self.oauth_redirect_uri())
            .map(|u| u.to_string())
            .map_err(|e| AppError::internal("authorize URL", e))?;
        Ok((url, nonce))
    }

    /// The callback: checks the state, exchanges the code, and connects with
    /// the account's access token (webhooks registered as with a key).
    pub async fn stripe_oauth_callback(&self, code: &str, state: &str, browser_nonce: Option<&str>) -> AppResult<(AppId, StripeConnection)> {
        let bad = || AppError::field("state", "invalid_state", "the OAuth state is invalid or expired; start the connection again");
        let sealed = URL_SAFE_NO_PAD.decode(state).map_err(|_| bad())?;
        let plain = self.keys.open(std::str::from_utf8(&sealed).map_err(|_| bad())?, STATE_CONTEXT).map_err(|_| bad())?;
        let plain = String::from_utf8(plain).map_err(|_| bad())?;
        let mut parts = plain.split('|');
        let app = AppId::parse(parts.next().unwrap_or("")).map_err(|_| bad())?;
        let exp: i64 = parts.next().and_then(|e| e.parse().ok()).ok_or_else(bad)?;
        if exp < self.now().unix_timestamp() {
            return Err(bad());
        }
        let nonce = parts.next().unwrap_or("");
        let same_browser = browser_nonce.is_some_and(|b| !nonce.is_empty() && crate::crypto::constant_time_eq(b.as_bytes(), nonce.as_bytes()));
        if !same_browser {
            return Err(AppError::field("state", "other_browser", "the connection was started in another browser (or its cookie expired); start it again here"));
        }
        if code.is_empty() || code.len() > 255 {
            return Err(AppError::field("code", "invalid_code", "missing authorization code"));
        }
        let platform = self
            .config
            .stripe
            .platform_secret_key
            .clone()
            .ok_or_else(|| AppError::conflict("oauth_not_configured", "stripe.platform_secret_key is not configured"))?;
        let tokens = self
            .stripe_client_for_key(platform.expose_secret())?
            .exchange_code(&self.config.stripe.connect_base, &platform, code)
            .await
            .map_err(super::stripe_error)?;
        let token = tokens.access_token.expose_secret().to_owned();
        let refresh = tokens.refresh_token.as_ref().map(|r| r.expose_secret().to_owned());
        let conn = self.connect_with_key(&app, token, "oauth", None, refresh).await?;
        Ok((app, conn))
    }
}
