//! Live scorecards: recompute when synced data lands, and tell browsers.
//!
//! [`spawn_recompute`] listens for `Event::RecordsChanged` published by
//! this process ([`EventBus::subscribe_local`]: on PostgreSQL the replica
//! that synced the data does the work once, not every replica), waits
//! briefly so a burst of sync batches is one recompute, recomputes just the
//! measurables the changed objects can move ([`super::affected`]) and
//! publishes `Event::ScorecardChanged`, which every replica hears. [`sse`]
//! streams an organisation's events to a browser as server-sent events; the
//! page refetches on each.

use std::{
    collections::{BTreeMap, BTreeSet},
    convert::Infallible,
    time::Duration,
};

use axum::response::sse::{Event as SseEvent, KeepAlive, Sse};
use futures::Stream;
use tokio::sync::broadcast::error::RecvError;

use app::domain::OrgId;

use super::compute;
use crate::{
    db::Db,
    events::{Event, EventBus},
};

/// How long to gather record changes before recomputing.
const DEBOUNCE: Duration = Duration::from_millis(250);

/// Changed objects per organisation, gathered over one debounce window.
type Pending = BTreeMap<OrgId, BTreeSet<String>>;

/// Stands for "unknown objects": recompute every synced measurable.
const EVERYTHING: &str = "*";

async fn refresh_orgs(db: &Db, events: &EventBus, pending: Pending) {
    for (org_id, objects) in pending {
        let objects: Vec<String> = objects.into_iter().collect();
        match compute::refresh_for(db, org_id, &objects).await {
            Ok(0) => continue,
            Ok(n) => tracing::debug!(
                org_id = org_id.0,
                measurables = n,
                "recomputed after a sync"
            ),
            Err(e) => {
                tracing::error!(
                    org_id = org_id.0,
                    error = format!("{e:#}"),
                    "recomputing scorecards"
                );
                continue;
            }
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

/// After missed events: every organisation, every synced measurable.
async fn everything(db: &Db, pending: &mut Pending) {
    let orgs = sqlx::query_as::<_, (OrgId,)>("SELECT DISTINCT org_id FROM measurables")
        .fetch_all(&db.pool)
        .await
        .unwrap_or_default();
    for (org_id,) in orgs {
        pending
            .entry(org_id)
            .or_default()
            .insert(EVERYTHING.to_owned());
    }
}

/// Adds an event to `pending`; false when the bus is gone.
async fn gather(db: &Db, pending: &mut Pending, next: Result<Event, RecvError>) -> bool {
    match next {
        Ok(Event::RecordsChanged {
            org_id, objects, ..
        }) => pending.entry(org_id).or_default().extend(objects),
        Ok(_) => {}
        Err(RecvError::Lagged(_)) => everything(db, pending).await,
        Err(RecvError::Closed) => return false,
    }
    true
}

/// Starts the task that keeps `measurable_weeks` current as data lands.
pub fn spawn_recompute(db: Db, events: EventBus) {
    let mut rx = events.subscribe_local();
    tokio::spawn(async move {
        loop {
            let mut pending = Pending::new();
            if !gather(&db, &mut pending, rx.recv().await).await {
                return;
            }
            if pending.is_empty() {
                continue;
            }
            let deadline = tokio::time::sleep(DEBOUNCE);
            tokio::pin!(deadline);
            loop {
                tokio::select! {
                    () = &mut deadline => break,
                    next = rx.recv() => if !gather(&db, &mut pending, next).await { return },
                }
            }
            refresh_orgs(&db, &events, pending).await;
        }
    });
}

fn event_name(event: &Event) -> &'static str {
    match event {
        Event::RecordsChanged { .. } => "records_changed",
        Event::SyncProgress { .. } => "sync_progress",
        Event::ScorecardChanged { .. } => "scorecard_changed",
        Event::UserDeactivated { .. } => "user_deactivated",
    }
}

/// The organisation's events as a server-sent event stream for `user_id`,
/// ended when that user is deactivated (on any replica). `hold` is kept
/// for as long as the stream lives (the caller's stream slot).
pub fn sse<H: Send + 'static>(
    events: &EventBus,
    org_id: OrgId,
    user_id: i64,
    hold: H,
) -> Sse<impl Stream<Item = Result<SseEvent, Infallible>> + use<H>> {
    let rx = events.subscribe();
    let hello = futures::stream::once(async { Ok(SseEvent::default().event("ready").data("{}")) });
    let stream = futures::stream::unfold((rx, hold), move |(mut rx, hold)| async move {
        loop {
            match rx.recv().await {
                Ok(Event::UserDeactivated { user_id: u, .. }) if u == user_id => return None,
                Ok(Event::UserDeactivated { .. }) => {}
                Ok(event) if event.org_id() == org_id => {
                    let data = serde_json::to_string(&event).unwrap_or_else(|_| "{}".into());
                    let sse = SseEvent::default().event(event_name(&event)).data(data);
                    return Some((Ok(sse), (rx, hold)));
                }
                Ok(_) => {}
                Err(RecvError::Lagged(_)) => {
                    // Missed some: ask the page to refetch anyway.
                    let sse = SseEvent::default().event("scorecard_changed").data("{}");
                    return Some((Ok(sse), (rx, hold)));
                }
                Err(RecvError::Closed) => return None,
            }
        }
    });
    Sse::new(futures::StreamExt::chain(hello, stream))
        .keep_alive(KeepAlive::new().interval(Duration::from_secs(15)))
}
