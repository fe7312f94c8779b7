//! The per-account half of throttling (table `throttle`, shared by every
//! process): password attempts and emailed links counted per account. The
//! in-memory per-IP buckets and the limits are in `throttle` (see its docs).

use std::net::IpAddr;
use std::sync::atomic::Ordering;
use std::time::Duration;

use tollgate_domain::ids::AppId;
use tollgate_persistence::{Conn, throttle};

use crate::error::AppResult;
use crate::services::Services;
use crate::throttle::{Account, PASSWORD_WAIT, too_many};

/// Failures are forgotten a day after the first of a streak.
const FAILURE_MEMORY: time::Duration = time::Duration::hours(24);

impl Services {
    /// Before a password is checked: refuses a client IP or an account that
    /// failed too often (the right password too).
    pub(crate) async fn password_attempt(&self, client: Option<IpAddr>, account: Account<'_>) -> AppResult<PasswordAttempt> {
        self.throttle.check_ip(client)?;
        let key = account.key("password");
        let now = self.now();
        let state = {
            let mut c = self.db.acquire().await?;
            throttle::find(&mut c.conn(), &key).await?
        };
        if let Some(until) = state.and_then(|s| s.locked_until).filter(|u| *u > now) {
            return Err(too_many((until - now).unsigned_abs(), PASSWORD_WAIT));
        }
        Ok(PasswordAttempt { key, client, had_failures: state.is_some() })
    }

    /// After a wrong password: counts it against the address and the account.
    pub(crate) async fn password_failed(&self, attempt: PasswordAttempt) -> AppResult<()> {
        self.throttle.ip_failed(attempt.client);
        let now = self.now();
        let mut c = self.db.acquire().await?;
        let state = throttle::hit(&mut c.conn(), &attempt.key, now, now - FAILURE_MEMORY).await?;
        if let Some(lock) = self.throttle.lockout(state.hits) {
            throttle::lock(&mut c.conn(), &attempt.key, now + lock).await?;
            tracing::warn!(failures = state.hits, lockout_secs = lock.as_secs(), "account locked after failed password attempts");
        }
        self.maybe_prune(&mut c.conn()).await;
        Ok(())
    }

    /// After a right password: the account's failures are forgotten.
    pub(crate) async fn password_ok(&self, attempt: PasswordAttempt) -> AppResult<()> {
        if attempt.had_failures {
            let mut c = self.db.acquire().await?;
            throttle::clear(&mut c.conn(), &attempt.key).await?;
        }
        Ok(())
    }

    /// Counts an emailed link for one member (by id; `purpose`: magic links,
    /// email changes) inside the caller's transaction. `Err(wait)` when the
    /// member is over `per_hour`.
    pub(crate) async fn count_send(&self, conn: &mut Conn<'_>, purpose: &str, app: &AppId, member: &str, per_hour: u32) -> AppResult<Result<(), Duration>> {
        self.count_account_send(conn, purpose, Account::Member(app, member), per_hour).await
    }

    /// [`Self::count_send`] for any account (an admin's password reset links).
    pub(crate) async fn count_account_send(&self, conn: &mut Conn<'_>, purpose: &str, account: Account<'_>, per_hour: u32) -> AppResult<Result<(), Duration>> {
        if per_hour == 0 {
            return Ok(Ok(()));
        }
        let key = account.key(purpose);
        let now = self.now();
        let window = time::Duration::hours(1);
        let state = throttle::hit(conn, &key, now, now - window).await?;
        self.maybe_prune(conn).await;
        if state.hits > i64::from(per_hour) {
            return Ok(Err((state.window_start + window - now).unsigned_abs()));
        }
        Ok(Ok(()))
    }

    /// Drops rows untouched for two days, every few hundred hits.
    async fn maybe_prune(&self, conn: &mut Conn<'_>) {
        if self.throttle.hits.fetch_add(1, Ordering::Relaxed) % 256 == 0 {
            if let Err(e) = throttle::prune(conn, self.now() - time::Duration::days(2)).await {
                tracing::warn!(error = ?e, "could not prune throttle rows");
            }
        }
    }
}

/// What was decided about a password attempt before it was checked.
#[must_use]
pub(crate) struct PasswordAttempt {
    key: String,
    client: Option<IpAddr>,
    had_failures: bool,
}

