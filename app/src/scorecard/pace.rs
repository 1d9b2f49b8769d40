//! In-week pacing and value formatting for the current-week column.
//!
//! During the week the scorecard shows the running value together with a
//! straight-line projection ("62 · on pace for 118"), so the team can see on
//! Wednesday whether Friday's number will hit the goal. Elapsed time is
//! measured in real time against the week's local bounds, so DST weeks of
//! 167 or 169 hours are handled. This module also owns number formatting for
//! the UI so server-rendered and hydrated output are identical.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use serde::{Deserialize, Serialize};

use super::week::week_bounds;

/// Below this fraction of the week elapsed (1 %, about 100 minutes), a
/// projection is too noisy to show.
pub const MIN_ELAPSED_FOR_PACE: f64 = 0.01;

/// What a measurable's values measure, which decides how they are shown.
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, Default)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// A plain number: `1,234`.
    #[default]
    Count,
    /// Dollars: `$1,234`.
    Currency,
    /// Percentage points (70.0 means 70 %): `70 %`.
    Percent,
    /// A duration in seconds: `1h 05m`.
    Duration,
}

impl Unit {
    /// Whether values of this unit accumulate over the week, so that a
    /// straight-line projection makes sense. Percentages are ratios, not
    /// totals: projecting "70 % so far" to a full week is meaningless, so the
    /// UI should not show a pace for them.
    pub fn accumulates(self) -> bool {
        !matches!(self, Unit::Percent)
    }
}

/// The fraction of the local week starting on `week` that has elapsed at
/// `now`, in `[0, 1]`: 0 before the week starts, 1 after it ends.
pub fn elapsed_fraction<Tz: TimeZone>(now: DateTime<Utc>, week: NaiveDate, tz: &Tz) -> f64 {
    let (start, end) = week_bounds(week, tz);
    let total = (end - start).num_milliseconds();
    if total <= 0 {
        return 1.0;
    }
    let done = (now - start).num_milliseconds();
    (done as f64 / total as f64).clamp(0.0, 1.0)
}

/// Projects a running weekly total to the full week: `value / elapsed`.
///
/// Returns `None` when less than [`MIN_ELAPSED_FOR_PACE`] of the week has
/// elapsed (including 0) or when an input is not finite. An elapsed fraction
/// above 1 is treated as 1 (the week is over; the pace is the value).
pub fn pace(value: f64, elapsed_fraction: f64) -> Option<f64> {
    if !value.is_finite() || !elapsed_fraction.is_finite() {
        return None;
    }
    if elapsed_fraction < MIN_ELAPSED_FOR_PACE {
        return None;
    }
    Some(value / elapsed_fraction.min(1.0))
}

/// Formats `value` for display in `unit`.
///
/// * `Count`: thousands separators, `decimals` places: `1,234.5`;
/// * `Currency`: `$1,234`, negative as `-$1,234`;
/// * `Percent`: value in percentage points, `70 %`;
/// * `Duration`: value in seconds; `1h 05m` from an hour up, `5m` under an
///   hour, `45s` under a minute (rounded to whole seconds or minutes;
///   `decimals` is ignored).
///
/// Non-finite values show as `—`. Rounding never produces `-0`.
pub fn format_value(value: f64, unit: Unit, decimals: u8) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    match unit {
        Unit::Count => format_number(value, decimals),
        Unit::Currency => {
            let digits = format_number(value.abs(), decimals);
            if value < 0.0 && digits.bytes().any(|b| b.is_ascii_digit() && b != b'0') {
                format!("-${digits}")
            } else {
                format!("${digits}")
            }
        }
        Unit::Percent => format!("{} %", format_number(value, decimals)),
        Unit::Duration => format_duration(value),
    }
}

/// The current-week cell text: `"62 · on pace for 118"`, or just `"62"`
/// without a pace, or `"—"` without a value.
pub fn format_this_week(value: Option<f64>, pace: Option<f64>, unit: Unit, decimals: u8) -> String {
    match (value, pace) {
        (None, _) => "—".to_owned(),
        (Some(v), Some(p)) if p.is_finite() => format!(
            "{} · on pace for {}",
            format_value(v, unit, decimals),
            format_value(p, unit, decimals)
        ),
        (Some(v), _) => format_value(v, unit, decimals),
    }
}

/// `value` rounded to `decimals` places (at most 10) with `,` thousands
/// separators and `.` as the decimal point.
pub fn format_number(value: f64, decimals: u8) -> String {
    if !value.is_finite() {
        return "—".to_owned();
    }
    let decimals = usize::from(decimals.min(10));
    let fixed = format!("{:.*}", decimals, value.abs());
    let (int_part, frac_part) = match fixed.split_once('.') {
        Some((i, f)) => (i, Some(f)),
        None => (fixed.as_str(), None),
    };
    let is_zero = fixed.bytes().all(|b| b == b'0' || b == b'.');
    let mut out = String::with_capacity(fixed.len() + fixed.len() / 3 + 1);
    if value < 0.0 && !is_zero {
        out.push('-');
    }
    out.push_str(&group_thousands(int_part));
    if let Some(frac) = frac_part {
        out.push('.');
        out.push_str(frac);
    }
    out
}

fn group_thousands(digits: &str) -> String {
    let len = digits.len();
    let mut out = String::with_capacity(len + len / 3);
    for (i, ch) in digits.chars().enumerate() {
        if i > 0 && (len - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(ch);
    }
    out
}

fn format_duration(seconds: f64) -> String {
    let sign = if seconds < 0.0 { "-" } else { "" };
    let secs = seconds.abs().round();
    if secs < 60.0 {
        let sign = if secs == 0.0 { "" } else { sign };
        return format!("{sign}{secs:.0}s");
    }
    let minutes = (secs / 60.0).round();
    let hours = (minutes / 60.0).floor();
    let rem = minutes - hours * 60.0;
    if hours == 0.0 {
        format!("{sign}{rem:.0}m")
    } else {
        format!(
            "{sign}{}h {rem:02.0}m",
            group_thousands(&format!("{hours:.0}"))
        )
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::scorecard::week::parse_date;
    use chrono_tz::America::New_York;

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    #[test]
    fn elapsed_fraction_in_a_normal_week() {
        let week = parse_date("2026-11-16").unwrap(); // Monday, EST all week
        assert_eq!(
            elapsed_fraction(utc("2026-11-16T05:00:00Z"), week, &New_York),
            0.0
        );
        assert_eq!(
            elapsed_fraction(utc("2026-11-19T17:00:00Z"), week, &New_York),
            0.5
        );
        assert_eq!(
            elapsed_fraction(utc("2026-11-23T05:00:00Z"), week, &New_York),
            1.0
        );
        assert_eq!(
            elapsed_fraction(utc("2026-11-01T00:00:00Z"), week, &New_York),
            0.0
        );
        assert_eq!(
            elapsed_fraction(utc("2027-01-01T00:00:00Z"), week, &New_York),
            1.0
        );
    }

    #[test]
    fn elapsed_fraction_uses_real_hours_in_dst_weeks() {
        // Sunday-start week of 2026-03-08 lasts 167 hours; halfway is 83.5 h in.
        let week = parse_date("2026-03-08").unwrap();
        let start = utc("2026-03-08T05:00:00Z");
        let half = start + chrono::TimeDelta::minutes(167 * 30);
        assert_eq!(elapsed_fraction(half, week, &New_York), 0.5);
        // Local noon Wednesday is 84 h of wall clock but only 83 real hours.
        let wed_noon = utc("2026-03-11T16:00:00Z");
        let f = elapsed_fraction(wed_noon, week, &New_York);
        assert!((f - 83.0 / 167.0).abs() < 1e-12, "{f}");
    }

    #[test]
    fn pace_projects_to_a_full_week() {
        assert_eq!(pace(62.0, 0.5), Some(124.0));
        assert_eq!(pace(30.0, 0.25), Some(120.0));
        assert_eq!(pace(10.0, 1.0), Some(10.0));
        assert_eq!(pace(10.0, 1.5), Some(10.0));
        assert_eq!(pace(10.0, 0.0), None);
        assert_eq!(pace(10.0, 0.009), None);
        assert_eq!(pace(10.0, 0.01), Some(1000.0));
        assert_eq!(pace(f64::NAN, 0.5), None);
        assert_eq!(pace(1.0, f64::NAN), None);
    }

    #[test]
    fn formats_counts() {
        assert_eq!(format_value(0.0, Unit::Count, 0), "0");
        assert_eq!(format_value(999.0, Unit::Count, 0), "999");
        assert_eq!(format_value(1234.0, Unit::Count, 0), "1,234");
        assert_eq!(format_value(1234567.891, Unit::Count, 2), "1,234,567.89");
        assert_eq!(format_value(-1234.5, Unit::Count, 1), "-1,234.5");
        assert_eq!(format_value(999.6, Unit::Count, 0), "1,000");
        assert_eq!(format_value(-0.4, Unit::Count, 0), "0");
        assert_eq!(format_value(f64::NAN, Unit::Count, 0), "—");
        assert_eq!(format_value(100_000.0, Unit::Count, 0), "100,000");
    }

    #[test]
    fn formats_currency_and_percent() {
        assert_eq!(format_value(1234.0, Unit::Currency, 0), "$1,234");
        assert_eq!(format_value(1234.5, Unit::Currency, 2), "$1,234.50");
        assert_eq!(format_value(-50.0, Unit::Currency, 0), "-$50");
        assert_eq!(format_value(-0.001, Unit::Currency, 2), "$0.00");
        assert_eq!(format_value(70.0, Unit::Percent, 0), "70 %");
        assert_eq!(format_value(66.666, Unit::Percent, 1), "66.7 %");
    }

    #[test]
    fn formats_durations() {
        assert_eq!(format_value(3900.0, Unit::Duration, 0), "1h 05m");
        assert_eq!(format_value(3600.0, Unit::Duration, 2), "1h 00m");
        assert_eq!(format_value(300.0, Unit::Duration, 0), "5m");
        assert_eq!(format_value(45.0, Unit::Duration, 0), "45s");
        assert_eq!(format_value(0.0, Unit::Duration, 0), "0s");
        assert_eq!(format_value(3599.0, Unit::Duration, 0), "1h 00m");
        assert_eq!(format_value(90_000.0, Unit::Duration, 0), "25h 00m");
        assert_eq!(format_value(-3900.0, Unit::Duration, 0), "-1h 05m");
    }

    #[test]
    fn formats_this_week() {
        assert_eq!(
            format_this_week(Some(62.0), Some(118.4), Unit::Count, 0),
            "62 · on pace for 118"
        );
        assert_eq!(format_this_week(Some(62.0), None, Unit::Count, 0), "62");
        assert_eq!(format_this_week(None, Some(3.0), Unit::Count, 0), "—");
        assert_eq!(
            format_this_week(Some(1500.0), Some(3000.0), Unit::Currency, 0),
            "$1,500 · on pace for $3,000"
        );
        assert!(!Unit::Percent.accumulates());
        assert!(Unit::Count.accumulates());
        assert_eq!(
            serde_json::to_string(&Unit::Currency).unwrap(),
            "\"currency\""
        );
    }
}
