//! A meeting's properties: time, name, description, start and end, outcome, type, location.
//!
//! Exists so the meeting's definitions, and the outcome and type lists only meetings use,
//! read as one page of a portal's meeting settings.

use super::PropType::{Datetime, Enumeration, String as Str};
use super::builder::{header, owner, timestamp};
use super::{Options, PropDef};

/// The group of meeting properties, and of those created through the control API.
pub(super) const GROUP: &str = "meeting";

/// The record-header properties of a meeting.
pub(super) const HEADER: [PropDef; 5] = header(GROUP);

const MEETING_OUTCOMES: &[(&str, &str)] = &[
    ("SCHEDULED", "Scheduled"),
    ("COMPLETED", "Completed"),
    ("RESCHEDULED", "Rescheduled"),
    ("NO_SHOW", "No Show"),
    ("CANCELED", "Canceled"),
];

const MEETING_TYPES: &[(&str, &str)] = &[
    ("First Time Appointment", "First Time Appointment"),
    ("Follow Up", "Follow Up"),
    ("COI", "COI"),
    ("Networking Event", "Networking Event"),
    ("Discovery", "Discovery"),
    ("Proposal Review", "Proposal Review"),
];

/// The properties the generator sets or may set on a meeting.
pub(super) const PROPERTIES: &[PropDef] = &[
    timestamp(GROUP),
    PropDef::new(
        "hs_meeting_title",
        "Meeting name",
        Str,
        "text",
        GROUP,
        "The title of the meeting",
    ),
    PropDef::new(
        "hs_meeting_body",
        "Meeting description",
        Str,
        "html",
        GROUP,
        "The body of the meeting",
    ),
    PropDef::new(
        "hs_meeting_start_time",
        "Meeting start time",
        Datetime,
        "date",
        GROUP,
        "The date and time when the meeting starts",
    ),
    PropDef::new(
        "hs_meeting_end_time",
        "Meeting end time",
        Datetime,
        "date",
        GROUP,
        "The date and time when the meeting ends",
    ),
    PropDef::new(
        "hs_meeting_outcome",
        "Outcome",
        Enumeration,
        "select",
        GROUP,
        "The outcome of the meeting",
    )
    .options(Options::Fixed(MEETING_OUTCOMES)),
    PropDef::new(
        "hs_activity_type",
        "Activity type",
        Enumeration,
        "select",
        GROUP,
        "The activity type of the engagement",
    )
    .options(Options::Fixed(MEETING_TYPES)),
    owner(GROUP),
    PropDef::new(
        "hs_meeting_location",
        "Location",
        Str,
        "text",
        GROUP,
        "Where the meeting is taking place",
    ),
];
