//! The order of a HubSpot run: reference data first (owners, pipelines,
//! call dispositions, lists), because the CRM rows after it are mapped
//! with it (stage → won, disposition → label, owner → person); then the
//! property catalogue, then every CRM kind on the two request lanes.
//! Webhook work fetches and deletes just the ids it names.

use super::{Ctx, DEFAULT_LIST, KINDS, Kind};
use crate::{
    scorecard,
    sync::{catalogue, people, progress::Progress, properties},
};

/// Reference steps of a full run, in order.
const REFERENCE: [&str; 4] = ["owners", "pipelines", "call_dispositions", "lists"];

/// Objects a full run finishes: what its progress bar counts to.
pub fn full_steps() -> i64 {
    (REFERENCE.len() + KINDS.len()) as i64
}

/// The lists to keep memberships of: Warm 250, the connection's
/// `sync_settings.lists`, and every list a measurable of the organisation
/// filters on, read at the start of each run so a new filter is picked up
/// by the next one.
async fn kept_lists(ctx: &Ctx) -> anyhow::Result<Vec<String>> {
    let stored: Option<(String,)> =
        sqlx::query_as("SELECT lists FROM sync_settings WHERE connection_id = $1")
            .bind(ctx.connection_id)
            .fetch_optional(&ctx.db.pool)
            .await?;
    let mut names: Vec<String> = stored
        .and_then(|(l,)| serde_json::from_str(&l).ok())
        .unwrap_or_default();
    let filtered = scorecard::store::filtered_lists(&ctx.db, ctx.org_id).await?;
    for list in std::iter::once(DEFAULT_LIST.to_owned()).chain(filtered) {
        if !names.iter().any(|n| n.eq_ignore_ascii_case(&list)) {
            names.push(list);
        }
    }
    Ok(names)
}

/// Everything, incrementally once a backfill is done.
pub async fn full(ctx: &Ctx, progress: &Progress) -> anyhow::Result<()> {
    let lists = kept_lists(ctx).await?;
    for object in REFERENCE {
        let changed = match object {
            "owners" => ctx.owners().await?,
            "pipelines" => ctx.pipelines().await?,
            "call_dispositions" => ctx.dispositions_sync().await?,
            _ => ctx.lists(&lists).await?,
        };
        progress.object_done(object).await?;
        if changed {
            progress.changed(object).await;
        }
    }
    people::auto_match(&ctx.db, ctx.org_id).await?;
    let stale = catalogue::stale(&ctx.db, ctx.connection_id, catalogue::RUN_MAX_AGE_MS).await?;
    catalogue::refresh(&ctx.api, &ctx.db, &stale).await?;
    properties::begin(&ctx.db, ctx.connection_id, &ctx.named).await?;
    // Both request budgets at once: the list and search lanes.
    super::lanes::run(ctx, |plural: &'static str| async move {
        properties::complete(&ctx.db, ctx.connection_id, plural).await?;
        progress.object_done(plural).await
    })
    .await
}

/// Records webhooks named: for each kind, ids to fetch and ids deleted.
pub async fn ids(
    ctx: &Ctx,
    items: &[(Kind, Vec<String>, Vec<String>)],
    progress: &Progress,
) -> anyhow::Result<()> {
    for (k, fetch, deleted) in items {
        let mut changed = ctx.delete_ids(*k, deleted).await?;
        if !fetch.is_empty() {
            changed |= ctx.fetch_ids(*k, fetch).await?;
        }
        progress.object_done(k.plural).await?;
        if changed {
            progress.changed(k.plural).await;
        }
    }
    Ok(())
}
