//! Daily MRR snapshots (the history behind the dashboard's chart).

use time::{Date, OffsetDateTime};
use tollgate_domain::ids::AppId;
use tollgate_domain::metrics::{DailyMrr, format_day, parse_day};

use crate::{Conn, DbError, DbResult, ms, on};

/// Records the app's MRR for `day`, replacing an earlier figure of the same
/// day. An unchanged figure writes nothing, so the minute-by-minute refresh
/// costs one read of the primary key.
pub async fn record_day(conn: &mut Conn<'_>, app: &AppId, point: &DailyMrr, currency: Option<&str>, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => sqlx::query(
        "INSERT INTO mrr_daily (app_id, day, mrr, paying_subscriptions, currency, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (app_id, day) DO UPDATE SET mrr = excluded.mrr, paying_subscriptions = excluded.paying_subscriptions, \
             currency = excluded.currency, updated_at = excluded.updated_at \
         WHERE mrr_daily.mrr <> excluded.mrr OR mrr_daily.paying_subscriptions <> excluded.paying_subscriptions \
             OR COALESCE(mrr_daily.currency, '') <> COALESCE(excluded.currency, '')",
    )
    .bind(app.as_str())
    .bind(format_day(point.day))
    .bind(point.mrr)
    .bind(point.paying_subscriptions)
    .bind(currency)
    .bind(ms(now))
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

type Row = (String, i64, i64, Option<String>);

fn point(r: Row) -> DbResult<(DailyMrr, Option<String>)> {
    let day = parse_day(&r.0).ok_or_else(|| DbError::corrupt(format!("mrr_daily.day {:?}", r.0)))?;
    Ok((DailyMrr { day, mrr: r.1, paying_subscriptions: r.2 }, r.3))
}

/// The snapshots of `from..=to`, oldest first (at most 366 rows: the range is bounded by the caller).
pub async fn days(conn: &mut Conn<'_>, app: &AppId, from: Date, to: Date) -> DbResult<Vec<(DailyMrr, Option<String>)>> {
    let rows: Vec<Row> = on!(conn, c => sqlx::query_as(
        "SELECT day, mrr, paying_subscriptions, currency FROM mrr_daily WHERE app_id = $1 AND day >= $2 AND day <= $3 ORDER BY day",
    )
    .bind(app.as_str())
    .bind(format_day(from))
    .bind(format_day(to))
    .fetch_all(&mut **c)
    .await?);
    rows.into_iter().map(point).collect()
}

/// The last snapshot taken before `day`, which carries into the days after it.
pub async fn last_before(conn: &mut Conn<'_>, app: &AppId, day: Date) -> DbResult<Option<(DailyMrr, Option<String>)>> {
    let row: Option<Row> = on!(conn, c => sqlx::query_as(
        "SELECT day, mrr, paying_subscriptions, currency FROM mrr_daily WHERE app_id = $1 AND day < $2 ORDER BY day DESC LIMIT 1",
    )
    .bind(app.as_str())
    .bind(format_day(day))
    .fetch_optional(&mut **c)
    .await?);
    row.map(point).transpose()
}

/// One recorded change of a subscription's contribution to MRR.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewMovement<'a> {
    pub subscription_id: &'a str,
    pub user_id: &'a str,
    pub kind: &'static str,
    pub amount: i64,
    pub currency: Option<&'a str>,
    pub occurred_at: OffsetDateTime,
}

pub async fn insert_movement(conn: &mut Conn<'_>, app: &AppId, id: &str, m: &NewMovement<'_>) -> DbResult<()> {
    on!(conn, c => sqlx::query(
        "INSERT INTO mrr_movements (app_id, id, subscription_id, user_id, kind, amount, currency, occurred_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
    )
    .bind(app.as_str())
    .bind(id)
    .bind(m.subscription_id)
    .bind(m.user_id)
    .bind(m.kind)
    .bind(m.amount)
    .bind(m.currency)
    .bind(ms(m.occurred_at))
    .execute(&mut **c)
    .await
    .map(|_| ()))?;
    Ok(())
}

/// Whether the subscription ever contributed to MRR (a return is a reactivation).
pub async fn subscription_contributed(conn: &mut Conn<'_>, app: &AppId, subscription: &str) -> DbResult<bool> {
    let r: Option<(i32,)> = on!(conn, c => sqlx::query_as("SELECT 1 FROM mrr_movements WHERE app_id = $1 AND subscription_id = $2 LIMIT 1")
        .bind(app.as_str()).bind(subscription).fetch_optional(&mut **c).await?);
    Ok(r.is_some())
}

/// Movements of `[from, to)` summed per currency and kind: (currency, kind, amount, count).
pub async fn movement_totals(conn: &mut Conn<'_>, app: &AppId, from: OffsetDateTime, to: OffsetDateTime) -> DbResult<Vec<(Option<String>, String, i64, i64)>> {
    let rows: Vec<(Option<String>, String, i64, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT currency, kind, CAST(SUM(amount) AS BIGINT), COUNT(*) FROM mrr_movements WHERE app_id = $1 AND occurred_at >= $2 AND occurred_at < $3 \
         GROUP BY currency, kind ORDER BY currency, kind",
    )
    .bind(app.as_str())
    .bind(ms(from))
    .bind(ms(to))
    .fetch_all(&mut **c)
    .await?);
    Ok(rows)
}
