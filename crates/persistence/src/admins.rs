//! Admin accounts (global) and their roles in apps.

use std::str::FromStr;

use time::OffsetDateTime;
use tollgate_domain::auth::Role;
use tollgate_domain::email::Email;
use tollgate_domain::ids::{AdminId, AppId};

use crate::{Conn, DbError, DbResult, at, ms, on};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Admin {
    pub id: AdminId,
    pub email: Email,
    pub name: String,
    pub created_at: OffsetDateTime,
}

/// An admin with the secret needed to check a login.
#[derive(Debug, Clone)]
pub struct AdminCredentials {
    pub admin: Admin,
    pub password_hash: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Membership {
    pub app_id: AppId,
    pub app_name: String,
    pub role: Role,
}

#[derive(sqlx::FromRow)]
struct AdminRow {
    id: String,
    email: String,
    name: String,
    password_hash: String,
    created_at: i64,
}

impl From<AdminRow> for AdminCredentials {
    fn from(r: AdminRow) -> Self {
        AdminCredentials {
            admin: Admin {
                id: AdminId::from_trusted(r.id),
                email: Email::from_trusted(r.email),
                name: r.name,
                created_at: at(r.created_at),
            },
            password_hash: r.password_hash,
        }
    }
}

pub async fn count(conn: &mut Conn<'_>) -> DbResult<i64> {
    let (n,): (i64,) = on!(conn, c => sqlx::query_as("SELECT COUNT(*) FROM admins").fetch_one(&mut **c).await?);
    Ok(n)
}

/// Inserts an admin; `DbError::UniqueViolation` when the email is taken.
pub async fn insert(conn: &mut Conn<'_>, admin: &Admin, password_hash: &str) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("INSERT INTO admins (id, email, name, password_hash, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $5)")
            .bind(admin.id.as_str())
            .bind(admin.email.as_str())
            .bind(&admin.name)
            .bind(password_hash)
            .bind(ms(admin.created_at))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

pub async fn find_by_email(conn: &mut Conn<'_>, email: &Email) -> DbResult<Option<AdminCredentials>> {
    let r: Option<AdminRow> = on!(conn, c => sqlx::query_as(
        "SELECT id, email, name, password_hash, created_at FROM admins WHERE email = $1",
    )
    .bind(email.as_str())
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(Into::into))
}

pub async fn find_by_id(conn: &mut Conn<'_>, id: &AdminId) -> DbResult<Option<Admin>> {
    let r: Option<AdminRow> = on!(conn, c => sqlx::query_as(
        "SELECT id, email, name, password_hash, created_at FROM admins WHERE id = $1",
    )
    .bind(id.as_str())
    .fetch_optional(&mut **c)
    .await?);
    Ok(r.map(|r| AdminCredentials::from(r).admin))
}

pub async fn add_to_app(conn: &mut Conn<'_>, app: &AppId, admin: &AdminId, role: Role, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => {
        sqlx::query("INSERT INTO app_admins (app_id, admin_id, role, created_at) VALUES ($1, $2, $3, $4)")
            .bind(app.as_str())
            .bind(admin.as_str())
            .bind(role.as_str())
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
    });
    Ok(())
}

/// The admin's role in `app`, if any.
pub async fn role_in(conn: &mut Conn<'_>, app: &AppId, admin: &AdminId) -> DbResult<Option<Role>> {
    let r: Option<(String,)> = on!(conn, c => sqlx::query_as("SELECT role FROM app_admins WHERE app_id = $1 AND admin_id = $2")
        .bind(app.as_str())
        .bind(admin.as_str())
        .fetch_optional(&mut **c)
        .await?);
    r.map(|(s,)| Role::from_str(&s).map_err(|_| DbError::corrupt(format!("role {s}")))).transpose()
}

/// Every app the admin belongs to, in the order they joined.
pub async fn memberships(conn: &mut Conn<'_>, admin: &AdminId) -> DbResult<Vec<Membership>> {
    let rows: Vec<(String, String, String)> = on!(conn, c => sqlx::query_as(
        "SELECT m.app_id, a.name, m.role FROM app_admins m JOIN apps a ON a.id = m.app_id \
         WHERE m.admin_id = $1 ORDER BY m.created_at, m.app_id",
    )
    .bind(admin.as_str())
    .fetch_all(&mut **c)
    .await?);
    rows.into_iter()
        .map(|(app, name, role)| {
            Ok(Membership {
                app_id: AppId::from_trusted(app),
                app_name: name,
                role: Role::from_str(&role).map_err(|_| DbError::corrupt(format!("role {role}")))?,
            })
        })
        .collect()
}

/// An admin as a member of one app's team.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TeamMember {
    pub admin: Admin,
    pub role: Role,
    pub joined_at: OffsetDateTime,
}

fn parse_role(s: &str) -> DbResult<Role> {
    Role::from_str(s).map_err(|_| DbError::corrupt(format!("role {s}")))
}

/// The app's team, owners first, then by when they joined.
pub async fn list_team(conn: &mut Conn<'_>, app: &AppId) -> DbResult<Vec<TeamMember>> {
    let rows: Vec<(String, String, String, i64, String, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT a.id, a.email, a.name, a.created_at, m.role, m.created_at FROM app_admins m JOIN admins a ON a.id = m.admin_id \
         WHERE m.app_id = $1 ORDER BY m.created_at, a.id",
    )
    .bind(app.as_str())
    .fetch_all(&mut **c)
    .await?);
    rows.into_iter()
        .map(|(id, email, name, created, role, joined)| {
            Ok(TeamMember {
                admin: Admin { id: AdminId::from_trusted(id), email: Email::from_trusted(email), name, created_at: at(created) },
                role: parse_role(&role)?,
                joined_at: at(joined),
            })
        })
        .collect()
}

/// How many owners the app has.
pub async fn count_owners(conn: &mut Conn<'_>, app: &AppId) -> DbResult<usize> {
    let (n,): (i64,) = on!(conn, c => sqlx::query_as("SELECT COUNT(*) FROM app_admins WHERE app_id = $1 AND role = 'owner'")
        .bind(app.as_str())
        .fetch_one(&mut **c)
        .await?);
    Ok(n as usize)
}

/// Changes an admin's role in `app`; false when they are not in its team.
pub async fn set_role(conn: &mut Conn<'_>, app: &AppId, admin: &AdminId, role: Role) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE app_admins SET role = $3 WHERE app_id = $1 AND admin_id = $2")
        .bind(app.as_str())
        .bind(admin.as_str())
        .bind(role.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Takes an admin out of `app`'s team (the account stays); false when they were not in it.
pub async fn remove_from_app(conn: &mut Conn<'_>, app: &AppId, admin: &AdminId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM app_admins WHERE app_id = $1 AND admin_id = $2")
        .bind(app.as_str())
        .bind(admin.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Replaces an admin's password hash.
pub async fn set_password(conn: &mut Conn<'_>, admin: &AdminId, password_hash: &str, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE admins SET password_hash = $2, updated_at = $3 WHERE id = $1")
        .bind(admin.as_str())
        .bind(password_hash)
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}
