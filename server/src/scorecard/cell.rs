//! The read model of one cell: its value, how it was computed, the records
//! behind it, its note, audit trail and staleness, as the cell page shows.

use std::collections::HashMap;

use app::{
    domain::{Viewer, measurable::Source, scorecard::CellDetail},
    scorecard::{format_date, goal_for_week, status},
};

use app::domain::MeasurableId;

use super::{clock::OrgClock, compute, staleness, store, synced, view};
use crate::{db::Db, error::Result};

/// Everything the cell page shows for measurable `m` in the week `week`
/// (a date inside it, or blank for the current week).
pub async fn detail(
    db: &Db,
    viewer: &Viewer,
    m: store::Measurable,
    week: &str,
) -> Result<CellDetail> {
    let clock = OrgClock::of(db, viewer.org_id).await?;
    let week = view::parse_week(&clock, Some(week))?;
    let key = format_date(week);
    compute::ensure(db, viewer.org_id, &[week]).await?;
    let (value,): (Option<f64>,) =
        sqlx::query_as("SELECT value FROM measurable_weeks WHERE measurable_id = $1 AND week = $2")
            .bind(m.id)
            .bind(&key)
            .fetch_optional(&db.pool)
            .await?
            .unwrap_or((None,));
    let entry = store::entry(db, m.id, &key).await?;
    let note = store::notes(db, viewer.org_id, &key, &key)
        .await?
        .into_iter()
        .find(|(id, _, _)| *id == m.id)
        .map(|(_, _, n)| n);
    let records = match &m.source {
        Source::Synced(q) => {
            synced::records(db, viewer.org_id, &clock, m.person_id, q, week).await?
        }
        _ => Vec::new(),
    };
    let computed = match &m.source {
        Source::Synced(_) => Some(records.iter().map(|r| r.amount.unwrap_or(1.0)).sum::<f64>()),
        Source::Manual => None,
        Source::Formula { .. } => {
            if entry.is_some() {
                None
            } else {
                value
            }
        }
    };
    let mine = view::own_people(db, viewer).await?;
    let now = crate::db::now_ms();
    let all = store::measurables(db, viewer.org_id).await?;
    let sources: HashMap<MeasurableId, &Source> = all.iter().map(|x| (x.id, &x.source)).collect();
    let stale = staleness::load(db, viewer.org_id, now)
        .await?
        .of(&m.source, &sources);
    let week_stale = stale.as_ref().is_some_and(|s| {
        s.since
            .is_none_or(|since| clock.bounds(week).1.timestamp_millis() > since)
    });
    let owner = match m.person_id {
        Some(p) => store::people(db, viewer.org_id)
            .await?
            .into_iter()
            .find(|(id, _, _)| *id == p)
            .map(|(_, name, _)| name),
        None => None,
    };
    Ok(CellDetail {
        measurable_id: m.id,
        name: m.name.clone(),
        owner,
        unit: m.unit,
        decimals: m.decimals,
        cell: app::domain::scorecard::Cell {
            week: key.clone(),
            value,
            status: status(value, goal_for_week(&m.goals, week)),
            restated_from: None,
            manual: entry.is_some(),
            note,
            stale: week_stale,
        },
        computed,
        entry,
        records,
        audit: store::audit_trail(db, viewer.org_id, m.id, &key).await?,
        can_enter: view::can_enter(viewer, &mine, &m),
        stale,
        source: m.source,
    })
}
