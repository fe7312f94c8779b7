use tollgate_domain::activity::NewActivity;
use tollgate_domain::activity::data::{ActivityData, UserCreatedData};
use tollgate_domain::auth::password;
use tollgate_domain::email::Email;
use tollgate_domain::error::ValidationErrors;
use tollgate_domain::ids::{AppId, ProductId, UserId};
use tollgate_domain::members::RawMemberFilter;
use tollgate_domain::page::{Limit, Page};
use tollgate_domain::user::{User, user_name};
use tollgate_persistence::{Conn, DbError, Unique, apps, magic_links, products, users};

use crate::crypto::{hash_password_async, random_token, token_hash};
use crate::error::{AppError, AppResult};
use crate::events::record;
use crate::mail;
use crate::services::Services;

#[derive(Debug, Clone, Default)]
pub struct NewMemberInput {
    pub email: String,
    pub name: Option<String>,
    pub password: Option<String>,
    /// Email the member a link to log in.
    pub send_invite: bool,
}

#[derive(Debug, Clone, Default)]
pub struct MemberPatch {
    pub email: Option<String>,
    pub name: Option<String>,
    pub password: Option<String>,
}

const INVITE_TTL: time::Duration = time::Duration::days(7);

impl Services {
    pub async fn create_member(&self, app: &AppId, input: NewMemberInput) -> AppResult<User> {
        let mut e = ValidationErrors::new();
        let email = e.check("email", Email::parse(&input.email));
        let name = e.check("name", user_name(input.name.as_deref().unwrap_or("")));
        let pw = match &input.password {
            Some(p) => e.check("password", password(p, &[&input.email, input.name.as_deref().unwrap_or("")])).map(Some),
            None => Some(None),
        };
        e.clone().into_result()?;
        let (Some(email), Some(name), Some(pw)) = (email, name, pw) else { return Err(e.into()) };
        let hash = match pw {
            Some(p) => Some(hash_password_async(&p).await?),
            None => None,
        };
        let mut tx = self.db.begin().await?;
        let u = self.create_member_in(&mut tx.conn(), app, email, name, hash.as_deref(), input.send_invite).await?;
        tollgate_persistence::audit::set_target_id(&u.id);
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(u)
    }

    /// Creates a member inside a transaction and records User Created.
    /// Used by the API and by connectors (a Stripe purchase by a new email).
    pub async fn create_member_in(
        &self,
        conn: &mut Conn<'_>,
        app: &AppId,
        email: Email,
        name: String,
        password_hash: Option<&str>,
        send_invite: bool,
    ) -> AppResult<User> {
        let now = self.now();
        let mut u = User {
            id: UserId::new(),
            app_id: app.clone(),
            email,
            name,
            has_password: password_hash.is_some(),
            last_login_at: None,
            created_at: now,
            updated_at: now,
            customer: Default::default(),
        };
        match users::insert(conn, &u, password_hash).await {
            Err(DbError::Taken(Unique::MemberEmail)) => return Err(AppError::field("email", "taken", "a member with this email exists")),
            r => r?,
        }
        u.customer = self.member_created_in(conn, app, &u, send_invite, now).await?;
        Ok(u)
    }

    /// The app's member with this email, created (User Created, invitation
    /// queued) when there is none. Safe when two transactions create the
    /// same member at once (two workers processing one new Stripe
    /// customer): the second finds the first's member instead of failing.
    pub(crate) async fn find_or_create_member_in(&self, conn: &mut Conn<'_>, app: &AppId, email: Email, name: String) -> AppResult<UserId> {
        if let Some(u) = users::find_by_email(conn, app, &email).await? {
            return Ok(u.id);
        }
        let now = self.now();
        let u = User {
            id: UserId::new(),
            app_id: app.clone(),
            email,
            name,
            has_password: false,
            last_login_at: None,
            created_at: now,
            updated_at: now,
            customer: Default::default(),
        };
        if !users::insert_if_absent(conn, &u, None).await? {
            let existing = users::find_by_email(conn, app, &u.email).await?;
            return existing.map(|e| e.id).ok_or_else(|| AppError::Internal("a member with this email exists but cannot be read".into()));
        }
        self.member_created_in(conn, app, &u, true, now).await?;
        Ok(u.id)
    }

    /// What follows a new member: User Created, their stage, and the
    /// invitation when asked. Returns the member's figures (stage, MRR).
    async fn member_created_in(&self, conn: &mut Conn<'_>, app: &AppId, u: &User, send_invite: bool, now: time::OffsetDateTime) -> AppResult<tollgate_domain::stages::CustomerFigures> {
        record(conn, app, NewActivity::of(ActivityData::UserCreated(UserCreatedData { email: u.email.to_string() }), Some(u.id.clone()), None, now)).await?;
        // A new member has no subscription: the app's "none" stage (a Lead), if it has one.
        let figures = self.refresh_customer_in(conn, app, &u.id).await?;
        if send_invite {
            let raw = random_token();
            magic_links::insert(conn, app, &token_hash(&raw), &u.id, now + INVITE_TTL, now).await?;
            let site = mail::Site::of(apps::find(conn, app).await?.as_ref());
            let link = self.magic_link_url(app, &raw);
            mail::enqueue(conn, app, u.email.as_str(), mail::member_invite(&site, &u.name, &link), now).await?;
        }
        Ok(figures)
    }

    pub(crate) fn magic_link_url(&self, app: &AppId, raw: &str) -> String {
        format!("{}/member/magic?token={app}.{raw}", self.config.public_url)
    }

    pub async fn get_member(&self, app: &AppId, id: &UserId) -> AppResult<User> {
        let mut c = self.db.acquire().await?;
        users::find(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("user"))
    }

    /// Lists members newest first, filtered (see [`RawMemberFilter`]).
    pub async fn list_members(&self, app: &AppId, filter: &RawMemberFilter, after: Option<&UserId>, limit: Limit) -> AppResult<Page<User>> {
        let mut c = self.db.acquire().await?;
        let (q, f) = self.member_filter_in(&mut c.conn(), app, filter).await?;
        Ok(users::list_filtered(&mut c.conn(), app, q.as_deref(), &f, after, limit).await?)
    }

    /// How many members match the filters.
    pub async fn count_members(&self, app: &AppId, filter: &RawMemberFilter) -> AppResult<i64> {
        let mut c = self.db.acquire().await?;
        let (q, f) = self.member_filter_in(&mut c.conn(), app, filter).await?;
        Ok(users::count_filtered(&mut c.conn(), app, q.as_deref(), &f).await?)
    }

    /// Checks the filters (a product must be one of this app's) into the database's form.
    pub(crate) async fn member_filter_in(&self, conn: &mut Conn<'_>, app: &AppId, raw: &RawMemberFilter) -> AppResult<(Option<String>, users::UserFilter)> {
        let f = raw.check()?;
        let mut e = ValidationErrors::new();
        for (field, p) in [("has_product", &f.has_product), ("lacks_product", &f.lacks_product)] {
            if let Some(p) = p {
                if products::find(conn, app, &ProductId::from_trusted(p.clone())).await?.is_none() {
                    e.add(field, "unknown_product", format!("{p} is not a product of this app"));
                }
            }
        }
        e.into_result()?;
        let now = self.now();
        Ok((
            f.q.clone(),
            users::UserFilter {
                stage: f.stage,
                renews_between: f.renews_within_days.map(|d| (now, now + time::Duration::days(d))),
                has_product: f.has_product,
                lacks_product: f.lacks_product,
                source: f.source.map(|s| s.as_str().to_owned()),
                mrr_min: f.mrr_min,
                mrr_max: f.mrr_max,
                last_login_after: f.last_login_after,
                last_login_before: f.last_login_before,
                inactive: f.inactive,
                created_after: f.created_after,
                created_before: f.created_before,
                now: Some(now),
                only_user: None,
            },
        ))
    }

    pub async fn update_member(&self, app: &AppId, id: &UserId, p: MemberPatch) -> AppResult<User> {
        let mut e = ValidationErrors::new();
        let email = p.email.as_deref().and_then(|m| e.check("email", Email::parse(m)));
        let name = p.name.as_deref().and_then(|n| e.check("name", user_name(n)));
        let pw = match p.password.as_deref() {
            Some(x) => {
                // The member's name and address (old and new) are guessable words.
                let mut c = self.db.acquire().await?;
                let u = users::find(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("user"))?;
                drop(c);
                let inputs = [u.email.as_str(), u.name.as_str(), p.email.as_deref().unwrap_or(""), p.name.as_deref().unwrap_or("")];
                e.check("password", password(x, &inputs))
            }
            None => None,
        };
        e.into_result()?;
        let hash = match pw {
            Some(p) => Some(hash_password_async(&p).await?),
            None => None,
        };
        let mut tx = self.db.begin().await?;
        let mut u = users::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("user"))?;
        crate::audit::set_before_of(&crate::wire::UserResponse::from(u.clone()));
        let now = self.now();
        if let Some(m) = email {
            if m != u.email {
                // The site owner set the address: a change the member asked for earlier no longer applies.
                tollgate_persistence::email_changes::delete_by_user(&mut tx.conn(), app, id).await?;
            }
            u.email = m;
        }
        if let Some(n) = name {
            u.name = n;
        }
        u.updated_at = now;
        match users::update(&mut tx.conn(), &u).await {
            Err(DbError::Taken(Unique::MemberEmail)) => return Err(AppError::field("email", "taken", "a member with this email exists")),
            r => r?,
        };
        if let Some(h) = hash {
            users::set_password(&mut tx.conn(), app, id, &h, now).await?;
            u.has_password = true;
        }
        crate::events::publish::publish_member_updated_in(&mut tx.conn(), app, &u, now).await?;
        tx.commit().await?;
        Ok(u)
    }
}
