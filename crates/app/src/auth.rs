//! Credentials: admin and member access tokens (JWT, short-lived), refresh
//! sessions (opaque, hashed, rotated), API keys (scoped, hashed).

use jsonwebtoken::{Algorithm, DecodingKey, EncodingKey, Header, Validation};
use serde::{Deserialize, Serialize};
use tollgate_domain::auth::{Role, Scope};
use tollgate_domain::ids::{AdminId, ApiKeyId, AppId, UserId};
use tollgate_persistence::{admins, api_keys, sessions};

use crate::crypto::{random_token, token_hash};
use crate::error::{AppError, AppResult};
use crate::services::Services;

/// Who is calling, and in which app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Principal {
    Admin { admin_id: AdminId, app_id: AppId, role: Role },
    ApiKey { key_id: ApiKeyId, app_id: AppId, scopes: Vec<Scope> },
}

impl Principal {
    pub fn app_id(&self) -> &AppId {
        match self {
            Principal::Admin { app_id, .. } | Principal::ApiKey { app_id, .. } => app_id,
        }
    }

    /// Fails with 403 unless the principal holds `scope`.
    pub fn require(&self, scope: Scope) -> AppResult<()> {
        let ok = match self {
            Principal::Admin { role, .. } => role.allows(scope),
            Principal::ApiKey { scopes, .. } => scopes.iter().any(|s| s.satisfies(scope)),
        };
        if ok {
            Ok(())
        } else {
            Err(AppError::forbidden("insufficient_scope", format!("this credential lacks the {scope} permission")))
        }
    }

    /// A short label for audit fields: `adm_…` or `key_…`.
    pub fn actor(&self) -> String {
        match self {
            Principal::Admin { admin_id, .. } => admin_id.to_string(),
            Principal::ApiKey { key_id, .. } => key_id.to_string(),
        }
    }
}

/// A logged-in member of one app.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberPrincipal {
    pub user_id: UserId,
    pub app_id: AppId,
}

#[derive(Debug, Serialize, Deserialize)]
struct Claims {
    sub: String,
    app: String,
    /// "admin" or "member"
    typ: String,
    iat: i64,
    exp: i64,
}

/// A freshly issued access token and refresh token pair.
#[derive(Debug, Clone)]
pub struct TokenPair {
    pub access_token: String,
    pub expires_in: i64,
    /// `<app_id>.<random>`; goes into an httpOnly cookie, never into storage readable by scripts.
    pub refresh_token: String,
    pub refresh_max_age: i64,
}

const API_KEY_PREFIX: &str = "tg_";

impl Services {
    fn sign(&self, typ: &str, sub: &str, app: &AppId) -> AppResult<(String, i64)> {
        let now = self.now().unix_timestamp();
        let ttl = self.config.access_token_ttl.whole_seconds();
        let claims = Claims { sub: sub.into(), app: app.to_string(), typ: typ.into(), iat: now, exp: now + ttl };
        let t = jsonwebtoken::encode(&Header::new(Algorithm::HS256), &claims, &EncodingKey::from_secret(self.keys.jwt_secret()))
            .map_err(|e| AppError::internal("token signing failed", e))?;
        Ok((t, ttl))
    }

    fn verify(&self, token: &str, typ: &str) -> AppResult<Claims> {
        let mut v = Validation::new(Algorithm::HS256);
        v.leeway = 5;
        v.validate_exp = false; // checked against our clock below
        v.required_spec_claims.clear();
        let data = jsonwebtoken::decode::<Claims>(token, &DecodingKey::from_secret(self.keys.jwt_secret()), &v)
            .map_err(|_| AppError::unauthorized("invalid_token", "the access token is invalid"))?;
        if data.claims.exp <= self.now().unix_timestamp() {
            return Err(AppError::unauthorized("token_expired", "the access token has expired; refresh it"));
        }
        if data.claims.typ != typ {
            return Err(AppError::unauthorized("invalid_token", "the access token is not valid here"));
        }
        Ok(data.claims)
    }

    /// Issues an access token and a new refresh session (a new family: a login).
    pub(crate) async fn issue_tokens(
        &self,
        conn: &mut tollgate_persistence::Conn<'_>,
        kind: sessions::SubjectKind,
        subject: &str,
        app: &AppId,
    ) -> AppResult<TokenPair> {
        self.issue_tokens_in(conn, kind, subject, app, None).await
    }

    /// Issues an access token and a refresh session in `family` (rotation), or in a new one.
    async fn issue_tokens_in(
        &self,
        conn: &mut tollgate_persistence::Conn<'_>,
        kind: sessions::SubjectKind,
        subject: &str,
        app: &AppId,
        family: Option<&str>,
    ) -> AppResult<TokenPair> {
        let typ = match kind {
            sessions::SubjectKind::Admin => "admin",
            sessions::SubjectKind::Member => "member",
        };
        let (access_token, expires_in) = self.sign(typ, subject, app)?;
        let raw = random_token();
        let now = self.now();
        sessions::insert(
            conn,
            &sessions::NewSession {
                app_id: app,
                token_hash: &token_hash(&raw),
                kind,
                subject_id: subject,
                family_id: family,
                expires_at: now + self.config.refresh_ttl,
                now,
            },
        )
        .await?;
        Ok(TokenPair {
            access_token,
            expires_in,
            refresh_token: format!("{app}.{raw}"),
            refresh_max_age: self.config.refresh_ttl.whole_seconds(),
        })
    }

    /// Exchanges a refresh token for a new pair; the old one stops working (rotation).
    ///
    /// Presenting a token that was already rotated out means two parties hold
    /// it, one of them a thief (OAuth 2.0 Security BCP, refresh token reuse
    /// detection): every session of its family ends, the newest one too,
    /// and the holder of the stolen copy must log in again. A replay within
    /// `refresh_reuse_grace` of the rotation is only refused: two tabs that
    /// refresh at the same moment send the same cookie, and the loser must
    /// not log the winner out.
    pub(crate) async fn rotate_refresh(&self, refresh: &str, kind: sessions::SubjectKind) -> AppResult<(AppId, String, TokenPair)> {
        let invalid = || AppError::unauthorized("invalid_refresh_token", "the session has ended; log in again");
        let (app, raw) = refresh.split_once('.').ok_or_else(invalid)?;
        let app = AppId::parse(app).map_err(|_| invalid())?;
        let hash = token_hash(raw);
        let now = self.now();
        let mut tx = self.db.begin().await?;
        let Some(used) = sessions::consume(&mut tx.conn(), &app, &hash, kind, now).await? else {
            let ended_before = now - self.config.refresh_reuse_grace;
            if let Some(replayed) = sessions::find_replayed(&mut tx.conn(), &app, &hash, kind, ended_before).await? {
                let ended = sessions::revoke_family(&mut tx.conn(), &app, &replayed.family_id, now).await?;
                tx.commit().await?;
                tracing::warn!(
                    app_id = %app, subject_id = %replayed.subject_id, kind = ?kind, sessions_ended = ended,
                    "a rotated refresh token was replayed (possible theft): its session family is ended"
                );
            }
            return Err(invalid());
        };
        let pair = self.issue_tokens_in(&mut tx.conn(), kind, &used.subject_id, &app, Some(&used.family_id)).await?;
        tx.commit().await?;
        Ok((app, used.subject_id, pair))
    }

    /// Ends a refresh session (logout). Unknown tokens are ignored.
    pub async fn end_session(&self, refresh: &str) -> AppResult<()> {
        if let Some((app, raw)) = refresh.split_once('.') {
            if let Ok(app) = AppId::parse(app) {
                let mut c = self.db.acquire().await?;
                sessions::revoke(&mut c.conn(), &app, &token_hash(raw), self.now()).await?;
            }
        }
        Ok(())
    }

    /// Resolves a bearer credential: an admin access token or an API key.
    pub async fn authenticate(&self, bearer: &str) -> AppResult<Principal> {
        if let Some(rest) = bearer.strip_prefix(API_KEY_PREFIX) {
            return self.authenticate_key(rest).await;
        }
        let claims = self.verify(bearer, "admin")?;
        let admin_id = AdminId::parse(&claims.sub).map_err(|_| AppError::unauthorized("invalid_token", "the access token is invalid"))?;
        let app_id = AppId::parse(&claims.app).map_err(|_| AppError::unauthorized("invalid_token", "the access token is invalid"))?;
        let mut c = self.db.acquire().await?;
        // The role is read on every request so a removed admin loses access at once.
        let role = admins::role_in(&mut c.conn(), &app_id, &admin_id)
            .await?
            .ok_or_else(|| AppError::unauthorized("invalid_token", "this admin no longer belongs to the app"))?;
        Ok(Principal::Admin { admin_id, app_id, role })
    }

    async fn authenticate_key(&self, rest: &str) -> AppResult<Principal> {
        let invalid = || AppError::unauthorized("invalid_api_key", "the API key is invalid or revoked");
        // tg_<key id>_<secret>; key ids look like key_<hex>.
        let (id_hex, secret) = rest.strip_prefix("key_").and_then(|r| r.split_once('_')).ok_or_else(invalid)?;
        let key_id = format!("key_{id_hex}");
        let mut c = self.db.acquire().await?;
        let (key, hash) = api_keys::find_for_auth(&mut c.conn(), &key_id).await?.ok_or_else(invalid)?;
        let given = token_hash(secret);
        if key.revoked_at.is_some() || !crate::crypto::constant_time_eq(given.as_bytes(), hash.as_bytes()) {
            return Err(invalid());
        }
        api_keys::touch(&mut c.conn(), &key.app_id, &key.id, self.now()).await?;
        Ok(Principal::ApiKey { key_id: key.id, app_id: key.app_id, scopes: key.scopes })
    }

    /// Resolves a member access token.
    pub fn authenticate_member(&self, bearer: &str) -> AppResult<MemberPrincipal> {
        let claims = self.verify(bearer, "member")?;
        let bad = || AppError::unauthorized("invalid_token", "the access token is invalid");
        Ok(MemberPrincipal { user_id: UserId::parse(&claims.sub).map_err(|_| bad())?, app_id: AppId::parse(&claims.app).map_err(|_| bad())? })
    }
}

/// Builds the printable key `tg_<id>_<secret>` and its stored hash.
pub(crate) fn new_api_key_secret(id: &ApiKeyId) -> (String, String, String) {
    let secret = random_token();
    let full = format!("{API_KEY_PREFIX}{id}_{secret}");
    let last4: String = secret.chars().rev().take(4).collect::<Vec<_>>().into_iter().rev().collect();
    (full, token_hash(&secret), last4)
}
