//! The state every request handler shares.

use std::sync::{Arc, atomic::AtomicBool};

use axum::extract::FromRef;
use leptos::config::LeptosOptions;

use crate::{
    config::Config, db::Db, events::EventBus, http::metrics::Metrics, integrations::Integrations,
    sync::SyncEngine, vault::Vault,
};

/// Cheap to clone: everything inside is shared.
#[derive(Clone, FromRef)]
pub struct AppState {
    /// Leptos' own settings (output name, the bundle's folder); `FromRef`
    /// lets leptos_axum's handlers find them.
    pub leptos_options: LeptosOptions,
    /// The database.
    pub db: Db,
    /// Checked configuration.
    pub config: Arc<Config>,
    /// Services provided to server functions as context.
    pub services: app::services::Services,
    /// Request counters and latency histogram.
    pub metrics: Arc<Metrics>,
    /// Live events, shared by every replica.
    pub events: EventBus,
    /// Set once the first user exists, so the setup check stops querying.
    pub setup_done: Arc<AtomicBool>,
    /// Secrets at rest.
    pub vault: Vault,
    /// Provider connections and tokens.
    pub integrations: Integrations,
    /// The sync engine.
    pub sync: SyncEngine,
    /// Live event streams open per user on this replica.
    pub streams: crate::http::streams::StreamSlots,
    /// The site's files, from the binary or `LEPTOS_SITE_ROOT`.
    pub site: crate::http::assets::Site,
    /// The provider sandbox served at `/sandbox` in demo mode.
    #[cfg(feature = "demo")]
    pub sandbox: Option<sandbox::Sandbox>,
}

impl std::fmt::Debug for AppState {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("AppState")
            .field("backend", &self.db.backend)
            .finish_non_exhaustive()
    }
}
