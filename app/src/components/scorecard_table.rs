//! The scorecard tables: the weekly view and the 13-week grid.
//!
//! Every value is a link to the cell's detail page (records behind it,
//! entries, notes, audit trail). Restated past weeks carry a marker whose
//! `title` shows the value first shown; values resting on a connection that
//! needs reconnecting or failed its last sync say "stale since …".

use leptos::prelude::*;

use crate::{
    domain::scorecard::{Cell, Row, ScorecardWeek, goal_text},
    scorecard::{Unit, format_this_week, format_value, sparkline_segments},
};

fn cell_href(row: &Row, cell: &Cell) -> String {
    format!(
        "/scorecard/cell?measurable={}&week={}",
        row.measurable_id, cell.week
    )
}

fn shown(value: Option<f64>, unit: Unit, decimals: u8) -> String {
    value.map_or_else(|| "—".to_owned(), |v| format_value(v, unit, decimals))
}

/// One value cell: coloured, linked, with restated/manual/note markers,
/// and greyed with "stale since 2 h" (`label`) when it rests on data that
/// is not up to date.
#[component]
fn ValueCell(
    row: Row,
    cell: Cell,
    #[prop(optional)] text: Option<String>,
    #[prop(optional)] label: bool,
) -> impl IntoView {
    let href = cell_href(&row, &cell);
    let text = text.unwrap_or_else(|| shown(cell.value, row.unit, row.decimals));
    let stale = row.stale.clone().filter(|_| cell.stale);
    let class = format!(
        "sc-cell status-{}{}",
        cell.status.as_str(),
        if stale.is_some() { " sc-stale" } else { "" }
    );
    let stale_mark = stale.map(|s| {
        let title = format!("{}: {}", s.reason, s.label);
        if label {
            view! { <span class="sc-stale-mark" title=title>{s.label}</span> }.into_any()
        } else {
            view! { <span class="sc-mark" title=title.clone() aria-label=title>"⚠"</span> }
                .into_any()
        }
    });
    let restated = cell.restated_from.map(|old| {
        let title = format!(
            "Restated: first shown as {}",
            format_value(old, row.unit, row.decimals)
        );
        view! { <span class="sc-restated" title=title.clone() aria-label=title>"restated"</span> }
    });
    let manual = cell
        .manual
        .then(|| view! { <span class="sc-mark" title="Entered or overridden by hand">"✎"</span> });
    let note = cell
        .note
        .clone()
        .map(|n| view! { <span class="sc-mark" title=n>"🗒"</span> });
    view! {
        <td class=class data-week=cell.week.clone()>
            <a href=href>{text}</a>
            {manual}
            {note}
            {restated}
            {stale_mark}
        </td>
    }
}

/// A 13-week inline SVG sparkline; gaps where weeks have no value.
#[component]
fn Sparkline(values: Vec<Option<f64>>) -> impl IntoView {
    let (w, h) = (104.0, 24.0);
    let segments = sparkline_segments(&values, w, h - 4.0);
    view! {
        <svg class="sc-spark" viewBox="0 -2 104 24" width="104" height="24" role="img" aria-label="13-week trend">
            {segments.into_iter().map(|points| {
                if points.contains(' ') {
                    view! { <polyline points=points fill="none" stroke="currentColor" stroke-width="1.5"/> }.into_any()
                } else {
                    let (x, y) = points.split_once(',').unwrap_or(("0", "0"));
                    view! { <circle cx=x.to_owned() cy=y.to_owned() r="1.5" fill="currentColor"/> }.into_any()
                }
            }).collect_view()}
        </svg>
    }
}

fn goal_cell(row: &Row) -> String {
    row.goal
        .as_ref()
        .map(|g| goal_text(g, row.unit, row.decimals))
        .unwrap_or_else(|| "—".to_owned())
}

fn name_cell(row: &Row, can_manage: bool) -> impl IntoView + use<> {
    let name = row.name.clone();
    let kind = row.source_type.clone();
    let edit = can_manage.then(|| {
        let href = format!("/scorecard/measurables/{}", row.measurable_id);
        view! { <a class="sc-edit" href=href title="Edit definition and goal">"Edit"</a> }
    });
    view! {
        <th scope="row" class="sc-name-cell">
            {name}
            <span class=format!("sc-kind sc-kind-{kind}")>{kind.clone()}</span>
            {edit}
        </th>
    }
}

/// The weekly view.
#[component]
pub fn WeekTable(card: ScorecardWeek) -> impl IntoView {
    let is_current = card.week == card.current_week;
    let can_manage = card.can_manage;
    view! {
        <div class="table-wrap sc-wrap">
            <table class="table sc-table">
                <thead>
                    <tr>
                        <th scope="col">"Measurable"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Goal"</th>
                        <th scope="col">{if is_current { "This week" } else { "Week" }}</th>
                        <th scope="col">"Last week"</th>
                        <th scope="col">"Quarter avg"</th>
                        <th scope="col">"13 weeks"</th>
                    </tr>
                </thead>
                {card.sections.into_iter().map(|section| view! {
                    <tbody>
                        <tr class="sc-section"><th colspan="7" scope="colgroup">{section.name.clone()}</th></tr>
                        {section.rows.into_iter().map(|row| {
                            let this_text = format_this_week(row.this_week.value, row.pace, row.unit, row.decimals);
                            let avg = shown(row.quarter_average, row.unit, row.decimals);
                            let avg_status = crate::scorecard::status(row.quarter_average, row.goal.as_ref());
                            let values: Vec<Option<f64>> = row.weeks.iter().map(|c| c.value).collect();
                            view! {
                                <tr data-measurable=row.measurable_id.to_string()>
                                    {name_cell(&row, can_manage)}
                                    <td>{row.owner.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                    <td class="sc-goal">{goal_cell(&row)}</td>
                                    <ValueCell row=row.clone() cell=row.this_week.clone() text=this_text label=true/>
                                    <ValueCell row=row.clone() cell=row.last_week.clone()/>
                                    <td class=format!("sc-cell status-{}", avg_status.as_str())>{avg}</td>
                                    <td class="sc-trend"><Sparkline values/></td>
                                </tr>
                            }
                        }).collect_view()}
                    </tbody>
                }).collect_view()}
            </table>
        </div>
    }
}

/// The 13-week grid with coloured cells.
#[component]
pub fn GridTable(card: ScorecardWeek) -> impl IntoView {
    let can_manage = card.can_manage;
    let columns = card.weeks.len() + 3;
    view! {
        <div class="table-wrap sc-wrap">
            <table class="table sc-table sc-grid">
                <thead>
                    <tr>
                        <th scope="col">"Measurable"</th>
                        <th scope="col">"Owner"</th>
                        <th scope="col">"Goal"</th>
                        {card.weeks.iter().map(|w| view! { <th scope="col" class="sc-weekcol">{w.get(5..).unwrap_or(w).to_owned()}</th> }).collect_view()}
                    </tr>
                </thead>
                {card.sections.into_iter().map(|section| view! {
                    <tbody>
                        <tr class="sc-section"><th colspan=columns.to_string() scope="colgroup">{section.name.clone()}</th></tr>
                        {section.rows.into_iter().map(|row| view! {
                            <tr data-measurable=row.measurable_id.to_string()>
                                {name_cell(&row, can_manage)}
                                <td>{row.owner.clone().unwrap_or_else(|| "—".to_owned())}</td>
                                <td class="sc-goal">{goal_cell(&row)}</td>
                                {row.weeks.iter().map(|c| view! { <ValueCell row=row.clone() cell=c.clone()/> }).collect_view()}
                            </tr>
                        }).collect_view()}
                    </tbody>
                }).collect_view()}
            </table>
        </div>
    }
}
