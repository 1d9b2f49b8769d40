//! A HubSpot run's CRM kinds, read in two lanes at once so a first sync
//! spends both of HubSpot's budgets: the list lane (general bucket, 110 /
//! 10 s × 100 records) and the search lane (5 searches / s × 200 records).
//!
//! The kinds wait in one queue; the list lane takes from the front, the
//! search lane from the back, so they meet somewhere in the middle. At the
//! front: listings a crash left unfinished and object kinds with no cursor
//! (their whole history is wanted; listing reads it on the general budget).
//! Then a first backfill's activity kinds, sized by one search `total` each
//! and split between the lanes by size and the two lanes' rates
//! ([`split`]), the smallest in the middle, so a lane that runs out of its
//! own takes the other's smallest. At the back: kinds with a search cursor
//! (incremental), which are never listed. The list lane lists an activity
//! kind only when search counts at most [`LIST_WASTE_MAX`] of its records
//! modified before the backfill window (listing reads those too and drops
//! them); otherwise it searches it itself, sharing the search budget. An
//! incremental run (every cursor a search cursor) is the search lane alone.
//!
//! When search is not rate-limited (`TALLY_HUBSPOT_SEARCH_RATE_LIMIT=off`
//! and the provider names no limit) there is no second budget to spend and
//! search's 200-record pages are the fewest calls, so the search lane runs
//! alone, kind after kind.

use std::{collections::VecDeque, future::Future, sync::Mutex};

use super::{
    budget::Bucket,
    hubspot::{Ctx, KINDS, Kind},
    listing::{self, ListCursor},
    records,
};

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
    let queue = Mutex::new(plan(ctx).await?);
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

/// The queue, front to back: unfinished listings and object kinds to list;
/// then the activity kinds of a first backfill, split between the lanes by
/// their sizes (one search `total` each) and the two lanes' rates, the
/// list lane's largest first and the search lane's largest last, so the
/// smallest sit in the middle where a lane that runs out takes the other's;
/// then the kinds with a search cursor.
async fn plan(ctx: &Ctx) -> anyhow::Result<VecDeque<(Kind, Route)>> {
    let mut front = Vec::new();
    let mut fresh = Vec::new();
    let mut back = Vec::new();
    for k in KINDS {
        let stored = records::cursor(&ctx.db, ctx.connection_id, k.plural).await?;
        match stored.as_deref() {
            s if listing::is_listing(s) => front.push((k, Route::List)),
            None if k.activity => fresh.push(k),
            None => front.push((k, Route::List)),
            Some(_) => back.push((k, Route::Search)),
        }
    }
    // Five or fewer searches: within one second of the search budget.
    let sizes = futures::future::try_join_all(fresh.iter().map(|k| ctx.in_window(*k))).await?;
    let rate = |b: Bucket, page: f64| {
        let (max, window) = ctx.api.budgets.window_of(ctx.connection_id, b);
        max as f64 / window.as_secs_f64().max(0.001) * page
    };
    let (to_list, to_search) = split(
        fresh.into_iter().zip(sizes).collect(),
        rate(Bucket::Hubspot, listing::LIST_PAGE as f64),
        rate(Bucket::HubspotSearch, 200.0),
    );
    Ok(front
        .into_iter()
        .chain(to_list.into_iter().map(|k| (k, Route::Probe)))
        .chain(to_search.into_iter().rev().map(|k| (k, Route::Probe)))
        .chain(back)
        .collect())
}

/// Splits kinds of known sizes between the list lane (`list_rate`
/// records/s) and the search lane (`search_rate`), largest first, each to
/// the lane that would finish it sooner. Returns both lanes' kinds, largest
/// first. A rate of 0 (no limit) counts as fast as the other lane.
fn split(mut kinds: Vec<(Kind, u64)>, list_rate: f64, search_rate: f64) -> (Vec<Kind>, Vec<Kind>) {
    let fallback = list_rate.max(search_rate).max(1.0);
    let list_rate = if list_rate > 0.0 { list_rate } else { fallback };
    let search_rate = if search_rate > 0.0 {
        search_rate
    } else {
        fallback
    };
    kinds.sort_by_key(|k| std::cmp::Reverse(k.1));
    let (mut list_t, mut search_t) = (0.0, 0.0);
    let (mut to_list, mut to_search) = (Vec::new(), Vec::new());
    for (k, n) in kinds {
        let n = n as f64;
        if list_t + n / list_rate <= search_t + n / search_rate {
            list_t += n / list_rate;
            to_list.push(k);
        } else {
            search_t += n / search_rate;
            to_search.push(k);
        }
    }
    (to_list, to_search)
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
                .map(|(n, r)| (super::super::hubspot::kind(n).unwrap(), *r))
                .collect(),
        )
    }

    #[test]
    fn kinds_are_split_by_size_and_rate() {
        let k = |n: &str| super::super::hubspot::kind(n).unwrap();
        // The figure-4 data set's activities at HubSpot's public-app limits.
        let (list, search) = split(
            vec![
                (k("tasks"), 1_284),
                (k("calls"), 10_751),
                (k("emails"), 3_935),
                (k("notes"), 2_596),
                (k("meetings"), 1_560),
            ],
            1_100.0,
            1_000.0,
        );
        let names = |v: &[Kind]| v.iter().map(|k| k.plural).collect::<Vec<_>>();
        assert_eq!(names(&list), ["calls"]);
        assert_eq!(names(&search), ["emails", "notes", "meetings", "tasks"]);
        // Two equal kinds go one to each lane.
        let (list, search) = split(vec![(k("calls"), 500), (k("notes"), 500)], 1_000.0, 1_000.0);
        assert_eq!((list.len(), search.len()), (1, 1));
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
