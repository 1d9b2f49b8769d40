//! The shared builder of property definitions.
//!
//! Exists so each object type's file lists only what is particular to its properties: a
//! definition starts as a HubSpot-defined, non-calculated property and says only how it
//! differs, and the owner, activity-date and record-header properties every kind shares are
//! written once.

use super::PropType::{Datetime, Enumeration, Number};
use super::{Options, PropDef, PropType};

impl PropDef {
    /// A HubSpot-defined, non-calculated property.
    pub(super) const fn new(
        name: &'static str,
        label: &'static str,
        ty: PropType,
        field_type: &'static str,
        group: &'static str,
        description: &'static str,
    ) -> PropDef {
        PropDef {
            name,
            label,
            ty,
            field_type,
            group,
            description,
            options: Options::None,
            external_options: false,
            calculated: false,
            custom: false,
            referenced_object_type: None,
        }
    }

    /// With the enumeration options `o`.
    pub(super) const fn options(mut self, o: Options) -> PropDef {
        self.options = o;
        self
    }

    /// Set by HubSpot, read-only.
    pub(super) const fn calculated(mut self) -> PropDef {
        self.calculated = true;
        self
    }

    /// Defined by the portal, not by HubSpot.
    pub(super) const fn custom(mut self) -> PropDef {
        self.custom = true;
        self
    }
}

/// `hubspot_owner_id` of a kind's group: its options are the owners, listed elsewhere.
pub(super) const fn owner(group: &'static str) -> PropDef {
    PropDef {
        external_options: true,
        referenced_object_type: Some("OWNER"),
        ..PropDef::new(
            "hubspot_owner_id",
            "Owner",
            Enumeration,
            "select",
            group,
            "The owner of the object.",
        )
    }
}

/// The record-header properties every kind answers (see `store::DERIVED`).
pub(super) const fn header(group: &'static str) -> [PropDef; 5] {
    [
        PropDef::new(
            "hs_object_id",
            "Record ID",
            Number,
            "number",
            group,
            "The unique ID for this record. This value is set automatically by HubSpot.",
        )
        .calculated(),
        PropDef::new(
            "hs_createdate",
            "Object create date/time",
            Datetime,
            "date",
            group,
            "The date and time at which this object was created. This value is automatically set by HubSpot and may not be modified.",
        )
        .calculated(),
        PropDef::new(
            "createdate",
            "Create Date",
            Datetime,
            "date",
            group,
            "The date the record was created. This value is set automatically by HubSpot.",
        )
        .calculated(),
        PropDef::new(
            "hs_lastmodifieddate",
            "Object last modified date/time",
            Datetime,
            "date",
            group,
            "Most recent timestamp of any property update for this object. This includes HubSpot internal properties, which can be visible or hidden. This property is updated automatically.",
        )
        .calculated(),
        PropDef::new(
            "lastmodifieddate",
            "Last Modified Date",
            Datetime,
            "date",
            group,
            "The most recent date any property of this record changed. Set automatically.",
        )
        .calculated(),
    ]
}

/// `hs_timestamp`, when an activity of a kind's group happened.
pub(super) const fn timestamp(group: &'static str) -> PropDef {
    PropDef::new(
        "hs_timestamp",
        "Activity date",
        Datetime,
        "date",
        group,
        "The date that an engagement occurred",
    )
}
