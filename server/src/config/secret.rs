//! Secrets given directly or through a `*_FILE` variable.
//!
//! Files are the safer way to hand secrets to a process (they stay out of
//! `ps` and of environment dumps); accepting both, and refusing both at once,
//! is what container platforms expect.

use std::path::{Path, PathBuf};

use secrecy::SecretString;

use super::ConfigError;

/// Reads a secret file, trimming the trailing newline editors add.
pub fn read_secret(path: &Path) -> std::io::Result<SecretString> {
    let text = std::fs::read_to_string(path)?;
    Ok(SecretString::from(
        text.trim_end_matches(['\n', '\r']).to_owned(),
    ))
}

/// Resolves `VAR` / `VAR_FILE` into one optional secret.
pub(super) fn secret_from(
    direct: (&'static str, Option<String>),
    file: (&'static str, Option<PathBuf>),
    example: &'static str,
) -> Result<Option<SecretString>, ConfigError> {
    match (direct.1.filter(|v| !v.is_empty()), file.1) {
        (Some(_), Some(_)) => Err(ConfigError::secret(
            direct.0,
            format!("is set together with {}; set only one of them", file.0),
            example,
        )),
        (Some(value), None) => Ok(Some(SecretString::from(value))),
        (None, Some(path)) => {
            let shown = path.display().to_string();
            match read_secret(&path) {
                Ok(secret) if !secrecy::ExposeSecret::expose_secret(&secret).is_empty() => {
                    Ok(Some(secret))
                }
                Ok(_) => Err(ConfigError::new(
                    file.0,
                    &shown,
                    "the file is empty",
                    "/run/secrets/tally",
                )),
                Err(e) => Err(ConfigError::new(
                    file.0,
                    &shown,
                    format!("cannot read the file: {e}"),
                    "/run/secrets/tally",
                )),
            }
        }
        (None, None) => Ok(None),
    }
}
