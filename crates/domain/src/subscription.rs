//! Subscription status → access, the rule site owners and members rely on:
//! trialing and active grant; past_due keeps access for the app's grace
//! days; incomplete, incomplete_expired, unpaid, canceled and paused do
//! not. A cancellation at period end keeps access until the period ends.

use std::str::FromStr;

use time::{Duration, OffsetDateTime};

/// A Stripe subscription's status (`unknown`: one this version does not know).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "snake_case")]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub enum SubscriptionStatus {
    Trialing,
    Active,
    PastDue,
    Incomplete,
    IncompleteExpired,
    Unpaid,
    Canceled,
    Paused,
    /// A status this version does not know; treated as giving no access.
    #[serde(other)]
    Unknown,
}

impl SubscriptionStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            SubscriptionStatus::Trialing => "trialing",
            SubscriptionStatus::Active => "active",
            SubscriptionStatus::PastDue => "past_due",
            SubscriptionStatus::Incomplete => "incomplete",
            SubscriptionStatus::IncompleteExpired => "incomplete_expired",
            SubscriptionStatus::Unpaid => "unpaid",
            SubscriptionStatus::Canceled => "canceled",
            SubscriptionStatus::Paused => "paused",
            SubscriptionStatus::Unknown => "unknown",
        }
    }

    /// Whether the subscription counts as live for "active subscriptions" (imports, unlink guard).
    pub fn is_live(self) -> bool {
        matches!(self, SubscriptionStatus::Trialing | SubscriptionStatus::Active | SubscriptionStatus::PastDue)
    }
}

impl FromStr for SubscriptionStatus {
    type Err = std::convert::Infallible;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        Ok(match s {
            "trialing" => SubscriptionStatus::Trialing,
            "active" => SubscriptionStatus::Active,
            "past_due" => SubscriptionStatus::PastDue,
            "incomplete" => SubscriptionStatus::Incomplete,
            "incomplete_expired" => SubscriptionStatus::IncompleteExpired,
            "unpaid" => SubscriptionStatus::Unpaid,
            "canceled" => SubscriptionStatus::Canceled,
            "paused" => SubscriptionStatus::Paused,
            _ => SubscriptionStatus::Unknown,
        })
    }
}

/// What Tollgate knows of a subscription when deciding access.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SubscriptionState {
    pub status: SubscriptionStatus,
    pub cancel_at_period_end: bool,
    pub current_period_end: Option<OffsetDateTime>,
    /// When Tollgate first saw it `past_due` (the grace clock's start).
    pub past_due_since: Option<OffsetDateTime>,
}

/// The access a subscription gives at a moment.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AccessDecision {
    /// Access, open-ended (`None`) or ending at the given time.
    Grant { until: Option<OffsetDateTime> },
    /// No access.
    Revoke,
}

/// Decides access for `state` at `now` with the app's past_due grace.
pub fn decide(state: &SubscriptionState, grace_days: u16, now: OffsetDateTime) -> AccessDecision {
    use SubscriptionStatus::*;
    let grant_until = |until: Option<OffsetDateTime>| match until {
        Some(u) if now >= u => AccessDecision::Revoke,
        u => AccessDecision::Grant { until: u },
    };
    let period_cap = if state.cancel_at_period_end { state.current_period_end } else { None };
    match state.status {
        Trialing | Active => grant_until(period_cap),
        PastDue => {
            let grace_end = state.past_due_since.unwrap_or(now) + Duration::days(grace_days as i64);
            let until = match period_cap {
                Some(p) => Some(p.min(grace_end)),
                None => Some(grace_end),
            };
            grant_until(until)
        }
        Incomplete | IncompleteExpired | Unpaid | Canceled | Paused | Unknown => AccessDecision::Revoke,
    }
}

/// Monthly recurring revenue of one subscription line, in minor units.
pub fn monthly_amount(unit_amount: i64, quantity: i64, interval: &str, interval_count: i64) -> Option<i64> {
    let per_period = unit_amount.checked_mul(quantity.max(1))? as f64;
    let count = interval_count.max(1) as f64;
    let monthly = match interval {
        "day" => per_period * 30.4375 / count,
        "week" => per_period * 30.4375 / 7.0 / count,
        "month" => per_period / count,
        "year" => per_period / 12.0 / count,
        _ => return None,
    };
    Some(monthly.round() as i64)
}

#[cfg(test)]
mod tests {
    use super::SubscriptionStatus::*;
    use super::*;
    use time::macros::datetime;

    const NOW: OffsetDateTime = datetime!(2026-06-15 12:00 UTC);
    const END: OffsetDateTime = datetime!(2026-07-01 0:00 UTC);

    fn st(status: SubscriptionStatus, cancel: bool, end: Option<OffsetDateTime>, past_due_since: Option<OffsetDateTime>) -> SubscriptionState {
        SubscriptionState { status, cancel_at_period_end: cancel, current_period_end: end, past_due_since }
    }

    #[test]
    fn access_rules_table() {
        let grace = 7;
        let g = |u| AccessDecision::Grant { until: u };
        let r = AccessDecision::Revoke;
        let cases: Vec<(&str, SubscriptionState, AccessDecision)> = vec![
            ("trialing", st(Trialing, false, Some(END), None), g(None)),
            ("active", st(Active, false, Some(END), None), g(None)),
            ("active without a known period end", st(Active, false, None, None), g(None)),
            ("active, cancel at period end", st(Active, true, Some(END), None), g(Some(END))),
            ("trialing, cancel at period end", st(Trialing, true, Some(END), None), g(Some(END))),
            ("cancel at period end, period over", st(Active, true, Some(datetime!(2026-06-15 11:59 UTC)), None), r),
            ("past_due within grace", st(PastDue, false, Some(END), Some(datetime!(2026-06-10 12:00 UTC))), g(Some(datetime!(2026-06-17 12:00 UTC)))),
            ("past_due grace over", st(PastDue, false, Some(END), Some(datetime!(2026-06-08 11:00 UTC))), r),
            ("past_due just seen", st(PastDue, false, Some(END), None), g(Some(NOW + Duration::days(7)))),
            ("past_due and canceling: the earlier end wins", st(PastDue, true, Some(datetime!(2026-06-16 0:00 UTC)), Some(NOW)), g(Some(datetime!(2026-06-16 0:00 UTC)))),
            ("incomplete", st(Incomplete, false, Some(END), None), r),
            ("incomplete_expired", st(IncompleteExpired, false, None, None), r),
            ("unpaid", st(Unpaid, false, Some(END), None), r),
            ("canceled", st(Canceled, false, Some(END), None), r),
            ("canceled even with time left", st(Canceled, true, Some(END), None), r),
            ("paused", st(Paused, false, Some(END), None), r),
            ("unknown status", st(Unknown, false, Some(END), None), r),
        ];
        for (name, state, want) in cases {
            assert_eq!(decide(&state, grace, NOW), want, "{name}");
        }
    }

    #[test]
    fn zero_grace_removes_past_due_at_once() {
        assert_eq!(decide(&st(PastDue, false, Some(END), Some(NOW)), 0, NOW), AccessDecision::Revoke);
    }

    #[test]
    fn statuses_parse_with_unknown_fallback() {
        for s in ["trialing", "active", "past_due", "incomplete", "incomplete_expired", "unpaid", "canceled", "paused"] {
            assert_eq!(s.parse::<SubscriptionStatus>().unwrap().as_str(), s);
        }
        assert_eq!("frozen".parse::<SubscriptionStatus>().unwrap(), Unknown);
    }

    #[test]
    fn mrr_normalises_intervals() {
        assert_eq!(monthly_amount(1000, 1, "month", 1), Some(1000));
        assert_eq!(monthly_amount(12000, 1, "year", 1), Some(1000));
        assert_eq!(monthly_amount(3000, 1, "month", 3), Some(1000));
        assert_eq!(monthly_amount(500, 2, "month", 1), Some(1000));
        assert_eq!(monthly_amount(700, 1, "week", 1), Some(3044));
        assert_eq!(monthly_amount(100, 1, "fortnight", 1), None);
    }
}
