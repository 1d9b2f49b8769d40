//! Provider calls for a sync run: budgets, retries, token refresh.
//!
//! Every call waits for its budget, counts towards the run's API-call and
//! 429 counters, waits out 429s, retries 5xx answers, timeouts and dropped
//! connections with bounded exponential back-off plus jitter. Tokens come
//! from the run's [`TokenLease`]; a 401 is reported to it, and it refreshes
//! or marks the connection "needs re-auth".

use std::{
    sync::{
        Arc,
        atomic::{AtomicI64, Ordering},
    },
    time::Duration,
};

use anyhow::anyhow;
use reqwest::{Method, StatusCode};
use serde_json::Value;

use app::domain::ConnectionId;

use super::budget::{Bucket, Budgets};
use crate::{
    integrations::{LeasedToken, TokenError, TokenLease},
    providers::{
        KeyStyle,
        key_auth::{self, KeyCredentials},
    },
    vault::SecretToken,
};

/// How the run's credential rides on each request.
#[derive(Debug, Clone)]
pub enum Auth {
    /// `Authorization: Bearer <access token>` (OAuth and pasted tokens).
    Bearer,
    /// API-key credentials; the secret is the leased token.
    Key {
        /// Basic auth or Autotask's headers.
        style: KeyStyle,
        /// The API id or username.
        user: String,
        /// Autotask's tracking identifier.
        integration_code: Option<SecretToken>,
    },
}

/// The run had to stop because the connection needs to be reconnected.
#[derive(Debug, thiserror::Error)]
#[error("the connection needs to be reconnected")]
pub struct NeedsReauth;

/// Counters of one run.
#[derive(Debug, Default)]
pub struct Counters {
    /// Requests sent.
    pub api_calls: AtomicI64,
    /// 429 answers seen.
    pub throttled: AtomicI64,
}

/// A provider API bound to one connection.
#[derive(Clone)]
pub struct Api {
    /// Base URL, e.g. `https://api.hubapi.com`.
    pub base: String,
    /// Connection.
    pub connection_id: ConnectionId,
    pub(crate) http: reqwest::Client,
    pub(crate) tokens: Arc<TokenLease>,
    pub(crate) budgets: Budgets,
    pub(crate) counters: Arc<Counters>,
    pub(crate) auth: Auth,
}

impl std::fmt::Debug for Api {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Api")
            .field("base", &self.base)
            .field("connection_id", &self.connection_id)
            .finish_non_exhaustive()
    }
}

fn token_error(e: TokenError) -> anyhow::Error {
    match e {
        TokenError::NeedsReauth | TokenError::Disconnected => NeedsReauth.into(),
        e => anyhow!(e).context("getting an access token"),
    }
}

fn jitter(d: Duration) -> Duration {
    d.mul_f64(0.5 + rand::random::<f64>())
}

impl Api {
    async fn token(&self) -> anyhow::Result<LeasedToken> {
        self.tokens.get().await.map_err(token_error)
    }

    /// The URL of `path`: below the base, or an absolute URL the provider
    /// handed out (a next-page link), which must point at the base's own
    /// origin: credentials never go to another host.
    fn url(&self, path: &str) -> anyhow::Result<String> {
        if !(path.starts_with("http://") || path.starts_with("https://")) {
            return Ok(format!("{}{path}", self.base));
        }
        let origin = |u: &str| {
            reqwest::Url::parse(u)
                .ok()
                .map(|u| u.origin().ascii_serialization())
        };
        match (origin(path), origin(&self.base)) {
            (Some(a), Some(b)) if a == b => Ok(path.to_owned()),
            _ => anyhow::bail!("the provider handed out a link to another host; not followed"),
        }
    }

    /// `GET base + path` (path includes the query).
    pub async fn get(&self, path: &str, bucket: Bucket) -> anyhow::Result<Value> {
        self.call(Method::GET, path, None, bucket).await
    }

    /// `POST base + path` with a JSON body.
    pub async fn post(&self, path: &str, body: &Value, bucket: Bucket) -> anyhow::Result<Value> {
        self.call(Method::POST, path, Some(body), bucket).await
    }

    /// One call with budgets, retries and refresh.
    #[tracing::instrument(skip_all, fields(connection_id = self.connection_id.0, %method, path))]
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<&Value>,
        bucket: Bucket,
    ) -> anyhow::Result<Value> {
        let url = self.url(path)?;
        let mut failures = 0_u32;
        let mut throttles = 0_u32;
        loop {
            let limits = self.budgets.limits();
            self.budgets.acquire(self.connection_id, bucket).await;
            let token = self.token().await?;
            let req = self
                .http
                .request(method.clone(), &url)
                .timeout(limits.timeout);
            let mut req = match &self.auth {
                Auth::Bearer => req.bearer_auth(token.secret.expose()),
                Auth::Key {
                    style,
                    user,
                    integration_code,
                } => key_auth::apply(
                    req,
                    *style,
                    &KeyCredentials {
                        user: user.clone(),
                        secret: token.secret.clone(),
                        integration_code: integration_code.clone(),
                    },
                ),
            };
            if let Some(b) = body {
                req = req.json(b);
            }
            self.counters.api_calls.fetch_add(1, Ordering::Relaxed);
            let transient = match req.send().await {
                Err(e) => format!("request failed: {}", e.without_url()),
                Ok(resp) => {
                    let status = resp.status();
                    self.budgets
                        .observe(self.connection_id, bucket, resp.headers());
                    if status.is_success() {
                        match resp.bytes().await {
                            Ok(bytes) => {
                                if bytes.is_empty() {
                                    return Ok(Value::Null);
                                }
                                match serde_json::from_slice(&bytes) {
                                    Ok(v) => return Ok(v),
                                    Err(e) => format!("unreadable answer: {e}"),
                                }
                            }
                            Err(e) => format!("answer cut off: {}", e.without_url()),
                        }
                    } else if status == StatusCode::TOO_MANY_REQUESTS {
                        self.counters.throttled.fetch_add(1, Ordering::Relaxed);
                        throttles += 1;
                        let retry_after = resp
                            .headers()
                            .get("retry-after")
                            .and_then(|v| v.to_str().ok())
                            .and_then(|v| v.trim().parse::<f64>().ok());
                        let text = resp.text().await.unwrap_or_default();
                        let secondly =
                            text.contains("SECONDLY\"") && !text.contains("TEN_SECONDLY");
                        if throttles > limits.max_throttles {
                            anyhow::bail!("{path}: still rate limited after {throttles} waits");
                        }
                        let wait = self.budgets.throttle_wait(
                            self.connection_id,
                            bucket,
                            retry_after,
                            secondly,
                        );
                        self.budgets.pause(self.connection_id, bucket, wait);
                        continue;
                    } else if status == StatusCode::UNAUTHORIZED {
                        self.tokens.rejected(&token).await.map_err(token_error)?;
                        continue;
                    } else if status.is_server_error() || status == StatusCode::REQUEST_TIMEOUT {
                        format!("{path} answered {status}")
                    } else {
                        let text = resp.text().await.unwrap_or_default();
                        let short: String = text.chars().take(300).collect();
                        anyhow::bail!("{path} answered {status}: {short}");
                    }
                }
            };
            failures += 1;
            if failures >= limits.max_tries {
                anyhow::bail!("{transient} (gave up after {failures} tries)");
            }
            let backoff = limits.backoff_base * 2_u32.saturating_pow(failures - 1);
            tracing::debug!(connection_id = self.connection_id.0, %transient, "retrying");
            tokio::time::sleep(jitter(backoff)).await;
        }
    }
}
