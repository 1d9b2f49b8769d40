//! Organisations, users, sessions, API tokens and sign-in throttling.
//!
//! Everything here is scoped by organisation: a function that takes an
//! organisation id never reads or writes another organisation's rows, which
//! is what makes "a user of another organisation gets 404" hold by design.

pub mod admins;
pub mod api_tokens;
pub mod first_run;
pub mod orgs;
pub mod password;
pub mod service;
pub mod sessions;
pub mod throttle;
pub mod users;

/// A random token in URL-safe base64 (256 bits) and its SHA-256 hex hash.
/// The token goes to the client once; only the hash is stored.
pub fn new_token() -> (String, String) {
    use base64::Engine as _;
    use rand::RngCore as _;
    let mut bytes = [0u8; 32];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    let token = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(bytes);
    let hash = hash_token(&token);
    (token, hash)
}

/// SHA-256 hex of a token: how sessions, API tokens and OAuth states are stored.
pub fn hash_token(token: &str) -> String {
    use sha2::Digest as _;
    hex::encode(sha2::Sha256::digest(token.as_bytes()))
}

/// Normalises an email for storage and lookup, or says what is wrong with it.
pub fn normalise_email(email: &str) -> Result<String, &'static str> {
    let email = email.trim().to_lowercase();
    let (local, domain) = email.split_once('@').ok_or("must contain @")?;
    if local.is_empty()
        || domain.is_empty()
        || !domain.contains('.')
        || email.contains(char::is_whitespace)
    {
        return Err("is not an email address");
    }
    if email.len() > 254 {
        return Err("is too long");
    }
    Ok(email)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn emails_are_trimmed_and_lowercased() {
        assert_eq!(
            normalise_email("  Ann@Example.COM ").as_deref(),
            Ok("ann@example.com")
        );
        assert!(normalise_email("ann").is_err());
        assert!(normalise_email("ann@localhost").is_err());
        assert!(normalise_email("a nn@example.com").is_err());
    }

    #[test]
    fn tokens_are_random_and_hashes_stable() {
        let (a, ha) = new_token();
        let (b, _) = new_token();
        assert_ne!(a, b);
        assert_eq!(a.len(), 43);
        assert_eq!(hash_token(&a), ha);
        assert_eq!(ha.len(), 64);
    }
}
