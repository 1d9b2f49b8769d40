//! HubSpot's `paging.next.after` cursor, in one place: every GET that pages
//! (owners, list memberships, archived records, the resumable listing)
//! reads the next token and appends it the same way, and a whole listing
//! read in one go ([`Ctx::all_results`]) stops on a token that repeats
//! instead of looping for ever on a misbehaving portal.

use anyhow::Context as _;
use serde_json::Value;

use super::Ctx;
use crate::sync::{budget::Bucket, wire::query_escape};

/// Most pages one [`Ctx::all_results`] reads: 100 a page is a million
/// owners, members or archived ids; a portal claiming more is looping.
const MAX_PAGES: usize = 10_000;

/// The next page's token, when the response has one.
pub fn next_after(page: &Value) -> Option<String> {
    page.get("paging")?
        .get("next")?
        .get("after")?
        .as_str()
        .map(str::to_owned)
}

/// `path` (which already has a query) with `after` appended, escaped.
pub fn with_after(path: &str, after: Option<&str>) -> String {
    match after {
        Some(a) => format!("{path}&after={}", query_escape(a)),
        None => path.to_owned(),
    }
}

/// A page's `results`, taken out of it without a copy.
pub fn take_results(page: Value) -> Vec<Value> {
    match page {
        Value::Object(mut o) => match o.remove("results") {
            Some(Value::Array(a)) => a,
            _ => Vec::new(),
        },
        _ => Vec::new(),
    }
}

impl Ctx {
    /// Every result of a paged GET on the general budget, following
    /// `paging.next.after` to the end.
    pub(crate) async fn all_results(&self, path: &str) -> anyhow::Result<Vec<Value>> {
        let mut all = Vec::new();
        let mut after: Option<String> = None;
        for _ in 0..MAX_PAGES {
            let page = self
                .api
                .get(&with_after(path, after.as_deref()), Bucket::Hubspot)
                .await?;
            let next = next_after(&page);
            all.extend(take_results(page));
            match next {
                None => return Ok(all),
                Some(n) if after.as_deref() == Some(n.as_str()) => {
                    anyhow::bail!("HubSpot returned the same page token twice for {path}")
                }
                Some(n) => after = Some(n),
            }
        }
        Err(anyhow::anyhow!("more than {MAX_PAGES} pages"))
            .with_context(|| format!("reading {path}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn the_next_token_is_read_only_where_hubspot_puts_it() {
        assert_eq!(
            next_after(&json!({"paging": {"next": {"after": "NTI1Cg=="}}})).as_deref(),
            Some("NTI1Cg==")
        );
        assert_eq!(next_after(&json!({"results": []})), None);
        assert_eq!(next_after(&json!({"paging": {"next": {"after": 5}}})), None);
        assert_eq!(next_after(&json!([1, 2])), None);
    }

    #[test]
    fn an_after_token_is_escaped_in_the_query() {
        assert_eq!(
            with_after("/crm/v3/owners?limit=100", Some("NTI1Cg==")),
            "/crm/v3/owners?limit=100&after=NTI1Cg%3D%3D"
        );
        assert_eq!(with_after("/x?a=1", None), "/x?a=1");
    }

    #[test]
    fn results_come_out_whole_or_empty() {
        assert_eq!(
            take_results(json!({"results": [1, 2]})),
            vec![json!(1), json!(2)]
        );
        assert!(take_results(json!({"results": "no"})).is_empty());
        assert!(take_results(json!(null)).is_empty());
    }
}
