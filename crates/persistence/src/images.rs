//! Public images: their metadata (the bytes are in the media storage).

use time::OffsetDateTime;
use tollgate_domain::ids::AppId;

use crate::{Conn, DbResult, at, ms, on};

#[derive(Debug, Clone)]
pub struct Image {
    pub id: String,
    pub content_type: String,
    pub size: i64,
    pub storage_key: String,
    pub created_at: OffsetDateTime,
}

pub async fn insert(conn: &mut Conn<'_>, app: &AppId, i: &Image) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("INSERT INTO images (app_id, id, content_type, size, storage_key, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
            .bind(app.as_str())
            .bind(&i.id)
            .bind(&i.content_type)
            .bind(i.size)
            .bind(&i.storage_key)
            .bind(ms(i.created_at))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &str) -> DbResult<Option<Image>> {
    let row: Option<(String, String, i64, String, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT id, content_type, size, storage_key, created_at FROM images WHERE app_id = $1 AND id = $2",
    )
    .bind(app.as_str())
    .bind(id)
    .fetch_optional(&mut **c)
    .await?);
    Ok(row.map(|(id, content_type, size, storage_key, t)| Image { id, content_type, size, storage_key, created_at: at(t) }))
}
