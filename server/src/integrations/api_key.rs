//! Connecting an API-key provider (Autotask, Aircall): check the pasted
//! credentials with the provider's test call, then store the secrets
//! encrypted like tokens. "Test connection" runs the same check and saves
//! nothing; a refusal names the field at fault and nothing is stored.
//!
//! Autotask first needs the API user's zone: its zone-information call
//! (`GET /v1.0/zoneInformation?user=…`, no credentials) names the zone's
//! base, which is checked with the credentials and stored on the connection.
//! Aircall connections also register a `call.ended` webhook, whose token is
//! kept in the vault to check deliveries.

use std::collections::BTreeMap;

use app::domain::{ConnectionId, ConnectionStatus, KeyCheck, Viewer};
use serde::Deserialize;

use super::{
    Integrations,
    store::{self, API_TOKEN, NewConnection},
};
use crate::{
    providers::{
        AuthKind, ConfiguredProvider, KeyStyle, Provider,
        key_auth::{self, KeyCredentials},
    },
    sync::client::Auth,
    vault::SecretToken,
};

/// Vault field of Autotask's tracking identifier.
pub const INTEGRATION_CODE: &str = "integration_code";
/// Vault field of the token Aircall puts in its webhook deliveries.
pub const WEBHOOK_TOKEN: &str = "webhook_token";
/// Vault field of the id of Tally's Aircall webhook (to delete it).
pub const WEBHOOK_ID: &str = "webhook_id";

/// Why credentials were not accepted; each names the form field at fault.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Not an API-key provider.
    #[error("this provider connects with OAuth")]
    NotApiKey,
    /// A field is empty.
    #[error("{0} is required")]
    Missing(String),
    /// The provider refused them, for the reason given.
    #[error("{message}")]
    Refused {
        /// The form field at fault.
        field: String,
        /// What the provider said, in words.
        message: String,
    },
    /// The provider could not be reached or failed.
    #[error("{0} could not be reached ({1}); try again")]
    Unreachable(&'static str, String),
    /// Database or vault.
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl KeyError {
    /// The form field the error is about.
    pub fn field(&self) -> &str {
        match self {
            KeyError::Missing(f) | KeyError::Refused { field: f, .. } => f,
            _ => "credentials",
        }
    }
}

/// Credentials that passed the provider's check.
struct Checked {
    credentials: KeyCredentials,
    check: KeyCheck,
    api_base: Option<String>,
}

/// Autotask's zone-information answer.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ZoneInformation {
    zone_name: Option<String>,
    url: String,
}

/// Whether two secrets are equal, in time independent of where they differ.
fn same_secret(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0_u8, |diff, (x, y)| diff | (x ^ y))
            == 0
}

fn send_error(name: &'static str, e: reqwest::Error) -> KeyError {
    KeyError::Unreachable(name, e.without_url().to_string())
}

impl Integrations {
    fn key_provider(&self, provider_id: &str) -> Result<&ConfiguredProvider, KeyError> {
        let provider = self
            .provider_named(provider_id)
            .ok_or(KeyError::NotApiKey)?;
        match provider.spec.auth {
            AuthKind::ApiKey(_) => Ok(provider),
            AuthKind::OAuth2(_) => Err(KeyError::NotApiKey),
        }
    }

    /// Checks credentials (`fields` by form name) with the provider without
    /// saving anything.
    #[tracing::instrument(skip_all, fields(provider = provider_id))]
    pub async fn check_key(
        &self,
        provider_id: &str,
        fields: &BTreeMap<String, String>,
    ) -> Result<KeyCheck, KeyError> {
        let provider = self.key_provider(provider_id)?;
        Ok(self.checked(provider, fields).await?.check)
    }

    async fn checked(
        &self,
        provider: &ConfiguredProvider,
        fields: &BTreeMap<String, String>,
    ) -> Result<Checked, KeyError> {
        let AuthKind::ApiKey(spec) = provider.spec.auth else {
            return Err(KeyError::NotApiKey);
        };
        let mut values = Vec::with_capacity(spec.fields.len());
        for f in spec.fields {
            let v = fields.get(f.name.as_ref()).map_or("", |v| v.trim());
            if v.is_empty() {
                return Err(KeyError::Missing(f.name.to_string()));
            }
            values.push(v.to_owned());
        }
        let name = provider.spec.id.name();
        let mut values = values.into_iter();
        let credentials = KeyCredentials {
            user: values.next().unwrap_or_default(),
            secret: SecretToken::new(values.next().unwrap_or_default()),
            integration_code: values.next().map(SecretToken::new),
        };
        let (base, zone) = match spec.style {
            KeyStyle::Basic => (provider.urls.api_base.clone(), None),
            KeyStyle::Autotask => {
                let zone = self.autotask_zone(provider, &credentials.user).await?;
                let base = zone.url.trim_end_matches('/').to_owned();
                let label = zone.zone_name.unwrap_or_else(|| base.clone());
                (base, Some(label))
            }
        };
        let request = self.http.get(format!("{base}{}", spec.test_path));
        let response = key_auth::apply(request, spec.style, &credentials)
            .send()
            .await
            .map_err(|e| send_error(name, e))?;
        let status = response.status();
        if status.is_server_error() || status.as_u16() == 429 {
            return Err(KeyError::Unreachable(name, format!("it answered {status}")));
        }
        if !status.is_success() {
            let secret = spec
                .fields
                .iter()
                .find(|f| f.secret)
                .map_or("credentials", |f| f.name.as_ref());
            let what = match spec.style {
                KeyStyle::Basic => "this API ID and token",
                KeyStyle::Autotask => {
                    "this API user's secret or tracking identifier (or the user is inactive)"
                }
            };
            return Err(KeyError::Refused {
                field: secret.to_owned(),
                message: format!("{name} refused {what}: it answered {status}"),
            });
        }
        Ok(Checked {
            check: KeyCheck {
                account_id: credentials.user.clone(),
                zone,
            },
            api_base: (spec.style == KeyStyle::Autotask).then_some(base),
            credentials,
        })
    }

    /// Asks Autotask's zone-information service where `user`'s database is.
    async fn autotask_zone(
        &self,
        provider: &ConfiguredProvider,
        user: &str,
    ) -> Result<ZoneInformation, KeyError> {
        let response = self
            .http
            .get(format!("{}/v1.0/zoneInformation", provider.urls.api_base))
            .query(&[("user", user)])
            .send()
            .await
            .map_err(|e| send_error("Autotask", e))?;
        let status = response.status();
        if status.is_server_error() && status.as_u16() != 500 || status.as_u16() == 429 {
            return Err(KeyError::Unreachable(
                "Autotask",
                format!("it answered {status}"),
            ));
        }
        if !status.is_success() {
            return Err(KeyError::Refused {
                field: "username".into(),
                message: format!(
                    "Autotask knows no API user named {user}: its zone lookup answered {status}"
                ),
            });
        }
        response.json().await.map_err(|_| {
            KeyError::Unreachable("Autotask", "its zone information could not be read".into())
        })
    }

    /// How a sync run authenticates for `conn`: a bearer token, or the
    /// connection's API-key style with its account (and Autotask's
    /// integration code from the vault). The secret itself comes from the
    /// run's token lease.
    pub async fn request_auth(&self, conn: &store::Connection) -> anyhow::Result<Auth> {
        let AuthKind::ApiKey(spec) = self.provider(conn.provider).spec.auth else {
            return Ok(Auth::Bearer);
        };
        let integration_code = match spec.style {
            KeyStyle::Basic => None,
            KeyStyle::Autotask => {
                store::secret(&self.db, &self.vault, conn, INTEGRATION_CODE).await?
            }
        };
        Ok(Auth::Key {
            style: spec.style,
            user: conn.account_id.clone(),
            integration_code,
        })
    }

    /// The live Aircall connections whose webhook token is `token` (the
    /// `token` field of a delivery), compared in constant time.
    pub async fn aircall_webhook_connections(
        &self,
        token: &str,
    ) -> anyhow::Result<Vec<ConnectionId>> {
        let conns: Vec<(ConnectionId,)> = sqlx::query_as(
            "SELECT id FROM connections WHERE provider = $1 \
             AND status NOT IN ('disconnected', 'needs_reauth')",
        )
        .bind(Provider::Aircall.as_str())
        .fetch_all(&self.db.pool)
        .await?;
        let mut out = Vec::new();
        for (id,) in conns {
            let Some(conn) = store::get(&self.db, id).await? else {
                continue;
            };
            let stored = store::secret(&self.db, &self.vault, &conn, WEBHOOK_TOKEN).await?;
            if stored.is_some_and(|s| same_secret(s.expose(), token)) {
                out.push(id);
            }
        }
        Ok(out)
    }

    /// Checks and stores API credentials; returns the connection id and
    /// what the provider said.
    #[tracing::instrument(skip_all, fields(provider = provider_id, org_id = viewer.org_id.0))]
    pub async fn connect_key(
        &self,
        viewer: &Viewer,
        provider_id: &str,
        fields: &BTreeMap<String, String>,
    ) -> Result<(ConnectionId, KeyCheck), KeyError> {
        let provider = self.key_provider(provider_id)?;
        let Checked {
            credentials,
            check,
            api_base,
        } = self.checked(provider, fields).await?;
        let mut secrets = vec![(API_TOKEN, credentials.secret.clone())];
        if let Some(code) = &credentials.integration_code {
            secrets.push((INTEGRATION_CODE, code.clone()));
        }
        if provider.spec.id == Provider::Aircall {
            secrets.extend(self.aircall_webhook(provider, &credentials).await);
        }
        let account_name = match &check.zone {
            Some(zone) => format!("{} ({zone})", check.account_id),
            None => check.account_id.clone(),
        };
        let id = store::upsert(
            &self.db,
            &self.vault,
            NewConnection {
                org_id: viewer.org_id,
                provider: provider.spec.id,
                account_id: &check.account_id,
                account_name: &account_name,
                account_user: &viewer.email,
                status: ConnectionStatus::Connected,
                scopes: &[],
                user_id: viewer.user_id,
                access_expires_at: None,
                secrets,
                api_base: api_base.as_deref(),
            },
        )
        .await?;
        tracing::info!(connection = id.0, "API credentials connected");
        Ok((id, check))
    }

    /// Registers Tally's `call.ended` webhook with Aircall; its token and id
    /// as vault fields. A failure leaves the scheduled sync to bring calls
    /// in and is only logged.
    async fn aircall_webhook(
        &self,
        provider: &ConfiguredProvider,
        credentials: &KeyCredentials,
    ) -> Vec<(&'static str, SecretToken)> {
        let url = format!("{}/webhooks/aircall", self.config.public_url);
        let request = self
            .http
            .post(format!("{}/v1/webhooks", provider.urls.api_base))
            .json(&serde_json::json!({
                "custom_name": "Tally",
                "url": url,
                "events": ["call.ended"],
            }));
        let answer = match key_auth::apply(request, KeyStyle::Basic, credentials)
            .send()
            .await
        {
            Ok(r) if r.status().is_success() => r.json::<serde_json::Value>().await.ok(),
            Ok(r) => {
                tracing::warn!(status = %r.status(), "Aircall refused Tally's webhook");
                None
            }
            Err(e) => {
                tracing::warn!(error = %e.without_url(), "registering the Aircall webhook");
                None
            }
        };
        let Some(hook) = answer.as_ref().map(|a| &a["webhook"]) else {
            return Vec::new();
        };
        let (Some(token), Some(id)) = (hook["token"].as_str(), hook["webhook_id"].as_str()) else {
            return Vec::new();
        };
        vec![
            (WEBHOOK_TOKEN, SecretToken::new(token)),
            (WEBHOOK_ID, SecretToken::new(id)),
        ]
    }
}
