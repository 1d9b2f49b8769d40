//! Local week starts and UTC-offset changes of the portal's time zone.
//!
//! Exists because the records that catch week-boundary bugs must sit at the instants a
//! local week starts and a time zone changes its offset, and finding those instants —
//! midnights that happen twice or never, offset changes to the millisecond — is calendar
//! arithmetic that has nothing to do with the records themselves.

use chrono::{Datelike, Duration, NaiveDate, NaiveTime, Offset, TimeZone, Utc};
use chrono_tz::Tz;

/// The instant (epoch ms) local midnight starts `date` in `tz`. An ambiguous midnight gives
/// the earlier instant; a midnight inside a DST gap gives the first valid instant after it.
pub fn local_midnight(tz: Tz, date: NaiveDate) -> i64 {
    let midnight = date.and_time(NaiveTime::MIN);
    (0..=24 * 60)
        .find_map(|m| {
            tz.from_local_datetime(&(midnight + Duration::minutes(m)))
                .earliest()
        })
        .map_or_else(
            || midnight.and_utc().timestamp_millis(),
            |t| t.timestamp_millis(),
        )
}

/// Local Monday midnights in `tz` (epoch ms) that fall in `[from, to]`.
pub fn local_mondays(tz: Tz, from: i64, to: i64) -> Vec<i64> {
    let Some(f) = Utc.timestamp_millis_opt(from).single() else {
        return Vec::new();
    };
    let date = f.with_timezone(&tz).date_naive();
    let mut day = date - Duration::days(i64::from(date.weekday().num_days_from_monday()));
    let mut out = Vec::new();
    loop {
        let t = local_midnight(tz, day);
        if t > to {
            return out;
        }
        if t >= from {
            out.push(t);
        }
        day += Duration::days(7);
    }
}

/// The UTC offset of `tz` at `ms`, in seconds.
fn offset_at(tz: Tz, ms: i64) -> i32 {
    let t = Utc.timestamp_millis_opt(ms).single().unwrap_or_default();
    tz.offset_from_utc_datetime(&t.naive_utc())
        .fix()
        .local_minus_utc()
}

/// The instants (epoch ms) in `(from, to]` at which `tz` changes its UTC offset: the first
/// millisecond of the new offset.
pub fn offset_changes(tz: Tz, from: i64, to: i64) -> Vec<i64> {
    const STEP: i64 = 3_600_000;
    let mut out = Vec::new();
    let mut t = from;
    while t < to {
        let next = (t + STEP).min(to);
        let before = offset_at(tz, t);
        if before != offset_at(tz, next) {
            let (mut lo, mut hi) = (t, next);
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2;
                if offset_at(tz, mid) == before {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            out.push(hi);
        }
        t = next;
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ms(y: i32, mo: u32, d: u32, h: u32, mi: u32) -> i64 {
        Utc.with_ymd_and_hms(y, mo, d, h, mi, 0)
            .single()
            .expect("valid")
            .timestamp_millis()
    }

    #[test]
    fn new_york_mondays_follow_the_dst_change() {
        let tz = chrono_tz::America::New_York;
        let m = local_mondays(tz, ms(2026, 10, 20, 0, 0), ms(2026, 11, 10, 0, 0));
        // 2026-10-26 00:00 EDT = 04:00Z; 2026-11-02 and -09 00:00 EST = 05:00Z.
        assert_eq!(
            m,
            vec![
                ms(2026, 10, 26, 4, 0),
                ms(2026, 11, 2, 5, 0),
                ms(2026, 11, 9, 5, 0)
            ]
        );
    }

    #[test]
    fn offset_changes_are_found_to_the_millisecond() {
        let tz = chrono_tz::America::New_York;
        // 2026-11-01 02:00 EDT = 06:00Z.
        assert_eq!(
            offset_changes(tz, ms(2026, 10, 20, 0, 0), ms(2026, 11, 10, 0, 0)),
            vec![ms(2026, 11, 1, 6, 0)]
        );
        assert!(
            offset_changes(chrono_tz::UTC, ms(2026, 1, 1, 0, 0), ms(2026, 12, 1, 0, 0)).is_empty()
        );
    }

    #[test]
    fn a_midnight_in_a_gap_becomes_the_first_valid_instant() {
        // Chile springs forward at local midnight: 2026-09-06 00:00 does not exist in
        // America/Santiago; the day starts at 01:00 -03 = 04:00Z.
        let tz = chrono_tz::America::Santiago;
        let d = NaiveDate::from_ymd_opt(2026, 9, 6).expect("valid");
        assert_eq!(local_midnight(tz, d), ms(2026, 9, 6, 4, 0));
        // Cuba falls back from 01:00 to 00:00: 2026-11-01 00:00 happens twice in
        // America/Havana (04:00Z at -04, 05:00Z at -05); the earlier counts.
        let tz = chrono_tz::America::Havana;
        let d = NaiveDate::from_ymd_opt(2026, 11, 1).expect("valid");
        assert_eq!(local_midnight(tz, d), ms(2026, 11, 1, 4, 0));
    }
}
