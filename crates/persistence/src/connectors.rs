//! Per-app connector settings: public settings as JSON, secrets as an
//! encrypted blob (encryption happens above this layer).

use time::OffsetDateTime;
use tollgate_domain::ids::AppId;

use crate::{Conn, DbError, DbResult, at, ms, on};

#[derive(Debug, Clone, PartialEq)]
pub struct ConnectorRecord {
    pub kind: String,
    pub settings: serde_json::Value,
    /// Encrypted secrets, opaque here.
    pub secrets: Option<String>,
    pub updated_at: OffsetDateTime,
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, kind: &str) -> DbResult<Option<ConnectorRecord>> {
    let r: Option<(String, String, Option<String>, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT kind, settings, secrets, updated_at FROM connector_settings WHERE app_id = $1 AND kind = $2",
    )
    .bind(app.as_str())
    .bind(kind)
    .fetch_optional(&mut **c)
    .await?);
    r.map(|(kind, s, secrets, u)| {
        Ok(ConnectorRecord { kind, settings: serde_json::from_str(&s).map_err(DbError::corrupt)?, secrets, updated_at: at(u) })
    })
    .transpose()
}

pub async fn upsert(conn: &mut Conn<'_>, app: &AppId, rec: &ConnectorRecord) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query(
            "INSERT INTO connector_settings (app_id, kind, settings, secrets, updated_at) VALUES ($1, $2, $3, $4, $5) \
             ON CONFLICT (app_id, kind) DO UPDATE SET settings = excluded.settings, secrets = excluded.secrets, updated_at = excluded.updated_at",
        )
        .bind(app.as_str())
        .bind(&rec.kind)
        .bind(rec.settings.to_string())
        .bind(&rec.secrets)
        .bind(ms(rec.updated_at))
        .execute(&mut **c)
        .await?;
    });
    Ok(())
}
