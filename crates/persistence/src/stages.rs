//! Lifecycle stage definitions and each member's stage, MRR and renewal date.

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, UserId};
use tollgate_domain::stages::{CustomerFigures, RawStage};

use crate::{Conn, DbError, DbResult, ms, on};

/// An app's stored definitions and the progress of their recompute.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub definitions: Vec<RawStage>,
    pub recompute_total: i64,
    pub recompute_done: i64,
    pub updated_at: OffsetDateTime,
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Option<Stored>> {
    let r: Option<(String, i64, i64, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT definitions, recompute_total, recompute_done, updated_at FROM lifecycle_stages WHERE app_id = $1",
    )
    .bind(app.as_str())
    .fetch_optional(&mut **c)
    .await?);
    match r {
        None => Ok(None),
        Some((defs, total, done, updated)) => Ok(Some(Stored {
            definitions: serde_json::from_str(&defs).map_err(DbError::json("stored stages"))?,
            recompute_total: total,
            recompute_done: done,
            updated_at: crate::at(updated),
        })),
    }
}

/// Saves definitions and restarts the recompute's progress at 0 of `total`.
pub async fn save(conn: &mut Conn<'_>, app: &AppId, defs: &[RawStage], total: i64, now: OffsetDateTime) -> DbResult<()> {
    let json = serde_json::to_string(defs).map_err(DbError::json("stage definitions do not serialize"))?;
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO lifecycle_stages (app_id, definitions, recompute_total, recompute_done, updated_at) VALUES ($1, $2, $3, 0, $4) \
             ON CONFLICT (app_id) DO UPDATE SET definitions = $2, recompute_total = $3, recompute_done = 0, updated_at = $4",
        )
        .bind(app.as_str())
        .bind(&json)
        .bind(total)
        .bind(ms(now))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

/// Counts `n` more members recomputed (never past the total).
pub async fn advance(conn: &mut Conn<'_>, app: &AppId, n: i64) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "UPDATE lifecycle_stages SET recompute_done = CASE WHEN recompute_done + $2 > recompute_total THEN recompute_total \
             ELSE recompute_done + $2 END WHERE app_id = $1",
        )
        .bind(app.as_str())
        .bind(n)
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}

pub async fn count_members(conn: &mut Conn<'_>, app: &AppId) -> DbResult<i64> {
    Ok(on!(conn, c => sqlx::query_scalar("SELECT COUNT(*) FROM users WHERE app_id = $1").bind(app.as_str()).fetch_one(&mut **c).await?))
}

/// The next `n` member ids after `after`, in id order (the recompute's walk).
pub async fn members_after(conn: &mut Conn<'_>, app: &AppId, after: Option<&UserId>, n: i64) -> DbResult<Vec<UserId>> {
    let rows: Vec<String> = on!(conn, c => sqlx::query_scalar("SELECT id FROM users WHERE app_id = $1 AND id > $2 ORDER BY id LIMIT $3")
        .bind(app.as_str())
        .bind(after.map(|u| u.as_str()).unwrap_or(""))
        .bind(n)
        .fetch_all(&mut **c)
        .await?);
    Ok(rows.into_iter().map(UserId::from_trusted).collect())
}

/// Writes a member's figures; returns the stage they had before, or `None`
/// when the member does not exist (`Some(None)`: they had no stage).
pub async fn set_figures(conn: &mut Conn<'_>, app: &AppId, user: &UserId, f: &CustomerFigures) -> DbResult<Option<Option<String>>> {
    let before: Option<(Option<String>, i64, Option<String>, Option<i64>)> = on!(conn, c => sqlx::query_as(
        "SELECT stage, mrr, mrr_currency, renews_at FROM users WHERE app_id = $1 AND id = $2",
    )
    .bind(app.as_str())
    .bind(user.as_str())
    .fetch_optional(&mut **c)
    .await?);
    let Some(before) = before else { return Ok(None) };
    let now = (f.stage.clone(), f.mrr, f.currency.clone(), f.renews_at.map(ms));
    if before != now {
        on!(conn, c => {
            sqlx::query("UPDATE users SET stage = $3, mrr = $4, mrr_currency = $5, renews_at = $6 WHERE app_id = $1 AND id = $2")
                .bind(app.as_str())
                .bind(user.as_str())
                .bind(&now.0)
                .bind(now.1)
                .bind(&now.2)
                .bind(now.3)
                .execute(&mut **c)
                .await?;
        });
    }
    Ok(Some(before.0))
}

/// Members and MRR per stage (`None`: members without a stage).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StageTotal {
    pub stage: Option<String>,
    pub members: i64,
    pub mrr: i64,
}

pub async fn totals(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Vec<StageTotal>> {
    let rows: Vec<(Option<String>, i64, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT stage, COUNT(*), CAST(COALESCE(SUM(mrr), 0) AS BIGINT) FROM users WHERE app_id = $1 GROUP BY stage",
    )
    .bind(app.as_str())
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(|(stage, members, mrr)| StageTotal { stage, members, mrr }).collect())
}
