//! The scorecard: the page people open every week.
//!
//! `/?week=YYYY-MM-DD&view=grid` — the weekly view (this week with pace,
//! last week, quarter average, sparkline) or the 13-week grid, grouped by
//! section. Everything is a plain link or GET form, so it reads and navigates
//! with JavaScript off; hydrated, it listens to the live event stream and
//! refetches when values change.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::load_scorecard_week,
    components::{
        empty_state::EmptyState,
        live::{LiveStatus, use_live_refresh},
        scorecard_table::{GridTable, WeekTable},
    },
    domain::scorecard::ScorecardWeek,
};

/// Weekly scorecard, or how to get one.
#[component]
pub fn ScorecardPage() -> impl IntoView {
    let query = use_query_map();
    let week = move || query.with(|q| q.get("week")).filter(|w| !w.is_empty());
    let grid = move || query.with(|q| q.get("view")).as_deref() == Some("grid");
    let live = use_live_refresh();
    let data = Resource::new(
        move || (week(), live.version.get()),
        |(week, _)| load_scorecard_week(week),
    );
    view! {
        <Title text="Scorecard"/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(Some(card)) => view! { <Scorecard card grid=grid() live/> }.into_any(),
                    Ok(None) => view! { <NoScorecard/> }.into_any(),
                    Err(e) => view! {
                        <div class="page-head"><h1>"Scorecard"</h1></div>
                        <p class="alert alert-error" role="alert">{e.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn NoScorecard() -> impl IntoView {
    let viewer = expect_context::<crate::api::CurrentViewerResource>();
    view! {
        <div class="page-head"><h1>"Scorecard"</h1></div>
        <Transition fallback=|| ()>
            {move || Suspend::new(async move {
                let manages = matches!(viewer.await, Ok(Some(v)) if v.role.can_manage());
                if manages {
                    view! {
                        <EmptyState
                            title="No measurables yet"
                            body="Start from the sales template (dials, decision-maker conversations, appointments, MRR, tickets and more, filled from HubSpot, Fathom, Autotask and Aircall) and pick who owns each section, or add your own measurables one by one."
                            href="/scorecard/template"
                            action="Start from template"
                        />
                        <p class="center"><a href="/scorecard/measurables/new">"Or add a measurable yourself"</a></p>
                    }.into_any()
                } else {
                    view! {
                        <EmptyState
                            title="No measurables yet"
                            body="Your manager has not set up the scorecard yet. Once they have, your weekly numbers appear here and fill themselves from the connected sources."
                        />
                    }.into_any()
                }
            })}
        </Transition>
    }
}

fn week_href(week: &str, grid: bool) -> String {
    if grid {
        format!("/?week={week}&view=grid")
    } else {
        format!("/?week={week}")
    }
}

#[component]
fn Scorecard(
    card: ScorecardWeek,
    grid: bool,
    live: crate::components::live::LiveRefresh,
) -> impl IntoView {
    let is_current = card.week == card.current_week;
    let export = format!(
        "/api/v1/scorecards/{}/export.csv?week={}",
        card.id, card.week
    );
    let prev = week_href(&card.previous_week, grid);
    let next = card.next_week.as_deref().map(|w| week_href(w, grid));
    let toggle = if grid {
        ("/?week=".to_owned() + &card.week, "Weekly view")
    } else {
        (format!("/?week={}&view=grid", card.week), "13-week grid")
    };
    let empty = card.sections.is_empty();
    let can_manage = card.can_manage;
    view! {
        <div class="page-head sc-head">
            <h1>"Scorecard"</h1>
            <span class="muted sc-name">{card.name.clone()}</span>
            <LiveStatus live/>
        </div>
        <nav class="sc-weeks" aria-label="Week">
            <a href=prev rel="prev">"← Previous week"</a>
            <strong class="sc-week">
                {format!("Week of {}", card.week)}
                {is_current.then(|| view! { <span class="badge">"this week"</span> })}
            </strong>
            {match next {
                Some(href) => view! { <a href=href rel="next">"Next week →"</a> }.into_any(),
                None => view! { <span class="muted">"Next week →"</span> }.into_any(),
            }}
            <form method="get" action="/" class="inline sc-pick">
                <label>"Go to week " <input type="date" name="week" value=card.week.clone()/></label>
                {grid.then(|| view! { <input type="hidden" name="view" value="grid"/> })}
                <button type="submit" class="btn btn-quiet">"Go"</button>
            </form>
            <a href=toggle.0>{toggle.1}</a>
            <a href=export download="">"Export CSV"</a>
            {can_manage.then(|| view! { <a href="/scorecard/measurables/new">"Add measurable"</a> })}
        </nav>
        {if empty {
            view! {
                <EmptyState
                    title="This scorecard has no measurables"
                    body="Add a measurable: count calls, meetings, notes, deals, tickets or hours from the connected sources, enter a number by hand, or compute one from others."
                    href="/scorecard/measurables/new"
                    action="Add a measurable"
                />
            }.into_any()
        } else if grid {
            view! { <GridTable card/> }.into_any()
        } else {
            view! { <WeekTable card/> }.into_any()
        }}
    }
}
