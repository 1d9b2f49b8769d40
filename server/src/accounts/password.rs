//! Password hashing with argon2id.
//!
//! Hashing is deliberately slow, so it runs on the blocking pool. When an
//! account does not exist we still verify against a fixed dummy hash, so the
//! response time does not reveal which emails have accounts.

use std::sync::LazyLock;

use anyhow::Context as _;
use argon2::{
    Argon2, PasswordHash, PasswordHasher as _, PasswordVerifier as _, password_hash::SaltString,
};
use secrecy::{ExposeSecret as _, SecretString};

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
pub async fn hash(password: SecretString) -> anyhow::Result<String> {
    tokio::task::spawn_blocking(move || hash_blocking(password.expose_secret()))
        .await
        .context("password hashing task")?
}

/// Verifies a password against a stored hash; `None` verifies against a
/// dummy hash and returns false, taking the same time.
pub async fn verify(password: SecretString, stored: Option<String>) -> bool {
    tokio::task::spawn_blocking(move || {
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
    .unwrap_or(false)
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
        );
        assert!(!verify(SecretString::from("correct horse battery!"), Some(hash)).await);
        assert!(!verify(SecretString::from("anything"), None).await);
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
