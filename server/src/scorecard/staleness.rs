//! Which numbers cannot be trusted right now.
//!
//! A value counted from HubSpot while the HubSpot connection needs
//! reconnecting, or after its last sync failed, is a number from the past
//! shown as if it were current; so is a sum over a property still being
//! fetched. Such rows say so ("stale since 2 h") instead of looking
//! confident. A formula is stale when an input is.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context as _;

use app::domain::{MeasurableId, OrgId, Provider, measurable::Source, scorecard::Stale};

use crate::{db::Db, sync::properties};

/// What is stale in one organisation.
#[derive(Debug, Clone, Default)]
pub struct Staleness {
    /// Per provider (`hubspot`, `fathom`): why its data is stale.
    providers: HashMap<Provider, Stale>,
    /// HubSpot (object, property) pairs still being fetched.
    pending: BTreeSet<(String, String)>,
}

/// "stale since 2 h" for data as of `since`.
pub fn label(since: Option<i64>, now: i64) -> String {
    let Some(since) = since else {
        return "not synced yet".to_owned();
    };
    let minutes = (now - since).max(0) / 60_000;
    match minutes {
        0..=59 => format!("stale since {} min", minutes.max(1)),
        60..=2879 => format!("stale since {} h", minutes / 60),
        _ => format!("stale since {} d", minutes / 1440),
    }
}

/// A connection row: provider, status, last successful sync, last
/// finished run's status.
type ConnectionRow = (String, String, Option<i64>, Option<String>);

/// Reads the organisation's connections and pending properties.
pub async fn load(db: &Db, org_id: OrgId, now: i64) -> anyhow::Result<Staleness> {
    let rows: Vec<ConnectionRow> = sqlx::query_as(
        "SELECT c.provider, c.status, c.last_sync_at, \
         (SELECT r.status FROM sync_runs r WHERE r.connection_id = c.id AND r.status <> 'running' \
          ORDER BY r.id DESC LIMIT 1) \
         FROM connections c WHERE c.org_id = $1 AND c.status <> 'disconnected' ORDER BY c.id",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
    .context("reading connection states")?;
    let mut out = Staleness::default();
    for (provider, status, last_sync, last_run) in rows {
        let Some(provider) = Provider::parse(&provider) else {
            continue;
        };
        let name = provider.name();
        let reason = if status == "needs_reauth" {
            format!("{name} needs reconnecting")
        } else if last_run.as_deref() == Some("failed") {
            format!("the last {name} sync failed")
        } else {
            continue;
        };
        out.providers.entry(provider).or_insert(Stale {
            since: last_sync,
            label: label(last_sync, now),
            reason,
        });
    }
    let pending: Vec<(String, String)> = sqlx::query_as(
        "SELECT p.object, p.name FROM synced_properties p JOIN connections c ON c.id = p.connection_id \
         WHERE c.org_id = $1 AND c.status <> 'disconnected' AND p.state = 'pending'",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
    .context("reading properties being fetched")?;
    out.pending = pending.into_iter().collect();
    Ok(out)
}

impl Staleness {
    /// Why a synced or formula source's values are stale, if they are;
    /// `sources` resolves a formula's inputs.
    pub fn of(&self, source: &Source, sources: &HashMap<MeasurableId, &Source>) -> Option<Stale> {
        self.of_depth(source, sources, 0)
    }

    fn of_depth(
        &self,
        source: &Source,
        sources: &HashMap<MeasurableId, &Source>,
        depth: usize,
    ) -> Option<Stale> {
        match source {
            Source::Manual => None,
            Source::Formula { .. } => {
                if depth > 16 {
                    return None;
                }
                source
                    .formula()?
                    .references()
                    .into_iter()
                    .filter_map(|r| sources.get(&r))
                    .find_map(|s| self.of_depth(s, sources, depth + 1))
            }
            Source::Synced(q) => {
                if let Some(stale) = self.providers.get(&q.kind.provider()) {
                    return Some(stale.clone());
                }
                let object = properties::hubspot_object(q.kind)?;
                let fetching: Vec<&str> = q
                    .properties_named()
                    .iter()
                    .filter(|n| self.pending.contains(&(object.to_owned(), (*n).clone())))
                    .map(String::as_str)
                    .collect();
                (!fetching.is_empty()).then(|| Stale {
                    since: None,
                    reason: format!(
                        "{} {} being fetched from HubSpot; until then {} counts as empty",
                        fetching.join(", "),
                        if fetching.len() == 1 { "is" } else { "are" },
                        if fetching.len() == 1 { "it" } else { "each" },
                    ),
                    label: "fetching".to_owned(),
                })
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_say_how_old_the_data_is() {
        let now = 10 * 86_400_000;
        assert_eq!(label(Some(now - 2 * 3_600_000), now), "stale since 2 h");
        assert_eq!(label(Some(now - 5 * 60_000), now), "stale since 5 min");
        assert_eq!(label(Some(now), now), "stale since 1 min");
        assert_eq!(label(Some(now - 3 * 86_400_000), now), "stale since 3 d");
        assert_eq!(label(None, now), "not synced yet");
    }
}
