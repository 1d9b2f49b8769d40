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
use crate::store::Store;

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

/// Compares a stored value with a filter value: numerically when the stored value is a
/// number or timestamp (filter values may be epoch ms or ISO dates), else case-insensitively.
fn compare(stored: &Typed<'_>, filter: &str) -> Option<Ordering> {
    match stored {
        Typed::Num(n) => {
            let f = filter
                .parse::<f64>()
                .ok()
                .or_else(|| parse_time(filter).map(|t| t as f64))?;
            (*n as f64).partial_cmp(&f)
        }
        Typed::Str(s) => {
            if let (Ok(a), Ok(b)) = (s.parse::<f64>(), filter.parse::<f64>()) {
                return a.partial_cmp(&b);
            }
            Some(s.to_lowercase().cmp(&filter.to_lowercase()))
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
    let tokens = text.split(|c: char| !c.is_alphanumeric() && c != '@' && c != '.' && c != '_');
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

/// Evaluates one filter on a record.
fn matches(s: &Store, kind: ObjectKind, rec: &Record, f: &Filter) -> bool {
    if let Some(to) = f.property_name.strip_prefix("associations.") {
        let Some(to) = ObjectKind::parse(to) else {
            return false;
        };
        let want = f.value.as_ref().map(val_str).unwrap_or_default();
        let has = rec
            .assoc
            .iter()
            .any(|(k, id)| *k == to && id.to_string() == want);
        return match f.operator.as_str() {
            "EQ" => has,
            "NEQ" => !has,
            _ => false,
        };
    }
    let _ = kind;
    let stored = s.prop_typed(rec, &f.property_name);
    let value = f.value.as_ref().map(val_str).unwrap_or_default();
    match f.operator.as_str() {
        "HAS_PROPERTY" => stored.is_some_and(|v| !typed_text(&v).is_empty()),
        "NOT_HAS_PROPERTY" => stored.is_none_or(|v| typed_text(&v).is_empty()),
        "EQ" => stored.is_some_and(|v| {
            compare(&v, &value) == Some(Ordering::Equal) || multi_contains(&v, &value)
        }),
        "NEQ" => stored.is_none_or(|v| {
            compare(&v, &value) != Some(Ordering::Equal) && !multi_contains(&v, &value)
        }),
        "LT" => stored.is_some_and(|v| compare(&v, &value) == Some(Ordering::Less)),
        "LTE" => stored
            .is_some_and(|v| matches!(compare(&v, &value), Some(Ordering::Less | Ordering::Equal))),
        "GT" => stored.is_some_and(|v| compare(&v, &value) == Some(Ordering::Greater)),
        "GTE" => stored.is_some_and(|v| {
            matches!(
                compare(&v, &value),
                Some(Ordering::Greater | Ordering::Equal)
            )
        }),
        "BETWEEN" => {
            let high = f.high_value.as_ref().map(val_str).unwrap_or_default();
            stored.is_some_and(|v| {
                matches!(
                    compare(&v, &value),
                    Some(Ordering::Greater | Ordering::Equal)
                ) && matches!(compare(&v, &high), Some(Ordering::Less | Ordering::Equal))
            })
        }
        "IN" | "NOT_IN" => {
            let vals: Vec<String> = f
                .values
                .as_ref()
                .map(|v| v.iter().map(val_str).collect())
                .unwrap_or_default();
            let hit = stored.as_ref().is_some_and(|v| {
                vals.iter()
                    .any(|x| compare(v, x) == Some(Ordering::Equal) || multi_contains(v, x))
            });
            if f.operator == "IN" { hit } else { !hit }
        }
        "CONTAINS_TOKEN" => stored.is_some_and(|v| token_match(&typed_text(&v), &value)),
        "NOT_CONTAINS_TOKEN" => stored.is_none_or(|v| !token_match(&typed_text(&v), &value)),
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
    let mut hits: Vec<&Record> = s
        .table(kind)
        .records
        .iter()
        .filter(|r| !r.archived)
        .filter(|r| {
            b.filter_groups.is_empty()
                || b.filter_groups
                    .iter()
                    .any(|g| g.filters.iter().all(|f| matches(s, kind, r, f)))
        })
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
    if let Some(sort) = b.sorts.first() {
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
        hits.sort_by(|a, b| {
            let va = s.prop_typed(a, &prop);
            let vb = s.prop_typed(b, &prop);
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
    }
    let total = hits.len();
    // Nothing past the 10,000th result is ever returned.
    let end = (after + limit).min(total).min(RESULT_CAP);
    let page = if after < total {
        hits[after..end].to_vec()
    } else {
        Vec::new()
    };
    let next = (end < total).then_some(end);
    Ok((total, page, next))
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

    #[test]
    fn tokens() {
        assert!(token_match("Spoke with the owner today", "owner"));
        assert!(!token_match("Spoke with the owners today", "owner"));
        assert!(token_match("Spoke with the owners today", "owner*"));
        assert!(token_match("x@y.example.com", "*@y.example.com"));
    }
}
