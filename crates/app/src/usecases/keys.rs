use time::OffsetDateTime;
use tollgate_domain::auth::{Scope, parse_key_scopes};
use tollgate_domain::error::text;
use tollgate_domain::ids::{ApiKeyId, AppId};
use tollgate_domain::page::{Limit, Page};
use tollgate_persistence::api_keys::{self, ApiKey};

use crate::auth::{Principal, new_api_key_secret};

/// An API key as its app's admins see it (never its secret).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKeyView {
    pub id: ApiKeyId,
    pub name: String,
    /// The last four characters of the secret, to tell keys apart.
    pub last4: String,
    pub scopes: Vec<Scope>,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

impl From<ApiKey> for ApiKeyView {
    fn from(k: ApiKey) -> Self {
        ApiKeyView { id: k.id, name: k.name, last4: k.last4, scopes: k.scopes, created_at: k.created_at, last_used_at: k.last_used_at, revoked_at: k.revoked_at }
    }
}
use crate::error::{AppError, AppResult};
use crate::services::Services;

impl Services {
    /// Creates an API key; the returned string is the only time the secret is shown.
    pub async fn create_api_key(&self, by: &Principal, name: &str, scopes: &[String]) -> AppResult<(ApiKeyView, String)> {
        let mut e = tollgate_domain::ValidationErrors::new();
        let name = e.check("name", text(name, 1, 100));
        let scopes = e.check("scopes", parse_key_scopes(scopes));
        e.clone().into_result()?;
        let (Some(name), Some(scopes)) = (name, scopes) else { return Err(e.into()) };
        // A key may not hold more than the admin who creates it.
        for s in &scopes {
            by.require(*s)?;
        }
        let id = ApiKeyId::new();
        let (full, hash, last4) = new_api_key_secret(&id);
        let key = ApiKey {
            id,
            app_id: by.app_id().clone(),
            name,
            last4,
            scopes,
            created_by: Some(by.actor()),
            created_at: self.now(),
            last_used_at: None,
            revoked_at: None,
        };
        let mut tx = self.db.begin().await?;
        api_keys::insert(&mut tx.conn(), &key, &hash).await?;
        tollgate_persistence::audit::set_target_id(&key.id);
        tx.commit().await?;
        Ok((key.into(), full))
    }

    pub async fn list_api_keys(&self, app: &AppId, after: Option<&str>, limit: Limit) -> AppResult<Page<ApiKeyView>> {
        let mut c = self.db.acquire().await?;
        Ok(api_keys::list(&mut c.conn(), app, after, limit).await?.map(Into::into))
    }

    pub async fn revoke_api_key(&self, app: &AppId, id: &ApiKeyId) -> AppResult<ApiKeyView> {
        let mut tx = self.db.begin().await?;
        let key = api_keys::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("api key"))?;
        if key.revoked_at.is_some() {
            return Err(AppError::conflict("already_revoked", "this API key was already revoked"));
        }
        api_keys::revoke(&mut tx.conn(), app, id, self.now()).await?;
        let key = api_keys::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("api key"))?;
        tx.commit().await?;
        Ok(key.into())
    }
}
