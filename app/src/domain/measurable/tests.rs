//! Parsing and validation of measurable definitions.
#![allow(clippy::unwrap_used)]

use super::*;

fn parse(json: &str) -> Source {
    serde_json::from_str(json).unwrap()
}

#[test]
fn documented_examples_parse_and_validate() {
    let note =
        parse(r#"{"type":"synced","kind":"note","filters":{"keywords":["decision maker","DM"]}}"#);
    assert_eq!(note.validate(), Ok(()));
    let Source::Synced(q) = &note else { panic!() };
    assert_eq!(q.time_field, TimeField::Occurred);
    assert_eq!(q.aggregate, Aggregate::Count);
    let mrr = parse(
        r#"{"type":"synced","kind":"deal","time_field":"close_date","filters":{"closed_won":true},
            "aggregate":{"type":"sum","properties":["mrr","hs_mrr","amount"]}}"#,
    );
    assert_eq!(mrr.validate(), Ok(()));
    assert_eq!(parse(r#"{"type":"manual"}"#), Source::Manual);
    assert_eq!(
        parse(r#"{"type":"formula","formula":"m:1 / m:2 * 100"}"#).validate(),
        Ok(())
    );
    let back: Source = serde_json::from_str(&serde_json::to_string(&mrr).unwrap()).unwrap();
    assert_eq!(back, mrr);
}

#[test]
fn unknown_fields_and_kinds_are_refused() {
    assert!(serde_json::from_str::<Source>(r#"{"type":"synced","kind":"fax"}"#).is_err());
    assert!(
        serde_json::from_str::<Source>(
            r#"{"type":"synced","kind":"call","filters":{"colour":"red"}}"#
        )
        .is_err()
    );
    assert!(serde_json::from_str::<Source>(r#"{"type":"magic"}"#).is_err());
}

#[test]
fn bad_definitions_name_their_field() {
    let field = |json: &str| parse(json).validate().unwrap_err().field;
    assert_eq!(
        field(r#"{"type":"formula","formula":"m:1 +"}"#),
        "source.formula"
    );
    assert_eq!(
        field(r#"{"type":"synced","kind":"call","time_field":"close_date"}"#),
        "source.time_field"
    );
    assert_eq!(
        field(r#"{"type":"synced","kind":"note","time_field":"start"}"#),
        "source.time_field"
    );
    assert_eq!(
        field(r#"{"type":"synced","kind":"note","filters":{"call_direction":"INBOUND"}}"#),
        "source.filters.call_direction"
    );
    assert_eq!(
        field(r#"{"type":"synced","kind":"call","filters":{"call_direction":"SIDEWAYS"}}"#),
        "source.filters.call_direction"
    );
    assert_eq!(
        field(r#"{"type":"synced","kind":"call","filters":{"meeting_type":["FTA"]}}"#),
        "source.filters.meeting_type"
    );
    assert_eq!(
        field(r#"{"type":"synced","kind":"meeting","filters":{"closed_won":true}}"#),
        "source.filters.closed_won"
    );
    assert_eq!(
        field(r#"{"type":"synced","kind":"note","filters":{"keywords":["ceo"," "]}}"#),
        "source.filters.keywords"
    );
    assert_eq!(
        field(
            r#"{"type":"synced","kind":"deal","time_field":"close_date","aggregate":{"type":"sum","properties":[]}}"#
        ),
        "source.aggregate.properties"
    );
    assert_eq!(
        field(r#"{"type":"synced","kind":"deal"}"#),
        "source.time_field"
    );
}

#[test]
fn a_direction_filter_is_a_direction_or_its_negation() {
    let f: Filters = serde_json::from_str(r#"{"call_direction": {"not": "INBOUND"}}"#).unwrap();
    let not_inbound = f.call_direction.unwrap();
    assert_eq!(not_inbound, DirectionFilter::Not("INBOUND".into()));
    assert!(not_inbound.matches(Some("OUTBOUND")));
    assert!(
        not_inbound.matches(None),
        "a call without a direction is a dial"
    );
    assert!(
        not_inbound.matches(Some(" ")),
        "a blank direction is no direction"
    );
    assert!(!not_inbound.matches(Some("inbound")));
    let outbound = DirectionFilter::Is("outbound".into());
    assert!(outbound.matches(Some("OUTBOUND")));
    assert!(!outbound.matches(None));
    assert_eq!(
        serde_json::to_value(&not_inbound).unwrap(),
        serde_json::json!({"not": "INBOUND"})
    );
    assert_eq!(serde_json::to_value(&outbound).unwrap(), "outbound");
    for bad in [
        r#"{"not": 1}"#,
        r#"{"is": "INBOUND"}"#,
        "7",
        r#"{"not": "INBOUND", "x": 1}"#,
    ] {
        let err = serde_json::from_str::<Filters>(&format!(r#"{{"call_direction": {bad}}}"#))
            .unwrap_err()
            .to_string();
        assert!(err.contains(r#"{"not": "INBOUND"}"#), "{bad}: {err}");
    }
    let field = |json: &str| parse(json).validate().unwrap_err().field;
    assert_eq!(
        field(r#"{"type":"synced","kind":"call","filters":{"call_direction":{"not":"SIDEWAYS"}}}"#),
        "source.filters.call_direction"
    );
}

#[test]
fn measurable_input_checks_name_decimals_and_goal() {
    let mut input = MeasurableInput {
        section: "Inside sales".into(),
        name: "Dials".into(),
        person_id: None,
        unit: Unit::Count,
        decimals: 0,
        goal: Some(Goal::at_least(125.0)),
        goal_effective_from: None,
        source: Source::Manual,
    };
    assert_eq!(input.validate(), Ok(()));
    input.decimals = 9;
    assert_eq!(input.validate().unwrap_err().field, "decimals");
    input.decimals = 0;
    input.goal = Some(Goal::at_least(1.0).with_band(2.0));
    assert_eq!(input.validate().unwrap_err().field, "goal");
    input.goal = None;
    input.name = " ".into();
    assert_eq!(input.validate().unwrap_err().field, "name");
}
