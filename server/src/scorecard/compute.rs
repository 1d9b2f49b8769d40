//! Keeping `measurable_weeks` up to date.
//!
//! Pages and the API only read `measurable_weeks`; this module is the one
//! writer. [`recompute`] evaluates every measurable of an organisation for
//! some weeks, in dependency order so formulas see their inputs' final
//! values (an override of an input flows into the formula), and upserts the
//! results. [`ensure`] fills weeks nobody has computed yet. Synced data
//! changes, definition and goal edits and entries all call [`recompute`].

use std::collections::{BTreeSet, HashMap};

use anyhow::Context as _;
use app::{
    domain::measurable::Source,
    scorecard::{evaluation_order, format_date},
};
use chrono::NaiveDate;

use app::domain::{MeasurableId, OrgId};

use super::{clock::OrgClock, store, synced};
use crate::db::{Db, now_ms};

fn parse(week: &str) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(week, "%Y-%m-%d").ok()
}

/// Recomputes every measurable of the organisation for `weeks`.
pub async fn recompute(db: &Db, org_id: OrgId, weeks: &[NaiveDate]) -> anyhow::Result<()> {
    recompute_some(db, org_id, weeks, None).await
}

/// The stored values of an organisation's measurables in a week range.
async fn stored_values(
    db: &Db,
    org_id: OrgId,
    first: NaiveDate,
    last: NaiveDate,
) -> anyhow::Result<HashMap<(MeasurableId, NaiveDate), Option<f64>>> {
    let rows: Vec<(MeasurableId, String, Option<f64>)> = store::cells(
        db,
        "measurable_weeks",
        "value",
        org_id,
        &format_date(first),
        &format_date(last),
    )
    .await?;
    Ok(rows
        .into_iter()
        .filter_map(|(id, week, value)| Some(((id, parse(&week)?), value)))
        .collect())
}

/// Recomputes the measurables in `only` (all when `None`) for `weeks`;
/// the others keep their stored values, which formulas in `only` read.
pub async fn recompute_some(
    db: &Db,
    org_id: OrgId,
    weeks: &[NaiveDate],
    only: Option<&BTreeSet<MeasurableId>>,
) -> anyhow::Result<()> {
    let weeks: Vec<NaiveDate> = weeks
        .iter()
        .copied()
        .collect::<BTreeSet<_>>()
        .into_iter()
        .collect();
    let (Some(first), Some(last)) = (weeks.first(), weeks.last()) else {
        return Ok(());
    };
    let clock = OrgClock::of(db, org_id).await?;
    let current = clock.current_week();
    let measurables = store::measurables(db, org_id).await?;
    let entries: HashMap<(MeasurableId, NaiveDate), Option<f64>> =
        store::entries(db, org_id, &format_date(*first), &format_date(*last))
            .await?
            .into_iter()
            .filter_map(|(id, week, value)| Some(((id, parse(&week)?), value)))
            .collect();

    let graph: HashMap<MeasurableId, Vec<MeasurableId>> = measurables
        .iter()
        .map(|m| {
            let refs = m
                .source
                .formula()
                .map(|f| f.references())
                .unwrap_or_default();
            (m.id, refs)
        })
        .collect();
    let order =
        evaluation_order(&graph).unwrap_or_else(|_| measurables.iter().map(|m| m.id).collect());
    let by_id: HashMap<MeasurableId, &store::Measurable> =
        measurables.iter().map(|m| (m.id, m)).collect();

    let mut values: HashMap<(MeasurableId, NaiveDate), Option<f64>> = HashMap::new();
    let kept = match only {
        Some(_) => stored_values(db, org_id, *first, *last).await?,
        None => HashMap::new(),
    };
    for id in order {
        let Some(m) = by_id.get(&id) else { continue };
        if only.is_some_and(|only| !only.contains(&id)) {
            for week in &weeks {
                let value = kept.get(&(id, *week)).copied().flatten();
                values.insert((id, *week), value);
            }
            continue;
        }
        let raw: HashMap<NaiveDate, Option<f64>> = match &m.source {
            Source::Synced(query) => {
                let past: Vec<NaiveDate> =
                    weeks.iter().copied().filter(|w| *w <= current).collect();
                synced::evaluate(db, org_id, &clock, m.person_id, query, &past)
                    .await?
                    .into_iter()
                    .map(|(w, v)| (w, Some(v)))
                    .collect()
            }
            Source::Manual => HashMap::new(),
            Source::Formula { .. } => {
                let formula = m.source.formula();
                weeks
                    .iter()
                    .map(|w| {
                        let v = formula
                            .as_ref()
                            .and_then(|f| f.eval(|r| values.get(&(r, *w)).copied().flatten()));
                        (*w, v)
                    })
                    .collect()
            }
        };
        for week in &weeks {
            let value = match entries.get(&(id, *week)) {
                Some(entry) => *entry,
                None => raw.get(week).copied().flatten(),
            };
            values.insert((id, *week), value);
        }
    }

    let now = now_ms();
    let mut tx = db.begin().await.context("starting a recompute")?;
    // A NULL double bound through the Any driver is mis-encoded on
    // PostgreSQL, so "no value" is written as a literal NULL instead.
    let written = values
        .iter()
        .filter(|((id, _), _)| only.is_none_or(|only| only.contains(id)));
    for ((id, week), value) in written {
        let query = match value {
            Some(v) => sqlx::query(
                "INSERT INTO measurable_weeks (measurable_id, week, value, computed_at, shown) VALUES ($1, $2, $3, $4, 0) \
                 ON CONFLICT (measurable_id, week) DO UPDATE SET value = excluded.value, computed_at = excluded.computed_at",
            )
            .bind(*id)
            .bind(format_date(*week))
            .bind(*v)
            .bind(now),
            None => sqlx::query(
                "INSERT INTO measurable_weeks (measurable_id, week, value, computed_at, shown) VALUES ($1, $2, NULL, $3, 0) \
                 ON CONFLICT (measurable_id, week) DO UPDATE SET value = NULL, computed_at = excluded.computed_at",
            )
            .bind(*id)
            .bind(format_date(*week))
            .bind(now),
        };
        query
            .execute(&mut *tx)
            .await
            .context("saving a weekly value")?;
    }
    tx.commit().await.context("saving weekly values")?;
    Ok(())
}

/// Computes the weeks among `weeks` that some measurable has no stored
/// value for yet.
pub async fn ensure(db: &Db, org_id: OrgId, weeks: &[NaiveDate]) -> anyhow::Result<()> {
    let (count,): (i64,) = sqlx::query_as("SELECT COUNT(*) FROM measurables WHERE org_id = $1")
        .bind(org_id)
        .fetch_one(&db.pool)
        .await
        .context("counting measurables")?;
    ensure_for(db, org_id, weeks, count).await
}

/// [`ensure`] for a caller that already knows the organisation has `count`
/// measurables.
pub async fn ensure_for(
    db: &Db,
    org_id: OrgId,
    weeks: &[NaiveDate],
    count: i64,
) -> anyhow::Result<()> {
    let (Some(first), Some(last)) = (weeks.iter().min(), weeks.iter().max()) else {
        return Ok(());
    };
    let stored: Vec<(String, i64)> = sqlx::query_as(
        "SELECT w.week, COUNT(*) FROM measurable_weeks w JOIN measurables m ON m.id = w.measurable_id \
         WHERE m.org_id = $1 AND w.week >= $2 AND w.week <= $3 GROUP BY w.week",
    )
    .bind(org_id)
    .bind(format_date(*first))
    .bind(format_date(*last))
    .fetch_all(&db.pool)
    .await
    .context("checking computed weeks")?;
    let complete: BTreeSet<String> = stored
        .into_iter()
        .filter(|(_, n)| *n >= count)
        .map(|(w, _)| w)
        .collect();
    let missing: Vec<NaiveDate> = weeks
        .iter()
        .copied()
        .filter(|w| !complete.contains(&format_date(*w)))
        .collect();
    if missing.is_empty() {
        return Ok(());
    }
    recompute(db, org_id, &missing).await
}

/// Every week already stored for the organisation, plus the current one:
/// the window a data change or definition edit recomputes.
pub async fn stored_weeks(db: &Db, org_id: OrgId) -> anyhow::Result<Vec<NaiveDate>> {
    let rows: Vec<(String,)> = sqlx::query_as(
        "SELECT DISTINCT w.week FROM measurable_weeks w JOIN measurables m ON m.id = w.measurable_id WHERE m.org_id = $1",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
    .context("listing computed weeks")?;
    let mut weeks: BTreeSet<NaiveDate> = rows.iter().filter_map(|(w,)| parse(w)).collect();
    weeks.insert(OrgClock::of(db, org_id).await?.current_week());
    Ok(weeks.into_iter().collect())
}

/// Recomputes the whole stored window of an organisation.
pub async fn refresh(db: &Db, org_id: OrgId) -> anyhow::Result<()> {
    let weeks = stored_weeks(db, org_id).await?;
    recompute(db, org_id, &weeks).await
}

/// Recomputes, over the whole stored window, just the measurables a change
/// to the synced `objects` can move. Returns how many it recomputed.
pub async fn refresh_for(db: &Db, org_id: OrgId, objects: &[String]) -> anyhow::Result<usize> {
    let sources: HashMap<MeasurableId, Source> = store::measurables(db, org_id)
        .await?
        .into_iter()
        .map(|m| (m.id, m.source))
        .collect();
    let only = super::affected::affected(&sources, objects);
    if only.is_empty() {
        return Ok(0);
    }
    let weeks = stored_weeks(db, org_id).await?;
    recompute_some(db, org_id, &weeks, Some(&only)).await?;
    Ok(only.len())
}
