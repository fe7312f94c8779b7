//! What an automation is: one trigger, optional conditions, ordered steps.
//! The same types are the API's wire format (tagged by `type`) and what is
//! stored per version, so a run replays exactly what was saved.
//!
//! A leaf (data and checks only): `automations` re-exports it as `automations::model`,
//! and the activity recorder (`events`) reads it to start runs.

use serde::{Deserialize, Serialize};
use time::Duration;
use tollgate_domain::ValidationErrors;
use tollgate_domain::activity::ActivityKind;
use utoipa::ToSchema;

/// Longest wait step.
pub const MAX_WAIT_DAYS: u32 = 365;
/// Longest look-ahead of time-based triggers.
pub const MAX_LOOKAHEAD_DAYS: u32 = 90;
/// An automation's steps and conditions.
pub const MAX_STEPS: usize = 20;
pub const MAX_CONDITIONS: usize = 10;
/// How deep a chain of automations triggering automations may go.
pub const MAX_DEPTH: u32 = 5;

/// What starts a run.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Trigger {
    /// An activity of the catalogue, e.g. `product.access_granted`; for product
    /// activities `product_id` narrows it to one product (absent: any product).
    Activity { kind: String, product_id: Option<String> },
    /// A Stripe subscription renews in `days` days (its current period end). Once per period.
    RenewalUpcoming { days: u32, product_id: Option<String> },
    /// A trialing Stripe subscription's trial ends in `days` days. Once per trial.
    TrialEnding { days: u32, product_id: Option<String> },
    /// A Stripe subscription is past due (a payment failed). Once per period.
    PaymentFailed { product_id: Option<String> },
}

impl Trigger {
    /// The indexed key runs are matched on.
    pub fn key(&self) -> String {
        match self {
            Trigger::Activity { kind, .. } => format!("activity:{kind}"),
            Trigger::RenewalUpcoming { .. } => "renewal_upcoming".into(),
            Trigger::TrialEnding { .. } => "trial_ending".into(),
            Trigger::PaymentFailed { .. } => "payment_failed".into(),
        }
    }
    pub fn product_id(&self) -> Option<&str> {
        match self {
            Trigger::Activity { product_id, .. }
            | Trigger::RenewalUpcoming { product_id, .. }
            | Trigger::TrialEnding { product_id, .. }
            | Trigger::PaymentFailed { product_id } => product_id.as_deref(),
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum MemberField {
    Email,
    Name,
    /// The member's lifecycle stage (its name, case-insensitive; empty: no stage).
    Stage,
}

/// A check on the member (and the triggering activity) when a run starts, or in a `stop_unless` step.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Condition {
    /// The member can open the product now.
    HasAccess { product_id: String },
    /// The member cannot open the product now.
    LacksAccess { product_id: String },
    /// A member field equals a value (case-insensitive for email).
    MemberField { field: MemberField, equals: String },
    /// The triggering grant's source (`manual`, `stripe_subscription`, `stripe_purchase`, `import`, `crm_tag`, `api`, `automation`, `activecampaign`, `keap`).
    GrantSource { source: String },
    /// The member matches a saved segment now.
    InSegment { segment_id: String },
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(rename_all = "snake_case")]
pub enum WaitUnit {
    Minutes,
    Hours,
    Days,
}

/// One thing a run does.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
#[serde(tag = "type", rename_all = "snake_case", deny_unknown_fields)]
pub enum Step {
    /// Grants access to a product (source `automation`), for `days` days or open-ended.
    GrantAccess { product_id: String, days: Option<u32> },
    /// Removes the member's access to a product (every open grant of it).
    RemoveAccess { product_id: String },
    /// Emails the member a template.
    SendEmail { template_id: String },
    /// Sends the triggering event to one outbound endpoint (whatever its filter).
    SendWebhook { endpoint_id: String },
    /// Adds a tag in the connected CRM.
    AddCrmTag { tag: String },
    /// Removes a tag in the connected CRM.
    RemoveCrmTag { tag: String },
    /// Waits before the next step (a scheduled job, not a sleeping task).
    Wait { amount: u32, unit: WaitUnit },
    /// Ends the run (as `stopped`) unless the condition holds now.
    StopUnless { condition: Condition },
}

impl Step {
    pub fn kind(&self) -> &'static str {
        match self {
            Step::GrantAccess { .. } => "grant_access",
            Step::RemoveAccess { .. } => "remove_access",
            Step::SendEmail { .. } => "send_email",
            Step::SendWebhook { .. } => "send_webhook",
            Step::AddCrmTag { .. } => "add_crm_tag",
            Step::RemoveCrmTag { .. } => "remove_crm_tag",
            Step::Wait { .. } => "wait",
            Step::StopUnless { .. } => "stop_unless",
        }
    }
}

pub fn wait_duration(amount: u32, unit: WaitUnit) -> Duration {
    match unit {
        WaitUnit::Minutes => Duration::minutes(amount.into()),
        WaitUnit::Hours => Duration::hours(amount.into()),
        WaitUnit::Days => Duration::days(amount.into()),
    }
}

/// What is saved per version.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, ToSchema)]
pub struct Definition {
    pub trigger: Trigger,
    #[serde(default)]
    pub conditions: Vec<Condition>,
    pub steps: Vec<Step>,
}

/// The ids a definition refers to, for checks against the app's data.
#[derive(Debug, Default)]
pub struct References {
    /// (field path, product id)
    pub products: Vec<(String, String)>,
    pub templates: Vec<(String, String)>,
    pub endpoints: Vec<(String, String)>,
    /// Paths of the CRM tag steps (they need a connected CRM).
    pub crm_steps: Vec<String>,
    pub segments: Vec<(String, String)>,
}

fn condition_refs(c: &Condition, path: &str, r: &mut References) {
    match c {
        Condition::HasAccess { product_id } | Condition::LacksAccess { product_id } => r.products.push((format!("{path}.product_id"), product_id.clone())),
        Condition::InSegment { segment_id } => r.segments.push((format!("{path}.segment_id"), segment_id.clone())),
        _ => {}
    }
}

const SOURCES: [&str; 9] = ["manual", "stripe_subscription", "stripe_purchase", "import", "crm_tag", "api", "automation", "activecampaign", "keap"];

impl Definition {
    /// Checks what can be checked without the database; returns the ids to look up.
    pub fn check(&self, e: &mut ValidationErrors) -> References {
        let mut r = References::default();
        match &self.trigger {
            Trigger::Activity { kind, product_id } => match kind.parse::<ActivityKind>() {
                Ok(k) => {
                    if product_id.is_some() && !tollgate_domain::outbound::EventType::Activity(k).has_product() {
                        e.add("trigger.product_id", "not_a_product_activity", format!("{kind} is not about a product; leave product_id out"));
                    }
                }
                Err(p) => e.add("trigger.kind", &p.code, p.message),
            },
            Trigger::RenewalUpcoming { days, .. } | Trigger::TrialEnding { days, .. } => {
                if *days == 0 || *days > MAX_LOOKAHEAD_DAYS {
                    e.add("trigger.days", "out_of_range", format!("between 1 and {MAX_LOOKAHEAD_DAYS}"));
                }
            }
            Trigger::PaymentFailed { .. } => {}
        }
        if let Some(p) = self.trigger.product_id() {
            r.products.push(("trigger.product_id".into(), p.to_owned()));
        }
        if self.conditions.len() > MAX_CONDITIONS {
            e.add("conditions", "too_many", format!("at most {MAX_CONDITIONS} conditions"));
        }
        for (i, c) in self.conditions.iter().enumerate() {
            let path = format!("conditions[{i}]");
            check_condition(c, &path, e);
            condition_refs(c, &path, &mut r);
        }
        if self.steps.is_empty() {
            e.add("steps", "required", "add at least one step");
        }
        if self.steps.len() > MAX_STEPS {
            e.add("steps", "too_many", format!("at most {MAX_STEPS} steps"));
        }
        let mut granted = Vec::new();
        let mut removed = Vec::new();
        for (i, s) in self.steps.iter().enumerate() {
            let path = format!("steps[{i}]");
            match s {
                Step::GrantAccess { product_id, days } => {
                    if days.is_some_and(|d| d == 0 || d > 3650) {
                        e.add(&format!("{path}.days"), "out_of_range", "between 1 and 3650, or leave out for open-ended access");
                    }
                    r.products.push((format!("{path}.product_id"), product_id.clone()));
                    granted.push((path, product_id.clone()));
                }
                Step::RemoveAccess { product_id } => {
                    r.products.push((format!("{path}.product_id"), product_id.clone()));
                    removed.push((path, product_id.clone()));
                }
                Step::SendEmail { template_id } => r.templates.push((format!("{path}.template_id"), template_id.clone())),
                Step::SendWebhook { endpoint_id } => r.endpoints.push((format!("{path}.endpoint_id"), endpoint_id.clone())),
                Step::AddCrmTag { tag } | Step::RemoveCrmTag { tag } => {
                    if tag.trim().is_empty() || tag.chars().count() > 250 || tag.chars().any(char::is_control) {
                        e.add(&format!("{path}.tag"), "invalid_tag", "a tag name of 1 to 250 characters");
                    }
                    r.crm_steps.push(path.clone());
                }
                Step::Wait { amount, unit } => {
                    if *amount == 0 || wait_duration(*amount, *unit) > Duration::days(MAX_WAIT_DAYS.into()) {
                        e.add(&format!("{path}.amount"), "out_of_range", format!("wait at least 1 and at most {MAX_WAIT_DAYS} days"));
                    }
                }
                Step::StopUnless { condition } => {
                    let cp = format!("{path}.condition");
                    check_condition(condition, &cp, e);
                    condition_refs(condition, &cp, &mut r);
                }
            }
        }
        for (path, p) in &removed {
            if granted.iter().any(|(_, g)| g == p) {
                e.add(&format!("{path}.product_id"), "grant_and_remove", "the same steps would grant and remove this product");
            }
        }
        r
    }
}

fn check_condition(c: &Condition, path: &str, e: &mut ValidationErrors) {
    match c {
        Condition::MemberField { equals, .. } if equals.chars().count() > 320 => e.add(&format!("{path}.equals"), "too_long", "at most 320 characters"),
        Condition::GrantSource { source } if !SOURCES.contains(&source.as_str()) => {
            e.add(&format!("{path}.source"), "invalid_choice", format!("one of {}", SOURCES.join(", ")))
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn def(v: serde_json::Value) -> Definition {
        serde_json::from_value(v).unwrap()
    }

    fn fields(d: &Definition) -> Vec<String> {
        let mut e = ValidationErrors::new();
        d.check(&mut e);
        e.0.iter().map(|f| f.field.clone()).collect()
    }

    #[test]
    fn a_welcome_flow_is_valid_and_names_its_references() {
        let d = def(serde_json::json!({
            "trigger": {"type": "activity", "kind": "product.access_granted"},
            "steps": [
                {"type": "send_email", "template_id": "tpl_1"},
                {"type": "wait", "amount": 1, "unit": "days"},
                {"type": "grant_access", "product_id": "prod_bonus"}
            ]
        }));
        let mut e = ValidationErrors::new();
        let r = d.check(&mut e);
        assert!(e.0.is_empty(), "{e:?}");
        assert_eq!(r.products, vec![("steps[2].product_id".to_owned(), "prod_bonus".to_owned())]);
        assert_eq!(r.templates.len(), 1);
        assert_eq!(d.trigger.key(), "activity:product.access_granted");
    }

    #[test]
    fn bad_definitions_name_the_field() {
        let d = def(serde_json::json!({
            "trigger": {"type": "activity", "kind": "user.flew"},
            "steps": [
                {"type": "grant_access", "product_id": "prod_a"},
                {"type": "remove_access", "product_id": "prod_a"},
                {"type": "wait", "amount": 366, "unit": "days"},
                {"type": "add_crm_tag", "tag": " "}
            ]
        }));
        assert_eq!(fields(&d), vec!["trigger.kind", "steps[2].amount", "steps[3].tag", "steps[1].product_id"]);
        let d = def(serde_json::json!({"trigger": {"type": "renewal_upcoming", "days": 0}, "steps": []}));
        assert_eq!(fields(&d), vec!["trigger.days", "steps"]);
        let d = def(serde_json::json!({"trigger": {"type": "activity", "kind": "user.login", "product_id": "prod_x"}, "steps": [{"type": "wait", "amount": 5, "unit": "minutes"}]}));
        assert_eq!(fields(&d), vec!["trigger.product_id"]);
        assert!(serde_json::from_value::<Definition>(serde_json::json!({"trigger": {"type": "moon_phase"}, "steps": []})).is_err());
    }
}
