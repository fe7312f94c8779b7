//! The append-only activity log and its feed.

use tollgate_domain::activity::{Activity, ActivityKind, NewActivity};
use tollgate_domain::ids::{ActivityId, AppId, ProductId, UserId};
use tollgate_domain::page::{Limit, Page, TimeCursor};

use crate::{Conn, DbError, DbResult, at, ms, on};

#[derive(sqlx::FromRow)]
struct ActivityRow {
    app_id: String,
    id: String,
    kind: String,
    user_id: Option<String>,
    product_id: Option<String>,
    data: String,
    occurred_at: i64,
}

impl TryFrom<ActivityRow> for Activity {
    type Error = DbError;
    fn try_from(r: ActivityRow) -> Result<Self, DbError> {
        Ok(Activity {
            id: ActivityId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            kind: r.kind.parse::<ActivityKind>().map_err(|_| DbError::corrupt(format!("activity kind {}", r.kind)))?,
            user_id: r.user_id.map(UserId::from_trusted),
            product_id: r.product_id.map(ProductId::from_trusted),
            data: serde_json::from_str(&r.data).map_err(DbError::corrupt)?,
            occurred_at: at(r.occurred_at),
        })
    }
}

pub async fn insert(conn: &mut Conn<'_>, app: &AppId, a: &NewActivity) -> DbResult<Activity> {
    let id = ActivityId::new();
    let data = a.data.to_string();
    on!(conn, c => {
        sqlx::query("INSERT INTO activities (app_id, id, kind, user_id, product_id, data, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7)")
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(a.kind.as_str())
            .bind(a.user_id.as_ref().map(|u| u.as_str()))
            .bind(a.product_id.as_ref().map(|p| p.as_str()))
            .bind(&data)
            .bind(ms(a.occurred_at))
            .execute(&mut **c)
            .await?;
    });
    Ok(Activity {
        id,
        app_id: app.clone(),
        kind: a.kind,
        user_id: a.user_id.clone(),
        product_id: a.product_id.clone(),
        data: a.data.clone(),
        occurred_at: a.occurred_at,
    })
}

pub use tollgate_domain::activity::ActivityFilter;

/// The feed, newest first by (occurred_at, id); the cursor is the last row's pair.
pub async fn list(conn: &mut Conn<'_>, app: &AppId, f: &ActivityFilter, after: Option<&TimeCursor>, limit: Limit) -> DbResult<Page<Activity>> {
    let rows: Vec<ActivityRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT app_id, id, kind, user_id, product_id, data, occurred_at FROM activities WHERE app_id = ");
        qb.push_bind(app.as_str());
        if let Some(u) = &f.user_id {
            qb.push(" AND user_id = ").push_bind(u.as_str());
        }
        if let Some(p) = &f.product_id {
            qb.push(" AND product_id = ").push_bind(p.as_str());
        }
        if !f.kinds.is_empty() {
            qb.push(" AND kind IN (");
            let mut sep = qb.separated(", ");
            for k in &f.kinds {
                sep.push_bind(k.as_str());
            }
            qb.push(")");
        }
        if let Some(s) = f.since_ms {
            qb.push(" AND occurred_at >= ").push_bind(s);
        }
        if let Some(u) = f.until_ms {
            qb.push(" AND occurred_at < ").push_bind(u);
        }
        if let Some(cur) = after {
            qb.push(" AND (occurred_at < ").push_bind(cur.at_millis);
            qb.push(" OR (occurred_at = ").push_bind(cur.at_millis).push(" AND id < ").push_bind(cur.id.clone()).push("))");
        }
        qb.push(" ORDER BY occurred_at DESC, id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    let items = rows.into_iter().map(Activity::try_from).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(items, limit, |a| TimeCursor { at_millis: ms(a.occurred_at), id: a.id.to_string() }.encode()))
}
