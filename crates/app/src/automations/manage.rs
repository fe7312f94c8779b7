//! Managing automations and templates: create, edit (a new version each
//! time), enable/disable, runs and their steps, retry, dry run, preview.

use std::collections::HashMap;

use serde::Serialize;
use time::OffsetDateTime;
use tollgate_domain::ValidationErrors;
use tollgate_domain::ids::{AppId, AutomationId, EndpointId, ProductId, RunId, TemplateId, UserId};
use tollgate_domain::page::{Limit, Page};
use tollgate_domain::automation::RunStatus;
use tollgate_persistence::automations::{self as store, AutomationRow, AutomationSummary, Run, StepOutcome, Template};
use tollgate_persistence::{Conn, outbound, products, users};
use utoipa::ToSchema;

use super::engine::{parse_definition, queue_step};
use super::model::{Condition, Definition, Step, wait_duration};
use super::templates;
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// Automations an app may have.
pub const MAX_AUTOMATIONS: i64 = 200;

/// An automation with its current definition.
#[derive(Debug, Clone)]
pub struct Automation {
    pub id: AutomationId,
    pub name: String,
    pub enabled: bool,
    /// Bumped by every change of the definition; runs keep the version they started with.
    pub version: i64,
    pub definition: Definition,
    pub last_run_at: Option<OffsetDateTime>,
    /// Runs started in the last 30 days (in lists).
    pub runs_30d: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl Automation {
    fn of(row: AutomationRow, definition: Definition, last_run_at: Option<OffsetDateTime>, runs_30d: i64) -> Self {
        Automation {
            id: row.id,
            name: row.name,
            enabled: row.enabled,
            version: row.version,
            definition,
            last_run_at,
            runs_30d,
            created_at: row.created_at,
            updated_at: row.updated_at,
        }
    }
}

/// A run of an automation (the triggering event's data stays inside).
#[derive(Debug, Clone)]
pub struct RunView {
    pub id: RunId,
    pub automation_id: AutomationId,
    pub version: i64,
    /// What started it: an activity id, or `renewal:<subscription>:<period end>`…
    pub trigger_ref: String,
    pub user_id: Option<UserId>,
    pub product_id: Option<ProductId>,
    /// How many automation runs led to the activity that started this one.
    pub depth: i64,
    pub status: RunStatus,
    /// The next step to run (0-based).
    pub current_step: i64,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

impl From<Run> for RunView {
    fn from(r: Run) -> Self {
        RunView {
            id: r.id,
            automation_id: r.automation_id,
            version: r.version,
            trigger_ref: r.trigger_ref,
            user_id: r.user_id,
            product_id: r.product_id,
            depth: r.depth,
            status: r.status,
            current_step: r.current_step,
            error: r.error,
            created_at: r.created_at,
            finished_at: r.finished_at,
        }
    }
}

/// What one step of a run did.
#[derive(Debug, Clone)]
pub struct RunStep {
    pub index: i64,
    pub kind: String,
    /// running | succeeded | failed | skipped | waiting
    pub status: String,
    pub detail: Option<String>,
    pub error: Option<String>,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

impl From<StepOutcome> for RunStep {
    fn from(s: StepOutcome) -> Self {
        RunStep { index: s.idx, kind: s.kind, status: s.status, detail: s.detail, error: s.error, started_at: s.started_at, finished_at: s.finished_at }
    }
}

/// A run with what each step did.
#[derive(Debug, Clone)]
pub struct RunLog {
    pub run: RunView,
    pub steps: Vec<RunStep>,
}

impl RunLog {
    fn of(run: Run, steps: Vec<StepOutcome>) -> Self {
        RunLog { run: run.into(), steps: steps.into_iter().map(RunStep::from).collect() }
    }
}

/// An email template of the app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TemplateView {
    pub id: TemplateId,
    pub name: String,
    pub subject: String,
    /// Markdown with {{variables}}.
    pub body: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl From<Template> for TemplateView {
    fn from(t: Template) -> Self {
        TemplateView { id: t.id, name: t.name, subject: t.subject, body: t.body, created_at: t.created_at, updated_at: t.updated_at }
    }
}

/// What a dry run found.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryRun {
    /// Whether the run would go past its conditions.
    pub would_run: bool,
    pub conditions: Vec<DryCondition>,
    pub steps: Vec<DryStep>,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryCondition {
    pub index: usize,
    pub holds: bool,
    pub description: String,
}

#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct DryStep {
    pub index: usize,
    #[serde(rename = "type")]
    pub kind: String,
    /// What the step would do for this member, in words.
    pub would: String,
}

fn name_of(raw: &str) -> Result<String, tollgate_domain::error::FieldProblem> {
    let n = raw.trim();
    if n.is_empty() || n.chars().count() > 100 {
        return Err(tollgate_domain::error::FieldProblem::new("length", "between 1 and 100 characters"));
    }
    Ok(n.to_owned())
}

impl Services {
    /// Checks a definition, including that every id it names is one of this app's.
    async fn check_definition(&self, conn: &mut Conn<'_>, app: &AppId, def: &Definition, e: &mut ValidationErrors) -> AppResult<()> {
        let refs = def.check(e);
        for (path, p) in refs.products {
            let ok = match ProductId::parse(&p) {
                Ok(id) => products::find(conn, app, &id).await?.is_some(),
                Err(_) => false,
            };
            if !ok {
                e.add(&path, "unknown_product", format!("{p} is not a product of this app"));
            }
        }
        for (path, t) in refs.templates {
            let ok = templates::BUILT_IN.iter().any(|(i, ..)| *i == t)
                || match TemplateId::parse(&t) {
                    Ok(id) => store::find_template(conn, app, &id).await?.is_some(),
                    Err(_) => false,
                };
            if !ok {
                e.add(&path, "unknown_template", format!("{t} is not a template of this app"));
            }
        }
        for (path, sid) in refs.segments {
            let ok = match tollgate_domain::ids::SegmentId::parse(&sid) {
                Ok(id) => tollgate_persistence::segments::find(conn, app, &id).await?.is_some(),
                Err(_) => false,
            };
            if !ok {
                e.add(&path, "unknown_segment", format!("{sid} is not a segment of this app"));
            }
        }
        if !refs.crm_steps.is_empty() && tollgate_persistence::crm::connected_kinds(conn, app).await?.is_empty() {
            for path in &refs.crm_steps {
                e.add(&format!("{path}.type"), "crm_not_connected", "connect a CRM (Keap or ActiveCampaign) before adding tag steps");
            }
        }
        for (path, ep) in refs.endpoints {
            let ok = match EndpointId::parse(&ep) {
                Ok(id) => outbound::find_endpoint(conn, app, &id).await?.is_some(),
                Err(_) => false,
            };
            if !ok {
                e.add(&path, "unknown_endpoint", format!("{ep} is not a webhook endpoint of this app"));
            }
        }
        Ok(())
    }

    pub async fn create_automation(&self, app: &AppId, name: &str, enabled: bool, def: Definition) -> AppResult<Automation> {
        let now = self.now();
        let mut e = ValidationErrors::new();
        let name = e.check("name", name_of(name));
        let mut tx = self.db.begin().await?;
        self.check_definition(&mut tx.conn(), app, &def, &mut e).await?;
        e.clone().into_result()?;
        if store::count(&mut tx.conn(), app).await? >= MAX_AUTOMATIONS {
            return Err(AppError::field("name", "limit_reached", format!("an app can have at most {MAX_AUTOMATIONS} automations")));
        }
        let row = AutomationRow {
            app_id: app.clone(),
            id: AutomationId::new(),
            name: name.unwrap_or_default(),
            enabled,
            version: 1,
            trigger_key: def.trigger.key(),
            definition: serde_json::to_string(&def).map_err(|e| AppError::internal("an automation does not serialize", e))?,
            created_at: now,
            updated_at: now,
        };
        store::save(&mut tx.conn(), &row).await?;
        tollgate_persistence::audit::set_target_id(&row.id);
        tx.commit().await?;
        Ok(Automation::of(row, def, None, 0))
    }

    /// Edits an automation. A changed definition is a new version; runs in
    /// progress keep theirs. Disabling cancels its open runs.
    pub async fn update_automation(&self, app: &AppId, id: &AutomationId, name: Option<&str>, enabled: Option<bool>, def: Option<Definition>) -> AppResult<Automation> {
        let now = self.now();
        let mut e = ValidationErrors::new();
        let name = name.map(|n| e.check("name", name_of(n))).unwrap_or(None);
        let mut tx = self.db.begin().await?;
        let mut row = store::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("automation"))?;
        if let Some(d) = &def {
            self.check_definition(&mut tx.conn(), app, d, &mut e).await?;
        }
        e.into_result()?;
        if let Some(n) = name {
            row.name = n;
        }
        let disabling = enabled == Some(false) && row.enabled;
        if let Some(on) = enabled {
            row.enabled = on;
        }
        if let Some(d) = &def {
            let text = serde_json::to_string(d).map_err(|e| AppError::internal("an automation does not serialize", e))?;
            if text != row.definition {
                row.definition = text;
                row.version += 1;
                row.trigger_key = d.trigger.key();
            }
        }
        row.updated_at = now;
        store::save(&mut tx.conn(), &row).await?;
        if disabling {
            store::cancel_open_runs(&mut tx.conn(), app, id, now).await?;
        }
        tx.commit().await?;
        let definition = parse_definition(&row.definition)?;
        Ok(Automation::of(row, definition, None, 0))
    }

    pub async fn get_automation(&self, app: &AppId, id: &AutomationId) -> AppResult<Automation> {
        let mut c = self.db.acquire().await?;
        let row = store::find(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("automation"))?;
        let definition = parse_definition(&row.definition)?;
        Ok(Automation::of(row, definition, None, 0))
    }

    pub async fn list_automations(&self, app: &AppId, after: Option<&AutomationId>, limit: Limit) -> AppResult<Page<Automation>> {
        let mut c = self.db.acquire().await?;
        let page = store::list(&mut c.conn(), app, after, self.now() - time::Duration::days(30), limit).await?;
        let items = page
            .items
            .into_iter()
            .map(|AutomationSummary { automation, last_run_at, runs_30d }| {
                let definition = parse_definition(&automation.definition)?;
                Ok(Automation::of(automation, definition, last_run_at, runs_30d))
            })
            .collect::<AppResult<Vec<_>>>()?;
        Ok(Page { items, next_cursor: page.next_cursor })
    }

    pub async fn delete_automation(&self, app: &AppId, id: &AutomationId) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        if !store::delete(&mut tx.conn(), app, id).await? {
            return Err(AppError::NotFound("automation"));
        }
        tx.commit().await?;
        Ok(())
    }

    pub async fn list_runs(&self, app: &AppId, automation: Option<&AutomationId>, user: Option<&UserId>, before: Option<&RunId>, limit: Limit) -> AppResult<Page<RunLog>> {
        let mut c = self.db.acquire().await?;
        if let Some(a) = automation {
            store::find(&mut c.conn(), app, a).await?.ok_or(AppError::NotFound("automation"))?;
        }
        if let Some(u) = user {
            users::find(&mut c.conn(), app, u).await?.ok_or(AppError::NotFound("user"))?;
        }
        let page = store::list_runs(&mut c.conn(), app, automation, user, before, limit).await?;
        let ids: Vec<RunId> = page.items.iter().map(|r| r.id.clone()).collect();
        let mut steps: HashMap<RunId, Vec<StepOutcome>> = HashMap::new();
        for (r, s) in store::steps_of(&mut c.conn(), app, &ids).await? {
            steps.entry(r).or_default().push(s);
        }
        Ok(page.map(|run| {
            let mine = steps.remove(&run.id).unwrap_or_default();
            RunLog::of(run, mine)
        }))
    }

    pub async fn get_run(&self, app: &AppId, id: &RunId) -> AppResult<RunLog> {
        let mut c = self.db.acquire().await?;
        let run = store::find_run(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("run"))?;
        let steps = store::steps_of(&mut c.conn(), app, std::slice::from_ref(id)).await?.into_iter().map(|(_, s)| s).collect();
        Ok(RunLog::of(run, steps))
    }

    /// Runs a failed run again from the step that failed.
    pub async fn retry_run(&self, app: &AppId, id: &RunId) -> AppResult<RunLog> {
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let run = store::find_run(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("run"))?;
        if run.status != RunStatus::Failed {
            return Err(AppError::conflict("run_not_failed", "only a failed run can be retried"));
        }
        let a = store::find(&mut tx.conn(), app, &run.automation_id).await?.ok_or(AppError::NotFound("automation"))?;
        if !a.enabled {
            return Err(AppError::conflict("automation_disabled", "enable the automation before retrying its runs"));
        }
        if run.depth > i64::from(super::model::MAX_DEPTH) {
            return Err(AppError::conflict("loop_detected", "this run was stopped by the loop limit; it cannot be retried"));
        }
        store::set_run(&mut tx.conn(), app, id, RunStatus::Running, run.current_step, None, now).await?;
        queue_step(&mut tx.conn(), app, id, run.current_step, now, now).await?;
        tx.commit().await?;
        self.jobs_ready.notify_one();
        self.get_run(app, id).await
    }

    /// What the automation would do for a member, changing nothing.
    pub async fn dry_run(&self, app: &AppId, id: &AutomationId, user: &UserId) -> AppResult<DryRun> {
        let now = self.now();
        let mut c = self.db.acquire().await?;
        let a = store::find(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("automation"))?;
        let member = users::find(&mut c.conn(), app, user).await?.ok_or(AppError::NotFound("user"))?;
        let def = parse_definition(&a.definition)?;
        let context = serde_json::json!({ "event_type": def.trigger.key(), "activity": { "source": "manual" } });
        let mut conditions = Vec::new();
        for (i, cnd) in def.conditions.iter().enumerate() {
            let holds = self.holds(&mut c.conn(), app, Some(user), &context, cnd).await?;
            conditions.push(DryCondition { index: i, holds, description: describe_condition(cnd) });
        }
        let would_run = conditions.iter().all(|c| c.holds);
        let trigger_product = def.trigger.product_id().map(|p| ProductId::from_trusted(p.to_owned()));
        let mut steps = Vec::new();
        let mut at = now;
        for (i, s) in def.steps.iter().enumerate() {
            let would = match s {
                Step::GrantAccess { product_id, days } => {
                    let name = product_name(&mut c.conn(), app, product_id).await?;
                    match days {
                        Some(d) => format!("grant {} access to {name} for {d} days", member.email),
                        None => format!("grant {} access to {name}", member.email),
                    }
                }
                Step::RemoveAccess { product_id } => format!("remove {}'s access to {}", member.email, product_name(&mut c.conn(), app, product_id).await?),
                Step::SendEmail { template_id } => {
                    let (_, subject, body) = self.template_text(&mut c.conn(), app, template_id).await?;
                    let (site, vars) = self.template_vars(&mut c.conn(), app, &member, trigger_product.as_ref()).await?;
                    let r = templates::render("preview", &site, &subject, &body, &vars);
                    format!("email {} \"{}\"", member.email, r.subject)
                }
                Step::SendWebhook { endpoint_id } => {
                    let url = outbound::find_endpoint(&mut c.conn(), app, &EndpointId::from_trusted(endpoint_id.clone())).await?.map(|e| e.url).unwrap_or_default();
                    format!("send the event to {url}")
                }
                Step::AddCrmTag { tag } => format!("add the CRM tag {tag}"),
                Step::RemoveCrmTag { tag } => format!("remove the CRM tag {tag}"),
                Step::Wait { amount, unit } => {
                    at += wait_duration(*amount, *unit);
                    format!("wait until {}", crate::wire::rfc3339(at))
                }
                Step::StopUnless { condition } => {
                    let holds = self.holds(&mut c.conn(), app, Some(user), &context, condition).await?;
                    format!("stop unless {} (holds now: {holds})", describe_condition(condition))
                }
            };
            steps.push(DryStep { index: i, kind: s.kind().into(), would });
        }
        Ok(DryRun { would_run, conditions, steps })
    }

    // ---------- templates ----------

    pub async fn save_template(&self, app: &AppId, id: Option<&TemplateId>, name: &str, subject: &str, body: &str) -> AppResult<TemplateView> {
        let now = self.now();
        let mut e = ValidationErrors::new();
        templates::check(name, subject, body, &mut e);
        e.into_result()?;
        let mut tx = self.db.begin().await?;
        let t = match id {
            Some(id) => {
                let mut t = store::find_template(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("template"))?;
                t.name = name.trim().into();
                t.subject = subject.trim().into();
                t.body = body.into();
                t.updated_at = now;
                t
            }
            None => Template { app_id: app.clone(), id: TemplateId::new(), name: name.trim().into(), subject: subject.trim().into(), body: body.into(), created_at: now, updated_at: now },
        };
        store::save_template(&mut tx.conn(), &t).await?;
        tollgate_persistence::audit::set_target_id(&t.id);
        tx.commit().await?;
        Ok(t.into())
    }

    pub async fn get_template(&self, app: &AppId, id: &TemplateId) -> AppResult<TemplateView> {
        let mut c = self.db.acquire().await?;
        store::find_template(&mut c.conn(), app, id).await?.map(TemplateView::from).ok_or(AppError::NotFound("template"))
    }

    pub async fn list_templates(&self, app: &AppId, after: Option<&TemplateId>, limit: Limit) -> AppResult<Page<TemplateView>> {
        let mut c = self.db.acquire().await?;
        Ok(store::list_templates(&mut c.conn(), app, after, limit).await?.map(TemplateView::from))
    }

    pub async fn delete_template(&self, app: &AppId, id: &TemplateId) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        store::find_template(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("template"))?;
        if store::template_in_use(&mut tx.conn(), app, id).await? {
            return Err(AppError::conflict("template_in_use", "an automation sends this template; change it first"));
        }
        store::delete_template(&mut tx.conn(), app, id).await?;
        tx.commit().await?;
        Ok(())
    }

    /// Renders a template (saved or not) for a sample member, or for a real one.
    pub async fn preview_template(&self, app: &AppId, subject: &str, body: &str, user: Option<&UserId>, product: Option<&ProductId>) -> AppResult<crate::mail::Rendered> {
        let mut e = ValidationErrors::new();
        templates::check("preview", subject, body, &mut e);
        e.into_result()?;
        let mut c = self.db.acquire().await?;
        let now = self.now();
        let member = match user {
            Some(u) => users::find(&mut c.conn(), app, u).await?.ok_or(AppError::NotFound("user"))?,
            None => tollgate_domain::user::User {
                id: UserId::new(),
                app_id: app.clone(),
                email: tollgate_domain::email::Email::from_trusted("ada@example.com".into()),
                name: "Ada Lovelace".into(),
                has_password: false,
                last_login_at: None,
                created_at: now,
                updated_at: now,
                customer: Default::default(),
            },
        };
        let (site, mut vars) = self.template_vars(&mut c.conn(), app, &member, product).await?;
        vars.entry("product.name").or_insert_with(|| "Starter Course".into());
        vars.entry("product.url").or_insert_with(|| format!("{}/member/products/prod_sample", self.config.public_url));
        Ok(templates::render("preview", &site, subject, body, &vars))
    }
}

async fn product_name(conn: &mut Conn<'_>, app: &AppId, id: &str) -> AppResult<String> {
    Ok(products::find(conn, app, &ProductId::from_trusted(id.to_owned())).await?.map(|p| p.fields.name).unwrap_or_else(|| id.to_owned()))
}

fn describe_condition(c: &Condition) -> String {
    match c {
        Condition::HasAccess { product_id } => format!("the member has access to {product_id}"),
        Condition::LacksAccess { product_id } => format!("the member has no access to {product_id}"),
        Condition::MemberField { field, equals } => format!("the member's {} is {equals:?}", match field {
            super::model::MemberField::Email => "email",
            super::model::MemberField::Name => "name",
            super::model::MemberField::Stage => "lifecycle stage",
        }),
        Condition::GrantSource { source } => format!("the grant came from {source}"),
        Condition::InSegment { segment_id } => format!("the member is in the segment {segment_id}"),
    }
}
