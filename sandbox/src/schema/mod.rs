//! HubSpot property definitions of each object type the sandbox serves.
//!
//! Exists so the generator's schema ("defined but unset" properties come back as `null`) and
//! the properties API (`GET /crm/v3/properties/{objectType}`) come from one list, and so
//! custom properties such as the deal's `mrr` are described the way a real portal describes
//! them (`hubspotDefined: false`).
//!
//! This file holds the types and the look-ups by kind; each object type's definitions have
//! a file of their own, built with the shared `builder`, and `options` turns enumeration
//! options into `(value, label)` pairs.

mod builder;
mod calls;
mod companies;
mod contacts;
mod deals;
mod emails;
mod meetings;
mod notes;
mod options;
mod tasks;

pub use options::Options;

use crate::model::ObjectKind;

/// A property's data type, as the `type` field of a definition.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    String,
    Number,
    Datetime,
    Date,
    Enumeration,
    Bool,
}

impl PropType {
    /// The wire name (`string`, `number`, `datetime`, `date`, `enumeration`, `bool`).
    pub fn as_str(self) -> &'static str {
        match self {
            PropType::String => "string",
            PropType::Number => "number",
            PropType::Datetime => "datetime",
            PropType::Date => "date",
            PropType::Enumeration => "enumeration",
            PropType::Bool => "bool",
        }
    }
}

/// One property definition.
#[derive(Debug, Clone, Copy)]
pub struct PropDef {
    pub name: &'static str,
    pub label: &'static str,
    pub ty: PropType,
    /// How HubSpot's UI edits it: `text`, `textarea`, `html`, `number`, `date`, `select`,
    /// `radio`, `checkbox`, `booleancheckbox`, `phonenumber`, `calculation_equation`.
    pub field_type: &'static str,
    pub group: &'static str,
    pub description: &'static str,
    pub options: Options,
    /// Options live outside the definition (owners, call outcomes).
    pub external_options: bool,
    /// Set by HubSpot, read-only.
    pub calculated: bool,
    /// A portal-defined (custom) property: `hubspotDefined: false`.
    pub custom: bool,
    /// `referencedObjectType`, e.g. `OWNER` for `hubspot_owner_id`.
    pub referenced_object_type: Option<&'static str>,
}

/// The properties a kind's generator sets or may set (without the record-header ones).
pub fn properties(kind: ObjectKind) -> &'static [PropDef] {
    match kind {
        ObjectKind::Contacts => contacts::PROPERTIES,
        ObjectKind::Companies => companies::PROPERTIES,
        ObjectKind::Deals => deals::PROPERTIES,
        ObjectKind::Calls => calls::PROPERTIES,
        ObjectKind::Meetings => meetings::PROPERTIES,
        ObjectKind::Notes => notes::PROPERTIES,
        ObjectKind::Emails => emails::PROPERTIES,
        ObjectKind::Tasks => tasks::PROPERTIES,
    }
}

/// The record-header properties of a kind (`hs_object_id`, create and modify dates).
pub fn header_properties(kind: ObjectKind) -> &'static [PropDef] {
    match kind {
        ObjectKind::Contacts => &contacts::HEADER,
        ObjectKind::Companies => &companies::HEADER,
        ObjectKind::Deals => &deals::HEADER,
        ObjectKind::Calls => &calls::HEADER,
        ObjectKind::Meetings => &meetings::HEADER,
        ObjectKind::Notes => &notes::HEADER,
        ObjectKind::Emails => &emails::HEADER,
        ObjectKind::Tasks => &tasks::HEADER,
    }
}

/// Every definition of a kind: its properties, then the record-header ones.
pub fn all(kind: ObjectKind) -> impl Iterator<Item = &'static PropDef> {
    properties(kind).iter().chain(header_properties(kind))
}

/// The definition of one property of a kind.
pub fn find(kind: ObjectKind, name: &str) -> Option<&'static PropDef> {
    all(kind).find(|p| p.name == name)
}

/// The group a kind's ad-hoc properties (created through the control API) fall in.
pub fn default_group(kind: ObjectKind) -> &'static str {
    match kind {
        ObjectKind::Contacts => contacts::GROUP,
        ObjectKind::Companies => companies::GROUP,
        ObjectKind::Deals => deals::GROUP,
        ObjectKind::Calls => calls::GROUP,
        ObjectKind::Meetings => meetings::GROUP,
        ObjectKind::Notes => notes::GROUP,
        ObjectKind::Emails => emails::GROUP,
        ObjectKind::Tasks => tasks::GROUP,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_unique_per_kind() {
        for kind in ObjectKind::ALL {
            let mut names: Vec<&str> = all(kind).map(|p| p.name).collect();
            let n = names.len();
            names.sort_unstable();
            names.dedup();
            assert_eq!(names.len(), n, "{kind:?}");
        }
    }

    #[test]
    fn custom_mrr_properties_are_not_hubspot_defined() {
        for name in ["mrr", "monthly_recurring_revenue"] {
            let p = find(ObjectKind::Deals, name).expect("defined");
            assert!(p.custom);
            assert_eq!(p.ty, PropType::Number);
        }
        assert!(!find(ObjectKind::Deals, "hs_mrr").expect("defined").custom);
    }
}
