//! A logged email's properties: time, direction, status, subject, text, addresses.
//!
//! Exists so the email's definitions read as one page of a portal's email settings.

use super::PropType::{Enumeration, String as Str};
use super::builder::{header, owner, timestamp};
use super::{Options, PropDef};

/// The group of email properties, and of those created through the control API.
pub(super) const GROUP: &str = "email";

/// The record-header properties of an email.
pub(super) const HEADER: [PropDef; 5] = header(GROUP);

/// The properties the generator sets or may set on an email.
pub(super) const PROPERTIES: &[PropDef] = &[
    timestamp(GROUP),
    PropDef::new(
        "hs_email_direction",
        "Email direction",
        Enumeration,
        "select",
        GROUP,
        "The direction of the email",
    )
    .options(Options::Fixed(&[
        ("EMAIL", "Sent by Owner"),
        ("INCOMING_EMAIL", "Reply from Contact"),
        ("FORWARDED_EMAIL", "Forwarded"),
    ])),
    PropDef::new(
        "hs_email_status",
        "Email send status",
        Enumeration,
        "select",
        GROUP,
        "The status of the sent email",
    )
    .options(Options::Values(&[
        "BOUNCED",
        "FAILED",
        "SCHEDULED",
        "SENDING",
        "SENT",
    ])),
    PropDef::new(
        "hs_email_subject",
        "Email subject",
        Str,
        "text",
        GROUP,
        "The subject of the email",
    ),
    PropDef::new(
        "hs_email_text",
        "Email text",
        Str,
        "textarea",
        GROUP,
        "The plain-text body of the email",
    ),
    PropDef::new(
        "hs_email_to_email",
        "Recipient email address",
        Str,
        "text",
        GROUP,
        "The email address of the recipient",
    ),
    PropDef::new(
        "hs_email_from_email",
        "Sender email address",
        Str,
        "text",
        GROUP,
        "The email address of the sender",
    ),
    owner(GROUP),
];
