//! Members of a site.

use time::OffsetDateTime;
use tollgate_domain::email::Email;
use tollgate_domain::ids::{AppId, UserId};
use tollgate_domain::page::{Limit, Page};
use tollgate_domain::stages::CustomerFigures;
use tollgate_domain::user::User;

use crate::{Conn, DbResult, at, ms, on, opt_at};

#[derive(sqlx::FromRow)]
struct UserRow {
    app_id: String,
    id: String,
    email: String,
    name: String,
    has_password: bool,
    last_login_at: Option<i64>,
    created_at: i64,
    updated_at: i64,
    stage: Option<String>,
    mrr: i64,
    mrr_currency: Option<String>,
    renews_at: Option<i64>,
}

impl From<UserRow> for User {
    fn from(r: UserRow) -> Self {
        User {
            id: UserId::from_trusted(r.id),
            app_id: AppId::from_trusted(r.app_id),
            email: Email::from_trusted(r.email),
            name: r.name,
            has_password: r.has_password,
            last_login_at: opt_at(r.last_login_at),
            created_at: at(r.created_at),
            updated_at: at(r.updated_at),
            customer: CustomerFigures { stage: r.stage, mrr: r.mrr, currency: r.mrr_currency, renews_at: opt_at(r.renews_at) },
        }
    }
}

#[derive(sqlx::FromRow)]
struct CredRow {
    #[sqlx(flatten)]
    user: UserRow,
    password_hash: Option<String>,
}

macro_rules! cols {
    () => {
        "app_id, id, email, name, (password_hash IS NOT NULL) AS has_password, last_login_at, created_at, updated_at, stage, mrr, mrr_currency, renews_at"
    };
}

macro_rules! insert_sql {
    ($tail:literal) => {
        concat!(
            "INSERT INTO users (app_id, id, email, name, password_hash, last_login_at, created_at, updated_at, name_folded) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)",
            $tail
        )
    };
}

/// Inserts a member; `DbError::UniqueViolation` when the email is taken in this app.
pub async fn insert(conn: &mut Conn<'_>, u: &User, password_hash: Option<&str>) -> DbResult<()> {
    insert_with(conn, u, password_hash, insert_sql!("")).await.map(|_| ())
}

/// Inserts a member unless one with the same email exists in the app
/// (created meanwhile by a concurrent transaction, which this one waits
/// for on PostgreSQL). `false` when nothing was inserted: read the existing
/// member by email. Never fails on the unique email.
pub async fn insert_if_absent(conn: &mut Conn<'_>, u: &User, password_hash: Option<&str>) -> DbResult<bool> {
    insert_with(conn, u, password_hash, insert_sql!(" ON CONFLICT (app_id, email) DO NOTHING")).await.map(|n| n == 1)
}


async fn insert_with(conn: &mut Conn<'_>, u: &User, password_hash: Option<&str>, sql: &'static str) -> DbResult<u64> {
    let n = on!(conn, c => {
        sqlx::query(sql)
        .bind(u.app_id.as_str())
        .bind(u.id.as_str())
        .bind(u.email.as_str())
        .bind(&u.name)
        .bind(password_hash)
        .bind(u.last_login_at.map(ms))
        .bind(ms(u.created_at))
        .bind(ms(u.updated_at))
        .bind(fold(&u.name))
        .execute(&mut **c)
        .await?
        .rows_affected()
    });
    Ok(n)
}

/// A name as search compares it: lower case, Unicode-aware (É → é), which
/// SQLite's LOWER() is not.
fn fold(name: &str) -> String {
    name.to_lowercase()
}

/// Fills `name_folded` for members stored before it existed (run after
/// migrating; a no-op once done). Returns how many were filled.
pub async fn backfill_folded_names(conn: &mut Conn<'_>) -> DbResult<u64> {
    let mut filled = 0;
    loop {
        let rows: Vec<(String, String, String)> = on!(conn, c => sqlx::query_as("SELECT app_id, id, name FROM users WHERE name_folded IS NULL LIMIT 500")
            .fetch_all(&mut **c)
            .await?);
        if rows.is_empty() {
            return Ok(filled);
        }
        for (app, id, name) in rows {
            on!(conn, c => sqlx::query("UPDATE users SET name_folded = $3 WHERE app_id = $1 AND id = $2")
                .bind(&app)
                .bind(&id)
                .bind(fold(&name))
                .execute(&mut **c)
                .await
                .map(|_| ()))?;
            filled += 1;
        }
    }
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &UserId) -> DbResult<Option<User>> {
    let r: Option<UserRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM users WHERE app_id = $1 AND id = $2"))
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(Into::into))
}

pub async fn find_by_email(conn: &mut Conn<'_>, app: &AppId, email: &Email) -> DbResult<Option<User>> {
    let r: Option<UserRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), " FROM users WHERE app_id = $1 AND email = $2"))
        .bind(app.as_str())
        .bind(email.as_str())
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(Into::into))
}

/// The member and their password hash, for a login check.
pub async fn find_credentials(conn: &mut Conn<'_>, app: &AppId, email: &Email) -> DbResult<Option<(User, Option<String>)>> {
    let r: Option<CredRow> = on!(conn, c => sqlx::query_as(concat!("SELECT ", cols!(), ", password_hash FROM users WHERE app_id = $1 AND email = $2"))
        .bind(app.as_str())
        .bind(email.as_str())
        .fetch_optional(&mut **c)
        .await?);
    Ok(r.map(|r| (r.user.into(), r.password_hash)))
}

/// Writes name and email; `DbError::UniqueViolation` when the new email is taken.
pub async fn update(conn: &mut Conn<'_>, u: &User) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE users SET email = $3, name = $4, updated_at = $5, name_folded = $6 WHERE app_id = $1 AND id = $2")
        .bind(u.app_id.as_str())
        .bind(u.id.as_str())
        .bind(u.email.as_str())
        .bind(&u.name)
        .bind(ms(u.updated_at))
        .bind(fold(&u.name))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

pub async fn set_password(conn: &mut Conn<'_>, app: &AppId, id: &UserId, hash: &str, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE users SET password_hash = $3, updated_at = $4 WHERE app_id = $1 AND id = $2")
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(hash)
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Records a login and returns the previous login time.
pub async fn record_login(conn: &mut Conn<'_>, app: &AppId, id: &UserId, now: OffsetDateTime) -> DbResult<Option<OffsetDateTime>> {
    let prev: Option<(Option<i64>,)> = on!(conn, c => sqlx::query_as("SELECT last_login_at FROM users WHERE app_id = $1 AND id = $2")
        .bind(app.as_str())
        .bind(id.as_str())
        .fetch_optional(&mut **c)
        .await?);
    on!(conn, c => {
        sqlx::query("UPDATE users SET last_login_at = $3 WHERE app_id = $1 AND id = $2")
            .bind(app.as_str())
            .bind(id.as_str())
            .bind(ms(now))
            .execute(&mut **c)
            .await?;
    });
    Ok(prev.and_then(|(p,)| p).map(at))
}

/// Lists members newest first. `query` matches the start of the email or
/// any part of the name, case-insensitively in any script (the name is
/// compared in its folded form).
pub async fn list(conn: &mut Conn<'_>, app: &AppId, query: Option<&str>, after: Option<&UserId>, limit: Limit) -> DbResult<Page<User>> {
    list_filtered(conn, app, query, &UserFilter::default(), after, limit).await
}

/// The members list's filters beside the search.
#[derive(Debug, Clone, Default)]
pub struct UserFilter {
    /// Members in this lifecycle stage.
    pub stage: Option<String>,
    /// Members whose renewal date falls in `[from, until]`.
    pub renews_between: Option<(OffsetDateTime, OffsetDateTime)>,
    /// Members with access to this product at `now` (an open grant not ended).
    pub has_product: Option<String>,
    /// Members without access to this product at `now`.
    pub lacks_product: Option<String>,
    /// Members holding an open grant from this source (`AccessSource::as_str`).
    pub source: Option<String>,
    pub mrr_min: Option<i64>,
    pub mrr_max: Option<i64>,
    pub last_login_after: Option<OffsetDateTime>,
    /// Last login before this time, or never.
    pub last_login_before: Option<OffsetDateTime>,
    /// `Some(true)`: past the inactivity threshold; `Some(false)`: not.
    pub inactive: Option<bool>,
    pub created_after: Option<OffsetDateTime>,
    pub created_before: Option<OffsetDateTime>,
    /// The time access is judged at.
    pub now: Option<OffsetDateTime>,
    /// Only this member (does one member match?).
    pub only_user: Option<String>,
}

/// An FTS5 trigram query for a search: the text as one quoted string
/// (matching it anywhere in the email or the name), or `None` below three
/// characters, which a trigram index cannot look up.
fn trigram_match(q: &str) -> Option<String> {
    let q = q.trim().to_lowercase();
    (q.chars().count() >= 3).then(|| format!("{{email name}} : \"{}\"", q.replace('"', "\"\"")))
}

/// Appends the WHERE clause of the filters (one expansion per backend).
macro_rules! push_filters {
    ($qb:expr, $app:expr, $query:expr, $f:expr, $after:expr, $sqlite:expr, $count:expr) => {{
        let qb = $qb;
        let (app, query, f, after): (&AppId, Option<&str>, &UserFilter, Option<&UserId>) = ($app, $query, $f, $after);
        qb.push(" WHERE app_id = ").push_bind(app.as_str());
        if let Some(a) = after {
            qb.push(" AND id < ").push_bind(a.as_str().to_owned());
        }
        // A page's cursor bounds the grants a filter probes too (`g.user_id < cursor`):
        // the planners merge members and grants in id order and do not carry the
        // bound across on their own, so a deep page would first walk every grant
        // above the cursor.
        let grant_bound = |qb: &mut sqlx::QueryBuilder<_>| {
            if let Some(a) = after {
                qb.push(" AND g.user_id < ").push_bind(a.as_str().to_owned());
            }
        };
        if let Some(u) = &f.only_user {
            qb.push(" AND id = ").push_bind(u.clone());
        }
        if let Some(q) = query {
            // SQLite: the trigram index (users_search) finds the candidates of a search of
            // three characters or more; the LIKEs below keep the exact meaning. PostgreSQL
            // serves the same LIKEs from its pg_trgm and text_pattern_ops indexes.
            if $sqlite {
                if let Some(m) = trigram_match(q) {
                    qb.push(" AND id IN (SELECT user_id FROM users_search WHERE users_search MATCH ").push_bind(m).push(" AND app_id = ").push_bind(app.as_str()).push(")");
                }
            }
            let esc = q.trim().to_lowercase().replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_");
            qb.push(" AND (email LIKE ").push_bind(format!("{esc}%")).push(" ESCAPE '\\' OR name_folded LIKE ");
            qb.push_bind(format!("%{esc}%")).push(" ESCAPE '\\')");
        }
        if let Some(stage) = &f.stage {
            qb.push(" AND stage = ").push_bind(stage.clone());
        }
        if let Some((from, until)) = f.renews_between {
            qb.push(" AND renews_at >= ").push_bind(ms(from)).push(" AND renews_at <= ").push_bind(ms(until));
        }
        let now = ms(f.now.unwrap_or_else(OffsetDateTime::now_utc));
        // A page (newest members first, LIMIT n) probes each member in id order
        // (EXISTS) and stops at n; a count starts from the product's grants
        // (`id IN`, access_grants_product_idx) instead of probing every member.
        for (product, has) in [(&f.has_product, true), (&f.lacks_product, false)] {
            if let Some(p) = product {
                if $count {
                    qb.push(if has { " AND id IN" } else { " AND id NOT IN" });
                    qb.push(" (SELECT g.user_id FROM access_grants g WHERE g.app_id = ").push_bind(app.as_str()).push(" AND g.product_id = ").push_bind(p.clone());
                } else {
                    qb.push(if has { " AND EXISTS" } else { " AND NOT EXISTS" });
                    qb.push(" (SELECT 1 FROM access_grants g WHERE g.app_id = users.app_id AND g.user_id = users.id AND g.product_id = ").push_bind(p.clone());
                }
                qb.push(" AND g.revoked_at IS NULL AND (g.ends_at IS NULL OR g.ends_at > ").push_bind(now).push(")");
                grant_bound(&mut *qb);
                qb.push(")");
            }
        }
        if let Some(src) = &f.source {
            qb.push(" AND EXISTS (SELECT 1 FROM access_grants g WHERE g.app_id = users.app_id AND g.user_id = users.id AND g.source = ").push_bind(src.clone());
            qb.push(" AND g.revoked_at IS NULL");
            grant_bound(&mut *qb);
            qb.push(")");
        }
        if let Some(v) = f.mrr_min {
            qb.push(" AND mrr >= ").push_bind(v);
        }
        if let Some(v) = f.mrr_max {
            qb.push(" AND mrr <= ").push_bind(v);
        }
        if let Some(t) = f.last_login_after {
            qb.push(" AND last_login_at >= ").push_bind(ms(t));
        }
        if let Some(t) = f.last_login_before {
            qb.push(" AND (last_login_at IS NULL OR last_login_at < ").push_bind(ms(t)).push(")");
        }
        match f.inactive {
            Some(true) => {
                qb.push(" AND inactive_since IS NOT NULL");
            }
            Some(false) => {
                qb.push(" AND inactive_since IS NULL");
            }
            None => {}
        }
        if let Some(t) = f.created_after {
            qb.push(" AND created_at >= ").push_bind(ms(t));
        }
        if let Some(t) = f.created_before {
            qb.push(" AND created_at < ").push_bind(ms(t));
        }
    }};
}

/// [`list`] with filters; newest first, keyset-paginated on the id.
///
/// On SQLite the page's ids are chosen first and its rows read after
/// (`id IN (SELECT id … LIMIT n)`): where a filter's index carries the id (the
/// renewal filter's), the matches are sorted from the index alone instead of
/// reading every matching row to keep the newest n.
pub async fn list_filtered(conn: &mut Conn<'_>, app: &AppId, query: Option<&str>, f: &UserFilter, after: Option<&UserId>, limit: Limit) -> DbResult<Page<User>> {
    let sqlite = matches!(conn, Conn::Sqlite(_, _));
    let rows: Vec<UserRow> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new(concat!("SELECT ", cols!(), " FROM users"));
        if sqlite {
            qb.push(" WHERE app_id = ").push_bind(app.as_str()).push(" AND id IN (SELECT id FROM users");
        }
        push_filters!(&mut qb, app, query, f, after, sqlite, false);
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.probe());
        if sqlite {
            qb.push(") ORDER BY id DESC");
        }
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(Page::from_probe(rows.into_iter().map(User::from).collect(), limit, |u| u.id.to_string()))
}

/// How many members match the filters.
pub async fn count_filtered(conn: &mut Conn<'_>, app: &AppId, query: Option<&str>, f: &UserFilter) -> DbResult<i64> {
    let sqlite = matches!(conn, Conn::Sqlite(_, _));
    let (n,): (i64,) = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT COUNT(*) FROM users");
        push_filters!(&mut qb, app, query, f, None, sqlite, true);
        qb.build_query_as().fetch_one(&mut **c).await?
    });
    Ok(n)
}

/// Members who crossed the inactivity threshold and were not marked yet:
/// last login (or, never logged in, creation) before `cutoff`.
pub async fn newly_inactive(conn: &mut Conn<'_>, app: &AppId, cutoff: OffsetDateTime, limit: i64) -> DbResult<Vec<UserId>> {
    let rows: Vec<(String,)> = on!(conn, c => sqlx::query_as(
        "SELECT id FROM users WHERE app_id = $1 AND inactive_since IS NULL AND COALESCE(last_login_at, created_at) < $2 ORDER BY id LIMIT $3",
    )
    .bind(app.as_str())
    .bind(ms(cutoff))
    .bind(limit)
    .fetch_all(&mut **c)
    .await?);
    Ok(rows.into_iter().map(|(u,)| UserId::from_trusted(u)).collect())
}

/// Marks a member inactive; false when already marked.
pub async fn mark_inactive(conn: &mut Conn<'_>, app: &AppId, id: &UserId, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE users SET inactive_since = $3 WHERE app_id = $1 AND id = $2 AND inactive_since IS NULL")
        .bind(app.as_str())
        .bind(id.as_str())
        .bind(ms(now))
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}

/// Clears the inactive mark at login; true when the member was marked inactive.
pub async fn clear_inactive(conn: &mut Conn<'_>, app: &AppId, id: &UserId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("UPDATE users SET inactive_since = NULL WHERE app_id = $1 AND id = $2 AND inactive_since IS NOT NULL")
        .bind(app.as_str())
        .bind(id.as_str())
        .execute(&mut **c)
        .await?
        .rows_affected());
    Ok(n == 1)
}
