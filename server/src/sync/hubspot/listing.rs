//! Reading a HubSpot kind's whole history with the CRM list endpoint, on
//! the general request budget instead of search's 5 a second.
//!
//! `GET /crm/v3/objects/{type}?limit=100&after=…&properties=…` pages by id,
//! not by modification date, so it cannot give an incremental cursor: the
//! search cursor a finished listing leaves is the time the listing
//! *started* (the usual overlap is taken off when it is read), so whatever
//! changed while it ran is picked up by the next incremental search.
//!
//! A listing gathers 1,000 records (what one v4 association batch read
//! takes), writes them, their associations and a [`ListCursor`] (start
//! time, window floor and the next page's `after`) in one transaction, so a
//! run that dies mid-listing resumes at the next uncommitted page with the
//! original start time: nothing lost, nothing half-written. Activities keep
//! their backfill window: records modified before it are dropped, as the
//! search's `GTE` filter would.

use anyhow::Context as _;
use serde_json::{Value, json};

use super::{BATCH, Ctx, Kind, paging, ts};
use crate::{db::now_ms, sync::budget::Bucket};

/// List page size: HubSpot's maximum for `GET /crm/v3/objects/{type}`.
pub const LIST_PAGE: usize = 100;

const PREFIX: &str = "list:";

/// Where an unfinished listing stands, as stored in `sync_cursors.cursor`:
/// `list:<started ms>:<floor ms>:<after>`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ListCursor {
    /// When the listing started (Tally's clock); the search cursor once done.
    pub started: i64,
    /// Records modified before this are outside the backfill window.
    pub floor: i64,
    /// The next page's `after`; `None` before the first page.
    pub after: Option<String>,
}

impl ListCursor {
    /// Parses a stored cursor; `None` for a search cursor (plain ms).
    pub fn parse(stored: &str) -> Option<Self> {
        let rest = stored.strip_prefix(PREFIX)?;
        let mut parts = rest.splitn(3, ':');
        let started = parts.next()?.parse().ok()?;
        let floor = parts.next()?.parse().ok()?;
        let after = parts.next().filter(|a| !a.is_empty()).map(str::to_owned);
        Some(Self {
            started,
            floor,
            after,
        })
    }

    /// The stored form.
    pub fn render(&self) -> String {
        format!(
            "{PREFIX}{}:{}:{}",
            self.started,
            self.floor,
            self.after.as_deref().unwrap_or("")
        )
    }
}

/// Whether a stored cursor belongs to an unfinished listing.
pub fn is_listing(stored: Option<&str>) -> bool {
    stored.is_some_and(|s| s.starts_with(PREFIX))
}

fn list_path(k: Kind, properties: &[String], after: Option<&str>) -> String {
    let path = format!(
        "/crm/v3/objects/{}?limit={LIST_PAGE}&archived=false&properties={}",
        k.plural,
        properties.join(",")
    );
    paging::with_after(&path, after)
}

impl Ctx {
    /// Lists a kind from the start (`resume` `None`, the window from
    /// [`Ctx::initial_cursor`]) or from a stored [`ListCursor`]; ends with
    /// the archived listing, as a search does. Returns whether anything
    /// changed.
    pub async fn list_objects(&self, k: Kind, resume: Option<ListCursor>) -> anyhow::Result<bool> {
        let stages = self.stages().await?;
        let dispositions = self.dispositions().await?;
        let properties = self.properties(k);
        let mut at = resume.unwrap_or_else(|| ListCursor {
            started: now_ms(),
            floor: self.initial_cursor(k),
            after: None,
        });
        let mut changed = false;
        let mut batch: Vec<Value> = Vec::new();
        loop {
            let page = self
                .api
                .get(
                    &list_path(k, &properties, at.after.as_deref()),
                    Bucket::Hubspot,
                )
                .await
                .with_context(|| format!("listing {}", k.plural))?;
            let next = paging::next_after(&page);
            let results = paging::take_results(page);
            batch.extend(results.into_iter().filter(|r| {
                at.floor <= 0
                    || ts(r["properties"][k.modified].as_str())
                        .or_else(|| ts(r["updatedAt"].as_str()))
                        .is_some_and(|m| m >= at.floor)
            }));
            at.after = next;
            let last = at.after.is_none();
            // The cursor commits with the records it covers: the batch.
            if last || batch.len() + LIST_PAGE > BATCH {
                let cursor = if last {
                    at.started.to_string()
                } else {
                    at.render()
                };
                changed |= self
                    .write_page(k, &batch, &stages, &dispositions, Some(cursor))
                    .await?;
                batch.clear();
            }
            if last {
                break;
            }
        }
        changed |= self.archived(k).await?;
        Ok(changed)
    }

    /// Records of an activity kind modified before its backfill window
    /// (one search of one result: its `total`). Listing reads these too and
    /// drops them, so the lanes list an activity kind only when they are few.
    pub async fn outside_window(&self, k: Kind) -> anyhow::Result<u64> {
        let body = json!({
            "filterGroups": [{"filters": [{"propertyName": k.modified, "operator": "LT", "value": self.initial_cursor(k).to_string()}]}],
            "properties": [k.modified],
            "limit": 1,
        });
        let v = self
            .search(k, &body)
            .await
            .with_context(|| format!("counting {} before the backfill window", k.plural))?;
        Ok(v["total"].as_u64().unwrap_or(u64::MAX))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_list_cursor_round_trips_and_a_search_cursor_is_not_one() {
        let c = ListCursor {
            started: 1_700_000_000_000,
            floor: 0,
            after: Some("NTI1Cg==".to_owned()),
        };
        assert_eq!(ListCursor::parse(&c.render()), Some(c));
        let fresh = ListCursor {
            started: 5,
            floor: -3,
            after: None,
        };
        assert_eq!(ListCursor::parse(&fresh.render()), Some(fresh));
        assert_eq!(ListCursor::parse("1700000000000"), None);
        assert_eq!(ListCursor::parse("list:x:0:"), None);
        assert!(is_listing(Some("list:1:0:")));
        assert!(!is_listing(Some("17")));
        assert!(!is_listing(None));
    }

    #[test]
    fn an_after_token_is_escaped_in_the_query() {
        let k = super::super::kind("contacts").unwrap();
        let props: Vec<String> = k.properties.iter().map(|p| (*p).to_owned()).collect();
        let p = list_path(k, &props, Some("NTI1Cg=="));
        assert!(p.ends_with("&after=NTI1Cg%3D%3D"), "{p}");
        assert!(p.contains("limit=100"));
        assert!(p.contains("properties=firstname,lastname"));
    }
}
