//! Live scorecards: recompute when synced data lands, and tell browsers.
//!
//! [`spawn_recompute`] listens on the [`EventBus`] for
//! `Event::RecordsChanged`, waits briefly so a burst of sync batches is one
//! recompute, recomputes the affected organisations' stored weeks, and
//! publishes `Event::ScorecardChanged`. [`sse`] streams an organisation's
//! events to a browser as server-sent events; the page refetches on each.
//! On PostgreSQL every replica recomputes (the writes are idempotent upserts)
//! so no coordination is needed; each replica's browsers hear the result.

use std::{collections::BTreeSet, convert::Infallible, time::Duration};

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use super::compute;
use crate::{
    db::Db,
    events::{Event, EventBus},
};

/// How long to gather record changes before recomputing.
const DEBOUNCE: Duration = Duration::from_millis(250);

async fn refresh_orgs(db: &Db, events: &EventBus, orgs: BTreeSet<i64>) {
    for org_id in orgs {
        if let Err(e) = compute::refresh(db, org_id).await {
            tracing::error!(org_id, error = format!("{e:#}"), "recomputing scorecards");
            continue;
        }
        let event = Event::ScorecardChanged {
            org_id,
            scorecard_id: None,
        };
        if let Err(e) = events.publish(event).await {
            tracing::warn!(error = format!("{e:#}"), "publishing a scorecard change");
        }
    }
}

async fn all_orgs(db: &Db) -> BTreeSet<i64> {
    sqlx::query_as::<_, (i64,)>("SELECT DISTINCT org_id FROM measurables")
        .fetch_all(&db.pool)
        .await
        .map(|rows| rows.into_iter().map(|(id,)| id).collect())
        .unwrap_or_default()
}

/// Starts the task that keeps `measurable_weeks` current as data lands.
pub fn spawn_recompute(db: Db, events: EventBus) {
    let mut rx = events.subscribe();
    tokio::spawn(async move {
        loop {
            let mut orgs = BTreeSet::new();
            match rx.recv().await {
                Ok(Event::RecordsChanged { org_id, .. }) => {
                    orgs.insert(org_id);
                }
                Ok(_) => continue,
                Err(RecvError::Lagged(_)) => orgs = all_orgs(&db).await,
                Err(RecvError::Closed) => return,
            }
            let deadline = tokio::time::sleep(DEBOUNCE);
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    () = &mut deadline => break,
                    next = rx.recv() => match next {
                        Ok(Event::RecordsChanged { org_id, .. }) => { orgs.insert(org_id); }
                        Ok(_) => {}
                        Err(RecvError::Lagged(_)) => orgs.extend(all_orgs(&db).await),
                        Err(RecvError::Closed) => return,
                    },
                }
            }
            refresh_orgs(&db, &events, orgs).await;
        }
    });
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::RecordsChanged { .. } => "records_changed",
        Event::SyncProgress { .. } => "sync_progress",
        Event::ScorecardChanged { .. } => "scorecard_changed",
    }
}

/// The organisation's events as a server-sent event stream.
pub fn sse(
    events: &EventBus,
    org_id: i64,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<>> {
    let rx = events.subscribe();
    let hello = futures::stream::once(async { Ok(SseEvent::default().event("ready").data("{}")) });
    let stream = futures::stream::unfold(rx, move |mut rx| async move {
        loop {
            match rx.recv().await {
                Ok(event) if event.org_id() == org_id => {
                    let data = serde_json::to_string(&event).unwrap_or_else(|_| "{}".into());
                    let sse = SseEvent::default().event(event_name(&event)).data(data);
                    return Some((Ok(sse), rx));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => {
                    // Missed some: ask the page to refetch anyway.
                    let sse = SseEvent::default().event("scorecard_changed").data("{}");
                    return Some((Ok(sse), rx));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(futures::StreamExt::chain(hello, stream))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
