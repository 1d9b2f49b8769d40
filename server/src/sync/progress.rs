//! What a provider's steps tell their run as they go: an object finished,
//! records changed. The order of the steps lives with each provider
//! (`hubspot::steps`, `fathom`); the run's bookkeeping (its row's counters
//! and the live events every screen listens to) is done here, the same way
//! for every provider.

use std::sync::{Arc, atomic::Ordering};

use app::domain::{ConnectionId, OrgId};

use super::{client::Counters, runs};
use crate::{
    db::Db,
    events::{Event, EventBus},
};

/// One run's reporting line.
#[derive(Debug, Clone)]
pub struct Progress {
    db: Db,
    events: EventBus,
    org_id: OrgId,
    connection_id: ConnectionId,
    run_id: i64,
    counters: Arc<Counters>,
}

impl Progress {
    /// Reporting for `run_id` of a connection, its calls counted in `counters`.
    pub fn new(
        db: Db,
        events: EventBus,
        org_id: OrgId,
        connection_id: ConnectionId,
        run_id: i64,
        counters: Arc<Counters>,
    ) -> Self {
        Self {
            db,
            events,
            org_id,
            connection_id,
            run_id,
            counters,
        }
    }

    /// Writes the calls made so far onto the run row.
    pub async fn save_calls(&self) -> anyhow::Result<()> {
        runs::set_calls(
            &self.db,
            self.run_id,
            self.counters.api_calls.load(Ordering::Relaxed),
            self.counters.throttled.load(Ordering::Relaxed),
        )
        .await
    }

    /// `object` is finished: counted done on the run row, the calls so far
    /// saved, and the integrations page told.
    pub async fn object_done(&self, object: &str) -> anyhow::Result<()> {
        runs::object_done(&self.db, self.run_id, self.connection_id, object).await?;
        self.save_calls().await?;
        self.moved().await;
        Ok(())
    }

    /// Records of `object` changed: the scorecards that count them recompute.
    pub async fn changed(&self, object: &str) {
        let event = Event::RecordsChanged {
            org_id: self.org_id,
            connection_id: self.connection_id,
            objects: vec![object.to_owned()],
        };
        if let Err(e) = self.events.publish(event).await {
            tracing::warn!(error = format!("{e:#}"), "publishing records changed");
        }
    }

    /// The run moved on: the integrations page re-reads it.
    pub async fn moved(&self) {
        let event = Event::SyncProgress {
            org_id: self.org_id,
            connection_id: self.connection_id,
            run_id: self.run_id,
        };
        if let Err(e) = self.events.publish(event).await {
            tracing::warn!(error = format!("{e:#}"), "publishing sync progress");
        }
    }
}
