//! Saved segments: a name and a members filter (stored as JSON).

use time::OffsetDateTime;
use tollgate_domain::ids::{AppId, SegmentId};
use tollgate_domain::members::RawMemberFilter;

use crate::{Conn, DbError, DbResult, at, ms, on};

#[derive(Debug, Clone, PartialEq)]
pub struct Segment {
    pub id: SegmentId,
    pub name: String,
    pub filter: RawMemberFilter,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

type Row = (String, String, String, i64, i64);

fn from_row(r: Row) -> DbResult<Segment> {
    Ok(Segment { id: SegmentId::from_trusted(r.0), name: r.1, filter: serde_json::from_str(&r.2).map_err(DbError::corrupt)?, created_at: at(r.3), updated_at: at(r.4) })
}

/// Inserts or replaces a segment; a second segment of the same name is a unique violation.
pub async fn put(conn: &mut Conn<'_>, app: &AppId, s: &Segment) -> DbResult<()> {
    let filter = serde_json::to_string(&s.filter).map_err(DbError::corrupt)?;
    on!(conn, c => sqlx::query(
        "INSERT INTO segments (app_id, id, name, filter, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6) \
         ON CONFLICT (app_id, id) DO UPDATE SET name = excluded.name, filter = excluded.filter, updated_at = excluded.updated_at",
    )
    .bind(app.as_str()).bind(s.id.as_str()).bind(&s.name).bind(&filter).bind(ms(s.created_at)).bind(ms(s.updated_at))
    .execute(&mut **c).await.map(|_| ()))?;
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &SegmentId) -> DbResult<Option<Segment>> {
    let r: Option<Row> = on!(conn, c => sqlx::query_as("SELECT id, name, filter, created_at, updated_at FROM segments WHERE app_id = $1 AND id = $2")
        .bind(app.as_str()).bind(id.as_str()).fetch_optional(&mut **c).await?);
    r.map(from_row).transpose()
}

/// Every segment of the app by name (an app keeps at most a few hundred).
pub async fn list(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Vec<Segment>> {
    let r: Vec<Row> = on!(conn, c => sqlx::query_as("SELECT id, name, filter, created_at, updated_at FROM segments WHERE app_id = $1 ORDER BY name LIMIT 500")
        .bind(app.as_str()).fetch_all(&mut **c).await?);
    r.into_iter().map(from_row).collect()
}

pub async fn delete(conn: &mut Conn<'_>, app: &AppId, id: &SegmentId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM segments WHERE app_id = $1 AND id = $2").bind(app.as_str()).bind(id.as_str()).execute(&mut **c).await?.rows_affected());
    Ok(n > 0)
}
