//! Provider connections: connecting, keeping tokens fresh, health, and
//! disconnecting.
//!
//! [`Integrations`] is the one service behind the `/oauth/…` routes, the
//! REST API, the integrations page and the sync engine, which asks it
//! for tokens through a per-run [`TokenLease`] and reports 401s back to it.

pub mod api_key;
pub mod client;
pub mod disconnect;
pub mod flow;
pub mod health;
pub mod identity;
pub mod lease;
pub mod purge;
pub mod service;
pub mod states;
pub mod static_token;
pub mod store;
pub mod tokens;

use std::sync::Arc;

use app::domain::ConnectionId;

use crate::{
    config::Config,
    db::Db,
    providers::{ConfiguredProvider, Provider},
    vault::Vault,
};

pub use lease::{LeasedToken, TokenLease};
pub use tokens::{AccessToken, TokenError};

/// Runs a sync of one connection on demand. The sync engine (a later issue)
/// implements it; while none is installed the page shows no "Sync now".
#[async_trait::async_trait]
pub trait SyncEngine: Send + Sync {
    /// Starts a sync of the connection now.
    async fn sync_now(&self, connection_id: ConnectionId) -> anyhow::Result<()>;
    /// Reads the portal's property definitions of `objects` again.
    async fn refresh_properties(
        &self,
        connection_id: ConnectionId,
        objects: &[&str],
    ) -> anyhow::Result<()>;
}

/// Connections and their tokens. Cheap to clone.
#[derive(Clone)]
pub struct Integrations {
    pub(crate) db: Db,
    pub(crate) vault: Vault,
    pub(crate) config: Arc<Config>,
    pub(crate) providers: Arc<[ConfiguredProvider; 4]>,
    pub(crate) http: reqwest::Client,
    /// The sync engine, once one exists.
    pub sync: Option<Arc<dyn SyncEngine>>,
}

impl std::fmt::Debug for Integrations {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Integrations")
            .field("providers", &self.providers.len())
            .finish_non_exhaustive()
    }
}

impl Integrations {
    /// The service for a database, vault and configuration.
    pub fn new(db: Db, vault: Vault, config: Arc<Config>) -> anyhow::Result<Self> {
        Ok(Self {
            providers: Arc::new(crate::providers::all(&config)),
            http: client::http_client()?,
            db,
            vault,
            config,
            sync: None,
        })
    }

    /// A provider, configured or not.
    pub fn provider(&self, id: Provider) -> &ConfiguredProvider {
        &self.providers[id.index()]
    }

    /// The provider a URL or form names, if it is one.
    pub fn provider_named(&self, id: &str) -> Option<&ConfiguredProvider> {
        Provider::parse(id).map(|p| self.provider(p))
    }

    /// Every provider, in card order.
    pub fn providers(&self) -> &[ConfiguredProvider] {
        &self.providers[..]
    }

    /// The vault secrets are sealed with.
    pub fn vault(&self) -> &Vault {
        &self.vault
    }
}
