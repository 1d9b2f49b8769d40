//! A contact's properties: name, email, job title, buying role, lifecycle stage, company.
//!
//! Exists so the contact's definitions, and the option lists only contacts use, read as one
//! page of a HubSpot portal's contact settings.

use super::PropType::{Enumeration, Number, String as Str};
use super::builder::{header, owner};
use super::{Options, PropDef};

/// The group of contact properties, and of those created through the control API.
pub(super) const GROUP: &str = "contactinformation";

/// The record-header properties of a contact.
pub(super) const HEADER: [PropDef; 5] = header(GROUP);

const BUYING_ROLES: &[(&str, &str)] = &[
    ("BLOCKER", "Blocker"),
    ("BUDGET_HOLDER", "Budget Holder"),
    ("CHAMPION", "Champion"),
    ("DECISION_MAKER", "Decision Maker"),
    ("END_USER", "End User"),
    ("EXECUTIVE_SPONSOR", "Executive Sponsor"),
    ("INFLUENCER", "Influencer"),
    ("LEGAL_AND_COMPLIANCE", "Legal & Compliance"),
    ("OTHER", "Other"),
];

const LIFECYCLE_STAGES: &[(&str, &str)] = &[
    ("subscriber", "Subscriber"),
    ("lead", "Lead"),
    ("marketingqualifiedlead", "Marketing Qualified Lead"),
    ("salesqualifiedlead", "Sales Qualified Lead"),
    ("opportunity", "Opportunity"),
    ("customer", "Customer"),
    ("evangelist", "Evangelist"),
    ("other", "Other"),
];

/// The properties the generator sets or may set on a contact.
pub(super) const PROPERTIES: &[PropDef] = &[
    PropDef::new(
        "firstname",
        "First Name",
        Str,
        "text",
        GROUP,
        "A contact's first name",
    ),
    PropDef::new(
        "lastname",
        "Last Name",
        Str,
        "text",
        GROUP,
        "A contact's last name",
    ),
    PropDef::new(
        "email",
        "Email",
        Str,
        "text",
        GROUP,
        "A contact's email address",
    ),
    PropDef::new(
        "jobtitle",
        "Job Title",
        Str,
        "text",
        GROUP,
        "A contact's job title",
    ),
    PropDef::new(
        "hs_buying_role",
        "Buying Role",
        Enumeration,
        "checkbox",
        "deal_information",
        "Role the contact plays during the sales process. Contacts can have multiple roles, and can share roles with others.",
    )
    .options(Options::Fixed(BUYING_ROLES)),
    PropDef::new(
        "company",
        "Company Name",
        Str,
        "text",
        GROUP,
        "Name of the contact's company. This can be set independently from the name property on the contact's associated company.",
    ),
    PropDef::new(
        "phone",
        "Phone Number",
        Str,
        "phonenumber",
        GROUP,
        "A contact's primary phone number",
    ),
    PropDef::new(
        "lifecyclestage",
        "Lifecycle Stage",
        Enumeration,
        "radio",
        GROUP,
        "The qualification of contacts to sales readiness.",
    )
    .options(Options::Fixed(LIFECYCLE_STAGES)),
    owner(GROUP),
    PropDef::new(
        "associatedcompanyid",
        "Primary Associated Company ID",
        Number,
        "number",
        GROUP,
        "HubSpot defined ID of a contact's primary associated company in HubSpot.",
    ),
];
