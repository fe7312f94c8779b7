//! Automations, their versions and runs, and email templates.

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, AutomationId, ProductId, RunId, TemplateId, UserId};
use tollgate_domain::page::{Limit, Page};

use crate::{Conn, DbResult, at, ms, on, opt_at};

/// An automation as stored; `definition` is the JSON of its current version.
#[derive(Debug, Clone)]
pub struct AutomationRow {
    pub app_id: AppId,
    pub id: AutomationId,
    pub name: String,
    pub enabled: bool,
    pub version: i64,
    pub trigger_key: String,
    pub definition: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

/// An automation with its run figures, for lists.
#[derive(Debug, Clone)]
pub struct AutomationSummary {
    pub automation: AutomationRow,
    pub last_run_at: Option<OffsetDateTime>,
    pub runs_30d: i64,
}

type Row = (String, String, String, bool, i64, String, String, i64, i64);

fn from_row(r: Row) -> AutomationRow {
    AutomationRow {
        app_id: AppId::from_trusted(r.0),
        id: AutomationId::from_trusted(r.1),
        name: r.2,
        enabled: r.3,
        version: r.4,
        trigger_key: r.5,
        definition: r.6,
        created_at: at(r.7),
        updated_at: at(r.8),
    }
}

macro_rules! cols {
    () => {
        "a.app_id, a.id, a.name, a.enabled, a.version, a.trigger_key, a.definition, a.created_at, a.updated_at"
    };
}

/// Saves an automation (new or changed) and its current version.
pub async fn save(conn: &mut Conn<'_>, a: &AutomationRow) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO automations (app_id, id, name, enabled, version, trigger_key, definition, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (app_id, id) DO UPDATE SET name = excluded.name, enabled = excluded.enabled, version = excluded.version, \
             trigger_key = excluded.trigger_key, definition = excluded.definition, updated_at = excluded.updated_at",
        )
        .bind(a.app_id.as_str())
        .bind(a.id.as_str())
        .bind(&a.name)
        .bind(a.enabled)
        .bind(a.version)
        .bind(&a.trigger_key)
        .bind(&a.definition)
        .bind(ms(a.created_at))
        .bind(ms(a.updated_at))
        .execute(&mut **c)
        .await?;
        sqlx::query(
            "INSERT INTO automation_versions (app_id, automation_id, version, definition, created_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING",
        )
        .bind(a.app_id.as_str())
        .bind(a.id.as_str())
        .bind(a.version)
        .bind(&a.definition)
        .bind(ms(a.updated_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &AutomationId) -> DbResult<Option<AutomationRow>> {
    let r: Option<Row> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM automations a WHERE a.app_id = $1 AND a.id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(from_row))
}

pub async fn count(conn: &mut Conn<'_>, app: &AppId) -> DbResult<i64> {
    Ok(on!(conn, c => sqlx::query_scalar("SELECT COUNT(*) FROM automations WHERE app_id = $1").bind(app.as_str()).fetch_one(&mut **c).await?))
}

/// Automations of an app, oldest first, with when each last ran and how often since `since`.
pub async fn list(conn: &mut Conn<'_>, app: &AppId, after: Option<&AutomationId>, since: OffsetDateTime, limit: Limit) -> DbResult<Page<AutomationSummary>> {
    type R = (String, String, String, bool, i64, String, String, i64, i64, Option<i64>, i64);
    let rows: Vec<R> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!(
            "SELECT ", cols!(),
            ", (SELECT MAX(r.created_at) FROM automation_runs r WHERE r.app_id = a.app_id AND r.automation_id = a.id)",
            ", (SELECT COUNT(*) FROM automation_runs r WHERE r.app_id = a.app_id AND r.automation_id = a.id AND r.created_at >= "
        ));
        qb.push_bind(ms(since)).push(") FROM automations a WHERE a.app_id = ").push_bind(app.as_str());
        if let Some(a) = after {
            qb.push(" AND a.id > ").push_bind(a.as_str());
        }
        qb.push(" ORDER BY a.id LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows
        .into_iter()
        .map(|r| AutomationSummary {
            automation: from_row((r.0, r.1, r.2, r.3, r.4, r.5, r.6, r.7, r.8)),
            last_run_at: opt_at(r.9),
            runs_30d: r.10,
        })
        .collect();
    Ok(Page::from_probe(items, limit, |s| s.automation.id.to_string()))
}

/// The enabled automations of an app listening to `trigger_key`: one index lookup.
pub async fn listening(conn: &mut Conn<'_>, app: &AppId, trigger_key: &str) -> DbResult<Vec<AutomationRow>> {
    let rows: Vec<Row> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM automations a WHERE a.app_id = $1 AND a.trigger_key = $2 AND a.enabled"))
        .bind(app.as_str())
        .bind(trigger_key)
        .fetch_all(&mut **c)
        .await?);
    Ok(rows.into_iter().map(from_row).collect())
}

/// Apps with an enabled automation listening to one of `keys` (the sweep's work list).
pub async fn apps_listening(conn: &mut Conn<'_>, keys: &[&str]) -> DbResult<Vec<AppId>> {
    let rows: Vec<String> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT DISTINCT app_id FROM automations WHERE enabled AND trigger_key IN (");
        let mut sep = qb.separated(", ");
        for k in keys {
            sep.push_bind(k.to_string());
        }
        qb.push(")");
        qb.build_query_scalar().fetch_all(&mut **c).await?
    });
    Ok(rows.into_iter().map(AppId::from_trusted).collect())
}

pub async fn version(conn: &mut Conn<'_>, app: &AppId, id: &AutomationId, version: i64) -> DbResult<Option<String>> {
    Ok(on!(conn, c => sqlx::query_scalar("SELECT definition FROM automation_versions WHERE app_id = $1 AND automation_id = $2 AND version = $3")
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(version)
        .fetch_optional(&mut **c)
        .await?))
}

/// Deletes an automation with its versions, runs and their steps.
pub async fn delete(conn: &mut Conn<'_>, app: &AppId, id: &AutomationId) -> DbResult<bool> {
    let n = on!(conn, c => {
        sqlx::query("DELETE FROM automation_run_steps WHERE app_id = $1 AND run_id IN (SELECT id FROM automation_runs WHERE app_id = $1 AND automation_id = $2)")
            .bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?;
        sqlx::query("DELETE FROM automation_runs WHERE app_id = $1 AND automation_id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?;
        sqlx::query("DELETE FROM automation_versions WHERE app_id = $1 AND automation_id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?;
        sqlx::query("DELETE FROM automations WHERE app_id = $1 AND id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?.rows_affected()
    });
    Ok(n == 1)
}

pub use tollgate_domain::automation::RunStatus;

#[derive(Debug, Clone)]
pub struct Run {
    pub app_id: AppId,
    pub id: RunId,
    pub automation_id: AutomationId,
    pub version: i64,
    /// What triggered it: an activity id or `renewal:<subscription>:<period end>`…
    pub trigger_ref: String,
    pub user_id: Option<UserId>,
    pub product_id: Option<ProductId>,
    /// How many automation runs led to the activity that started this one.
    pub depth: i64,
    /// The triggering event's data (JSON), for conditions and webhook steps.
    pub context: String,
    pub status: RunStatus,
    pub current_step: i64,
    pub error: Option<String>,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

type RunRow = (String, String, String, i64, String, Option<String>, Option<String>, i64, String, String, i64, Option<String>, i64, i64, Option<i64>);

macro_rules! run_cols {
    () => {
        "app_id, id, automation_id, version, trigger_ref, user_id, product_id, depth, context, status, current_step, error, created_at, updated_at, finished_at"
    };
}

fn run_from(r: RunRow) -> DbResult<Run> {
    Ok(Run {
        app_id: AppId::from_trusted(r.0),
        id: RunId::from_trusted(r.1),
        automation_id: AutomationId::from_trusted(r.2),
        version: r.3,
        trigger_ref: r.4,
        user_id: r.5.map(UserId::from_trusted),
        product_id: r.6.map(ProductId::from_trusted),
        depth: r.7,
        context: r.8,
        status: RunStatus::parse(&r.9).ok_or_else(|| crate::DbError::corrupt(format!("run status {}", r.9)))?,
        current_step: r.10,
        error: r.11,
        created_at: at(r.12),
        updated_at: at(r.13),
        finished_at: opt_at(r.14),
    })
}

/// Starts a run unless one exists for the same automation and trigger; returns whether it was new.
pub async fn insert_run(conn: &mut Conn<'_>, r: &Run) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "INSERT INTO automation_runs (app_id, id, automation_id, version, trigger_ref, user_id, product_id, depth, context, status, current_step, error, created_at, updated_at, finished_at) \
         VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $13, $14) ON CONFLICT (app_id, automation_id, trigger_ref) DO NOTHING",
    )
    .bind(r.app_id.as_str())
    .bind(r.id.as_str())
    .bind(r.automation_id.as_str())
    .bind(r.version)
    .bind(&r.trigger_ref)
    .bind(r.user_id.as_ref().map(|u| u.as_str()))
    .bind(r.product_id.as_ref().map(|p| p.as_str()))
    .bind(r.depth)
    .bind(&r.context)
    .bind(r.status.as_str())
    .bind(r.current_step)
    .bind(&r.error)
    .bind(ms(r.created_at))
    .bind(r.finished_at.map(ms))
    .execute(&mut **c)
    .await?
    .rows_affected());
    Ok(n == 1)
}

pub async fn find_run(conn: &mut Conn<'_>, app: &AppId, id: &RunId) -> DbResult<Option<Run>> {
    let r: Option<RunRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", run_cols!(), " FROM automation_runs WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    r.map(run_from).transpose()
}

/// Runs newest first, of one automation and/or one member.
pub async fn list_runs(conn: &mut Conn<'_>, app: &AppId, automation: Option<&AutomationId>, user: Option<&UserId>, before: Option<&RunId>, limit: Limit) -> DbResult<Page<Run>> {
    let rows: Vec<RunRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!("SELECT ", run_cols!(), " FROM automation_runs WHERE app_id = "));
        qb.push_bind(app.as_str());
        if let Some(a) = automation {
            qb.push(" AND automation_id = ").push_bind(a.as_str());
        }
        if let Some(u) = user {
            qb.push(" AND user_id = ").push_bind(u.as_str());
        }
        if let Some(b) = before {
            qb.push(" AND id < ").push_bind(b.as_str());
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows.into_iter().map(run_from).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(items, limit, |r| r.id.to_string()))
}

pub async fn set_run(conn: &mut Conn<'_>, app: &AppId, id: &RunId, status: RunStatus, current_step: i64, error: Option<&str>, now: OffsetDateTime) -> DbResult<()> {
    let finished = (!status.is_open()).then(|| ms(now));
    on!(conn, c => {
        sqlx::query("UPDATE automation_runs SET status = $3, current_step = $4, error = $5, updated_at = $6, finished_at = $7 WHERE app_id = $1 AND id = $2")
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(status.as_str())
            .bind(current_step)
            .bind(error)
            .bind(ms(now))
            .bind(finished)
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Cancels the open runs of an automation; returns how many.
pub async fn cancel_open_runs(conn: &mut Conn<'_>, app: &AppId, automation: &AutomationId, now: OffsetDateTime) -> DbResult<u64> {
    Ok(on!(conn, c => sqlx::query(
        "UPDATE automation_runs SET status = 'cancelled', error = 'the automation was disabled', updated_at = $3, finished_at = $3 \
         WHERE app_id = $1 AND automation_id = $2 AND status IN ('running', 'waiting')",
    )
    .bind(app.as_str())
    .bind(automation.as_str())
    .bind(ms(now))
    .execute(&mut **c)
    .await?
    .rows_affected()))
}

/// What one step of a run did.
#[derive(Debug, Clone)]
pub struct StepOutcome {
    pub idx: i64,
    pub kind: String,
    /// running | succeeded | failed | skipped | waiting
    pub status: String,
    pub detail: Option<String>,
    pub error: Option<String>,
    pub started_at: OffsetDateTime,
    pub finished_at: Option<OffsetDateTime>,
}

pub async fn put_step(conn: &mut Conn<'_>, app: &AppId, run: &RunId, s: &StepOutcome) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO automation_run_steps (app_id, run_id, idx, kind, status, detail, error, started_at, finished_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) \
             ON CONFLICT (app_id, run_id, idx) DO UPDATE SET status = excluded.status, detail = excluded.detail, error = excluded.error, finished_at = excluded.finished_at",
        )
        .bind(app.as_str())
        .bind(run.as_str())
        .bind(s.idx)
        .bind(&s.kind)
        .bind(&s.status)
        .bind(&s.detail)
        .bind(&s.error)
        .bind(ms(s.started_at))
        .bind(s.finished_at.map(ms))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

pub async fn steps_of(conn: &mut Conn<'_>, app: &AppId, runs: &[RunId]) -> DbResult<Vec<(RunId, StepOutcome)>> {
    if runs.is_empty() {
        return Ok(Vec::new());
    }
    type R = (String, i64, String, String, Option<String>, Option<String>, i64, Option<i64>);
    let rows: Vec<R> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT run_id, idx, kind, status, detail, error, started_at, finished_at FROM automation_run_steps WHERE app_id = ");
        qb.push_bind(app.as_str()).push(" AND run_id IN (");
        let mut sep = qb.separated(", ");
        for r in runs {
            sep.push_bind(r.as_str().to_owned());
        }
        qb.push(") ORDER BY run_id, idx");
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(rows
        .into_iter()
        .map(|r| (RunId::from_trusted(r.0), StepOutcome { idx: r.1, kind: r.2, status: r.3, detail: r.4, error: r.5, started_at: at(r.6), finished_at: opt_at(r.7) }))
        .collect())
}

/// A Stripe subscription a time-based trigger may fire for.
#[derive(Debug, Clone)]
pub struct DueSubscription {
    pub subscription_id: String,
    pub user_id: UserId,
    pub status: String,
    pub current_period_end: Option<OffsetDateTime>,
    /// The Tollgate products linked to the subscription's Stripe products.
    pub products: Vec<ProductId>,
}

/// Subscriptions of an app in one of `statuses` whose period ends before
/// `until` (and not before `from`); `None` bounds are open.
pub async fn subscriptions_in(conn: &mut Conn<'_>, app: &AppId, statuses: &[&str], from: Option<OffsetDateTime>, until: Option<OffsetDateTime>) -> DbResult<Vec<DueSubscription>> {
    type R = (String, String, String, Option<i64>, String);
    let rows: Vec<R> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT subscription_id, user_id, status, current_period_end, stripe_product_ids FROM stripe_subscriptions WHERE app_id = ");
        qb.push_bind(app.as_str()).push(" AND status IN (");
        let mut sep = qb.separated(", ");
        for s in statuses {
            sep.push_bind(s.to_string());
        }
        qb.push(")");
        if let Some(f) = from {
            qb.push(" AND current_period_end >= ").push_bind(ms(f));
        }
        if let Some(u) = until {
            qb.push(" AND current_period_end <= ").push_bind(ms(u));
        }
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let links: Vec<(String, String)> = on!(conn, c => sqlx::query_as("SELECT product_id, stripe_product_id FROM stripe_product_links WHERE app_id = $1")
        .bind(app.as_str())
        .fetch_all(&mut **c)
        .await?);
    Ok(rows
        .into_iter()
        .map(|(sub, user, status, end, stripe_products)| {
            // Stored space-separated (see stripe.rs).
            let ids: Vec<String> = stripe_products.split(' ').filter(|s| !s.is_empty()).map(str::to_owned).collect();
            DueSubscription {
                subscription_id: sub,
                user_id: UserId::from_trusted(user),
                status,
                current_period_end: opt_at(end),
                products: links.iter().filter(|(_, sp)| ids.contains(sp)).map(|(p, _)| ProductId::from_trusted(p.clone())).collect(),
            }
        })
        .collect())
}

/// An email template.
#[derive(Debug, Clone)]
pub struct Template {
    pub app_id: AppId,
    pub id: TemplateId,
    pub name: String,
    pub subject: String,
    pub body: String,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

type TRow = (String, String, String, String, String, i64, i64);

fn template_from(r: TRow) -> Template {
    Template { app_id: AppId::from_trusted(r.0), id: TemplateId::from_trusted(r.1), name: r.2, subject: r.3, body: r.4, created_at: at(r.5), updated_at: at(r.6) }
}

pub async fn save_template(conn: &mut Conn<'_>, t: &Template) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO email_templates (app_id, id, name, subject, body, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7) \
             ON CONFLICT (app_id, id) DO UPDATE SET name = excluded.name, subject = excluded.subject, body = excluded.body, updated_at = excluded.updated_at",
        )
        .bind(t.app_id.as_str())
        .bind(t.id.as_str())
        .bind(&t.name)
        .bind(&t.subject)
        .bind(&t.body)
        .bind(ms(t.created_at))
        .bind(ms(t.updated_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

pub async fn find_template(conn: &mut Conn<'_>, app: &AppId, id: &TemplateId) -> DbResult<Option<Template>> {
    let r: Option<TRow> = on!(conn, c => sqlx::query_as("SELECT app_id, id, name, subject, body, created_at, updated_at FROM email_templates WHERE app_id = $1 AND id = $2")
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(template_from))
}

pub async fn list_templates(conn: &mut Conn<'_>, app: &AppId, after: Option<&TemplateId>, limit: Limit) -> DbResult<Page<Template>> {
    let rows: Vec<TRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT app_id, id, name, subject, body, created_at, updated_at FROM email_templates WHERE app_id = ");
        qb.push_bind(app.as_str());
        if let Some(a) = after {
            qb.push(" AND id > ").push_bind(a.as_str());
        }
        qb.push(" ORDER BY id LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(Page::from_probe(rows.into_iter().map(template_from).collect(), limit, |t| t.id.to_string()))
}

pub async fn delete_template(conn: &mut Conn<'_>, app: &AppId, id: &TemplateId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM email_templates WHERE app_id = $1 AND id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?.rows_affected());
    Ok(n == 1)
}

/// Whether any automation's current definition mentions the template (a delete would break it).
pub async fn template_in_use(conn: &mut Conn<'_>, app: &AppId, id: &TemplateId) -> DbResult<bool> {
    let pattern = format!("%\"{}\"%", id.as_str());
    let n: i64 = on!(conn, c => sqlx::query_scalar("SELECT COUNT(*) FROM automations WHERE app_id = $1 AND definition LIKE $2")
        .bind(app.as_str())
        .bind(pattern.clone())
        .fetch_one(&mut **c)
        .await?);
    Ok(n > 0)
}
