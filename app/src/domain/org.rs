//! Organisation-wide settings that shape every scorecard week.

use serde::{Deserialize, Serialize};

/// Day names, Monday first, in the order `week_start` counts them.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// Name of a `week_start` value (0 = Monday … 6 = Sunday).
pub fn weekday_name(week_start: u8) -> &'static str {
    WEEKDAYS
        .get(usize::from(week_start))
        .copied()
        .unwrap_or("Monday")
}

/// Settings an admin edits on the settings page.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgSettings {
    /// Organisation name.
    pub name: String,
    /// IANA timezone the weeks are counted in.
    pub timezone: String,
    /// First day of the week, 0 = Monday … 6 = Sunday.
    pub week_start: u8,
}
