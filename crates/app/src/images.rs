//! Public images: a site's logo and favicon and its products' covers.
//!
//! An admin uploads the bytes; anyone may read them (member sign-in, the
//! library, sales pages and emails show them before anyone signs in), unlike
//! hosted media, which only members with access may read. The type is taken
//! from the bytes, never from the declared Content-Type, and only raster
//! formats are accepted: an SVG can carry script.

use tollgate_domain::error::ValidationErrors;
use tollgate_domain::ids::AppId;
use tollgate_persistence::images::{self as repo, Image};

use crate::error::{AppError, AppResult};
use crate::storage::MediaBody;
use crate::services::Services;

/// The largest image accepted.
pub const MAX_IMAGE_BYTES: usize = 2 * 1024 * 1024;

/// The formats accepted, as recognised from their bytes.
pub const IMAGE_TYPES: [&str; 5] = ["image/png", "image/jpeg", "image/gif", "image/webp", "image/x-icon"];

/// The image type of `bytes`, if it is one Tollgate serves.
pub fn sniff(bytes: &[u8]) -> Option<&'static str> {
    let t = infer::get(bytes)?.mime_type();
    IMAGE_TYPES.into_iter().find(|ok| *ok == t || (*ok == "image/x-icon" && t == "image/vnd.microsoft.icon"))
}

/// A stored image (where its bytes are stored stays inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageView {
    pub id: String,
    pub content_type: String,
    pub size: i64,
    pub created_at: time::OffsetDateTime,
}

impl From<Image> for ImageView {
    fn from(i: Image) -> Self {
        ImageView { id: i.id, content_type: i.content_type, size: i.size, created_at: i.created_at }
    }
}

impl Services {
    /// Stores an uploaded image and returns it.
    pub async fn upload_image(&self, app: &AppId, bytes: &[u8]) -> AppResult<ImageView> {
        let mut e = ValidationErrors::new();
        let content_type = match sniff(bytes) {
            Some(t) => t,
            None if bytes.is_empty() => {
                e.add("body", "required", "the image is empty");
                ""
            }
            None => {
                e.add("body", "unsupported_image", "must be a PNG, JPEG, GIF, WebP or ICO image");
                ""
            }
        };
        e.into_result()?;
        let id = format!("img_{}", uuid::Uuid::now_v7().simple());
        let key = format!("{app}/{id}");
        self.storage.put(&key, bytes).await.map_err(|err| AppError::internal("storing an image", err))?;
        let image = Image { id, content_type: content_type.into(), size: bytes.len() as i64, storage_key: key, created_at: self.now() };
        let mut tx = self.db.begin().await?;
        repo::insert(&mut tx.conn(), app, &image).await?;
        tollgate_persistence::audit::set_target_id(&image.id);
        tollgate_persistence::audit::set_after(serde_json::json!({"content_type": image.content_type, "size": image.size}));
        tx.commit().await?;
        Ok(image.into())
    }

    /// An image and its bytes, for anyone.
    pub async fn public_image(&self, app: &AppId, id: &str) -> AppResult<(ImageView, MediaBody)> {
        let image = {
            let mut c = self.db.acquire().await?;
            repo::find(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("image"))?
        };
        let body = self.storage.open(&image.storage_key).await.map_err(|err| AppError::internal("reading an image", err))?;
        Ok((image.into(), body))
    }

    /// Where an image is served, for pages and emails.
    pub fn image_url(&self, app: &AppId, id: &str) -> String {
        format!("{}/api/v1/public/apps/{app}/images/{id}", self.config.public_url.trim_end_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::sniff;

    #[test]
    fn the_type_comes_from_the_bytes() {
        assert_eq!(sniff(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"), Some("image/png"));
        assert_eq!(sniff(b"\xff\xd8\xff\xe0\0\x10JFIF"), Some("image/jpeg"));
        assert_eq!(sniff(b"GIF89a\x01\0\x01\0"), Some("image/gif"));
        assert_eq!(sniff(b"<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(1)</script></svg>"), None);
        assert_eq!(sniff(b"%PDF-1.4"), None);
        assert_eq!(sniff(b""), None);
    }
}
