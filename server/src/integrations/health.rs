//! Connection health as the page and the REST API show it.
//!
//! Items synced come from `connection_object_counts` and runs from
//! `sync_runs`, both written by the sync engine; until it exists they read
//! as zero and "never".

use app::domain::{
    ConnectionDetail, ConnectionHealth, ConnectionStatus, ObjectCount, OrgId, ProviderCard, SyncRun,
};

use super::{Integrations, store::Connection};
use crate::providers::{self, AuthKind};

impl Integrations {
    /// Health of one connection.
    pub async fn health(&self, conn: &Connection) -> anyhow::Result<ConnectionHealth> {
        let counts: Vec<(String, i64)> = sqlx::query_as(
            "SELECT object, count FROM connection_object_counts WHERE connection_id = $1 ORDER BY object",
        )
        .bind(conn.id)
        .fetch_all(&self.db.pool)
        .await?;
        let required: Vec<String> = self
            .provider(conn.provider)
            .oauth()
            .map(|o| o.required_scopes.iter().map(|s| (*s).to_owned()).collect())
            .unwrap_or_default();
        let required_refs: Vec<&str> = required.iter().map(String::as_str).collect();
        Ok(ConnectionHealth {
            id: conn.id,
            provider: conn.provider,
            account_id: conn.account_id.clone(),
            account_name: conn.account_name.clone(),
            account_user: conn.account_user.clone(),
            status: conn.status,
            connected_by: conn.connected_by.clone(),
            connected_at: conn.connected_at,
            scopes_missing: providers::missing_scopes(&required_refs, &conn.scopes_granted),
            scopes_granted: conn.scopes_granted.clone(),
            scopes_required: required,
            access_expires_at: conn.access_expires_at,
            last_sync_at: conn.last_sync_at,
            items_total: counts.iter().map(|(_, n)| n).sum(),
            items_by_object: counts
                .into_iter()
                .map(|(object, count)| ObjectCount { object, count })
                .collect(),
            last_error: conn.last_error.clone(),
            auto_sync: conn.auto_sync,
        })
    }

    /// Health of every connection of an organisation, disconnected ones too.
    pub async fn all_health(&self, org_id: OrgId) -> anyhow::Result<Vec<ConnectionHealth>> {
        let mut out = Vec::new();
        for conn in super::store::list(&self.db, org_id).await? {
            out.push(self.health(&conn).await?);
        }
        Ok(out)
    }

    /// One card per provider.
    pub async fn provider_cards(&self, org_id: OrgId) -> anyhow::Result<Vec<ProviderCard>> {
        let all = self.all_health(org_id).await?;
        Ok(self
            .providers
            .iter()
            .map(|p| {
                let (auth, key_fields, config_vars) = match p.spec.auth {
                    AuthKind::OAuth2(o) => ("oauth", vec![], o.client_vars),
                    AuthKind::ApiKey(k) => ("api_key", k.fields.to_vec(), &[][..]),
                };
                ProviderCard {
                    provider: p.spec.id,
                    name: p.spec.id.name().to_owned(),
                    syncs: p.spec.syncs.iter().map(|s| (*s).to_owned()).collect(),
                    auth: auth.to_owned(),
                    key_fields,
                    configured: p.configured(),
                    config_vars: config_vars.iter().map(|s| (*s).to_owned()).collect(),
                    sync_ready: p.spec.sync_ready,
                    can_sync_now: self.sync.is_some() && p.spec.sync_ready,
                    connections: all
                        .iter()
                        .filter(|h| {
                            h.provider == p.spec.id && h.status != ConnectionStatus::Disconnected
                        })
                        .cloned()
                        .collect(),
                }
            })
            .collect())
    }

    /// A connection with its sync runs.
    pub async fn connection_detail(&self, conn: &Connection) -> anyhow::Result<ConnectionDetail> {
        let now = crate::db::now_ms();
        let runs: Vec<SyncRun> = sqlx::query_as(&format!(
            "SELECT id, started_at, finished_at, {status} AS status, items, {error} AS error, \
             triggered_by AS \"trigger\", api_calls, \
             throttled, objects_done, objects_total FROM sync_runs \
             WHERE connection_id = $1 ORDER BY started_at DESC LIMIT 100",
            status = crate::sync::runs::shown_status(now),
            error = crate::sync::runs::shown_error(now),
        ))
        .bind(conn.id)
        .fetch_all(&self.db.pool)
        .await?;
        Ok(ConnectionDetail {
            provider_name: conn.provider.name().to_owned(),
            health: self.health(conn).await?,
            runs,
        })
    }
}
