//! The properties API: `GET /crm/v3/properties/{objectType}` and `.../{propertyName}`.
//!
//! Exists because Tally reads enumeration options (meeting outcomes, activity types, buying
//! roles) and tells custom properties (`hubspotDefined: false`, e.g. a deal's `mrr`) from
//! HubSpot's own. Every property of the kind's schema is listed, in HubSpot's wire shape.

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde_json::{Value, json};

use super::crm::parse_kind;
use super::errors;
use super::scopes::{authorize, read_scopes};
use crate::Sandbox;
use crate::model::ObjectKind;
use crate::schema::{self, PropDef, PropType};
use crate::store::Store;

/// When HubSpot's own properties were created and last changed (fixed, like a real portal).
const HUBSPOT_CREATED: &str = "2019-08-06T02:41:08.029Z";
const HUBSPOT_UPDATED: &str = "2024-01-10T12:00:00.000Z";
/// When the portal's admin created the custom properties.
const CUSTOM_CREATED: &str = "2023-02-14T16:20:11.512Z";
const CUSTOM_UPDATED: &str = "2024-06-03T09:12:45.101Z";
/// The HubSpot user who created them.
const CUSTOM_USER_ID: &str = "9000001";

/// One definition in HubSpot's wire shape.
pub fn definition_json(p: &PropDef) -> Value {
    let options: Vec<Value> = p
        .option_pairs()
        .into_iter()
        .enumerate()
        .map(|(i, (value, label))| {
            json!({"label": label, "value": value, "description": "", "displayOrder": i, "hidden": false})
        })
        .collect();
    let (created, updated) = if p.custom {
        (CUSTOM_CREATED, CUSTOM_UPDATED)
    } else {
        (HUBSPOT_CREATED, HUBSPOT_UPDATED)
    };
    let mut v = json!({
        "updatedAt": updated,
        "createdAt": created,
        "name": p.name,
        "label": p.label,
        "type": p.ty.as_str(),
        "fieldType": p.field_type,
        "description": p.description,
        "groupName": p.group,
        "options": options,
        "displayOrder": -1,
        "calculated": p.calculated,
        "externalOptions": p.external_options,
        "archived": false,
        "hasUniqueValue": false,
        "hidden": false,
        "hubspotDefined": !p.custom,
        "modificationMetadata": {
            "archivable": true,
            "readOnlyDefinition": !p.custom,
            "readOnlyValue": p.calculated,
        },
        "formField": !p.calculated && matches!(p.group, "contactinformation" | "companyinformation"),
        "dataSensitivity": "non_sensitive",
    });
    if p.ty == PropType::Number {
        v["showCurrencySymbol"] = json!(matches!(
            p.name,
            "amount" | "hs_mrr" | "mrr" | "monthly_recurring_revenue"
        ));
    }
    if let Some(r) = p.referenced_object_type {
        v["referencedObjectType"] = json!(r);
    }
    if p.custom {
        v["createdUserId"] = json!(CUSTOM_USER_ID);
        v["updatedUserId"] = json!(CUSTOM_USER_ID);
    }
    v
}

/// A custom string property that only exists because a record was given it (control API).
fn ad_hoc(kind: ObjectKind, name: &str) -> Value {
    let label = name.replace('_', " ");
    let mut v = definition_json(&PropDef {
        name: "",
        label: "",
        ty: PropType::String,
        field_type: "text",
        group: schema::default_group(kind),
        description: "",
        options: schema::Options::None,
        external_options: false,
        calculated: false,
        custom: true,
        referenced_object_type: None,
    });
    v["name"] = json!(name);
    v["label"] = json!(label);
    v
}

/// Every property of the kind's schema: the catalog's definitions, then any other property
/// the store knows for that kind (sorted by name).
pub fn definitions(s: &Store, kind: ObjectKind) -> Vec<Value> {
    let mut out: Vec<Value> = schema::all(kind).map(definition_json).collect();
    let mut extra: Vec<&str> = s
        .table(kind)
        .schema
        .iter()
        .map(|k| s.props.resolve(u32::from(*k)))
        .filter(|n| schema::find(kind, n).is_none())
        .collect();
    extra.sort_unstable();
    out.extend(extra.into_iter().map(|n| ad_hoc(kind, n)));
    out
}

/// One property of a kind, if it is in the schema.
pub fn definition(s: &Store, kind: ObjectKind, name: &str) -> Option<Value> {
    match schema::find(kind, name) {
        Some(p) => Some(definition_json(p)),
        None => s.is_defined(kind, name).then(|| ad_hoc(kind, name)),
    }
}

/// `GET /crm/v3/properties/{objectType}`.
pub async fn list(
    State(sb): State<Sandbox>,
    Path(ty): Path<String>,
    headers: HeaderMap,
) -> Response {
    let kind = match parse_kind(&ty) {
        Ok(k) => k,
        Err(r) => return r,
    };
    if let Err(r) = authorize(&sb, &headers, read_scopes(kind)) {
        return r;
    }
    let results = definitions(&sb.store(), kind);
    Json(json!({"results": results})).into_response()
}

/// `GET /crm/v3/properties/{objectType}/{propertyName}`.
pub async fn get_one(
    State(sb): State<Sandbox>,
    Path((ty, name)): Path<(String, String)>,
    headers: HeaderMap,
) -> Response {
    let kind = match parse_kind(&ty) {
        Ok(k) => k,
        Err(r) => return r,
    };
    if let Err(r) = authorize(&sb, &headers, read_scopes(kind)) {
        return r;
    }
    let found = definition(&sb.store(), kind, &name);
    match found {
        Some(p) => Json(p).into_response(),
        None => errors::not_found(&format!("Unable to find property {name}")),
    }
}
