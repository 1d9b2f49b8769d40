//! `/api/v1/openapi.json`: the REST API described for humans and generators.
//!
//! [`OPERATIONS`] is the single list of `/api/v1` routes; the document is
//! built from it and the access tests walk it, so an undocumented route is
//! also an untested one and stands out.

use axum::Json;
use serde_json::{Value, json};

/// Who may call an operation.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// No authentication.
    Public,
    /// Any signed-in user of the organisation.
    Member,
    /// Admins and managers.
    Manager,
    /// Admins only.
    Admin,
}

/// One documented operation.
#[derive(Debug)]
pub struct Operation {
    /// HTTP method, lowercase.
    pub method: &'static str,
    /// Path below `/api/v1`, with `{id}` placeholders.
    pub path: &'static str,
    /// One-line summary.
    pub summary: &'static str,
    /// Who may call it.
    pub access: Access,
    /// JSON schema of the request body, if any.
    pub request: Option<fn() -> Value>,
    /// Success status.
    pub status: u16,
    /// JSON schema of the success body, where it is documented.
    pub response: Option<fn() -> Value>,
}

fn credentials() -> Value {
    json!({"type": "object", "required": ["email", "password"],
           "properties": {"email": {"type": "string"}, "password": {"type": "string"}}})
}
fn org_settings() -> Value {
    json!({"type": "object", "required": ["name", "timezone", "week_start"],
           "properties": {"name": {"type": "string"}, "timezone": {"type": "string", "example": "America/Chicago"},
                          "week_start": {"type": "integer", "minimum": 0, "maximum": 6, "description": "0 = Monday"}}})
}
fn new_user() -> Value {
    json!({"type": "object", "required": ["email", "name", "role"],
           "properties": {"email": {"type": "string"}, "name": {"type": "string"},
                          "role": {"type": "string", "enum": ["admin", "manager", "member"]}}})
}
fn user_patch() -> Value {
    json!({"type": "object", "properties": {"role": {"type": "string", "enum": ["admin", "manager", "member"]},
                                            "active": {"type": "boolean"}}})
}

fn sync_settings() -> Value {
    json!({"type": "object", "properties": {"backfill_weeks": {"type": "integer", "minimum": 1, "maximum": 260},
                                            "lists": {"type": "array", "items": {"type": "string"}}}})
}
fn new_person() -> Value {
    json!({"type": "object", "required": ["name", "email"],
           "properties": {"name": {"type": "string"}, "email": {"type": "string"}}})
}
fn person_link() -> Value {
    json!({"type": "object", "required": ["connection_id", "external_id"],
           "properties": {"connection_id": {"type": "integer"}, "external_id": {"type": "string"},
                          "person_id": {"type": ["integer", "null"]}}})
}

fn connection_patch() -> Value {
    json!({"type": "object", "properties": {"auto_sync": {"type": "boolean"}}})
}
fn connect_body() -> Value {
    json!({"type": "object", "description": "Empty for OAuth providers (the answer has `authorize_url`); `api_id` and `api_token` for API-key providers (the answer has `connection_id`); for HubSpot, `access_token` (a private app's `pat-…` token or a service key) connects without OAuth: the answer has `token_check` (portal, granted, required and missing scopes) and, unless `test` is true, `connection_id`",
           "properties": {"api_id": {"type": "string"}, "api_token": {"type": "string"},
                          "access_token": {"type": "string"}, "test": {"type": "boolean", "default": false}}})
}

fn new_scorecard() -> Value {
    json!({"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}})
}
fn template_owners() -> Value {
    json!({"type": "object", "properties": {"owners": {"type": "object",
        "description": "Section name (Inside sales, Outside sales, Hybrid, Warm 250, Reactive operations) → person id or null",
        "additionalProperties": {"type": ["integer", "null"]}}}})
}
fn goal() -> Value {
    json!({"type": "object", "required": ["op", "value"],
           "properties": {"op": {"type": "string", "enum": ["at_least", "at_most", "equal", "between"]},
                          "value": {"type": "number", "description": "The goal; the lower bound for between"},
                          "upper": {"type": "number", "description": "Upper bound, between only"},
                          "band": {"type": "number", "minimum": 0, "exclusiveMaximum": 1, "default": 0.1,
                                   "description": "Yellow band as a fraction of the goal"}}})
}
fn source() -> Value {
    let list = json!({"type": "array", "items": {"type": "string"}});
    json!({"description": "Where the weekly value comes from. Synced records are those owned by the measurable's person (through the person's HubSpot owner ids and Fathom emails; all of the organisation's when there is no person).",
        "oneOf": [
        {"type": "object", "required": ["type", "kind"], "additionalProperties": false, "properties": {
            "type": {"const": "synced"},
            "kind": {"type": "string", "enum": ["call", "meeting", "note", "email", "task", "deal", "fathom_meeting"]},
            "time_field": {"type": "string", "enum": ["occurred", "created", "start", "close_date"], "default": "occurred",
                           "description": "occurred: hs_timestamp; start: meetings only, hs_meeting_start_time, or hs_timestamp when a meeting has none; close_date: deals only; deals use close_date or created"},
            "filters": {"type": "object", "additionalProperties": false, "properties": {
                "call_direction": {"description": "A direction (only calls logged with it), or {\"not\": direction}: every call but those logged with it, calls without a direction included. A dial is {\"not\": \"INBOUND\"}. Case is ignored; a blank direction is none.",
                    "oneOf": [{"type": "string", "enum": ["INBOUND", "OUTBOUND"]},
                              {"type": "object", "required": ["not"], "additionalProperties": false,
                               "properties": {"not": {"type": "string", "enum": ["INBOUND", "OUTBOUND"]}}}],
                    "example": {"not": "INBOUND"}},
                "call_outcome": list.clone(), "meeting_type": list.clone(), "meeting_outcome": list.clone(),
                "keywords": {"type": "array", "items": {"type": "string"}, "description": "Title or body (HTML stripped) mentions any, as whole words, ignoring case"},
                "contact_in_list": {"type": "string", "description": "An associated contact is in the list with this name"},
                "buying_role": list.clone(),
                "closed_won": {"type": "boolean"},
                "pipeline": {"type": "string", "description": "Pipeline id or label"}}},
            "aggregate": {"oneOf": [
                {"type": "object", "required": ["type"], "properties": {"type": {"const": "count"}}},
                {"type": "object", "required": ["type", "properties"], "properties": {"type": {"const": "sum"},
                 "properties": {"type": "array", "items": {"type": "string"}, "minItems": 1,
                                "description": "Per record, the first non-empty of these properties, e.g. [\"mrr\", \"hs_mrr\", \"amount\"]: absent, null and blank are empty, \"0\" is a value; a value that is not a number counts 0. Every property named is fetched from the provider."}}}]}}},
        {"type": "object", "required": ["type"], "additionalProperties": false, "properties": {"type": {"const": "manual"}}},
        {"type": "object", "required": ["type", "formula"], "additionalProperties": false, "properties": {
            "type": {"const": "formula"},
            "formula": {"type": "string", "example": "m:12 / m:13 * 100", "description": "+ - * / and parentheses over m:<id>, the same week's value of another measurable; no cycles"}}}],
        "example": {"type": "synced", "kind": "note", "filters": {"keywords": ["decision maker", "DM", "CEO"]}}})
}
fn measurable() -> Value {
    json!({"type": "object", "required": ["section", "name", "source"], "additionalProperties": false,
           "properties": {"section": {"type": "string"}, "name": {"type": "string"},
                          "person_id": {"type": ["integer", "null"], "description": "Owner, a person of the organisation"},
                          "unit": {"type": "string", "enum": ["count", "currency", "percent", "duration"], "default": "count"},
                          "decimals": {"type": "integer", "minimum": 0, "maximum": 4, "default": 0},
                          "goal": {"oneOf": [goal(), {"type": "null"}]},
                          "goal_effective_from": {"type": "string", "format": "date",
                                                  "description": "First week a changed goal applies to (default: the current week); earlier weeks keep their goal"},
                          "source": source()}})
}
fn preview_request() -> Value {
    json!({"type": "object", "required": ["source"], "additionalProperties": false,
           "properties": {"person_id": {"type": ["integer", "null"], "description": "Whose records (default: the whole organisation's)"},
                          "source": source(),
                          "week": {"type": "string", "format": "date", "description": "The week whose records are listed (any day of it; default: the current week)"}},
           "example": {"person_id": 3, "week": "2026-11-23", "source": {"type": "synced", "kind": "call", "filters": {"call_direction": {"not": "INBOUND"}}}}})
}
fn preview_response() -> Value {
    let record = json!({"type": "object", "properties": {
        "kind": {"type": "string"}, "at": {"type": "integer", "description": "ms since the epoch"},
        "title": {"type": "string"}, "amount": {"type": ["number", "null"]}, "url": {"type": ["string", "null"]}}});
    json!({"type": "object", "properties": {
        "week": {"type": "string", "format": "date"},
        "weeks": {"type": "array", "description": "The 13 weeks ending with `week`, oldest first",
                  "items": {"type": "object", "properties": {"week": {"type": "string"}, "value": {"type": ["number", "null"]}}}},
        "value": {"type": ["number", "null"]},
        "matched": {"type": "integer", "description": "Records counted in `week`"},
        "records": {"type": "array", "items": record.clone(), "description": "The first 20 of them"},
        "excluded": {"type": "array", "description": "Per filter, the records it alone keeps out of `week`",
                     "items": {"type": "object", "properties": {
                         "filter": {"type": "string", "example": "source.filters.call_direction"},
                         "count": {"type": "integer"},
                         "text": {"type": "string", "example": "12 INBOUND calls not counted"},
                         "examples": {"type": "array", "items": record}}}},
        "notes": {"type": "array", "items": {"type": "string"}, "example": ["Summed: 8 by mrr, 3 by hs_mrr, 1 by amount"]},
        "warnings": {"type": "array", "description": "Problems that do not stop saving: a property the connected portal does not define (with the closest names), one not fetched yet, a stale connection",
                     "items": {"type": "object", "properties": {"field": {"type": "string"}, "message": {"type": "string"}}}}}})
}
fn cell_value() -> Value {
    json!({"type": "object", "required": ["week"], "properties": {
        "week": {"type": "string", "format": "date"},
        "value": {"type": ["number", "null"], "description": "null clears the entry or override"},
        "reason": {"type": "string", "description": "Required to override a synced or formula value"}}})
}
fn cell_note() -> Value {
    json!({"type": "object", "required": ["week", "note"], "properties": {
        "week": {"type": "string", "format": "date"}, "note": {"type": "string", "description": "Empty removes the note"}}})
}

/// Every `/api/v1` operation.
pub const OPERATIONS: &[Operation] = &[
    Operation {
        method: "get",
        path: "/openapi.json",
        summary: "This document",
        access: Access::Public,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "post",
        path: "/session",
        summary: "Sign in with email and password; sets the session cookie",
        access: Access::Public,
        request: Some(credentials),
        status: 200,
        response: None,
    },
    Operation {
        method: "delete",
        path: "/session",
        summary: "Sign out",
        access: Access::Public,
        request: None,
        status: 204,
        response: None,
    },
    Operation {
        method: "get",
        path: "/me",
        summary: "The signed-in user",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "get",
        path: "/org",
        summary: "Organisation settings",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "put",
        path: "/org",
        summary: "Change organisation settings",
        access: Access::Admin,
        request: Some(org_settings),
        status: 204,
        response: None,
    },
    Operation {
        method: "get",
        path: "/users",
        summary: "Users of the organisation",
        access: Access::Admin,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "post",
        path: "/users",
        summary: "Create a user with a one-time password",
        access: Access::Admin,
        request: Some(new_user),
        status: 201,
        response: None,
    },
    Operation {
        method: "patch",
        path: "/users/{id}",
        summary: "Change a user's role or deactivate them",
        access: Access::Admin,
        request: Some(user_patch),
        status: 204,
        response: None,
    },
    Operation {
        method: "get",
        path: "/tokens",
        summary: "Your API tokens (never the token values)",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "delete",
        path: "/tokens/{id}",
        summary: "Revoke one of your API tokens",
        access: Access::Member,
        request: None,
        status: 204,
        response: None,
    },
    Operation {
        method: "get",
        path: "/connections",
        summary: "Provider connections and their health (never secrets)",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "get",
        path: "/connections/{id}",
        summary: "One connection's health and sync runs",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "patch",
        path: "/connections/{id}",
        summary: "Turn scheduled sync on or off",
        access: Access::Manager,
        request: Some(connection_patch),
        status: 204,
        response: None,
    },
    Operation {
        method: "delete",
        path: "/connections/{id}",
        summary: "Disconnect: revoke, delete secrets; `?purge=true` also deletes synced data",
        access: Access::Manager,
        request: None,
        status: 204,
        response: None,
    },
    Operation {
        method: "post",
        path: "/integrations/{provider}/connect",
        summary: "Start connecting a provider: returns `authorize_url` (OAuth), or checks and saves an API key or a HubSpot access token",
        access: Access::Manager,
        request: Some(connect_body),
        status: 200,
        response: None,
    },
    Operation {
        method: "post",
        path: "/connections/{id}/sync",
        summary: "Sync now: starts a run at once and returns `{run_id}` (or the running one's)",
        access: Access::Manager,
        request: None,
        status: 202,
        response: None,
    },
    Operation {
        method: "get",
        path: "/connections/{id}/runs",
        summary: "Sync runs, newest first: trigger, status, counts per object, API calls, 429s, progress",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "get",
        path: "/connections/{id}/sync-settings",
        summary: "Backfill window (weeks) and the lists whose memberships are synced",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "put",
        path: "/connections/{id}/sync-settings",
        summary: "Change the backfill window or the synced lists",
        access: Access::Manager,
        request: Some(sync_settings),
        status: 204,
        response: None,
    },
    Operation {
        method: "get",
        path: "/people",
        summary: "People, their HubSpot/Fathom links, and unmatched provider users",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "post",
        path: "/people",
        summary: "Add a person who is not a Tally user",
        access: Access::Manager,
        request: Some(new_person),
        status: 201,
        response: None,
    },
    Operation {
        method: "put",
        path: "/people/links",
        summary: "Link a provider user to a person (`person_id: null` = not a person)",
        access: Access::Manager,
        request: Some(person_link),
        status: 204,
        response: None,
    },
    Operation {
        method: "get",
        path: "/scorecards",
        summary: "Scorecards of the organisation",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "post",
        path: "/scorecards",
        summary: "Create an empty scorecard",
        access: Access::Manager,
        request: Some(new_scorecard),
        status: 201,
        response: None,
    },
    Operation {
        method: "post",
        path: "/scorecards/template",
        summary: "Create the default sales scorecard, with an owner per section",
        access: Access::Manager,
        request: Some(template_owners),
        status: 201,
        response: None,
    },
    Operation {
        method: "get",
        path: "/scorecards/{id}",
        summary: "One week of a scorecard (`?week=YYYY-MM-DD`, default this week): per measurable the owner, unit, goal, status, this week with pace, last week, quarter average and the 13 weekly values with their statuses",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "get",
        path: "/scorecards/{id}/export.csv",
        summary: "The 13-week grid as CSV (`?week=YYYY-MM-DD`)",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "post",
        path: "/scorecards/{id}/measurables",
        summary: "Create a measurable; a bad definition is a 422 naming the field",
        access: Access::Manager,
        request: Some(measurable),
        status: 201,
        response: None,
    },
    Operation {
        method: "get",
        path: "/measurables/{id}",
        summary: "A measurable's definition",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "post",
        path: "/measurables/preview",
        summary: "What a definition not saved yet would show: 13 weeks' values, the records counted in a week and, per filter, those it keeps out (managers)",
        access: Access::Manager,
        request: Some(preview_request),
        status: 200,
        response: Some(preview_response),
    },
    Operation {
        method: "put",
        path: "/measurables/{id}",
        summary: "Replace a measurable's definition; a changed goal applies from goal_effective_from on",
        access: Access::Manager,
        request: Some(measurable),
        status: 204,
        response: None,
    },
    Operation {
        method: "delete",
        path: "/measurables/{id}",
        summary: "Delete a measurable",
        access: Access::Manager,
        request: None,
        status: 204,
        response: None,
    },
    Operation {
        method: "get",
        path: "/measurables/{id}/cell",
        summary: "The records, entry, note and audit trail behind one week (`?week=YYYY-MM-DD`)",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "post",
        path: "/measurables/{id}/values",
        summary: "Enter a manual value or override a computed one (managers; members for manual measurables they own)",
        access: Access::Member,
        request: Some(cell_value),
        status: 204,
        response: None,
    },
    Operation {
        method: "post",
        path: "/measurables/{id}/notes",
        summary: "Set or clear the note on a week",
        access: Access::Member,
        request: Some(cell_note),
        status: 204,
        response: None,
    },
    Operation {
        method: "get",
        path: "/events",
        summary: "Live events of the organisation as server-sent events (`scorecard_changed`, `records_changed`, `sync_progress`)",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
    Operation {
        method: "get",
        path: "/dashboard",
        summary: "Counts of synced contacts, companies and deals, the pipeline by stage and the newest contacts",
        access: Access::Member,
        request: None,
        status: 200,
        response: None,
    },
];

/// Builds the OpenAPI 3.1 document.
pub fn build() -> Value {
    let mut paths = serde_json::Map::new();
    for op in OPERATIONS {
        let mut operation = json!({
            "summary": op.summary,
            "responses": {
                op.status.to_string(): {"description": "Success"},
                "401": {"description": "Not signed in", "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}},
                "403": {"description": "Your role does not allow this"},
                "404": {"description": "Not found in your organisation"},
                "422": {"description": "A field was refused; `field` names it"}
            },
            "x-access": format!("{:?}", op.access).to_lowercase(),
        });
        if op.access == Access::Public {
            operation["security"] = json!([]);
        }
        if op.path.contains("{id}") {
            operation["parameters"] = json!([{"name": "id", "in": "path", "required": true, "schema": {"type": "integer"}}]);
        }
        if op.path.contains("{provider}") {
            operation["parameters"] = json!([{"name": "provider", "in": "path", "required": true,
                "schema": {"type": "string", "enum": ["hubspot", "fathom", "aircall"]}}]);
        }
        if let Some(schema) = op.response {
            operation["responses"][op.status.to_string()]["content"] =
                json!({"application/json": {"schema": schema()}});
        }
        if let Some(schema) = op.request {
            operation["requestBody"] =
                json!({"required": true, "content": {"application/json": {"schema": schema()}}});
        }
        let entry = paths
            .entry(format!("/api/v1{}", op.path))
            .or_insert_with(|| json!({}));
        entry[op.method] = operation;
    }
    json!({
        "openapi": "3.1.0",
        "info": {"title": "Tally API", "version": env!("CARGO_PKG_VERSION"),
                 "description": "Weekly scorecards that fill themselves. Authenticate with `Authorization: Bearer <token>` (create one with `tally token create`) or with the cookie `POST /api/v1/session` sets."},
        "servers": [{"url": "/"}],
        "security": [{"bearer": []}, {"cookie": []}],
        "paths": paths,
        "components": {
            "securitySchemes": {
                "bearer": {"type": "http", "scheme": "bearer"},
                "cookie": {"type": "apiKey", "in": "cookie", "name": "tally_session"}
            },
            "schemas": {"Error": {"type": "object", "properties": {
                "error": {"type": "string"}, "message": {"type": "string"}, "field": {"type": ["string", "null"]}}}}
        }
    })
}

/// `GET /api/v1/openapi.json`.
pub async fn document() -> Json<Value> {
    Json(build())
}
