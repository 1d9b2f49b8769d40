//! The settings exactly as given on the command line or in the environment.
//!
//! Everything is a string here on purpose: [`RawConfig::check`] turns it into
//! a [`Config`] and is the only place that decides what a good value is, so
//! every refusal reads the same way. The doc comment on each field is its
//! `--help` text and the README's configuration table (a test keeps them equal).

use std::{net::SocketAddr, path::PathBuf, str::FromStr, time::Duration};

use clap::Args;
use secrecy::SecretString;

use super::{Config, ConfigError, LogFormat, OAuthClientConfig, ProviderUrls, secret::secret_from};

/// Settings shared by every `tally` command.
#[derive(Debug, Clone, Default, Args)]
pub struct RawConfig {
    /// Database URL: `sqlite://path/to/file.db` (embedded, the default) or
    /// `postgres://user:password@host/db` (several replicas).
    #[arg(
        long,
        env = "DATABASE_URL",
        default_value = "sqlite://data/tally.db",
        hide_env_values = true
    )]
    pub database_url: String,

    /// Address and port the HTTP server listens on.
    #[arg(long, env = "TALLY_ADDR", default_value = "127.0.0.1:3000")]
    pub addr: String,

    /// Public base URL users reach Tally at (OAuth redirect URIs and cookie
    /// security derive from it). Defaults to `http://` + `TALLY_ADDR`.
    #[arg(long, env = "TALLY_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Log format: `text` (human-readable) or `json` (one object per line).
    #[arg(long, env = "TALLY_LOG_FORMAT", default_value = "text")]
    pub log_format: String,

    /// Log filter, e.g. `info` or `info,server::sync=debug`.
    #[arg(long, env = "TALLY_LOG", default_value = "info")]
    pub log: String,

    /// IANA timezone new organisations start with, e.g. `America/Chicago`.
    #[arg(long, env = "TALLY_DEFAULT_TIMEZONE", default_value = "UTC")]
    pub default_timezone: String,

    /// Folder holding a built site (`pkg/` with `build-id`, the WASM, JS and
    /// CSS), served instead of the one inside the binary. For development.
    #[arg(long, env = "LEPTOS_SITE_ROOT")]
    pub site_root: Option<PathBuf>,

    /// Folder for local state: the SQLite database and the generated `secret.key`.
    #[arg(long, env = "TALLY_DATA_DIR", default_value = "data")]
    pub data_dir: PathBuf,

    /// Hours a login session lasts without being used.
    #[arg(long, env = "TALLY_SESSION_TTL_HOURS", default_value = "336")]
    pub session_ttl_hours: String,

    /// Demo mode: mount the provider sandbox at `/sandbox`, point HubSpot and
    /// Fathom at it, and keep a demo organisation with an admin.
    #[arg(long, env = "TALLY_DEMO", default_value = "false")]
    pub demo: String,

    /// Minutes between scheduled syncs of each connection with auto-sync on
    /// (0 turns the scheduler off; "Sync now" and webhooks still work).
    #[arg(long, env = "TALLY_SYNC_INTERVAL_MINUTES", default_value = "15")]
    pub sync_interval_minutes: String,

    /// HubSpot's general request limit per connection: `110/10s` for public
    /// OAuth apps (the default), `190/10s` or `250/10s` for private apps, or
    /// `off` when the provider does not limit. The provider's
    /// `X-HubSpot-RateLimit-*` headers override it once seen.
    #[arg(long, env = "TALLY_HUBSPOT_RATE_LIMIT", default_value = "110/10s")]
    pub hubspot_rate_limit: String,

    /// HubSpot's CRM search limit per account: `5/s` (the default) or `off`.
    #[arg(long, env = "TALLY_HUBSPOT_SEARCH_RATE_LIMIT", default_value = "5/s")]
    pub hubspot_search_rate_limit: String,

    /// Fathom webhook signing secret (`whsec_…`). Demo mode uses the sandbox's.
    #[arg(long, env = "FATHOM_WEBHOOK_SECRET", hide_env_values = true)]
    pub fathom_webhook_secret: Option<String>,

    /// Keyring for secrets at rest: `id:base64key,…` (32-byte keys, the first
    /// is active). Unset: `data/secret.key` is generated on first run.
    #[arg(long, env = "TALLY_SECRET_KEYS", hide_env_values = true)]
    pub secret_keys: Option<String>,

    /// File holding `TALLY_SECRET_KEYS`.
    #[arg(long, env = "TALLY_SECRET_KEYS_FILE")]
    pub secret_keys_file: Option<PathBuf>,

    /// HubSpot app client id. Unset: HubSpot shows "Not configured".
    #[arg(long, env = "HUBSPOT_CLIENT_ID")]
    pub hubspot_client_id: Option<String>,

    /// HubSpot app client secret (also verifies webhook signatures).
    #[arg(long, env = "HUBSPOT_CLIENT_SECRET", hide_env_values = true)]
    pub hubspot_client_secret: Option<String>,

    /// File holding `HUBSPOT_CLIENT_SECRET`.
    #[arg(long, env = "HUBSPOT_CLIENT_SECRET_FILE")]
    pub hubspot_client_secret_file: Option<PathBuf>,

    /// HubSpot's consent page.
    #[arg(
        long,
        env = "HUBSPOT_AUTHORIZE_URL",
        default_value = "https://app.hubspot.com/oauth/authorize"
    )]
    pub hubspot_authorize_url: String,

    /// HubSpot API base; the token, token-info and revoke URLs derive from it.
    #[arg(
        long,
        env = "HUBSPOT_API_BASE",
        default_value = "https://api.hubapi.com"
    )]
    pub hubspot_api_base: String,

    /// Fathom app client id. Unset: Fathom shows "Not configured".
    #[arg(long, env = "FATHOM_CLIENT_ID")]
    pub fathom_client_id: Option<String>,

    /// Fathom app client secret.
    #[arg(long, env = "FATHOM_CLIENT_SECRET", hide_env_values = true)]
    pub fathom_client_secret: Option<String>,

    /// File holding `FATHOM_CLIENT_SECRET`.
    #[arg(long, env = "FATHOM_CLIENT_SECRET_FILE")]
    pub fathom_client_secret_file: Option<PathBuf>,

    /// Fathom's consent page.
    #[arg(
        long,
        env = "FATHOM_AUTHORIZE_URL",
        default_value = "https://fathom.video/external/v1/oauth2/authorize"
    )]
    pub fathom_authorize_url: String,

    /// Fathom's token endpoint.
    #[arg(
        long,
        env = "FATHOM_TOKEN_URL",
        default_value = "https://fathom.video/external/v1/oauth2/token"
    )]
    pub fathom_token_url: String,

    /// Fathom API base.
    #[arg(
        long,
        env = "FATHOM_API_BASE",
        default_value = "https://api.fathom.ai/external/v1"
    )]
    pub fathom_api_base: String,

    /// Address and port of a separate listener serving only `/metrics` (e.g.
    /// `127.0.0.1:9090`, reachable by the scraper alone). Set, the main
    /// address answers 404 for `/metrics`; unset, the main address serves it.
    #[arg(long, env = "TALLY_METRICS_ADDR")]
    pub metrics_addr: Option<String>,

    /// Bearer token `/metrics` requires (`Authorization: Bearer …`), wherever
    /// it is served. Unset: no token is asked for.
    #[arg(long, env = "TALLY_METRICS_TOKEN", hide_env_values = true)]
    pub metrics_token: Option<String>,

    /// File holding `TALLY_METRICS_TOKEN`.
    #[arg(long, env = "TALLY_METRICS_TOKEN_FILE")]
    pub metrics_token_file: Option<PathBuf>,

    /// Aircall API base; connecting checks a key with `GET /v1/ping` there.
    #[arg(
        long,
        env = "AIRCALL_API_BASE",
        default_value = "https://api.aircall.io"
    )]
    pub aircall_api_base: String,

    /// Autotask's zone-information service; connecting asks it for the API
    /// user's zone (`GET /v1.0/zoneInformation?user=…`).
    #[arg(
        long,
        env = "AUTOTASK_ZONE_LOOKUP_URL",
        default_value = "https://webservices.autotask.net/atservicesrest"
    )]
    pub autotask_zone_lookup_url: String,
}

impl RawConfig {
    /// Checks every value and builds the typed [`Config`].
    pub fn check(self) -> Result<Config, ConfigError> {
        let database_url = check_database_url(&self.database_url)?;
        let addr = SocketAddr::from_str(self.addr.trim()).map_err(|_| {
            ConfigError::new(
                "TALLY_ADDR",
                &self.addr,
                "not an IP address and port",
                "127.0.0.1:3000",
            )
        })?;
        let metrics_addr = match self.metrics_addr.as_deref().map(str::trim) {
            None | Some("") => None,
            Some(given) => {
                let metrics_addr = SocketAddr::from_str(given).map_err(|_| {
                    ConfigError::new(
                        "TALLY_METRICS_ADDR",
                        given,
                        "not an IP address and port",
                        "127.0.0.1:9090",
                    )
                })?;
                if metrics_addr == addr && addr.port() != 0 {
                    return Err(ConfigError::new(
                        "TALLY_METRICS_ADDR",
                        given,
                        "is the same address as TALLY_ADDR; give the metrics their own port",
                        "127.0.0.1:9090",
                    ));
                }
                Some(metrics_addr)
            }
        };
        let metrics_token = secret_from(
            ("TALLY_METRICS_TOKEN", self.metrics_token),
            ("TALLY_METRICS_TOKEN_FILE", self.metrics_token_file),
            "<a long random string>",
        )?;
        let public_url = match &self.public_url {
            Some(url) => check_http_url("TALLY_PUBLIC_URL", url, "https://tally.example.com")?,
            None => format!("http://{addr}"),
        };
        let log_format = match self.log_format.trim().to_ascii_lowercase().as_str() {
            "text" => LogFormat::Text,
            "json" => LogFormat::Json,
            _ => {
                return Err(ConfigError::new(
                    "TALLY_LOG_FORMAT",
                    &self.log_format,
                    "must be `text` or `json`",
                    "json",
                ));
            }
        };
        if tracing_subscriber::EnvFilter::try_new(&self.log).is_err() {
            return Err(ConfigError::new(
                "TALLY_LOG",
                &self.log,
                "not a log filter",
                "info,server=debug",
            ));
        }
        let default_timezone =
            chrono_tz::Tz::from_str(self.default_timezone.trim()).map_err(|_| {
                ConfigError::new(
                    "TALLY_DEFAULT_TIMEZONE",
                    &self.default_timezone,
                    "not an IANA timezone name",
                    "America/Chicago",
                )
            })?;
        let hours: u64 = self
            .session_ttl_hours
            .trim()
            .parse()
            .ok()
            .filter(|h| (1..=24 * 365).contains(h))
            .ok_or_else(|| {
                ConfigError::new(
                    "TALLY_SESSION_TTL_HOURS",
                    &self.session_ttl_hours,
                    "must be a whole number of hours from 1 to 8760",
                    "336",
                )
            })?;
        let demo = parse_bool("TALLY_DEMO", &self.demo)?;
        if demo && !cfg!(feature = "demo") {
            return Err(ConfigError::new(
                "TALLY_DEMO",
                &self.demo,
                "this binary was built without the provider sandbox (cargo feature `demo`); \
                 `make run` builds one with it",
                "false",
            ));
        }
        let sync_interval_minutes: u64 = self
            .sync_interval_minutes
            .trim()
            .parse()
            .ok()
            .filter(|m| *m <= 24 * 60)
            .ok_or_else(|| {
                ConfigError::new(
                    "TALLY_SYNC_INTERVAL_MINUTES",
                    &self.sync_interval_minutes,
                    "must be a whole number of minutes from 0 (off) to 1440",
                    "15",
                )
            })?;
        let mut sync_limits = crate::sync::budget::Limits::default();
        (sync_limits.hubspot_max, sync_limits.hubspot_window) =
            crate::sync::budget::parse_limit(&self.hubspot_rate_limit, sync_limits.hubspot_window)
                .map_err(|e| {
                    ConfigError::new(
                        "TALLY_HUBSPOT_RATE_LIMIT",
                        &self.hubspot_rate_limit,
                        e,
                        "110/10s",
                    )
                })?;
        sync_limits.search_per_second = match crate::sync::budget::parse_limit(
            &self.hubspot_search_rate_limit,
            Duration::from_secs(1),
        ) {
            Ok((n, w)) if w == Duration::from_secs(1) => n,
            Ok(_) => {
                return Err(ConfigError::new(
                    "TALLY_HUBSPOT_SEARCH_RATE_LIMIT",
                    &self.hubspot_search_rate_limit,
                    "HubSpot's search limit is per second: `N/s` or `off`",
                    "5/s",
                ));
            }
            Err(e) => {
                return Err(ConfigError::new(
                    "TALLY_HUBSPOT_SEARCH_RATE_LIMIT",
                    &self.hubspot_search_rate_limit,
                    e,
                    "5/s",
                ));
            }
        };
        let fathom_webhook_secret = self
            .fathom_webhook_secret
            .filter(|s| !s.trim().is_empty())
            .map(|s| SecretString::from(s.trim().to_owned()));
        let secret_keys = secret_from(
            ("TALLY_SECRET_KEYS", self.secret_keys),
            ("TALLY_SECRET_KEYS_FILE", self.secret_keys_file),
            "k1:<44 base64 characters>",
        )?;
        let hubspot = oauth_client(
            ("HUBSPOT_CLIENT_ID", self.hubspot_client_id),
            ("HUBSPOT_CLIENT_SECRET", self.hubspot_client_secret),
            (
                "HUBSPOT_CLIENT_SECRET_FILE",
                self.hubspot_client_secret_file,
            ),
        )?;
        let hubspot_api_base = check_http_url(
            "HUBSPOT_API_BASE",
            &self.hubspot_api_base,
            "https://api.hubapi.com",
        )?;
        let hubspot_urls = ProviderUrls {
            authorize_url: check_http_url(
                "HUBSPOT_AUTHORIZE_URL",
                &self.hubspot_authorize_url,
                "https://app.hubspot.com/oauth/authorize",
            )?,
            token_url: format!("{hubspot_api_base}/oauth/v1/token"),
            api_base: hubspot_api_base,
        };
        let fathom = oauth_client(
            ("FATHOM_CLIENT_ID", self.fathom_client_id),
            ("FATHOM_CLIENT_SECRET", self.fathom_client_secret),
            ("FATHOM_CLIENT_SECRET_FILE", self.fathom_client_secret_file),
        )?;
        let fathom_urls = ProviderUrls {
            authorize_url: check_http_url(
                "FATHOM_AUTHORIZE_URL",
                &self.fathom_authorize_url,
                "https://fathom.video/external/v1/oauth2/authorize",
            )?,
            token_url: check_http_url(
                "FATHOM_TOKEN_URL",
                &self.fathom_token_url,
                "https://fathom.video/external/v1/oauth2/token",
            )?,
            api_base: check_http_url(
                "FATHOM_API_BASE",
                &self.fathom_api_base,
                "https://api.fathom.ai/external/v1",
            )?,
        };
        let aircall_api_base = check_http_url(
            "AIRCALL_API_BASE",
            &self.aircall_api_base,
            "https://api.aircall.io",
        )?;
        let autotask_zone_lookup_url = check_http_url(
            "AUTOTASK_ZONE_LOOKUP_URL",
            &self.autotask_zone_lookup_url,
            "https://webservices.autotask.net/atservicesrest",
        )?;
        Ok(Config {
            database_url,
            addr,
            public_url,
            log_format,
            log_filter: self.log,
            default_timezone,
            site_root: self.site_root,
            data_dir: self.data_dir,
            session_ttl: Duration::from_secs(hours * 3600),
            demo,
            secret_keys,
            hubspot,
            hubspot_urls,
            fathom,
            fathom_urls,
            aircall_api_base,
            autotask_zone_lookup_url,
            sync_interval: Duration::from_secs(sync_interval_minutes * 60),
            sync_limits,
            fathom_webhook_secret,
            metrics_addr,
            metrics_token,
        })
    }
}

fn check_database_url(url: &str) -> Result<String, ConfigError> {
    let url = url.trim();
    let ok = url
        .strip_prefix("sqlite:")
        .is_some_and(|rest| !rest.trim_start_matches('/').is_empty())
        || ["postgres://", "postgresql://"]
            .iter()
            .any(|p| url.strip_prefix(p).is_some_and(|rest| !rest.is_empty()));
    if ok {
        Ok(url.to_owned())
    } else {
        // The URL may hold a password, so it is not echoed back.
        Err(ConfigError::secret(
            "DATABASE_URL",
            "must start with sqlite:// or postgres:// and name a database",
            "sqlite://data/tally.db",
        ))
    }
}

fn check_http_url(
    var: &'static str,
    url: &str,
    example: &'static str,
) -> Result<String, ConfigError> {
    let trimmed = url.trim().trim_end_matches('/');
    let rest = trimmed
        .strip_prefix("https://")
        .or_else(|| trimmed.strip_prefix("http://"));
    match rest {
        Some(host)
            if !host.is_empty()
                && !host.starts_with('/')
                && !host.contains(char::is_whitespace) =>
        {
            Ok(trimmed.to_owned())
        }
        _ => Err(ConfigError::new(
            var,
            url,
            "not an http(s) URL with a host",
            example,
        )),
    }
}

fn parse_bool(var: &'static str, value: &str) -> Result<bool, ConfigError> {
    match value.trim().to_ascii_lowercase().as_str() {
        "1" | "true" | "yes" | "on" => Ok(true),
        "0" | "false" | "no" | "off" | "" => Ok(false),
        _ => Err(ConfigError::new(
            var,
            value,
            "must be true or false",
            "true",
        )),
    }
}

fn oauth_client(
    id: (&'static str, Option<String>),
    secret: (&'static str, Option<String>),
    secret_file: (&'static str, Option<PathBuf>),
) -> Result<Option<OAuthClientConfig>, ConfigError> {
    let secret_var = secret.0;
    let client_secret = secret_from(secret, secret_file, "<the app's client secret>")?;
    match (
        id.1.map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()),
        client_secret,
    ) {
        (None, None) => Ok(None),
        (Some(client_id), Some(client_secret)) => Ok(Some(OAuthClientConfig {
            client_id,
            client_secret,
        })),
        (Some(_), None) => Err(ConfigError::new(
            secret_var,
            "",
            format!("is required when {} is set", id.0),
            "<the app's client secret>",
        )),
        (None, Some(_)) => Err(ConfigError::new(
            id.0,
            "",
            format!("is required when {secret_var} is set"),
            "<the app's client id>",
        )),
    }
}
