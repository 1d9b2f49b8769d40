//! Previewing a definition before it is saved: the last 13 weeks' values,
//! the records that count in the chosen week, and, filter by filter, the
//! records that filter alone keeps out, with the near misses a whole-word
//! rule leaves out; plus notes on how records were read (fallback times,
//! which property each sum took) and warnings (unknown or unfetched
//! properties, stale connections).
//!
//! Everything is computed with the same code that fills the scorecard
//! ([`synced::evaluate`], [`synced::matching_with`]), so the preview
//! cannot disagree with the number the definition will show.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use app::{
    domain::{
        measurable::{Filters, RecordKind, Source, SyncedQuery, TimeField},
        measurable_rules::{check_formula, check_person},
        preview::{Exclusion, Preview, PreviewRequest, PreviewWeek, Warning},
        property_names::{self, PropertyName},
    },
    scorecard::{first_non_empty, format_date, near_misses, strip_html, weeks_back},
};
use chrono::{DateTime, NaiveDate, Utc};

use app::domain::{ConnectionId, MeasurableId, OrgId};

use super::{clock::OrgClock, compute, staleness, store, synced, view};
use crate::{
    db::{Db, now_ms},
    error::Result,
    integrations::SyncEngine,
    sync::{catalogue, hubspot, properties},
};

/// The preview of `request` in the organisation.
pub async fn preview(
    db: &Db,
    org_id: OrgId,
    request: &PreviewRequest,
    sync: Option<&dyn SyncEngine>,
) -> Result<Preview> {
    request.source.validate()?;
    let facts = store::org_facts(db, org_id).await?;
    check_person(&facts, request.person_id)?;
    check_formula(&facts, None, &request.source)?;
    let clock = OrgClock::of(db, org_id).await?;
    let week = view::parse_week(&clock, request.week.as_deref())?;
    let weeks = weeks_back(week, 13);
    match &request.source {
        Source::Manual => Ok(Preview {
            notes: vec!["Entered by hand each week: there is nothing to count.".to_owned()],
            ..empty(week, &weeks)
        }),
        Source::Formula { .. } => Ok(formula(db, org_id, &request.source, week, &weeks).await?),
        Source::Synced(q) => {
            Ok(
                synced_preview(db, org_id, &clock, request.person_id, q, week, &weeks, sync)
                    .await?,
            )
        }
    }
}

fn empty(week: NaiveDate, weeks: &[NaiveDate]) -> Preview {
    Preview {
        week: format_date(week),
        weeks: weeks
            .iter()
            .map(|w| PreviewWeek {
                week: format_date(*w),
                value: None,
            })
            .collect(),
        value: None,
        matched: 0,
        records: Vec::new(),
        excluded: Vec::new(),
        notes: Vec::new(),
        warnings: Vec::new(),
    }
}

/// A formula (already checked) over the stored values of the measurables
/// it names.
async fn formula(
    db: &Db,
    org_id: OrgId,
    source: &Source,
    week: NaiveDate,
    weeks: &[NaiveDate],
) -> anyhow::Result<Preview> {
    let Some(formula) = source.formula() else {
        return Ok(empty(week, weeks));
    };
    compute::ensure(db, org_id, weeks).await?;
    let (first, last) = (weeks.first().copied().unwrap_or(week), week);
    let stored: HashMap<(MeasurableId, String), Option<f64>> = store::cells::<Option<f64>>(
        db,
        "measurable_weeks",
        "value",
        org_id,
        &format_date(first),
        &format_date(last),
    )
    .await?
    .into_iter()
    .map(|(id, w, v)| ((id, w), v))
    .collect();
    let mut out = empty(week, weeks);
    for w in &mut out.weeks {
        w.value = formula.eval(|r| stored.get(&(r, w.week.clone())).copied().flatten());
    }
    out.value = out.weeks.last().and_then(|w| w.value);
    Ok(out)
}

#[allow(clippy::too_many_arguments)] // one request's parts
async fn synced_preview(
    db: &Db,
    org_id: OrgId,
    clock: &OrgClock,
    person_id: Option<i64>,
    q: &SyncedQuery,
    week: NaiveDate,
    weeks: &[NaiveDate],
    sync: Option<&dyn SyncEngine>,
) -> anyhow::Result<Preview> {
    let current = clock.current_week();
    let past: Vec<NaiveDate> = weeks.iter().copied().filter(|w| *w <= current).collect();
    let values = synced::evaluate(db, org_id, clock, person_id, q, &past).await?;
    let bounds = clock.bounds(week);
    let matched = synced::matching_with(db, org_id, clock, person_id, q, bounds, None).await?;
    let mut out = empty(week, weeks);
    for w in &mut out.weeks {
        w.value = NaiveDate::parse_from_str(&w.week, "%Y-%m-%d")
            .ok()
            .and_then(|d| values.get(&d).copied());
    }
    out.value = values.get(&week).copied();
    out.matched = matched.len();
    out.records = matched
        .iter()
        .take(Preview::RECORDS)
        .map(|m| synced::record_line(m, q))
        .collect();
    out.excluded = exclusions(db, org_id, clock, person_id, q, bounds, &matched).await?;
    out.notes = notes(q, &matched);
    out.warnings = property_warnings(db, org_id, q, sync).await?;
    let sources = HashMap::new();
    if let Some(stale) = staleness::load(db, org_id, now_ms())
        .await?
        .of(&Source::Synced(Box::new(q.clone())), &sources)
    {
        out.warnings.push(Warning {
            field: "source".to_owned(),
            message: format!("{}: the numbers are {}", stale.reason, stale.label),
        });
    }
    Ok(out)
}

/// "call" / "calls", by record kind.
fn noun(kind: RecordKind, n: usize) -> String {
    let one = match kind {
        RecordKind::Call => "call",
        RecordKind::Meeting => "meeting",
        RecordKind::Note => "note",
        RecordKind::Email => "email",
        RecordKind::Task => "task",
        RecordKind::Deal => "deal",
        RecordKind::FathomMeeting => "recorded meeting",
        RecordKind::AutotaskTicket => "ticket",
        RecordKind::AutotaskTimeEntry => "time entry",
        RecordKind::AircallCall => "phone call",
    };
    match one.strip_suffix('y') {
        _ if n == 1 => format!("{n} {one}"),
        Some(stem) => format!("{n} {stem}ies"),
        None => format!("{n} {one}s"),
    }
}

/// "has" or "have", "mentions" or "mention".
fn verb(n: usize, one: &'static str, many: &'static str) -> &'static str {
    if n == 1 { one } else { many }
}

/// One filter left out of a query, and the column whose values explain
/// what it keeps out.
struct Probe {
    field: &'static str,
    without: SyncedQuery,
    detail: Option<&'static str>,
}

fn probes(q: &SyncedQuery) -> Vec<Probe> {
    let f = &q.filters;
    let without = |clear: fn(&mut Filters)| {
        let mut w = q.clone();
        clear(&mut w.filters);
        w
    };
    let mut out = Vec::new();
    let mut add = |on: bool, field, clear: fn(&mut Filters), detail| {
        if on {
            out.push(Probe {
                field,
                without: without(clear),
                detail,
            });
        }
    };
    add(
        f.call_direction.is_some(),
        "source.filters.call_direction",
        |f| f.call_direction = None,
        Some("UPPER(TRIM(r.call_direction))"),
    );
    add(
        !f.call_outcome.is_empty(),
        "source.filters.call_outcome",
        |f| f.call_outcome.clear(),
        Some("COALESCE(r.disposition_label, r.call_disposition)"),
    );
    add(
        !f.meeting_type.is_empty(),
        "source.filters.meeting_type",
        |f| f.meeting_type.clear(),
        Some("r.activity_type"),
    );
    add(
        !f.meeting_outcome.is_empty(),
        "source.filters.meeting_outcome",
        |f| f.meeting_outcome.clear(),
        Some("r.meeting_outcome"),
    );
    add(
        !f.keywords.is_empty(),
        "source.filters.keywords",
        |f| f.keywords.clear(),
        None,
    );
    add(
        f.contact_in_list.is_some(),
        "source.filters.contact_in_list",
        |f| f.contact_in_list = None,
        None,
    );
    add(
        !f.buying_role.is_empty(),
        "source.filters.buying_role",
        |f| f.buying_role.clear(),
        None,
    );
    add(
        f.closed_won,
        "source.filters.closed_won",
        |f| f.closed_won = false,
        None,
    );
    add(
        f.pipeline.is_some(),
        "source.filters.pipeline",
        |f| f.pipeline = None,
        Some(
            "COALESCE((SELECT pp.label FROM pipelines pp WHERE pp.connection_id = r.connection_id \
             AND pp.external_id = r.pipeline), r.pipeline)",
        ),
    );
    add(
        !f.queue.is_empty(),
        "source.filters.queue",
        |f| f.queue.clear(),
        Some("COALESCE(r.queue_label, r.queue)"),
    );
    add(
        f.closed_same_day,
        "source.filters.closed_same_day",
        |f| f.closed_same_day = false,
        None,
    );
    add(
        f.billable.is_some(),
        "source.filters.billable",
        |f| f.billable = None,
        None,
    );
    add(
        f.answered.is_some(),
        "source.filters.answered",
        |f| f.answered = None,
        None,
    );
    add(
        f.min_duration_seconds.is_some(),
        "source.filters.min_duration_seconds",
        |f| f.min_duration_seconds = None,
        None,
    );
    out
}

/// "Follow Up 3, Discovery 2" for the most common values.
fn breakdown(values: &[Option<String>], none: &str) -> String {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for v in values {
        let key = v
            .as_deref()
            .map(str::trim)
            .filter(|v| !v.is_empty())
            .unwrap_or(none)
            .to_owned();
        *counts.entry(key).or_default() += 1;
    }
    let mut sorted: Vec<(String, usize)> = counts.into_iter().collect();
    sorted.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    sorted
        .iter()
        .take(4)
        .map(|(k, n)| format!("{k} {n}"))
        .collect::<Vec<_>>()
        .join(", ")
}

fn describe(q: &SyncedQuery, field: &str, excluded: &[synced::Matched]) -> String {
    let n = excluded.len();
    let kind = q.kind;
    let details: Vec<Option<String>> = excluded.iter().map(|m| m.detail.clone()).collect();
    let f = &q.filters;
    match field {
        "source.filters.call_direction" => {
            let mut by: BTreeMap<Option<String>, usize> = BTreeMap::new();
            for d in &details {
                let d = d.clone().filter(|d| !d.trim().is_empty());
                *by.entry(d).or_default() += 1;
            }
            by.iter()
                .map(|(direction, k)| match direction {
                    Some(d) => {
                        let calls = if *k == 1 { "call" } else { "calls" };
                        format!("{k} {d} {calls} not counted")
                    }
                    None => format!("{} without a direction not counted", noun(kind, *k)),
                })
                .collect::<Vec<_>>()
                .join("; ")
        }
        "source.filters.call_outcome" => format!(
            "{} with another outcome not counted ({})",
            noun(kind, n),
            breakdown(&details, "no outcome")
        ),
        "source.filters.meeting_type" => format!(
            "{} of another type not counted ({})",
            noun(kind, n),
            breakdown(&details, "no type")
        ),
        "source.filters.meeting_outcome" => format!(
            "{} with another outcome not counted ({})",
            noun(kind, n),
            breakdown(&details, "no outcome")
        ),
        "source.filters.keywords" => {
            let mut near: BTreeMap<String, usize> = BTreeMap::new();
            for m in excluded {
                let mut words = near_misses(&m.title, &f.keywords);
                for w in near_misses(&strip_html(&m.body), &f.keywords) {
                    if !words.contains(&w) {
                        words.push(w);
                    }
                }
                for w in words {
                    *near.entry(w).or_default() += 1;
                }
            }
            let mut text = format!(
                "{} {} none of the keywords",
                noun(kind, n),
                verb(n, "mentions", "mention")
            );
            if !near.is_empty() {
                let mut near: Vec<(String, usize)> = near.into_iter().collect();
                near.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
                let list: Vec<String> = near
                    .iter()
                    .take(5)
                    .map(|(w, k)| {
                        format!(
                            "{} {} “{w}”",
                            noun(kind, *k),
                            verb(*k, "mentions", "mention")
                        )
                    })
                    .collect();
                text.push_str(&format!(" as a whole word ({})", list.join(", ")));
            }
            text
        }
        "source.filters.contact_in_list" => format!(
            "{} {} no contact in “{}”",
            noun(kind, n),
            verb(n, "has", "have"),
            f.contact_in_list.as_deref().unwrap_or_default()
        ),
        "source.filters.buying_role" => format!(
            "{} {} no contact with buying role {}",
            noun(kind, n),
            verb(n, "has", "have"),
            f.buying_role.join(" or ")
        ),
        "source.filters.closed_won" => format!("{} not closed won", noun(kind, n)),
        "source.filters.queue" => format!(
            "{} in other queues not counted ({})",
            noun(kind, n),
            breakdown(&details, "no queue")
        ),
        "source.filters.closed_same_day" => format!(
            "{} closed on a later day than {} opened not counted",
            noun(kind, n),
            if n == 1 { "it was" } else { "they were" }
        ),
        "source.filters.billable" => format!(
            "{} {} not counted",
            noun(kind, n),
            if f.billable == Some(true) {
                "marked non-billable"
            } else {
                "marked billable"
            }
        ),
        "source.filters.answered" => format!(
            "{} {} not counted",
            noun(kind, n),
            if f.answered == Some(true) {
                "never answered"
            } else {
                "answered"
            }
        ),
        "source.filters.min_duration_seconds" => format!(
            "{} shorter than {} seconds not counted",
            noun(kind, n),
            f.min_duration_seconds.unwrap_or_default()
        ),
        _ => format!(
            "{} in other pipelines ({})",
            noun(kind, n),
            breakdown(&details, "no pipeline")
        ),
    }
}

async fn exclusions(
    db: &Db,
    org_id: OrgId,
    clock: &OrgClock,
    person_id: Option<i64>,
    q: &SyncedQuery,
    bounds: (DateTime<Utc>, DateTime<Utc>),
    matched: &[synced::Matched],
) -> anyhow::Result<Vec<Exclusion>> {
    let counted: BTreeSet<i64> = matched.iter().map(|m| m.id).collect();
    let mut out = Vec::new();
    for probe in probes(q) {
        let excluded: Vec<synced::Matched> = synced::matching_with(
            db,
            org_id,
            clock,
            person_id,
            &probe.without,
            bounds,
            probe.detail,
        )
        .await?
        .into_iter()
        .filter(|m| !counted.contains(&m.id))
        .collect();
        if excluded.is_empty() {
            continue;
        }
        out.push(Exclusion {
            filter: probe.field.to_owned(),
            count: excluded.len(),
            text: describe(q, probe.field, &excluded),
            examples: excluded
                .iter()
                .take(Preview::EXAMPLES)
                .map(|m| synced::record_line(m, q))
                .collect(),
        });
    }
    Ok(out)
}

/// How the counted records were read.
fn notes(q: &SyncedQuery, matched: &[synced::Matched]) -> Vec<String> {
    let mut out = Vec::new();
    if q.time_field == TimeField::Start && q.kind == RecordKind::Meeting {
        let fallback = matched.iter().filter(|m| m.start_missing).count();
        if fallback > 0 {
            out.push(format!(
                "{} without a start time {} placed by hs_timestamp",
                noun(q.kind, fallback),
                if fallback == 1 { "is" } else { "are" }
            ));
        }
    }
    let names = q.properties_named();
    if !names.is_empty() {
        let mut by: BTreeMap<&str, usize> = BTreeMap::new();
        let mut none = 0;
        let mut not_numbers: Vec<String> = Vec::new();
        for m in matched {
            let picked = first_non_empty::pick(names, &m.values);
            match picked.property {
                Some(p) => *by.entry(p).or_default() += 1,
                None => none += 1,
            }
            if picked.not_a_number {
                not_numbers.push(format!(
                    "{} “{}”",
                    picked.property.unwrap_or_default(),
                    picked.text.unwrap_or_default()
                ));
            }
        }
        let mut parts: Vec<String> = names
            .iter()
            .filter_map(|n| by.get(n.as_str()).map(|k| format!("{k} by {n}")))
            .collect();
        if none > 0 {
            parts.push(format!("{} with none of them (0)", noun(q.kind, none)));
        }
        if !parts.is_empty() {
            out.push(format!("Summed: {}", parts.join(", ")));
        }
        if !not_numbers.is_empty() {
            out.push(format!(
                "Not a number, counted 0: {}",
                not_numbers
                    .into_iter()
                    .take(5)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
    }
    out
}

/// Properties the connected portals do not define (with the closest
/// names), and properties not fetched yet.
async fn property_warnings(
    db: &Db,
    org_id: OrgId,
    q: &SyncedQuery,
    sync: Option<&dyn SyncEngine>,
) -> anyhow::Result<Vec<Warning>> {
    let names = q.properties_named();
    let (Some(object), false) = (properties::hubspot_object(q.kind), names.is_empty()) else {
        return Ok(Vec::new());
    };
    let connections = store::live_connections(db, org_id, app::domain::Provider::Hubspot).await?;
    let field = "source.aggregate.properties";
    let mut out = Vec::new();
    let mut unknown = unknown_names(db, &connections, object, names).await?;
    if let Some(sync) = sync
        && !unknown.is_empty()
    {
        // A catalogue older than a minute may predate a property created
        // in HubSpot just now: read it again before saying it is missing.
        let now = now_ms();
        for id in &connections {
            let fresh = catalogue::read_at(db, *id, object)
                .await?
                .is_some_and(|at| now - at <= catalogue::EDITOR_MAX_AGE_MS);
            if !fresh && let Err(e) = sync.refresh_properties(*id, &[object]).await {
                tracing::warn!(error = format!("{e:#}"), "refreshing property definitions");
            }
        }
        unknown = unknown_names(db, &connections, object, names).await?;
    }
    let singular = hubspot::kind(object).map_or(object, |k| k.name);
    for u in &unknown {
        out.push(Warning {
            field: field.to_owned(),
            message: u.message(singular),
        });
    }
    let own = hubspot::kind(object)
        .map(|k| k.properties)
        .unwrap_or_default();
    let missing: Vec<&String> = names
        .iter()
        .filter(|n| !own.contains(&n.as_str()) && !unknown.iter().any(|u| u.name == **n))
        .collect();
    let wanted = BTreeMap::from([(object, missing.iter().map(|n| (*n).clone()).collect())]);
    let mut not_yet = false;
    for id in &connections {
        let pending = properties::pending(db, *id).await?;
        not_yet |= properties::unregistered(db, *id, &wanted).await?
            || pending
                .iter()
                .any(|(o, n)| o == object && missing.contains(&n));
    }
    if not_yet && !missing.is_empty() {
        out.push(Warning {
            field: field.to_owned(),
            message: format!(
                "{} not fetched from HubSpot yet: saving re-reads {object} to fetch {}; until then {} as empty",
                missing.iter().map(|m| m.as_str()).collect::<Vec<_>>().join(", "),
                if missing.len() == 1 { "it" } else { "them" },
                if missing.len() == 1 { "it counts" } else { "they count" },
            ),
        });
    }
    Ok(out)
}

/// The names no connection's catalogue of `object` holds; empty when no
/// catalogue was ever read (nothing to check against).
async fn unknown_names(
    db: &Db,
    connections: &[ConnectionId],
    object: &str,
    names: &[String],
) -> anyhow::Result<Vec<property_names::UnknownProperty>> {
    let mut known: Vec<PropertyName> = Vec::new();
    let mut any = false;
    for id in connections {
        if let Some(list) = catalogue::known(db, *id, object).await? {
            any = true;
            known.extend(list);
        }
    }
    Ok(if any {
        property_names::unknown(names, &known)
    } else {
        Vec::new()
    })
}
