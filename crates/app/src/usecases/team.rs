//! Team management: the admins of an app, invitations, roles, leaving.
//!
//! Rules are in `tollgate_domain::team`. A removed admin's refresh sessions
//! in the app end and the API keys they created there are revoked; their
//! access tokens stop working at once because every request re-reads the
//! role. A demoted admin's keys that hold more than the new role allows are
//! revoked too, since a key may never hold more than its creator.

use std::net::IpAddr;

use time::OffsetDateTime;
use tollgate_domain::auth::{Role, password};
use tollgate_domain::email::Email;
use tollgate_domain::error::{ValidationErrors, text};
use tollgate_domain::ids::{AdminId, AppId, InvitationId};
use tollgate_domain::team::{INVITATION_TTL, InvitationState, TeamDenied, may_change_role, may_invite, may_remove};
use tollgate_persistence::admins::{self, Admin, TeamMember};
use tollgate_persistence::invitations::{self, Invitation, OpenInvitation};
use tollgate_persistence::sessions::{self, SubjectKind};
use tollgate_persistence::{Conn, DbError, Unique, api_keys, apps, lock_for_update};

use crate::crypto::{hash_password_async, random_token, token_hash, verify_password_async};
use crate::error::{AppError, AppResult};
use crate::mail;
use crate::services::Services;
use crate::throttle::Account;
use crate::usecases::admin_auth::Session;

/// An admin acting on their app's team.
#[derive(Debug, Clone)]
pub struct TeamActor {
    pub admin_id: AdminId,
    pub app_id: AppId,
}

#[derive(Debug, Clone)]
pub struct Team {
    pub members: Vec<TeamMemberView>,
    /// Neither accepted nor revoked; expired ones are included (to re-send).
    pub invitations: Vec<OpenInvitationView>,
}

/// An admin on an app's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMemberView {
    pub id: AdminId,
    pub email: Email,
    pub name: String,
    pub role: Role,
    /// When they joined this app's team.
    pub joined_at: OffsetDateTime,
}

impl From<TeamMember> for TeamMemberView {
    fn from(m: TeamMember) -> Self {
        TeamMemberView { id: m.admin.id, email: m.admin.email, name: m.admin.name, role: m.role, joined_at: m.joined_at }
    }
}

/// An invitation neither accepted nor revoked (it may have expired), with who sent it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct OpenInvitationView {
    pub id: InvitationId,
    pub email: Email,
    pub role: Role,
    pub invited_by: AdminId,
    pub invited_by_email: String,
    pub invited_by_name: String,
    pub created_at: OffsetDateTime,
    pub expires_at: OffsetDateTime,
}

impl From<OpenInvitation> for OpenInvitationView {
    fn from(o: OpenInvitation) -> Self {
        let i = o.invitation;
        OpenInvitationView {
            id: i.id,
            email: i.email,
            role: i.role,
            invited_by: i.invited_by,
            invited_by_email: o.invited_by_email,
            invited_by_name: o.invited_by_name,
            created_at: i.created_at,
            expires_at: i.expires_at,
        }
    }
}

/// What an invitation link offers, shown before accepting.
#[derive(Debug, Clone)]
pub struct InvitationPreview {
    pub email: Email,
    pub role: Role,
    pub app_name: String,
    pub invited_by_name: String,
    /// True when the email already has an admin account: accept with its password.
    pub account_exists: bool,
    pub expires_at: time::OffsetDateTime,
}

fn denied(d: TeamDenied) -> AppError {
    match d {
        TeamDenied::NotAllowed => AppError::forbidden("insufficient_role", "your role cannot change the team"),
        TeamDenied::OwnerOnly => AppError::forbidden("owner_only", "only an owner can give the owner role"),
        TeamDenied::LastOwner => AppError::conflict("last_owner", "an app needs at least one owner: make someone else owner first"),
    }
}

fn bad_link() -> AppError {
    AppError::gone("invitation_invalid", "this invitation link is not valid; ask for a new invitation")
}

fn check_state(inv: &Invitation, now: time::OffsetDateTime) -> AppResult<()> {
    match InvitationState::of(inv.expires_at, inv.accepted_at, inv.revoked_at, now) {
        InvitationState::Pending => Ok(()),
        InvitationState::Expired => Err(AppError::gone("invitation_expired", "this invitation has expired; ask for a new one")),
        InvitationState::Accepted => Err(AppError::gone("invitation_used", "this invitation was already accepted; log in instead")),
        InvitationState::Revoked => Err(AppError::gone("invitation_revoked", "this invitation was revoked or replaced by a newer one")),
    }
}

/// Splits `<app_id>.<secret>`.
fn parse_token(token: &str) -> AppResult<(AppId, String)> {
    let (app, raw) = token.trim().split_once('.').ok_or_else(bad_link)?;
    let app = AppId::parse(app).map_err(|_| bad_link())?;
    if raw.is_empty() || raw.len() > 200 {
        return Err(bad_link());
    }
    Ok((app, token_hash(raw)))
}

/// The actor's current role, read inside the caller's transaction.
async fn actor_role(conn: &mut Conn<'_>, actor: &TeamActor) -> AppResult<Role> {
    admins::role_in(conn, &actor.app_id, &actor.admin_id)
        .await?
        .ok_or_else(|| AppError::unauthorized("invalid_token", "this admin no longer belongs to the app"))
}

fn team_lock(app: &AppId) -> String {
    format!("team:{app}")
}

/// Revokes the live keys `admin` created in `app` that `keep` rejects.
async fn revoke_keys_of(conn: &mut Conn<'_>, app: &AppId, admin: &AdminId, now: time::OffsetDateTime, keep: impl Fn(&api_keys::ApiKey) -> bool) -> AppResult<usize> {
    let mut n = 0;
    for key in api_keys::list_live_created_by(conn, app, admin.as_str()).await? {
        if !keep(&key) && api_keys::revoke(conn, app, &key.id, now).await? {
            n += 1;
        }
    }
    Ok(n)
}

impl Services {
    pub async fn team(&self, app: &AppId) -> AppResult<Team> {
        let mut c = self.db.acquire().await?;
        let members = admins::list_team(&mut c.conn(), app).await?.into_iter().map(Into::into).collect();
        let invitations = invitations::list_open(&mut c.conn(), app).await?.into_iter().map(Into::into).collect();
        Ok(Team { members, invitations })
    }

    fn invite_url(&self, app: &AppId, raw: &str) -> String {
        // The SPA is served at the public URL (like member magic links); an
        // app's site_url is the owner's own website, which has no such route.
        format!("{}/accept-invite?token={app}.{raw}", self.config.public_url)
    }

    /// Invites `email` to the team as `role` and emails the link. A new
    /// invitation to the same email replaces the open one. Answers the invitation's id.
    pub async fn invite_admin(&self, actor: &TeamActor, email: &str, role: &str) -> AppResult<InvitationId> {
        let mut errs = ValidationErrors::new();
        let email = errs.check("email", Email::parse(email));
        let role = errs.check("role", role.parse::<Role>());
        errs.clone().into_result()?;
        let (Some(email), Some(role)) = (email, role) else { return Err(errs.into()) };
        let app = &actor.app_id;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        lock_for_update(&mut tx.conn(), &team_lock(app)).await?;
        may_invite(actor_role(&mut tx.conn(), actor).await?, role).map_err(denied)?;
        if let Some(existing) = admins::find_by_email(&mut tx.conn(), &email).await? {
            if admins::role_in(&mut tx.conn(), app, &existing.admin.id).await?.is_some() {
                return Err(AppError::conflict("already_member", format!("{email} is already on this team")));
            }
        }
        let appv = apps::find(&mut tx.conn(), app).await?.ok_or(AppError::NotFound("app"))?;
        let inviter = admins::find_by_id(&mut tx.conn(), &actor.admin_id).await?.ok_or(AppError::NotFound("admin"))?;
        invitations::revoke_open_for_email(&mut tx.conn(), app, &email, now).await?;
        let raw = random_token();
        let inv = Invitation {
            id: InvitationId::new(),
            app_id: app.clone(),
            email,
            role,
            invited_by: actor.admin_id.clone(),
            expires_at: now + INVITATION_TTL,
            created_at: now,
            accepted_at: None,
            accepted_by: None,
            revoked_at: None,
        };
        match invitations::insert(&mut tx.conn(), &inv, &token_hash(&raw)).await {
            Err(DbError::Taken(Unique::OpenInvitation)) => return Err(AppError::conflict("invitation_conflict", "another invitation to this email was just sent; reload")),
            r => r?,
        }
        let link = self.invite_url(app, &raw);
        let who = if inviter.name.is_empty() { inviter.email.to_string() } else { inviter.name.clone() };
        let msg = mail::admin_invite(&mail::Site::of(Some(&appv)), &who, role.as_str(), &link, INVITATION_TTL.whole_days());
        mail::enqueue(&mut tx.conn(), app, inv.email.as_str(), msg, now).await?;
        tollgate_persistence::audit::set_target_id(&inv.id);
        tx.commit().await?;
        self.jobs_ready.notify_one();
        tracing::info!(app_id = %app, invitation_id = %inv.id, role = role.as_str(), "admin invited");
        Ok(inv.id)
    }

    /// Revokes an open invitation (its link stops working).
    pub async fn revoke_invitation(&self, actor: &TeamActor, id: &InvitationId) -> AppResult<()> {
        let app = &actor.app_id;
        let mut tx = self.db.begin().await?;
        let role = actor_role(&mut tx.conn(), actor).await?;
        let inv = invitations::find(&mut tx.conn(), app, id).await?.ok_or(AppError::NotFound("invitation"))?;
        may_invite(role, inv.role).map_err(denied)?;
        if inv.accepted_at.is_some() {
            return Err(AppError::conflict("already_accepted", "this invitation was already accepted; remove the admin instead"));
        }
        if !invitations::revoke(&mut tx.conn(), app, id, self.now()).await? {
            return Err(AppError::conflict("already_revoked", "this invitation was already revoked"));
        }
        tx.commit().await?;
        Ok(())
    }

    /// What an invitation link is for; errors as `accept_invitation` would.
    pub async fn preview_invitation(&self, token: &str) -> AppResult<InvitationPreview> {
        let (app, hash) = parse_token(token)?;
        let mut c = self.db.acquire().await?;
        let inv = invitations::find_by_token(&mut c.conn(), &app, &hash).await?.ok_or_else(bad_link)?;
        check_state(&inv, self.now())?;
        let appv = apps::find(&mut c.conn(), &app).await?.ok_or_else(bad_link)?;
        let inviter = admins::find_by_id(&mut c.conn(), &inv.invited_by).await?;
        let account_exists = admins::find_by_email(&mut c.conn(), &inv.email).await?.is_some();
        Ok(InvitationPreview {
            email: inv.email,
            role: inv.role,
            app_name: appv.name,
            invited_by_name: inviter.map(|a| if a.name.is_empty() { a.email.to_string() } else { a.name }).unwrap_or_default(),
            account_exists,
            expires_at: inv.expires_at,
        })
    }

    /// Accepts an invitation: creates the admin account (or checks the
    /// password of the existing one), joins the team with the invited role,
    /// uses the token up, and opens a session like a login.
    /// Throttled like a login: per client IP, and per account when it checks
    /// an existing account's password.
    pub async fn accept_invitation(&self, token: &str, name: &str, pw: &str, client: Option<IpAddr>) -> AppResult<Session> {
        self.throttle.check_ip(client)?;
        let (app, hash) = parse_token(token)?;
        // Read and do the slow password work outside the write transaction.
        let mut c = self.db.acquire().await?;
        let inv = invitations::find_by_token(&mut c.conn(), &app, &hash).await?.ok_or_else(bad_link)?;
        check_state(&inv, self.now())?;
        let existing = admins::find_by_email(&mut c.conn(), &inv.email).await?;
        drop(c);
        let new_account = match &existing {
            Some(creds) => {
                let attempt = self.password_attempt(client, Account::Admin(inv.email.as_str())).await?;
                if !verify_password_async(pw, Some(creds.password_hash.as_str())).await {
                    self.password_failed(attempt).await?;
                    return Err(AppError::field("password", "wrong_password", "this is not the password of your existing Tollgate account"));
                }
                self.password_ok(attempt).await?;
                None
            }
            None => {
                let mut errs = ValidationErrors::new();
                let checked_name = errs.check("name", text(name, 1, 200));
                let pw = errs.check("password", password(pw, &[inv.email.as_str(), name]));
                let name = checked_name;
                errs.clone().into_result()?;
                let (Some(name), Some(pw)) = (name, pw) else { return Err(errs.into()) };
                Some((Admin { id: AdminId::new(), email: inv.email.clone(), name, created_at: self.now() }, hash_password_async(&pw).await?))
            }
        };
        let now = self.now();
        let mut tx = self.db.begin().await?;
        lock_for_update(&mut tx.conn(), &team_lock(&app)).await?;
        let admin = match (existing, new_account) {
            (Some(creds), _) => creds.admin,
            (None, Some((admin, hash))) => {
                match admins::insert(&mut tx.conn(), &admin, &hash).await {
                    Err(DbError::Taken(Unique::AdminEmail)) => return Err(AppError::conflict("account_exists", "an account with this email was just created; reload and enter its password")),
                    r => r?,
                }
                admin
            }
            (None, None) => return Err(AppError::Internal("no account to accept with".into())),
        };
        if admins::role_in(&mut tx.conn(), &app, &admin.id).await?.is_some() {
            return Err(AppError::conflict("already_member", "you are already on this team; log in instead"));
        }
        if !invitations::mark_accepted(&mut tx.conn(), &app, &inv.id, &admin.id, now).await? {
            let fresh = invitations::find(&mut tx.conn(), &app, &inv.id).await?.ok_or_else(bad_link)?;
            check_state(&fresh, now)?;
            return Err(bad_link());
        }
        admins::add_to_app(&mut tx.conn(), &app, &admin.id, inv.role, now).await?;
        tx.commit().await?;
        tracing::info!(app_id = %app, admin_id = %admin.id, role = inv.role.as_str(), "invitation accepted");
        self.open_admin_session(admin, Some(&app)).await
    }

    /// Changes a team member's role (owners only; an app keeps an owner).
    pub async fn change_admin_role(&self, actor: &TeamActor, target: &AdminId, role: &str) -> AppResult<TeamMemberView> {
        let role = role.parse::<Role>().map_err(|p| AppError::field("role", p.code, p.message))?;
        let app = &actor.app_id;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        lock_for_update(&mut tx.conn(), &team_lock(app)).await?;
        let me = actor_role(&mut tx.conn(), actor).await?;
        if me != Role::Owner {
            return Err(denied(TeamDenied::NotAllowed));
        }
        let current = admins::role_in(&mut tx.conn(), app, target).await?.ok_or(AppError::NotFound("admin"))?;
        let owners = admins::count_owners(&mut tx.conn(), app).await?;
        may_change_role(me, current, role, owners).map_err(denied)?;
        admins::set_role(&mut tx.conn(), app, target, role).await?;
        if role < current {
            let n = revoke_keys_of(&mut tx.conn(), app, target, now, |k| k.scopes.iter().all(|s| role.allows(*s))).await?;
            if n > 0 {
                tracing::info!(app_id = %app, admin_id = %target, revoked_keys = n, "demoted admin's over-scoped API keys revoked");
            }
        }
        let member = admins::list_team(&mut tx.conn(), app).await?.into_iter().find(|m| &m.admin.id == target).ok_or(AppError::NotFound("admin"))?;
        tx.commit().await?;
        Ok(member.into())
    }

    /// Removes an admin from the team (owners), or leaves it (anyone). Their
    /// sessions in the app end and the API keys they created are revoked.
    pub async fn remove_admin(&self, actor: &TeamActor, target: &AdminId) -> AppResult<()> {
        let app = &actor.app_id;
        let now = self.now();
        let mut tx = self.db.begin().await?;
        lock_for_update(&mut tx.conn(), &team_lock(app)).await?;
        let me = actor_role(&mut tx.conn(), actor).await?;
        let is_self = &actor.admin_id == target;
        if !is_self && me != Role::Owner {
            return Err(denied(TeamDenied::NotAllowed));
        }
        let theirs = admins::role_in(&mut tx.conn(), app, target).await?.ok_or(AppError::NotFound("admin"))?;
        let owners = admins::count_owners(&mut tx.conn(), app).await?;
        may_remove(me, theirs, is_self, owners).map_err(denied)?;
        admins::remove_from_app(&mut tx.conn(), app, target).await?;
        let ended = sessions::revoke_subject(&mut tx.conn(), app, SubjectKind::Admin, target.as_str(), now).await?;
        let keys = revoke_keys_of(&mut tx.conn(), app, target, now, |_| false).await?;
        tx.commit().await?;
        tracing::info!(app_id = %app, admin_id = %target, sessions = ended, revoked_keys = keys, "admin removed from team");
        Ok(())
    }
}
