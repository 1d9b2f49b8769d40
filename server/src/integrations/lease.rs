//! A sync run's access token for one connection, reused until it nears
//! expiry.
//!
//! Why it exists: asking [`Integrations::access_token`] per request reads the
//! connection row and decrypts the token from the vault every time. A
//! [`TokenLease`] keeps the token for the run instead, refreshes it when it
//! comes within [`REFRESH_MARGIN_MS`] of expiry or after the provider
//! answers 401 ([`TokenLease::rejected`]), and holds a `tokio` mutex around
//! that, so concurrent requests of one run share one refresh.

use std::time::{Duration, Instant};

use tokio::sync::Mutex;

use app::domain::ConnectionId;

use super::{
    Integrations,
    tokens::{AccessToken, REFRESH_MARGIN_MS, TokenError},
};
use crate::{db::now_ms, vault::SecretToken};

/// A 401 this soon after a refresh caused by a 401 means re-auth.
const REFUSED_WITHIN: Duration = Duration::from_secs(60);

/// A token handed out by a [`TokenLease`]; pass it back to
/// [`TokenLease::rejected`] when the provider refuses it.
#[derive(Debug, Clone)]
pub struct LeasedToken {
    /// The bearer token (redacted in `Debug`).
    pub secret: SecretToken,
    generation: u64,
}

struct Cached {
    token: AccessToken,
    generation: u64,
    /// When it was refreshed after a 401: another 401 soon after means the
    /// grant itself is refused.
    after_rejection: Option<Instant>,
}

/// One connection's token cache for the length of a sync run.
pub struct TokenLease {
    integrations: Integrations,
    connection_id: ConnectionId,
    cached: Mutex<Option<Cached>>,
    generation: std::sync::atomic::AtomicU64,
}

impl std::fmt::Debug for TokenLease {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("TokenLease")
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}

impl Cached {
    fn fresh(&self, now: i64) -> bool {
        self.token
            .expires_at
            .is_none_or(|at| at - now >= REFRESH_MARGIN_MS)
    }

    fn leased(&self) -> LeasedToken {
        LeasedToken {
            secret: self.token.token.clone(),
            generation: self.generation,
        }
    }
}

impl TokenLease {
    /// An empty cache for a connection.
    pub fn new(integrations: Integrations, connection_id: ConnectionId) -> Self {
        Self {
            integrations,
            connection_id,
            cached: Mutex::new(None),
            generation: std::sync::atomic::AtomicU64::new(0),
        }
    }

    /// The connection this lease is for.
    pub fn connection_id(&self) -> ConnectionId {
        self.connection_id
    }

    fn store(
        &self,
        slot: &mut Option<Cached>,
        token: AccessToken,
        after_rejection: Option<Instant>,
    ) {
        let generation = 1 + self
            .generation
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        *slot = Some(Cached {
            token,
            generation,
            after_rejection,
        });
    }

    /// The cached token, or a new one from [`Integrations::access_token`]
    /// (which refreshes it) when none is cached or it nears expiry.
    pub async fn get(&self) -> Result<LeasedToken, TokenError> {
        let mut slot = self.cached.lock().await;
        if let Some(c) = slot.as_ref().filter(|c| c.fresh(now_ms())) {
            return Ok(c.leased());
        }
        let token = self.integrations.access_token(self.connection_id).await?;
        self.store(&mut slot, token, None);
        Ok(slot.as_ref().map(Cached::leased).expect("just stored"))
    }

    /// The provider answered 401 to `token`. Refreshes once (concurrent
    /// callers with the same token wait and share it); if the token was
    /// itself a refresh after a 401 less than a minute ago, marks the connection "needs re-auth"
    /// and fails with [`TokenError::NeedsReauth`].
    pub async fn rejected(&self, token: &LeasedToken) -> Result<(), TokenError> {
        let mut slot = self.cached.lock().await;
        match slot.as_ref() {
            Some(c) if c.generation != token.generation => return Ok(()),
            Some(c)
                if c.after_rejection
                    .is_some_and(|at| at.elapsed() < REFUSED_WITHIN) =>
            {
                *slot = None;
                self.integrations.token_refused(self.connection_id).await?;
                return Err(TokenError::NeedsReauth);
            }
            _ => {}
        }
        *slot = None;
        let token = self.integrations.token_rejected(self.connection_id).await?;
        self.store(&mut slot, token, Some(Instant::now()));
        Ok(())
    }
}
