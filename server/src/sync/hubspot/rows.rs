//! HubSpot's wire shape to Tally's rows: one record's properties and
//! associations become one row of its kind's table.

use super::*;
use app::domain::{ConnectionId, OrgId};

pub(crate) fn prop<'a>(rec: &'a Value, name: &str) -> Option<&'a str> {
    rec["properties"][name].as_str().filter(|s| !s.is_empty())
}

pub(crate) fn text(rec: &Value, name: &str) -> Option<String> {
    prop(rec, name).map(str::to_owned)
}

pub(crate) fn num(rec: &Value, name: &str) -> Option<f64> {
    prop(rec, name).and_then(|v| v.trim().parse::<f64>().ok())
}

/// Stage id -> closed won, per pipeline.
pub type Stages = HashMap<(String, String), bool>;

/// Dispositions GUID -> label.
pub type Dispositions = HashMap<String, String>;

/// Contact associations of one record: (contact id, label).
pub(crate) type Contacts = [(String, Option<String>)];

/// Builds the row of one CRM record.
#[allow(clippy::too_many_arguments)] // plain data in, one row out
pub fn row_of(
    k: Kind,
    rec: &Value,
    connection_id: ConnectionId,
    org_id: OrgId,
    portal: &str,
    stages: &Stages,
    dispositions: &Dispositions,
    now: i64,
) -> Option<Row> {
    let id = rec["id"].as_str()?.to_owned();
    let deleted = rec["archived"].as_bool().unwrap_or(false);
    let properties = rec["properties"].to_string();
    let created = ts(rec["createdAt"].as_str()).or_else(|| ts(prop(rec, "hs_createdate")));
    let updated = ts(rec["updatedAt"].as_str()).or_else(|| ts(prop(rec, k.modified)));
    let url = format!(
        "https://app.hubspot.com/contacts/{portal}/record/{}/{id}",
        k.type_id
    );
    let owner = text(rec, "hubspot_owner_id");
    let row = if k.activity {
        let (title, body) = match k.name {
            "call" => (text(rec, "hs_call_title"), text(rec, "hs_call_body")),
            "meeting" => (text(rec, "hs_meeting_title"), text(rec, "hs_meeting_body")),
            "note" => (None, text(rec, "hs_note_body")),
            "email" => (text(rec, "hs_email_subject"), text(rec, "hs_email_text")),
            _ => (text(rec, "hs_task_subject"), text(rec, "hs_task_body")),
        };
        let disposition = text(rec, "hs_call_disposition");
        let label = disposition
            .as_ref()
            .and_then(|d| dispositions.get(d).cloned());
        Row::new("activities", connection_id)
            .key("kind", k.name)
            .key("external_id", id)
            .col("org_id", org_id)
            .col("owner_external_id", owner)
            .col("occurred_at", ts(prop(rec, "hs_timestamp")).or(created))
            .col("remote_created_at", created)
            .col("remote_updated_at", updated)
            .col("start_at", ts(prop(rec, "hs_meeting_start_time")))
            .col("end_at", ts(prop(rec, "hs_meeting_end_time")))
            .col("title", title.unwrap_or_default())
            .col("body", body.unwrap_or_default())
            .col("call_direction", text(rec, "hs_call_direction"))
            .col("call_status", text(rec, "hs_call_status"))
            .col("call_disposition", disposition)
            .col("disposition_label", label)
            .col(
                "duration_ms",
                num(rec, "hs_call_duration").map(|d| d as i64),
            )
            .col("activity_type", text(rec, "hs_activity_type"))
            .col("meeting_outcome", text(rec, "hs_meeting_outcome"))
            .col("email_direction", text(rec, "hs_email_direction"))
            .col("task_status", text(rec, "hs_task_status"))
    } else {
        match k.name {
            "contact" => Row::new("contacts", connection_id)
                .key("external_id", id)
                .col("org_id", org_id)
                .col("first_name", text(rec, "firstname").unwrap_or_default())
                .col("last_name", text(rec, "lastname").unwrap_or_default())
                .col("email", text(rec, "email").map(|e| e.to_lowercase()))
                .col("job_title", text(rec, "jobtitle"))
                .col("buying_role", text(rec, "hs_buying_role"))
                .col("company", text(rec, "company"))
                .col("owner_external_id", owner)
                .col("remote_created_at", created)
                .col("remote_updated_at", updated),
            "company" => Row::new("companies", connection_id)
                .key("external_id", id)
                .col("org_id", org_id)
                .col("name", text(rec, "name").unwrap_or_default())
                .col("domain", text(rec, "domain"))
                .col("owner_external_id", owner)
                .col("remote_created_at", created)
                .col("remote_updated_at", updated),
            _ => {
                let pipeline = text(rec, "pipeline");
                let stage = text(rec, "dealstage");
                let won = match (&pipeline, &stage) {
                    (Some(p), Some(s)) => stages.get(&(p.clone(), s.clone())).copied(),
                    _ => None,
                }
                .unwrap_or_else(|| prop(rec, "hs_is_closed_won") == Some("true"));
                let amount = num(rec, "amount");
                Row::new("deals", connection_id)
                    .key("external_id", id)
                    .col("org_id", org_id)
                    .col("name", text(rec, "dealname").unwrap_or_default())
                    .col("pipeline", pipeline)
                    .col("stage", stage)
                    .col("closed_won", won)
                    .col("amount", amount)
                    .col("close_date", ts(prop(rec, "closedate")))
                    .col("remote_created_at", ts(prop(rec, "createdate")).or(created))
                    .col("remote_updated_at", updated)
                    .col("owner_external_id", owner)
                    .col("deal_type", text(rec, "dealtype"))
            }
        }
    };
    Some(
        row.col("url", url)
            .col("properties", properties)
            .col("deleted", deleted)
            .col("synced_at", now),
    )
}

pub(crate) fn table_of(k: Kind) -> (&'static str, Option<&'static str>) {
    if k.activity {
        ("activities", Some(k.name))
    } else {
        match k.name {
            "contact" => ("contacts", None),
            "company" => ("companies", None),
            _ => ("deals", None),
        }
    }
}
