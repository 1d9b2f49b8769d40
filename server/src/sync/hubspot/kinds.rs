//! The CRM object kinds Tally reads from HubSpot: their names, the
//! properties each needs and how they map to tables. Plain data, so every
//! other HubSpot module can lean on it.

/// The list Tally always keeps memberships of.
pub const DEFAULT_LIST: &str = "Warm 250";

/// A CRM object type Tally syncs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Kind {
    /// API path name, e.g. `calls`.
    pub plural: &'static str,
    /// `activities.kind` value or table.
    pub name: &'static str,
    /// Object type id.
    pub type_id: &'static str,
    /// Last-modified property for search.
    pub modified: &'static str,
    /// Properties to read.
    pub properties: &'static [&'static str],
    /// Whether it is an activity (windowed backfill).
    pub activity: bool,
}

/// Every synced CRM kind, reference data first.
pub const KINDS: [Kind; 8] = [
    Kind {
        plural: "contacts",
        name: "contact",
        type_id: "0-1",
        modified: "lastmodifieddate",
        properties: &[
            "firstname",
            "lastname",
            "email",
            "jobtitle",
            "hs_buying_role",
            "company",
            "hubspot_owner_id",
            "createdate",
            "lastmodifieddate",
        ],
        activity: false,
    },
    Kind {
        plural: "companies",
        name: "company",
        type_id: "0-2",
        modified: "hs_lastmodifieddate",
        properties: &[
            "name",
            "domain",
            "hubspot_owner_id",
            "createdate",
            "hs_lastmodifieddate",
        ],
        activity: false,
    },
    Kind {
        plural: "deals",
        name: "deal",
        type_id: "0-3",
        modified: "hs_lastmodifieddate",
        properties: &[
            "dealname",
            "pipeline",
            "dealstage",
            "amount",
            "closedate",
            "createdate",
            "hubspot_owner_id",
            "dealtype",
            "hs_is_closed_won",
            "hs_lastmodifieddate",
        ],
        activity: false,
    },
    Kind {
        plural: "calls",
        name: "call",
        type_id: "0-48",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_call_title",
            "hs_call_body",
            "hs_call_direction",
            "hs_call_status",
            "hs_call_disposition",
            "hs_call_duration",
            "hs_activity_type",
        ],
        activity: true,
    },
    Kind {
        plural: "meetings",
        name: "meeting",
        type_id: "0-47",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_meeting_title",
            "hs_meeting_body",
            "hs_meeting_start_time",
            "hs_meeting_end_time",
            "hs_meeting_outcome",
            "hs_activity_type",
        ],
        activity: true,
    },
    Kind {
        plural: "notes",
        name: "note",
        type_id: "0-46",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_note_body",
        ],
        activity: true,
    },
    Kind {
        plural: "emails",
        name: "email",
        type_id: "0-49",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_email_subject",
            "hs_email_text",
            "hs_email_direction",
            "hs_email_status",
        ],
        activity: true,
    },
    Kind {
        plural: "tasks",
        name: "task",
        type_id: "0-27",
        modified: "hs_lastmodifieddate",
        properties: &[
            "hs_timestamp",
            "hubspot_owner_id",
            "hs_createdate",
            "hs_lastmodifieddate",
            "hs_task_subject",
            "hs_task_body",
            "hs_task_status",
            "hs_task_type",
        ],
        activity: true,
    },
];

/// A kind by path name or object type id.
pub fn kind(name: &str) -> Option<Kind> {
    KINDS
        .into_iter()
        .find(|k| k.plural == name || k.type_id == name || k.name == name)
}
