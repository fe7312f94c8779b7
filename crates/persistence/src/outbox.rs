//! The email outbox: every message is a row before it is sent, so nothing is
//! lost when SMTP is down and a site without SMTP can still read its mail.

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, EmailId};
use tollgate_domain::page::{Limit, Page};

use crate::{Conn, DbResult, at, ms, on, opt_at};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OutboxEmail {
    pub id: EmailId,
    pub app_id: AppId,
    pub template: String,
    pub to_email: String,
    pub subject: String,
    pub text_body: String,
    pub html_body: String,
    /// queued | sent | logged (no SMTP configured) | failed
    pub status: String,
    pub attempts: i32,
    pub last_error: Option<String>,
    pub created_at: OffsetDateTime,
    pub sent_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct Row {
    app_id: String,
    id: String,
    template: String,
    to_email: String,
    subject: String,
    text_body: String,
    html_body: String,
    status: String,
    attempts: i64,
    last_error: Option<String>,
    created_at: i64,
    sent_at: Option<i64>,
}

impl From<Row> for OutboxEmail {
    fn from(r: Row) -> Self {
        OutboxEmail {
            id: EmailId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            template: r.template,
            to_email: r.to_email,
            subject: r.subject,
            text_body: r.text_body,
            html_body: r.html_body,
            status: r.status,
            attempts: r.attempts as i32,
            last_error: r.last_error,
            created_at: at(r.created_at),
            sent_at: opt_at(r.sent_at),
        }
    }
}

macro_rules! cols {
    () => {
        "app_id, id, template, to_email, subject, text_body, html_body, status, attempts, last_error, created_at, sent_at"
    };
}

pub async fn insert(conn: &mut Conn<'_>, e: &OutboxEmail) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(concat!("INSERT INTO email_outbox (", cols!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)"))
            .bind(e.app_id.as_str())
            .bind(e.id.as_str())
            .bind(&e.template)
            .bind(&e.to_email)
            .bind(&e.subject)
            .bind(&e.text_body)
            .bind(&e.html_body)
            .bind(&e.status)
            .bind(e.attempts as i64)
            .bind(&e.last_error)
            .bind(ms(e.created_at))
            .bind(e.sent_at.map(ms))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &EmailId) -> DbResult<Option<OutboxEmail>> {
    let r: Option<Row> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM email_outbox WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(Into::into))
}

/// Records the outcome of a delivery attempt.
pub async fn mark(conn: &mut Conn<'_>, app: &AppId, id: &EmailId, status: &str, error: Option<&str>, now: OffsetDateTime) -> DbResult<()> {
    let sent = matches!(status, "sent" | "logged").then(|| ms(now));
    on!(conn, c => {
        sqlx::query("UPDATE email_outbox SET status = $3, last_error = $4, attempts = attempts + 1, sent_at = COALESCE($5, sent_at) WHERE app_id = $1 AND id = $2")
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(status)
            .bind(error)
            .bind(sent)
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// The outbox newest first, optionally for one recipient.
pub async fn list(conn: &mut Conn<'_>, app: &AppId, to: Option<&str>, after: Option<&EmailId>, limit: Limit) -> DbResult<Page<OutboxEmail>> {
    let rows: Vec<Row> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!("SELECT ", cols!(), " FROM email_outbox WHERE app_id = "));
        qb.push_bind(app.as_str());
        if let Some(t) = to {
            qb.push(" AND to_email = ").push_bind(t.to_owned());
        }
        if let Some(a) = after {
            qb.push(" AND id < ").push_bind(a.as_str());
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(Page::from_probe(rows.into_iter().map(Into::into).collect(), limit, |e: &OutboxEmail| e.id.to_string()))
}
