//! Reading a HubSpot kind incrementally with CRM search, sorted by
//! last-modified date, ascending, 200 a page. Each page starts again from
//! the newest modified date seen so far (keyset paging), so the 10,000-result
//! cap of one search never bites and a record changed mid-run is not
//! skipped; a batch is written while the next one is searched.

use anyhow::Context as _;
use serde_json::{Value, json};

use super::{BATCH, Ctx, Kind, listing::ListCursor, paging, prop, ts};
use crate::sync::{budget::Bucket, records};

/// Cursor overlap: records indexed late by search are picked up again.
pub const OVERLAP_MS: i64 = 2 * 60 * 1000;
/// Search page size.
const SEARCH_PAGE: usize = 200;

/// Where a search of one kind has got to: the modified-time cursor and, when
/// a whole page shares one timestamp, the offset within it.
#[derive(Debug, Clone, Copy)]
struct Paging {
    cursor: i64,
    after: usize,
}

/// Search results read for one write, and whether more follow.
#[derive(Debug)]
struct SearchBatch {
    records: Vec<Value>,
    /// The latest modified time among `records`: the cursor their write commits.
    max: Option<i64>,
    more: bool,
}

impl SearchBatch {
    fn cursor(&self) -> Option<String> {
        self.max.map(|m| m.to_string())
    }
}

impl Ctx {
    /// One CRM search of a kind, on the search budget.
    pub(crate) async fn search(&self, k: Kind, body: &Value) -> anyhow::Result<Value> {
        self.api
            .post(
                &format!("/crm/v3/objects/{}/search", k.plural),
                body,
                Bucket::HubspotSearch,
            )
            .await
    }

    /// Records modified since the cursor, page by page; returns whether
    /// anything changed. A batch is written while the next one is searched,
    /// so the search budget is not left idle during association reads and
    /// database writes; writes stay in order, each committing its cursor.
    pub async fn objects(&self, k: Kind) -> anyhow::Result<bool> {
        let stages = self.stages().await?;
        let dispositions = self.dispositions().await?;
        let stored = records::cursor(&self.db, self.connection_id, k.plural).await?;
        // A listing a crash left unfinished is finished by listing.
        if let Some(at) = stored.as_deref().and_then(ListCursor::parse) {
            return self.list_objects(k, Some(at)).await;
        }
        let mut at = Paging {
            cursor: match stored.as_deref().and_then(|c| c.parse::<i64>().ok()) {
                Some(c) => (c - OVERLAP_MS).max(0),
                None => self.initial_cursor(k),
            },
            after: 0,
        };
        let mut changed = false;
        let mut ready = self.search_batch(k, &mut at).await?;
        while ready.more {
            let write = self.write_page(k, &ready.records, &stages, &dispositions, ready.cursor());
            let (wrote, next) = tokio::try_join!(write, self.search_batch(k, &mut at))?;
            changed |= wrote;
            ready = next;
        }
        changed |= self
            .write_page(k, &ready.records, &stages, &dispositions, ready.cursor())
            .await?;
        changed |= self.archived(k).await?;
        Ok(changed)
    }

    /// Searches pages from `at` until a batch is full or the results end,
    /// moving `at` past what it read.
    async fn search_batch(&self, k: Kind, at: &mut Paging) -> anyhow::Result<SearchBatch> {
        let mut batch = SearchBatch {
            records: Vec::new(),
            max: None,
            more: true,
        };
        loop {
            let mut body = json!({
                "filterGroups": [{"filters": [{"propertyName": k.modified, "operator": "GTE", "value": at.cursor.to_string()}]}],
                "sorts": [{"propertyName": k.modified, "direction": "ASCENDING"}],
                "properties": self.properties(k),
                "limit": SEARCH_PAGE,
            });
            if at.after > 0 {
                body["after"] = json!(at.after.to_string());
            }
            let page = self
                .search(k, &body)
                .await
                .with_context(|| format!("searching {}", k.plural))?;
            // The last page has no `paging` at all, even when it is exactly full.
            let next_page = paging::next_after(&page).is_some();
            let results = paging::take_results(page);
            let full = results.len() >= SEARCH_PAGE && next_page;
            let max_seen = results
                .iter()
                .filter_map(|r| ts(prop(r, k.modified)).or_else(|| ts(r["updatedAt"].as_str())))
                .max();
            batch.max = batch.max.max(max_seen);
            let n = results.len();
            batch.records.extend(results);
            if !full {
                batch.more = false;
                return Ok(batch);
            }
            match max_seen {
                Some(m) if m > at.cursor => {
                    at.cursor = m;
                    at.after = 0;
                }
                _ => {
                    // A whole page on one timestamp: page within it.
                    at.after += n;
                    if at.after >= 9_800 {
                        anyhow::bail!(
                            "more than 9,800 {} modified in the same millisecond",
                            k.plural
                        );
                    }
                }
            }
            // The cursor commits with every record it covers: the batch.
            if batch.records.len() + SEARCH_PAGE > BATCH {
                return Ok(batch);
            }
        }
    }
}
