//! An organisation's calendar: its timezone and week start, and the weeks
//! they produce.

use anyhow::Context as _;
use app::domain::OrgId;
use app::scorecard::{WeekStart, week_bounds, week_of};
use chrono::{DateTime, NaiveDate, Utc, Weekday};

use crate::{accounts::orgs, db::Db};

/// Timezone and week start of one organisation.
#[derive(Debug, Clone, Copy)]
pub struct OrgClock {
    /// IANA timezone (UTC when the stored one is unknown).
    pub tz: chrono_tz::Tz,
    /// First day of the week.
    pub start: WeekStart,
}

const DAYS: [Weekday; 7] = [
    Weekday::Mon,
    Weekday::Tue,
    Weekday::Wed,
    Weekday::Thu,
    Weekday::Fri,
    Weekday::Sat,
    Weekday::Sun,
];

impl OrgClock {
    /// Reads the organisation's settings.
    pub async fn of(db: &Db, org_id: OrgId) -> anyhow::Result<OrgClock> {
        let settings = orgs::settings(db, org_id)
            .await?
            .context("the organisation disappeared")?;
        Ok(OrgClock::from_settings(
            &settings.timezone,
            settings.week_start,
        ))
    }

    /// The clock of stored settings: an IANA timezone name (UTC when
    /// unknown) and a week start, 0 = Monday … 6 = Sunday.
    pub fn from_settings(timezone: &str, week_start: u8) -> OrgClock {
        OrgClock {
            tz: timezone.parse().unwrap_or(chrono_tz::UTC),
            start: WeekStart(DAYS[usize::from(week_start.min(6))]),
        }
    }

    /// The week an instant falls in.
    pub fn week_of(&self, at: DateTime<Utc>) -> NaiveDate {
        week_of(at, &self.tz, self.start)
    }

    /// The local calendar date of an instant.
    pub fn local_date(&self, at: DateTime<Utc>) -> NaiveDate {
        at.with_timezone(&self.tz).date_naive()
    }

    /// The week running now.
    pub fn current_week(&self) -> NaiveDate {
        self.week_of(Utc::now())
    }

    /// The UTC instants a week starts and ends at.
    pub fn bounds(&self, week: NaiveDate) -> (DateTime<Utc>, DateTime<Utc>) {
        week_bounds(week, &self.tz)
    }

    /// The week containing `date` (any day of it).
    pub fn week_containing(&self, date: NaiveDate) -> NaiveDate {
        self.start.week_containing(date)
    }
}
