//! A small counter of the sandbox's truth, written without Tally's code:
//! what a careful person counting in HubSpot would get. The scorecard
//! tests compare Tally's numbers with it, so a rule both got wrong the same
//! way cannot pass unnoticed: week bounds come from chrono-tz directly,
//! whole words from `regex`, and "first non-empty" from its one-line
//! definition in the README.

use chrono::{Datelike as _, NaiveDate, TimeZone as _};
use chrono_tz::Tz;
use serde_json::Value;

/// An instant in the truth dump: epoch milliseconds or RFC 3339.
pub fn ms_of(v: &Value) -> Option<i64> {
    let s = v.as_str()?.trim();
    s.parse::<i64>().ok().or_else(|| {
        chrono::DateTime::parse_from_rfc3339(s)
            .ok()
            .map(|d| d.timestamp_millis())
    })
}

/// A property as text; absent, null and blank are `None`.
pub fn prop<'a>(record: &'a Value, name: &str) -> Option<&'a str> {
    record["properties"][name]
        .as_str()
        .filter(|s| !s.trim().is_empty())
}

/// The first local instant of `date` in `tz` (midnight, or the first
/// minute after a gap when clocks jump over midnight).
pub fn local_midnight(tz: Tz, date: NaiveDate) -> i64 {
    for minute in 0..24 * 60 {
        let t = date.and_hms_opt(0, 0, 0).unwrap() + chrono::Duration::minutes(minute);
        if let Some(at) = tz.from_local_datetime(&t).earliest() {
            return at.timestamp_millis();
        }
    }
    panic!("{date} has no local time in {tz}");
}

/// `[start, end)` of the week starting on `week` (a local date) in `tz`.
pub fn week_bounds(tz: Tz, week: NaiveDate) -> (i64, i64) {
    (
        local_midnight(tz, week),
        local_midnight(tz, week + chrono::Days::new(7)),
    )
}

/// The Monday-started week (local date) holding `at` in `tz`.
pub fn week_of(tz: Tz, at: i64) -> NaiveDate {
    let local = tz.timestamp_millis_opt(at).unwrap().date_naive();
    local - chrono::Days::new(u64::from(local.weekday().num_days_from_monday()))
}

/// Text of an HTML body: tags become spaces, common entities are decoded.
pub fn text_of_html(html: &str) -> String {
    static TAGS: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"<[^>]*>").unwrap());
    TAGS.replace_all(html, " ")
        .replace("&nbsp;", " ")
        .replace("&amp;", "&")
        .replace("&lt;", "<")
        .replace("&gt;", ">")
        .replace("&quot;", "\"")
        .replace("&#39;", "'")
}

/// Keywords matched as whole words, ignoring case; the words of a phrase
/// may be separated by spaces or hyphens.
pub struct Keywords(Vec<regex::Regex>);

impl Keywords {
    pub fn new(keywords: &[&str]) -> Keywords {
        Keywords(
            keywords
                .iter()
                .map(|k| {
                    let words: Vec<String> = k.split_whitespace().map(regex::escape).collect();
                    let pattern = format!(r"(?i)(^|[^\w]){}($|[^\w])", words.join(r"[\s\-]+"));
                    regex::Regex::new(&pattern).unwrap()
                })
                .collect(),
        )
    }

    /// Whether `text` mentions any of them.
    pub fn in_text(&self, text: &str) -> bool {
        self.0.iter().any(|r| r.is_match(text))
    }
}

/// A record's contribution to a sum over `names`: the first property that
/// is not absent, null or blank; a value that is not a number adds 0.
pub fn first_non_empty(record: &Value, names: &[&str]) -> f64 {
    names
        .iter()
        .find_map(|n| prop(record, n))
        .map_or(0.0, |v| v.trim().parse::<f64>().unwrap_or(0.0))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_counter_itself_follows_the_rules() {
        let kw = Keywords::new(&["decision maker", "DM", "CEO", "owner", "founder"]);
        assert!(kw.in_text("met the Decision Maker"));
        assert!(kw.in_text("spoke to the DM, then left"));
        assert!(kw.in_text(&text_of_html("<p>Owner</p>")));
        assert!(kw.in_text("decision-maker"));
        for miss in [
            "DMZ setup",
            "owner_id missing",
            "cofounder",
            "decision makers",
            "CEOs",
        ] {
            assert!(!kw.in_text(miss), "{miss}");
        }
        let tz: Tz = "America/New_York".parse().unwrap();
        let monday = NaiveDate::from_ymd_opt(2026, 11, 2).unwrap();
        let (lo, hi) = week_bounds(tz, monday);
        assert_eq!(hi - lo, 7 * 86_400_000, "no change inside this week");
        let before = NaiveDate::from_ymd_opt(2026, 10, 26).unwrap();
        let (lo, hi) = week_bounds(tz, before);
        assert_eq!(
            hi - lo,
            7 * 86_400_000 + 3_600_000,
            "the week the clocks went back"
        );
        assert_eq!(week_of(tz, lo), before);
        assert_eq!(week_of(tz, lo - 1), before - chrono::Days::new(7));
    }
}
