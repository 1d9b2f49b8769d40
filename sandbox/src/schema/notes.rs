//! A note's properties: time, body and owner.
//!
//! Exists so every object type has its definitions in a file of its own, however short.

use super::PropDef;
use super::PropType::String as Str;
use super::builder::{header, owner, timestamp};

/// The group of note properties, and of those created through the control API.
pub(super) const GROUP: &str = "note";

/// The record-header properties of a note.
pub(super) const HEADER: [PropDef; 5] = header(GROUP);

/// The properties the generator sets or may set on a note.
pub(super) const PROPERTIES: &[PropDef] = &[
    timestamp(GROUP),
    PropDef::new(
        "hs_note_body",
        "Note body",
        Str,
        "html",
        GROUP,
        "The body of the note",
    ),
    owner(GROUP),
];
