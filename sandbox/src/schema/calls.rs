//! A call's properties: time, title, notes, direction, outcome, duration, status.
//!
//! Exists so the call's definitions, and the option lists only calls use, read as one page
//! of a portal's call settings. Call outcomes live outside the definition, as in HubSpot.

use super::PropType::{Enumeration, Number, String as Str};
use super::builder::{header, owner, timestamp};
use super::{Options, PropDef};

/// The group of call properties, and of those created through the control API.
pub(super) const GROUP: &str = "call";

/// The record-header properties of a call.
pub(super) const HEADER: [PropDef; 5] = header(GROUP);

const CALL_TYPES: &[(&str, &str)] = &[
    ("Prospecting", "Prospecting"),
    ("Follow Up", "Follow Up"),
    ("Check-in", "Check-in"),
];

const CALL_STATUSES: &[&str] = &[
    "BUSY",
    "CALLING_CRM_USER",
    "CANCELED",
    "COMPLETED",
    "CONNECTING",
    "FAILED",
    "IN_PROGRESS",
    "NO_ANSWER",
    "QUEUED",
    "RINGING",
];

/// The properties the generator sets or may set on a call.
pub(super) const PROPERTIES: &[PropDef] = &[
    timestamp(GROUP),
    PropDef::new(
        "hs_call_title",
        "Call Title",
        Str,
        "text",
        GROUP,
        "The title of the call",
    ),
    PropDef::new(
        "hs_call_body",
        "Call notes",
        Str,
        "html",
        GROUP,
        "The body of the call engagement",
    ),
    PropDef::new(
        "hs_call_direction",
        "Call direction",
        Enumeration,
        "select",
        GROUP,
        "The direction of the call from the perspective of the HubSpot user.",
    )
    .options(Options::Fixed(&[
        ("INBOUND", "Inbound"),
        ("OUTBOUND", "Outbound"),
    ])),
    PropDef {
        external_options: true,
        ..PropDef::new(
            "hs_call_disposition",
            "Call outcome",
            Enumeration,
            "select",
            GROUP,
            "The outcome of the call",
        )
    },
    PropDef::new(
        "hs_call_duration",
        "Call duration",
        Number,
        "number",
        GROUP,
        "The duration of the call in milliseconds",
    ),
    PropDef::new(
        "hs_call_status",
        "Call status",
        Enumeration,
        "select",
        GROUP,
        "The status of the call",
    )
    .options(Options::Values(CALL_STATUSES)),
    PropDef::new(
        "hs_body_preview",
        "Body preview",
        Str,
        "text",
        GROUP,
        "A truncated preview of the engagement body",
    )
    .calculated(),
    owner(GROUP),
    PropDef::new(
        "hs_activity_type",
        "Call and meeting type",
        Enumeration,
        "select",
        GROUP,
        "The activity type of the engagement",
    )
    .options(Options::Fixed(CALL_TYPES)),
];
