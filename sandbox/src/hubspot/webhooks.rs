//! HubSpot webhook events: the documented event array for generic `object.*`
//! subscriptions, signed with the v3 signature.
//!
//! Exists to turn a data change made through the control API into what HubSpot would POST
//! to the app's target URL.

use serde_json::{Value, json};

use crate::Sandbox;
use crate::model::ObjectKind;

/// What changed.
#[derive(Debug, Clone)]
pub enum Change {
    Created,
    PropertyChanged { name: String, value: String },
    Deleted,
}

/// Builds one event object.
pub fn event(sb: &Sandbox, kind: ObjectKind, id: u64, change: &Change, occurred_at: i64) -> Value {
    let o = &sb.inner.opts;
    let (sub_type, sub_id) = match change {
        Change::Created => ("object.creation", 1001),
        Change::PropertyChanged { .. } => ("object.propertyChange", 1002),
        Change::Deleted => ("object.deletion", 1003),
    };
    let mut e = json!({
        "eventId": sb.next_event_id(),
        "subscriptionId": sub_id,
        "portalId": o.portal_id,
        "appId": o.app_id,
        "occurredAt": occurred_at,
        "subscriptionType": sub_type,
        "attemptNumber": 0,
        "objectId": id,
        "objectTypeId": kind.type_id(),
        "changeSource": "API",
        "sourceId": format!("{}", o.app_id),
    });
    match change {
        Change::Created => e["changeFlag"] = json!("CREATED"),
        Change::Deleted => e["changeFlag"] = json!("DELETED"),
        Change::PropertyChanged { name, value } => {
            e["propertyName"] = json!(name);
            e["propertyValue"] = json!(value);
        }
    }
    e
}
