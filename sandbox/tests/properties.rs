//! The properties API lists every property of a kind's schema, in HubSpot's wire shape, and
//! marks the portal's custom properties `hubspotDefined: false`.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::*;
use sandbox::ObjectKind;
use serde_json::Value;

const FIELDS: &[&str] = &[
    "name",
    "label",
    "type",
    "fieldType",
    "groupName",
    "description",
    "displayOrder",
    "calculated",
    "externalOptions",
    "hasUniqueValue",
    "hidden",
    "hubspotDefined",
    "modificationMetadata",
    "formField",
    "options",
    "createdAt",
    "updatedAt",
];

const TYPES: &[&str] = &[
    "string",
    "number",
    "datetime",
    "date",
    "enumeration",
    "bool",
];

async fn get(c: &reqwest::Client, url: &str, tok: &str) -> (u16, Value) {
    let r = c.get(url).bearer_auth(tok).send().await.unwrap();
    (r.status().as_u16(), r.json().await.unwrap())
}

#[tokio::test]
async fn every_stored_property_is_defined_with_the_full_shape() {
    let (sb, base) = start(small_opts()).await;
    let (tok, _) = hubspot_token(&base, SCOPES).await;
    let c = client();
    for kind in ObjectKind::ALL {
        let (s, v) = get(
            &c,
            &format!("{base}/hubspot/crm/v3/properties/{}", kind.plural()),
            &tok,
        )
        .await;
        assert_eq!(s, 200, "{kind:?}");
        let defs = v["results"].as_array().unwrap();
        let mut names = BTreeSet::new();
        for d in defs {
            for f in FIELDS {
                assert!(d.get(*f).is_some(), "{kind:?} {} lacks {f}", d["name"]);
            }
            assert!(TYPES.contains(&d["type"].as_str().unwrap()), "{d}");
            assert!(d["options"].is_array());
            if d["type"] != "enumeration" && d["type"] != "bool" {
                assert_eq!(d["options"], Value::Array(vec![]), "{d}");
            }
            let mm = &d["modificationMetadata"];
            for f in ["archivable", "readOnlyDefinition", "readOnlyValue"] {
                assert!(mm[f].is_boolean(), "{d}");
            }
            assert!(names.insert(d["name"].as_str().unwrap().to_string()));
        }
        // Every property any record carries is defined.
        for r in sb.dump(kind) {
            for p in r["properties"].as_object().unwrap().keys() {
                assert!(
                    names.contains(p),
                    "{kind:?}.{p} is not in the properties API"
                );
            }
        }
        // The single-property endpoint agrees with the list.
        for d in defs.iter().take(4) {
            let name = d["name"].as_str().unwrap();
            let (s, one) = get(
                &c,
                &format!("{base}/hubspot/crm/v3/properties/{}/{name}", kind.plural()),
                &tok,
            )
            .await;
            assert_eq!(s, 200);
            assert_eq!(&one, d);
        }
    }
}

#[tokio::test]
async fn custom_deal_properties_are_not_hubspot_defined() {
    let (_sb, base) = start(small_opts()).await;
    let (tok, _) = hubspot_token(&base, SCOPES).await;
    let c = client();
    let (_, v) = get(&c, &format!("{base}/hubspot/crm/v3/properties/deals"), &tok).await;
    let by_name = |n: &str| {
        v["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|d| d["name"] == n)
            .cloned()
            .unwrap_or_else(|| panic!("{n} missing"))
    };
    for n in ["mrr", "monthly_recurring_revenue"] {
        let d = by_name(n);
        assert_eq!(d["hubspotDefined"], false, "{d}");
        assert_eq!(d["type"], "number");
        assert_eq!(d["fieldType"], "number");
        assert_eq!(d["modificationMetadata"]["readOnlyDefinition"], false);
    }
    for n in [
        "amount",
        "hs_mrr",
        "closedate",
        "dealstage",
        "hs_is_closed_won",
    ] {
        assert_eq!(by_name(n)["hubspotDefined"], true, "{n}");
    }
    assert_eq!(by_name("closedate")["type"], "datetime");
    assert_eq!(by_name("hs_is_closed_won")["type"], "bool");
    let stages: Vec<Value> = by_name("dealstage")["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].clone())
        .collect();
    assert!(stages.contains(&Value::from("closedwon")));
    assert!(stages.contains(&Value::from("167004914")));
    let owner = by_name("hubspot_owner_id");
    assert_eq!(owner["externalOptions"], true);
    assert_eq!(owner["referencedObjectType"], "OWNER");

    let (s, one) = get(
        &c,
        &format!("{base}/hubspot/crm/v3/properties/0-3/mrr"),
        &tok,
    )
    .await;
    assert_eq!(s, 200);
    assert_eq!(one["hubspotDefined"], false);
    let (s, _) = get(
        &c,
        &format!("{base}/hubspot/crm/v3/properties/deals/no_such_property"),
        &tok,
    )
    .await;
    assert_eq!(s, 404);
}

#[tokio::test]
async fn enumerations_tally_reads_keep_their_options() {
    let (_sb, base) = start(small_opts()).await;
    let (tok, _) = hubspot_token(&base, SCOPES).await;
    let c = client();
    let (_, m) = get(
        &c,
        &format!("{base}/hubspot/crm/v3/properties/meetings/hs_meeting_outcome"),
        &tok,
    )
    .await;
    let values: Vec<&str> = m["options"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["value"].as_str().unwrap())
        .collect();
    assert_eq!(
        values,
        [
            "SCHEDULED",
            "COMPLETED",
            "RESCHEDULED",
            "NO_SHOW",
            "CANCELED"
        ]
    );
    let (_, d) = get(
        &c,
        &format!("{base}/hubspot/crm/v3/properties/calls/hs_call_disposition"),
        &tok,
    )
    .await;
    assert_eq!(d["externalOptions"], true);
    assert_eq!(d["options"], Value::Array(vec![]));
    let (_, b) = get(
        &c,
        &format!("{base}/hubspot/crm/v3/properties/contacts/hs_buying_role"),
        &tok,
    )
    .await;
    assert_eq!(b["fieldType"], "checkbox");
    assert!(
        b["options"]
            .as_array()
            .unwrap()
            .iter()
            .any(|o| o["value"] == "DECISION_MAKER")
    );
}
