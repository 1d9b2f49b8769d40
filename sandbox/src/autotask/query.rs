//! Autotask's query language: the filter JSON of `POST /V1.0/{Entity}/query`
//! and its paging.
//!
//! Exists so Tally's sync meets the real rules: a query needs a filter (a
//! list of conditions, all of which must hold); a condition is
//! `{"op", "field", "value"}` with the ops `eq`, `noteq`, `gt`, `gte`, `lt`,
//! `lte`, `beginsWith`, `endsWith`, `contains`, `exist`, `notExist`, `in`,
//! `notIn`, or a group `{"op": "and"|"or", "items": [...]}`; field names
//! and string comparisons ignore case; date-times compare as instants.
//! Results come in id order, at most `MaxRecords` (1–500, default 500) a
//! page, and `pageDetails.nextPageUrl` is an absolute `GET …/query/next?paging=…`
//! link carrying the query and where the page ended.

use base64::Engine;
use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use serde::{Deserialize, Serialize};
use serde_json::Value;

/// Records a page holds at most.
pub const MAX_RECORDS: usize = 500;

/// A parsed condition.
#[derive(Debug, Clone, PartialEq)]
pub enum Cond {
    /// `op` on `field` against `value`.
    Field { op: Op, field: String, value: Value },
    /// All (`and`) or any (`or`) of the items.
    Group { all: bool, items: Vec<Cond> },
}

/// A comparison.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    Eq,
    NotEq,
    Gt,
    Gte,
    Lt,
    Lte,
    BeginsWith,
    EndsWith,
    Contains,
    Exist,
    NotExist,
    In,
    NotIn,
}

impl Op {
    fn parse(s: &str) -> Option<Op> {
        Some(match s.to_ascii_lowercase().as_str() {
            "eq" => Op::Eq,
            "noteq" => Op::NotEq,
            "gt" => Op::Gt,
            "gte" => Op::Gte,
            "lt" => Op::Lt,
            "lte" => Op::Lte,
            "beginswith" => Op::BeginsWith,
            "endswith" => Op::EndsWith,
            "contains" => Op::Contains,
            "exist" => Op::Exist,
            "notexist" => Op::NotExist,
            "in" => Op::In,
            "notin" => Op::NotIn,
            _ => return None,
        })
    }
}

/// A query as the first request sent it; carried inside the paging token.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
pub struct Query {
    /// The filter as sent (re-parsed for each page).
    pub filter: Value,
    /// Records a page.
    pub max: usize,
    /// The last id of the page before (`None` on the first page).
    pub after: Option<i64>,
}

/// `body`'s value under `key`, ignoring the key's case (Autotask's examples
/// write `MaxRecords`, clients often `maxRecords`).
fn get_ci<'a>(body: &'a Value, key: &str) -> Option<&'a Value> {
    body.as_object()?
        .iter()
        .find(|(k, _)| k.eq_ignore_ascii_case(key))
        .map(|(_, v)| v)
}

/// Reads a query body; the message says what is wrong.
pub fn parse_body(body: &Value, fields: &[&str]) -> Result<(Query, Vec<Cond>), String> {
    let max = match get_ci(body, "MaxRecords") {
        None | Some(Value::Null) => MAX_RECORDS,
        Some(v) => match v.as_u64() {
            Some(n @ 1..=500) => n as usize,
            _ => {
                return Err(format!(
                    "MaxRecords must be between 1 and {MAX_RECORDS}: {v}"
                ));
            }
        },
    };
    let filter = get_ci(body, "filter").cloned().unwrap_or(Value::Null);
    let conds = parse_filter(&filter, fields)?;
    Ok((
        Query {
            filter,
            max,
            after: None,
        },
        conds,
    ))
}

/// Parses a filter (a non-empty list of conditions).
pub fn parse_filter(filter: &Value, fields: &[&str]) -> Result<Vec<Cond>, String> {
    let items = filter
        .as_array()
        .filter(|a| !a.is_empty())
        .ok_or("A query requires a filter: a non-empty list of conditions")?;
    items.iter().map(|c| parse_cond(c, fields)).collect()
}

fn parse_cond(c: &Value, fields: &[&str]) -> Result<Cond, String> {
    let op_text = get_ci(c, "op")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("A filter condition has no op: {c}"))?;
    if op_text.eq_ignore_ascii_case("and") || op_text.eq_ignore_ascii_case("or") {
        let items = get_ci(c, "items")
            .and_then(Value::as_array)
            .filter(|a| !a.is_empty())
            .ok_or_else(|| format!("The {op_text} group needs items: {c}"))?;
        return Ok(Cond::Group {
            all: op_text.eq_ignore_ascii_case("and"),
            items: items
                .iter()
                .map(|i| parse_cond(i, fields))
                .collect::<Result<_, _>>()?,
        });
    }
    let op = Op::parse(op_text).ok_or_else(|| format!("Unknown filter op {op_text}"))?;
    let name = get_ci(c, "field")
        .and_then(Value::as_str)
        .ok_or_else(|| format!("A filter condition has no field: {c}"))?;
    let field = fields
        .iter()
        .find(|f| f.eq_ignore_ascii_case(name))
        .ok_or_else(|| format!("Unable to find {name} in the entity"))?;
    let value = get_ci(c, "value").cloned().unwrap_or(Value::Null);
    if matches!(op, Op::In | Op::NotIn) && !value.is_array() {
        return Err(format!("The {op_text} op needs a list of values: {c}"));
    }
    if !matches!(op, Op::Exist | Op::NotExist) && value.is_null() {
        return Err(format!("The {op_text} op on {name} needs a value"));
    }
    Ok(Cond::Field {
        op,
        field: (*field).to_string(),
        value,
    })
}

/// A date-time or date as epoch ms.
fn instant(s: &str) -> Option<i64> {
    let s = s.trim();
    chrono::DateTime::parse_from_rfc3339(s)
        .map(|d| d.timestamp_millis())
        .ok()
        .or_else(|| {
            chrono::NaiveDateTime::parse_from_str(s, "%Y-%m-%dT%H:%M:%S%.f")
                .ok()
                .map(|d| d.and_utc().timestamp_millis())
        })
        .or_else(|| {
            chrono::NaiveDate::parse_from_str(s, "%Y-%m-%d")
                .ok()
                .and_then(|d| d.and_hms_opt(0, 0, 0))
                .map(|d| d.and_utc().timestamp_millis())
        })
}

/// Orders a record's value against a filter value: numbers numerically,
/// date-times as instants, booleans, else strings ignoring case.
fn order(a: &Value, b: &Value) -> Option<std::cmp::Ordering> {
    match (a, b) {
        (Value::Null, _) | (_, Value::Null) => None,
        (Value::Bool(x), Value::Bool(y)) => Some(x.cmp(y)),
        (Value::Bool(x), Value::String(y)) => Some(x.to_string().cmp(&y.to_lowercase())),
        (Value::Number(x), _) => {
            let y = match b {
                Value::Number(y) => y.as_f64()?,
                Value::String(s) => s.trim().parse().ok()?,
                _ => return None,
            };
            x.as_f64()?.partial_cmp(&y)
        }
        (Value::String(x), Value::String(y)) => match (instant(x), instant(y)) {
            (Some(i), Some(j)) => Some(i.cmp(&j)),
            _ => Some(x.to_lowercase().cmp(&y.to_lowercase())),
        },
        (Value::String(x), Value::Number(y)) => Some(x.to_lowercase().cmp(&y.to_string())),
        _ => None,
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.to_lowercase()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// Whether `record` meets the condition.
pub fn matches(c: &Cond, record: &Value) -> bool {
    use std::cmp::Ordering::{Equal, Greater, Less};
    match c {
        Cond::Group { all: true, items } => items.iter().all(|i| matches(i, record)),
        Cond::Group { all: false, items } => items.iter().any(|i| matches(i, record)),
        Cond::Field { op, field, value } => {
            let v = &record[field.as_str()];
            let contains = |hay: &Value, f: fn(&str, &str) -> bool| match (text(hay), text(value)) {
                (Some(h), Some(n)) => f(&h, &n),
                _ => false,
            };
            let is_in = || {
                value
                    .as_array()
                    .is_some_and(|vs| vs.iter().any(|x| order(v, x) == Some(Equal)))
            };
            match op {
                Op::Exist => !v.is_null() && v != "",
                Op::NotExist => v.is_null() || v == "",
                Op::Eq => order(v, value) == Some(Equal),
                Op::NotEq => order(v, value).is_some_and(|o| o != Equal),
                Op::Gt => order(v, value) == Some(Greater),
                Op::Gte => matches!(order(v, value), Some(Greater | Equal)),
                Op::Lt => order(v, value) == Some(Less),
                Op::Lte => matches!(order(v, value), Some(Less | Equal)),
                Op::BeginsWith => contains(v, |h, n| h.starts_with(n)),
                Op::EndsWith => contains(v, |h, n| h.ends_with(n)),
                Op::Contains => contains(v, |h, n| h.contains(n)),
                Op::In => is_in(),
                Op::NotIn => !v.is_null() && !is_in(),
            }
        }
    }
}

/// The paging token of the page after `last_id`.
pub fn token(q: &Query, last_id: i64) -> String {
    let next = Query {
        after: Some(last_id),
        ..q.clone()
    };
    URL_SAFE_NO_PAD.encode(serde_json::to_vec(&next).unwrap_or_default())
}

/// The query a paging token carries.
pub fn from_token(token: &str) -> Option<Query> {
    let raw = URL_SAFE_NO_PAD.decode(token.trim()).ok()?;
    serde_json::from_slice(&raw).ok()
}

/// One page of `records` (in id order) for `q`: the items and, when more
/// follow, the id the page ended at.
pub fn page(records: Vec<Value>, conds: &[Cond], q: &Query) -> (Vec<Value>, Option<i64>) {
    let mut hits = records
        .into_iter()
        .filter(|r| q.after.is_none_or(|a| r["id"].as_i64().unwrap_or(0) > a))
        .filter(|r| conds.iter().all(|c| matches(c, r)));
    let items: Vec<Value> = hits.by_ref().take(q.max).collect();
    let more = hits.next().is_some();
    let last = items.last().and_then(|r| r["id"].as_i64());
    (items, if more { last } else { None })
}

/// How many `records` meet the conditions.
pub fn count(records: &[Value], conds: &[Cond]) -> usize {
    records
        .iter()
        .filter(|r| conds.iter().all(|c| matches(c, r)))
        .count()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const FIELDS: &[&str] = &["id", "queueID", "title", "createDate", "completedDate"];

    fn conds(f: Value) -> Vec<Cond> {
        parse_filter(&f, FIELDS).unwrap()
    }

    #[test]
    fn dates_compare_as_instants_and_strings_ignore_case() {
        let t = json!({"id": 1, "queueID": 8, "title": "Printer JAM",
                       "createDate": "2026-11-30T14:00:00.5Z", "completedDate": null});
        let all = |f| conds(f).iter().all(|c| matches(c, &t));
        assert!(all(
            json!([{"op":"gte","field":"createdate","value":"2026-11-30T09:00:00-05:00"}])
        ));
        assert!(!all(
            json!([{"op":"gt","field":"createDate","value":"2026-11-30T14:00:00.500Z"}])
        ));
        assert!(all(
            json!([{"op":"contains","field":"title","value":"jam"}])
        ));
        assert!(all(json!([{"op":"notExist","field":"completedDate"}])));
        assert!(all(json!([{"op":"in","field":"queueID","value":[7, "8"]}])));
        assert!(!all(
            json!([{"op":"noteq","field":"completedDate","value":"x"}])
        ));
        assert!(all(json!([{"op":"or","items":[
            {"op":"eq","field":"id","value":2},
            {"op":"beginsWith","field":"title","value":"print"}]}])));
    }

    #[test]
    fn bad_filters_say_what_is_wrong() {
        let err = |f: Value| parse_filter(&f, FIELDS).unwrap_err();
        assert!(err(json!([])).contains("requires a filter"));
        assert!(err(json!([{"op":"like","field":"id","value":1}])).contains("like"));
        assert!(err(json!([{"op":"eq","field":"nope","value":1}])).contains("nope"));
        assert!(err(json!([{"op":"in","field":"id","value":1}])).contains("list"));
        let e = parse_body(&json!({"MaxRecords": 501, "filter": []}), FIELDS).unwrap_err();
        assert!(e.contains("MaxRecords"));
    }

    #[test]
    fn pages_follow_ids_and_tokens_round_trip() {
        let recs: Vec<Value> = (1..=7).map(|i| json!({"id": i})).collect();
        let c = conds(json!([{"op":"gte","field":"id","value":2}]));
        let q = Query {
            filter: json!([]),
            max: 3,
            after: None,
        };
        let (items, last) = page(recs.clone(), &c, &q);
        assert_eq!(items.len(), 3);
        assert_eq!(last, Some(4));
        let q2 = from_token(&token(&q, 4)).unwrap();
        let (items, last) = page(recs.clone(), &c, &q2);
        assert_eq!(
            items
                .iter()
                .map(|r| r["id"].as_i64().unwrap())
                .collect::<Vec<_>>(),
            [5, 6, 7]
        );
        assert_eq!(last, None);
        assert_eq!(count(&recs, &c), 6);
    }
}
