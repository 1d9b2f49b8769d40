//! One typed configuration for the whole binary.
//!
//! Every setting is read once, at start-up, from a command-line flag or its
//! environment variable ([`RawConfig`], which clap fills), then checked and
//! turned into [`Config`]. Checking is separate from parsing so that a bad value
//! stops start-up with one message that names the variable, says what is wrong
//! and shows a good example, instead of clap's generic flag errors. Secrets are
//! [`SecretString`]s and each also accepts a `*_FILE` variant.

mod raw;
mod secret;

use std::{net::SocketAddr, path::PathBuf, time::Duration};

pub use raw::RawConfig;
use secrecy::SecretString;
pub use secret::read_secret;

/// How log lines are written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LogFormat {
    /// Human-readable lines, for terminals.
    Text,
    /// One JSON object per line, for log collectors.
    Json,
}

/// OAuth client settings of one provider. Absent client id = "Not configured".
#[derive(Debug, Clone)]
pub struct OAuthClientConfig {
    /// Public client id issued by the provider.
    pub client_id: String,
    /// Client secret issued by the provider.
    pub client_secret: SecretString,
}

/// Where one provider lives; defaults are the production hosts.
#[derive(Debug, Clone)]
pub struct ProviderUrls {
    /// Browser page where the user approves access.
    pub authorize_url: String,
    /// Token endpoint.
    pub token_url: String,
    /// Base of the REST API.
    pub api_base: String,
}

/// The checked configuration of a running Tally.
#[derive(Debug, Clone)]
pub struct Config {
    /// Database connection string (`sqlite://…` or `postgres://…`).
    pub database_url: String,
    /// Address the HTTP server listens on.
    pub addr: SocketAddr,
    /// Public base URL users reach Tally at, without a trailing slash.
    pub public_url: String,
    /// Log line format.
    pub log_format: LogFormat,
    /// Log filter in `tracing_subscriber::EnvFilter` syntax.
    pub log_filter: String,
    /// IANA timezone new organisations start with.
    pub default_timezone: chrono_tz::Tz,
    /// Folder of a built site (`pkg/` with the WASM bundle, JS and CSS) to
    /// serve instead of the one inside the binary.
    pub site_root: Option<PathBuf>,
    /// Folder for local state: the SQLite database by default and the
    /// generated secret key.
    pub data_dir: PathBuf,
    /// How long a login session lasts without use.
    pub session_ttl: Duration,
    /// Serve the demo organisation with the in-process provider sandbox.
    pub demo: bool,
    /// Keyring for secrets at rest; `None` means "generate `data/secret.key`".
    pub secret_keys: Option<SecretString>,
    /// HubSpot OAuth client, when configured.
    pub hubspot: Option<OAuthClientConfig>,
    /// HubSpot endpoints.
    pub hubspot_urls: ProviderUrls,
    /// Fathom OAuth client, when configured.
    pub fathom: Option<OAuthClientConfig>,
    /// Fathom endpoints.
    pub fathom_urls: ProviderUrls,
    /// Aircall API base (no trailing slash).
    pub aircall_api_base: String,
    /// Autotask's zone-information service (no trailing slash).
    pub autotask_zone_lookup_url: String,
    /// Time between scheduled syncs; zero turns the scheduler off.
    pub sync_interval: Duration,
    /// Provider request budgets of the sync engine.
    pub sync_limits: crate::sync::budget::Limits,
    /// Fathom webhook signing secret (`whsec_…`), when configured.
    pub fathom_webhook_secret: Option<SecretString>,
    /// A listener of its own for `/metrics`; `None` serves it on `addr`.
    pub metrics_addr: Option<SocketAddr>,
    /// Bearer token `/metrics` requires, when set.
    pub metrics_token: Option<SecretString>,
}

impl Config {
    /// Whether cookies must carry `Secure`: only when users reach us over https.
    pub fn secure_cookies(&self) -> bool {
        self.public_url.starts_with("https://")
    }

    /// True when the database is SQLite.
    pub fn is_sqlite(&self) -> bool {
        self.database_url.starts_with("sqlite:")
    }
}

/// A setting that stops start-up: which variable, what is wrong, and a good value.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{var}={shown}: {problem} (for example {var}={example})")]
pub struct ConfigError {
    /// The environment variable (or `*_FILE` variable) at fault.
    pub var: &'static str,
    /// The offending value, quoted, or `<redacted>` for secrets.
    pub shown: String,
    /// What is wrong with it.
    pub problem: String,
    /// A value that would be accepted.
    pub example: &'static str,
}

impl ConfigError {
    pub(crate) fn new(
        var: &'static str,
        value: &str,
        problem: impl Into<String>,
        example: &'static str,
    ) -> Self {
        Self {
            var,
            shown: format!("{value:?}"),
            problem: problem.into(),
            example,
        }
    }

    pub(crate) fn secret(
        var: &'static str,
        problem: impl Into<String>,
        example: &'static str,
    ) -> Self {
        Self {
            var,
            shown: "<redacted>".into(),
            problem: problem.into(),
            example,
        }
    }
}

impl TryFrom<RawConfig> for Config {
    type Error = ConfigError;

    fn try_from(raw: RawConfig) -> Result<Self, ConfigError> {
        raw.check()
    }
}

#[cfg(test)]
mod tests;
