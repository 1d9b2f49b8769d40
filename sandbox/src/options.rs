//! Configuration of a sandbox instance.
//!
//! Exists so the binary, the Tally server and tests all build a sandbox from one plain
//! struct with sensible defaults.

use chrono::{DateTime, Utc};

/// Rate-limit numbers (see `hubspot::limits` and the provider middleware).
#[derive(Debug, Clone, PartialEq)]
pub struct RateLimits {
    /// HubSpot requests per rolling window per portal (110 for public apps).
    pub hubspot_per_window: usize,
    /// HubSpot rolling window in milliseconds (10,000).
    pub hubspot_window_ms: u64,
    /// HubSpot CRM search requests per second (5).
    pub hubspot_search_per_second: usize,
    /// Fathom requests per window (60).
    pub fathom_per_window: usize,
    /// Fathom window in milliseconds (60,000).
    pub fathom_window_ms: u64,
}

impl Default for RateLimits {
    fn default() -> Self {
        RateLimits {
            hubspot_per_window: 110,
            hubspot_window_ms: 10_000,
            hubspot_search_per_second: 5,
            fathom_per_window: 60,
            fathom_window_ms: 60_000,
        }
    }
}

/// The portal time zone when none is given.
pub const DEFAULT_TIMEZONE: &str = "America/New_York";

/// Everything that shapes a sandbox.
///
/// `Debug` redacts the client secrets and the webhook secret.
#[derive(Clone)]
pub struct SandboxOptions {
    /// Seed of the deterministic data generator.
    pub seed: u64,
    /// Number of sales reps (HubSpot owners, Fathom users).
    pub reps: usize,
    /// Weeks of history ending at `now`.
    pub weeks: u32,
    /// Multiplier of record volume (1.0 gives a few thousand records).
    pub scale: f64,
    /// Generated data ends at this instant. Also the sandbox clock's starting point is the
    /// real clock; this only anchors the data.
    pub now: DateTime<Utc>,
    /// Skip the consent pages and approve immediately.
    pub auto_approve: bool,
    /// Access-token lifetime in seconds (HubSpot: 1800).
    pub access_token_ttl: u64,
    /// Authorization-code lifetime in seconds (600).
    pub auth_code_ttl: u64,
    /// Enforce rate limits (HubSpot 110 / rolling 10 s and search 5/s; Fathom 60 / 60 s).
    pub rate_limits: bool,
    /// The rate-limit numbers.
    pub limits: RateLimits,
    pub hubspot_client_id: String,
    pub hubspot_client_secret: String,
    pub fathom_client_id: String,
    pub fathom_client_secret: String,
    /// Fathom API keys accepted in `X-Api-Key` (API-key callers may use `include_*`).
    pub fathom_api_keys: Vec<String>,
    /// Redirect URIs registered for both apps; authorize requires an exact match.
    pub redirect_uris: Vec<String>,
    /// Scopes the HubSpot app declares; anything else on the authorize URL is refused.
    pub hubspot_app_scopes: Vec<String>,
    /// Where HubSpot webhooks are POSTed.
    pub hubspot_webhook_url: Option<String>,
    /// Where Fathom webhooks are POSTed.
    pub fathom_webhook_url: Option<String>,
    /// Fathom webhook secret, `whsec_<base64>`.
    pub fathom_webhook_secret: String,
    /// HubSpot portal (hub) id.
    pub portal_id: u64,
    /// HubSpot app id.
    pub app_id: u64,
    /// The portal's time zone, an IANA name (`America/New_York`). Served as `timeZone` by
    /// `/account-info/v3/details`; the generator places records around local week starts.
    /// An unknown name falls back to `America/New_York` (see [`SandboxOptions::tz`]).
    pub timezone: String,
    /// HubSpot hub domain.
    pub hub_domain: String,
    /// Email domain of the sales team (owners and Fathom users).
    pub team_domain: String,
    /// Fathom team name.
    pub fathom_team: String,
    /// Email of the Fathom user who connects (defaults to the first rep).
    pub fathom_user_email: Option<String>,
    /// Absolute base URL the sandbox is reachable at (e.g. `http://127.0.0.1:3000/sandbox`).
    /// When unset, emitted links are absolute-path references built from the request.
    pub public_base_url: Option<String>,
    /// When set, only these of the generated calls, meetings, notes, emails, tasks and
    /// deals are kept (a big data set of one kind, cheaply); owners, companies, contacts,
    /// lists and Fathom recordings are always generated.
    pub only_kinds: Option<Vec<crate::model::ObjectKind>>,
}

impl Default for SandboxOptions {
    fn default() -> Self {
        SandboxOptions {
            seed: 42,
            reps: 5,
            weeks: 13,
            scale: 1.0,
            now: Utc::now(),
            auto_approve: false,
            access_token_ttl: 1800,
            auth_code_ttl: 600,
            rate_limits: true,
            limits: RateLimits::default(),
            hubspot_client_id: "sandbox-hubspot-client".into(),
            hubspot_client_secret: "sandbox-hubspot-secret".into(),
            fathom_client_id: "sandbox-fathom-client".into(),
            fathom_client_secret: "sandbox-fathom-secret".into(),
            fathom_api_keys: vec!["sandbox-fathom-api-key".into()],
            redirect_uris: vec![
                "http://localhost:3000/oauth/hubspot/callback".into(),
                "http://localhost:3000/oauth/fathom/callback".into(),
                "http://127.0.0.1:3000/oauth/hubspot/callback".into(),
                "http://127.0.0.1:3000/oauth/fathom/callback".into(),
            ],
            hubspot_app_scopes: crate::hubspot::scopes::KNOWN_SCOPES
                .iter()
                .map(|s| s.to_string())
                .collect(),
            hubspot_webhook_url: None,
            fathom_webhook_url: None,
            // base64("sandbox-fathom-webhook-secret-32b")
            fathom_webhook_secret: "whsec_c2FuZGJveC1mYXRob20td2ViaG9vay1zZWNyZXQtMzJi".into(),
            portal_id: 24_681_357,
            app_id: 3_141_592,
            timezone: DEFAULT_TIMEZONE.into(),
            hub_domain: "tally-sandbox.example.com".into(),
            team_domain: "tally-demo.example".into(),
            fathom_team: "Sales".into(),
            fathom_user_email: None,
            public_base_url: None,
            only_kinds: None,
        }
    }
}

impl SandboxOptions {
    /// The portal time zone: `timezone` parsed, or `America/New_York` when it is not an IANA
    /// name chrono-tz knows.
    pub fn tz(&self) -> chrono_tz::Tz {
        self.timezone
            .parse::<chrono_tz::Tz>()
            .unwrap_or(chrono_tz::America::New_York)
    }
}

impl std::fmt::Debug for SandboxOptions {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SandboxOptions")
            .field("seed", &self.seed)
            .field("reps", &self.reps)
            .field("weeks", &self.weeks)
            .field("scale", &self.scale)
            .field("now", &self.now)
            .field("auto_approve", &self.auto_approve)
            .field("access_token_ttl", &self.access_token_ttl)
            .field("auth_code_ttl", &self.auth_code_ttl)
            .field("rate_limits", &self.rate_limits)
            .field("limits", &self.limits)
            .field("hubspot_client_id", &self.hubspot_client_id)
            .field("hubspot_client_secret", &"[redacted]")
            .field("fathom_client_id", &self.fathom_client_id)
            .field("fathom_client_secret", &"[redacted]")
            .field("fathom_api_keys", &"[redacted]")
            .field("redirect_uris", &self.redirect_uris)
            .field("hubspot_app_scopes", &self.hubspot_app_scopes)
            .field("hubspot_webhook_url", &self.hubspot_webhook_url)
            .field("fathom_webhook_url", &self.fathom_webhook_url)
            .field("fathom_webhook_secret", &"[redacted]")
            .field("portal_id", &self.portal_id)
            .field("app_id", &self.app_id)
            .field("timezone", &self.timezone)
            .field("hub_domain", &self.hub_domain)
            .field("team_domain", &self.team_domain)
            .field("fathom_team", &self.fathom_team)
            .field("fathom_user_email", &self.fathom_user_email)
            .field("public_base_url", &self.public_base_url)
            .field("only_kinds", &self.only_kinds)
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn debug_redacts_secrets() {
        let s = format!("{:?}", SandboxOptions::default());
        assert!(!s.contains("sandbox-hubspot-secret"));
        assert!(!s.contains("sandbox-fathom-secret"));
        assert!(!s.contains("whsec_"));
    }

    #[test]
    fn time_zone_parses_or_falls_back() {
        let mut o = SandboxOptions::default();
        assert_eq!(o.tz(), chrono_tz::America::New_York);
        o.timezone = "Europe/Berlin".into();
        assert_eq!(o.tz(), chrono_tz::Europe::Berlin);
        o.timezone = "Mars/Olympus_Mons".into();
        assert_eq!(o.tz(), chrono_tz::America::New_York);
    }
}
