//! Aircall's page-number paging: `page`, `per_page` (default 20, at most 50), the `meta`
//! object and the 10,000-item cap.
//!
//! Exists so every list route pages the same way. `meta` is `{count, total,
//! current_page, per_page, next_page_link, previous_page_link}`; the links are absolute
//! URLs (from `public_base_url`, else from the request's `Host` and original path, so
//! they work when the router is nested) that keep every other query parameter (`from`,
//! `to`, `order`, ...) and carry the effective `per_page`. Aircall serves at most the first
//! 10,000 items of a query, whatever the paging: a page reaching beyond item 10,000
//! (`page × per_page > 10000`) is refused with `400`, and `next_page_link` is `null`
//! when the next page would be, so clients must narrow the query (by `from`) instead.

use axum::http::{HeaderMap, StatusCode, Uri, header};
use axum::response::Response;
use serde_json::{Value, json};

use super::error;
use crate::Sandbox;

/// Items per page when `per_page` is absent.
pub const DEFAULT_PER_PAGE: usize = 20;
/// The largest `per_page` Aircall honours (larger values are lowered to it).
pub const MAX_PER_PAGE: usize = 50;
/// Items of one query Aircall will page through.
pub const MAX_ITEMS: usize = 10_000;

/// A requested page.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Page {
    /// 1-based.
    pub page: usize,
    pub per_page: usize,
}

impl Page {
    /// Reads `page` and `per_page` (unparsable or < 1 values fall back to 1 / default).
    pub fn from_query(pairs: &[(String, String)]) -> Page {
        let num = |k: &str| {
            crate::util::first(pairs, k)
                .and_then(|v| v.trim().parse::<usize>().ok())
                .filter(|n| *n >= 1)
        };
        Page {
            page: num("page").unwrap_or(1),
            per_page: num("per_page")
                .unwrap_or(DEFAULT_PER_PAGE)
                .min(MAX_PER_PAGE),
        }
    }

    /// Refuses pages reaching beyond the 10,000th item.
    pub fn check_cap(&self) -> Result<(), Response> {
        if self.page.saturating_mul(self.per_page) > MAX_ITEMS {
            return Err(error(
                StatusCode::BAD_REQUEST,
                "Bad Request",
                "Pagination is limited to the first 10,000 items (page x per_page); narrow the query with from/to instead",
            ));
        }
        Ok(())
    }

    /// The slice of `total` items this page covers.
    pub fn range(&self, total: usize) -> std::ops::Range<usize> {
        let start = (self.page - 1).saturating_mul(self.per_page).min(total);
        start..(start + self.per_page).min(total)
    }
}

/// The absolute URL of the current route, without a query.
fn route_url(sb: &Sandbox, headers: &HeaderMap, uri: &Uri, original: &Uri) -> String {
    if let Some(base) = &sb.inner.opts.public_base_url {
        return format!("{}{}", base.trim_end_matches('/'), uri.path());
    }
    let host = headers.get(header::HOST).and_then(|h| h.to_str().ok());
    let proto = headers
        .get("x-forwarded-proto")
        .and_then(|h| h.to_str().ok())
        .unwrap_or("http");
    match host {
        Some(h) => format!("{proto}://{h}{}", original.path()),
        None => original.path().to_string(),
    }
}

/// The request's context for building links.
#[derive(Debug, Clone, Copy)]
pub struct LinkCtx<'a> {
    pub sb: &'a Sandbox,
    pub headers: &'a HeaderMap,
    /// The URI as the router saw it (nesting prefix stripped).
    pub uri: &'a Uri,
    /// The URI as the client sent it.
    pub original: &'a Uri,
}

impl LinkCtx<'_> {
    fn link(&self, pairs: &[(String, String)], p: Page, page: usize) -> String {
        let mut q: Vec<(String, String)> = pairs
            .iter()
            .filter(|(k, _)| k != "page" && k != "per_page")
            .cloned()
            .collect();
        q.push(("page".into(), page.to_string()));
        q.push(("per_page".into(), p.per_page.to_string()));
        let url = route_url(self.sb, self.headers, self.uri, self.original);
        format!(
            "{url}?{}",
            serde_urlencoded::to_string(&q).unwrap_or_default()
        )
    }

    /// The `meta` object for page `p` of `total` items, `count` of them on this page.
    pub fn meta(&self, pairs: &[(String, String)], p: Page, count: usize, total: usize) -> Value {
        let has_next =
            p.page * p.per_page < total && (p.page + 1).saturating_mul(p.per_page) <= MAX_ITEMS;
        let next = has_next.then(|| self.link(pairs, p, p.page + 1));
        let prev = (p.page > 1).then(|| self.link(pairs, p, p.page - 1));
        json!({
            "count": count,
            "total": total,
            "current_page": p.page,
            "per_page": p.per_page,
            "next_page_link": next,
            "previous_page_link": prev,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Vec<(String, String)> {
        serde_urlencoded::from_str(s).unwrap()
    }

    #[test]
    fn defaults_clamps_and_cap() {
        assert_eq!(
            Page::from_query(&q("")),
            Page {
                page: 1,
                per_page: 20
            }
        );
        let p = Page::from_query(&q("page=0&per_page=500"));
        assert_eq!((p.page, p.per_page), (1, 50));
        assert!(
            Page::from_query(&q("page=200&per_page=50"))
                .check_cap()
                .is_ok()
        );
        assert!(
            Page::from_query(&q("page=201&per_page=50"))
                .check_cap()
                .is_err()
        );
        assert_eq!(Page::from_query(&q("page=3&per_page=10")).range(25), 20..25);
        assert_eq!(Page::from_query(&q("page=9&per_page=10")).range(25), 25..25);
    }
}
