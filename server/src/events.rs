//! Live events: "data changed" news that every open page and every replica
//! must hear about.
//!
//! A sync batch, a webhook or a manual entry publishes an [`Event`]; the
//! scorecard recomputes and browsers are told to refresh. With SQLite there
//! is one process, so an in-process broadcast channel is enough. With
//! PostgreSQL several replicas sit behind one load balancer, so events go
//! through `pg_notify` and every replica (the publisher included) re-broadcasts
//! what its `LISTEN` connection receives: one path, no double delivery.
//!
//! Work that must happen once per event, not once per replica (recomputing
//! the scorecard after a sync batch), listens with
//! [`EventBus::subscribe_local`]: only the replica that published the event
//! hears it there.

use anyhow::Context as _;
use app::domain::{ConnectionId, OrgId};
use serde::{Deserialize, Serialize};
use sqlx::postgres::PgListener;
use tokio::sync::broadcast;

use crate::db::{Backend, Db};

/// The PostgreSQL notification channel.
pub const CHANNEL: &str = "tally_events";

/// Something changed that pages or background work may care about.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "type", rename_all = "snake_case")]
pub enum Event {
    /// Synced records of a connection were added, changed or deleted.
    RecordsChanged {
        /// Organisation the records belong to.
        org_id: OrgId,
        /// Connection that synced them.
        connection_id: ConnectionId,
        /// Object kinds touched, e.g. `calls`, `deals`.
        objects: Vec<String>,
    },
    /// A sync run advanced (progress, or finished).
    SyncProgress {
        /// Organisation of the connection.
        org_id: OrgId,
        /// Connection being synced.
        connection_id: ConnectionId,
        /// The run.
        run_id: i64,
    },
    /// Scorecard values or definitions changed.
    ScorecardChanged {
        /// Organisation of the scorecard.
        org_id: OrgId,
        /// The scorecard, or `None` for all of the organisation's.
        scorecard_id: Option<i64>,
    },
    /// A user was deactivated: every replica closes their live streams.
    /// Never sent to a browser.
    UserDeactivated {
        /// Organisation of the user.
        org_id: OrgId,
        /// The user.
        user_id: i64,
    },
}

impl Event {
    /// The organisation an event belongs to; subscribers filter on it.
    pub fn org_id(&self) -> OrgId {
        match self {
            Event::RecordsChanged { org_id, .. }
            | Event::SyncProgress { org_id, .. }
            | Event::ScorecardChanged { org_id, .. }
            | Event::UserDeactivated { org_id, .. } => *org_id,
        }
    }
}

/// Publishes and delivers [`Event`]s. Cheap to clone.
#[derive(Debug, Clone)]
pub struct EventBus {
    sender: broadcast::Sender<Event>,
    local: broadcast::Sender<Event>,
    db: Db,
}

impl EventBus {
    /// Starts the bus; on PostgreSQL this opens the `LISTEN` connection and
    /// a task that forwards notifications (it reconnects by itself).
    pub async fn start(db: &Db, database_url: &str) -> anyhow::Result<Self> {
        let (sender, _) = broadcast::channel(1024);
        if db.backend == Backend::Postgres {
            let mut listener = PgListener::connect(database_url)
                .await
                .context("opening the event listener connection")?;
            listener
                .listen(CHANNEL)
                .await
                .context("listening for events")?;
            let forward = sender.clone();
            tokio::spawn(async move {
                loop {
                    match listener.recv().await {
                        Ok(note) => match serde_json::from_str::<Event>(note.payload()) {
                            Ok(event) => {
                                let _ = forward.send(event);
                            }
                            Err(e) => tracing::warn!(error = %e, "ignoring a malformed event"),
                        },
                        Err(e) => {
                            tracing::warn!(error = %e, "event listener lost its connection; retrying");
                            tokio::time::sleep(std::time::Duration::from_secs(1)).await;
                        }
                    }
                }
            });
        }
        Ok(Self {
            sender,
            local: broadcast::channel(1024).0,
            db: db.clone(),
        })
    }

    /// Publishes an event to every subscriber on every replica.
    pub async fn publish(&self, event: Event) -> anyhow::Result<()> {
        let _ = self.local.send(event.clone());
        match self.db.backend {
            Backend::Sqlite => {
                // No subscriber is not an error: nobody is looking right now.
                let _ = self.sender.send(event);
            }
            Backend::Postgres => {
                let payload = serde_json::to_string(&event).context("encoding an event")?;
                sqlx::query("SELECT pg_notify($1, $2)")
                    .bind(CHANNEL)
                    .bind(payload)
                    .execute(&self.db.pool)
                    .await
                    .context("publishing an event")?;
            }
        }
        Ok(())
    }

    /// A new subscription; it sees events published from now on.
    pub fn subscribe(&self) -> broadcast::Receiver<Event> {
        self.sender.subscribe()
    }

    /// A new subscription to the events this process publishes, and no
    /// other replica's: for work that must run once per event.
    pub fn subscribe_local(&self) -> broadcast::Receiver<Event> {
        self.local.subscribe()
    }
}
