//! What a sync run does ([`Work`]), how pending work merges into one run,
//! and the stored form the webhook inbox keeps it in: one type, one file,
//! so the engine and the inbox both depend on it and not on each other.

use serde_json::{Value, json};

use super::hubspot;

/// What a run does.
#[derive(Debug, Clone)]
pub enum Work {
    /// Everything (backfill on the first run, incremental after).
    Full,
    /// HubSpot records named by webhooks: (kind, ids to fetch, ids deleted).
    HubspotIds(Vec<(hubspot::Kind, Vec<String>, Vec<String>)>),
    /// Fathom meetings delivered by a webhook.
    FathomMeetings(Vec<Value>),
    /// Aircall calls delivered by `call.ended` webhooks.
    AircallCalls(Vec<Value>),
}

/// Merges pending work into one run: a full sync covers everything.
pub fn merge(pending: Vec<Work>) -> Work {
    let mut ids: Vec<(hubspot::Kind, Vec<String>, Vec<String>)> = Vec::new();
    let mut meetings = Vec::new();
    let mut calls = Vec::new();
    let mut full = false;
    for w in pending {
        match w {
            Work::Full => full = true,
            Work::HubspotIds(items) => ids.extend(items),
            Work::FathomMeetings(m) => meetings.extend(m),
            Work::AircallCalls(c) => calls.extend(c),
        }
    }
    if full {
        Work::Full
    } else if !meetings.is_empty() {
        Work::FathomMeetings(meetings)
    } else if !calls.is_empty() {
        Work::AircallCalls(calls)
    } else {
        Work::HubspotIds(ids)
    }
}

/// The stored form of webhook work.
pub fn encode(work: &Work) -> String {
    match work {
        Work::Full => json!({"full": true}),
        Work::HubspotIds(items) => json!({"hubspot": items
            .iter()
            .map(|(k, fetch, deleted)| json!({"kind": k.plural, "fetch": fetch, "deleted": deleted}))
            .collect::<Vec<_>>()}),
        Work::FathomMeetings(meetings) => json!({ "fathom": meetings }),
        Work::AircallCalls(calls) => json!({ "aircall": calls }),
    }
    .to_string()
}

/// Reads stored work back; `None` for anything this build cannot run.
pub fn decode(text: &str) -> Option<Work> {
    let v: Value = serde_json::from_str(text).ok()?;
    if v["full"].as_bool() == Some(true) {
        return Some(Work::Full);
    }
    if let Some(m) = v["fathom"].as_array() {
        return Some(Work::FathomMeetings(m.clone()));
    }
    if let Some(c) = v["aircall"].as_array() {
        return Some(Work::AircallCalls(c.clone()));
    }
    let strings = |x: &Value| -> Option<Vec<String>> {
        x.as_array()?
            .iter()
            .map(|s| s.as_str().map(str::to_owned))
            .collect()
    };
    let items = v["hubspot"].as_array()?;
    let mut out = Vec::with_capacity(items.len());
    for i in items {
        let kind = hubspot::kind(i["kind"].as_str()?)?;
        out.push((kind, strings(&i["fetch"])?, strings(&i["deleted"])?));
    }
    Some(Work::HubspotIds(out))
}
