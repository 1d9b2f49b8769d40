//! Wire-faithful HubSpot, Fathom, Autotask and Aircall simulators for Tally's tests, demos and benchmarks.
//!
//! [`Sandbox::new`] generates a deterministic data set from [`SandboxOptions`];
//! [`Sandbox::router`] serves HubSpot under `/hubspot/...`, Fathom under `/fathom/...` and
//! the sandbox control API under `/_sandbox/...`. The router works nested under any prefix.
//! [`serve`] starts it on a loopback port for tests.

// Handlers return ready-made error `Response`s in `Err`; boxing them would only add noise.
#![allow(clippy::result_large_err)]

pub mod aircall;
pub mod autotask;
pub mod catalog;
mod consent;
pub mod control;
pub mod fathom;
pub mod faults;
pub mod generate;
pub mod grants;
pub mod hubspot;
mod middleware;
pub mod model;
pub mod options;
pub mod ratelimit;
pub mod records;
pub mod request_log;
pub mod schema;
pub mod signature;
pub mod store;
mod util;
pub mod webhooks;

use std::net::SocketAddr;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock, RwLockReadGuard, RwLockWriteGuard};

use axum::Router;
use serde::{Deserialize, Serialize};

pub use consent::STYLE as CONSENT_STYLE;
pub use faults::{Fault, FaultKind};
pub use model::ObjectKind;
pub use options::{RateLimits, SandboxOptions};
pub use records::{FathomMeetingInput, RecordError};
pub use request_log::RequestLogEntry;
pub use signature::{hubspot_signature_v3, standard_webhook_signature};
pub use webhooks::{Delivery, WebhookTargets};

/// Which simulated provider.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Provider {
    Hubspot,
    Fathom,
    Autotask,
    Aircall,
}

/// Shared state behind a [`Sandbox`]. Its `Debug` shows no tokens or secrets.
pub struct Inner {
    pub(crate) opts: SandboxOptions,
    pub(crate) store: RwLock<store::Store>,
    pub(crate) grants: Mutex<grants::Grants>,
    pub(crate) log: Mutex<Vec<RequestLogEntry>>,
    pub(crate) faults: Mutex<faults::Faults>,
    pub(crate) hubspot_window: Mutex<ratelimit::SlidingWindow>,
    pub(crate) hubspot_search_window: Mutex<ratelimit::SlidingWindow>,
    pub(crate) fathom_window: Mutex<ratelimit::SlidingWindow>,
    pub(crate) rate_limits_enabled: std::sync::atomic::AtomicBool,
    pub(crate) targets: Mutex<WebhookTargets>,
    pub(crate) deliveries: Mutex<Vec<Delivery>>,
    pub(crate) fathom_webhooks: Mutex<Vec<fathom::webhooks::FathomWebhook>>,
    pub(crate) autotask: Mutex<autotask::State>,
    pub(crate) aircall: Mutex<aircall::State>,
    pub(crate) redirect_uris: RwLock<Vec<String>>,
    pub(crate) clock_offset_ms: AtomicI64,
    pub(crate) event_seq: AtomicU64,
    pub(crate) http: reqwest::Client,
}

impl std::fmt::Debug for Inner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Inner")
            .field("opts", &self.opts)
            .field("clock_offset_ms", &self.clock_offset_ms)
            .finish_non_exhaustive()
    }
}

/// Entries kept in the request and delivery logs (oldest dropped first).
pub(crate) const LOG_CAP: usize = 100_000;

/// Appends to a capped log.
pub(crate) fn push_capped<T>(log: &Mutex<Vec<T>>, item: T) {
    let mut l = lock(log);
    if l.len() >= LOG_CAP {
        l.drain(..LOG_CAP / 10);
    }
    l.push(item);
}

/// A running simulator: cheap to clone, all state behind an `Arc`.
#[derive(Debug, Clone)]
pub struct Sandbox {
    pub(crate) inner: Arc<Inner>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Sandbox {
    /// Generates the data set and builds the sandbox.
    pub fn new(opts: SandboxOptions) -> Sandbox {
        if opts.timezone.parse::<chrono_tz::Tz>().is_err() {
            tracing::warn!(timezone = %opts.timezone, "unknown time zone; using America/New_York");
        }
        let store = generate::generate(&opts);
        let rl = opts.limits.clone();
        let http = reqwest::Client::builder()
            .timeout(std::time::Duration::from_secs(5))
            .build()
            .unwrap_or_default();
        Sandbox {
            inner: Arc::new(Inner {
                autotask: Mutex::new(autotask::State::generate(&opts, &store)),
                aircall: Mutex::new(aircall::State::generate(&opts, &store)),
                store: RwLock::new(store),
                grants: Mutex::new(grants::Grants::default()),
                log: Mutex::new(Vec::new()),
                faults: Mutex::new(faults::Faults::default()),
                hubspot_window: Mutex::new(ratelimit::SlidingWindow::new(
                    rl.hubspot_per_window,
                    rl.hubspot_window_ms,
                )),
                hubspot_search_window: Mutex::new(ratelimit::SlidingWindow::new(
                    rl.hubspot_search_per_second,
                    1000,
                )),
                fathom_window: Mutex::new(ratelimit::SlidingWindow::new(
                    rl.fathom_per_window,
                    rl.fathom_window_ms,
                )),
                rate_limits_enabled: std::sync::atomic::AtomicBool::new(opts.rate_limits),
                targets: Mutex::new(WebhookTargets {
                    hubspot_url: opts.hubspot_webhook_url.clone(),
                    fathom_url: opts.fathom_webhook_url.clone(),
                }),
                deliveries: Mutex::new(Vec::new()),
                fathom_webhooks: Mutex::new(Vec::new()),
                redirect_uris: RwLock::new(opts.redirect_uris.clone()),
                clock_offset_ms: AtomicI64::new(0),
                event_seq: AtomicU64::new(1),
                http,
                opts,
            }),
        }
    }

    /// The router with state applied. Nest it anywhere, e.g. `Router::nest("/sandbox", ...)`.
    pub fn router(&self) -> Router {
        Router::new()
            .merge(hubspot::routes())
            .merge(fathom::routes())
            .merge(autotask::routes())
            .merge(aircall::routes())
            .fallback(middleware::not_found)
            .layer(axum::middleware::from_fn_with_state(
                self.clone(),
                middleware::provider_layer,
            ))
            .merge(control::routes())
            .merge(autotask::control_routes())
            .merge(aircall::control_routes())
            .with_state(self.clone())
    }

    /// The options the sandbox was built with.
    pub fn options(&self) -> &SandboxOptions {
        &self.inner.opts
    }

    /// Sandbox clock: real time plus any offset from [`Sandbox::advance_clock`], epoch ms.
    pub fn now_ms(&self) -> i64 {
        chrono::Utc::now().timestamp_millis() + self.inner.clock_offset_ms.load(Ordering::SeqCst)
    }

    /// Moves the sandbox clock forward (codes and tokens expire on this clock).
    pub fn advance_clock(&self, d: std::time::Duration) {
        self.inner
            .clock_offset_ms
            .fetch_add(d.as_millis() as i64, Ordering::SeqCst);
    }

    pub(crate) fn store(&self) -> RwLockReadGuard<'_, store::Store> {
        self.inner.store.read().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn store_mut(&self) -> RwLockWriteGuard<'_, store::Store> {
        self.inner.store.write().unwrap_or_else(|e| e.into_inner())
    }

    pub(crate) fn grants(&self) -> MutexGuard<'_, grants::Grants> {
        lock(&self.inner.grants)
    }

    /// A copy of the request log.
    pub fn request_log(&self) -> Vec<RequestLogEntry> {
        lock(&self.inner.log).clone()
    }

    /// Empties the request log.
    pub fn clear_request_log(&self) {
        lock(&self.inner.log).clear();
    }

    /// Adds a fault rule.
    pub fn inject_fault(&self, fault: Fault) {
        lock(&self.inner.faults).rules.push(fault);
    }

    /// Removes all fault rules.
    pub fn clear_faults(&self) {
        lock(&self.inner.faults).rules.clear();
    }

    /// Active fault rules.
    pub fn faults(&self) -> Vec<Fault> {
        lock(&self.inner.faults).rules.clone()
    }

    /// Turns rate limiting on or off at runtime (and resets the windows).
    pub fn set_rate_limits_enabled(&self, on: bool) {
        self.inner.rate_limits_enabled.store(on, Ordering::SeqCst);
        lock(&self.inner.hubspot_window).clear();
        lock(&self.inner.hubspot_search_window).clear();
        lock(&self.inner.fathom_window).clear();
    }

    /// Registers another redirect URI (exact match is required at authorize time).
    pub fn add_redirect_uri(&self, uri: impl Into<String>) {
        let uri = uri.into();
        let mut list = self
            .inner
            .redirect_uris
            .write()
            .unwrap_or_else(|e| e.into_inner());
        if !list.contains(&uri) {
            list.push(uri);
        }
    }

    /// Registered redirect URIs.
    pub fn redirect_uris(&self) -> Vec<String> {
        self.inner
            .redirect_uris
            .read()
            .unwrap_or_else(|e| e.into_inner())
            .clone()
    }

    /// Revokes a refresh token (either provider). Returns whether it existed.
    pub fn revoke_refresh_token(&self, token: &str) -> bool {
        self.grants().revoke_refresh(token)
    }

    /// A new HubSpot private-app access token with `scopes`.
    pub fn private_app_token(&self, scopes: &[&str]) -> String {
        self.grants()
            .issue_private_app_token(scopes.iter().map(|s| (*s).to_owned()).collect())
    }

    /// Revokes one access token (for example a private-app token). Returns
    /// whether it existed.
    pub fn revoke_access_token(&self, token: &str) -> bool {
        self.grants().revoke_access(token)
    }

    /// Revokes every grant (of one provider, or all) and their access tokens.
    pub fn revoke_all_grants(&self, provider: Option<Provider>) -> usize {
        self.grants().revoke_all(provider)
    }

    /// Expires all access tokens (of one provider, or all) now. Returns how many.
    pub fn expire_access_tokens(&self, provider: Option<Provider>) -> usize {
        let now = self.now_ms();
        self.grants().expire_access(provider, now)
    }

    /// Current webhook targets.
    pub fn webhook_targets(&self) -> WebhookTargets {
        lock(&self.inner.targets).clone()
    }

    /// Replaces the webhook targets.
    pub fn set_webhook_targets(&self, t: WebhookTargets) {
        *lock(&self.inner.targets) = t;
    }

    /// Webhook delivery attempts so far.
    pub fn deliveries(&self) -> Vec<Delivery> {
        lock(&self.inner.deliveries).clone()
    }

    /// Record counts per kind (`contacts`, ..., `fathom_meetings`, `owners`, `lists`).
    pub fn counts(&self) -> serde_json::Value {
        control::counts_json(&self.store())
    }

    /// Full dump of one HubSpot kind (every stored property, associations, archived too).
    pub fn dump(&self, kind: ObjectKind) -> Vec<serde_json::Value> {
        let s = self.store();
        s.table(kind)
            .records
            .iter()
            .map(|r| s.record_dump(kind, r))
            .collect()
    }

    /// Total number of generated records (HubSpot objects and Fathom meetings).
    pub fn total_records(&self) -> usize {
        self.store().total_records()
    }

    /// Rough heap usage of the data set in bytes.
    pub fn approx_heap_bytes(&self) -> usize {
        self.store().approx_heap_bytes()
    }

    pub(crate) fn next_event_id(&self) -> u64 {
        self.inner.event_seq.fetch_add(1, Ordering::SeqCst)
    }
}

/// Serves a new sandbox on `127.0.0.1:0`. Returns the sandbox, its base URL
/// (`http://127.0.0.1:PORT`) and the server task.
pub async fn serve(
    opts: SandboxOptions,
) -> std::io::Result<(Sandbox, String, tokio::task::JoinHandle<()>)> {
    let sandbox = Sandbox::new(opts);
    let (addr, handle) =
        serve_sandbox(&sandbox, "127.0.0.1:0".parse().expect("valid address")).await?;
    Ok((sandbox, format!("http://{addr}"), handle))
}

/// Serves an existing sandbox on `addr`; returns the bound address and the server task.
pub async fn serve_sandbox(
    sandbox: &Sandbox,
    addr: SocketAddr,
) -> std::io::Result<(SocketAddr, tokio::task::JoinHandle<()>)> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    let bound = listener.local_addr()?;
    let app = sandbox.router();
    let handle = tokio::spawn(async move {
        if let Err(e) = axum::serve(listener, app).await {
            tracing::error!(error = %e, "sandbox server stopped");
        }
    });
    Ok((bound, handle))
}
