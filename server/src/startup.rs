//! Building and running the server: the seam tests use.
//!
//! [`Application::build`] connects the database, migrates, assembles services
//! and binds the listener (port 0 works, for tests); [`Application::run`]
//! serves until SIGTERM or ctrl-c, letting in-flight requests finish.

use std::{
    net::SocketAddr,
    sync::{Arc, atomic::AtomicBool},
};

use anyhow::Context as _;
use leptos::config::LeptosOptions;
use tokio::net::TcpListener;

use crate::{
    accounts::service::Accounts,
    config::Config,
    db::Db,
    events::EventBus,
    http::{self, assets::Site, metrics::Metrics},
    integrations::Integrations,
    scorecard::service::Scorecards,
    state::AppState,
    vault::{Keyring, Vault},
};

/// A built, bound, not yet running server.
#[derive(Debug)]
pub struct Application {
    listener: TcpListener,
    metrics_listener: Option<TcpListener>,
    state: AppState,
}

/// Leptos settings: output name `tally`, the bundle under `/pkg/<build id>`.
pub fn leptos_options(config: &Config, site: &Site) -> LeptosOptions {
    LeptosOptions::builder()
        .output_name("tally")
        .site_root(
            config
                .site_root
                .as_ref()
                .map(|p| p.display().to_string())
                .unwrap_or_default(),
        )
        .site_pkg_dir(site.pkg_dir())
        .site_addr(config.addr)
        .build()
}

/// The keyring's vault, refusing to go on if stored secrets need a key it lacks.
pub async fn vault(config: &Config, db: &Db) -> anyhow::Result<Vault> {
    let keyring = Keyring::load(config.secret_keys.as_ref(), &config.data_dir)?;
    let vault = Vault::new(keyring);
    crate::vault::rotate::check_keys(db, &vault).await?;
    Ok(vault)
}

/// The shared state for a config, an open, migrated database, a vault and
/// the event bus.
pub fn state(config: Config, db: Db, events: EventBus, vault: Vault) -> anyhow::Result<AppState> {
    let accounts = Arc::new(Accounts::new(db.clone(), events.clone()));
    let site = Site::load(config.site_root.as_deref())?;
    #[cfg(feature = "demo")]
    let sandbox = config.demo.then(|| crate::demo::simulators(&config));
    let config = Arc::new(config);
    let mut integrations = Integrations::new(db.clone(), vault.clone(), config.clone())?;
    let sync = crate::sync::SyncEngine::new(
        db.clone(),
        integrations.clone(),
        events.clone(),
        config.sync_interval,
    )?;
    sync.budgets().set_limits(config.sync_limits.clone());
    integrations.sync = Some(Arc::new(sync.clone()));
    let scorecards =
        Arc::new(Scorecards::new(db.clone(), events.clone()).with_sync(Arc::new(sync.clone())));
    Ok(AppState {
        leptos_options: leptos_options(&config, &site),
        site,
        services: app::services::Services {
            accounts,
            integrations: Arc::new(integrations.clone()),
            scorecards,
            people: Arc::new(crate::sync::people::People {
                db: db.clone(),
                events: events.clone(),
            }),
        },
        db,
        config,
        metrics: Arc::new(Metrics::default()),
        events,
        setup_done: Arc::new(AtomicBool::new(false)),
        streams: Default::default(),
        vault,
        integrations,
        sync,
        #[cfg(feature = "demo")]
        sandbox,
    })
}

impl Application {
    /// Connects, migrates, prepares the demo if asked, and binds.
    pub async fn build(mut config: Config) -> anyhow::Result<Self> {
        let db = Db::connect(&config.database_url).await?;
        db.migrate().await?;
        let vault = vault(&config, &db).await?;
        #[cfg(feature = "demo")]
        if config.demo {
            crate::demo::ensure(&db, &config).await?;
        }
        let listener = TcpListener::bind(config.addr).await.with_context(|| {
            format!(
                "listening on {} (set TALLY_ADDR to another address)",
                config.addr
            )
        })?;
        // Without TALLY_PUBLIC_URL the public URL is the listen address; when
        // that asked for port 0, use the port actually bound.
        let bound = listener.local_addr().context("reading the bound address")?;
        if config.addr.port() == 0 && config.public_url == format!("http://{}", config.addr) {
            config.public_url = format!("http://{bound}");
        }
        let metrics_listener = match config.metrics_addr {
            Some(addr) => Some(TcpListener::bind(addr).await.with_context(|| {
                format!(
                    "listening for metrics on {addr} (set TALLY_METRICS_ADDR to another address)"
                )
            })?),
            None => None,
        };
        let events = EventBus::start(&db, &config.database_url).await?;
        crate::scorecard::live::spawn_recompute(db.clone(), events.clone());
        Ok(Self {
            listener,
            metrics_listener,
            state: state(config, db, events, vault)?,
        })
    }

    /// The bound address (the real port when 0 was asked for).
    pub fn local_addr(&self) -> anyhow::Result<SocketAddr> {
        self.listener
            .local_addr()
            .context("reading the bound address")
    }

    /// The bound address of the metrics listener, when it has its own.
    pub fn metrics_addr(&self) -> anyhow::Result<Option<SocketAddr>> {
        self.metrics_listener
            .as_ref()
            .map(|l| l.local_addr().context("reading the bound metrics address"))
            .transpose()
    }

    /// The state handlers share.
    pub fn state(&self) -> &AppState {
        &self.state
    }

    /// Serves until SIGTERM or ctrl-c.
    pub async fn run(self) -> anyhow::Result<()> {
        self.state.sync.spawn_scheduler();
        self.state.sync.spawn_inbox_poller();
        let state = self.state.clone();
        let main = http::serve::serve(self.listener, http::router(self.state), shutdown_signal());
        let Some(listener) = self.metrics_listener else {
            return main.await.context("serving HTTP");
        };
        let metrics = http::serve::serve(listener, http::metrics_router(state), shutdown_signal());
        let (main, metrics) = tokio::join!(main, metrics);
        metrics.context("serving metrics")?;
        main.context("serving HTTP")
    }
}

async fn shutdown_signal() {
    let ctrl_c = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    let terminate = async {
        match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
            Ok(mut s) => {
                s.recv().await;
            }
            Err(_) => std::future::pending::<()>().await,
        }
    };
    #[cfg(not(unix))]
    let terminate = std::future::pending::<()>();
    tokio::select! {
        () = ctrl_c => {},
        () = terminate => {},
    }
    tracing::info!("shutting down; finishing requests in flight");
}
