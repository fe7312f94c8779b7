//! Accounts (the contact type "accounts", for sites that sell to companies): with the Stripe setting
//! `contact_type: "accounts"`, a Stripe customer is a company. The
//! customer's email is the account's owner; the owner (or an admin) seats
//! teammates up to the subscription's quantity, and every seat gets the
//! access the account's subscriptions give, with the same source and end
//! (so a canceled subscription takes it from everyone at once). Removing a
//! seat removes that person's access from the account's subscriptions.
//! MRR, stage and renewal date are the owner's (the subscriptions are theirs).

use time::OffsetDateTime;
use tollgate_domain::access::AccessSource;
use tollgate_domain::email::Email;
use tollgate_domain::ids::{AccountId, AppId, UserId};
use tollgate_domain::page::{Limit, Page};
use tollgate_persistence::accounts::{self as store, Account, Seat};
use tollgate_persistence::{Conn, access, stripe as stripe_repo};

use crate::connector_settings::ContactType;
use crate::error::{AppError, AppResult};
use crate::services::Services;
use crate::access::GrantSpec;

/// The seats a subscription pays for: its largest item quantity (at least 1).
pub fn seats_of(sub: &tollgate_stripe::types::Subscription) -> i64 {
    sub.items.data.iter().filter_map(|i| i.quantity).max().or(sub.quantity).unwrap_or(1).max(1) as i64
}

/// An account (a company) as an admin sees it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AccountInfo {
    pub id: AccountId,
    pub name: String,
    pub owner_id: UserId,
    pub stripe_customer_id: String,
    /// People the subscriptions pay for, the owner included.
    pub seats: i64,
    pub created_at: OffsetDateTime,
}

impl From<Account> for AccountInfo {
    fn from(a: Account) -> Self {
        AccountInfo { id: a.id, name: a.name, owner_id: a.owner_id, stripe_customer_id: a.stripe_customer_id, seats: a.seats, created_at: a.created_at }
    }
}

/// One person seated in an account.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SeatView {
    pub user_id: UserId,
    pub email: String,
    pub name: String,
    /// `owner` or `member`
    pub role: String,
    pub added_at: OffsetDateTime,
}

impl From<Seat> for SeatView {
    fn from(s: Seat) -> Self {
        SeatView { user_id: s.user_id, email: s.email, name: s.name, role: s.role, added_at: s.added_at }
    }
}

/// An account with its people.
#[derive(Debug, Clone)]
pub struct AccountView {
    pub account: AccountInfo,
    pub seats: Vec<SeatView>,
    /// The owner's figures (stage, MRR, renewal).
    pub owner: tollgate_domain::user::User,
}

impl Services {
    /// The app's contact type (`users` or `accounts`) and the customer metadata key naming an account.
    pub async fn account_settings(&self, app: &AppId) -> AppResult<(String, Option<String>)> {
        let s = self.stripe_settings(app).await?;
        Ok((s.contact_type().as_str().into(), s.account_metadata_key))
    }

    pub async fn set_account_settings(&self, app: &AppId, contact_type: &str, metadata_key: Option<String>) -> AppResult<(String, Option<String>)> {
        let Some(contact_type) = ContactType::parse(contact_type) else {
            return Err(AppError::field("contact_type", "invalid_choice", "users or accounts"));
        };
        let key = metadata_key.map(|k| k.trim().to_owned()).filter(|k| !k.is_empty());
        if key.as_ref().is_some_and(|k| k.len() > 40 || !k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-')) {
            return Err(AppError::field("account_metadata_key", "invalid_key", "a Stripe metadata key: letters, digits, _ and -, at most 40"));
        }
        self.update_stripe_settings(app, |s, _| {
            s.contact_type = Some(contact_type);
            // No key: none at all, not even one of another type kept from before.
            s.other.remove("account_metadata_key");
            s.account_metadata_key = key;
            Ok(())
        })
        .await?;
        self.account_settings(app).await
    }

    /// The customer's account (made on its first subscription), seats set to `seats`.
    pub(crate) async fn ensure_account_in(&self, conn: &mut Conn<'_>, app: &AppId, customer: &str, owner: &UserId, name: &str, seats: i64) -> AppResult<Account> {
        let now = self.now();
        if let Some(a) = store::by_customer(conn, app, customer).await? {
            if a.seats != seats {
                store::set_seats(conn, app, &a.id, seats, now).await?;
            }
            return Ok(Account { seats, ..a });
        }
        let a = Account {
            id: AccountId::new(),
            name: name.chars().take(200).collect(),
            owner_id: owner.clone(),
            stripe_customer_id: customer.to_owned(),
            seats,
            created_at: now,
            updated_at: now,
        };
        store::insert(conn, app, &a).await?;
        store::add_member(conn, app, &a.id, owner, "owner", now).await?;
        Ok(a)
    }

    /// Everyone seated in the account (the owner first).
    pub(crate) async fn account_people_in(&self, conn: &mut Conn<'_>, app: &AppId, account: &AccountId) -> AppResult<Vec<UserId>> {
        Ok(store::seats(conn, app, account).await?.into_iter().map(|s| s.user_id).collect())
    }

    pub async fn list_accounts(&self, app: &AppId, after: Option<&AccountId>, limit: Limit) -> AppResult<Page<AccountInfo>> {
        let mut c = self.db.acquire().await?;
        Ok(store::list(&mut c.conn(), app, after, limit).await?.map(AccountInfo::from))
    }

    pub async fn get_account(&self, app: &AppId, id: &AccountId) -> AppResult<AccountView> {
        let mut c = self.db.acquire().await?;
        let account = store::find(&mut c.conn(), app, id).await?.ok_or(AppError::NotFound("account"))?;
        let seats = store::seats(&mut c.conn(), app, id).await?;
        let owner = tollgate_persistence::users::find(&mut c.conn(), app, &account.owner_id).await?.ok_or(AppError::NotFound("user"))?;
        Ok(AccountView { account: account.into(), seats: seats.into_iter().map(SeatView::from).collect(), owner })
    }

    /// The account a member sits in, with their role.
    pub async fn account_of_member(&self, app: &AppId, user: &UserId) -> AppResult<Option<(AccountView, String)>> {
        let mut c = self.db.acquire().await?;
        let Some((account, role)) = store::of_member(&mut c.conn(), app, user).await? else { return Ok(None) };
        drop(c);
        Ok(Some((self.get_account(app, &account.id).await?, role)))
    }

    /// Seats a teammate (made a member, with an invitation, when new) and
    /// gives them the access the account's subscriptions give now.
    /// `by_owner`: the member asking must own the account.
    pub async fn add_seat(&self, app: &AppId, account: &AccountId, email: &str, name: Option<&str>, by_owner: Option<&UserId>) -> AppResult<SeatView> {
        let email = Email::parse(email).map_err(|p| AppError::field("email", &p.code, p.message))?;
        let name = name.map(str::trim).unwrap_or("");
        if name.chars().count() > 200 {
            return Err(AppError::field("name", "too_long", "at most 200 characters"));
        }
        let now = self.now();
        let mut tx = self.db.begin().await?;
        tollgate_persistence::lock_for_update(&mut tx.conn(), &format!("{app}/account/{account}")).await?;
        let a = store::find(&mut tx.conn(), app, account).await?.ok_or(AppError::NotFound("account"))?;
        if by_owner.is_some_and(|o| *o != a.owner_id) {
            return Err(AppError::Forbidden { code: "not_account_owner", message: "only the account's owner manages its seats".into() });
        }
        let taken = store::seats(&mut tx.conn(), app, account).await?;
        if taken.len() as i64 >= a.seats {
            return Err(AppError::conflict("seats_full", format!("all {} seats of this account are taken; remove someone or buy more seats", a.seats)));
        }
        let user = self.find_or_create_member_in(&mut tx.conn(), app, email, name.to_owned()).await?;
        if !store::add_member(&mut tx.conn(), app, account, &user, "member", now).await? {
            return Err(AppError::conflict("member_in_an_account", "this person already has a seat in an account"));
        }
        // The owner's access from the account's subscriptions, shared with the same source and end.
        for g in access::open_for_user(&mut tx.conn(), app, &a.owner_id).await? {
            if g.source != AccessSource::StripeSubscription || !g.is_active(now) {
                continue;
            }
            let Some(sub) = g.source_ref.as_deref() else { continue };
            let of_account = stripe_repo::find_subscription(&mut tx.conn(), app, sub).await?.is_some_and(|s| s.customer_id == a.stripe_customer_id);
            if !of_account {
                continue;
            }
            let spec = GrantSpec { source: g.source, source_ref: g.source_ref.clone(), reason: Some(format!("seat in {}", a.name)), ends_at: g.ends_at, notify: true, depth: 0 };
            match self.grant_in(&mut tx.conn(), app, &user, &g.product_id, spec).await {
                Err(AppError::Conflict { code: "access_already_granted", .. }) => {}
                r => {
                    r?;
                }
            }
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        let mut c = self.db.acquire().await?;
        store::seats(&mut c.conn(), app, account).await?.into_iter().find(|s| s.user_id == user).map(SeatView::from).ok_or(AppError::NotFound("seat"))
    }

    /// Removes a teammate's seat and the access the account's subscriptions gave them.
    pub async fn remove_seat(&self, app: &AppId, account: &AccountId, user: &UserId, by_owner: Option<&UserId>) -> AppResult<()> {
        let mut tx = self.db.begin().await?;
        let a = store::find(&mut tx.conn(), app, account).await?.ok_or(AppError::NotFound("account"))?;
        if by_owner.is_some_and(|o| *o != a.owner_id) {
            return Err(AppError::Forbidden { code: "not_account_owner", message: "only the account's owner manages its seats".into() });
        }
        if *user == a.owner_id {
            return Err(AppError::conflict("owner_seat", "the owner's seat cannot be removed"));
        }
        if !store::remove_member(&mut tx.conn(), app, account, user).await? {
            return Err(AppError::NotFound("seat"));
        }
        for g in access::open_for_user(&mut tx.conn(), app, user).await? {
            let Some(sub) = g.source_ref.as_deref().filter(|_| g.source == AccessSource::StripeSubscription) else { continue };
            if stripe_repo::find_subscription(&mut tx.conn(), app, sub).await?.is_some_and(|s| s.customer_id == a.stripe_customer_id) {
                self.revoke_in(&mut tx.conn(), app, &g.id, Some(&format!("seat removed from {}", a.name))).await?;
            }
        }
        tx.commit().await?;
        self.jobs_ready.notify_one();
        Ok(())
    }
}
