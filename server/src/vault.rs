//! Secrets at rest: provider tokens and API keys are encrypted before they
//! touch the database.
//!
//! [`keyring`] holds the keys (from `TALLY_SECRET_KEYS` or a generated
//! `secret.key`), [`cipher`] seals and opens single values with
//! XChaCha20-Poly1305 bound to the row and field they belong to, [`secret`]
//! has the zeroizing token types, and [`rotate`] re-encrypts stored values
//! under the active key (`tally keys rotate`).

pub mod cipher;
pub mod keyring;
pub mod rotate;
pub mod secret;

pub use cipher::{Sealed, SecretContext, Vault};
pub use keyring::Keyring;
pub use secret::SecretToken;
