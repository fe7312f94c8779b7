//! CRM connectors (ActiveCampaign, Keap): a tag per product; a tag applied
//! in the CRM grants access to its product, removed it revokes that grant;
//! access granted or removed by any other source applies or removes the tag.
//!
//! - `mod.rs` (here): connecting, options, the connector card, the tag mapping.
//! - [`sync`]: the jobs that talk to the CRM (tags, contacts, pushes, reconcile).
//! - [`inbound`]: the CRM's webhooks.
//! - `oauth.rs`: Keap's OAuth2 and token refreshes.
//!
//! Every call to a CRM runs in a job (retries with backoff; a 429 is waited
//! out as the CRM asks), except connecting, which must answer at once.

mod connector;
pub mod inbound;
mod oauth;
pub mod sync;

pub use connector::CrmConnector;

use secrecy::{ExposeSecret, SecretString};
use serde::{Deserialize, Serialize};
use time::OffsetDateTime;
use tollgate_crm::{ActiveCampaign, Crm, CrmError, CrmKind, Keap, KeapAuth};
use tollgate_domain::ids::{AppId, JobId, ProductId};
use tollgate_persistence::crm::{self as store, CrmConnection, TagLink};
use tollgate_persistence::products;


pub use crate::config::{CrmConfig, KeapConfig};
use crate::crypto::random_token;
use crate::error::{AppError, AppResult};
pub use crate::connector_settings::{CrmOptions, CrmSettings, DEFAULT_STAGE_TAG_PATTERN, DEFAULT_TAG_PATTERN};
pub(crate) use crate::events::crm::connected_kinds;
pub use crate::net::crm_http_client as http_client;
use crate::services::Services;


/// A change of options; `None` keeps the current value.
#[derive(Debug, Clone, Default)]
pub struct OptionsPatch {
    pub tag_pattern: Option<String>,
    pub create_members: Option<bool>,
    pub removal_revokes_all: Option<bool>,
    pub stage_tags: Option<bool>,
    pub stage_tag_pattern: Option<String>,
}

fn check_pattern(field: &str, placeholder: &str, what: &str, p: &str) -> AppResult<String> {
    let p = p.trim();
    if !p.contains(placeholder) {
        return Err(AppError::field(field, "missing_placeholder", format!("must contain {placeholder}, replaced by the {what}'s name")));
    }
    if p.chars().count() > 100 || p.chars().any(char::is_control) {
        return Err(AppError::field(field, "too_long", "at most 100 characters, no control characters"));
    }
    Ok(p.to_owned())
}

/// The encrypted credentials (never in the settings); Debug shows no value.
#[derive(Clone, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub(crate) enum Secrets {
    ApiKey { key: String },
    OAuth { access_token: String, refresh_token: String, expires_at: i64 },
}

impl std::fmt::Debug for Secrets {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secrets::ApiKey { .. } => f.debug_struct("ApiKey").field("key", &"[redacted]").finish(),
            Secrets::OAuth { expires_at, .. } => {
                f.debug_struct("OAuth").field("access_token", &"[redacted]").field("refresh_token", &"[redacted]").field("expires_at", expires_at).finish()
            }
        }
    }
}

/// How an admin connects a CRM with a key.
#[derive(Debug, Clone)]
pub struct ConnectCrm {
    /// ActiveCampaign: the account's API URL (Settings → Developer).
    pub api_url: Option<String>,
    /// ActiveCampaign API key, or a Keap personal access token / service account key.
    pub api_key: SecretString,
    /// Connecting another account than the mapped one forgets the mapping; say yes to that.
    pub confirm_new_account: bool,
}

/// The connector card.
#[derive(Debug, Clone)]
pub struct CrmStatus {
    pub kind: CrmKind,
    pub connected: bool,
    pub account_name: Option<String>,
    pub account_id: Option<String>,
    /// `api_key` or `oauth`
    pub auth: Option<String>,
    pub api_url: Option<String>,
    pub options: CrmOptions,
    /// Keap: whether "Connect with Keap" (OAuth) is configured on this server.
    pub oauth_available: bool,
    pub connected_at: Option<OffsetDateTime>,
    pub last_sync_at: Option<OffsetDateTime>,
    pub last_error: Option<String>,
    pub last_error_at: Option<OffsetDateTime>,
    /// Whether the CRM's webhooks are registered (else only the periodic reconcile converges).
    pub webhooks_registered: bool,
    /// A sync is queued or running.
    pub syncing: bool,
    pub mapped_tags: i64,
    pub linked_contacts: i64,
    pub open_grants: i64,
}

/// A product and its tag.
#[derive(Debug, Clone)]
pub struct TagMapping {
    pub product_id: ProductId,
    pub product_name: String,
    pub archived: bool,
    pub tag: Option<ProductTag>,
}

/// The CRM tag that stands for a product.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProductTag {
    pub tag_id: String,
    pub tag_name: String,
    /// An admin picked it (else Tollgate named it from the pattern).
    pub picked: bool,
}

impl From<TagLink> for ProductTag {
    fn from(l: TagLink) -> Self {
        ProductTag { tag_id: l.tag_id, tag_name: l.tag_name, picked: l.picked }
    }
}

/// The conflict code of a call that needs the CRM connected.
pub(crate) const NOT_CONNECTED: &str = "crm_not_connected";

fn seal_context(app: &AppId, kind: CrmKind) -> String {
    format!("crm:{}:{app}", kind.as_str())
}

/// What a CRM's refusal means to the admin who is connecting.
fn connect_error(kind: CrmKind, e: CrmError) -> AppError {
    let label = kind.label();
    match e {
        CrmError::Unauthorized(m) => AppError::field("api_key", "rejected", format!("{label} refused this key: {m}")),
        CrmError::NotAnApi(m) | CrmError::NotFound(m) => {
            let field = if kind == CrmKind::ActiveCampaign { "api_url" } else { "api_key" };
            AppError::field(field, "not_a_crm", format!("this is not a {label} API URL ({m})"))
        }
        CrmError::Rejected { message, .. } => AppError::field("api_key", "rejected", format!("{label} refused: {message}")),
        CrmError::RateLimited(_) => AppError::Unavailable { code: "crm_unavailable", message: format!("{label} is rate limiting us; try again in a minute") },
        CrmError::Unavailable(m) => AppError::Unavailable { code: "crm_unavailable", message: format!("{label} did not answer: {m}") },
    }
}

impl Services {
    pub fn crm_webhook_url(&self, app: &AppId, kind: CrmKind, token: &str) -> String {
        format!("{}/webhooks/{}/{app}/{token}", self.config.public_url, kind.as_str())
    }

    fn crm_client(&self, kind: CrmKind, api_url: Option<&str>, secrets: &Secrets) -> AppResult<Crm> {
        let http = self.crm_http.clone();
        Ok(match (kind, secrets) {
            (CrmKind::ActiveCampaign, Secrets::ApiKey { key }) => {
                let url = api_url.ok_or_else(|| AppError::Internal("ActiveCampaign connection without an API URL".into()))?;
                let url = url::Url::parse(url).map_err(|e| AppError::internal("stored ActiveCampaign URL", e))?;
                Crm::ActiveCampaign(ActiveCampaign::new(http, &url, SecretString::from(key.clone())))
            }
            (CrmKind::Keap, Secrets::ApiKey { key }) => Crm::Keap(Keap::new(http, &self.config.crm.keap.api_base, KeapAuth::ApiKey(SecretString::from(key.clone())))),
            (CrmKind::Keap, Secrets::OAuth { access_token, .. }) => {
                Crm::Keap(Keap::new(http, &self.config.crm.keap.api_base, KeapAuth::Bearer(SecretString::from(access_token.clone()))))
            }
            (CrmKind::ActiveCampaign, Secrets::OAuth { .. }) => return Err(AppError::Internal("ActiveCampaign has no OAuth".into())),
        })
    }

    fn open_secrets(&self, app: &AppId, kind: CrmKind, sealed: &str) -> AppResult<Secrets> {
        let plain = self.keys.open(sealed, &seal_context(app, kind))?;
        serde_json::from_slice(&plain).map_err(|e| AppError::internal(format!("stored {} credentials", kind.label()), e))
    }

    fn seal_secrets(&self, app: &AppId, kind: CrmKind, s: &Secrets) -> AppResult<String> {
        let plain = serde_json::to_vec(s).map_err(|e| AppError::internal("the CRM credentials do not serialize", e))?;
        self.keys.seal(&plain, &seal_context(app, kind))
    }

    /// The connected CRM's client, its connection and settings; `None` when not connected.
    /// An OAuth access token close to its end is refreshed first.
    pub(crate) async fn crm_for(&self, app: &AppId, kind: CrmKind) -> AppResult<Option<(Crm, CrmConnection, CrmSettings)>> {
        let mut c = self.db.acquire().await?;
        let Some(row) = store::find(&mut c.conn(), app, kind.as_str()).await? else { return Ok(None) };
        drop(c);
        if row.status != "connected" {
            return Ok(None);
        }
        let Some(sealed) = row.secrets.as_deref() else { return Ok(None) };
        let mut secrets = self.open_secrets(app, kind, sealed)?;
        if let Secrets::OAuth { expires_at, .. } = &secrets {
            if *expires_at <= self.now().unix_timestamp() + 60 {
                secrets = self.refresh_keap_tokens(app, &secrets).await?;
            }
        }
        let settings = CrmSettings::from_json(&row.settings);
        let crm = self.crm_client(kind, settings.api_url.as_deref(), &secrets)?;
        Ok(Some((crm, row, settings)))
    }

    /// Both connector cards.
    pub async fn crm_statuses(&self, app: &AppId) -> AppResult<Vec<CrmStatus>> {
        let mut out = Vec::new();
        for kind in CrmKind::ALL {
            out.push(self.crm_status(app, kind).await?);
        }
        Ok(out)
    }

    pub async fn crm_status(&self, app: &AppId, kind: CrmKind) -> AppResult<CrmStatus> {
        let mut c = self.db.acquire().await?;
        let row = store::find(&mut c.conn(), app, kind.as_str()).await?;
        let (mapped_tags, linked_contacts, open_grants) = store::counts(&mut c.conn(), app, kind.as_str()).await?;
        let syncing = store::sync_pending(&mut c.conn(), app, kind.as_str()).await?;
        let settings = row.as_ref().map(|r| CrmSettings::from_json(&r.settings)).unwrap_or_default();
        let connected = row.as_ref().is_some_and(|r| r.status == "connected");
        Ok(CrmStatus {
            kind,
            connected,
            account_name: row.as_ref().map(|r| r.account_name.clone()),
            account_id: row.as_ref().map(|r| r.account_id.clone()),
            auth: row.as_ref().filter(|_| connected).map(|r| r.auth.clone()),
            api_url: settings.api_url.clone(),
            options: settings.options,
            oauth_available: kind == CrmKind::Keap && self.config.crm.keap.oauth().is_some(),
            connected_at: row.as_ref().filter(|_| connected).map(|r| r.connected_at),
            last_sync_at: row.as_ref().and_then(|r| r.last_sync_at),
            last_error: row.as_ref().and_then(|r| r.last_error.clone()),
            last_error_at: row.as_ref().and_then(|r| r.last_error_at),
            webhooks_registered: row.as_ref().is_some_and(|r| connected && !r.hook_ids.is_empty()),
            syncing,
            mapped_tags,
            linked_contacts,
            open_grants,
        })
    }

    /// Connects a CRM with a key: validated by a cheap authenticated call,
    /// stored encrypted; then Tollgate registers its webhooks and a sync
    /// creates the products' tags and converges access with the CRM.
    pub async fn connect_crm(&self, app: &AppId, kind: CrmKind, input: ConnectCrm) -> AppResult<CrmStatus> {
        let key = input.api_key.expose_secret().trim().to_owned();
        if key.is_empty() || key.len() > 500 || key.chars().any(|c| c.is_whitespace() || c.is_control()) {
            return Err(AppError::field("api_key", "invalid", format!("paste the {} key exactly as shown", kind.label())));
        }
        let api_url = match kind {
            CrmKind::ActiveCampaign => {
                let raw = input.api_url.as_deref().unwrap_or_default();
                if raw.trim().is_empty() {
                    return Err(AppError::field("api_url", "required", "give the account's API URL (ActiveCampaign → Settings → Developer)"));
                }
                let url = crate::net::check_url(raw, self.config.outbound.allow_private_networks)
                    .map_err(|p| AppError::field("api_url", p.code, p.message.replace("POST events to", "reach ActiveCampaign at")))?;
                Some(url.as_str().trim_end_matches('/').trim_end_matches("/api/3").to_owned())
            }
            CrmKind::Keap => {
                if input.api_url.as_deref().is_some_and(|u| !u.trim().is_empty()) {
                    return Err(AppError::field("api_url", "not_allowed", "Keap has one API address; leave the URL out"));
                }
                None
            }
        };
        let secrets = Secrets::ApiKey { key };
        self.finish_connect(app, kind, api_url, secrets, "api_key", input.confirm_new_account).await
    }

    async fn finish_connect(&self, app: &AppId, kind: CrmKind, api_url: Option<String>, secrets: Secrets, auth: &str, confirm_new_account: bool) -> AppResult<CrmStatus> {
        let crm = self.crm_client(kind, api_url.as_deref(), &secrets)?;
        let account = crm.account().await.map_err(|e| connect_error(kind, e))?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let old = store::find(&mut tx.conn(), app, kind.as_str()).await?;
        let same_account = old.as_ref().is_some_and(|o| o.account_id == account.id);
        if let Some(o) = old.as_ref().filter(|_| !same_account) {
            let (mapped, ..) = store::counts(&mut tx.conn(), app, kind.as_str()).await?;
            if mapped > 0 && !confirm_new_account {
                return Err(AppError::conflict(
                    "crm_account_changed",
                    format!(
                        "This key opens another {} account ({}) than the one connected before ({}). Connecting it forgets which tags stand for your {mapped} product(s) in the old account; Tollgate then makes the tags in the new account.",
                        kind.label(),
                        account.name,
                        o.account_name
                    ),
                ));
            }
            store::forget_account(&mut tx.conn(), app, kind.as_str()).await?;
        }
        let mut settings = old.as_ref().filter(|_| same_account).map(|o| CrmSettings::from_json(&o.settings)).unwrap_or_default();
        settings.api_url = api_url;
        let row = CrmConnection {
            app_id: app.clone(),
            kind: kind.as_str().into(),
            account_id: account.id.clone(),
            account_name: account.name.clone(),
            status: "connected".into(),
            auth: auth.into(),
            settings: settings.to_json()?,
            secrets: Some(self.seal_secrets(app, kind, &secrets)?),
            hook_token: random_token(),
            hook_ids: Vec::new(),
            connected_at: now,
            last_sync_at: old.as_ref().filter(|_| same_account).and_then(|o| o.last_sync_at),
            last_error: None,
            last_error_at: None,
            updated_at: now,
        };
        store::upsert(&mut tx.conn(), &row).await?;
        tx.commit().await?;
        // Webhooks of an earlier connection go first (best effort: they may be gone already).
        if let Some(o) = old.as_ref().filter(|o| same_account && o.status == "connected") {
            for id in &o.hook_ids {
                if let Err(e) = crm.delete_webhook(id).await {
                    tracing::info!(error = %e, kind = kind.as_str(), "an earlier webhook could not be deleted");
                }
            }
        }
        // The CRM may call back while this runs (Keap's X-Hook-Secret check): the row is committed.
        let url = self.crm_webhook_url(app, kind, &row.hook_token);
        let mut c = self.db.acquire().await?;
        match crm.register_webhooks(&url).await {
            Ok(ids) => {
                let mut r = row.clone();
                r.hook_ids = ids;
                store::upsert(&mut c.conn(), &r).await?;
            }
            Err(e) => {
                tracing::warn!(error = %e, kind = kind.as_str(), "registering the CRM's webhooks failed; the periodic reconcile converges instead");
                store::record_error(&mut c.conn(), app, kind.as_str(), &format!("webhooks not registered: {e}"), now).await?;
            }
        }
        sync::enqueue_sync(&mut c.conn(), app, kind, None, now).await?;
        drop(c);
        self.jobs_ready.notify_one();
        self.crm_status(app, kind).await
    }

    /// Disconnects: Tollgate's webhooks are deleted in the CRM and the
    /// credentials forgotten; the product ↔ tag mapping stays, so
    /// reconnecting the same account resumes. Access already given stays.
    pub async fn disconnect_crm(&self, app: &AppId, kind: CrmKind) -> AppResult<CrmStatus> {
        if let Some((crm, row, _)) = self.crm_for(app, kind).await.ok().flatten() {
            for id in &row.hook_ids {
                if let Err(e) = crm.delete_webhook(id).await {
                    tracing::info!(error = %e, kind = kind.as_str(), "a webhook could not be deleted at disconnect");
                }
            }
        }
        let mut tx = self.db.begin().await?;
        let mut row = store::find(&mut tx.conn(), app, kind.as_str()).await?.ok_or(AppError::NotFound("connection"))?;
        row.status = "disconnected".into();
        row.secrets = None;
        row.hook_ids = Vec::new();
        row.hook_token = random_token();
        row.updated_at = self.now();
        store::upsert(&mut tx.conn(), &row).await?;
        tx.commit().await?;
        self.crm_status(app, kind).await
    }

    pub async fn update_crm_options(&self, app: &AppId, kind: CrmKind, patch: OptionsPatch) -> AppResult<CrmStatus> {
        let pattern = patch.tag_pattern.as_deref().map(|p| check_pattern("tag_pattern", "{product}", "product", p)).transpose()?;
        let stage_pattern = patch.stage_tag_pattern.as_deref().map(|p| check_pattern("stage_tag_pattern", "{stage}", "stage", p)).transpose()?;
        let mut tx = self.db.begin().await?;
        let mut row = store::find(&mut tx.conn(), app, kind.as_str()).await?.ok_or(AppError::NotFound("connection"))?;
        let mut settings = CrmSettings::from_json(&row.settings);
        let pattern_changed = pattern.as_ref().is_some_and(|p| *p != settings.options.tag_pattern);
        if let Some(p) = pattern {
            settings.options.tag_pattern = p;
        }
        if let Some(b) = patch.create_members {
            settings.options.create_members = b;
        }
        if let Some(b) = patch.removal_revokes_all {
            settings.options.removal_revokes_all = b;
        }
        if let Some(b) = patch.stage_tags {
            settings.options.stage_tags = b;
        }
        if let Some(p) = stage_pattern {
            settings.options.stage_tag_pattern = p;
        }
        row.settings = settings.to_json()?;
        row.updated_at = self.now();
        store::upsert(&mut tx.conn(), &row).await?;
        // A new pattern names tags of products that have none yet; mapped tags stay (access hangs on them).
        if pattern_changed && row.status == "connected" {
            sync::enqueue_sync(&mut tx.conn(), app, kind, None, self.now()).await?;
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        self.crm_status(app, kind).await
    }

    /// Every product with its tag in this CRM.
    pub async fn crm_tag_mapping(&self, app: &AppId, kind: CrmKind) -> AppResult<Vec<TagMapping>> {
        let mut c = self.db.acquire().await?;
        let links = store::tags(&mut c.conn(), app, kind.as_str()).await?;
        let mut out = Vec::new();
        for p in sync::all_products(&mut c.conn(), app, true).await? {
            let tag = links.iter().find(|l| l.product_id == p.id).cloned().map(ProductTag::from);
            out.push(TagMapping { product_id: p.id, product_name: p.fields.name, archived: p.archived_at.is_some(), tag });
        }
        Ok(out)
    }

    /// An admin picks the tag of a product: an existing tag by id, or a name
    /// (found, or created when missing). Access then follows the new tag.
    pub async fn put_crm_tag(&self, app: &AppId, kind: CrmKind, product: &ProductId, tag_id: Option<String>, tag_name: Option<String>) -> AppResult<TagMapping> {
        let mut c = self.db.acquire().await?;
        let p = products::find(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        drop(c);
        let (crm, row, _) = self.crm_for(app, kind).await?.ok_or_else(|| AppError::conflict(NOT_CONNECTED, format!("{} is not connected", kind.label())))?;
        let tag = match (tag_id.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty()), tag_name.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())) {
            (Some(id), None) => crm.get_tag(&id).await.map_err(|e| crm_call_error(kind, e))?.ok_or_else(|| AppError::field("tag_id", "unknown_tag", format!("{} has no tag with id {id}", kind.label())))?,
            (None, Some(name)) => {
                if name.chars().count() > 250 {
                    return Err(AppError::field("tag_name", "too_long", "at most 250 characters"));
                }
                crm.ensure_tag(&name, &format!("Access to {} in Tollgate", p.fields.name)).await.map_err(|e| crm_call_error(kind, e))?
            }
            _ => return Err(AppError::field("tag_id", "one_of", "give either tag_id or tag_name")),
        };
        let now = self.now();
        let link = TagLink { product_id: product.clone(), tag_id: tag.id, tag_name: tag.name, picked: true, updated_at: now };
        let mut tx = self.db.begin().await?;
        store::put_tag(&mut tx.conn(), app, row.kind.as_str(), &link).await?;
        sync::enqueue_sync(&mut tx.conn(), app, kind, Some(product), now).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(TagMapping { product_id: product.clone(), product_name: p.fields.name, archived: p.archived_at.is_some(), tag: Some(link.into()) })
    }

    /// Starts a reconcile now ("Sync now").
    pub async fn sync_crm(&self, app: &AppId, kind: CrmKind) -> AppResult<Option<JobId>> {
        self.queue_crm_reconcile(app, kind).await
    }

    /// Queues a reconcile of every mapped tag: its job, or `None` when one
    /// is waiting already; a 409 [`NOT_CONNECTED`] when the CRM is not
    /// connected ("Sync now" answers it, recovery counts nothing queued).
    pub(crate) async fn queue_crm_reconcile(&self, app: &AppId, kind: CrmKind) -> AppResult<Option<JobId>> {
        let mut tx = self.db.begin().await?;
        let row = store::find(&mut tx.conn(), app, kind.as_str()).await?;
        if !row.is_some_and(|r| r.status == "connected") {
            return Err(AppError::conflict(NOT_CONNECTED, format!("{} is not connected", kind.label())));
        }
        let id = sync::enqueue_sync(&mut tx.conn(), app, kind, None, self.now()).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(id)
    }

}

/// A CRM failure met while serving an admin's request.
pub(crate) fn crm_call_error(kind: CrmKind, e: CrmError) -> AppError {
    match e {
        CrmError::Unauthorized(m) => AppError::conflict("crm_unauthorized", format!("{} refused the stored credentials ({m}); connect again", kind.label())),
        CrmError::Rejected { message, .. } => AppError::conflict("crm_rejected", format!("{} refused: {message}", kind.label())),
        other => AppError::Unavailable { code: "crm_unavailable", message: format!("{}: {other}", kind.label()) },
    }
}

/// A CRM failure met by a job: the text the job records.
pub(crate) fn crm_job_error(kind: CrmKind, e: CrmError) -> AppError {
    let code = match &e {
        CrmError::Unauthorized(_) => "crm_unauthorized",
        e if e.is_permanent() => "crm_refused",
        _ => "crm_unavailable",
    };
    AppError::Unavailable { code, message: format!("{}: {e}", kind.label()) }
}


#[cfg(test)]
mod tests {
    use super::Secrets;

    #[test]
    fn secrets_do_not_debug_print_their_values() {
        let d = format!("{:?} {:?}", Secrets::ApiKey { key: "key-123".into() }, Secrets::OAuth { access_token: "at-1".into(), refresh_token: "rt-1".into(), expires_at: 5 });
        assert!(!d.contains("key-123") && !d.contains("at-1") && !d.contains("rt-1"), "{d}");
    }
}
