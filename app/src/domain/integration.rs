//! Provider connections as the integrations page and `GET /api/v1/connections`
//! show them: health, never secrets.

use serde::{Deserialize, Serialize};

use super::{ConnectionId, Provider};

/// Health of one connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConnectionStatus {
    /// Tokens work and every required scope was granted.
    Connected,
    /// Connected, but some required scopes were not granted.
    MissingScopes,
    /// The provider refused the grant (revoked or expired): reconnect.
    NeedsReauth,
    /// Recent calls failed (timeouts, 5xx); retrying with back-off.
    Degraded,
    /// Disconnected by a user; secrets deleted.
    Disconnected,
}

impl ConnectionStatus {
    /// The stored and wire name.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Connected => "connected",
            Self::MissingScopes => "missing_scopes",
            Self::NeedsReauth => "needs_reauth",
            Self::Degraded => "degraded",
            Self::Disconnected => "disconnected",
        }
    }

    /// Parses the stored name.
    pub fn parse(s: &str) -> Option<Self> {
        [
            Self::Connected,
            Self::MissingScopes,
            Self::NeedsReauth,
            Self::Degraded,
            Self::Disconnected,
        ]
        .into_iter()
        .find(|v| v.as_str() == s)
    }

    /// Badge text.
    pub fn label(self) -> &'static str {
        match self {
            Self::Connected => "Connected",
            Self::MissingScopes => "Missing scopes",
            Self::NeedsReauth => "Needs re-auth",
            Self::Degraded => "Degraded",
            Self::Disconnected => "Not connected",
        }
    }

    /// Badge colour class.
    pub fn badge_class(self) -> &'static str {
        match self {
            Self::Connected => "badge badge-green",
            Self::MissingScopes | Self::Degraded => "badge badge-yellow",
            Self::NeedsReauth => "badge badge-red",
            Self::Disconnected => "badge",
        }
    }
}

/// Items synced for one object type.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ObjectCount {
    /// Object type, e.g. `calls`.
    pub object: String,
    /// Items stored.
    pub count: i64,
}

/// One connection's health.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionHealth {
    /// Connection id.
    pub id: ConnectionId,
    /// Provider (`hubspot`, `fathom`, `aircall` on the wire).
    pub provider: Provider,
    /// Provider's account id (HubSpot hub id, Fathom user email, Aircall api id).
    pub account_id: String,
    /// Human name of the account (hub domain, team).
    pub account_name: String,
    /// Provider user who granted access.
    pub account_user: String,
    /// Health.
    pub status: ConnectionStatus,
    /// Tally user who connected it.
    pub connected_by: Option<String>,
    /// When it was (re)connected, epoch ms.
    pub connected_at: i64,
    /// Scopes the provider granted.
    pub scopes_granted: Vec<String>,
    /// Scopes Tally requires.
    pub scopes_required: Vec<String>,
    /// Required scopes not granted.
    pub scopes_missing: Vec<String>,
    /// When the current access token expires, epoch ms.
    pub access_expires_at: Option<i64>,
    /// Last finished sync, epoch ms.
    pub last_sync_at: Option<i64>,
    /// Items synced, all objects.
    pub items_total: i64,
    /// Items synced per object.
    pub items_by_object: Vec<ObjectCount>,
    /// Last error, in words.
    pub last_error: Option<String>,
    /// Sync on schedule.
    pub auto_sync: bool,
}

/// A provider card on the integrations page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProviderCard {
    /// Provider.
    pub provider: Provider,
    /// Display name.
    pub name: String,
    /// What it brings in.
    pub syncs: Vec<String>,
    /// `oauth` or `api_key`.
    pub auth: String,
    /// Fields of the API-key form (empty for OAuth).
    pub key_fields: Vec<KeyField>,
    /// False when the OAuth client id is missing.
    pub configured: bool,
    /// Variables to set when not configured.
    pub config_vars: Vec<String>,
    /// False while the sync for this provider is not built yet.
    pub sync_ready: bool,
    /// Whether "Sync now" can run (a sync service exists).
    pub can_sync_now: bool,
    /// Live connections (not disconnected).
    pub connections: Vec<ConnectionHealth>,
}

/// One field of an API-key provider's connect form.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyField {
    /// Form and wire name, e.g. `api_id`.
    pub name: std::borrow::Cow<'static, str>,
    /// Label shown beside it.
    pub label: std::borrow::Cow<'static, str>,
    /// Whether it is a secret: typed into a password field and kept in the
    /// vault.
    pub secret: bool,
}

impl KeyField {
    /// A field that names the account (not a secret).
    pub const fn plain(name: &'static str, label: &'static str) -> KeyField {
        KeyField {
            name: std::borrow::Cow::Borrowed(name),
            label: std::borrow::Cow::Borrowed(label),
            secret: false,
        }
    }

    /// A secret field.
    pub const fn secret(name: &'static str, label: &'static str) -> KeyField {
        KeyField {
            name: std::borrow::Cow::Borrowed(name),
            label: std::borrow::Cow::Borrowed(label),
            secret: true,
        }
    }
}

/// What a provider said of pasted API credentials: the account they open.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyCheck {
    /// The account (API id, Autotask API username).
    pub account_id: String,
    /// Where its API lives (an Autotask zone's name and base), when the
    /// provider says.
    pub zone: Option<String>,
}

/// What HubSpot says of a pasted access token (private app or service key):
/// the portal, and the scopes it holds against those Tally needs.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TokenCheck {
    /// The portal (hub id) the token belongs to.
    pub account_id: String,
    /// Scopes the token holds, sorted.
    pub granted: Vec<String>,
    /// Scopes Tally needs.
    pub required: Vec<String>,
    /// Required scopes the token lacks (empty when it is enough).
    pub missing: Vec<String>,
}

/// One sync run of a connection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(sqlx::FromRow))]
pub struct SyncRun {
    /// Run id.
    pub id: i64,
    /// Started, epoch ms.
    pub started_at: i64,
    /// Finished, epoch ms.
    pub finished_at: Option<i64>,
    /// `running`, `succeeded`, `failed`.
    pub status: String,
    /// Items written.
    pub items: i64,
    /// Error, if it failed.
    pub error: Option<String>,
    /// `schedule`, `manual` or `webhook`.
    #[serde(default)]
    pub trigger: String,
    /// Provider requests made.
    #[serde(default)]
    pub api_calls: i64,
    /// 429 answers seen.
    #[serde(default)]
    pub throttled: i64,
    /// Objects finished.
    #[serde(default)]
    pub objects_done: i64,
    /// Objects in the run.
    #[serde(default)]
    pub objects_total: i64,
}

impl SyncRun {
    /// Progress of a running run: "3 of 12 objects, 1,234 records, about 2 min left".
    pub fn progress(&self, now_ms: i64) -> Option<String> {
        if self.status != "running" {
            return None;
        }
        let mut text = format!(
            "{} of {} objects, {} records so far",
            self.objects_done, self.objects_total, self.items
        );
        if self.objects_done > 0 && self.objects_total > self.objects_done {
            let elapsed = (now_ms - self.started_at).max(0);
            let left = elapsed * (self.objects_total - self.objects_done) / self.objects_done;
            text.push_str(&format!(", about {} s left", (left + 999) / 1000));
        }
        Some(text)
    }
}

/// The connection detail page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConnectionDetail {
    /// Provider display name.
    pub provider_name: String,
    /// Health.
    pub health: ConnectionHealth,
    /// Most recent runs first.
    pub runs: Vec<SyncRun>,
}

/// "2 hours ago" for an epoch-ms instant relative to `now_ms`.
pub fn ago(then_ms: i64, now_ms: i64) -> String {
    let secs = (now_ms - then_ms).max(0) / 1000;
    let (n, unit) = match secs {
        0..=59 => return "just now".to_owned(),
        60..=3599 => (secs / 60, "minute"),
        3600..=86_399 => (secs / 3600, "hour"),
        _ => (secs / 86_400, "day"),
    };
    format!("{n} {unit}{} ago", if n == 1 { "" } else { "s" })
}

/// "in 25 minutes" / "expired" for an expiry instant.
pub fn countdown(until_ms: i64, now_ms: i64) -> String {
    let secs = (until_ms - now_ms) / 1000;
    match secs {
        i64::MIN..=0 => "expired".to_owned(),
        1..=59 => format!("in {secs} s"),
        60..=3599 => format!("in {} min", secs / 60),
        _ => format!("in {} h {} min", secs / 3600, (secs % 3600) / 60),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_round_trip() {
        for s in [
            "connected",
            "missing_scopes",
            "needs_reauth",
            "degraded",
            "disconnected",
        ] {
            assert_eq!(
                ConnectionStatus::parse(s).map(ConnectionStatus::as_str),
                Some(s)
            );
        }
        assert_eq!(ConnectionStatus::parse("broken"), None);
    }

    #[test]
    fn relative_times_read_naturally() {
        let h = 3_600_000;
        assert_eq!(ago(0, 2 * h + 5), "2 hours ago");
        assert_eq!(ago(0, 60_000), "1 minute ago");
        assert_eq!(ago(0, 10), "just now");
        assert_eq!(countdown(25 * 60_000, 0), "in 25 min");
        assert_eq!(countdown(0, 5), "expired");
    }
}
