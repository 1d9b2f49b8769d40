//! Syncing one HubSpot account: owners, deal pipelines, call dispositions,
//! lists, contacts, companies, deals, calls, meetings, notes, emails, tasks
//! and their contact associations.
//!
//! CRM objects are read with search sorted by last-modified date, ascending,
//! 200 a page. Each page starts again from the newest modified date seen so
//! far (keyset paging), so the 10,000-result cap of one search never bites
//! and a record changed mid-run is not skipped. Up to five pages (1,000
//! records, what one v4 association batch read takes) are gathered, their
//! associations read in one call, and the records, associations and the
//! advanced cursor commit in one transaction. A first backfill lists most
//! kinds instead, on the general budget, beside the searches
//! (`lanes`, `listing`); once a listing ends, search takes
//! over from the time it started. Deletes come from listing
//! `archived=true`; webhooks fetch just the changed ids.

use std::collections::{BTreeMap, HashMap, HashSet};

use serde_json::{Value, json};

use app::domain::{ConnectionId, OrgId};

use super::{
    budget::Bucket,
    client::Api,
    records::{self, Change, Row},
    runs,
};
use crate::{
    db::{Db, now_ms},
    events::Event,
};

/// Records gathered before one write: what one v4 association batch read takes.
pub const BATCH: usize = 1000;

mod kinds;
pub mod lanes;
pub mod listing;
mod paging;
mod reference;
mod rows;
mod search;
pub mod steps;
mod write;

pub use crate::sync::wire::ts;
pub use kinds::*;
pub use rows::*;
pub use search::OVERLAP_MS;

/// Everything one HubSpot sync needs.
#[derive(Debug, Clone)]
pub struct Ctx {
    /// Database.
    pub db: Db,
    /// The account's API.
    pub api: Api,
    /// Organisation.
    pub org_id: OrgId,
    /// Connection.
    pub connection_id: ConnectionId,
    /// Portal (hub) id, for record links.
    pub portal: String,
    /// Run.
    pub run_id: i64,
    /// Backfill window for activities, weeks.
    pub backfill_weeks: i64,
    /// Where committed batches are announced.
    pub events: crate::events::EventBus,
    /// Properties the organisation's measurables name beyond each kind's
    /// own list, by plural (`sync::properties::wanted`).
    pub named: std::sync::Arc<BTreeMap<&'static str, Vec<String>>>,
}

impl Ctx {
    /// Every property to request for a kind: its own list, then the ones
    /// measurables name.
    pub fn properties(&self, k: Kind) -> Vec<String> {
        let mut all: Vec<String> = k.properties.iter().map(|p| (*p).to_owned()).collect();
        for name in self.named.get(k.plural).into_iter().flatten() {
            if !all.contains(name) {
                all.push(name.clone());
            }
        }
        all
    }

    pub(crate) async fn publish_tally(
        &self,
        object: &str,
        changes: &[Change],
        deleted: i64,
        tx: &mut sqlx::Transaction<'static, sqlx::Any>,
    ) -> anyhow::Result<bool> {
        let added = changes.iter().filter(|c| **c == Change::Added).count() as i64;
        let updated = changes.iter().filter(|c| **c == Change::Updated).count() as i64;
        runs::add_counts(
            tx,
            self.run_id,
            self.connection_id,
            object,
            added,
            updated,
            deleted,
        )
        .await?;
        Ok(added + updated + deleted > 0)
    }

    /// Where a kind's sync starts when it has no cursor.
    pub(crate) fn initial_cursor(&self, k: Kind) -> i64 {
        if k.activity {
            now_ms() - self.backfill_weeks * 7 * 24 * 3600 * 1000
        } else {
            0
        }
    }
}
