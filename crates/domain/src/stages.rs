//! Lifecycle stages: each app names its stages, in priority order, and maps
//! Stripe subscription statuses to them. A member takes the first stage
//! (highest priority) that one of their subscriptions matches; a member
//! without any subscription takes the stage that matches "none", if the app
//! has one, else no stage.
//!
//! Also the per-customer figures kept beside the stage: MRR (live
//! subscriptions, normalised to a month, trialing counts 0) and the renewal
//! date (the earliest period end of a subscription that will renew).

use serde::{Deserialize, Serialize};
use time::OffsetDateTime;

use crate::error::{ValidationErrors, text};
use crate::subscription::SubscriptionStatus;

pub const MAX_STAGES: usize = 12;
pub const MAX_NAME: usize = 40;

/// What a stage matches: a subscription status, or having no subscription.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum StageMatch {
    Status(SubscriptionStatus),
    NoSubscription,
}

/// The statuses a stage can name on the wire, "none" for no subscription.
pub const MATCH_CHOICES: [&str; 9] = ["trialing", "active", "past_due", "incomplete", "incomplete_expired", "unpaid", "canceled", "paused", "none"];

impl StageMatch {
    pub fn as_str(self) -> &'static str {
        match self {
            StageMatch::Status(s) => s.as_str(),
            StageMatch::NoSubscription => "none",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        if s == "none" {
            return Some(StageMatch::NoSubscription);
        }
        match s.parse::<SubscriptionStatus>() {
            Ok(SubscriptionStatus::Unknown) | Err(_) => None,
            Ok(st) => Some(StageMatch::Status(st)),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageDef {
    pub name: String,
    pub matches: Vec<StageMatch>,
}

/// An app's stages, highest priority first.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stages(pub Vec<StageDef>);

/// How stages are stored: names and wire statuses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RawStage {
    pub name: String,
    pub statuses: Vec<String>,
}

impl Default for Stages {
    /// Seed 003's stages: Customer ← active, incomplete, incomplete_expired,
    /// past_due, unpaid; Trial ← trialing; Churn ← canceled. Customer comes
    /// first, so a member with a live and a canceled subscription is a Customer.
    fn default() -> Self {
        use SubscriptionStatus::*;
        let st = |v: &[SubscriptionStatus]| v.iter().map(|s| StageMatch::Status(*s)).collect();
        Stages(vec![
            StageDef { name: "Customer".into(), matches: st(&[Active, Incomplete, IncompleteExpired, PastDue, Unpaid]) },
            StageDef { name: "Trial".into(), matches: st(&[Trialing]) },
            StageDef { name: "Churn".into(), matches: st(&[Canceled]) },
        ])
    }
}

impl Stages {
    /// Validates stages from the API: 1 to 12 stages, names of 1 to 40
    /// characters unique case-insensitively, known statuses, each status in
    /// at most one stage (a stage may match nothing yet). Fields are named
    /// `stages[i].name` and `stages[i].statuses[j]`.
    pub fn parse(raw: &[RawStage]) -> Result<Self, ValidationErrors> {
        let mut errs = ValidationErrors::new();
        if raw.is_empty() {
            errs.add("stages", "required", "at least one stage");
        }
        if raw.len() > MAX_STAGES {
            errs.add("stages", "too_many", format!("at most {MAX_STAGES} stages"));
        }
        let mut names: Vec<String> = Vec::new();
        let mut seen: Vec<StageMatch> = Vec::new();
        let mut out = Vec::new();
        for (i, r) in raw.iter().enumerate() {
            let name = errs.check(&format!("stages[{i}].name"), text(&r.name, 1, MAX_NAME));
            if let Some(n) = &name {
                if names.iter().any(|o| o.to_lowercase() == n.to_lowercase()) {
                    errs.add(&format!("stages[{i}].name"), "duplicate", format!("another stage is already named {n:?}"));
                }
                names.push(n.clone());
            }
            let mut matches = Vec::new();
            for (j, s) in r.statuses.iter().enumerate() {
                let field = format!("stages[{i}].statuses[{j}]");
                match StageMatch::parse(s) {
                    None => errs.add(&field, "invalid_choice", format!("unknown status {s:?}; one of {}", MATCH_CHOICES.join(", "))),
                    Some(m) if seen.contains(&m) => errs.add(&field, "duplicate_status", format!("{s:?} is already mapped to another stage")),
                    Some(m) => {
                        seen.push(m);
                        matches.push(m);
                    }
                }
            }
            if let Some(name) = name {
                out.push(StageDef { name, matches });
            }
        }
        errs.into_result().map(|()| Stages(out))
    }

    pub fn to_raw(&self) -> Vec<RawStage> {
        self.0.iter().map(|d| RawStage { name: d.name.clone(), statuses: d.matches.iter().map(|m| m.as_str().to_owned()).collect() }).collect()
    }

    /// Reads stored stages; stored stages were validated when saved, so an
    /// entry this version cannot read is skipped rather than failing.
    pub fn from_stored(raw: &[RawStage]) -> Self {
        Stages(
            raw.iter()
                .map(|r| StageDef { name: r.name.clone(), matches: r.statuses.iter().filter_map(|s| StageMatch::parse(s)).collect() })
                .collect(),
        )
    }

    /// The stage of a member whose subscriptions have these statuses.
    pub fn stage_of(&self, statuses: &[SubscriptionStatus]) -> Option<&str> {
        let wanted = |m: &StageMatch| match m {
            StageMatch::NoSubscription => statuses.is_empty(),
            StageMatch::Status(s) => statuses.contains(s),
        };
        self.0.iter().find(|d| d.matches.iter().any(wanted)).map(|d| d.name.as_str())
    }
}

/// What the figures of a customer are computed from: one subscription.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SubscriptionFacts {
    pub status: SubscriptionStatus,
    pub cancel_at_period_end: bool,
    pub current_period_end: Option<OffsetDateTime>,
    /// Monthly amount in minor units, as stored for the subscription.
    pub mrr: i64,
    pub currency: Option<String>,
}

/// A member's (or account's) stage, MRR and renewal date.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CustomerFigures {
    pub stage: Option<String>,
    /// Monthly recurring revenue in minor units of `currency`.
    pub mrr: i64,
    pub currency: Option<String>,
    pub renews_at: Option<OffsetDateTime>,
}

impl CustomerFigures {
    /// MRR counts active and past-due subscriptions (trialing is 0 until the
    /// first payment), in the currency of the largest one; the renewal date
    /// is the earliest period end of a trialing, active or past-due
    /// subscription that is not set to cancel.
    pub fn of(stages: &Stages, subs: &[SubscriptionFacts]) -> Self {
        let statuses: Vec<SubscriptionStatus> = subs.iter().map(|s| s.status).collect();
        let paying: Vec<&SubscriptionFacts> = subs.iter().filter(|s| matches!(s.status, SubscriptionStatus::Active | SubscriptionStatus::PastDue)).collect();
        let currency = paying.iter().max_by_key(|s| s.mrr).and_then(|s| s.currency.clone());
        let mrr = paying.iter().filter(|s| s.currency == currency).map(|s| s.mrr).sum();
        let renews_at = subs
            .iter()
            .filter(|s| s.status.is_live() && !s.cancel_at_period_end)
            .filter_map(|s| s.current_period_end)
            .min();
        CustomerFigures { stage: stages.stage_of(&statuses).map(str::to_owned), mrr, currency, renews_at }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use SubscriptionStatus::*;

    fn raw(name: &str, st: &[&str]) -> RawStage {
        RawStage { name: name.into(), statuses: st.iter().map(|s| s.to_string()).collect() }
    }

    fn fact(status: SubscriptionStatus, mrr: i64, end: Option<i64>, canceling: bool) -> SubscriptionFacts {
        SubscriptionFacts {
            status,
            cancel_at_period_end: canceling,
            current_period_end: end.map(|t| OffsetDateTime::from_unix_timestamp(t).unwrap()),
            mrr,
            currency: Some("usd".into()),
        }
    }

    #[test]
    fn default_stages_follow_the_subscription() {
        let s = Stages::default();
        assert_eq!(s.stage_of(&[Trialing]), Some("Trial"));
        assert_eq!(s.stage_of(&[Active]), Some("Customer"));
        assert_eq!(s.stage_of(&[PastDue]), Some("Customer"));
        assert_eq!(s.stage_of(&[Canceled]), Some("Churn"));
        assert_eq!(s.stage_of(&[Canceled, Active]), Some("Customer"), "the live subscription wins");
        assert_eq!(s.stage_of(&[]), None, "no subscription, no stage");
        assert_eq!(s.stage_of(&[Paused]), None);
    }

    #[test]
    fn an_at_risk_stage_and_a_lead_stage() {
        let s = Stages::parse(&[raw("At risk", &["past_due", "unpaid"]), raw("Customer", &["active"]), raw("Trial", &["trialing"]), raw("Lead", &["none"])]).unwrap();
        assert_eq!(s.stage_of(&[PastDue, Active]), Some("At risk"), "the first stage in order wins");
        assert_eq!(s.stage_of(&[]), Some("Lead"));
        assert_eq!(s.stage_of(&[Canceled]), None);
        assert_eq!(Stages::from_stored(&s.to_raw()), s);
    }

    #[test]
    fn bad_definitions_name_their_fields() {
        let e = Stages::parse(&[raw("Trial", &["trialing", "bogus"]), raw(" trial ", &["trialing"]), raw("", &[])]).unwrap_err();
        let got: Vec<(&str, &str)> = e.0.iter().map(|f| (f.field.as_str(), f.code.as_str())).collect();
        assert_eq!(
            got,
            vec![
                ("stages[0].statuses[1]", "invalid_choice"),
                ("stages[1].name", "duplicate"),
                ("stages[1].statuses[0]", "duplicate_status"),
                ("stages[2].name", "required"),
            ]
        );
        assert_eq!(Stages::parse(&[]).unwrap_err().0[0].code, "required");
        let many: Vec<RawStage> = (0..13).map(|i| raw(&format!("S{i}"), &[])).collect();
        assert_eq!(Stages::parse(&many).unwrap_err().0[0].code, "too_many");
    }

    #[test]
    fn figures_count_paying_subscriptions_and_the_next_renewal() {
        let s = Stages::default();
        let f = CustomerFigures::of(&s, &[fact(Active, 1000, Some(2_000), false), fact(PastDue, 500, Some(1_500), false), fact(Trialing, 9999, Some(1_000), false)]);
        assert_eq!((f.mrr, f.currency.as_deref(), f.stage.as_deref()), (1500, Some("usd"), Some("Customer")), "trialing counts 0");
        assert_eq!(f.renews_at.map(|t| t.unix_timestamp()), Some(1_000), "a trial renews (first payment) at its end");
        let f = CustomerFigures::of(&s, &[fact(Active, 1000, Some(2_000), true)]);
        assert_eq!((f.mrr, f.renews_at), (1000, None), "set to cancel: still paying, no renewal");
        let f = CustomerFigures::of(&s, &[fact(Canceled, 1000, Some(2_000), false)]);
        assert_eq!((f.mrr, f.renews_at, f.stage.as_deref()), (0, None, Some("Churn")));
        assert_eq!(CustomerFigures::of(&s, &[]), CustomerFigures::default());
    }
}
