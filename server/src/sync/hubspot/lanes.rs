//! A HubSpot run's CRM kinds, read in two lanes at once so a first sync
//! spends both of HubSpot's budgets: the list lane (general bucket, 110 /
//! 10 s × 100 records) and the search lane (5 searches / s × 200 records).
//!
//! The kinds wait in one queue. Kinds with no cursor yet (a first backfill)
//! sit at the front, those with a search cursor (incremental) at the back.
//! The list lane takes from the front: an object kind with no cursor, or a
//! listing a crash left unfinished, is listed ([`super::listing`]); an
//! activity kind is listed only when search counts at most
//! [`LIST_WASTE_MAX`] of its records modified before the backfill window
//! (listing reads those too and drops them), else the list lane searches it
//! itself, sharing the search budget. The search lane takes from the back and reads
//! whatever it takes from its cursor, as every run did before the lanes. So
//! the two lanes meet in the middle of the queue, which balances them
//! without knowing the kinds' sizes, and an incremental run (every cursor a
//! search cursor) is the search lane alone.
//!
//! When search is not rate-limited (`TALLY_HUBSPOT_SEARCH_RATE_LIMIT=off`
//! and the provider names no limit) there is no second budget to spend and
//! search's 200-record pages are the fewest calls, so the search lane runs
//! alone, kind after kind.

use std::{collections::VecDeque, future::Future, sync::Mutex};

use super::{
    Ctx, KINDS, Kind,
    listing::{self, ListCursor},
};
use crate::sync::{budget::Bucket, records};

/// Records modified before the backfill window that listing an activity
/// kind may read and drop: 10 list pages, about one second of the general
/// budget.
pub const LIST_WASTE_MAX: u64 = 1_000;

/// How the list lane would read a kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Route {
    /// Listed: an object kind with no cursor, or an unfinished listing.
    List,
    /// An activity kind with no cursor: listed if few records lie before
    /// its window.
    Probe,
    /// Searched from its cursor.
    Search,
}

/// Whether the search bucket is rate-limited, i.e. the list lane has a
/// budget of its own to add.
pub fn two_lanes(ctx: &Ctx) -> bool {
    ctx.api
        .budgets
        .window_of(ctx.connection_id, Bucket::HubspotSearch)
        .0
        > 0
}

/// Reads every CRM kind; `done(plural)` runs as each kind ends.
pub async fn run<F, Fut>(ctx: &Ctx, done: F) -> anyhow::Result<()>
where
    F: Fn(&'static str) -> Fut,
    Fut: Future<Output = anyhow::Result<()>>,
{
    if !two_lanes(ctx) {
        for k in KINDS {
            ctx.objects(k).await?;
            done(k.plural).await?;
        }
        return Ok(());
    }
    let mut front = Vec::new();
    let mut back = Vec::new();
    for k in KINDS {
        let stored = records::cursor(&ctx.db, ctx.connection_id, k.plural).await?;
        let route = match stored.as_deref() {
            s if listing::is_listing(s) => Route::List,
            None if k.activity => Route::Probe,
            None => Route::List,
            Some(_) => Route::Search,
        };
        if route == Route::Search {
            back.push((k, route));
        } else {
            front.push((k, route));
        }
    }
    let queue = Mutex::new(front.into_iter().chain(back).collect::<VecDeque<_>>());
    let list_lane = async {
        while let Some((k, route)) = take_front(&queue) {
            if route == Route::Probe && ctx.outside_window(k).await? > LIST_WASTE_MAX {
                // Too much history to list: searched here, sharing the
                // search budget with the other lane.
                ctx.objects(k).await?;
            } else {
                let stored = records::cursor(&ctx.db, ctx.connection_id, k.plural).await?;
                let resume = stored.as_deref().and_then(ListCursor::parse);
                ctx.list_objects(k, resume).await?;
            }
            done(k.plural).await?;
        }
        anyhow::Ok(())
    };
    let search_lane = async {
        while let Some(k) = take_back(&queue) {
            ctx.objects(k).await?;
            done(k.plural).await?;
        }
        anyhow::Ok(())
    };
    tokio::try_join!(list_lane, search_lane)?;
    Ok(())
}

/// The front kind, if the list lane may read it.
fn take_front(queue: &Mutex<VecDeque<(Kind, Route)>>) -> Option<(Kind, Route)> {
    let mut q = queue.lock().ok()?;
    match q.front() {
        Some((_, Route::List | Route::Probe)) => q.pop_front(),
        _ => None,
    }
}

/// The back kind, whatever its route: the search lane reads any kind from
/// its cursor (and finishes an unfinished listing by listing).
fn take_back(queue: &Mutex<VecDeque<(Kind, Route)>>) -> Option<Kind> {
    queue.lock().ok()?.pop_back().map(|(k, _)| k)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(items: &[(&str, Route)]) -> Mutex<VecDeque<(Kind, Route)>> {
        Mutex::new(
            items
                .iter()
                .map(|(n, r)| (super::super::kind(n).unwrap(), *r))
                .collect(),
        )
    }

    #[test]
    fn the_lanes_meet_in_the_middle_of_the_queue() {
        let queue = q(&[
            ("contacts", Route::List),
            ("calls", Route::Probe),
            ("notes", Route::Search),
            ("tasks", Route::Search),
        ]);
        assert_eq!(take_back(&queue).unwrap().plural, "tasks");
        assert_eq!(take_front(&queue).unwrap().0.plural, "contacts");
        assert_eq!(take_front(&queue).unwrap().0.plural, "calls");
        // A searched kind is never listed.
        assert!(take_front(&queue).is_none());
        assert_eq!(take_back(&queue).unwrap().plural, "notes");
        assert!(take_back(&queue).is_none());
    }
}
