//! Automations (trigger → conditions → steps), their runs, dry runs, and
//! email templates with preview.

pub mod dto;

use actix_web::{HttpResponse, delete, get, patch, post, put, web};
use tollgate_app::Services;
use tollgate_app::automations::model::Definition;
use tollgate_app::automations::templates::{BUILT_IN, VARIABLES};
use tollgate_domain::auth::{Family, Scope};
use tollgate_domain::ids::{AutomationId, ProductId, RunId, TemplateId, UserId};

pub use self::dto::*;
use crate::dto::{ListQuery, ListResponse};
use crate::error::{ApiError, ApiResult, Problem};
use crate::extract::{Auth, ValidJson, ValidQuery, path_id};
use crate::routes::{cursor, limit};

pub fn configure(cfg: &mut utoipa_actix_web::service_config::ServiceConfig) {
    cfg.service(list_automations)
        .service(create_automation)
        .service(get_automation)
        .service(update_automation)
        .service(delete_automation)
        .service(dry_run)
        .service(list_runs)
        .service(get_run)
        .service(retry_run)
        .service(template_reference)
        .service(list_templates)
        .service(create_template)
        .service(get_template)
        .service(update_template)
        .service(delete_template)
        .service(preview_template);
}

fn user_param(field: &str, raw: &str) -> ApiResult<UserId> {
    UserId::parse(raw).map_err(|p| ApiError::field(field, &p.code, p.message))
}

#[utoipa::path(tag = "automations", security(("bearer" = [])), params(ListQuery), responses(
    (status = 200, body = ListResponse<AutomationResponse>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/automations")]
pub async fn list_automations(s: web::Data<Services>, auth: Auth, q: ValidQuery<ListQuery>) -> ApiResult<web::Json<ListResponse<AutomationResponse>>> {
    auth.0.require(Scope::read(Family::Automations))?;
    let after = cursor(q.0.cursor.as_deref())?.map(AutomationId::from_trusted);
    let page = s.list_automations(auth.0.app_id(), after.as_ref(), limit(q.0.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

/// Creates an automation. Every id it names must be one of this app's; the
/// 422 names the field (e.g. `steps[2].product_id`).
#[utoipa::path(tag = "automations", security(("bearer" = [])), request_body = CreateAutomationRequest, responses(
    (status = 201, body = AutomationResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 422, body = Problem, description = "unknown trigger or step type, a product/template/endpoint of another app, a wait over 365 days, grant and remove of one product, CRM steps without a CRM"),
))]
#[post("/automations")]
pub async fn create_automation(s: web::Data<Services>, auth: Auth, body: ValidJson<CreateAutomationRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Automations))?;
    let b = body.0;
    let def = Definition { trigger: b.trigger, conditions: b.conditions.unwrap_or_default(), steps: b.steps };
    let a = s.create_automation(auth.0.app_id(), &b.name, b.enabled.unwrap_or(true), def).await?;
    Ok(HttpResponse::Created().json(AutomationResponse::from(a)))
}

#[utoipa::path(tag = "automations", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = AutomationResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/automations/{id}")]
pub async fn get_automation(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<AutomationResponse>> {
    auth.0.require(Scope::read(Family::Automations))?;
    let id = path_id(&id, "automation", AutomationId::parse)?;
    Ok(web::Json(s.get_automation(auth.0.app_id(), &id).await?.into()))
}

/// Edits an automation; a new trigger, conditions or steps make a new version
/// (runs in progress keep theirs). `enabled: false` cancels its open runs.
#[utoipa::path(tag = "automations", security(("bearer" = [])), params(("id" = String, Path)), request_body = UpdateAutomationRequest, responses(
    (status = 200, body = AutomationResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 422, body = Problem),
))]
#[patch("/automations/{id}")]
pub async fn update_automation(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<UpdateAutomationRequest>) -> ApiResult<web::Json<AutomationResponse>> {
    auth.0.require(Scope::write(Family::Automations))?;
    let id = path_id(&id, "automation", AutomationId::parse)?;
    let b = body.0;
    let def = if b.trigger.is_some() || b.conditions.is_some() || b.steps.is_some() {
        let cur = s.get_automation(auth.0.app_id(), &id).await?.definition;
        Some(Definition { trigger: b.trigger.unwrap_or(cur.trigger), conditions: b.conditions.unwrap_or(cur.conditions), steps: b.steps.unwrap_or(cur.steps) })
    } else {
        None
    };
    let a = s.update_automation(auth.0.app_id(), &id, b.name.as_deref(), b.enabled, def).await?;
    Ok(web::Json(a.into()))
}

/// Deletes an automation with its runs.
#[utoipa::path(tag = "automations", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[delete("/automations/{id}")]
pub async fn delete_automation(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Automations))?;
    let id = path_id(&id, "automation", AutomationId::parse)?;
    s.delete_automation(auth.0.app_id(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// "Test with member X": which conditions hold and what each step would do. Changes nothing.
#[utoipa::path(tag = "automations", security(("bearer" = [])), params(("id" = String, Path)), request_body = DryRunRequest, responses(
    (status = 200, body = tollgate_app::automations::manage::DryRun),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 422, body = Problem),
))]
#[post("/automations/{id}/dry-run")]
pub async fn dry_run(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<DryRunRequest>) -> ApiResult<web::Json<tollgate_app::automations::manage::DryRun>> {
    auth.0.require(Scope::read(Family::Automations))?;
    let id = path_id(&id, "automation", AutomationId::parse)?;
    let user = user_param("user_id", &body.0.user_id)?;
    Ok(web::Json(s.dry_run(auth.0.app_id(), &id, &user).await?))
}

/// Runs newest first, of one automation and/or one member, each with its steps.
#[utoipa::path(tag = "automations", security(("bearer" = [])), params(RunListQuery), responses(
    (status = 200, body = ListResponse<RunResponse>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 422, body = Problem)))]
#[get("/automation-runs")]
pub async fn list_runs(s: web::Data<Services>, auth: Auth, q: ValidQuery<RunListQuery>) -> ApiResult<web::Json<ListResponse<RunResponse>>> {
    auth.0.require(Scope::read(Family::Automations))?;
    let q = q.0;
    let automation = q.automation_id.as_deref().map(|a| AutomationId::parse(a).map_err(|p| ApiError::field("automation_id", &p.code, p.message))).transpose()?;
    let user = q.user_id.as_deref().map(|u| user_param("user_id", u)).transpose()?;
    let before = cursor(q.cursor.as_deref())?.map(RunId::from_trusted);
    let page = s.list_runs(auth.0.app_id(), automation.as_ref(), user.as_ref(), before.as_ref(), limit(q.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

#[utoipa::path(tag = "automations", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = RunResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/automation-runs/{id}")]
pub async fn get_run(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<RunResponse>> {
    auth.0.require(Scope::read(Family::Automations))?;
    let id = path_id(&id, "run", RunId::parse)?;
    Ok(web::Json(s.get_run(auth.0.app_id(), &id).await?.into()))
}

/// Runs a failed run again from the step that failed.
#[utoipa::path(tag = "automations", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 202, body = RunResponse),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 409, body = Problem, description = "run_not_failed, automation_disabled, loop_detected"),
))]
#[post("/automation-runs/{id}/retry")]
pub async fn retry_run(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Automations))?;
    let id = path_id(&id, "run", RunId::parse)?;
    Ok(HttpResponse::Accepted().json(RunResponse::from(s.retry_run(auth.0.app_id(), &id).await?)))
}

// ---------- templates ----------

/// The variables templates may use and the built-in templates.
#[utoipa::path(tag = "automations", security(("bearer" = [])), responses((status = 200, body = TemplateReference), (status = 401, body = Problem), (status = 403, body = Problem)))]
#[get("/email-templates/reference")]
pub async fn template_reference(auth: Auth) -> ApiResult<web::Json<TemplateReference>> {
    auth.0.require(Scope::read(Family::Automations))?;
    Ok(web::Json(TemplateReference {
        variables: VARIABLES.iter().map(|(n, d)| TemplateVariable { name: (*n).into(), description: (*d).into() }).collect(),
        built_in: BUILT_IN
            .iter()
            .map(|(id, name, subject, body)| TemplateResponse { id: (*id).into(), name: (*name).into(), subject: (*subject).into(), body: (*body).into(), built_in: true, created_at: None, updated_at: None })
            .collect(),
    }))
}

/// The app's own templates (the built-in ones are listed at /email-templates/reference).
#[utoipa::path(tag = "automations", security(("bearer" = [])), params(ListQuery), responses(
    (status = 200, body = ListResponse<TemplateResponse>), (status = 401, body = Problem), (status = 403, body = Problem), (status = 422, body = Problem)))]
#[get("/email-templates")]
pub async fn list_templates(s: web::Data<Services>, auth: Auth, q: ValidQuery<ListQuery>) -> ApiResult<web::Json<ListResponse<TemplateResponse>>> {
    auth.0.require(Scope::read(Family::Automations))?;
    let after = cursor(q.0.cursor.as_deref())?.map(TemplateId::from_trusted);
    let page = s.list_templates(auth.0.app_id(), after.as_ref(), limit(q.0.limit)?).await?;
    Ok(web::Json(ListResponse::from_page(page, Into::into)))
}

#[utoipa::path(tag = "automations", security(("bearer" = [])), request_body = TemplateRequest, responses(
    (status = 201, body = TemplateResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 422, body = Problem, description = "unknown_variable, length"),
))]
#[post("/email-templates")]
pub async fn create_template(s: web::Data<Services>, auth: Auth, body: ValidJson<TemplateRequest>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Automations))?;
    let b = body.0;
    let t = s.save_template(auth.0.app_id(), None, &b.name, &b.subject, &b.body).await?;
    Ok(HttpResponse::Created().json(TemplateResponse::from(t)))
}

#[utoipa::path(tag = "automations", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 200, body = TemplateResponse), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem)))]
#[get("/email-templates/{id}")]
pub async fn get_template(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<web::Json<TemplateResponse>> {
    auth.0.require(Scope::read(Family::Automations))?;
    let id = path_id(&id, "template", TemplateId::parse)?;
    Ok(web::Json(s.get_template(auth.0.app_id(), &id).await?.into()))
}

#[utoipa::path(tag = "automations", security(("bearer" = [])), params(("id" = String, Path)), request_body = TemplateRequest, responses(
    (status = 200, body = TemplateResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 422, body = Problem),
))]
#[put("/email-templates/{id}")]
pub async fn update_template(s: web::Data<Services>, auth: Auth, id: web::Path<String>, body: ValidJson<TemplateRequest>) -> ApiResult<web::Json<TemplateResponse>> {
    auth.0.require(Scope::write(Family::Automations))?;
    let id = path_id(&id, "template", TemplateId::parse)?;
    let b = body.0;
    Ok(web::Json(s.save_template(auth.0.app_id(), Some(&id), &b.name, &b.subject, &b.body).await?.into()))
}

#[utoipa::path(tag = "automations", security(("bearer" = [])), params(("id" = String, Path)), responses(
    (status = 204), (status = 401, body = Problem), (status = 403, body = Problem), (status = 404, body = Problem), (status = 409, body = Problem, description = "template_in_use")))]
#[delete("/email-templates/{id}")]
pub async fn delete_template(s: web::Data<Services>, auth: Auth, id: web::Path<String>) -> ApiResult<HttpResponse> {
    auth.0.require(Scope::write(Family::Automations))?;
    let id = path_id(&id, "template", TemplateId::parse)?;
    s.delete_template(auth.0.app_id(), &id).await?;
    Ok(HttpResponse::NoContent().finish())
}

/// Renders a subject and body (saved or not) for a sample member or a real one.
#[utoipa::path(tag = "automations", security(("bearer" = [])), request_body = PreviewRequest, responses(
    (status = 200, body = PreviewResponse),
    (status = 400, body = Problem),
    (status = 401, body = Problem),
    (status = 403, body = Problem),
    (status = 404, body = Problem),
    (status = 422, body = Problem),
))]
#[post("/email-templates/preview")]
pub async fn preview_template(s: web::Data<Services>, auth: Auth, body: ValidJson<PreviewRequest>) -> ApiResult<web::Json<PreviewResponse>> {
    auth.0.require(Scope::read(Family::Automations))?;
    let b = body.0;
    let user = b.user_id.as_deref().map(|u| user_param("user_id", u)).transpose()?;
    let product = b.product_id.as_deref().map(|p| ProductId::parse(p).map_err(|e| ApiError::field("product_id", &e.code, e.message))).transpose()?;
    let r = s.preview_template(auth.0.app_id(), &b.subject, &b.body, user.as_ref(), product.as_ref()).await?;
    Ok(web::Json(PreviewResponse { subject: r.subject, html: r.html, text: r.text }))
}
