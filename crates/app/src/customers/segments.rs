//! Saved segments: a name and a members filter, applied by the members
//! list, checked by the automation condition `in_segment`, and the target of
//! bulk actions.

use time::OffsetDateTime;
use tollgate_domain::error::ValidationErrors;
use tollgate_domain::ids::{AppId, SegmentId, UserId};
use tollgate_domain::members::RawMemberFilter;
use tollgate_persistence::segments::{self as store, Segment};
use tollgate_persistence::{Conn, DbError, Unique, users};

use crate::error::{AppError, AppResult};
use crate::services::Services;

/// A saved segment: a name and a members filter.
#[derive(Debug, Clone, PartialEq)]
pub struct SegmentView {
    pub id: SegmentId,
    pub name: String,
    pub filter: RawMemberFilter,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

impl From<Segment> for SegmentView {
    fn from(s: Segment) -> Self {
        SegmentView { id: s.id, name: s.name, filter: s.filter, created_at: s.created_at, updated_at: s.updated_at }
    }
}

fn check_name(name: &str) -> AppResult<String> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > 80 || n.chars().any(char::is_control) {
        return Err(AppError::field("name", "invalid_name", "a name of 1 to 80 characters"));
    }
    Ok(n.to_owned())
}

impl Services {
    pub async fn list_segments(&self, app: &AppId) -> AppResult<Vec<SegmentView>> {
        let mut c = self.db.acquire().await?;
        Ok(store::list(&mut c.conn(), app).await?.into_iter().map(SegmentView::from).collect())
    }

    pub async fn get_segment(&self, app: &AppId, id: &SegmentId) -> AppResult<SegmentView> {
        let mut c = self.db.acquire().await?;
        store::find(&mut c.conn(), app, id).await?.map(SegmentView::from).ok_or(AppError::NotFound("segment"))
    }

    /// Saves a segment (a new one when `id` is `None`); the filter is checked like the list's.
    pub async fn save_segment(&self, app: &AppId, id: Option<&SegmentId>, name: Option<&str>, filter: Option<RawMemberFilter>) -> AppResult<SegmentView> {
        let mut tx = self.db.begin().await?;
        let now = self.now();
        let mut seg = match id {
            Some(id) => store::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("segment"))?,
            None => Segment { id: SegmentId::new(), name: String::new(), filter: RawMemberFilter::default(), created_at: now, updated_at: now },
        };
        if let Some(n) = name {
            seg.name = check_name(n)?;
        } else if id.is_none() {
            return Err(AppError::field("name", "required", "name the segment"));
        }
        if let Some(f) = filter {
            // Checked the same way as the members list's parameters.
            self.member_filter_in(&mut tx.conn(), app, &f).await?;
            seg.filter = f;
        }
        seg.updated_at = now;
        match store::put(&mut tx.conn(), app, &seg).await {
            Err(DbError::Taken(Unique::SegmentName)) => {
                let mut e = ValidationErrors::new();
                e.add("name", "taken", "another segment has this name");
                return Err(e.into());
            }
            r => r?,
        }
        tollgate_persistence::audit::set_target_id(&seg.id);
        tx.commit().await?;
        Ok(seg.into())
    }

    pub async fn delete_segment(&self, app: &AppId, id: &SegmentId) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        if !store::delete(&mut tx.conn(), app, id).await? {
            return Err(AppError::NotFound("segment"));
        }
        tx.commit().await?;
        Ok(())
    }

    /// Whether the member matches the segment now (a deleted segment matches no one).
    pub(crate) async fn in_segment_in(&self, conn: &mut Conn<'_>, app: &AppId, user: &UserId, segment: &SegmentId) -> AppResult<bool> {
        let Some(seg) = store::find(conn, app, segment).await? else { return Ok(false) };
        let (q, mut f) = match self.member_filter_in(conn, app, &seg.filter).await {
            Ok(x) => x,
            // A product of the filter was deleted since: the segment matches no one.
            Err(AppError::Validation(_)) => return Ok(false),
            Err(e) => return Err(e),
        };
        f.only_user = Some(user.to_string());
        Ok(users::count_filtered(conn, app, q.as_deref(), &f).await? > 0)
    }
}
