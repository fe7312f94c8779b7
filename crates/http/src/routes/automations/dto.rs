//! Wire types of automations, their runs, and email templates.

use serde::{Deserialize, Serialize};
use tollgate_app::automations::manage::{Automation, RunLog, TemplateView};
use tollgate_app::automations::model::{Condition, Step, Trigger};
use tollgate_app::wire::rfc3339;
use tollgate_domain::automation::RunStatus;
use tollgate_http_macros::bounds;
use utoipa::{IntoParams, ToSchema};
use validator::Validate;

#[derive(Debug, Serialize, ToSchema)]
pub struct AutomationResponse {
    pub id: String,
    pub name: String,
    pub enabled: bool,
    /// Bumped by every change of trigger, conditions or steps; runs keep the version they started with.
    pub version: i64,
    pub trigger: Trigger,
    pub conditions: Vec<Condition>,
    pub steps: Vec<Step>,
    #[schema(format = DateTime)]
    pub last_run_at: Option<String>,
    /// Runs started in the last 30 days (in lists).
    pub runs_30d: i64,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub updated_at: String,
}

impl From<Automation> for AutomationResponse {
    fn from(a: Automation) -> Self {
        AutomationResponse {
            id: a.id.into_string(),
            name: a.name,
            enabled: a.enabled,
            version: a.version,
            trigger: a.definition.trigger,
            conditions: a.definition.conditions,
            steps: a.definition.steps,
            last_run_at: a.last_run_at.map(rfc3339),
            runs_30d: a.runs_30d,
            created_at: rfc3339(a.created_at),
            updated_at: rfc3339(a.updated_at),
        }
    }
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct CreateAutomationRequest {
    #[schema(max_length = 100)]
    pub name: String,
    /// Default true.
    pub enabled: Option<bool>,
    pub trigger: Trigger,
    /// Checked when a run starts; all must hold.
    #[schema(max_items = 10)]
    pub conditions: Option<Vec<Condition>>,
    /// Run in order.
    #[schema(max_items = 20)]
    pub steps: Vec<Step>,
}

/// Absent fields stay; `enabled: false` cancels the automation's open runs.
#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct UpdateAutomationRequest {
    #[schema(max_length = 100)]
    pub name: Option<String>,
    pub enabled: Option<bool>,
    pub trigger: Option<Trigger>,
    #[schema(max_items = 10)]
    pub conditions: Option<Vec<Condition>>,
    #[schema(max_items = 20)]
    pub steps: Option<Vec<Step>>,
}

/// running: its next step is queued; waiting: a wait step counts down;
/// succeeded; failed: a step failed (retry from it); stopped: a condition did
/// not hold; cancelled: the automation was disabled.
#[derive(Debug, Clone, Copy, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "snake_case")]
pub enum RunStatusName {
    Running,
    Waiting,
    Succeeded,
    Failed,
    Stopped,
    Cancelled,
}

impl From<RunStatus> for RunStatusName {
    fn from(s: RunStatus) -> Self {
        match s {
            RunStatus::Running => RunStatusName::Running,
            RunStatus::Waiting => RunStatusName::Waiting,
            RunStatus::Succeeded => RunStatusName::Succeeded,
            RunStatus::Failed => RunStatusName::Failed,
            RunStatus::Stopped => RunStatusName::Stopped,
            RunStatus::Cancelled => RunStatusName::Cancelled,
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunStepResponse {
    pub index: i64,
    #[serde(rename = "type")]
    pub kind: String,
    /// succeeded | failed | stopped
    pub status: String,
    pub detail: Option<String>,
    pub error: Option<String>,
    #[schema(format = DateTime)]
    pub started_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct RunResponse {
    pub id: String,
    pub automation_id: String,
    pub version: i64,
    /// What started it: an activity id, or `renewal:<subscription>:<period end>`, `trial:…`, `past_due:…`.
    pub trigger_ref: String,
    pub user_id: Option<String>,
    pub product_id: Option<String>,
    /// How many automation runs led to it (the loop guard stops past 5).
    pub depth: i64,
    pub status: RunStatusName,
    /// The next step to run (0-based).
    pub current_step: i64,
    pub error: Option<String>,
    #[schema(format = DateTime)]
    pub created_at: String,
    #[schema(format = DateTime)]
    pub finished_at: Option<String>,
    pub steps: Vec<RunStepResponse>,
}

impl From<RunLog> for RunResponse {
    fn from(l: RunLog) -> Self {
        let r = l.run;
        RunResponse {
            id: r.id.into_string(),
            automation_id: r.automation_id.into_string(),
            version: r.version,
            trigger_ref: r.trigger_ref,
            user_id: r.user_id.map(|u| u.into_string()),
            product_id: r.product_id.map(|p| p.into_string()),
            depth: r.depth,
            status: r.status.into(),
            current_step: r.current_step,
            error: r.error,
            created_at: rfc3339(r.created_at),
            finished_at: r.finished_at.map(rfc3339),
            steps: l
                .steps
                .into_iter()
                .map(|s| RunStepResponse {
                    index: s.index,
                    kind: s.kind,
                    status: s.status,
                    detail: s.detail,
                    error: s.error,
                    started_at: rfc3339(s.started_at),
                    finished_at: s.finished_at.map(rfc3339),
                })
                .collect(),
        }
    }
}

#[bounds]
#[derive(Debug, Deserialize, Validate, IntoParams)]
#[serde(deny_unknown_fields)]
#[into_params(parameter_in = Query)]
pub struct RunListQuery {
    #[bound(range(min = 1, max = 100))]
    pub limit: Option<i64>,
    #[bound(length(min = 1, max = 100))]
    pub cursor: Option<String>,
    /// Only runs of this automation.
    pub automation_id: Option<String>,
    /// Only runs for this member.
    pub user_id: Option<String>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct DryRunRequest {
    /// The member to try the automation with.
    pub user_id: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateResponse {
    /// `tpl_…`, or `builtin:…` for the built-in ones.
    pub id: String,
    pub name: String,
    pub subject: String,
    /// Markdown with {{variables}}.
    pub body: String,
    pub built_in: bool,
    #[schema(format = DateTime)]
    pub created_at: Option<String>,
    #[schema(format = DateTime)]
    pub updated_at: Option<String>,
}

impl From<TemplateView> for TemplateResponse {
    fn from(t: TemplateView) -> Self {
        TemplateResponse {
            id: t.id.into_string(),
            name: t.name,
            subject: t.subject,
            body: t.body,
            built_in: false,
            created_at: Some(rfc3339(t.created_at)),
            updated_at: Some(rfc3339(t.updated_at)),
        }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateVariable {
    /// Use as `{{name}}`.
    pub name: String,
    pub description: String,
}

/// What templates may use, and the built-in templates.
#[derive(Debug, Serialize, ToSchema)]
pub struct TemplateReference {
    pub variables: Vec<TemplateVariable>,
    pub built_in: Vec<TemplateResponse>,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct TemplateRequest {
    #[schema(max_length = 100)]
    pub name: String,
    #[schema(max_length = 200)]
    pub subject: String,
    /// Markdown with {{variables}}; unknown variables are refused.
    #[schema(max_length = 50000)]
    pub body: String,
}

#[derive(Debug, Deserialize, Validate, ToSchema)]
#[serde(deny_unknown_fields)]
pub struct PreviewRequest {
    #[schema(max_length = 200)]
    pub subject: String,
    #[schema(max_length = 50000)]
    pub body: String,
    /// A real member to render for (default: a sample member).
    pub user_id: Option<String>,
    /// A product for {{product.name}} (default: a sample product).
    pub product_id: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PreviewResponse {
    pub subject: String,
    pub html: String,
    pub text: String,
}
