//! HubSpot property definitions of each object type the sandbox serves.
//!
//! Exists so the generator's schema ("defined but unset" properties come back as `null`) and
//! the properties API (`GET /crm/v3/properties/{objectType}`) come from one list, and so
//! custom properties such as the deal's `mrr` are described the way a real portal describes
//! them (`hubspotDefined: false`).

use crate::catalog::{PIPELINES, Pipeline};
use crate::model::ObjectKind;
use PropType::{Bool, Datetime, Enumeration, Number, String as Str};

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

/// Where an enumeration's options come from.
#[derive(Debug, Clone, Copy)]
pub enum Options {
    /// No options (`[]`): not an enumeration, or options stored elsewhere.
    None,
    /// `(value, label)` pairs.
    Fixed(&'static [(&'static str, &'static str)]),
    /// Values whose label is derived: `FINANCIAL_SERVICES` → `Financial Services`.
    Values(&'static [&'static str]),
    /// Every stage of every deal pipeline.
    DealStages,
    /// Every deal pipeline.
    Pipelines,
    /// `true` / `false`, as HubSpot's boolean checkboxes have.
    Bool,
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

impl PropDef {
    /// A HubSpot-defined, non-calculated property.
    const fn new(
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

    const fn options(mut self, o: Options) -> PropDef {
        self.options = o;
        self
    }

    const fn calculated(mut self) -> PropDef {
        self.calculated = true;
        self
    }

    const fn custom(mut self) -> PropDef {
        self.custom = true;
        self
    }

    /// The `(value, label)` options of this property.
    pub fn option_pairs(&self) -> Vec<(String, String)> {
        match self.options {
            Options::None => Vec::new(),
            Options::Fixed(o) => o
                .iter()
                .map(|(v, l)| (v.to_string(), l.to_string()))
                .collect(),
            Options::Values(v) => v.iter().map(|v| (v.to_string(), label_of(v))).collect(),
            Options::DealStages => PIPELINES
                .iter()
                .flat_map(|p: &Pipeline| p.stages.iter())
                .map(|(id, label, _, _)| (id.to_string(), label.to_string()))
                .collect(),
            Options::Pipelines => PIPELINES
                .iter()
                .map(|p| (p.id.to_string(), p.label.to_string()))
                .collect(),
            Options::Bool => vec![
                ("true".to_string(), "True".to_string()),
                ("false".to_string(), "False".to_string()),
            ],
        }
    }
}

/// `FINANCIAL_SERVICES` → `Financial Services`.
fn label_of(value: &str) -> String {
    value
        .split('_')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let lower = w.to_lowercase();
            let mut c = lower.chars();
            match c.next() {
                Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
                None => String::new(),
            }
        })
        .collect::<Vec<_>>()
        .join(" ")
}

const OWNER_DESCRIPTION: &str = "The owner of the object.";

/// `hubspot_owner_id` of a kind's group.
const fn owner(group: &'static str) -> PropDef {
    PropDef {
        name: "hubspot_owner_id",
        label: "Owner",
        ty: Enumeration,
        field_type: "select",
        group,
        description: OWNER_DESCRIPTION,
        options: Options::None,
        external_options: true,
        calculated: false,
        custom: false,
        referenced_object_type: Some("OWNER"),
    }
}

/// The record-header properties every kind answers (see `store::DERIVED`).
const fn header(group: &'static str) -> [PropDef; 5] {
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

const fn timestamp(group: &'static str) -> PropDef {
    PropDef::new(
        "hs_timestamp",
        "Activity date",
        Datetime,
        "date",
        group,
        "The date that an engagement occurred",
    )
}

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

const CONTACTS: &[PropDef] = &[
    PropDef::new(
        "firstname",
        "First Name",
        Str,
        "text",
        "contactinformation",
        "A contact's first name",
    ),
    PropDef::new(
        "lastname",
        "Last Name",
        Str,
        "text",
        "contactinformation",
        "A contact's last name",
    ),
    PropDef::new(
        "email",
        "Email",
        Str,
        "text",
        "contactinformation",
        "A contact's email address",
    ),
    PropDef::new(
        "jobtitle",
        "Job Title",
        Str,
        "text",
        "contactinformation",
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
        "contactinformation",
        "Name of the contact's company. This can be set independently from the name property on the contact's associated company.",
    ),
    PropDef::new(
        "phone",
        "Phone Number",
        Str,
        "phonenumber",
        "contactinformation",
        "A contact's primary phone number",
    ),
    PropDef::new(
        "lifecyclestage",
        "Lifecycle Stage",
        Enumeration,
        "radio",
        "contactinformation",
        "The qualification of contacts to sales readiness.",
    )
    .options(Options::Fixed(LIFECYCLE_STAGES)),
    owner("contactinformation"),
    PropDef::new(
        "associatedcompanyid",
        "Primary Associated Company ID",
        Number,
        "number",
        "contactinformation",
        "HubSpot defined ID of a contact's primary associated company in HubSpot.",
    ),
];

const COMPANIES: &[PropDef] = &[
    PropDef::new(
        "name",
        "Company name",
        Str,
        "text",
        "companyinformation",
        "The name of the company or organization.",
    ),
    PropDef::new(
        "domain",
        "Company Domain Name",
        Str,
        "text",
        "companyinformation",
        "The domain name of the company or organization",
    ),
    PropDef::new(
        "industry",
        "Industry",
        Enumeration,
        "select",
        "companyinformation",
        "The type of business the company performs.",
    )
    .options(Options::Values(crate::generate::words::INDUSTRIES)),
    PropDef::new(
        "city",
        "City",
        Str,
        "text",
        "companyinformation",
        "City where the company is located.",
    ),
    PropDef::new(
        "numberofemployees",
        "Number of Employees",
        Number,
        "number",
        "companyinformation",
        "The total number of employees who work for the company or organization.",
    ),
    owner("companyinformation"),
    PropDef::new(
        "website",
        "Website URL",
        Str,
        "text",
        "companyinformation",
        "The main website of the company or organization.",
    ),
    PropDef::new(
        "phone",
        "Phone Number",
        Str,
        "phonenumber",
        "companyinformation",
        "A company's primary phone number.",
    ),
];

const DEALS: &[PropDef] = &[
    PropDef::new(
        "dealname",
        "Deal Name",
        Str,
        "text",
        "dealinformation",
        "The name given to this deal.",
    ),
    PropDef::new(
        "amount",
        "Amount",
        Number,
        "number",
        "dealinformation",
        "The total amount of the deal",
    ),
    PropDef::new(
        "hs_mrr",
        "Monthly recurring revenue",
        Number,
        "number",
        "dealinformation",
        "The monthly recurring revenue (MRR) of the line items associated with this deal.",
    )
    .calculated(),
    PropDef::new(
        "mrr",
        "MRR",
        Number,
        "number",
        "dealinformation",
        "Monthly recurring revenue as our sales team quotes it.",
    )
    .custom(),
    PropDef::new(
        "monthly_recurring_revenue",
        "Monthly Recurring Revenue (legacy)",
        Number,
        "number",
        "dealinformation",
        "MRR field imported from the previous CRM. Kept for reporting history.",
    )
    .custom(),
    PropDef::new(
        "closedate",
        "Close Date",
        Datetime,
        "date",
        "dealinformation",
        "Date the deal was closed. Set automatically by HubSpot.",
    ),
    PropDef::new(
        "dealstage",
        "Deal Stage",
        Enumeration,
        "radio",
        "dealinformation",
        "The stage of the deal. Deal stages allow you to categorize and track the progress of the deals that you are working on.",
    )
    .options(Options::DealStages),
    PropDef::new(
        "pipeline",
        "Pipeline",
        Enumeration,
        "select",
        "dealinformation",
        "The pipeline the deal is in. This determines which stages are options for the deal.",
    )
    .options(Options::Pipelines),
    owner("dealinformation"),
    PropDef::new(
        "dealtype",
        "Deal Type",
        Enumeration,
        "radio",
        "dealinformation",
        "The type of deal. By default, categorize your deal as either New Business or Existing Business.",
    )
    .options(Options::Fixed(&[
        ("newbusiness", "New Business"),
        ("existingbusiness", "Existing Business"),
    ])),
    PropDef::new(
        "hs_is_closed",
        "Is Deal Closed?",
        Bool,
        "booleancheckbox",
        "dealinformation",
        "True if the deal was won or lost.",
    )
    .options(Options::Bool)
    .calculated(),
    PropDef::new(
        "hs_is_closed_won",
        "Is Closed Won",
        Bool,
        "booleancheckbox",
        "dealinformation",
        "True if the deal is in the closed won state, false otherwise",
    )
    .options(Options::Bool)
    .calculated(),
    PropDef::new(
        "description",
        "Deal Description",
        Str,
        "textarea",
        "dealinformation",
        "Description of the deal",
    ),
];

const CALLS: &[PropDef] = &[
    timestamp("call"),
    PropDef::new(
        "hs_call_title",
        "Call Title",
        Str,
        "text",
        "call",
        "The title of the call",
    ),
    PropDef::new(
        "hs_call_body",
        "Call notes",
        Str,
        "html",
        "call",
        "The body of the call engagement",
    ),
    PropDef::new(
        "hs_call_direction",
        "Call direction",
        Enumeration,
        "select",
        "call",
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
            "call",
            "The outcome of the call",
        )
    },
    PropDef::new(
        "hs_call_duration",
        "Call duration",
        Number,
        "number",
        "call",
        "The duration of the call in milliseconds",
    ),
    PropDef::new(
        "hs_call_status",
        "Call status",
        Enumeration,
        "select",
        "call",
        "The status of the call",
    )
    .options(Options::Values(CALL_STATUSES)),
    PropDef::new(
        "hs_body_preview",
        "Body preview",
        Str,
        "text",
        "call",
        "A truncated preview of the engagement body",
    )
    .calculated(),
    owner("call"),
    PropDef::new(
        "hs_activity_type",
        "Call and meeting type",
        Enumeration,
        "select",
        "call",
        "The activity type of the engagement",
    )
    .options(Options::Fixed(CALL_TYPES)),
];

const MEETINGS: &[PropDef] = &[
    timestamp("meeting"),
    PropDef::new(
        "hs_meeting_title",
        "Meeting name",
        Str,
        "text",
        "meeting",
        "The title of the meeting",
    ),
    PropDef::new(
        "hs_meeting_body",
        "Meeting description",
        Str,
        "html",
        "meeting",
        "The body of the meeting",
    ),
    PropDef::new(
        "hs_meeting_start_time",
        "Meeting start time",
        Datetime,
        "date",
        "meeting",
        "The date and time when the meeting starts",
    ),
    PropDef::new(
        "hs_meeting_end_time",
        "Meeting end time",
        Datetime,
        "date",
        "meeting",
        "The date and time when the meeting ends",
    ),
    PropDef::new(
        "hs_meeting_outcome",
        "Outcome",
        Enumeration,
        "select",
        "meeting",
        "The outcome of the meeting",
    )
    .options(Options::Fixed(MEETING_OUTCOMES)),
    PropDef::new(
        "hs_activity_type",
        "Activity type",
        Enumeration,
        "select",
        "meeting",
        "The activity type of the engagement",
    )
    .options(Options::Fixed(MEETING_TYPES)),
    owner("meeting"),
    PropDef::new(
        "hs_meeting_location",
        "Location",
        Str,
        "text",
        "meeting",
        "Where the meeting is taking place",
    ),
];

const NOTES: &[PropDef] = &[
    timestamp("note"),
    PropDef::new(
        "hs_note_body",
        "Note body",
        Str,
        "html",
        "note",
        "The body of the note",
    ),
    owner("note"),
];

const EMAILS: &[PropDef] = &[
    timestamp("email"),
    PropDef::new(
        "hs_email_direction",
        "Email direction",
        Enumeration,
        "select",
        "email",
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
        "email",
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
        "email",
        "The subject of the email",
    ),
    PropDef::new(
        "hs_email_text",
        "Email text",
        Str,
        "textarea",
        "email",
        "The plain-text body of the email",
    ),
    PropDef::new(
        "hs_email_to_email",
        "Recipient email address",
        Str,
        "text",
        "email",
        "The email address of the recipient",
    ),
    PropDef::new(
        "hs_email_from_email",
        "Sender email address",
        Str,
        "text",
        "email",
        "The email address of the sender",
    ),
    owner("email"),
];

const TASKS: &[PropDef] = &[
    PropDef {
        label: "Due date",
        description: "The due date of the task",
        ..timestamp("task")
    },
    PropDef::new(
        "hs_task_subject",
        "Task Title",
        Str,
        "text",
        "task",
        "The title of the task",
    ),
    PropDef::new(
        "hs_task_body",
        "Notes",
        Str,
        "html",
        "task",
        "The body of the task",
    ),
    PropDef::new(
        "hs_task_status",
        "Task Status",
        Enumeration,
        "select",
        "task",
        "The status of the task",
    )
    .options(Options::Fixed(&[
        ("NOT_STARTED", "Not Started"),
        ("COMPLETED", "Completed"),
    ])),
    PropDef::new(
        "hs_task_priority",
        "Priority",
        Enumeration,
        "select",
        "task",
        "The priority of the task",
    )
    .options(Options::Fixed(&[
        ("LOW", "Low"),
        ("MEDIUM", "Medium"),
        ("HIGH", "High"),
    ])),
    PropDef::new(
        "hs_task_type",
        "Task Type",
        Enumeration,
        "select",
        "task",
        "The type of the task",
    )
    .options(Options::Fixed(&[
        ("EMAIL", "Email"),
        ("CALL", "Call"),
        ("TODO", "To-do"),
    ])),
    owner("task"),
];

const CONTACT_HEADER: [PropDef; 5] = header("contactinformation");
const COMPANY_HEADER: [PropDef; 5] = header("companyinformation");
const DEAL_HEADER: [PropDef; 5] = header("dealinformation");
const CALL_HEADER: [PropDef; 5] = header("call");
const MEETING_HEADER: [PropDef; 5] = header("meeting");
const NOTE_HEADER: [PropDef; 5] = header("note");
const EMAIL_HEADER: [PropDef; 5] = header("email");
const TASK_HEADER: [PropDef; 5] = header("task");

/// The properties a kind's generator sets or may set (without the record-header ones).
pub fn properties(kind: ObjectKind) -> &'static [PropDef] {
    match kind {
        ObjectKind::Contacts => CONTACTS,
        ObjectKind::Companies => COMPANIES,
        ObjectKind::Deals => DEALS,
        ObjectKind::Calls => CALLS,
        ObjectKind::Meetings => MEETINGS,
        ObjectKind::Notes => NOTES,
        ObjectKind::Emails => EMAILS,
        ObjectKind::Tasks => TASKS,
    }
}

/// The record-header properties of a kind (`hs_object_id`, create and modify dates).
pub fn header_properties(kind: ObjectKind) -> &'static [PropDef] {
    match kind {
        ObjectKind::Contacts => &CONTACT_HEADER,
        ObjectKind::Companies => &COMPANY_HEADER,
        ObjectKind::Deals => &DEAL_HEADER,
        ObjectKind::Calls => &CALL_HEADER,
        ObjectKind::Meetings => &MEETING_HEADER,
        ObjectKind::Notes => &NOTE_HEADER,
        ObjectKind::Emails => &EMAIL_HEADER,
        ObjectKind::Tasks => &TASK_HEADER,
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
        ObjectKind::Contacts => "contactinformation",
        ObjectKind::Companies => "companyinformation",
        ObjectKind::Deals => "dealinformation",
        ObjectKind::Calls => "call",
        ObjectKind::Meetings => "meeting",
        ObjectKind::Notes => "note",
        ObjectKind::Emails => "email",
        ObjectKind::Tasks => "task",
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
    fn labels_are_derived_from_values() {
        assert_eq!(label_of("FINANCIAL_SERVICES"), "Financial Services");
        assert_eq!(label_of("NO_ANSWER"), "No Answer");
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
