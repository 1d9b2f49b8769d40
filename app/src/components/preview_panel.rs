//! The measurable editor's preview: what a definition would show before it
//! is saved — 13 weeks' values, the records counted in the chosen week
//! (with links), and for each filter the records it keeps out, so a wrong
//! definition is visible at once.

use leptos::prelude::*;

use crate::{
    domain::{preview::Preview, scorecard::RecordLine},
    error::ApiError,
    scorecard::{Unit, format_value},
};

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

fn record(r: RecordLine, unit: Unit, decimals: u8) -> impl IntoView {
    let title = if r.title.trim().is_empty() {
        "(untitled)".to_owned()
    } else {
        r.title
    };
    view! {
        <li>
            <span class="muted">{when(r.at)}</span>" "
            {match r.url {
                Some(url) => view! { <a href=url target="_blank" rel="noopener">{title}</a> }.into_any(),
                None => view! { <span>{title}</span> }.into_any(),
            }}
            {r.amount.map(|a| format!(" · {}", format_value(a, unit, decimals)))}
        </li>
    }
}

/// The panel for one preview result (or the refusal of an unfinished
/// definition).
#[component]
pub fn PreviewPanel(result: Result<Preview, ApiError>, unit: Unit, decimals: u8) -> impl IntoView {
    let p = match result {
        Ok(p) => p,
        Err(e) => {
            return view! {
                <p class="alert alert-error" role="alert">{format!("Cannot preview yet: {e}")}</p>
            }
            .into_any();
        }
    };
    let fmt =
        move |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format_value(v, unit, decimals));
    let matched = p.matched;
    let more = matched.saturating_sub(p.records.len());
    view! {
        {p.warnings.into_iter().map(|w| view! {
            <p class="alert alert-warn" role="status" data-field=w.field>{w.message}</p>
        }).collect_view()}
        <div class="table-wrap">
            <table class="table preview-weeks">
                <thead><tr>
                    {p.weeks.iter().map(|w| view! {
                        <th scope="col">{w.week.get(5..).unwrap_or(&w.week).to_owned()}</th>
                    }).collect_view()}
                </tr></thead>
                <tbody><tr>
                    {p.weeks.iter().map(|w| view! { <td>{fmt(w.value)}</td> }).collect_view()}
                </tr></tbody>
            </table>
        </div>
        <h3>{format!("Week of {}: {} — {matched} record{} counted", p.week, fmt(p.value), if matched == 1 { "" } else { "s" })}</h3>
        <ul class="plain preview-records">
            {p.records.into_iter().map(|r| record(r, unit, decimals)).collect_view()}
        </ul>
        {(more > 0).then(|| view! { <p class="muted">{format!("… and {more} more")}</p> })}
        {(!p.excluded.is_empty()).then(|| view! {
            <h3>"Not counted"</h3>
            <ul class="plain preview-excluded">
                {p.excluded.into_iter().map(|x| view! {
                    <li data-filter=x.filter>
                        <strong>{x.text}</strong>
                        <ul class="plain">
                            {x.examples.into_iter().map(|r| record(r, unit, decimals)).collect_view()}
                        </ul>
                    </li>
                }).collect_view()}
            </ul>
        })}
        {p.notes.into_iter().map(|n| view! { <p class="muted preview-note">{n}</p> }).collect_view()}
    }
    .into_any()
}
