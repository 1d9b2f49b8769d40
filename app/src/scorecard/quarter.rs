//! Quarters ("Rocks" cadence) and quarter-to-date averages.
//!
//! EOS teams plan in quarters, and the scorecard shows each measurable's
//! quarter-to-date average next to the weekly values. Weeks do not line up
//! with calendar quarters, so a week is assigned to the quarter that contains
//! its fourth day (start + 3 days) — the same rule ISO 8601 uses for years,
//! generalised to any week-start day. Every week therefore belongs to exactly
//! one quarter and a quarter has 12, 13 or 14 weeks.
//!
//! Note: a 90-day quarter (Q1 of a non-leap year) contains one weekday only 12
//! times, so with the matching week-start day it has 12 weeks (e.g. Q1 2026
//! with Sunday starts). 91-day quarters always have 13 weeks and 92-day
//! quarters have 13 or 14.

use std::fmt;

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use super::week::{WeekStart, shift_days};

/// A calendar quarter, e.g. Q3 2026. Displays as `"Q3 2026"`.
///
/// Orders chronologically (year first, then quarter).
#[derive(Serialize, Deserialize, Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Quarter {
    /// Calendar year.
    pub year: i32,
    /// Quarter number, 1 to 4.
    pub q: u8,
}

impl Quarter {
    /// A quarter, or `None` unless `q` is 1 to 4.
    pub fn new(year: i32, q: u8) -> Option<Quarter> {
        (1..=4).contains(&q).then_some(Quarter { year, q })
    }

    /// The calendar quarter containing `date`.
    pub fn of_date(date: NaiveDate) -> Quarter {
        // month0 is 0..=11, so the quotient is 0..=3 and fits in u8.
        let q = u8::try_from(date.month0() / 3).unwrap_or(3) + 1;
        Quarter {
            year: date.year(),
            q,
        }
    }

    /// The first calendar day of the quarter.
    pub fn first_day(self) -> NaiveDate {
        let month = u32::from(self.q.clamp(1, 4) - 1) * 3 + 1;
        NaiveDate::from_ymd_opt(self.year, month, 1).unwrap_or(if self.year < 0 {
            NaiveDate::MIN
        } else {
            NaiveDate::MAX
        })
    }

    /// The last calendar day of the quarter.
    pub fn last_day(self) -> NaiveDate {
        shift_days(self.next().first_day(), -1)
    }

    /// The following quarter.
    pub fn next(self) -> Quarter {
        if self.q >= 4 {
            Quarter {
                year: self.year.saturating_add(1),
                q: 1,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q.max(1) + 1,
            }
        }
    }

    /// The preceding quarter.
    pub fn prev(self) -> Quarter {
        if self.q <= 1 {
            Quarter {
                year: self.year.saturating_sub(1),
                q: 4,
            }
        } else {
            Quarter {
                year: self.year,
                q: self.q.min(4) - 1,
            }
        }
    }
}

impl fmt::Display for Quarter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Q{} {}", self.q, self.year)
    }
}

/// The quarter a week (identified by its start date) belongs to: the one
/// containing the week's fourth day.
pub fn quarter_of_week(week: NaiveDate) -> Quarter {
    Quarter::of_date(shift_days(week, 3))
}

/// The start date of the first week of `quarter`: the earliest week start
/// whose fourth day falls on or after the quarter's first day.
pub fn first_week_of_quarter(quarter: Quarter, start: impl Into<WeekStart>) -> NaiveDate {
    let start = start.into();
    let earliest = shift_days(quarter.first_day(), -3);
    let forward = start.weekday().days_since(earliest.weekday());
    shift_days(earliest, i64::from(forward))
}

/// All weeks of `quarter`, oldest first (12, 13 or 14 of them; see the
/// module docs).
pub fn weeks_of_quarter(quarter: Quarter, start: impl Into<WeekStart>) -> Vec<NaiveDate> {
    let start = start.into();
    let end = first_week_of_quarter(quarter.next(), start);
    let mut week = first_week_of_quarter(quarter, start);
    let mut weeks = Vec::with_capacity(14);
    while week < end {
        weeks.push(week);
        week = shift_days(week, 7);
    }
    weeks
}

/// Quarter-to-date average: the mean of the weekly values of the quarter
/// containing `selected`, from the quarter's first week through the week
/// containing `selected` (inclusive). Later weeks are ignored, so looking at
/// an older week shows the average as it stood then.
///
/// `values` pairs a week (any date in the week is accepted; it is mapped to
/// its week start) with that week's value. Supply at most one entry per week.
///
/// Missing data: a week whose value is `None` (or not finite) is skipped, not
/// counted as zero — a manually entered measurable nobody filled in has no
/// value, and averaging in a zero would punish the team for a data-entry gap.
/// Synced *count* measurables (e.g. calls from the CRM) are different: a week
/// with no activity genuinely scored zero, so their callers pass
/// `Some(0.0)` for empty weeks and those weeks do pull the average down.
///
/// Returns `None` when no week in range has a value.
pub fn quarter_average(
    values: &[(NaiveDate, Option<f64>)],
    selected: NaiveDate,
    start: impl Into<WeekStart>,
) -> Option<f64> {
    let start = start.into();
    let last = start.week_containing(selected);
    let first = first_week_of_quarter(quarter_of_week(last), start);
    let (sum, count) = values
        .iter()
        .filter_map(|(date, value)| {
            let week = start.week_containing(*date);
            let v = (*value)?;
            (first <= week && week <= last && v.is_finite()).then_some(v)
        })
        .fold((0.0_f64, 0_u32), |(s, n), v| (s + v, n + 1));
    (count > 0).then(|| sum / f64::from(count))
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use super::*;
    use crate::scorecard::week::parse_date;
    use chrono::Weekday;
    use proptest::prelude::*;

    fn d(s: &str) -> NaiveDate {
        parse_date(s).unwrap()
    }

    fn q(year: i32, q: u8) -> Quarter {
        Quarter::new(year, q).unwrap()
    }

    #[test]
    fn display_and_navigation() {
        assert_eq!(q(2026, 3).to_string(), "Q3 2026");
        assert_eq!(q(2026, 4).next(), q(2027, 1));
        assert_eq!(q(2027, 1).prev(), q(2026, 4));
        assert_eq!(q(2026, 2).next(), q(2026, 3));
        assert_eq!(Quarter::new(2026, 0), None);
        assert_eq!(Quarter::new(2026, 5), None);
        assert_eq!(q(2026, 1).first_day(), d("2026-01-01"));
        assert_eq!(q(2026, 1).last_day(), d("2026-03-31"));
        assert_eq!(q(2026, 4).last_day(), d("2026-12-31"));
        assert!(q(2026, 4) < q(2027, 1));
        assert_eq!(
            serde_json::to_string(&q(2026, 3)).unwrap(),
            r#"{"year":2026,"q":3}"#
        );
    }

    #[test]
    fn quarter_assignment_at_year_boundaries() {
        // Mon 2026-12-28: fourth day is Thu 2026-12-31.
        assert_eq!(quarter_of_week(d("2026-12-28")), q(2026, 4));
        // Tue 2025-12-30 (Tuesday starts): fourth day is Fri 2026-01-02.
        assert_eq!(quarter_of_week(d("2025-12-30")), q(2026, 1));
        assert_eq!(
            first_week_of_quarter(q(2026, 1), Weekday::Tue),
            d("2025-12-30")
        );
        // Mon 2025-12-29: fourth day is Thu 2026-01-01 -> Q1 2026.
        assert_eq!(quarter_of_week(d("2025-12-29")), q(2026, 1));
        assert_eq!(
            first_week_of_quarter(q(2026, 1), WeekStart::MONDAY),
            d("2025-12-29")
        );
        // Sunday starts: Sun 2025-12-28 has fourth day Wed 2025-12-31 -> Q4 2025.
        assert_eq!(quarter_of_week(d("2025-12-28")), q(2025, 4));
        assert_eq!(
            first_week_of_quarter(q(2026, 1), WeekStart::SUNDAY),
            d("2026-01-04")
        );
    }

    #[test]
    fn quarters_have_12_13_or_14_weeks() {
        let mon = weeks_of_quarter(q(2026, 1), WeekStart::MONDAY);
        assert_eq!(mon.len(), 13);
        assert_eq!(mon.first(), Some(&d("2025-12-29")));
        assert_eq!(mon.last(), Some(&d("2026-03-23")));
        // Q1 2026 has 90 days and only twelve Wednesdays.
        let sun = weeks_of_quarter(q(2026, 1), WeekStart::SUNDAY);
        assert_eq!(sun.len(), 12);
        assert_eq!(sun.first(), Some(&d("2026-01-04")));
        assert_eq!(sun.last(), Some(&d("2026-03-22")));
        // Q4 2026 starts and ends on a Thursday: fourteen Monday weeks.
        let q4 = weeks_of_quarter(q(2026, 4), WeekStart::MONDAY);
        assert_eq!(q4.len(), 14);
        assert_eq!(q4.first(), Some(&d("2026-09-28")));
        assert_eq!(q4.last(), Some(&d("2026-12-28")));
        assert_eq!(weeks_of_quarter(q(2026, 2), WeekStart::SUNDAY).len(), 13);
    }

    #[test]
    fn quarter_average_through_selected_week() {
        let values = vec![
            (d("2026-09-21"), Some(500.0)), // Q3, excluded
            (d("2026-09-28"), Some(10.0)),  // first week of Q4 2026
            (d("2026-10-05"), None),        // nobody entered a value
            (d("2026-10-12"), Some(20.0)),
            (d("2026-10-19"), Some(30.0)),   // selected
            (d("2026-10-26"), Some(1000.0)), // after the selected week
        ];
        let avg = quarter_average(&values, d("2026-10-19"), WeekStart::MONDAY);
        assert_eq!(avg, Some(20.0));
        // Any day inside the selected week selects it.
        assert_eq!(
            quarter_average(&values, d("2026-10-25"), WeekStart::MONDAY),
            Some(20.0)
        );
        // A synced count measurable reports its empty week as zero.
        let mut synced = values.clone();
        synced[2].1 = Some(0.0);
        assert_eq!(
            quarter_average(&synced, d("2026-10-19"), WeekStart::MONDAY),
            Some(15.0)
        );
        // First week of the quarter only.
        assert_eq!(
            quarter_average(&values, d("2026-09-28"), WeekStart::MONDAY),
            Some(10.0)
        );
        // Last week of Q3 only sees Q3 values.
        assert_eq!(
            quarter_average(&values, d("2026-09-21"), WeekStart::MONDAY),
            Some(500.0)
        );
    }

    #[test]
    fn quarter_average_with_no_values_is_none() {
        assert_eq!(
            quarter_average(&[], d("2026-10-19"), WeekStart::MONDAY),
            None
        );
        let empty = [(d("2026-10-05"), None), (d("2026-10-12"), Some(f64::NAN))];
        assert_eq!(
            quarter_average(&empty, d("2026-10-19"), WeekStart::MONDAY),
            None
        );
    }

    fn any_weekday() -> impl Strategy<Value = Weekday> {
        (0u8..7).prop_map(|i| Weekday::try_from(i).unwrap())
    }

    proptest! {
        #[test]
        fn every_week_start_is_in_exactly_one_quarter(
            days in -40_000i64..40_000,
            day in any_weekday(),
        ) {
            let start = WeekStart(day);
            let week = start.week_containing(shift_days(d("2026-01-01"), days));
            let quarter = quarter_of_week(week);
            let weeks = weeks_of_quarter(quarter, start);
            prop_assert!(weeks.contains(&week));
            prop_assert!(!weeks_of_quarter(quarter.prev(), start).contains(&week));
            prop_assert!(!weeks_of_quarter(quarter.next(), start).contains(&week));
            prop_assert!((12..=14).contains(&weeks.len()));
            for w in &weeks {
                prop_assert_eq!(quarter_of_week(*w), quarter);
            }
        }

        #[test]
        fn consecutive_quarters_partition_the_timeline(
            year in 1900i32..2200,
            qn in 1u8..=4,
            day in any_weekday(),
        ) {
            let start = WeekStart(day);
            let quarter = q(year, qn);
            let this = weeks_of_quarter(quarter, start);
            let next = weeks_of_quarter(quarter.next(), start);
            // The week after this quarter's last week is the next quarter's first.
            prop_assert_eq!(shift_days(*this.last().unwrap(), 7), next[0]);
            for pair in this.windows(2) {
                prop_assert_eq!(shift_days(pair[0], 7), pair[1]);
            }
        }
    }
}
