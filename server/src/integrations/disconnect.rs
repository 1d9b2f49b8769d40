//! Disconnecting: revoke at the provider where it can be, delete the
//! secrets, and keep or purge what was synced.

use super::{
    Integrations, purge,
    store::{self, Connection, REFRESH_TOKEN},
};

impl Integrations {
    /// Disconnects a connection (already checked to be the caller's).
    pub async fn disconnect_connection(
        &self,
        conn: &Connection,
        purge: bool,
    ) -> anyhow::Result<()> {
        let provider = self.provider(conn.provider);
        if provider.spec.revocable {
            self.revoke(conn, &provider.urls.api_base).await;
        }
        store::mark_disconnected(&self.db, conn.id, purge).await?;
        if purge {
            let rows = purge::synced_data(&self.db, conn.id).await?;
            tracing::info!(connection = conn.id.0, rows, "synced data purged");
        }
        tracing::info!(
            connection = conn.id.0,
            provider = %conn.provider,
            purge,
            "disconnected"
        );
        Ok(())
    }

    /// HubSpot: `DELETE /oauth/v1/refresh-tokens/{token}`. Failures are
    /// logged and do not block disconnecting: the secrets go either way.
    async fn revoke(&self, conn: &Connection, api_base: &str) {
        let refresh = match store::secret(&self.db, &self.vault, conn, REFRESH_TOKEN).await {
            Ok(Some(r)) => r,
            Ok(None) => return,
            Err(e) => {
                tracing::warn!(connection = conn.id.0, error = %format!("{e:#}"), "cannot read the refresh token to revoke");
                return;
            }
        };
        let url = format!("{api_base}/oauth/v1/refresh-tokens/{}", refresh.expose());
        match self.http.delete(url).send().await {
            Ok(r) if r.status().is_success() || r.status() == reqwest::StatusCode::NOT_FOUND => {
                tracing::info!(connection = conn.id.0, "grant revoked at the provider");
            }
            Ok(r) => {
                tracing::warn!(
                    connection = conn.id.0,
                    status = r.status().as_u16(),
                    "revoking at the provider failed"
                );
            }
            Err(_) => {
                tracing::warn!(
                    connection = conn.id.0,
                    "revoking at the provider failed: unreachable"
                );
            }
        }
    }
}
