//! Week identity for the scorecard.
//!
//! EOS scorecards are reviewed week by week, so every measurable value belongs
//! to exactly one week. A week is identified by the *local* calendar date it
//! starts on (a [`NaiveDate`]), for a team-configured start day (Monday by
//! default). This module turns instants into weeks and weeks back into UTC
//! instants, using the team's time zone so that a call logged at 23:30 on the
//! last evening of a week counts for that week, even though it is already the
//! next day in UTC.
//!
//! Time-zone functions are generic over [`chrono::TimeZone`] so the crate does
//! not need a time-zone database (which would bloat the WASM bundle); callers
//! pass `chrono_tz::Tz`, [`chrono::FixedOffset`], [`chrono::Utc`] or anything
//! else implementing the trait.

use std::fmt;
use std::str::FromStr;

use chrono::{
    DateTime, Datelike, LocalResult, NaiveDate, NaiveDateTime, NaiveTime, TimeDelta, TimeZone, Utc,
    Weekday,
};
use serde::{Deserialize, Serialize};

/// The weekday on which a team's scorecard week begins.
///
/// Serialises as chrono's weekday name (`"Mon"`, `"Sun"`, ...).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[serde(transparent)]
pub struct WeekStart(pub Weekday);

impl WeekStart {
    /// Monday, the EOS default.
    pub const MONDAY: WeekStart = WeekStart(Weekday::Mon);
    /// Sunday, common for US teams.
    pub const SUNDAY: WeekStart = WeekStart(Weekday::Sun);

    /// The weekday weeks start on.
    pub fn weekday(self) -> Weekday {
        self.0
    }

    /// The start date of the week containing the local calendar `date`.
    pub fn week_containing(self, date: NaiveDate) -> NaiveDate {
        let back = date.weekday().days_since(self.0);
        shift_days(date, -i64::from(back))
    }

    /// Whether `date` falls on this week-start weekday.
    pub fn is_week_start(self, date: NaiveDate) -> bool {
        date.weekday() == self.0
    }
}

impl Default for WeekStart {
    fn default() -> Self {
        WeekStart::MONDAY
    }
}

impl From<Weekday> for WeekStart {
    fn from(day: Weekday) -> Self {
        WeekStart(day)
    }
}

impl fmt::Display for WeekStart {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.0)
    }
}

/// Errors from parsing or validating week identifiers.
#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq, thiserror::Error)]
pub enum WeekError {
    /// The text is not a calendar date in `YYYY-MM-DD` form.
    #[error("`{input}` is not a date in YYYY-MM-DD form")]
    BadDate {
        /// The rejected input, verbatim.
        input: String,
    },
    /// The date is valid but is not the first day of a week.
    #[error("{date} is a {actual}, but weeks start on {expected}")]
    NotWeekStart {
        /// The offending date.
        date: NaiveDate,
        /// The configured week-start weekday.
        expected: Weekday,
        /// The weekday `date` actually falls on.
        actual: Weekday,
    },
    /// The date is valid but its year is outside what a scorecard covers.
    #[error("{date} is outside the years {EARLIEST_YEAR} to {LATEST_YEAR}")]
    OutOfRange {
        /// The offending date.
        date: NaiveDate,
    },
}

/// The first year a date may fall in.
pub const EARLIEST_YEAR: i32 = 1970;
/// The last year a date may fall in.
pub const LATEST_YEAR: i32 = 2200;

/// Adds a signed number of days, saturating at chrono's date range.
pub(crate) fn shift_days(date: NaiveDate, days: i64) -> NaiveDate {
    TimeDelta::try_days(days)
        .and_then(|delta| date.checked_add_signed(delta))
        .unwrap_or(if days >= 0 {
            NaiveDate::MAX
        } else {
            NaiveDate::MIN
        })
}

/// The local calendar date of `instant` in `tz`.
pub fn local_date<Tz: TimeZone>(instant: DateTime<Utc>, tz: &Tz) -> NaiveDate {
    instant.with_timezone(tz).date_naive()
}

/// The week (identified by its local start date) that `instant` falls in,
/// judged by the local calendar date in `tz`.
pub fn week_of<Tz: TimeZone>(
    instant: DateTime<Utc>,
    tz: &Tz,
    start: impl Into<WeekStart>,
) -> NaiveDate {
    start.into().week_containing(local_date(instant, tz))
}

/// The earliest UTC instant whose local wall-clock time in `tz` is at or
/// after `local`.
///
/// * normal times map to their single instant;
/// * ambiguous times (clocks went back) map to the earlier occurrence;
/// * nonexistent times (clocks jumped forward over them, e.g. zones whose DST
///   starts at midnight) map to the instant the clocks jumped, i.e. the first
///   valid instant of that local day.
pub fn earliest_instant_at_or_after<Tz: TimeZone>(local: NaiveDateTime, tz: &Tz) -> DateTime<Utc> {
    match tz.from_local_datetime(&local) {
        LocalResult::Single(t) => t.with_timezone(&Utc),
        LocalResult::Ambiguous(a, b) => {
            let (a, b) = (a.with_timezone(&Utc), b.with_timezone(&Utc));
            a.min(b)
        }
        LocalResult::None => first_instant_in_gap(local, tz),
    }
}

/// Binary search for the first instant whose local time is `>= local`.
///
/// UTC offsets are far below two days, so the local time of `local - 2d`
/// (read as UTC) is before `local` and that of `local + 2d` is after it.
/// Around a gap the local time is monotone, which makes the search valid.
fn first_instant_in_gap<Tz: TimeZone>(local: NaiveDateTime, tz: &Tz) -> DateTime<Utc> {
    let two_days = 2 * 86_400;
    let target = local.and_utc().timestamp();
    let mut lo = target.saturating_sub(two_days); // predicate false
    let mut hi = target.saturating_add(two_days); // predicate true
    let reaches = |secs: i64| -> bool {
        DateTime::from_timestamp(secs, 0)
            .map(|utc| tz.from_utc_datetime(&utc.naive_utc()).naive_local() >= local)
            .unwrap_or(secs > target)
    };
    while hi - lo > 1 {
        let mid = lo + (hi - lo) / 2;
        if reaches(mid) {
            hi = mid;
        } else {
            lo = mid;
        }
    }
    DateTime::from_timestamp(hi, 0).unwrap_or(DateTime::<Utc>::MAX_UTC)
}

/// The first instant of the local calendar day `date` in `tz`.
pub fn start_of_local_day<Tz: TimeZone>(date: NaiveDate, tz: &Tz) -> DateTime<Utc> {
    earliest_instant_at_or_after(date.and_time(NaiveTime::MIN), tz)
}

/// The half-open UTC interval `[start, end)` covered by the local week that
/// starts on `week`.
///
/// Both ends are local midnights (or, where midnight does not exist or is
/// ambiguous, the earliest valid instant of that day), so a week spanning a
/// DST change lasts 167 or 169 hours rather than 168.
pub fn week_bounds<Tz: TimeZone>(week: NaiveDate, tz: &Tz) -> (DateTime<Utc>, DateTime<Utc>) {
    (
        start_of_local_day(week, tz),
        start_of_local_day(shift_days(week, 7), tz),
    )
}

/// `n` consecutive weeks ending with `week`, oldest first.
///
/// Weeks that would fall before chrono's minimum date are omitted.
pub fn weeks_back(week: NaiveDate, n: usize) -> Vec<NaiveDate> {
    (0..n)
        .rev()
        .filter_map(|i| {
            let days = i64::try_from(i).ok()?.checked_mul(7)?;
            week.checked_sub_signed(TimeDelta::try_days(days)?)
        })
        .collect()
}

/// The week after `week`.
pub fn next_week(week: NaiveDate) -> NaiveDate {
    shift_days(week, 7)
}

/// The week before `week`.
pub fn previous_week(week: NaiveDate) -> NaiveDate {
    shift_days(week, -7)
}

/// Parses a strict `YYYY-MM-DD` date (four-digit year, two-digit month and
/// day) in the years [`EARLIEST_YEAR`] to [`LATEST_YEAR`].
pub fn parse_date(input: &str) -> Result<NaiveDate, WeekError> {
    let bad = || WeekError::BadDate {
        input: input.to_owned(),
    };
    let bytes = input.as_bytes();
    let shape_ok = bytes.len() == 10
        && bytes.iter().enumerate().all(|(i, b)| match i {
            4 | 7 => *b == b'-',
            _ => b.is_ascii_digit(),
        });
    if !shape_ok {
        return Err(bad());
    }
    let date = NaiveDate::parse_from_str(input, "%Y-%m-%d").map_err(|_| bad())?;
    if (EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year()) {
        Ok(date)
    } else {
        Err(WeekError::OutOfRange { date })
    }
}

/// Formats a date as `YYYY-MM-DD`.
pub fn format_date(date: NaiveDate) -> String {
    // `Display` is ISO 8601 (`%Y-%m-%d`) without parsing a format string.
    date.to_string()
}

/// Checks that `date` is the first day of a week for `start`.
pub fn validate_week_start(date: NaiveDate, start: impl Into<WeekStart>) -> Result<(), WeekError> {
    let start = start.into();
    if start.is_week_start(date) {
        Ok(())
    } else {
        Err(WeekError::NotWeekStart {
            date,
            expected: start.weekday(),
            actual: date.weekday(),
        })
    }
}

/// Parses a week identifier (`YYYY-MM-DD`) and checks it is a week start.
pub fn parse_week(input: &str, start: impl Into<WeekStart>) -> Result<NaiveDate, WeekError> {
    let date = parse_date(input)?;
    validate_week_start(date, start)?;
    Ok(date)
}

impl FromStr for WeekStart {
    type Err = chrono::ParseWeekdayError;

    /// Accepts chrono's weekday names, e.g. `"Mon"`, `"monday"`.
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        s.parse::<Weekday>().map(WeekStart)
    }
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use chrono::{FixedOffset, Timelike};
    use chrono_tz::America::{Havana, Los_Angeles, New_York, Santiago};
    use chrono_tz::Pacific::Auckland;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn utc(s: &str) -> DateTime<Utc> {
        DateTime::parse_from_rfc3339(s).unwrap().with_timezone(&Utc)
    }

    fn hours(bounds: (DateTime<Utc>, DateTime<Utc>)) -> i64 {
        (bounds.1 - bounds.0).num_seconds() / 3600
    }

    #[test]
    fn week_start_defaults_to_monday_and_serialises_as_weekday_name() {
        assert_eq!(WeekStart::default(), WeekStart(Weekday::Mon));
        assert_eq!(
            serde_json::to_string(&WeekStart::SUNDAY).unwrap(),
            "\"Sun\""
        );
        let back: WeekStart = serde_json::from_str("\"Tue\"").unwrap();
        assert_eq!(back, WeekStart(Weekday::Tue));
        assert_eq!("sunday".parse::<WeekStart>().unwrap(), WeekStart::SUNDAY);
    }

    #[test]
    fn week_containing_for_monday_and_sunday_starts() {
        // 2026-11-22 is a Sunday.
        assert_eq!(
            WeekStart::MONDAY.week_containing(d("2026-11-22")),
            d("2026-11-16")
        );
        assert_eq!(
            WeekStart::SUNDAY.week_containing(d("2026-11-22")),
            d("2026-11-22")
        );
        assert_eq!(
            WeekStart::SUNDAY.week_containing(d("2026-11-21")),
            d("2026-11-15")
        );
        assert_eq!(
            WeekStart::MONDAY.week_containing(d("2026-11-16")),
            d("2026-11-16")
        );
        // Across a year boundary: Thu 2026-01-01 belongs to the week of Mon 2025-12-29.
        assert_eq!(
            WeekStart::MONDAY.week_containing(d("2026-01-01")),
            d("2025-12-29")
        );
    }

    #[test]
    fn late_evening_in_los_angeles_stays_in_the_local_week() {
        // Sunday 2026-03-01 23:30 PST (-08:00) is Monday 07:30 in UTC.
        let call = utc("2026-03-02T07:30:00Z");
        assert_eq!(local_date(call, &Los_Angeles), d("2026-03-01"));
        assert_eq!(
            week_of(call, &Los_Angeles, WeekStart::MONDAY),
            d("2026-02-23")
        );
        // A bare chrono weekday works as the start day too.
        assert_eq!(week_of(call, &Los_Angeles, Weekday::Sun), d("2026-03-01"));
        // Judged in UTC it would be the next week.
        assert_eq!(week_of(call, &Utc, WeekStart::MONDAY), d("2026-03-02"));
        let (start, end) = week_bounds(d("2026-02-23"), &Los_Angeles);
        assert!(start <= call && call < end);
        assert_eq!(end, utc("2026-03-02T08:00:00Z"));
    }

    #[test]
    fn early_monday_in_auckland_is_already_the_next_local_week() {
        // Monday 2026-03-02 00:30 NZDT (+13:00) is still Sunday 11:30 in UTC.
        let call = utc("2026-03-01T11:30:00Z");
        assert_eq!(week_of(call, &Auckland, WeekStart::MONDAY), d("2026-03-02"));
        assert_eq!(week_of(call, &Utc, WeekStart::MONDAY), d("2026-02-23"));
        // Sunday 23:30 NZDT, the last half hour of the previous local week.
        let late = utc("2026-03-01T10:30:00Z");
        assert_eq!(week_of(late, &Auckland, WeekStart::MONDAY), d("2026-02-23"));
        let (start, _) = week_bounds(d("2026-03-02"), &Auckland);
        assert_eq!(start, utc("2026-03-01T11:00:00Z"));
    }

    #[test]
    fn new_york_dst_weeks_are_167_and_169_hours() {
        // Spring forward on Sunday 2026-03-08, fall back on Sunday 2026-11-01.
        assert_eq!(hours(week_bounds(d("2026-03-08"), &New_York)), 167);
        assert_eq!(hours(week_bounds(d("2026-03-02"), &New_York)), 167);
        assert_eq!(hours(week_bounds(d("2026-11-01"), &New_York)), 169);
        assert_eq!(hours(week_bounds(d("2026-10-26"), &New_York)), 169);
        assert_eq!(hours(week_bounds(d("2026-03-15"), &New_York)), 168);
        let (start, end) = week_bounds(d("2026-03-08"), &New_York);
        assert_eq!(start, utc("2026-03-08T05:00:00Z")); // 00:00 EST
        assert_eq!(end, utc("2026-03-15T04:00:00Z")); // 00:00 EDT
    }

    #[test]
    fn santiago_nonexistent_midnight_uses_first_valid_instant() {
        // Chile starts DST on Sunday 2026-09-06: 00:00 -04 jumps to 01:00 -03,
        // so local midnight does not exist that day.
        assert!(matches!(
            Santiago.from_local_datetime(&d("2026-09-06").and_time(NaiveTime::MIN)),
            LocalResult::None
        ));
        let (start, end) = week_bounds(d("2026-09-06"), &Santiago);
        assert_eq!(start, utc("2026-09-06T04:00:00Z"));
        assert_eq!(start.with_timezone(&Santiago).hour(), 1);
        assert_eq!(end, utc("2026-09-13T03:00:00Z"));
        assert_eq!(hours((start, end)), 167);
        // The week before ends exactly where this one starts: no gap, no overlap.
        assert_eq!(week_bounds(d("2026-08-30"), &Santiago).1, start);
        // An instant just after the jump is in the new week.
        let after = utc("2026-09-06T04:00:01Z");
        assert_eq!(
            week_of(after, &Santiago, WeekStart::SUNDAY),
            d("2026-09-06")
        );
        // Chile ends DST on Saturday 2026-04-04 24:00 -> 23:00, a 169-hour Sunday week.
        assert_eq!(hours(week_bounds(d("2026-03-29"), &Santiago)), 169);
    }

    #[test]
    fn havana_ambiguous_midnight_uses_earliest_instant() {
        // Cuba ends DST on Sunday 2026-11-01 at 01:00 -> 00:00, so 00:xx happens twice.
        assert!(matches!(
            Havana.from_local_datetime(&d("2026-11-01").and_time(NaiveTime::MIN)),
            LocalResult::Ambiguous(..)
        ));
        let (start, end) = week_bounds(d("2026-11-01"), &Havana);
        assert_eq!(start, utc("2026-11-01T04:00:00Z")); // 00:00 CDT (-04)
        assert_eq!(end, utc("2026-11-08T05:00:00Z")); // 00:00 CST (-05)
        assert_eq!(hours((start, end)), 169);
        // Cuba starts DST on Sunday 2026-03-08 at 00:00 -> 01:00.
        let (start, end) = week_bounds(d("2026-03-08"), &Havana);
        assert_eq!(start, utc("2026-03-08T05:00:00Z"));
        assert_eq!(hours((start, end)), 167);
    }

    #[test]
    fn fixed_offsets_work_too() {
        let plus_five_thirty = FixedOffset::east_opt(5 * 3600 + 1800).unwrap();
        let (start, end) = week_bounds(d("2026-11-16"), &plus_five_thirty);
        assert_eq!(start, utc("2026-11-15T18:30:00Z"));
        assert_eq!(hours((start, end)), 168);
    }

    #[test]
    fn weeks_back_lists_oldest_first() {
        assert_eq!(
            weeks_back(d("2026-11-16"), 3),
            vec![d("2026-11-02"), d("2026-11-09"), d("2026-11-16")]
        );
        assert!(weeks_back(d("2026-11-16"), 0).is_empty());
        assert_eq!(weeks_back(d("2026-11-16"), 13).len(), 13);
        assert_eq!(weeks_back(d("2026-11-16"), 13)[0], d("2026-08-24"));
        assert_eq!(next_week(d("2026-12-28")), d("2027-01-04"));
        assert_eq!(previous_week(d("2027-01-04")), d("2026-12-28"));
    }

    #[test]
    fn parse_and_format_dates() {
        assert_eq!(
            parse_date("2026-03-08").unwrap(),
            NaiveDate::from_ymd_opt(2026, 3, 8).unwrap()
        );
        assert_eq!(format_date(d("2026-03-08")), "2026-03-08");
        for bad in [
            "2026-3-8",
            "2026-02-30",
            "26-03-08",
            "2026/03/08",
            "",
            " 2026-03-08",
            "2026-03-08x",
        ] {
            let err = parse_date(bad).unwrap_err();
            assert_eq!(
                err,
                WeekError::BadDate {
                    input: bad.to_owned()
                }
            );
            assert!(err.to_string().contains(&format!("`{bad}`")), "{err}");
        }
        for far in ["1969-12-31", "2201-01-01", "0001-01-01", "9999-12-31"] {
            let err = parse_date(far).unwrap_err();
            assert!(matches!(err, WeekError::OutOfRange { .. }), "{far}");
            assert!(err.to_string().contains("1970 to 2200"), "{err}");
        }
        assert!(parse_date("1970-01-01").is_ok());
        assert!(parse_date("2200-12-31").is_ok());
    }

    #[test]
    fn validates_week_starts() {
        assert!(validate_week_start(d("2026-11-16"), WeekStart::MONDAY).is_ok());
        let err = validate_week_start(d("2026-11-17"), WeekStart::MONDAY).unwrap_err();
        assert_eq!(
            err.to_string(),
            "2026-11-17 is a Tue, but weeks start on Mon"
        );
        assert_eq!(
            parse_week("2026-11-22", WeekStart::SUNDAY).unwrap(),
            d("2026-11-22")
        );
        assert!(matches!(
            parse_week("2026-11-22", WeekStart::MONDAY),
            Err(WeekError::NotWeekStart { .. })
        ));
        assert!(matches!(
            parse_week("nope", WeekStart::MONDAY),
            Err(WeekError::BadDate { .. })
        ));
    }

    fn any_weekday() -> impl Strategy<Value = Weekday> {
        (0u8..7).prop_map(|i| Weekday::try_from(i).unwrap())
    }

    fn any_zone() -> impl Strategy<Value = chrono_tz::Tz> {
        prop_oneof![
            Just(chrono_tz::Tz::America__Los_Angeles),
            Just(chrono_tz::Tz::America__New_York),
            Just(chrono_tz::Tz::America__Santiago),
            Just(chrono_tz::Tz::America__Havana),
            Just(chrono_tz::Tz::Pacific__Auckland),
            Just(chrono_tz::Tz::Pacific__Chatham),
            Just(chrono_tz::Tz::Australia__Lord_Howe),
            Just(chrono_tz::Tz::Asia__Kolkata),
            Just(chrono_tz::Tz::Europe__London),
            Just(chrono_tz::Tz::UTC),
        ]
    }

    proptest! {
        #[test]
        fn instant_lies_in_its_week(
            secs in 946_684_800i64..4_102_444_800, // 2000-01-01 .. 2100-01-01
            tz in any_zone(),
            day in any_weekday(),
        ) {
            let start = WeekStart(day);
            let x = DateTime::from_timestamp(secs, 0).unwrap();
            let week = week_of(x, &tz, start);
            let local = local_date(x, &tz);
            prop_assert!(week <= local);
            prop_assert!(local < shift_days(week, 7));
            prop_assert_eq!(week.weekday(), day);
            let (lo, hi) = week_bounds(week, &tz);
            prop_assert!(lo <= x && x < hi, "{} not in [{}, {})", x, lo, hi);
            let h = (hi - lo).num_minutes();
            prop_assert!((166 * 60..=170 * 60).contains(&h), "week of {} minutes", h);
            // Consecutive weeks tile the timeline.
            prop_assert_eq!(week_bounds(next_week(week), &tz).0, hi);
        }

        #[test]
        fn date_round_trips(days in -100_000i64..100_000) {
            let date = shift_days(d("2000-01-01"), days);
            prop_assume!(date.year() >= 0 && date.year() <= 9999);
            let parsed = parse_date(&format_date(date));
            if (EARLIEST_YEAR..=LATEST_YEAR).contains(&date.year()) {
                prop_assert_eq!(parsed.unwrap(), date);
            } else {
                prop_assert_eq!(parsed.unwrap_err(), WeekError::OutOfRange { date });
            }
        }
    }
}
