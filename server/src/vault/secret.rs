//! Zeroizing holders for secret strings (tokens, API keys).
//!
//! They never print (`Debug` is `[REDACTED]`), never serialise, and wipe
//! their memory when dropped; reading the value takes an explicit
//! [`SecretToken::expose`].

use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret string such as an access token, refresh token or API key.
#[derive(Clone, Zeroize, ZeroizeOnDrop, PartialEq, Eq)]
pub struct SecretToken(String);

impl SecretToken {
    /// Wraps a secret.
    pub fn new(value: impl Into<String>) -> Self {
        Self(value.into())
    }

    /// The secret itself; keep the borrow short and never log it.
    pub fn expose(&self) -> &str {
        &self.0
    }
}

impl std::fmt::Debug for SecretToken {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[REDACTED]")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_never_shows_the_value() {
        let token = SecretToken::new("very-secret");
        assert_eq!(format!("{token:?}"), "[REDACTED]");
        assert_eq!(token.expose(), "very-secret");
    }
}
