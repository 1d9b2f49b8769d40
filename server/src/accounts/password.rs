//! Password hashing with argon2id.
//!
//! Hashing is deliberately slow, so it runs on the blocking pool. When an
//! account does not exist we still verify against a fixed dummy hash, so the
//! response time does not reveal which emails have accounts.
//!
//! Each hash takes about 19 MiB and a core for a moment, so at most a few
//! run at once ([`GATE`]); a caller that cannot get a turn within a few
//! seconds is told [`Busy`] (429) instead of queueing memory without bound.

use std::{sync::LazyLock, time::Duration};

use argon2::{
    Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _, password_hash::SaltString,
};
use secrecy::{ExposeSecret as _, SecretString};

/// How long a caller waits for a turn to hash before hearing [`Busy`].
const TURN_WAIT: Duration = Duration::from_secs(3);

/// Turns to hash a password: twice the cores, at least two.
static GATE: LazyLock<tokio::sync::Semaphore> = LazyLock::new(|| {
    let cores = std::thread::available_parallelism().map_or(1, std::num::NonZero::get);
    tokio::sync::Semaphore::new((cores * 2).max(2))
});

/// Too many passwords are being checked at once; try again shortly.
#[derive(Debug, Clone, Copy, PartialEq, Eq, thiserror::Error)]
#[error("too many password checks at once; try again in a moment")]
pub struct Busy;

impl From<Busy> for app::error::ApiError {
    fn from(_: Busy) -> Self {
        app::error::ApiError::TooManyRequests {
            retry_after_secs: 1,
        }
    }
}

/// Runs `work` on the blocking pool once `gate` gives a turn.
async fn gated<T: Send + 'static>(
    gate: &tokio::sync::Semaphore,
    wait: Duration,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Busy> {
    let _turn = tokio::time::timeout(wait, gate.acquire())
        .await
        .map_err(|_| Busy)?
        .map_err(|_| Busy)?;
    tokio::task::spawn_blocking(work).await.map_err(|_| Busy)
}

/// Shortest password we accept.
pub const MIN_LENGTH: usize = 12;

static DUMMY_HASH: LazyLock<String> =
    LazyLock::new(|| hash_blocking("not-a-real-password-just-timing").unwrap_or_default());

/// Says what is wrong with a new password, if anything.
pub fn check_strength(password: &str) -> Result<(), String> {
    if password.chars().count() < MIN_LENGTH {
        return Err(format!("must be at least {MIN_LENGTH} characters"));
    }
    if password.len() > 1024 {
        return Err("must be at most 1024 bytes".into());
    }
    Ok(())
}

fn hash_blocking(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut rand::rngs::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("hashing a password: {e}"))
}

/// Hashes a password (argon2id, random salt) off the async executor.
/// Waiting too long for a turn is a refusal ([`Busy`], 429).
pub async fn hash(password: SecretString) -> crate::error::Result<String> {
    let hashed = gated(&GATE, TURN_WAIT, move || {
        hash_blocking(password.expose_secret())
    })
    .await
    .map_err(app::error::ApiError::from)?;
    Ok(hashed?)
}

/// Verifies a password against a stored hash; `None` verifies against a
/// dummy hash and returns false, taking the same time.
pub async fn verify(password: SecretString, stored: Option<String>) -> Result<bool, Busy> {
    gated(&GATE, TURN_WAIT, move || {
        let known = stored.is_some();
        let hash = stored.unwrap_or_else(|| DUMMY_HASH.clone());
        let Ok(parsed) = PasswordHash::new(&hash) else {
            return false;
        };
        Argon2::default()
            .verify_password(password.expose_secret().as_bytes(), &parsed)
            .is_ok()
            && known
    })
    .await
}

/// A readable random password for invitations (about 100 bits).
pub fn one_time_password() -> String {
    use rand::Rng as _;
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyz23456789";
    let mut rng = rand::rngs::OsRng;
    (0..4)
        .map(|_| {
            (0..5)
                .map(|_| char::from(ALPHABET[rng.gen_range(0..ALPHABET.len())]))
                .collect::<String>()
        })
        .collect::<Vec<_>>()
        .join("-")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn hashes_verify_and_wrong_passwords_fail() {
        let hash = hash(SecretString::from("correct horse battery"))
            .await
            .expect("hash");
        assert!(hash.starts_with("$argon2id$"));
        assert!(
            verify(
                SecretString::from("correct horse battery"),
                Some(hash.clone())
            )
            .await
            .expect("a turn")
        );
        assert_eq!(
            verify(SecretString::from("correct horse battery!"), Some(hash)).await,
            Ok(false)
        );
        assert_eq!(
            verify(SecretString::from("anything"), None).await,
            Ok(false)
        );
    }

    #[tokio::test]
    async fn a_full_gate_answers_busy_and_frees_its_turn() {
        let gate = tokio::sync::Semaphore::new(1);
        let held = gate.acquire().await.expect("turn");
        let refused = gated(&gate, Duration::from_millis(20), || 1).await;
        assert_eq!(refused, Err(Busy));
        drop(held);
        assert_eq!(gated(&gate, Duration::from_millis(20), || 2).await, Ok(2));
        assert_eq!(gate.available_permits(), 1, "the turn is given back");
    }

    #[test]
    fn strength_rules_name_the_problem() {
        assert!(
            check_strength("short")
                .expect_err("too short")
                .contains("at least 12")
        );
        assert!(check_strength("long enough pass").is_ok());
        let otp = one_time_password();
        assert_eq!(otp.len(), 23);
        assert!(check_strength(&otp).is_ok());
    }
}
