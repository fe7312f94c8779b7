//! Managing endpoints and Zapier hooks, and reading the delivery log.

use serde_json::Value;
use time::OffsetDateTime;
use tollgate_domain::ValidationErrors;
use tollgate_domain::error::FieldProblem;
use tollgate_domain::ids::{AppId, DeliveryId, EndpointId, MessageId};
use tollgate_domain::outbound::{
    Attempt, Delivery, DeliveryFilter, Endpoint, EndpointKind, EventType, MAX_ENDPOINTS_PER_APP, ROTATION_OVERLAP, parse_event_filter,
};
use tollgate_domain::page::{Limit, Page};
use tollgate_persistence::outbound;

use super::net::check_url;
use super::{publish_to, sample_data, signing};
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// A new Standard Webhooks endpoint.
#[derive(Debug, Clone, Default)]
pub struct NewEndpoint {
    pub url: String,
    pub description: Option<String>,
    /// Empty or absent: every event.
    pub event_types: Vec<String>,
    pub enabled: Option<bool>,
}

/// Changes to an endpoint; absent fields stay.
#[derive(Debug, Clone, Default)]
pub struct EndpointPatch {
    pub url: Option<String>,
    pub description: Option<String>,
    pub event_types: Option<Vec<String>>,
    pub enabled: Option<bool>,
}

/// A delivery with its tries.
#[derive(Debug, Clone)]
pub struct DeliveryLog {
    pub delivery: Delivery,
    pub attempts: Vec<Attempt>,
}

fn secret_context(app: &AppId, id: &EndpointId) -> String {
    format!("{app}/webhook-endpoint/{id}")
}

fn description(raw: Option<&str>) -> Result<String, FieldProblem> {
    let d = raw.unwrap_or("").trim();
    if d.chars().count() > 500 {
        return Err(FieldProblem::new("too_long", "at most 500 characters"));
    }
    Ok(d.to_owned())
}

impl Services {
    fn check_endpoint_url(&self, raw: &str) -> Result<String, FieldProblem> {
        check_url(raw, self.config.outbound.allow_private_networks).map(|u| u.to_string()).map_err(|p| FieldProblem::new(p.code, p.message))
    }

    async fn insert_endpoint(&self, app: &AppId, kind: EndpointKind, url: String, desc: String, types: Vec<EventType>, enabled: bool) -> AppResult<(Endpoint, String)> {
        let now = self.now();
        let e = Endpoint {
            id: EndpointId::new(),
            app_id: app.clone(),
            kind,
            url,
            description: desc,
            event_types: types,
            enabled,
            disabled_reason: None,
            failing_since: None,
            previous_secret_until: None,
            created_at: now,
            updated_at: now,
        };
        let secret = signing::new_secret();
        let sealed = self.keys.seal(secret.as_bytes(), &secret_context(app, &e.id))?;
        let mut tx = self.db.begin().await?;
        if outbound::count_endpoints(&mut tx.conn(), app).await? >= MAX_ENDPOINTS_PER_APP as i64 {
            return Err(AppError::field("url", "limit_reached", format!("an app can have at most {MAX_ENDPOINTS_PER_APP} endpoints and hooks; delete one first")));
        }
        outbound::insert_endpoint(&mut tx.conn(), &e, &sealed).await?;
        tollgate_persistence::audit::set_target_id(&e.id);
        tx.commit().await?;
        Ok((e, secret))
    }

    /// Creates a Standard Webhooks endpoint; the secret is returned once.
    pub async fn create_endpoint(&self, app: &AppId, input: NewEndpoint) -> AppResult<(Endpoint, String)> {
        let mut e = ValidationErrors::new();
        let url = e.check("url", self.check_endpoint_url(&input.url));
        let desc = e.check("description", description(input.description.as_deref()));
        let types = e.check("event_types", parse_event_filter(&input.event_types));
        e.clone().into_result()?;
        let (Some(url), Some(desc), Some(types)) = (url, desc, types) else { return Err(e.into()) };
        self.insert_endpoint(app, EndpointKind::Standard, url, desc, types, input.enabled.unwrap_or(true)).await
    }

    /// Subscribes a Zapier REST hook to one event type.
    pub async fn create_hook(&self, app: &AppId, target_url: &str, event: &str) -> AppResult<Endpoint> {
        let mut e = ValidationErrors::new();
        let url = e.check("target_url", self.check_endpoint_url(target_url));
        let t = e.check("event", event.parse::<EventType>());
        e.clone().into_result()?;
        let (Some(url), Some(t)) = (url, t) else { return Err(e.into()) };
        Ok(self.insert_endpoint(app, EndpointKind::Zapier, url, "Zapier".into(), vec![t], true).await?.0)
    }

    pub async fn list_endpoints(&self, app: &AppId, kind: Option<EndpointKind>, after: Option<&EndpointId>, limit: Limit) -> AppResult<Page<Endpoint>> {
        let mut c = self.db.acquire().await?;
        Ok(outbound::list_endpoints(&mut c.conn(), app, kind, after, limit).await?)
    }

    pub async fn get_endpoint(&self, app: &AppId, id: &EndpointId) -> AppResult<Endpoint> {
        let mut c = self.db.acquire().await?;
        outbound::find_endpoint(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("endpoint"))
    }

    /// Edits an endpoint. Enabling it again clears Tollgate's reason for
    /// disabling it and its failure streak; disabling fails what waits for it.
    pub async fn update_endpoint(&self, app: &AppId, id: &EndpointId, p: EndpointPatch) -> AppResult<Endpoint> {
        let mut errs = ValidationErrors::new();
        let url = p.url.as_deref().map(|u| errs.check("url", self.check_endpoint_url(u))).unwrap_or(None);
        let desc = p.description.as_deref().map(|d| errs.check("description", description(Some(d)))).unwrap_or(None);
        let types = p.event_types.as_deref().map(|t| errs.check("event_types", parse_event_filter(t))).unwrap_or(None);
        errs.into_result()?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let mut e = outbound::find_endpoint(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("endpoint"))?;
        if let Some(u) = url {
            e.url = u;
        }
        if let Some(d) = desc {
            e.description = d;
        }
        if let Some(t) = types {
            e.event_types = t;
        }
        let disabling = p.enabled == Some(false) && e.enabled;
        if let Some(on) = p.enabled {
            if on && !e.enabled {
                e.disabled_reason = None;
                e.failing_since = None;
            }
            e.enabled = on;
        }
        e.updated_at = now;
        outbound::update_endpoint(&mut tx.conn(), &e).await?;
        if disabling {
            outbound::fail_pending(&mut tx.conn(), app, id, "the endpoint was disabled", now).await?;
        }
        tx.commit().await?;
        Ok(e)
    }

    /// Deletes an endpoint or hook of the given kind (another kind's id is 404).
    pub async fn delete_endpoint(&self, app: &AppId, id: &EndpointId, kind: Option<EndpointKind>) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        let e = outbound::find_endpoint(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("endpoint"))?;
        if kind.is_some_and(|k| k != e.kind) {
            return Err(AppError::NotFound(if kind == Some(EndpointKind::Zapier) { "hook" } else { "endpoint" }));
        }
        outbound::delete_endpoint(&mut tx.conn(), app, id, self.now()).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A new signing secret; the old one keeps signing beside it for 24 hours.
    pub async fn rotate_endpoint_secret(&self, app: &AppId, id: &EndpointId) -> AppResult<(Endpoint, String)> {
        let now = self.now();
        let secret = signing::new_secret();
        let sealed = self.keys.seal(secret.as_bytes(), &secret_context(app, id))?;
        let mut tx = self.db.begin().await?;
        let e = outbound::find_endpoint(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("endpoint"))?;
        if e.kind != EndpointKind::Standard {
            return Err(AppError::conflict("not_signed", "Zapier hooks are not signed; there is no secret to rotate"));
        }
        outbound::rotate_secret(&mut tx.conn(), app, id, &sealed, now + ROTATION_OVERLAP, now).await?;
        let e = outbound::find_endpoint(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("endpoint"))?;
        tx.commit().await?;
        Ok((e, secret))
    }

    /// The keys that sign deliveries to an endpoint now: the current secret
    /// and, during the 24 hours after a rotation, the previous one.
    pub(crate) async fn signing_keys(&self, conn: &mut tollgate_persistence::Conn<'_>, app: &AppId, id: &EndpointId) -> AppResult<Vec<Vec<u8>>> {
        let Some((cur, prev, until)) = outbound::secrets(conn, app, id).await? else { return Ok(Vec::new()) };
        let ctx = secret_context(app, id);
        let mut keys = Vec::new();
        for sealed in std::iter::once(Some(cur)).chain(std::iter::once(prev.filter(|_| until.is_some_and(|u| u > self.now())))).flatten() {
            let plain = String::from_utf8(self.keys.open(&sealed, &ctx)?).map_err(|e| AppError::internal("a webhook secret is not UTF-8", e))?;
            keys.push(signing::key_of(&plain).ok_or_else(|| AppError::Internal("a webhook secret is not base64".into()))?);
        }
        Ok(keys)
    }

    /// Sends a made-up event of `event_type` (default `user.created`) to one endpoint, whatever its filter.
    pub async fn send_test_event(&self, app: &AppId, id: &EndpointId, event_type: Option<&str>) -> AppResult<DeliveryLog> {
        let t = match event_type {
            Some(s) => s.parse::<EventType>().map_err(|p| AppError::field("event_type", p.code, p.message))?,
            None => EventType::Activity(tollgate_domain::activity::ActivityKind::UserCreated),
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let e = outbound::find_endpoint(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("endpoint"))?;
        if !e.enabled {
            return Err(AppError::conflict("endpoint_disabled", "enable the endpoint before sending it a test event"));
        }
        let mut data = sample_data(t, now);
        data["test"] = Value::Bool(true);
        let msg = publish_to(&mut tx.conn(), app, std::slice::from_ref(id), t, data, now).await?;
        let page = outbound::list_deliveries(&mut tx.conn(), app, id, &DeliveryFilter::default(), None, Limit::parse(Some(1)).unwrap_or_default()).await?;
        tx.commit().await?;
        let delivery = page.items.into_iter().find(|d| d.message_id == msg).ok_or(AppError::NotFound("delivery"))?;
        Ok(DeliveryLog { delivery, attempts: Vec::new() })
    }

    pub async fn list_deliveries(&self, app: &AppId, endpoint: &EndpointId, f: &DeliveryFilter, before: Option<&DeliveryId>, limit: Limit) -> AppResult<Page<DeliveryLog>> {
        let mut c = self.db.acquire().await?;
        outbound::find_endpoint(&mut c.conn(), app, endpoint).await?.ok_or(AppError::NotFound("endpoint"))?;
        let page = outbound::list_deliveries(&mut c.conn(), app, endpoint, f, before, limit).await?;
        let ids: Vec<DeliveryId> = page.items.iter().map(|d| d.id.clone()).collect();
        let mut tries = outbound::attempts_of(&mut c.conn(), app, &ids).await?;
        Ok(page.map(|d| {
            let (mine, rest): (Vec<_>, Vec<_>) = std::mem::take(&mut tries).into_iter().partition(|(id, _)| *id == d.id);
            tries = rest;
            DeliveryLog { delivery: d, attempts: mine.into_iter().map(|(_, a)| a).collect() }
        }))
    }

    pub async fn get_delivery(&self, app: &AppId, id: &DeliveryId) -> AppResult<(DeliveryLog, Value)> {
        let mut c = self.db.acquire().await?;
        let d = outbound::find_delivery(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("delivery"))?;
        let attempts = outbound::attempts_of(&mut c.conn(), app, std::slice::from_ref(id)).await?.into_iter().map(|(_, a)| a).collect();
        let payload = outbound::message_payload(&mut c.conn(), app, &d.message_id).await?.map(|(p, _)| p).unwrap_or_default();
        let payload = serde_json::from_str(&payload).unwrap_or(Value::Null);
        Ok((DeliveryLog { delivery: d, attempts }, payload))
    }

    /// Sends a delivery again at once (same `webhook-id`), with a fresh retry schedule.
    pub async fn redeliver(&self, app: &AppId, id: &DeliveryId) -> AppResult<Delivery> {
        let mut tx = self.db.begin().await?;
        let d = outbound::find_delivery(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("delivery"))?;
        let e = outbound::find_endpoint(&mut tx.conn(), app, &d.endpoint_id).await?.ok_or(AppError::NotFound("endpoint"))?;
        if !e.enabled {
            return Err(AppError::conflict("endpoint_disabled", "enable the endpoint before redelivering to it"));
        }
        outbound::redeliver(&mut tx.conn(), app, id, self.now()).await?;
        let d = outbound::find_delivery(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("delivery"))?;
        tx.commit().await?;
        Ok(d)
    }

    /// Queues again every failed delivery of an endpoint since `since`.
    pub async fn replay_failed(&self, app: &AppId, endpoint: &EndpointId, since: OffsetDateTime) -> AppResult<u64> {
        let mut tx = self.db.begin().await?;
        let e = outbound::find_endpoint(&mut tx.conn(), app, endpoint).await?.ok_or(AppError::NotFound("endpoint"))?;
        if !e.enabled {
            return Err(AppError::conflict("endpoint_disabled", "enable the endpoint before replaying to it"));
        }
        let n = outbound::replay_failed(&mut tx.conn(), app, endpoint, since, self.now()).await?;
        tx.commit().await?;
        Ok(n)
    }

    /// Up to three recent events of a type, or one made-up sample (Zapier's performList).
    pub async fn event_samples(&self, app: &AppId, event: &str) -> AppResult<Vec<Value>> {
        let t: EventType = event.parse().map_err(|_| AppError::NotFound("event type"))?;
        let mut c = self.db.acquire().await?;
        let recent = outbound::recent_payloads(&mut c.conn(), app, t.as_str(), 3).await?;
        let mut out: Vec<Value> = recent.iter().filter_map(|p| serde_json::from_str(p).ok()).collect();
        if out.is_empty() {
            let now = self.now();
            out.push(super::envelope(&MessageId::new(), t.as_str(), now, sample_data(t, now)));
        }
        Ok(out)
    }
}
