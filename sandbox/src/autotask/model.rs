//! The Autotask entities the simulator holds (Resources, Tickets, TimeEntries)
//! and how the REST API renders them.
//!
//! Exists so every handler and the control API render one shape: camelCase
//! fields, integer ids and picklist values, `null` for an empty reference,
//! ISO-8601 UTC date-times whose fractional seconds vary in length (Autotask
//! trims trailing zeros: `…:45.17Z`, `…:45Z`), `dateWorked` as that date's
//! midnight (`2026-11-30T00:00:00Z`), and an empty `userDefinedFields` list.

use chrono::{DateTime, NaiveDate, Utc};
use serde_json::{Value, json};

/// A picklist entry of a ticket field.
#[derive(Debug, Clone, Copy)]
pub struct Pick {
    pub value: i64,
    pub label: &'static str,
}

/// Ticket queues (`queueID`). Ids look like a real database's.
pub const QUEUES: &[Pick] = &[
    Pick {
        value: 29_682_833,
        label: "ROC board",
    },
    Pick {
        value: 29_682_834,
        label: "Client Portal",
    },
    Pick {
        value: 29_683_354,
        label: "Monitoring Alert",
    },
    Pick {
        value: 29_683_355,
        label: "Post Sale",
    },
    Pick {
        value: 8,
        label: "Level I Support",
    },
];

/// Ticket status `New`.
pub const NEW: i64 = 1;
/// Ticket status `Complete` (the only one with a `completedDate`).
pub const COMPLETE: i64 = 5;
/// Ticket status `Waiting Customer`.
pub const WAITING_CUSTOMER: i64 = 7;
/// Ticket status `In Progress`.
pub const IN_PROGRESS: i64 = 8;

/// Ticket statuses (`status`).
pub const STATUSES: &[Pick] = &[
    Pick {
        value: NEW,
        label: "New",
    },
    Pick {
        value: COMPLETE,
        label: "Complete",
    },
    Pick {
        value: WAITING_CUSTOMER,
        label: "Waiting Customer",
    },
    Pick {
        value: IN_PROGRESS,
        label: "In Progress",
    },
];

/// An Autotask resource (a user of the database).
#[derive(Debug, Clone, Default)]
pub struct Resource {
    pub id: i64,
    pub first_name: String,
    pub last_name: String,
    /// As typed in Autotask: may be blank or differ in case and spaces.
    pub email: String,
    pub user_name: String,
    pub active: bool,
    /// `Employee`, or `API` for the API-only user.
    pub license: &'static str,
}

/// A ticket.
#[derive(Debug, Clone, Default)]
pub struct Ticket {
    pub id: i64,
    pub number: String,
    pub title: String,
    pub status: i64,
    pub queue: Option<i64>,
    pub resource: Option<i64>,
    pub company: i64,
    pub priority: i64,
    pub created_ms: i64,
    pub completed_ms: Option<i64>,
    pub last_activity_ms: i64,
}

/// A time entry: on a ticket, or on a project task.
#[derive(Debug, Clone, Default)]
pub struct TimeEntry {
    pub id: i64,
    pub resource: i64,
    pub ticket: Option<i64>,
    pub task: Option<i64>,
    pub date_worked: NaiveDate,
    /// Start and end when entered with times; `None` for hours-only entries.
    pub span_ms: Option<(i64, i64)>,
    pub hours: f64,
    pub non_billable: bool,
    pub notes: String,
    pub created_ms: i64,
    pub modified_ms: i64,
}

/// `ms` as Autotask writes it: UTC, fractional seconds without trailing zeros.
pub fn iso(ms: i64) -> String {
    let t: DateTime<Utc> = DateTime::from_timestamp_millis(ms).unwrap_or_default();
    let base = t.format("%Y-%m-%dT%H:%M:%S").to_string();
    let frac = format!("{:03}", ms.rem_euclid(1000));
    let frac = frac.trim_end_matches('0');
    if frac.is_empty() {
        format!("{base}Z")
    } else {
        format!("{base}.{frac}Z")
    }
}

/// The Resource entity.
pub fn resource_json(r: &Resource) -> Value {
    json!({
        "id": r.id,
        "firstName": r.first_name,
        "lastName": r.last_name,
        "email": r.email,
        "userName": r.user_name,
        "isActive": r.active,
        "licenseType": r.license,
        "resourceType": "Employee",
        "title": if r.license == "API" { "API user" } else { "Technician" },
        "userDefinedFields": [],
    })
}

/// The Ticket entity.
pub fn ticket_json(t: &Ticket) -> Value {
    json!({
        "id": t.id,
        "ticketNumber": t.number,
        "title": t.title,
        "status": t.status,
        "queueID": t.queue,
        "assignedResourceID": t.resource,
        "companyID": t.company,
        "priority": t.priority,
        "ticketType": 1,
        "source": 2,
        "createDate": iso(t.created_ms),
        "completedDate": t.completed_ms.map(iso),
        "lastActivityDate": iso(t.last_activity_ms),
        "userDefinedFields": [],
    })
}

/// The TimeEntry entity.
pub fn time_entry_json(e: &TimeEntry) -> Value {
    json!({
        "id": e.id,
        "resourceID": e.resource,
        "ticketID": e.ticket,
        "taskID": e.task,
        "dateWorked": format!("{}T00:00:00Z", e.date_worked.format("%Y-%m-%d")),
        "startDateTime": e.span_ms.map(|(s, _)| iso(s)),
        "endDateTime": e.span_ms.map(|(_, end)| iso(end)),
        "hoursWorked": e.hours,
        "hoursToBill": if e.non_billable { 0.0 } else { e.hours },
        "isNonBillable": e.non_billable,
        "summaryNotes": e.notes,
        "createDateTime": iso(e.created_ms),
        "lastModifiedDateTime": iso(e.modified_ms),
        "timeEntryType": if e.ticket.is_some() { 2 } else { 6 },
        "userDefinedFields": [],
    })
}

/// One field of `Tickets/entityInformation/fields`.
fn field(name: &str, data_type: &str, picks: Option<&[Pick]>) -> Value {
    json!({
        "name": name,
        "dataType": data_type,
        "length": 0,
        "isRequired": matches!(name, "id" | "status" | "title"),
        "isReadOnly": matches!(name, "id" | "createDate" | "completedDate" | "lastActivityDate"),
        "isQueryable": true,
        "isReference": name.ends_with("ResourceID"),
        "referenceEntityType": if name.ends_with("ResourceID") { "Resource" } else { "" },
        "isPickList": picks.is_some(),
        "picklistValues": picks.map(|p| p.iter().enumerate().map(|(i, p)| json!({
            "value": p.value.to_string(),
            "label": p.label,
            "isDefaultValue": i == 0,
            "sortOrder": i,
            "parentValue": "",
            "isActive": true,
            "isSystem": p.value < 100,
        })).collect::<Vec<_>>()),
        "picklistParentValueField": "",
        "isSupportedWebhookField": true,
    })
}

/// `GET /V1.0/Tickets/entityInformation/fields`: the ticket fields, with the
/// queue and status picklists (values as strings, as Autotask sends them).
pub fn ticket_fields() -> Value {
    json!({ "fields": [
        field("id", "long", None),
        field("ticketNumber", "string", None),
        field("title", "string", None),
        field("status", "integer", Some(STATUSES)),
        field("queueID", "integer", Some(QUEUES)),
        field("assignedResourceID", "integer", None),
        field("companyID", "integer", None),
        field("priority", "integer", None),
        field("createDate", "datetime", None),
        field("completedDate", "datetime", None),
        field("lastActivityDate", "datetime", None),
    ]})
}

/// `GET /V1.0/{Entity}/entityInformation`.
pub fn entity_information(entity: &str) -> Value {
    json!({ "info": {
        "name": entity.trim_end_matches('s'),
        "canCreate": true,
        "canDelete": entity == "TimeEntries",
        "canQuery": true,
        "canUpdate": true,
        "userAccessForCreate": "All",
        "userAccessForDelete": "None",
        "userAccessForQuery": "All",
        "userAccessForUpdate": "All",
        "hasUserDefinedFields": true,
        "supportsWebhookCallouts": entity == "Tickets",
    }})
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times_drop_trailing_zeros() {
        let ms = 1_764_500_625_170; // 2025-11-30T11:03:45.170Z
        assert_eq!(iso(ms), "2025-11-30T11:03:45.17Z");
        assert_eq!(iso(ms - 170), "2025-11-30T11:03:45Z");
        assert_eq!(iso(ms - 169), "2025-11-30T11:03:45.001Z");
    }
}
