//! `/scorecard/cell?measurable=ID&week=YYYY-MM-DD`: what is behind one
//! number — the synced records (with links to open them in HubSpot or
//! Fathom), the manual entry or override and its reason, the note, and the
//! audit trail — with forms to enter, override, clear and annotate.

use crate::domain::MeasurableId;
use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_query_map;

use crate::{
    api::{SetCellNote, SetCellValue, scorecard_cell},
    components::text_area::TextArea,
    domain::{measurable::Source, scorecard::CellDetail},
    scorecard::format_value,
};

fn when(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms)
        .map(|t| t.format("%Y-%m-%d %H:%M UTC").to_string())
        .unwrap_or_default()
}

/// The cell detail page.
#[component]
pub fn CellPage() -> impl IntoView {
    let query = use_query_map();
    let args = move || {
        query.with(|q| {
            (
                q.get("measurable")
                    .and_then(|m| m.parse::<MeasurableId>().ok()),
                q.get("week").unwrap_or_default(),
            )
        })
    };
    let set_value = ServerAction::<SetCellValue>::new();
    let set_note = ServerAction::<SetCellNote>::new();
    let detail = Resource::new(
        move || (args(), set_value.version().get(), set_note.version().get()),
        |((id, week), _, _)| async move {
            match id {
                Some(id) => scorecard_cell(id, week).await,
                None => Err(crate::error::ApiError::NotFound),
            }
        },
    );
    view! {
        <Title text="Scorecard cell"/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match detail.await {
                    Ok(d) => view! { <Detail d set_value set_note/> }.into_any(),
                    Err(e) => view! {
                        <div class="page-head"><h1>"Scorecard cell"</h1></div>
                        <p class="alert alert-error" role="alert">{e.to_string()}</p>
                        <a href="/">"Back to the scorecard"</a>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

#[component]
fn Detail(
    d: CellDetail,
    set_value: ServerAction<SetCellValue>,
    set_note: ServerAction<SetCellNote>,
) -> impl IntoView {
    let (unit, decimals) = (d.unit, d.decimals);
    let fmt =
        move |v: Option<f64>| v.map_or_else(|| "—".to_owned(), |v| format_value(v, unit, decimals));
    let back = format!("/?week={}", d.cell.week);
    let manual_source = matches!(d.source, Source::Manual);
    let value_error = move || {
        set_value
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })
    };
    let note_error = move || {
        set_note
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })
    };
    let id = d.measurable_id.to_string();
    let week = d.cell.week.clone();
    let (note_id, note_week) = (id.clone(), week.clone());
    let current_entry = d
        .entry
        .as_ref()
        .and_then(|(v, _)| *v)
        .map(|v| v.to_string())
        .unwrap_or_default();
    view! {
        <div class="page-head">
            <h1>{d.name.clone()}</h1>
            <span class="muted">{format!("Week of {}", d.cell.week)}{d.owner.clone().map(|o| format!(" · {o}"))}</span>
        </div>
        <p><a href=back>"← Back to the scorecard"</a></p>
        <section class="card">
            <p class=format!("sc-big status-{}", d.cell.status.as_str())>{fmt(d.cell.value)}</p>
            {d.stale.clone().filter(|_| d.cell.stale).map(|s| view! {
                <p class="alert alert-warn" role="status">{format!("{}: this number is {}.", s.reason, s.label)}</p>
            })}
            {d.entry.clone().map(|(v, reason)| view! {
                <p class="muted">
                    {if manual_source { "Entered by hand: " } else { "Overridden by hand: " }}
                    {fmt(v)}
                    {(!reason.is_empty()).then(|| format!(" — “{reason}”"))}
                    {(!manual_source).then(|| format!(" (computed: {})", fmt(d.computed)))}
                </p>
            })}
            {d.cell.note.clone().map(|n| view! { <p class="sc-note">"Note: " {n}</p> })}
        </section>
        {(!d.records.is_empty() || matches!(d.source, Source::Synced(_))).then(|| view! {
            <section class="card">
                <h2>{format!("Records behind this number ({})", d.records.len())}</h2>
                {if d.records.is_empty() {
                    view! { <p class="muted">"No synced records match this week. Once HubSpot or Fathom sync new activity, it appears here within seconds."</p> }.into_any()
                } else {
                    view! {
                        <div class="table-wrap">
                            <table class="table">
                                <thead><tr><th>"When"</th><th>"Record"</th><th>"Amount"</th><th></th></tr></thead>
                                <tbody>
                                    {d.records.iter().map(|r| view! {
                                        <tr>
                                            <td>{when(r.at)}</td>
                                            <td>{r.title.clone()}</td>
                                            <td>{r.amount.map(|a| format_value(a, unit, decimals)).unwrap_or_default()}</td>
                                            <td>{r.url.clone().map(|u| view! { <a href=u target="_blank" rel="noopener">"Open"</a> })}</td>
                                        </tr>
                                    }).collect_view()}
                                </tbody>
                            </table>
                        </div>
                    }.into_any()
                }}
            </section>
        })}
        {d.can_enter.then(move || view! {
            <section class="card">
                <h2>{if manual_source { "Enter the value" } else { "Override the value" }}</h2>
                {value_error}
                <ActionForm action=set_value attr:class="form form-row">
                    <input type="hidden" name="measurable_id" value=id.clone()/>
                    <input type="hidden" name="week" value=week.clone()/>
                    <label>"Value" <input name="value" inputmode="decimal" value=current_entry/></label>
                    <label>"Reason" <input name="reason" placeholder=if manual_source { "optional" } else { "required for overrides" }/></label>
                    <button type="submit" class="btn btn-primary">"Save value"</button>
                </ActionForm>
                <p class="muted">"Leave the value empty and save to clear the entry."</p>
            </section>
        })}
        <section class="card">
            <h2>"Note"</h2>
            {note_error}
            <ActionForm action=set_note attr:class="form">
                <input type="hidden" name="measurable_id" value=note_id/>
                <input type="hidden" name="week" value=note_week/>
                <label>"Note on this week" <TextArea name="note" value=d.cell.note.clone().unwrap_or_default() attr:rows="2"/></label>
                <button type="submit" class="btn">"Save note"</button>
            </ActionForm>
        </section>
        <section class="card">
            <h2>"History"</h2>
            {if d.audit.is_empty() {
                view! { <p class="muted">"No changes yet."</p> }.into_any()
            } else {
                view! {
                    <div class="table-wrap">
                        <table class="table sc-audit">
                            <thead><tr><th>"When"</th><th>"Who"</th><th>"What"</th><th>"Old"</th><th>"New"</th><th>"Reason"</th></tr></thead>
                            <tbody>
                                {d.audit.iter().map(|a| view! {
                                    <tr>
                                        <td>{when(a.at)}</td>
                                        <td>{a.user_name.clone()}</td>
                                        <td>{a.action.clone()}</td>
                                        <td class="sc-audit-value">{a.old_value.clone().unwrap_or_default()}</td>
                                        <td class="sc-audit-value">{a.new_value.clone().unwrap_or_default()}</td>
                                        <td>{a.reason.clone()}</td>
                                    </tr>
                                }).collect_view()}
                            </tbody>
                        </table>
                    </div>
                }.into_any()
            }}
        </section>
    }
}
