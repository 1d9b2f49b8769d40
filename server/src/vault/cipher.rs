//! Sealing and opening single secret values.
//!
//! A sealed value is base64 text of `version (1) | key id length (1) | key id
//! | 24-byte nonce | XChaCha20-Poly1305 ciphertext and tag`. It names its own
//! key, so rotation and start-up checks can find values under a missing key.
//! The associated data binds the header and the value's place (organisation,
//! connection, field): a ciphertext copied into another row or field fails to
//! open instead of handing out another connection's token.

use std::sync::Arc;

use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use chacha20poly1305::{
    KeyInit as _, XChaCha20Poly1305, XNonce,
    aead::{Aead as _, Payload},
};
use rand::RngCore as _;
use zeroize::Zeroizing;

use app::domain::{ConnectionId, OrgId};

use super::{keyring::Keyring, secret::SecretToken};

const VERSION: u8 = 1;
const NONCE_LEN: usize = 24;

/// Where a secret lives; it is bound into the ciphertext.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SecretContext<'a> {
    /// Organisation owning the secret.
    pub org_id: OrgId,
    /// Connection (or other row) the secret belongs to.
    pub connection_id: ConnectionId,
    /// Field name, e.g. `access_token`.
    pub field: &'a str,
}

impl SecretContext<'_> {
    fn aad(&self, key_id: &str) -> Vec<u8> {
        format!(
            "tally-secret/v{VERSION}/{key_id}/org:{}/connection:{}/field:{}",
            self.org_id, self.connection_id, self.field
        )
        .into_bytes()
    }
}

/// A sealed value and the key id it was sealed with (stored side by side so
/// rotation can find rows by key).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Sealed {
    /// Key id inside the ciphertext.
    pub key_id: String,
    /// Base64 text to store.
    pub text: String,
}

/// Encrypts and decrypts with a keyring. Cheap to clone.
#[derive(Debug, Clone)]
pub struct Vault {
    keyring: Arc<Keyring>,
    /// How many values were opened (decrypted), for tests and metrics.
    opened: Arc<std::sync::atomic::AtomicU64>,
}

impl Vault {
    /// A vault over a keyring.
    pub fn new(keyring: Keyring) -> Self {
        Self {
            keyring: Arc::new(keyring),
            opened: Arc::default(),
        }
    }

    /// How many values this vault (and its clones) has opened so far.
    pub fn opened(&self) -> u64 {
        self.opened.load(std::sync::atomic::Ordering::Relaxed)
    }

    /// The keyring (ids only are printable).
    pub fn keyring(&self) -> &Keyring {
        &self.keyring
    }

    /// Seals a secret under the active key.
    pub fn seal(&self, ctx: SecretContext<'_>, plaintext: &str) -> anyhow::Result<Sealed> {
        let (key_id, key) = self.keyring.active().context("the keyring is empty")?;
        let cipher = XChaCha20Poly1305::new((&key.0).into());
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = ctx.aad(key_id);
        let ciphertext = cipher
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext.as_bytes(),
                    aad: &aad,
                },
            )
            .map_err(|_| anyhow::anyhow!("encryption failed"))?;
        let id = key_id.as_bytes();
        let mut out = Vec::with_capacity(2 + id.len() + NONCE_LEN + ciphertext.len());
        out.push(VERSION);
        out.push(u8::try_from(id.len()).context("key id too long")?);
        out.extend_from_slice(id);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ciphertext);
        Ok(Sealed {
            key_id: key_id.to_owned(),
            text: STANDARD.encode(out),
        })
    }

    /// Opens a sealed value; fails if the key is missing, the text was
    /// altered, or it was sealed for another place.
    pub fn open(&self, ctx: SecretContext<'_>, text: &str) -> anyhow::Result<SecretToken> {
        self.opened
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let (key_id, nonce, ciphertext) = split(text)?;
        let key = self.keyring.get(&key_id).with_context(|| {
            format!("the secret was encrypted with key {key_id:?}, which the keyring lacks")
        })?;
        let cipher = XChaCha20Poly1305::new((&key.0).into());
        let aad = ctx.aad(&key_id);
        let plain = Zeroizing::new(
            cipher
                .decrypt(
                    XNonce::from_slice(&nonce),
                    Payload {
                        msg: &ciphertext,
                        aad: &aad,
                    },
                )
                .map_err(|_| {
                    anyhow::anyhow!(
                        "the secret does not decrypt for {}/{} (altered or moved)",
                        ctx.connection_id,
                        ctx.field
                    )
                })?,
        );
        let text = std::str::from_utf8(&plain).context("the secret is not UTF-8")?;
        Ok(SecretToken::new(text))
    }
}

/// The key id a sealed value names.
pub fn key_id_of(text: &str) -> anyhow::Result<String> {
    split(text).map(|(id, _, _)| id)
}

fn split(text: &str) -> anyhow::Result<(String, [u8; NONCE_LEN], Vec<u8>)> {
    let bytes = STANDARD
        .decode(text.trim())
        .context("the secret is not base64")?;
    anyhow::ensure!(bytes.len() > 2, "the secret is truncated");
    anyhow::ensure!(
        bytes[0] == VERSION,
        "unknown secret format version {}",
        bytes[0]
    );
    let id_len = usize::from(bytes[1]);
    let nonce_start = 2 + id_len;
    let body_start = nonce_start + NONCE_LEN;
    anyhow::ensure!(bytes.len() > body_start, "the secret is truncated");
    let key_id = std::str::from_utf8(&bytes[2..nonce_start])
        .context("the key id is not UTF-8")?
        .to_owned();
    let mut nonce = [0u8; NONCE_LEN];
    nonce.copy_from_slice(&bytes[nonce_start..body_start]);
    Ok((key_id, nonce, bytes[body_start..].to_vec()))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
    const K2: &str = "HyAhIiMkJSYnKCkqKywtLi8wMTIzNDU2Nzg5Ojs8PT4=";

    fn ctx(connection_id: i64, field: &str) -> SecretContext<'_> {
        SecretContext {
            org_id: OrgId(7),
            connection_id: ConnectionId(connection_id),
            field,
        }
    }

    fn vault(text: &str) -> Vault {
        Vault::new(Keyring::parse(text).unwrap())
    }

    #[test]
    fn round_trips_and_names_its_key() {
        let v = vault(&format!("k1:{K1}"));
        let sealed = v.seal(ctx(1, "access_token"), "tok-123").unwrap();
        assert_eq!(sealed.key_id, "k1");
        assert_eq!(key_id_of(&sealed.text).unwrap(), "k1");
        assert!(!sealed.text.contains("tok-123"));
        let opened = v.open(ctx(1, "access_token"), &sealed.text).unwrap();
        assert_eq!(opened.expose(), "tok-123");
    }

    #[test]
    fn nonces_differ_between_seals() {
        let v = vault(&format!("k1:{K1}"));
        let a = v.seal(ctx(1, "f"), "same").unwrap();
        let b = v.seal(ctx(1, "f"), "same").unwrap();
        assert_ne!(a.text, b.text);
    }

    #[test]
    fn a_ciphertext_moved_to_another_row_or_field_fails() {
        let v = vault(&format!("k1:{K1}"));
        let sealed = v.seal(ctx(1, "access_token"), "tok").unwrap();
        assert!(v.open(ctx(2, "access_token"), &sealed.text).is_err());
        assert!(v.open(ctx(1, "refresh_token"), &sealed.text).is_err());
        let other_org = SecretContext {
            org_id: OrgId(8),
            ..ctx(1, "access_token")
        };
        assert!(v.open(other_org, &sealed.text).is_err());
    }

    #[test]
    fn tampering_and_unknown_keys_fail() {
        let v = vault(&format!("k1:{K1}"));
        let sealed = v.seal(ctx(1, "f"), "tok").unwrap();
        let mut bytes = STANDARD.decode(&sealed.text).unwrap();
        let last = bytes.len() - 1;
        bytes[last] ^= 1;
        assert!(v.open(ctx(1, "f"), &STANDARD.encode(&bytes)).is_err());
        let other = vault(&format!("k2:{K2}"));
        let err = other.open(ctx(1, "f"), &sealed.text).unwrap_err();
        assert!(err.to_string().contains("k1"));
    }

    #[test]
    fn old_keys_still_open_after_a_new_key_becomes_active() {
        let old = vault(&format!("k1:{K1}"));
        let sealed = old.seal(ctx(1, "f"), "tok").unwrap();
        let both = vault(&format!("k2:{K2},k1:{K1}"));
        assert_eq!(
            both.open(ctx(1, "f"), &sealed.text).unwrap().expose(),
            "tok"
        );
        assert_eq!(both.seal(ctx(1, "f"), "tok").unwrap().key_id, "k2");
    }
}
