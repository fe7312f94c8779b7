//! Keys derived from the instance secret, encryption of stored secrets,
//! hashing of tokens and passwords.

use aes_gcm::aead::{Aead, KeyInit, OsRng, Payload};
use aes_gcm::{AeadCore, Aes256Gcm, Nonce};
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use argon2::Argon2;
use base64::Engine;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use hmac::{Hmac, Mac};
use rand::RngCore;
use secrecy::{ExposeSecret, SecretSlice};
use sha2::{Digest, Sha256};

use crate::error::AppError;

/// Keys for one Tollgate instance, all derived from its master secret.
#[derive(Clone)]
pub struct Keys {
    jwt: SecretSlice<u8>,
    aead: SecretSlice<u8>,
}

impl std::fmt::Debug for Keys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("Keys([redacted])")
    }
}

fn derive(master: &[u8], label: &str) -> Vec<u8> {
    let mut m = <Hmac<Sha256> as Mac>::new_from_slice(master).expect("HMAC takes any key length");
    m.update(label.as_bytes());
    m.finalize().into_bytes().to_vec()
}

impl Keys {
    /// Derives keys from a master secret of at least 32 bytes.
    pub fn from_master(master: &[u8]) -> Result<Keys, AppError> {
        if master.len() < 32 {
            return Err(AppError::Internal("the instance secret key must be at least 32 bytes".into()));
        }
        Ok(Keys { jwt: derive(master, "tollgate/jwt/v1").into(), aead: derive(master, "tollgate/secrets/v1").into() })
    }

    pub fn jwt_secret(&self) -> &[u8] {
        self.jwt.expose_secret()
    }

    /// Encrypts `plain` (AES-256-GCM, random nonce). `context` (e.g. the app
    /// id and purpose) is bound as associated data: a ciphertext copied to
    /// another app or field does not decrypt.
    pub fn seal(&self, plain: &[u8], context: &str) -> Result<String, AppError> {
        let cipher = Aes256Gcm::new_from_slice(self.aead.expose_secret()).map_err(|_| AppError::Internal("bad key".into()))?;
        let nonce = Aes256Gcm::generate_nonce(&mut OsRng);
        let ct = cipher
            .encrypt(&nonce, Payload { msg: plain, aad: context.as_bytes() })
            .map_err(|_| AppError::Internal("encryption failed".into()))?;
        let mut out = nonce.to_vec();
        out.extend_from_slice(&ct);
        Ok(format!("v1:{}", STANDARD.encode(out)))
    }

    pub fn open(&self, sealed: &str, context: &str) -> Result<Vec<u8>, AppError> {
        let bad = || AppError::Internal("a stored secret cannot be decrypted (wrong instance key?)".into());
        let raw = STANDARD.decode(sealed.strip_prefix("v1:").ok_or_else(bad)?).map_err(|_| bad())?;
        if raw.len() < 12 + 16 {
            return Err(bad());
        }
        let cipher = Aes256Gcm::new_from_slice(self.aead.expose_secret()).map_err(|_| bad())?;
        cipher.decrypt(Nonce::from_slice(&raw[..12]), Payload { msg: &raw[12..], aad: context.as_bytes() }).map_err(|_| bad())
    }
}

/// A random token of 32 bytes, URL-safe.
pub fn random_token() -> String {
    let mut b = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut b);
    URL_SAFE_NO_PAD.encode(b)
}

/// Compares secrets without leaking where they differ through timing.
pub fn constant_time_eq(a: &[u8], b: &[u8]) -> bool {
    a.len() == b.len() && a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
}

/// SHA-256 hex of a high-entropy token (what is stored instead of it).
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// Argon2 costs tens of milliseconds of CPU on purpose. Run on an async
/// worker it stalls every other request on that worker (64 concurrent wrong
/// logins took `/healthz` from 0.5 ms to 138 ms median on 2 cores), so the
/// async callers hand it to tokio's blocking pool, at most one hash per core
/// at a time: a burst of logins queues here instead of taking every core
/// and growing the blocking pool.
static PASSWORD_WORK: std::sync::LazyLock<tokio::sync::Semaphore> =
    std::sync::LazyLock::new(|| tokio::sync::Semaphore::new(std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)));

async fn off_the_workers<T: Send + 'static>(work: impl FnOnce() -> T + Send + 'static) -> Result<T, AppError> {
    let _permit = PASSWORD_WORK.acquire().await.map_err(|e| AppError::internal("password work queue closed", e))?;
    tokio::task::spawn_blocking(work).await.map_err(|e| AppError::internal("password work failed", e))
}

/// [`hash_password`] on the blocking pool.
pub async fn hash_password_async(pw: &str) -> Result<String, AppError> {
    let pw = pw.to_owned();
    off_the_workers(move || hash_password(&pw)).await?
}

/// [`verify_password`] on the blocking pool; an internal failure counts as a mismatch.
pub async fn verify_password_async(pw: &str, hash: Option<&str>) -> bool {
    let (pw, hash) = (pw.to_owned(), hash.map(str::to_owned));
    off_the_workers(move || verify_password(&pw, hash.as_deref())).await.unwrap_or_else(|e| {
        tracing::error!(error = %e, "password verification did not run");
        false
    })
}

/// Hashes a password (Argon2id, default cost). Blocks for tens of
/// milliseconds: async code calls [`hash_password_async`].
pub fn hash_password(pw: &str) -> Result<String, AppError> {
    let salt = SaltString::generate(&mut OsRng);
    Argon2::default()
        .hash_password(pw.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|_| AppError::Internal("password hashing failed".into()))
}

/// Checks a password; with `None` it still spends the same time, so a
/// login for an unknown email cannot be told apart by timing. Blocks like
/// [`hash_password`]: async code calls [`verify_password_async`].
pub fn verify_password(pw: &str, hash: Option<&str>) -> bool {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let dummy = DUMMY.get_or_init(|| hash_password("tollgate-dummy-password").unwrap_or_default());
    let (h, real) = match hash {
        Some(h) => (h, true),
        None => (dummy.as_str(), false),
    };
    let ok = PasswordHash::new(h).map(|p| Argon2::default().verify_password(pw.as_bytes(), &p).is_ok()).unwrap_or(false);
    ok && real
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sealed_secrets_open_only_in_their_context() {
        let k = Keys::from_master(&[7u8; 32]).unwrap();
        let s = k.seal(b"sk_test_123", "app_1/stripe").unwrap();
        assert!(!s.contains("sk_test"));
        assert_eq!(k.open(&s, "app_1/stripe").unwrap(), b"sk_test_123");
        assert!(k.open(&s, "app_2/stripe").is_err());
        let other = Keys::from_master(&[8u8; 32]).unwrap();
        assert!(other.open(&s, "app_1/stripe").is_err());
        assert_ne!(k.seal(b"x", "c").unwrap(), k.seal(b"x", "c").unwrap(), "random nonce");
    }

    #[test]
    fn passwords_verify() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(verify_password("correct horse battery", Some(&h)));
        assert!(!verify_password("wrong", Some(&h)));
        assert!(!verify_password("tollgate-dummy-password", None));
    }

    #[tokio::test(flavor = "current_thread")]
    async fn password_work_runs_off_the_async_thread() {
        let h = hash_password_async("correct horse battery").await.unwrap();
        // On a current-thread runtime, a task spawned after eight checks runs
        // to its end while none of them has finished: their hashing waits on
        // the blocking pool instead of holding the one async thread (a check
        // hashing inline would finish during its first poll, before the task).
        let checks: Vec<_> = (0..8)
            .map(|_| {
                let h = h.clone();
                tokio::spawn(async move { verify_password_async("wrong", Some(&h)).await })
            })
            .collect();
        let (tx, rx) = tokio::sync::oneshot::channel();
        tokio::spawn(async move {
            let _ = tx.send(());
        });
        rx.await.unwrap();
        let finished = checks.iter().filter(|c| c.is_finished()).count();
        assert_eq!(finished, 0, "a password check ran on the async thread");
        for c in checks {
            assert!(!c.await.unwrap());
        }
        assert!(verify_password_async("correct horse battery", Some(&h)).await);
        assert!(!verify_password_async("anything", None).await);
    }

    #[test]
    fn keys_never_print() {
        let k = Keys::from_master(&[7u8; 32]).unwrap();
        assert_eq!(format!("{k:?}"), "Keys([redacted])");
    }
}
