//! API keys: shown once, stored as SHA-256 of the secret, scoped, revocable.

use time::OffsetDateTime;
use tollgate_domain::auth::Scope;
use tollgate_domain::ids::{AppId, ApiKeyId};
use tollgate_domain::page::{Limit, Page};

use crate::{Conn, DbError, DbResult, at, ms, on, opt_at};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiKey {
    pub id: ApiKeyId,
    pub app_id: AppId,
    pub name: String,
    pub last4: String,
    pub scopes: Vec<Scope>,
    pub created_by: Option<String>,
    pub created_at: OffsetDateTime,
    pub last_used_at: Option<OffsetDateTime>,
    pub revoked_at: Option<OffsetDateTime>,
}

#[derive(sqlx::FromRow)]
struct KeyRow {
    app_id: String,
    id: String,
    name: String,
    secret_hash: String,
    last4: String,
    scopes: String,
    created_by: Option<String>,
    created_at: i64,
    last_used_at: Option<i64>,
    revoked_at: Option<i64>,
}

impl KeyRow {
    fn into_key(self) -> DbResult<(ApiKey, String)> {
        let scopes = self
            .scopes
            .split(' ')
            .filter(|s| !s.is_empty())
            .map(|s| s.parse::<Scope>().map_err(|_| DbError::corrupt(format!("scope {s}"))))
            .collect::<DbResult<Vec<_>>>()?;
        Ok((
            ApiKey {
                id: ApiKeyId::from_trusted(self.id),
                app_id: AppId::from_trusted(self.app_id),
                name: self.name,
                last4: self.last4,
                scopes,
                created_by: self.created_by,
                created_at: at(self.created_at),
                last_used_at: opt_at(self.last_used_at),
                revoked_at: opt_at(self.revoked_at),
            },
            self.secret_hash,
        ))
    }
}

macro_rules! cols {
    () => {
        "app_id, id, name, secret_hash, last4, scopes, created_by, created_at, last_used_at, revoked_at"
    };
}

pub async fn insert(conn: &mut Conn<'_>, key: &ApiKey, secret_hash: &str) -> DbResult<()> {
    let scopes = key.scopes.iter().map(|s| s.to_string()).collect::<Vec<_>>().join(" ");
    on!(conn, c => {
        sqlx::query(concat!("INSERT INTO api_keys (", cols!(), ") VALUES ($1, $2, $3, $4, $5, $6, $7, $8, NULL, NULL)"))
            .bind(key.app_id.as_str())
            .bind(key.id.as_str())
            .bind(&key.name)
            .bind(secret_hash)
            .bind(&key.last4)
            .bind(&scopes)
            .bind(&key.created_by)
            .bind(ms(key.created_at))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// Finds a key by id, with its stored secret hash, whatever its app.
pub async fn find_for_auth(conn: &mut Conn<'_>, id: &str) -> DbResult<Option<(ApiKey, String)>> {
    let r: Option<KeyRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM api_keys WHERE id = $1"))
        .bind(id)
        .fetch_optional(&mut **c)
        .await?);
    r.map(KeyRow::into_key).transpose()
}

/// Records use at most once a minute per key, to keep reads cheap.
pub async fn touch(conn: &mut Conn<'_>, app: &AppId, id: &ApiKeyId, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("UPDATE api_keys SET last_used_at = $3 WHERE app_id = $1 AND id = $2 AND (last_used_at IS NULL OR last_used_at < $4)")
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(ms(now))
            .bind(ms(now) - 60_000)
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

pub async fn list(conn: &mut Conn<'_>, app: &AppId, after: Option<&str>, limit: Limit) -> DbResult<Page<ApiKey>> {
    let rows: Vec<KeyRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", cols!(), " FROM api_keys WHERE app_id = $1 AND ($2 IS NULL OR id < $2) ORDER BY id DESC LIMIT $3"
    ))
    .bind(app.as_str())
    .bind(after)
    .bind(limit.probe())
    .fetch_all(&mut **c)
    .await?);
    let keys = rows.into_iter().map(|r| r.into_key().map(|(k, _)| k)).collect::<DbResult<Vec<_>>>()?;
    Ok(Page::from_probe(keys, limit, |k| k.id.to_string()))
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &ApiKeyId) -> DbResult<Option<ApiKey>> {
    let r: Option<KeyRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM api_keys WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    r.map(|r| r.into_key().map(|(k, _)| k)).transpose()
}

/// Revokes a key; false when it does not exist in this app or is already revoked.
pub async fn revoke(conn: &mut Conn<'_>, app: &AppId, id: &ApiKeyId, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE api_keys SET revoked_at = $3 WHERE app_id = $1 AND id = $2 AND revoked_at IS NULL")
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// The live keys an admin (`created_by`, e.g. `adm_…`) created in `app`.
pub async fn list_live_created_by(conn: &mut Conn<'_>, app: &AppId, created_by: &str) -> DbResult<Vec<ApiKey>> {
    let rows: Vec<KeyRow> = on!(conn, c => sqlx::query_as(concat!(
        "SELECT ", cols!(), " FROM api_keys WHERE app_id = $1 AND created_by = $2 AND revoked_at IS NULL ORDER BY id"
    ))
    .bind(app.as_str())
    .bind(created_by)
    .fetch_all(&mut **c)
    .await?);
    rows.into_iter().map(|r| r.into_key().map(|(k, _)| k)).collect()
}
