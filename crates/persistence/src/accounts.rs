//! Accounts (companies) and their seats.

use time::OffsetDateTime;
use tollgate_domain::ids::{AccountId, AppId, UserId};
use tollgate_domain::page::{Limit, Page};

use crate::{Conn, DbResult, at, ms, on};

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    pub id: AccountId,
    pub name: String,
    pub owner_id: UserId,
    pub stripe_customer_id: String,
    pub seats: i64,
    pub created_at: OffsetDateTime,
    pub updated_at: OffsetDateTime,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Seat {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    pub role: String,
    pub added_at: OffsetDateTime,
}

type Row = (String, String, String, String, i64, i64, i64);

fn account(r: Row) -> Account {
    Account { id: AccountId::from_trusted(r.0), name: r.1, owner_id: UserId::from_trusted(r.2), stripe_customer_id: r.3, seats: r.4, created_at: at(r.5), updated_at: at(r.6) }
}

pub async fn find(conn: &mut Conn<'_>, app: &AppId, id: &AccountId) -> DbResult<Option<Account>> {
    let r: Option<Row> = on!(conn, c => sqlx::query_as("SELECT id, name, owner_id, stripe_customer_id, seats, created_at, updated_at FROM accounts WHERE app_id = $1 AND id = $2")
        .bind(app.as_str()).bind(id.as_str()).fetch_optional(&mut **c).await?);
    Ok(r.map(account))
}

pub async fn by_customer(conn: &mut Conn<'_>, app: &AppId, customer: &str) -> DbResult<Option<Account>> {
    let r: Option<Row> = on!(conn, c => sqlx::query_as("SELECT id, name, owner_id, stripe_customer_id, seats, created_at, updated_at FROM accounts WHERE app_id = $1 AND stripe_customer_id = $2")
        .bind(app.as_str()).bind(customer).fetch_optional(&mut **c).await?);
    Ok(r.map(account))
}

/// The account a member sits in, and their role there.
pub async fn of_member(conn: &mut Conn<'_>, app: &AppId, user: &UserId) -> DbResult<Option<(Account, String)>> {
    let r: Option<(String, String, String, String, i64, i64, i64, String)> = on!(conn, c => sqlx::query_as(
        "SELECT a.id, a.name, a.owner_id, a.stripe_customer_id, a.seats, a.created_at, a.updated_at, m.role FROM account_members m \
         JOIN accounts a ON a.app_id = m.app_id AND a.id = m.account_id WHERE m.app_id = $1 AND m.user_id = $2")
        .bind(app.as_str()).bind(user.as_str()).fetch_optional(&mut **c).await?);
    Ok(r.map(|r| (account((r.0, r.1, r.2, r.3, r.4, r.5, r.6)), r.7)))
}

pub async fn insert(conn: &mut Conn<'_>, app: &AppId, a: &Account) -> DbResult<()> {
    on!(conn, c => sqlx::query(
        "INSERT INTO accounts (app_id, id, name, owner_id, stripe_customer_id, seats, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)")
        .bind(app.as_str()).bind(a.id.as_str()).bind(&a.name).bind(a.owner_id.as_str()).bind(&a.stripe_customer_id).bind(a.seats).bind(ms(a.created_at)).bind(ms(a.updated_at))
        .execute(&mut **c).await.map(|_| ()))?;
    Ok(())
}

pub async fn set_seats(conn: &mut Conn<'_>, app: &AppId, id: &AccountId, seats: i64, now: OffsetDateTime) -> DbResult<()> {
    on!(conn, c => sqlx::query("UPDATE accounts SET seats = $3, updated_at = $4 WHERE app_id = $1 AND id = $2 AND seats <> $3")
        .bind(app.as_str()).bind(id.as_str()).bind(seats).bind(ms(now)).execute(&mut **c).await.map(|_| ()))?;
    Ok(())
}

/// Seats the member (false: they sit in an account already).
pub async fn add_member(conn: &mut Conn<'_>, app: &AppId, account: &AccountId, user: &UserId, role: &str, now: OffsetDateTime) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query(
        "INSERT INTO account_members (app_id, account_id, user_id, role, added_at) VALUES ($1, $2, $3, $4, $5) ON CONFLICT DO NOTHING")
        .bind(app.as_str()).bind(account.as_str()).bind(user.as_str()).bind(role).bind(ms(now)).execute(&mut **c).await?.rows_affected());
    Ok(n == 1)
}

pub async fn remove_member(conn: &mut Conn<'_>, app: &AppId, account: &AccountId, user: &UserId) -> DbResult<bool> {
    let n = on!(conn, c => sqlx::query("DELETE FROM account_members WHERE app_id = $1 AND account_id = $2 AND user_id = $3 AND role <> 'owner'")
        .bind(app.as_str()).bind(account.as_str()).bind(user.as_str()).execute(&mut **c).await?.rows_affected());
    Ok(n == 1)
}

/// Everyone in the account, the owner first.
pub async fn seats(conn: &mut Conn<'_>, app: &AppId, account: &AccountId) -> DbResult<Vec<Seat>> {
    let r: Vec<(String, String, String, String, i64)> = on!(conn, c => sqlx::query_as(
        "SELECT m.user_id, u.email, u.name, m.role, m.added_at FROM account_members m JOIN users u ON u.app_id = m.app_id AND u.id = m.user_id \
         WHERE m.app_id = $1 AND m.account_id = $2 ORDER BY CASE m.role WHEN 'owner' THEN 0 ELSE 1 END, m.added_at, m.user_id LIMIT 1000")
        .bind(app.as_str()).bind(account.as_str()).fetch_all(&mut **c).await?);
    Ok(r.into_iter().map(|r| Seat { user_id: UserId::from_trusted(r.0), email: r.1, name: r.2, role: r.3, added_at: at(r.4) }).collect())
}

/// Accounts by name (keyset on the id).
pub async fn list(conn: &mut Conn<'_>, app: &AppId, after: Option<&AccountId>, limit: Limit) -> DbResult<Page<Account>> {
    let rows: Vec<Row> = on!(conn, c => {
        let mut qb = sqlx::QueryBuilder::new("SELECT id, name, owner_id, stripe_customer_id, seats, created_at, updated_at FROM accounts WHERE app_id = ");
        qb.push_bind(app.as_str());
        if let Some(a) = after {
            qb.push(" AND id < ").push_bind(a.as_str());
        }
        qb.push(" ORDER BY id DESC LIMIT ").push_bind(limit.probe());
        qb.build_query_as().fetch_all(&mut **c).await?
    });
    Ok(Page::from_probe(rows.into_iter().map(account).collect(), limit, |a| a.id.to_string()))
}
