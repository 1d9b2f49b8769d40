//! The keys secrets are encrypted with.
//!
//! A keyring is `id:base64key,…` with 32-byte keys; the first is active (new
//! encryptions use it), the others only decrypt, which is what lets
//! `tally keys rotate` move stored secrets from an old key to a new one.
//! Without `TALLY_SECRET_KEYS` a keyring is generated once into
//! `{data_dir}/secret.key` (mode 0600).

use std::path::Path;

use anyhow::Context as _;
use base64::{Engine as _, engine::general_purpose::STANDARD};
use rand::RngCore as _;
use secrecy::{ExposeSecret as _, SecretString};
use zeroize::{Zeroize, ZeroizeOnDrop, Zeroizing};

/// One 256-bit key. Never printed, never serialised, wiped on drop.
#[derive(Clone, Zeroize, ZeroizeOnDrop)]
pub struct SecretKey(pub(crate) [u8; 32]);

impl std::fmt::Debug for SecretKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("[REDACTED]")
    }
}

/// Keys by id; the first is active.
#[derive(Clone)]
pub struct Keyring {
    keys: Vec<(String, SecretKey)>,
}

impl std::fmt::Debug for Keyring {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Keyring")
            .field("ids", &self.ids())
            .finish_non_exhaustive()
    }
}

/// File name of the generated keyring inside the data folder.
pub const KEY_FILE: &str = "secret.key";

fn valid_id(id: &str) -> bool {
    !id.is_empty()
        && id.len() <= 32
        && id
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
}

impl Keyring {
    /// Parses `id:base64key,…`. Errors never contain key material.
    pub fn parse(text: &str) -> anyhow::Result<Self> {
        let mut keys: Vec<(String, SecretKey)> = Vec::new();
        for entry in text
            .split([',', '\n'])
            .map(str::trim)
            .filter(|e| !e.is_empty())
        {
            let (id, b64) = entry
                .split_once(':')
                .context("each key must look like `id:base64key`")?;
            let id = id.trim();
            anyhow::ensure!(
                valid_id(id),
                "key id {id:?} must be 1-32 letters, digits, `-` or `_`"
            );
            anyhow::ensure!(
                !keys.iter().any(|(k, _)| k == id),
                "key id {id:?} appears twice"
            );
            let bytes = Zeroizing::new(
                STANDARD
                    .decode(b64.trim())
                    .with_context(|| format!("key {id:?} is not valid base64"))?,
            );
            let key: [u8; 32] = bytes
                .as_slice()
                .try_into()
                .map_err(|_| anyhow::anyhow!("key {id:?} must be 32 bytes, got {}", bytes.len()))?;
            keys.push((id.to_owned(), SecretKey(key)));
        }
        anyhow::ensure!(!keys.is_empty(), "the keyring holds no key");
        Ok(Self { keys })
    }

    /// A new keyring with one random key named `id`, and its text form.
    pub fn generate(id: &str) -> (Self, Zeroizing<String>) {
        let mut key = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut key);
        let text = Zeroizing::new(format!("{id}:{}", STANDARD.encode(key)));
        let ring = Self {
            keys: vec![(id.to_owned(), SecretKey(key))],
        };
        key.zeroize();
        (ring, text)
    }

    /// The configured keyring, or the one in `{data_dir}/secret.key`,
    /// generating that file on first run.
    pub fn load(configured: Option<&SecretString>, data_dir: &Path) -> anyhow::Result<Self> {
        if let Some(text) = configured {
            return Self::parse(text.expose_secret()).context("TALLY_SECRET_KEYS");
        }
        let path = data_dir.join(KEY_FILE);
        if path.exists() {
            let text = crate::config::read_secret(&path)
                .with_context(|| format!("reading {}", path.display()))?;
            return Self::parse(text.expose_secret())
                .with_context(|| format!("the keyring in {}", path.display()));
        }
        let (ring, text) = Self::generate("local1");
        write_private(&path, text.as_str())?;
        tracing::info!(
            file = %path.display(),
            "generated a secret key for secrets at rest; back it up with the database"
        );
        Ok(ring)
    }

    /// Id of the key new encryptions use.
    pub fn active_id(&self) -> &str {
        self.keys.first().map_or("", |(id, _)| id.as_str())
    }

    pub(crate) fn active(&self) -> Option<(&str, &SecretKey)> {
        self.keys.first().map(|(id, k)| (id.as_str(), k))
    }

    pub(crate) fn get(&self, id: &str) -> Option<&SecretKey> {
        self.keys.iter().find(|(k, _)| k == id).map(|(_, key)| key)
    }

    /// Every key id, active first.
    pub fn ids(&self) -> Vec<&str> {
        self.keys.iter().map(|(id, _)| id.as_str()).collect()
    }
}

fn write_private(path: &Path, text: &str) -> anyhow::Result<()> {
    crate::private_files::write(
        path,
        &format!("{text}\n"),
        crate::private_files::Existing::Keep,
    )
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;

    const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";

    #[test]
    fn parses_several_keys_first_active() {
        let ring = Keyring::parse(&format!("new:{K1}, old:{K1}")).unwrap();
        assert_eq!(ring.active_id(), "new");
        assert_eq!(ring.ids(), vec!["new", "old"]);
        assert!(ring.get("old").is_some());
    }

    #[test]
    fn refuses_bad_keyrings_without_echoing_keys() {
        for bad in ["", "k1", "k1:not base64!", "k1:AAAA", "bad id:AAAA"] {
            let err = Keyring::parse(bad).unwrap_err().to_string();
            assert!(!err.contains("AAAA"), "{err}");
        }
        assert!(Keyring::parse(&format!("a:{K1},a:{K1}")).is_err());
    }

    #[test]
    fn debug_shows_ids_only() {
        let ring = Keyring::parse(&format!("k1:{K1}")).unwrap();
        let shown = format!("{ring:?} {:?}", ring.get("k1").unwrap());
        assert!(shown.contains("k1") && shown.contains("[REDACTED]"));
        assert!(!shown.contains(K1));
    }

    #[test]
    fn generates_a_private_file_once() {
        let dir = tempfile::tempdir().unwrap();
        let first = Keyring::load(None, dir.path()).unwrap();
        let again = Keyring::load(None, dir.path()).unwrap();
        assert_eq!(first.active_id(), again.active_id());
        assert_eq!(
            first.get(first.active_id()).unwrap().0,
            again.get(again.active_id()).unwrap().0
        );
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt as _;
            let mode = std::fs::metadata(dir.path().join(KEY_FILE))
                .unwrap()
                .permissions()
                .mode();
            assert_eq!(mode & 0o777, 0o600);
        }
    }
}
