//! The member area: library with locked cards and purchase targets, product
//! content for members with access, progress, hosted media, profile.

use std::net::IpAddr;

use tollgate_domain::access::has_access;
use tollgate_domain::activity::data::{
    ActivityData, UserAudioListenedData, UserFileDownloadedData, UserPageCompletedData, UserProductCompletedData, UserVideoWatchedData,
};
use tollgate_domain::activity::{ActivityKind, NewActivity};
use tollgate_domain::auth::password;
use tollgate_domain::email::Email;
use tollgate_domain::error::ValidationErrors;
use tollgate_domain::ids::{AppId, PageId, ProductId, UserId};
use tollgate_domain::product::{ContentPage, Product};
use tollgate_domain::selling::{PurchaseTarget, purchase_target};
use tollgate_domain::user::{PendingEmailChange, User, user_name};
use tollgate_persistence::selling::{self as repo, Media};
use tollgate_persistence::{DbError, Unique, access, apps, email_changes, products, users};

use crate::crypto::{hash_password_async, random_token, token_hash, verify_password_async};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::mail;
use crate::services::Services;
pub use crate::storage::{LocalDisk, MediaBody, Storage};
use crate::throttle::Account;

/// Every product that is not archived (up to 5,000), oldest last.
pub(crate) async fn active_products(conn: &mut tollgate_persistence::Conn<'_>, app: &AppId) -> AppResult<Vec<Product>> {
    let mut all = vec![];
    let mut after: Option<ProductId> = None;
    loop {
        let page = products::list(conn, app, false, after.as_ref(), tollgate_domain::page::Limit::parse(Some(100)).unwrap_or_default()).await?;
        let next = page.next_cursor.clone();
        all.extend(page.items);
        match next {
            Some(n) if all.len() < 5000 => after = Some(ProductId::from_trusted(n)),
            _ => break,
        }
    }
    Ok(all)
}

/// A hosted media file of a product (where its bytes are stored stays inside).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MediaView {
    pub id: String,
    pub product_id: ProductId,
    /// video | audio | file
    pub kind: String,
    pub filename: String,
    pub content_type: String,
    pub size: i64,
    /// The lesson it belongs to; `None`: the product's general media.
    pub page_id: Option<PageId>,
    pub created_at: time::OffsetDateTime,
}

impl From<Media> for MediaView {
    fn from(m: Media) -> Self {
        MediaView { id: m.id, product_id: m.product_id, kind: m.kind, filename: m.filename, content_type: m.content_type, size: m.size, page_id: m.page_id, created_at: m.created_at }
    }
}

/// One product as a member sees it in the library.
#[derive(Debug, Clone)]
pub struct LibraryItem {
    pub product: Product,
    pub has_access: bool,
    pub purchase_target: Option<PurchaseTarget>,
    pub completed_pages: i64,
    pub total_pages: i64,
}

/// A product's content for a member with access.
#[derive(Debug, Clone)]
pub struct ProductContent {
    pub product: Product,
    pub pages: Vec<(ContentPage, bool)>,
    pub media: Vec<MediaView>,
}

/// A member's own view of their account.
#[derive(Debug, Clone)]
pub struct MemberProfile {
    pub user: User,
    /// A change of email waiting for the new address to confirm it (never an expired one).
    pub pending_email: Option<PendingEmailChange>,
}

pub const MAX_MEDIA_BYTES: usize = 100 * 1024 * 1024;

impl Services {
    /// The public URL of a product's sales page.
    pub fn sales_page_url(&self, app: &AppId, product: &ProductId) -> String {
        format!("{}/p/{app}/{product}", self.config.public_url)
    }

    /// Every live product with the member's access, lock state, purchase
    /// target and progress. Products without access are listed (locked)
    /// only when they show a locked card. `user = None`: a visitor.
    pub async fn library(&self, app: &AppId, user: Option<&UserId>) -> AppResult<Vec<LibraryItem>> {
        let now = self.now();
        let mut c = self.db.acquire().await?;
        let all = active_products(&mut c.conn(), app).await?;
        let grants = match user {
            Some(u) => access::open_for_user(&mut c.conn(), app, u).await?,
            None => vec![],
        };
        let progress = match user {
            Some(u) => repo::progress(&mut c.conn(), app, u).await?,
            None => Default::default(),
        };
        let checkout = repo::checkout_urls(&mut c.conn(), app).await?;
        let sales: std::collections::HashSet<ProductId> = repo::products_with_sales_pages(&mut c.conn(), app).await?.into_iter().collect();
        let mut out = vec![];
        for p in all.into_iter().rev() {
            let mine = grants.iter().filter(|g| g.product_id == p.id);
            let has = has_access(mine, now);
            if !has && !p.fields.show_locked_card {
                continue;
            }
            let sp = sales.contains(&p.id).then(|| self.sales_page_url(app, &p.id));
            let target = if has { None } else { purchase_target(&p.fields, checkout.get(&p.id).map(String::as_str), sp.as_deref()) };
            // Products missing from the totals have no pages.
            let (done, total) = progress.get(&p.id).copied().unwrap_or((0, 0));
            out.push(LibraryItem { product: p, has_access: has, purchase_target: target, completed_pages: done, total_pages: total });
        }
        Ok(out)
    }

    async fn require_access(&self, app: &AppId, user: &UserId, product: &ProductId) -> AppResult<Product> {
        let mut c = self.db.acquire().await?;
        let p = products::find(&mut c.conn(), app, product).await?.filter(|p| p.archived_at.is_none()).ok_or(AppError::NotFound("product"))?;
        let grants = access::open_for(&mut c.conn(), app, user, product).await?;
        if !has_access(&grants, self.now()) {
            return Err(AppError::forbidden("no_access", "you do not have access to this product"));
        }
        Ok(p)
    }

    pub async fn member_product(&self, app: &AppId, user: &UserId, product: &ProductId) -> AppResult<ProductContent> {
        let p = self.require_access(app, user, product).await?;
        let mut c = self.db.acquire().await?;
        let pages = products::list_pages(&mut c.conn(), app, product).await?;
        let done: std::collections::HashSet<PageId> = repo::completed_pages(&mut c.conn(), app, user, product).await?.into_iter().collect();
        let media = repo::media_of_product(&mut c.conn(), app, product).await?;
        Ok(ProductContent { product: p, pages: pages.into_iter().map(|pg| { let d = done.contains(&pg.id); (pg, d) }).collect(), media: media.into_iter().map(MediaView::from).collect() })
    }

    /// Ticks a page (User Page Completed; User Product Completed once, when
    /// every page is ticked) or unticks it. Returns (completed, total).
    pub async fn set_page_complete(&self, app: &AppId, user: &UserId, product: &ProductId, page: &PageId, complete: bool) -> AppResult<(i64, i64)> {
        self.require_access(app, user, product).await?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let pg = products::find_page(&mut tx.conn(), app, product, page).await?.ok_or(AppError::NotFound("page"))?;
        if complete {
            if repo::complete_page(&mut tx.conn(), app, user, product, page, now).await? {
                let d = ActivityData::UserPageCompleted(UserPageCompletedData { page_id: page.to_string(), page_title: pg.title.clone() });
                record(&mut tx.conn(), app, NewActivity::of(d, Some(user.clone()), Some(product.clone()), now)).await?;
            }
        } else {
            repo::uncomplete_page(&mut tx.conn(), app, user, page).await?;
        }
        let total = products::list_pages(&mut tx.conn(), app, product).await?.len() as i64;
        let done = repo::completed_pages(&mut tx.conn(), app, user, product).await?.len() as i64;
        if complete && total > 0 && done == total && repo::record_product_completion(&mut tx.conn(), app, user, product, now).await? {
            let d = ActivityData::UserProductCompleted(UserProductCompletedData {});
            record(&mut tx.conn(), app, NewActivity::of(d, Some(user.clone()), Some(product.clone()), now)).await?;
        }
        tx.commit().await?;
        Ok((done, total))
    }

    /// Stores an uploaded file for a product. `kind`: video, audio or file.
    pub async fn upload_media(&self, app: &AppId, product: &ProductId, kind: &str, filename: &str, content_type: &str, bytes: &[u8]) -> AppResult<MediaView> {
        let mut e = ValidationErrors::new();
        if !["video", "audio", "file"].contains(&kind) {
            e.add("kind", "invalid_choice", "must be video, audio or file");
        }
        e.check("filename", tollgate_domain::error::text(filename, 1, 255));
        if filename.contains('/') || filename.contains('\\') {
            e.add("filename", "invalid_characters", "must be a file name, not a path");
        }
        if bytes.is_empty() {
            e.add("body", "required", "the file is empty");
        }
        e.into_result()?;
        self.get_product(app, product).await?;
        let id = format!("med_{}", uuid::Uuid::now_v7().simple());
        let key = format!("{app}/{id}");
        self.storage.put(&key, bytes).await.map_err(|err| AppError::internal("storing media", err))?;
        let m = Media {
            id,
            product_id: product.clone(),
            kind: kind.into(),
            filename: filename.into(),
            content_type: content_type.into(),
            size: bytes.len() as i64,
            storage_key: key,
            page_id: None,
            created_at: self.now(),
        };
        let mut tx = self.db.begin().await?;
        repo::insert_media(&mut tx.conn(), app, &m).await?;
        tollgate_persistence::audit::set_target_id(&m.id);
        tollgate_persistence::audit::set_after(serde_json::json!({"product_id": product.as_str(), "kind": m.kind, "filename": m.filename, "size": m.size}));
        tx.commit().await?;
        Ok(m.into())
    }

    pub async fn list_media(&self, app: &AppId, product: &ProductId) -> AppResult<Vec<MediaView>> {
        let mut c = self.db.acquire().await?;
        products::find(&mut c.conn(), app, product).await?.ok_or(AppError::NotFound("product"))?;
        Ok(repo::media_of_product(&mut c.conn(), app, product).await?.into_iter().map(MediaView::from).collect())
    }

    /// Renames a hosted file or moves it into a lesson (`Some(None)`: back to the product's general media).
    pub async fn update_media(&self, app: &AppId, product: &ProductId, id: &str, filename: Option<String>, page: Option<Option<PageId>>) -> AppResult<MediaView> {
        let mut tx = self.db.begin().await?;
        let mut m = repo::find_media(&mut tx.conn(), app, id).await?.filter(|m| &m.product_id == product).ok_or(AppError::NotFound("media"))?;
        let mut e = ValidationErrors::new();
        if let Some(f) = filename {
            if f.contains('/') || f.contains('\\') {
                e.add("filename", "invalid_characters", "must be a file name, not a path");
            } else if let Some(f) = e.check("filename", tollgate_domain::error::text(&f, 1, 255)) {
                m.filename = f;
            }
        }
        if let Some(page) = page {
            if let Some(p) = &page {
                if products::find_page(&mut tx.conn(), app, product, p).await?.is_none() {
                    e.add("page_id", "unknown_page", "must be a lesson of this product");
                }
            }
            m.page_id = page;
        }
        e.into_result()?;
        repo::update_media(&mut tx.conn(), app, &m).await?;
        tx.commit().await?;
        Ok(m.into())
    }

    /// Removes a hosted file (row first, then bytes: a failure leaves an orphan file, never a dangling row).
    pub async fn delete_media(&self, app: &AppId, product: &ProductId, id: &str) -> AppResult<()> {
        let m = {
            let mut tx = self.db.begin().await?;
            let m = repo::find_media(&mut tx.conn(), app, id).await?.filter(|m| &m.product_id == product).ok_or(AppError::NotFound("media"))?;
            repo::delete_media(&mut tx.conn(), app, product, id).await?;
            tx.commit().await?;
            m
        };
        if let Err(e) = self.storage.delete(&m.storage_key).await {
            tracing::warn!(error = %e, media = %m.id, "could not delete the stored file");
        }
        Ok(())
    }

    /// A member downloads or streams a hosted file (records User File Downloaded for files).
    pub async fn member_media(&self, app: &AppId, user: &UserId, id: &str) -> AppResult<(MediaView, MediaBody)> {
        let m = {
            let mut c = self.db.acquire().await?;
            repo::find_media(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("media"))?
        };
        self.require_access(app, user, &m.product_id).await?;
        let bytes = self.storage.open(&m.storage_key).await.map_err(|err| AppError::internal("reading media", err))?;
        if m.kind == "file" {
            self.media_event(app, user, &m, ActivityKind::UserFileDownloaded).await?;
        }
        Ok((m.into(), bytes))
    }

    /// A member pressed play on hosted video or audio.
    pub async fn member_media_played(&self, app: &AppId, user: &UserId, id: &str) -> AppResult<()> {
        let m = {
            let mut c = self.db.acquire().await?;
            repo::find_media(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("media"))?
        };
        self.require_access(app, user, &m.product_id).await?;
        let kind = match m.kind.as_str() {
            "video" => ActivityKind::UserVideoWatched,
            "audio" => ActivityKind::UserAudioListened,
            _ => return Err(AppError::field("media", "not_playable", "only video and audio are played")),
        };
        self.media_event(app, user, &m, kind).await
    }

    async fn media_event(&self, app: &AppId, user: &UserId, m: &Media, kind: ActivityKind) -> AppResult<()> {
        let mut c = self.db.acquire().await?;
        let (media_id, filename) = (m.id.clone(), m.filename.clone());
        let d = match kind {
            ActivityKind::UserVideoWatched => ActivityData::UserVideoWatched(UserVideoWatchedData { media_id, filename }),
            ActivityKind::UserAudioListened => ActivityData::UserAudioListened(UserAudioListenedData { media_id, filename }),
            _ => ActivityData::UserFileDownloaded(UserFileDownloadedData { media_id, filename }),
        };
        record(&mut c.conn(), app, NewActivity::of(d, Some(user.clone()), Some(m.product_id.clone()), self.now())).await?;
        Ok(())
    }

    /// The member's profile with their pending email change, if one waits for confirmation.
    pub async fn member_profile(&self, app: &AppId, user: &UserId) -> AppResult<MemberProfile> {
        let mut c = self.db.acquire().await?;
        let u = users::find(&mut c.conn(), app, user).await?.ok_or(AppError::NotFound("user"))?;
        let pending = email_changes::find_by_user(&mut c.conn(), app, user).await?.filter(|p| !p.is_expired(self.now()));
        Ok(MemberProfile { user: u, pending_email: pending })
    }

    /// Profile changes by the member: name and password apply at once; a new
    /// email only becomes a pending change that the new address must confirm
    /// (see [`Services::confirm_email_change`]), so nobody can take over an
    /// address they do not control. The current password is required to
    /// change email or password once one is set; wrong ones count against
    /// the member's password like failed logins, and email-change requests
    /// are limited per client IP and per member (429).
    #[allow(clippy::too_many_arguments)]
    pub async fn update_own_profile(
        &self,
        app: &AppId,
        user: &UserId,
        name: Option<String>,
        email: Option<String>,
        current_password: Option<String>,
        new_password: Option<String>,
        client: Option<IpAddr>,
    ) -> AppResult<MemberProfile> {
        let current = {
            let mut c = self.db.acquire().await?;
            users::find(&mut c.conn(), app, user).await?.ok_or(AppError::NotFound("user"))?
        };
        // The member's name and addresses are guessable words in a password.
        let inputs = [current.email.to_string(), current.name.clone(), email.clone().unwrap_or_default(), name.clone().unwrap_or_default()];
        let inputs: Vec<&str> = inputs.iter().map(String::as_str).collect();
        let mut e = ValidationErrors::new();
        let name = name.and_then(|n| e.check("name", user_name(&n)));
        let email = email.and_then(|m| e.check("email", Email::parse(&m)));
        let new_pw = new_password.and_then(|p| e.check("new_password", password(&p, &inputs)));
        e.into_result()?;
        // Asking for the address the member already has changes nothing.
        let email = email.filter(|m| *m != current.email);
        if email.is_some() {
            self.throttle.ip_send(client)?;
        }
        // Password work happens before the write transaction (it is slow on purpose).
        if email.is_some() || new_pw.is_some() {
            let mut c = self.db.acquire().await?;
            let (_, hash) = users::find_credentials(&mut c.conn(), app, &current.email).await?.ok_or(AppError::NotFound("user"))?;
            drop(c);
            if hash.is_some() {
                let attempt = self.password_attempt(client, Account::Member(app, current.email.as_str())).await?;
                if !verify_password_async(current_password.as_deref().unwrap_or(""), hash.as_deref()).await {
                    self.password_failed(attempt).await?;
                    return Err(AppError::field("current_password", "wrong_password", "your current password is needed to change email or password"));
                }
                self.password_ok(attempt).await?;
            }
        }
        let new_hash = match new_pw {
            Some(p) => Some(hash_password_async(&p).await?),
            None => None,
        };
        let mut tx = self.db.begin().await?;
        let mut u = users::find(&mut tx.conn(), app, user).await?.ok_or(AppError::NotFound("user"))?;
        let now = self.now();
        if let Some(n) = name {
            u.name = n;
            u.updated_at = now;
            users::update(&mut tx.conn(), &u).await?;
            crate::events::publish::publish_member_updated_in(&mut tx.conn(), app, &u, now).await?;
        }
        if let Some(h) = new_hash {
            users::set_password(&mut tx.conn(), app, user, &h, now).await?;
            u.has_password = true;
            u.updated_at = now;
        }
        let mut mailed = false;
        if let Some(new_email) = email {
            if users::find_by_email(&mut tx.conn(), app, &new_email).await?.is_some() {
                return Err(AppError::field("email", "taken", "another member uses this email"));
            }
            let cap = self.throttle.settings().email_changes_per_hour;
            if let Err(wait) = self.count_send(&mut tx.conn(), "email_change", app, user.as_str(), cap).await? {
                tracing::warn!(app_id = %app, user_id = %user, "email change refused: the member asked for too many this hour");
                return Err(crate::throttle::sends_exhausted(wait));
            }
            let raw = random_token();
            let change = PendingEmailChange { app_id: app.clone(), user_id: user.clone(), new_email, expires_at: now + self.config.email_change_ttl, created_at: now };
            email_changes::replace(&mut tx.conn(), &change, &token_hash(&raw)).await?;
            let site = mail::Site::of(apps::find(&mut tx.conn(), app).await?.as_ref());
            let link = format!("{}/member/confirm-email?token={app}.{raw}", self.config.public_url);
            let confirm = mail::email_change_confirm(&site, change.new_email.as_str(), &link, self.config.email_change_ttl.whole_hours());
            mail::enqueue(&mut tx.conn(), app, change.new_email.as_str(), confirm, now).await?;
            let profile = format!("{}/member/profile", self.config.public_url);
            mail::enqueue(&mut tx.conn(), app, u.email.as_str(), mail::email_change_notice(&site, change.new_email.as_str(), &profile), now).await?;
            mailed = true;
        }
        let pending = email_changes::find_by_user(&mut tx.conn(), app, user).await?.filter(|p| !p.is_expired(now));
        tx.commit().await?;
        if mailed {
            self.jobs_ready.notify_one();
        }
        Ok(MemberProfile { user: u, pending_email: pending })
    }

    /// Drops the member's pending email change (its link stops working).
    pub async fn cancel_email_change(&self, app: &AppId, user: &UserId) -> AppResult<MemberProfile> {
        let mut c = self.db.acquire().await?;
        if !email_changes::delete_by_user(&mut c.conn(), app, user).await? {
            return Err(AppError::NotFound("pending email change"));
        }
        drop(c);
        self.member_profile(app, user).await
    }

    /// Applies a pending email change with the token from the confirmation
    /// link (`<app_id>.<token>`); whoever holds it decides, signed in or not.
    /// The token works once. Other sessions stay open, as after a password
    /// change. No activity is recorded: the catalogue has no kind for it.
    pub async fn confirm_email_change(&self, token: &str) -> AppResult<User> {
        let invalid = || AppError::field("token", "invalid_token", "this confirmation link is invalid, was already used, or was replaced by a newer request");
        let (app, raw) = token.split_once('.').ok_or_else(invalid)?;
        let app = AppId::parse(app).map_err(|_| invalid())?;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let change = email_changes::take_by_token(&mut tx.conn(), &app, &token_hash(raw)).await?.ok_or_else(invalid)?;
        if change.is_expired(now) {
            tx.commit().await?; // the expired change is gone for good
            return Err(AppError::field("token", "token_expired", "this confirmation link has expired; ask for the change again from your profile"));
        }
        let mut u = users::find(&mut tx.conn(), &app, &change.user_id).await?.ok_or(AppError::NotFound("user"))?;
        let taken = || AppError::conflict("email_taken", format!("another member started using {} meanwhile; your email was not changed", change.new_email));
        match users::find_by_email(&mut tx.conn(), &app, &change.new_email).await? {
            Some(other) if other.id != u.id => {
                tx.commit().await?; // the change can never succeed: drop it
                return Err(taken());
            }
            _ => {}
        }
        u.email = change.new_email.clone();
        u.updated_at = now;
        match users::update(&mut tx.conn(), &u).await {
            Err(DbError::Taken(Unique::MemberEmail)) => return Err(taken()),
            r => r?,
        };
        crate::events::publish::publish_member_updated_in(&mut tx.conn(), &app, &u, now).await?;
        tx.commit().await?;
        Ok(u)
    }
}
