//! Building the week view of a scorecard from `measurable_weeks`.
//!
//! Reading a week marks the past weeks it shows as "shown", remembering the
//! value shown; a later change of such a week is then flagged as restated
//! with the earlier value.

use std::collections::{BTreeSet, HashMap};

use anyhow::Context as _;
use app::{
    domain::{
        Viewer,
        measurable::Source,
        scorecard::{Cell, Row, ScorecardWeek, Section, Stale},
    },
    error::ApiError,
    scorecard::{
        elapsed_fraction, format_date, goal_for_week, pace, parse_date, quarter_average,
        quarter_of_week, status, weeks_back, weeks_of_quarter,
    },
};
use chrono::{NaiveDate, Utc};

use app::domain::{MeasurableId, OrgId};

use super::{clock::OrgClock, compute, store};
use crate::{db::Db, error::Result};

/// One stored weekly value.
#[derive(Debug, Clone, Copy)]
struct Stored {
    value: Option<f64>,
    shown: bool,
    first_shown: Option<f64>,
}

fn same(a: Option<f64>, b: Option<f64>) -> bool {
    match (a, b) {
        (None, None) => true,
        (Some(x), Some(y)) => (x - y).abs() <= 1e-9 * x.abs().max(y.abs()).max(1.0),
        _ => false,
    }
}

/// How far back a scorecard reaches, in weeks (five years). A week before
/// that is refused, so browsing to a distant `?week=` never writes computed
/// rows for it (nor makes every later recompute cover the years between).
pub const HISTORY_WEEKS: i64 = 5 * 52;

/// The week containing a `YYYY-MM-DD` date given as `field`, refused when it
/// is not a date, outside the years 1970–2200, or more than
/// [`HISTORY_WEEKS`] back. Future weeks are the caller's to judge.
pub fn checked_week(clock: &OrgClock, field: &str, text: &str) -> Result<NaiveDate, ApiError> {
    let date = parse_date(text.trim()).map_err(|e| ApiError::invalid(field, e.to_string()))?;
    let week = clock.week_containing(date);
    let earliest = clock.current_week() - chrono::Days::new(7 * HISTORY_WEEKS as u64);
    if week < earliest {
        return Err(ApiError::invalid(
            field,
            format!("reaches back at most five years, to {earliest}"),
        ));
    }
    Ok(week)
}

/// Parses a `week` query value: any date in the scorecard's reach, mapped to
/// the week containing it; a future date shows the current week.
pub fn parse_week(clock: &OrgClock, week: Option<&str>) -> Result<NaiveDate, ApiError> {
    let current = clock.current_week();
    match week.map(str::trim).filter(|w| !w.is_empty()) {
        None => Ok(current),
        Some(text) => Ok(checked_week(clock, "week", text)?.min(current)),
    }
}

/// The measurable ids owned by the viewer (people linked to their user).
pub async fn own_people(db: &Db, viewer: &Viewer) -> anyhow::Result<BTreeSet<i64>> {
    Ok(store::people(db, viewer.org_id)
        .await?
        .into_iter()
        .filter(|(_, _, user)| *user == Some(viewer.user_id))
        .map(|(id, _, _)| id)
        .collect())
}

/// Whether the viewer may enter or override values of `m`: managers always,
/// members only manual measurables owned by their person.
pub fn can_enter(viewer: &Viewer, mine: &BTreeSet<i64>, m: &store::Measurable) -> bool {
    viewer.role.can_manage()
        || (matches!(m.source, Source::Manual) && m.person_id.is_some_and(|p| mine.contains(&p)))
}

/// The scorecard `id` (or the first one) as of `week`.
pub async fn week_view(
    db: &Db,
    viewer: &Viewer,
    id: Option<i64>,
    week: Option<&str>,
) -> Result<Option<ScorecardWeek>> {
    let (clock, cards) = clock_and_cards(db, viewer.org_id).await?;
    let card = match id {
        Some(id) => Some(cards.iter().find(|c| c.0 == id).ok_or(ApiError::NotFound)?),
        None => cards.first(),
    };
    let Some((card_id, card_name)) = card.cloned() else {
        return Ok(None);
    };
    let selected = parse_week(&clock, week)?;
    Ok(Some(
        build(db, viewer, &clock, card_id, card_name, selected).await?,
    ))
}

/// The organisation's calendar and its scorecards (id, name) in one query.
async fn clock_and_cards(db: &Db, org_id: OrgId) -> anyhow::Result<(OrgClock, Vec<(i64, String)>)> {
    let rows: Vec<(String, i64, Option<i64>, Option<String>)> = sqlx::query_as(
        "SELECT o.timezone, o.week_start, s.id, s.name FROM organizations o \
         LEFT JOIN scorecards s ON s.org_id = o.id WHERE o.id = $1 ORDER BY s.id",
    )
    .bind(org_id)
    .fetch_all(&db.pool)
    .await
    .context("reading the organisation's scorecards")?;
    let (timezone, week_start) = rows
        .first()
        .map(|r| (r.0.as_str(), r.1))
        .context("the organisation disappeared")?;
    let clock = OrgClock::from_settings(timezone, u8::try_from(week_start).unwrap_or(0));
    let cards = rows
        .into_iter()
        .filter_map(|(_, _, id, name)| Some((id?, name?)))
        .collect();
    Ok((clock, cards))
}

/// A stored week of a measurable: id, week, value, shown, first shown
/// value, computed at.
type WeekRow = (MeasurableId, String, Option<f64>, i64, Option<f64>, i64);

/// The stored weeks of a scorecard in `[from, to]`, read as one packed
/// JSON row: a page shows hundreds of cells, and sqlx's SQLite driver
/// hands every result row from its worker thread to the caller one wake-up
/// at a time, which cost more than the query itself.
async fn week_rows(db: &Db, card_id: i64, from: &str, to: &str) -> anyhow::Result<Vec<WeekRow>> {
    let (pack, array) = db.backend.json_pack();
    let sql = format!(
        "SELECT CAST(COALESCE({pack}({array}(w.measurable_id, w.week, w.value, w.shown, w.first_shown_value, w.computed_at)), '[]') AS TEXT) \
         FROM measurable_weeks w JOIN measurables m ON m.id = w.measurable_id \
         WHERE m.scorecard_id = $1 AND w.week >= $2 AND w.week <= $3"
    );
    let (packed,): (String,) = sqlx::query_as(&sql)
        .bind(card_id)
        .bind(from)
        .bind(to)
        .fetch_one(&db.pool)
        .await
        .context("reading weekly values")?;
    serde_json::from_str(&packed).context("decoding weekly values")
}

async fn build(
    db: &Db,
    viewer: &Viewer,
    clock: &OrgClock,
    card_id: i64,
    card_name: String,
    selected: NaiveDate,
) -> anyhow::Result<ScorecardWeek> {
    let org_id = viewer.org_id;
    let current = clock.current_week();
    let grid = weeks_back(selected, 13);
    let mut all: BTreeSet<NaiveDate> = grid.iter().copied().collect();
    all.extend(
        weeks_of_quarter(quarter_of_week(selected), clock.start)
            .into_iter()
            .filter(|w| *w <= selected),
    );
    let all: Vec<NaiveDate> = all.into_iter().collect();
    let measurables = store::measurables(db, org_id).await?;
    let (from, to) = (
        format_date(*all.first().unwrap_or(&selected)),
        format_date(selected),
    );

    let mut rows = week_rows(db, card_id, &from, &to).await?;
    // Weeks no one has shown yet are computed first (for the whole
    // organisation, as a recompute is); a warm page costs one read.
    let present: BTreeSet<(MeasurableId, &str)> = rows
        .iter()
        .map(|(id, week, ..)| (*id, week.as_str()))
        .collect();
    let keys: Vec<String> = all.iter().map(|w| format_date(*w)).collect();
    let complete = measurables
        .iter()
        .filter(|m| m.scorecard_id == card_id)
        .all(|m| keys.iter().all(|w| present.contains(&(m.id, w.as_str()))));
    if !complete {
        let count = i64::try_from(measurables.len()).unwrap_or(i64::MAX);
        compute::ensure_for(db, org_id, &all, count).await?;
        rows = week_rows(db, card_id, &from, &to).await?;
    }
    // Past weeks shown for the first time remember the value shown, so a
    // later change can be flagged "restated". Only a first view writes: a
    // write per page view would serialise every reader behind SQLite's
    // write lock.
    let current_key = format_date(current);
    if rows
        .iter()
        .any(|(_, week, _, shown, _, _)| *shown == 0 && *week < current_key)
    {
        sqlx::query(
            "UPDATE measurable_weeks SET shown = 1, first_shown_value = value \
             WHERE shown = 0 AND week < $1 AND week >= $2 AND week <= $3 \
             AND measurable_id IN (SELECT id FROM measurables WHERE scorecard_id = $4)",
        )
        .bind(&current_key)
        .bind(&from)
        .bind(&to)
        .bind(card_id)
        .execute(&db.pool)
        .await
        .context("marking weeks shown")?;
    }
    let mut computed_at = 0;
    let mut stored: HashMap<(MeasurableId, String), Stored> = HashMap::new();
    for (id, week, value, shown, first_shown, at) in rows {
        computed_at = computed_at.max(at);
        stored.insert(
            (id, week),
            Stored {
                value,
                shown: shown != 0,
                first_shown,
            },
        );
    }
    let (entries, notes) = store::marks(db, org_id, &from, &to).await?;
    let all_people = store::people(db, org_id).await?;
    let mine: BTreeSet<i64> = all_people
        .iter()
        .filter(|(_, _, user)| *user == Some(viewer.user_id))
        .map(|(id, _, _)| *id)
        .collect();
    let people: HashMap<i64, String> = all_people
        .into_iter()
        .map(|(id, name, _)| (id, name))
        .collect();

    let now = Utc::now();
    let staleness = super::staleness::load(db, org_id, now.timestamp_millis()).await?;
    let sources: HashMap<MeasurableId, &app::domain::measurable::Source> =
        measurables.iter().map(|m| (m.id, &m.source)).collect();
    let stale: HashMap<MeasurableId, Stale> = measurables
        .iter()
        .filter(|m| m.scorecard_id == card_id)
        .filter_map(|m| Some((m.id, staleness.of(&m.source, &sources)?)))
        .collect();
    // A week is stale when it ended after the data's last good sync.
    let week_stale = |id: MeasurableId, week: NaiveDate| {
        stale.get(&id).is_some_and(|s| {
            s.since
                .is_none_or(|since| clock.bounds(week).1.timestamp_millis() > since)
        })
    };
    let cell = |m: &store::Measurable, week: NaiveDate| -> Cell {
        let key = (m.id, format_date(week));
        let s = stored.get(&key).copied().unwrap_or(Stored {
            value: None,
            shown: false,
            first_shown: None,
        });
        Cell {
            week: key.1.clone(),
            value: s.value,
            status: status(s.value, goal_for_week(&m.goals, week)),
            restated_from: (s.shown && !same(s.value, s.first_shown))
                .then_some(s.first_shown)
                .flatten(),
            manual: entries.contains(&key),
            note: notes.get(&key).cloned(),
            stale: week_stale(m.id, week),
        }
    };

    let mut sections: Vec<Section> = Vec::new();
    for m in measurables
        .into_iter()
        .filter(|m| m.scorecard_id == card_id)
    {
        let this_week = cell(&m, selected);
        let last_week = cell(&m, app::scorecard::previous_week(selected));
        let history: Vec<(NaiveDate, Option<f64>)> =
            all.iter().map(|w| (*w, cell(&m, *w).value)).collect();
        let running_pace = (selected == current && m.unit.accumulates())
            .then_some(this_week.value)
            .flatten()
            .and_then(|v| pace(v, elapsed_fraction(now, selected, &clock.tz)));
        let row = Row {
            measurable_id: m.id,
            name: m.name.clone(),
            person_id: m.person_id,
            owner: m.person_id.and_then(|p| people.get(&p).cloned()),
            unit: m.unit,
            decimals: m.decimals,
            goal: goal_for_week(&m.goals, selected).cloned(),
            source_type: m.source.type_name().to_owned(),
            pace: running_pace,
            last_week,
            quarter_average: quarter_average(&history, selected, clock.start),
            weeks: grid.iter().map(|w| cell(&m, *w)).collect(),
            can_enter: can_enter(viewer, &mine, &m),
            stale: stale.get(&m.id).cloned(),
            this_week,
        };
        match sections.iter_mut().find(|s| s.name == m.section) {
            Some(s) => s.rows.push(row),
            None => sections.push(Section {
                name: m.section.clone(),
                rows: vec![row],
            }),
        }
    }
    Ok(ScorecardWeek {
        id: card_id,
        name: card_name,
        week: format_date(selected),
        current_week: format_date(current),
        previous_week: format_date(app::scorecard::previous_week(selected)),
        next_week: (selected < current).then(|| format_date(app::scorecard::next_week(selected))),
        weeks: grid.iter().map(|w| format_date(*w)).collect(),
        sections,
        computed_at,
        can_manage: viewer.role.can_manage(),
    })
}
