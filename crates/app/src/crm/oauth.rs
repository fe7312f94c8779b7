//! Keap's OAuth2 (authorization code with refresh-token rotation): the
//! start and callback of "Connect with Keap", and token refreshes.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use tollgate_crm::{CrmKind, KeapTokens};
use tollgate_domain::ids::AppId;
use tollgate_persistence::crm as store;

use super::{Secrets, connect_error, crm_job_error};
use crate::crypto::{constant_time_eq, random_token};
use crate::error::{AppError, AppResult};
use crate::services::Services;

impl Services {
    /// Spends the refresh token for a new pair (Keap rotates them). One
    /// refresh at a time: the stored pair is read under a lock, and when
    /// someone else refreshed meanwhile their new pair is used instead.
    pub(crate) async fn refresh_keap_tokens(&self, app: &AppId, had: &Secrets) -> AppResult<Secrets> {
        let kind = CrmKind::Keap;
        let oauth = self.config.crm.keap.oauth().ok_or_else(|| AppError::Unavailable { code: "crm_oauth_unconfigured", message: "Keap OAuth is not configured on this server".into() })?;
        let mut tx = self.db.begin().await?;
        let sealed = store::secrets_for_update(&mut tx.conn(), app, kind.as_str()).await?.ok_or(AppError::NotFound("connection"))?;
        let stored = self.open_secrets(app, kind, &sealed)?;
        let (Secrets::OAuth { refresh_token: stored_refresh, .. }, Secrets::OAuth { refresh_token: had_refresh, .. }) = (&stored, had) else {
            return Ok(stored);
        };
        if stored_refresh != had_refresh {
            return Ok(stored);
        }
        let tokens = oauth.refresh(&self.crm_http, stored_refresh).await.map_err(|e| crm_job_error(kind, e))?;
        let fresh = self.oauth_secrets(tokens);
        store::set_secrets(&mut tx.conn(), app, kind.as_str(), &self.seal_secrets(app, kind, &fresh)?, self.now()).await?;
        tx.commit().await?;
        Ok(fresh)
    }

    /// Refreshes an OAuth connection's tokens now (the CRM refused the
    /// access token before its time); false when not an OAuth connection or the refresh failed.
    pub(crate) async fn refresh_oauth_now(&self, app: &AppId, kind: CrmKind) -> bool {
        let stored = async {
            let mut c = self.db.acquire().await?;
            let row = store::find(&mut c.conn(), app, kind.as_str()).await?;
            let Some(sealed) = row.filter(|r| r.auth == "oauth" && r.status == "connected").and_then(|r| r.secrets) else { return Ok(None) };
            self.open_secrets(app, kind, &sealed).map(Some)
        };
        let stored: AppResult<Option<Secrets>> = stored.await;
        match stored {
            Ok(Some(s)) => match self.refresh_keap_tokens(app, &s).await {
                Ok(_) => true,
                Err(e) => {
                    tracing::warn!(error = %e, "refreshing the Keap tokens failed");
                    false
                }
            },
            _ => false,
        }
    }

    fn oauth_secrets(&self, t: KeapTokens) -> Secrets {
        Secrets::OAuth { access_token: t.access_token, refresh_token: t.refresh_token, expires_at: self.now().unix_timestamp() + t.expires_in.unwrap_or(86_400).clamp(60, 86_400 * 30) }
    }

    // ---------- Keap OAuth ----------

    pub fn keap_oauth_redirect_uri(&self) -> String {
        format!("{}/oauth/keap/callback", self.config.public_url)
    }

    /// Where to send the admin's browser to approve Tollgate in Keap, and the
    /// nonce that browser must present again (as a cookie) at the callback.
    /// The state is sealed with the instance key, names the app and expires
    /// in ten minutes, as for Stripe Connect.
    pub fn keap_oauth_start(&self, app: &AppId, confirm_new_account: bool) -> AppResult<(String, String)> {
        let oauth = self.config.crm.keap.oauth().ok_or_else(|| AppError::conflict("oauth_not_configured", "Keap OAuth needs crm.keap.client_id and crm.keap.client_secret in the configuration; connect with a personal access token instead"))?;
        let exp = self.now().unix_timestamp() + 600;
        let nonce = random_token();
        let sealed = self.keys.seal(format!("{app}|{exp}|{nonce}|{}", u8::from(confirm_new_account)).as_bytes(), KEAP_STATE_CONTEXT)?;
        let state = URL_SAFE_NO_PAD.encode(sealed.as_bytes());
        Ok((oauth.authorize(&self.keap_oauth_redirect_uri(), &state), nonce))
    }

    /// Keap sent the admin back with a code: check the state, exchange the code, connect.
    pub async fn keap_oauth_callback(&self, code: &str, state: &str, browser_nonce: Option<&str>) -> AppResult<AppId> {
        let bad = || AppError::field("state", "invalid_state", "the OAuth state is invalid or expired; start the connection again");
        let oauth = self.config.crm.keap.oauth().ok_or_else(|| AppError::conflict("oauth_not_configured", "Keap OAuth is not configured on this server"))?;
        let sealed = URL_SAFE_NO_PAD.decode(state).map_err(|_| bad())?;
        let plain = self.keys.open(std::str::from_utf8(&sealed).map_err(|_| bad())?, KEAP_STATE_CONTEXT).map_err(|_| bad())?;
        let plain = String::from_utf8(plain).map_err(|_| bad())?;
        let mut parts = plain.split('|');
        let app = AppId::parse(parts.next().unwrap_or("")).map_err(|_| bad())?;
        let exp: i64 = parts.next().and_then(|e| e.parse().ok()).ok_or_else(bad)?;
        if exp < self.now().unix_timestamp() {
            return Err(bad());
        }
        let nonce = parts.next().unwrap_or("");
        let confirm = parts.next() == Some("1");
        let same_browser = browser_nonce.is_some_and(|b| !nonce.is_empty() && constant_time_eq(b.as_bytes(), nonce.as_bytes()));
        if !same_browser {
            return Err(AppError::field("state", "other_browser", "the connection was started in another browser (or its cookie expired); start it again here"));
        }
        if code.is_empty() || code.len() > 1000 {
            return Err(AppError::field("code", "invalid_code", "missing authorization code"));
        }
        let tokens = oauth.exchange(&self.crm_http, code, &self.keap_oauth_redirect_uri()).await.map_err(|e| connect_error(CrmKind::Keap, e))?;
        let secrets = self.oauth_secrets(tokens);
        self.finish_connect(&app, CrmKind::Keap, None, secrets, "oauth", confirm).await?;
        Ok(app)
    }
}

const KEAP_STATE_CONTEXT: &str = "keap-oauth-state";

