//! The connectors' stored settings, typed, each read from and written to
//! its JSON here only: Stripe's ([`StripeConnectorSettings`], the object
//! in `connector_settings`, kind `stripe`) and a CRM's ([`CrmSettings`],
//! `crm_connections.settings`). Neither holds a secret: keys, tokens and
//! signing secrets are sealed apart, in the rows' `secrets`.

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use tollgate_domain::ids::AppId;
use tollgate_persistence::Conn;
use tollgate_persistence::connectors::{self, ConnectorRecord};

use crate::error::{AppError, AppResult};
use crate::services::Services;

/// The connector kind of Stripe's settings row.
pub(crate) const STRIPE: &str = "stripe";

/// The public state of a Stripe connection (`connection`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StripeConnection {
    pub account_id: String,
    pub display_name: String,
    pub livemode: bool,
    /// `secret_key` or `oauth`
    pub auth: String,
    /// `managed` (Tollgate registered the endpoint) or `manual` (secret pasted)
    pub webhook_mode: String,
    pub webhook_endpoint_id: Option<String>,
    pub webhook_url: String,
    pub connected_at: i64,
}

/// The billing portal options a site owner sets (`portal`): cancellation,
/// plan changes, and the privacy and terms links shown in the portal.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct PortalSettings {
    pub enabled: bool,
    pub privacy_policy_url: Option<String>,
    pub terms_of_service_url: Option<String>,
    /// Members may cancel in the portal (at period end, so access lasts until then).
    pub allow_cancel: bool,
    /// The one configuration Tollgate owns in the connected account.
    pub configuration_id: Option<String>,
}

/// What a Stripe customer is (`contact_type`): a person, or a company
/// whose people take seats (see `customers::accounts`).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ContactType {
    #[default]
    Users,
    Accounts,
}

impl ContactType {
    pub fn as_str(self) -> &'static str {
        match self {
            ContactType::Users => "users",
            ContactType::Accounts => "accounts",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        [ContactType::Users, ContactType::Accounts].into_iter().find(|t| t.as_str() == s)
    }
}

/// Stripe's settings. A key that is absent reads as `None`; a known key
/// whose value is not of its type (the generic `PATCH
/// /api/v1/connectors/stripe/settings` takes any JSON) reads as `None`
/// too, as the key-by-key reads did, and is kept as stored in `other`,
/// with every key Tollgate does not read: writing the settings back
/// changes only what was changed (the JSON's keys are sorted, so an
/// unchanged object is the same bytes).
#[derive(Debug, Clone, Default, PartialEq)]
pub struct StripeConnectorSettings {
    /// `connection`: absent when not connected.
    pub connection: Option<StripeConnection>,
    /// `portal`: absent until the portal is first saved.
    pub portal: Option<PortalSettings>,
    /// `contact_type`: absent is [`ContactType::Users`].
    pub contact_type: Option<ContactType>,
    /// `account_metadata_key`: the customer metadata key naming an account.
    pub account_metadata_key: Option<String>,
    /// `customer_metadata_key`: the customer metadata key naming a member (id or email).
    pub customer_metadata_key: Option<String>,
    /// Every other key, and known keys of another type, as stored.
    pub other: Map<String, Value>,
}

/// The keys Tollgate manages through the connector's own endpoints
/// (connect, portal): refused by the generic settings update.
pub const RESERVED_STRIPE_KEYS: [&str; 2] = ["connection", "portal"];

fn typed<T: serde::de::DeserializeOwned>(map: &mut Map<String, Value>, key: &str) -> Option<T> {
    let v = map.get(key)?;
    let parsed = serde_json::from_value(v.clone()).ok()?;
    map.remove(key);
    Some(parsed)
}

fn put<T: Serialize>(map: &mut Map<String, Value>, key: &str, v: &Option<T>) -> AppResult<()> {
    if let Some(v) = v {
        map.insert(key.into(), serde_json::to_value(v).map_err(|e| AppError::internal("Stripe settings to JSON", e))?);
    }
    Ok(())
}

impl StripeConnectorSettings {
    /// Reads the stored object. Only a `connection` that does not read is
    /// an error (the connection would be lost); other keys are lenient.
    pub fn from_json(v: &Value) -> AppResult<Self> {
        let mut other = v.as_object().cloned().ok_or_else(|| AppError::Internal("connector settings are not an object".into()))?;
        let connection = match other.remove("connection") {
            Some(c) => Some(serde_json::from_value(c).map_err(|e| AppError::internal("stored Stripe connection", e))?),
            None => None,
        };
        let portal = typed(&mut other, "portal");
        let contact_type = other.get("contact_type").and_then(Value::as_str).and_then(ContactType::parse);
        if contact_type.is_some() {
            other.remove("contact_type");
        }
        let account_metadata_key = typed(&mut other, "account_metadata_key");
        let customer_metadata_key = typed(&mut other, "customer_metadata_key");
        Ok(Self { connection, portal, contact_type, account_metadata_key, customer_metadata_key, other })
    }

    pub fn to_json(&self) -> AppResult<Value> {
        let mut map = self.other.clone();
        put(&mut map, "connection", &self.connection)?;
        put(&mut map, "portal", &self.portal)?;
        put(&mut map, "contact_type", &self.contact_type)?;
        put(&mut map, "account_metadata_key", &self.account_metadata_key)?;
        put(&mut map, "customer_metadata_key", &self.customer_metadata_key)?;
        Ok(Value::Object(map))
    }

    pub fn contact_type(&self) -> ContactType {
        self.contact_type.unwrap_or_default()
    }

    /// Whether the app's Stripe customers are accounts (companies) rather than people.
    pub fn accounts_enabled(&self) -> bool {
        self.contact_type() == ContactType::Accounts
    }

    /// Merges a JSON patch (`null` removes a key), as the generic settings update asks.
    pub fn merge(&mut self, patch: Map<String, Value>) -> AppResult<()> {
        let mut v = self.to_json()?;
        let obj = v.as_object_mut().ok_or_else(|| AppError::Internal("connector settings are not an object".into()))?;
        for (k, val) in patch {
            if val.is_null() {
                obj.remove(&k);
            } else {
                obj.insert(k, val);
            }
        }
        *self = Self::from_json(&v)?;
        Ok(())
    }
}

/// What an admin chooses per CRM.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmOptions {
    /// The name of a product's tag; `{product}` is replaced by the product's name.
    pub tag_pattern: String,
    /// A contact Tollgate does not know who gets a product's tag becomes a member.
    pub create_members: bool,
    /// Removing a tag also removes access the member has from other sources
    /// (Stripe, manual…); by default only the grant the tag gave goes.
    pub removal_revokes_all: bool,
    /// Each member carries a tag of their lifecycle stage (the old stage's tag goes when it changes).
    #[serde(default)]
    pub stage_tags: bool,
    /// The name of a stage's tag; `{stage}` is replaced by the stage's name.
    #[serde(default = "default_stage_pattern")]
    pub stage_tag_pattern: String,
}

fn default_stage_pattern() -> String {
    DEFAULT_STAGE_TAG_PATTERN.into()
}

impl Default for CrmOptions {
    fn default() -> Self {
        Self {
            tag_pattern: DEFAULT_TAG_PATTERN.into(),
            create_members: false,
            removal_revokes_all: false,
            stage_tags: false,
            stage_tag_pattern: DEFAULT_STAGE_TAG_PATTERN.into(),
        }
    }
}

pub const DEFAULT_TAG_PATTERN: &str = "Tollgate: {product}";
pub const DEFAULT_STAGE_TAG_PATTERN: &str = "Tollgate stage: {stage}";

impl CrmOptions {
    pub fn tag_name(&self, product: &str) -> String {
        let name = self.tag_pattern.replace("{product}", product.trim());
        name.chars().take(250).collect()
    }

    pub fn stage_tag_name(&self, stage: &str) -> String {
        let name = self.stage_tag_pattern.replace("{stage}", stage.trim());
        name.chars().take(250).collect()
    }
}

/// A CRM connection's public settings. Tollgate alone writes them (the
/// connect and options endpoints), so there are no other keys to keep.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct CrmSettings {
    /// ActiveCampaign: the account's API URL.
    #[serde(default)]
    pub api_url: Option<String>,
    #[serde(default)]
    pub options: CrmOptions,
}

impl CrmSettings {
    /// Reads the stored object; one that does not read is the defaults.
    pub fn from_json(v: &Value) -> Self {
        serde_json::from_value(v.clone()).unwrap_or_default()
    }

    pub fn to_json(&self) -> AppResult<Value> {
        serde_json::to_value(self).map_err(|e| AppError::internal("the CRM settings do not serialize", e))
    }
}

/// Stripe's settings and its sealed secrets as stored; `None` before
/// anything was saved.
pub(crate) async fn stripe_settings_in(conn: &mut Conn<'_>, app: &AppId) -> AppResult<Option<(StripeConnectorSettings, Option<String>)>> {
    let Some(rec) = connectors::find(conn, app, STRIPE).await? else { return Ok(None) };
    Ok(Some((StripeConnectorSettings::from_json(&rec.settings)?, rec.secrets)))
}

impl Services {
    /// Stripe's settings (the defaults before anything was saved).
    pub(crate) async fn stripe_settings(&self, app: &AppId) -> AppResult<StripeConnectorSettings> {
        let mut c = self.db.acquire().await?;
        Ok(stripe_settings_in(&mut c.conn(), app).await?.map(|(s, _)| s).unwrap_or_default())
    }

    /// The read-modify-write of Stripe's settings and sealed secrets, in
    /// one transaction: `f` changes them (or fails, and nothing is written).
    pub(crate) async fn update_stripe_settings<T>(
        &self,
        app: &AppId,
        f: impl FnOnce(&mut StripeConnectorSettings, &mut Option<String>) -> AppResult<T>,
    ) -> AppResult<(StripeConnectorSettings, T)> {
        let mut tx = self.db.begin().await?;
        let (mut settings, mut secrets) = stripe_settings_in(&mut tx.conn(), app).await?.unwrap_or_default();
        let out = f(&mut settings, &mut secrets)?;
        let rec = ConnectorRecord { kind: STRIPE.into(), settings: settings.to_json()?, secrets, updated_at: self.now() };
        connectors::upsert(&mut tx.conn(), app, &rec).await?;
        tx.commit().await?;
        Ok((settings, out))
    }
}

#[cfg(test)]
mod tests {
    use serde_json::json;

    use super::*;

    /// A row as the key-by-key code wrote it: a connection, the portal, the
    /// account options, an admin's own key.
    fn stored() -> Value {
        json!({
            "connection": {
                "account_id": "acct_1", "display_name": "Academy", "livemode": false, "auth": "secret_key",
                "webhook_mode": "managed", "webhook_endpoint_id": "we_1", "webhook_url": "https://t.example/webhooks/stripe/app_1",
                "connected_at": 1700000000
            },
            "portal": {"enabled": true, "privacy_policy_url": "https://s.example/p", "terms_of_service_url": "https://s.example/t", "allow_cancel": false, "configuration_id": null},
            "contact_type": "accounts",
            "account_metadata_key": "company",
            "customer_metadata_key": "tollgate_id",
            "crm_note": {"any": ["thing", 1]}
        })
    }

    #[test]
    fn stored_settings_read_typed_and_write_back_the_same() {
        let v = stored();
        let s = StripeConnectorSettings::from_json(&v).unwrap();
        assert_eq!(s.connection.as_ref().map(|c| c.account_id.as_str()), Some("acct_1"));
        assert_eq!(s.portal.as_ref().map(|p| (p.enabled, p.allow_cancel)), Some((true, false)));
        assert!(s.accounts_enabled());
        assert_eq!(s.account_metadata_key.as_deref(), Some("company"));
        assert_eq!(s.customer_metadata_key.as_deref(), Some("tollgate_id"));
        assert_eq!(s.other.keys().collect::<Vec<_>>(), ["crm_note"], "an admin's own key is kept");
        assert_eq!(s.to_json().unwrap(), v, "same meaning");
        // Stored as Value::to_string: keys sorted, so the same bytes.
        assert_eq!(s.to_json().unwrap().to_string(), v.to_string());
        assert_eq!(StripeConnectorSettings::from_json(&s.to_json().unwrap()).unwrap(), s);
    }

    #[test]
    fn empty_and_partial_settings_read_as_defaults() {
        let s = StripeConnectorSettings::from_json(&json!({})).unwrap();
        assert_eq!(s, StripeConnectorSettings::default());
        assert_eq!(s.contact_type(), ContactType::Users);
        assert_eq!(s.to_json().unwrap(), json!({}));
        let s = StripeConnectorSettings::from_json(&json!({"contact_type": "users", "portal": {"enabled": false}})).unwrap();
        assert_eq!(s.contact_type, Some(ContactType::Users));
        assert_eq!(s.portal, Some(PortalSettings::default()));
        assert!(StripeConnectorSettings::from_json(&json!([])).is_err());
    }

    #[test]
    fn known_keys_of_another_type_read_as_absent_and_stay_as_stored() {
        let v = json!({"contact_type": "companies", "account_metadata_key": 7, "customer_metadata_key": null, "portal": "on"});
        let s = StripeConnectorSettings::from_json(&v).unwrap();
        assert_eq!((s.contact_type, s.account_metadata_key.clone(), s.customer_metadata_key.clone(), s.portal.clone()), (None, None, None, None));
        assert!(!s.accounts_enabled());
        assert_eq!(s.to_json().unwrap(), v);
        // A broken connection is an error, not "not connected".
        assert!(StripeConnectorSettings::from_json(&json!({"connection": {"account_id": 1}})).is_err());
    }

    #[test]
    fn a_patch_sets_and_removes_keys() {
        let mut s = StripeConnectorSettings::from_json(&stored()).unwrap();
        s.merge([("account_metadata_key".to_owned(), Value::Null), ("contact_type".to_owned(), json!("users")), ("x".to_owned(), json!(1))].into_iter().collect()).unwrap();
        assert_eq!((s.account_metadata_key.as_deref(), s.contact_type()), (None, ContactType::Users));
        assert_eq!(s.other.get("x"), Some(&json!(1)));
        assert!(s.connection.is_some(), "untouched keys stay");
    }

    #[test]
    fn crm_settings_read_old_rows_and_round_trip() {
        let old = json!({"api_url": "https://acct.api-us1.com", "options": {"tag_pattern": "T: {product}", "create_members": true, "removal_revokes_all": false}});
        let s = CrmSettings::from_json(&old);
        assert_eq!(s.api_url.as_deref(), Some("https://acct.api-us1.com"));
        assert_eq!((s.options.tag_pattern.as_str(), s.options.create_members, s.options.stage_tag_pattern.as_str()), ("T: {product}", true, DEFAULT_STAGE_TAG_PATTERN));
        assert_eq!(CrmSettings::from_json(&s.to_json().unwrap()), s);
        assert_eq!(CrmSettings::from_json(&json!("broken")), CrmSettings::default());
    }
}
