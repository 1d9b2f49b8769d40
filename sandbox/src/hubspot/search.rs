//! CRM search: `POST .../objects/{type}/search` with filter groups, one sort, free-text
//! query, offset paging and the 10,000-result cap.
//!
//! Exists to reproduce the documented limits (5 groups x 6 filters, 18 filters in total,
//! limit <= 200, `after` >= 10,000 answers 400) and operator semantics, since Tally's sync
//! windows depend on them.

use std::cmp::Ordering;

use axum::Json;
use axum::extract::{Path, State};
use axum::http::HeaderMap;
use axum::response::{IntoResponse, Response};
use serde::Deserialize;
use serde_json::{Value, json};

use super::crm::{object_json, parse_kind};
use super::errors;
use super::scopes::{authorize, read_scopes};
use crate::Sandbox;
use crate::model::{ObjectKind, Record, Typed, parse_time};
use crate::store::{PropRef, Store};

/// Maximum results reachable through paging.
pub const RESULT_CAP: usize = 10_000;

/// A search request body.
#[derive(Debug, Deserialize, Default)]
#[serde(rename_all = "camelCase")]
pub struct SearchBody {
    #[serde(default)]
    pub filter_groups: Vec<FilterGroup>,
    #[serde(default)]
    pub sorts: Vec<Value>,
    #[serde(default)]
    pub properties: Option<Vec<String>>,
    #[serde(default)]
    pub limit: Option<Value>,
    #[serde(default)]
    pub after: Option<Value>,
    #[serde(default)]
    pub query: Option<String>,
}

/// Filters ANDed together.
#[derive(Debug, Deserialize, Default)]
pub struct FilterGroup {
    #[serde(default)]
    pub filters: Vec<Filter>,
}

/// One filter.
#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Filter {
    pub property_name: String,
    pub operator: String,
    #[serde(default)]
    pub value: Option<Value>,
    #[serde(default)]
    pub high_value: Option<Value>,
    #[serde(default)]
    pub values: Option<Vec<Value>>,
}

fn val_str(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

/// A filter value, parsed once per request rather than once per record.
#[derive(Debug, Default)]
struct Operand {
    text: String,
    lower: String,
    /// The value as a plain number, compared with numeric text.
    num: Option<f64>,
    /// The value as a number or a date (epoch ms or ISO), compared with numbers and times.
    num_or_time: Option<f64>,
}

impl Operand {
    fn new(v: Option<&Value>) -> Operand {
        let text = v.map(val_str).unwrap_or_default();
        let num = text.parse::<f64>().ok();
        Operand {
            lower: text.to_lowercase(),
            num,
            num_or_time: num.or_else(|| parse_time(&text).map(|t| t as f64)),
            text,
        }
    }
}

/// Compares a stored value with a filter value: numerically when the stored value is a
/// number or timestamp (filter values may be epoch ms or ISO dates), else case-insensitively.
fn compare(stored: &Typed<'_>, filter: &Operand) -> Option<Ordering> {
    match stored {
        Typed::Num(n) => (*n as f64).partial_cmp(&filter.num_or_time?),
        Typed::Str(s) => {
            if let (Ok(a), Some(b)) = (s.parse::<f64>(), filter.num) {
                return a.partial_cmp(&b);
            }
            Some(s.to_lowercase().cmp(&filter.lower))
        }
    }
}

fn typed_text(t: &Typed<'_>) -> String {
    match t {
        Typed::Num(n) => n.to_string(),
        Typed::Str(s) => s.to_string(),
    }
}

fn token_match(text: &str, pattern: &str) -> bool {
    let p = pattern.to_lowercase();
    let text = text.to_lowercase();
    // `.` and `@` stay inside tokens (emails, domains) but not at their ends ("Founder.").
    let tokens = text
        .split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '_')
        .map(|t| t.trim_matches('.'));
    let (star_start, star_end) = (p.starts_with('*'), p.ends_with('*'));
    let core = p.trim_matches('*');
    if core.is_empty() {
        return true;
    }
    if core.contains(' ') {
        return text.contains(core);
    }
    tokens.into_iter().any(|t| match (star_start, star_end) {
        (true, true) => t.contains(core),
        (true, false) => t.ends_with(core),
        (false, true) => t.starts_with(core),
        (false, false) => t == core,
    })
}

/// What a filter tests, resolved once per request.
#[derive(Debug)]
enum Subject {
    /// `associations.{type}`: whether the record is associated with one id.
    Association(Option<(ObjectKind, u64)>),
    Property(PropRef),
}

/// A filter with its property and values resolved.
#[derive(Debug)]
struct Prepared<'b> {
    operator: &'b str,
    subject: Subject,
    value: Operand,
    high: Operand,
    values: Vec<Operand>,
}

impl<'b> Prepared<'b> {
    fn new(s: &Store, f: &'b Filter) -> Prepared<'b> {
        let value = Operand::new(f.value.as_ref());
        let subject = match f.property_name.strip_prefix("associations.") {
            Some(to) => Subject::Association(ObjectKind::parse(to).and_then(|to| {
                // Ids are compared as HubSpot writes them: canonical decimals.
                let id = value.text.parse::<u64>().ok()?;
                (id.to_string() == value.text).then_some((to, id))
            })),
            None => Subject::Property(s.prop_ref(&f.property_name)),
        };
        Prepared {
            operator: f.operator.as_str(),
            subject,
            high: Operand::new(f.high_value.as_ref()),
            values: f
                .values
                .iter()
                .flatten()
                .map(|v| Operand::new(Some(v)))
                .collect(),
            value,
        }
    }
}

/// Evaluates one filter on a record.
fn matches(s: &Store, rec: &Record, f: &Prepared<'_>) -> bool {
    let prop = match f.subject {
        Subject::Association(want) => {
            let has = want.is_some_and(|(to, id)| rec.assoc.contains(&(to, id)));
            return match f.operator {
                "EQ" => has,
                "NEQ" => !has,
                _ => false,
            };
        }
        Subject::Property(p) => p,
    };
    // A blank value is no value: range and equality filters never match it.
    let stored = s
        .typed(rec, prop)
        .filter(|v| !matches!(v, Typed::Str(t) if t.is_empty()));
    let value = &f.value;
    match f.operator {
        "HAS_PROPERTY" => stored.is_some_and(|v| !typed_text(&v).is_empty()),
        "NOT_HAS_PROPERTY" => stored.is_none_or(|v| typed_text(&v).is_empty()),
        "EQ" => stored.is_some_and(|v| {
            compare(&v, value) == Some(Ordering::Equal) || multi_contains(&v, &value.text)
        }),
        "NEQ" => stored.is_none_or(|v| {
            compare(&v, value) != Some(Ordering::Equal) && !multi_contains(&v, &value.text)
        }),
        "LT" => stored.is_some_and(|v| compare(&v, value) == Some(Ordering::Less)),
        "LTE" => stored
            .is_some_and(|v| matches!(compare(&v, value), Some(Ordering::Less | Ordering::Equal))),
        "GT" => stored.is_some_and(|v| compare(&v, value) == Some(Ordering::Greater)),
        "GTE" => stored.is_some_and(|v| {
            matches!(
                compare(&v, value),
                Some(Ordering::Greater | Ordering::Equal)
            )
        }),
        "BETWEEN" => stored.is_some_and(|v| {
            matches!(
                compare(&v, value),
                Some(Ordering::Greater | Ordering::Equal)
            ) && matches!(compare(&v, &f.high), Some(Ordering::Less | Ordering::Equal))
        }),
        "IN" | "NOT_IN" => {
            let hit = stored.as_ref().is_some_and(|v| {
                f.values
                    .iter()
                    .any(|x| compare(v, x) == Some(Ordering::Equal) || multi_contains(v, &x.text))
            });
            if f.operator == "IN" { hit } else { !hit }
        }
        "CONTAINS_TOKEN" => stored.is_some_and(|v| token_match(&typed_text(&v), &value.text)),
        "NOT_CONTAINS_TOKEN" => stored.is_none_or(|v| !token_match(&typed_text(&v), &value.text)),
        _ => false,
    }
}

/// Multi-select values are `;`-separated (e.g. `;BUDGET_HOLDER;DECISION_MAKER`).
fn multi_contains(v: &Typed<'_>, x: &str) -> bool {
    match v {
        Typed::Str(s) if s.contains(';') => s.split(';').any(|p| p.eq_ignore_ascii_case(x)),
        _ => false,
    }
}

const OPERATORS: &[&str] = &[
    "EQ",
    "NEQ",
    "LT",
    "LTE",
    "GT",
    "GTE",
    "BETWEEN",
    "IN",
    "NOT_IN",
    "HAS_PROPERTY",
    "NOT_HAS_PROPERTY",
    "CONTAINS_TOKEN",
    "NOT_CONTAINS_TOKEN",
];

fn validate(b: &SearchBody) -> Result<(), String> {
    if b.filter_groups.len() > 5 {
        return Err(format!(
            "Too many filter groups ({}). The maximum number of filter groups is 5.",
            b.filter_groups.len()
        ));
    }
    let mut total = 0;
    for g in &b.filter_groups {
        if g.filters.len() > 6 {
            return Err(format!(
                "Too many filters in a filter group ({}). The maximum number of filters per group is 6.",
                g.filters.len()
            ));
        }
        total += g.filters.len();
        for f in &g.filters {
            if !OPERATORS.contains(&f.operator.as_str()) {
                return Err(format!("Invalid operator: {}", f.operator));
            }
            let needs_value = !matches!(
                f.operator.as_str(),
                "HAS_PROPERTY" | "NOT_HAS_PROPERTY" | "IN" | "NOT_IN"
            );
            if needs_value && f.value.is_none() {
                return Err(format!(
                    "Filter on {} with operator {} requires a value.",
                    f.property_name, f.operator
                ));
            }
            if f.operator == "BETWEEN" && f.high_value.is_none() {
                return Err("BETWEEN requires highValue.".into());
            }
            if matches!(f.operator.as_str(), "IN" | "NOT_IN")
                && f.values.as_ref().is_none_or(|v| v.is_empty())
            {
                return Err(format!("{} requires values.", f.operator));
            }
        }
    }
    if total > 18 {
        return Err(format!(
            "Too many filters ({total}). The maximum number of filters across all groups is 18."
        ));
    }
    if b.sorts.len() > 1 {
        return Err("Only one sort is allowed.".into());
    }
    if b.query.as_ref().is_some_and(|q| q.len() > 3000) {
        return Err("The request body is too large (max 3000 characters).".into());
    }
    Ok(())
}

fn num_field(v: &Option<Value>, default: usize) -> Result<usize, String> {
    match v {
        None | Some(Value::Null) => Ok(default),
        Some(Value::Number(n)) => n
            .as_u64()
            .map(|x| x as usize)
            .ok_or("must be a non-negative integer".into()),
        Some(Value::String(s)) if s.is_empty() => Ok(default),
        Some(Value::String(s)) => s
            .parse::<usize>()
            .map_err(|_| format!("'{s}' is not a valid integer")),
        Some(_) => Err("must be an integer".into()),
    }
}

/// The matching records, sorted, as `(total, page, next_after)`.
pub fn run<'a>(
    s: &'a Store,
    kind: ObjectKind,
    b: &SearchBody,
) -> Result<(usize, Vec<&'a Record>, Option<usize>), Response> {
    if let Err(m) = validate(b) {
        return Err(errors::validation(&m));
    }
    let limit = num_field(&b.limit, 10).map_err(|m| errors::validation(&format!("limit {m}")))?;
    if limit > 200 {
        return Err(errors::validation(
            "The maximum number of objects per page is 200.",
        ));
    }
    let limit = limit.max(1);
    let after = num_field(&b.after, 0).map_err(|m| errors::validation(&format!("after {m}")))?;
    if after >= RESULT_CAP {
        return Err(errors::validation(&format!(
            "Cannot page beyond {RESULT_CAP} results. Narrow the search with filters (e.g. on hs_lastmodifieddate or hs_object_id)."
        )));
    }
    let query = b.query.as_deref().map(str::trim).filter(|q| !q.is_empty());
    let groups: Vec<Vec<Prepared<'_>>> = b
        .filter_groups
        .iter()
        .map(|g| g.filters.iter().map(|f| Prepared::new(s, f)).collect())
        .collect();
    let hits: Vec<&Record> = s
        .table(kind)
        .records
        .iter()
        .filter(|r| !r.archived)
        .filter(|r| groups.is_empty() || groups.iter().any(|g| g.iter().all(|f| matches(s, r, f))))
        .filter(|r| {
            query.is_none_or(|q| {
                kind.searchable_text().iter().any(|p| {
                    s.prop_string(r, p).is_some_and(|v| {
                        token_match(&v, q) || v.to_lowercase().contains(&q.to_lowercase())
                    })
                })
            })
        })
        .collect();
    let total = hits.len();
    // Nothing past the 10,000th result is ever returned.
    let end = (after + limit).min(total).min(RESULT_CAP);
    let page = match b.sorts.first() {
        _ if after >= end => Vec::new(),
        None => hits[after..end].to_vec(),
        Some(sort) => {
            let (prop, desc) = match sort {
                Value::String(p) => (p.trim_start_matches('-').to_string(), p.starts_with('-')),
                other => (
                    other.get("propertyName").map(val_str).unwrap_or_default(),
                    other
                        .get("direction")
                        .map(val_str)
                        .is_some_and(|d| d.eq_ignore_ascii_case("DESCENDING")),
                ),
            };
            first_sorted(s, hits, s.prop_ref(&prop), desc, end)[after..].to_vec()
        }
    };
    let next = (end < total).then_some(end);
    Ok((total, page, next))
}

/// A record with its sort value read once.
struct SortKey<'a> {
    rec: &'a Record,
    value: Option<Typed<'a>>,
    /// Lower-cased text of a string value (strings sort case-insensitively).
    lower: Option<String>,
}

impl SortKey<'_> {
    fn text(&self) -> std::borrow::Cow<'_, str> {
        match (&self.lower, &self.value) {
            (Some(l), _) => l.as_str().into(),
            (None, Some(v)) => typed_text(v).into(),
            (None, None) => "".into(),
        }
    }
}

/// The first `n` of `hits` in sort order (records without the value after the others,
/// before them descending; ties by id): a partial
/// selection, so a page costs O(hits + n log n), not a sort of every match.
fn first_sorted<'a>(
    s: &'a Store,
    hits: Vec<&'a Record>,
    prop: PropRef,
    desc: bool,
    n: usize,
) -> Vec<&'a Record> {
    let mut keys: Vec<SortKey<'a>> = hits
        .into_iter()
        .map(|rec| {
            let value = s.typed(rec, prop);
            let lower = match value {
                Some(Typed::Str(t)) => Some(t.to_lowercase()),
                _ => None,
            };
            SortKey { rec, value, lower }
        })
        .collect();
    let order = |a: &SortKey<'_>, b: &SortKey<'_>| {
        let o = match (&a.value, &b.value) {
            (Some(Typed::Num(x)), Some(Typed::Num(y))) => x.cmp(y),
            (Some(_), Some(_)) => a.text().cmp(&b.text()),
            (Some(_), None) => Ordering::Less,
            (None, Some(_)) => Ordering::Greater,
            (None, None) => Ordering::Equal,
        };
        let o = if desc { o.reverse() } else { o };
        o.then(a.rec.id.cmp(&b.rec.id))
    };
    if n == 0 {
        return Vec::new();
    }
    if n < keys.len() {
        keys.select_nth_unstable_by(n - 1, order);
        keys.truncate(n);
    }
    keys.sort_unstable_by(order);
    keys.into_iter().map(|k| k.rec).collect()
}

/// `POST .../objects/{type}/search`.
pub async fn search(
    State(sb): State<Sandbox>,
    Path(ty): Path<String>,
    headers: HeaderMap,
    body: axum::body::Bytes,
) -> Response {
    let kind = match parse_kind(&ty) {
        Ok(k) => k,
        Err(r) => return r,
    };
    if let Err(r) = authorize(&sb, &headers, read_scopes(kind)) {
        return r;
    }
    let b: SearchBody = if body.is_empty() {
        SearchBody::default()
    } else {
        match serde_json::from_slice(&body) {
            Ok(b) => b,
            Err(e) => return errors::validation(&format!("Invalid input JSON: {e}")),
        }
    };
    let s = sb.store();
    let (total, page, next) = match run(&s, kind, &b) {
        Ok(x) => x,
        Err(r) => return r,
    };
    let props = b.properties.as_deref().filter(|p| !p.is_empty());
    let results: Vec<Value> = page
        .iter()
        .map(|r| object_json(&s, kind, r, props, None))
        .collect();
    let mut out = json!({"total": total, "results": results});
    if let Some(n) = next {
        out["paging"] = json!({"next": {"after": n.to_string(), "link": format!("?after={n}")}});
    }
    Json(out).into_response()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Val;

    /// A store of calls whose `hs_call_title` mixes cases, repeats and gaps, and whose
    /// modification times repeat.
    fn store() -> Store {
        let mut s = Store::empty();
        let title = s.prop_key("hs_call_title");
        let words = ["beta", "Alpha", "alpha", "Gamma", "delta", "BETA"];
        for i in 0..500_u64 {
            let props: Vec<(u16, Val)> = if i % 7 == 3 {
                Vec::new()
            } else {
                vec![(title, Val::Str(words[(i * 13 % 6) as usize].into()))]
            };
            let id = s.alloc_id();
            s.insert(
                ObjectKind::Calls,
                Record {
                    id,
                    created: 1_000,
                    updated: 1_000 + ((i * 37) % 50) as i64,
                    archived: i % 11 == 5,
                    props: props.into_boxed_slice(),
                    assoc: Vec::new(),
                },
            );
        }
        s
    }

    /// Every record the paged search returns, in order.
    fn paged(s: &Store, sort: Value, limit: usize) -> Vec<u64> {
        let mut out = Vec::new();
        let mut after = 0;
        loop {
            let body = SearchBody {
                sorts: vec![sort.clone()],
                limit: Some(json!(limit)),
                after: Some(json!(after)),
                ..SearchBody::default()
            };
            let (_, page, next) = run(s, ObjectKind::Calls, &body).expect("search");
            out.extend(page.iter().map(|r| r.id));
            match next {
                Some(n) => after = n,
                None => return out,
            }
        }
    }

    /// The order a full sort gives: the definition the partial selection must match.
    fn fully_sorted(s: &Store, prop: &str, desc: bool) -> Vec<u64> {
        let mut recs: Vec<&Record> = s
            .table(ObjectKind::Calls)
            .records
            .iter()
            .filter(|r| !r.archived)
            .collect();
        recs.sort_by(|a, b| {
            let (va, vb) = (s.prop_typed(a, prop), s.prop_typed(b, prop));
            let o = match (&va, &vb) {
                (Some(Typed::Num(x)), Some(Typed::Num(y))) => x.cmp(y),
                (Some(x), Some(y)) => typed_text(x)
                    .to_lowercase()
                    .cmp(&typed_text(y).to_lowercase()),
                (Some(_), None) => Ordering::Less,
                (None, Some(_)) => Ordering::Greater,
                (None, None) => Ordering::Equal,
            };
            let o = if desc { o.reverse() } else { o };
            o.then(a.id.cmp(&b.id))
        });
        recs.iter().map(|r| r.id).collect()
    }

    #[test]
    fn a_blank_value_matches_like_a_missing_one() {
        let mut s = Store::empty();
        let start = s.prop_key("hs_meeting_start_time");
        for v in [Some(Val::Ts(1_000)), Some(Val::Str("".into())), None] {
            let id = s.alloc_id();
            s.insert(
                ObjectKind::Meetings,
                Record {
                    id,
                    created: 1_000,
                    updated: 1_000,
                    archived: false,
                    props: v.map(|v| (start, v)).into_iter().collect(),
                    assoc: Vec::new(),
                },
            );
        }
        let total = |filter: Value| {
            let body: SearchBody =
                serde_json::from_value(json!({"filterGroups": [{"filters": [filter]}]}))
                    .expect("body");
            run(&s, ObjectKind::Meetings, &body).expect("search").0
        };
        let f = |op: &str| json!({"propertyName": "hs_meeting_start_time", "operator": op, "value": "5000"});
        assert_eq!(total(f("LTE")), 1);
        assert_eq!(total(f("LT")), 1);
        assert_eq!(total(f("GT")), 0);
        assert_eq!(total(f("NEQ")), 3);
        assert_eq!(total(f("HAS_PROPERTY")), 1);
        assert_eq!(total(f("NOT_HAS_PROPERTY")), 2);
    }

    #[test]
    fn pages_of_a_partial_selection_equal_a_full_sort() {
        let s = store();
        for (prop, desc) in [
            ("hs_call_title", false),
            ("hs_call_title", true),
            ("hs_lastmodifieddate", false),
            ("hs_lastmodifieddate", true),
        ] {
            let want = fully_sorted(&s, prop, desc);
            assert!(want.len() > 400);
            for limit in [1, 7, 200] {
                let sort = json!({"propertyName": prop, "direction": if desc { "DESCENDING" } else { "ASCENDING" }});
                assert_eq!(
                    paged(&s, sort, limit),
                    want,
                    "{prop} desc={desc} limit={limit}"
                );
            }
        }
    }

    #[test]
    fn filters_compare_numbers_dates_and_text_as_before() {
        let s = store();
        let count = |filters: Value| {
            let body: SearchBody =
                serde_json::from_value(json!({"filterGroups": [{"filters": filters}]}))
                    .expect("body");
            run(&s, ObjectKind::Calls, &body).expect("search").0
        };
        let live = |f: &dyn Fn(&Record) -> bool| {
            s.table(ObjectKind::Calls)
                .records
                .iter()
                .filter(|r| !r.archived && f(r))
                .count()
        };
        let iso = crate::model::iso_ms(1_020);
        assert_eq!(
            count(
                json!([{"propertyName": "hs_lastmodifieddate", "operator": "GTE", "value": "1020"}])
            ),
            live(&|r| r.updated >= 1_020)
        );
        assert_eq!(
            count(json!([{"propertyName": "hs_lastmodifieddate", "operator": "LT", "value": iso}])),
            live(&|r| r.updated < 1_020)
        );
        let title = |r: &Record| s.prop_string(r, "hs_call_title").unwrap_or_default();
        assert_eq!(
            count(json!([{"propertyName": "hs_call_title", "operator": "EQ", "value": "ALPHA"}])),
            live(&|r| title(r).eq_ignore_ascii_case("alpha"))
        );
        assert_eq!(
            count(
                json!([{"propertyName": "hs_call_title", "operator": "NOT_IN", "values": ["beta", "gamma"]}])
            ),
            live(&|r| !["beta", "gamma"].contains(&title(r).to_lowercase().as_str()))
        );
        assert_eq!(
            count(json!([{"propertyName": "no_such_property", "operator": "NOT_HAS_PROPERTY"}])),
            live(&|_| true)
        );
    }

    #[test]
    fn tokens() {
        assert!(token_match("Spoke with the owner today", "owner"));
        assert!(!token_match("Spoke with the owners today", "owner"));
        assert!(token_match("Spoke with the owners today", "owner*"));
        assert!(token_match("x@y.example.com", "*@y.example.com"));
        assert!(token_match("Send the proposal to the Founder.", "founder"));
        assert!(token_match("<p>Owner</p>", "owner"));
        assert!(!token_match("the old owner_id column", "owner"));
    }
}
