//! "The first non-empty of these properties": how a sum measurable reads a
//! record.
//!
//! A sum such as MRR closed names properties in order of preference
//! (`["mrr", "hs_mrr", "amount"]`): per record, the first one that holds a
//! value is the one that counts. Portals leave properties out, send `null`
//! for defined-but-unset ones and `""` for cleared ones, so "empty" needs one
//! definition, used everywhere a sum is computed (the per-week sums read in
//! SQL and the record lists of the cell page and the preview):
//!
//! * absent, `null` and a blank string (nothing but whitespace) are empty;
//! * anything else is a value, `"0"` included, and stops the search;
//! * the value counts as a number when it is one (`"3000"`, `"2500.50"`,
//!   `"-12"`, `"1e3"`, surrounding spaces allowed); a value that is not a
//!   number (`"n/a"`) counts 0 and is reported, it does not fall through to
//!   the next property.

use serde_json::Value;

/// What one record contributes to a sum.
#[derive(Debug, Clone, PartialEq)]
pub struct Picked<'a> {
    /// The property that held the value (`None`: every property was empty).
    pub property: Option<&'a str>,
    /// The value as text, when one was found.
    pub text: Option<String>,
    /// What it adds to the sum.
    pub amount: f64,
    /// A value was found but it is not a number.
    pub not_a_number: bool,
}

/// Whether a property value, as text, is empty: absent, `null` or blank.
pub fn is_empty(value: Option<&str>) -> bool {
    value.is_none_or(|v| v.trim().is_empty())
}

/// A property value as a number: optional sign, digits with an optional
/// fraction, an optional exponent, surrounding whitespace allowed. Words
/// Rust would accept (`inf`, `NaN`) are not numbers here.
pub fn number(text: &str) -> Option<f64> {
    let t = text.trim();
    let body = t.strip_prefix(['+', '-']).unwrap_or(t);
    let (mantissa, exponent) = match body.find(['e', 'E']) {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let (whole, fraction) = mantissa.split_once('.').unwrap_or((mantissa, ""));
    let digits = |s: &str| s.chars().all(|c| c.is_ascii_digit());
    let mantissa_ok =
        digits(whole) && digits(fraction) && !(whole.is_empty() && fraction.is_empty());
    let exponent_ok = exponent.is_none_or(|e| {
        let e = e.strip_prefix(['+', '-']).unwrap_or(e);
        !e.is_empty() && digits(e)
    });
    if !(mantissa_ok && exponent_ok) {
        return None;
    }
    t.parse::<f64>().ok().filter(|v| v.is_finite())
}

/// A JSON property value as text: strings as they are, numbers and booleans
/// written out, `null` (and arrays or objects, which HubSpot never sends as
/// property values) as nothing.
pub fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Applies the rule to the values of `names`, in order (`values[i]` is the
/// text of `names[i]`, `None` when absent or null).
pub fn pick<'a>(names: &'a [String], values: &[Option<String>]) -> Picked<'a> {
    for (name, value) in names.iter().zip(values) {
        if is_empty(value.as_deref()) {
            continue;
        }
        let text = value.clone();
        let parsed = text.as_deref().and_then(number);
        return Picked {
            property: Some(name.as_str()),
            amount: parsed.unwrap_or(0.0),
            not_a_number: parsed.is_none(),
            text,
        };
    }
    Picked {
        property: None,
        text: None,
        amount: 0.0,
        not_a_number: false,
    }
}

/// Applies the rule to a record's properties object.
pub fn pick_from<'a>(properties: &Value, names: &'a [String]) -> Picked<'a> {
    let values: Vec<Option<String>> = names
        .iter()
        .map(|n| properties.get(n.as_str()).and_then(text_of))
        .collect();
    pick(names, &values)
}

#[cfg(test)]
#[allow(clippy::unwrap_used)]
mod tests {
    use serde_json::json;

    use super::*;

    fn names() -> Vec<String> {
        ["mrr", "hs_mrr", "amount"].map(str::to_owned).to_vec()
    }

    fn amount(props: Value) -> f64 {
        pick_from(&props, &names()).amount
    }

    #[test]
    fn the_first_property_holding_a_value_counts() {
        assert_eq!(
            amount(json!({"mrr": "3000", "hs_mrr": "2500", "amount": "36000"})),
            3000.0
        );
        assert_eq!(amount(json!({"mrr": "5200", "amount": "5800"})), 5200.0);
        assert_eq!(amount(json!({"hs_mrr": "2500", "amount": "36000"})), 2500.0);
    }

    #[test]
    fn absent_null_and_blank_are_empty_but_zero_is_a_value() {
        assert_eq!(amount(json!({"mrr": "", "hs_mrr": "1500"})), 1500.0);
        assert_eq!(amount(json!({"mrr": "   ", "hs_mrr": "1500"})), 1500.0);
        assert_eq!(amount(json!({"mrr": null, "amount": "4200"})), 4200.0);
        assert_eq!(amount(json!({"hs_mrr": "", "amount": "4200"})), 4200.0);
        assert_eq!(amount(json!({"mrr": "0", "amount": "900"})), 0.0);
        let names = names();
        let p = pick_from(&json!({"mrr": "0", "amount": "900"}), &names).property;
        assert_eq!(p, Some("mrr"));
        assert_eq!(amount(json!({})), 0.0);
        assert_eq!(pick_from(&json!({}), &names).property, None);
    }

    #[test]
    fn a_value_that_is_not_a_number_counts_zero_and_stops_the_search() {
        let names = names();
        let p = pick_from(&json!({"mrr": "n/a", "amount": "900"}), &names);
        assert_eq!(
            (p.property, p.amount, p.not_a_number),
            (Some("mrr"), 0.0, true)
        );
    }

    #[test]
    fn numbers_are_decimal_literals_only() {
        for (text, want) in [
            ("3000", Some(3000.0)),
            (" 2500.50 ", Some(2500.5)),
            ("-12", Some(-12.0)),
            ("+7", Some(7.0)),
            ("1e3", Some(1000.0)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            ("0", Some(0.0)),
            ("inf", None),
            ("NaN", None),
            ("12abc", None),
            ("1,000", None),
            ("", None),
            (".", None),
            ("1e", None),
            ("--1", None),
        ] {
            assert_eq!(number(text), want, "{text:?}");
        }
    }

    #[test]
    fn json_numbers_and_booleans_are_values() {
        assert_eq!(amount(json!({"mrr": 3000, "amount": "1"})), 3000.0);
        assert_eq!(text_of(&json!(true)).as_deref(), Some("true"));
        assert_eq!(text_of(&json!(null)), None);
    }
}
