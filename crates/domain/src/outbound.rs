//! Outbound events: the catalogue other tools subscribe to, and the rules of
//! delivering them (retry schedule, when an endpoint gives up).
//!
//! Every activity kind is an event under its own wire name; `member.updated`
//! has no activity of its own. Wire names are stable: a rename is a new type.

use std::str::FromStr;

use time::Duration;

use crate::activity::ActivityKind;
use crate::error::FieldProblem;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EventType {
    /// One of the activity catalogue's kinds.
    Activity(ActivityKind),
    /// An admin, an integrator or the member changed the member's email or name.
    MemberUpdated,
}

impl EventType {
    pub fn all() -> Vec<EventType> {
        let mut v: Vec<EventType> = ActivityKind::ALL.iter().copied().map(EventType::Activity).collect();
        v.push(EventType::MemberUpdated);
        v
    }

    pub fn as_str(self) -> &'static str {
        match self {
            EventType::Activity(k) => k.as_str(),
            EventType::MemberUpdated => "member.updated",
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            EventType::Activity(k) => k.label(),
            EventType::MemberUpdated => "Member Updated",
        }
    }

    /// One sentence for the catalogue and the OpenAPI document.
    pub fn description(self) -> &'static str {
        use ActivityKind::*;
        match self {
            EventType::Activity(UserLogin) => "A member logged in.",
            EventType::Activity(UserCreated) => "A member was added (by an admin, an integrator, an import or a purchase).",
            EventType::Activity(UserActivate) => "A member logged in after crossing the app's inactivity threshold.",
            EventType::Activity(UserInactive) => "A member has not logged in for the app's inactivity threshold.",
            EventType::Activity(UserVideoWatched) => "A member started a video hosted by Tollgate.",
            EventType::Activity(UserAudioListened) => "A member started an audio file hosted by Tollgate.",
            EventType::Activity(UserFileDownloaded) => "A member downloaded a file hosted by Tollgate.",
            EventType::Activity(UserPageCompleted) => "A member ticked a page of a product as completed.",
            EventType::Activity(UserProductCompleted) => "A member completed every page of a product.",
            EventType::Activity(ProductAccessGranted) => "A member gained access to a product (any source: manual, Stripe, import, CRM tag, API).",
            EventType::Activity(ProductAccessRemoved) => "A member lost access to a product.",
            EventType::Activity(ProductPurchased) => "A member bought a product (one-time or the first payment of a subscription).",
            EventType::Activity(SubscriptionStarted) => "A Stripe subscription of a linked product started.",
            EventType::Activity(SubscriptionCancelled) => "A Stripe subscription of a linked product was cancelled.",
            EventType::Activity(MemberStageChanged) => "A member's lifecycle stage changed (data.from and data.to name the stages; null is no stage).",
            EventType::MemberUpdated => "A member's email or name changed.",
        }
    }

    /// Whether the payload names a product.
    pub fn has_product(self) -> bool {
        use ActivityKind::*;
        matches!(
            self,
            EventType::Activity(
                UserVideoWatched
                    | UserAudioListened
                    | UserFileDownloaded
                    | UserPageCompleted
                    | UserProductCompleted
                    | ProductAccessGranted
                    | ProductAccessRemoved
                    | ProductPurchased
                    | SubscriptionStarted
                    | SubscriptionCancelled
            )
        )
    }
}

impl FromStr for EventType {
    type Err = FieldProblem;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        if s == "member.updated" {
            return Ok(EventType::MemberUpdated);
        }
        s.parse::<ActivityKind>()
            .map(EventType::Activity)
            .map_err(|_| FieldProblem::new("invalid_choice", format!("unknown event type {s:?}; see GET /api/v1/webhooks/event-types")))
    }
}

/// Parses an endpoint's event filter: an empty list means every event.
/// Duplicates are dropped; order is kept.
pub fn parse_event_filter(raw: &[String]) -> Result<Vec<EventType>, FieldProblem> {
    if raw.len() > 50 {
        return Err(FieldProblem::new("too_many", "at most 50 event types"));
    }
    let mut out = Vec::new();
    for s in raw {
        let t: EventType = s.parse()?;
        if !out.contains(&t) {
            out.push(t);
        }
    }
    Ok(out)
}

/// Whether an endpoint with `filter` wants events of type `t`.
pub fn filter_accepts(filter: &[EventType], t: EventType) -> bool {
    filter.is_empty() || filter.contains(&t)
}

/// The wait before the next try after `failures` failed tries (1-based):
/// 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h — about 28 hours in all — then
/// the delivery has failed (`None`). `jitter` in [0, 1) adds up to 10 %.
pub fn retry_after(failures: u32, jitter: f64) -> Option<Duration> {
    const SCHEDULE: [i64; 7] = [5, 5 * 60, 30 * 60, 2 * 3600, 5 * 3600, 10 * 3600, 10 * 3600];
    let base = *SCHEDULE.get(failures.checked_sub(1)? as usize)?;
    let spread = (base as f64 * 0.1 * jitter.clamp(0.0, 1.0)) as i64;
    Some(Duration::seconds(base + spread))
}

/// How many tries a delivery gets before it has failed.
pub const MAX_ATTEMPTS: u32 = 8;

/// An endpoint whose every try has failed for this long is disabled.
pub const DISABLE_AFTER: Duration = Duration::days(5);

/// Endpoints (webhooks and Zapier hooks together) an app may have.
pub const MAX_ENDPOINTS_PER_APP: usize = 50;

/// The old secret keeps signing beside the new one this long after a rotation.
pub const ROTATION_OVERLAP: Duration = Duration::hours(24);

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum EndpointKind {
    /// A Standard Webhooks receiver: signed deliveries.
    Standard,
    /// A Zapier REST hook subscription: unsigned JSON, removed on 410.
    Zapier,
}

impl EndpointKind {
    pub fn as_str(self) -> &'static str {
        match self {
            EndpointKind::Standard => "standard",
            EndpointKind::Zapier => "zapier",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "standard" => Some(EndpointKind::Standard),
            "zapier" => Some(EndpointKind::Zapier),
            _ => None,
        }
    }
}

/// Filters of an endpoint's delivery log.
#[derive(Debug, Clone, Default)]
pub struct DeliveryFilter {
    pub status: Option<DeliveryStatus>,
    pub event_type: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum DeliveryStatus {
    /// Waiting for its first or next try.
    Pending,
    /// The endpoint answered 2xx.
    Delivered,
    /// Every try failed, or the endpoint was disabled or removed.
    Failed,
}

impl DeliveryStatus {
    pub const ALL: [DeliveryStatus; 3] = [DeliveryStatus::Pending, DeliveryStatus::Delivered, DeliveryStatus::Failed];
    pub fn as_str(self) -> &'static str {
        match self {
            DeliveryStatus::Pending => "pending",
            DeliveryStatus::Delivered => "delivered",
            DeliveryStatus::Failed => "failed",
        }
    }
    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.iter().copied().find(|x| x.as_str() == s)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn catalogue_names_round_trip() {
        let all = EventType::all();
        assert_eq!(all.len(), ActivityKind::ALL.len() + 1);
        let mut seen = std::collections::HashSet::new();
        for t in all {
            assert!(seen.insert(t.as_str()));
            assert_eq!(t.as_str().parse::<EventType>().unwrap(), t);
        }
        assert!("member.exploded".parse::<EventType>().is_err());
    }

    #[test]
    fn filters() {
        let f = parse_event_filter(&["product.access_granted".into(), "product.access_granted".into()]).unwrap();
        assert_eq!(f, vec![EventType::Activity(ActivityKind::ProductAccessGranted)]);
        assert!(filter_accepts(&f, EventType::Activity(ActivityKind::ProductAccessGranted)));
        assert!(!filter_accepts(&f, EventType::Activity(ActivityKind::UserLogin)));
        assert!(filter_accepts(&[], EventType::MemberUpdated));
        assert!(parse_event_filter(&["nope".into()]).is_err());
    }

    #[test]
    fn retries_span_about_a_day_then_stop() {
        assert_eq!(retry_after(1, 0.0), Some(Duration::seconds(5)));
        assert_eq!(retry_after(2, 0.0), Some(Duration::minutes(5)));
        assert_eq!(retry_after(7, 0.0), Some(Duration::hours(10)));
        assert_eq!(retry_after(8, 0.0), None);
        assert_eq!(retry_after(0, 0.0), None);
        let total: i64 = (1..MAX_ATTEMPTS).map(|n| retry_after(n, 0.0).unwrap().whole_seconds()).sum();
        assert!((24 * 3600..32 * 3600).contains(&total), "{total}");
        assert!(retry_after(4, 0.99).unwrap() <= Duration::minutes(132));
    }
}

/// An endpoint as stored, without its secrets.
#[derive(Debug, Clone, PartialEq)]
pub struct Endpoint {
    pub id: crate::ids::EndpointId,
    pub app_id: crate::ids::AppId,
    pub kind: EndpointKind,
    pub url: String,
    pub description: String,
    /// Empty: every event.
    pub event_types: Vec<EventType>,
    pub enabled: bool,
    /// Why Tollgate disabled it (`gone`, `failing`), or `None` when an admin did or it is enabled.
    pub disabled_reason: Option<String>,
    /// Since when every try has failed (cleared by a success).
    pub failing_since: Option<time::OffsetDateTime>,
    /// Until when the previous secret still signs, after a rotation.
    pub previous_secret_until: Option<time::OffsetDateTime>,
    pub created_at: time::OffsetDateTime,
    pub updated_at: time::OffsetDateTime,
}

/// One event on its way to one endpoint.
#[derive(Debug, Clone, PartialEq)]
pub struct Delivery {
    pub id: crate::ids::DeliveryId,
    pub app_id: crate::ids::AppId,
    pub endpoint_id: crate::ids::EndpointId,
    pub message_id: crate::ids::MessageId,
    pub event_type: String,
    pub status: DeliveryStatus,
    pub attempts: u32,
    pub next_attempt_at: Option<time::OffsetDateTime>,
    pub last_status_code: Option<u16>,
    pub last_error: Option<String>,
    pub created_at: time::OffsetDateTime,
    pub updated_at: time::OffsetDateTime,
    pub delivered_at: Option<time::OffsetDateTime>,
}

/// One try of a delivery.
#[derive(Debug, Clone, PartialEq)]
pub struct Attempt {
    pub n: u32,
    pub attempted_at: time::OffsetDateTime,
    pub status_code: Option<u16>,
    pub latency_ms: i64,
    /// The first kilobyte of the answer's body.
    pub response_body: Option<String>,
    /// A network error or timeout, when there was no answer.
    pub error: Option<String>,
}
