//! `/scorecard/measurables/new` and `/scorecard/measurables/:id`: the
//! measurable editor for managers — name, section, owner, unit, goal (with
//! the week a change takes effect, so past weeks keep their colours) and the
//! source definition as documented JSON.

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::{DeleteMeasurable, SaveMeasurable, get_measurable, scorecard_people},
    domain::{
        measurable::{MeasurableInput, Source},
        scorecard::PersonOption,
    },
    scorecard::{GoalOp, Unit},
};

const SOURCE_HELP: &str = r#"Source examples:
{"type": "synced", "kind": "call", "time_field": "occurred"}
{"type": "synced", "kind": "note", "filters": {"keywords": ["decision maker", "DM", "CEO"]}}
{"type": "synced", "kind": "meeting", "time_field": "start", "filters": {"meeting_type": ["COI"], "meeting_outcome": ["COMPLETED"]}}
{"type": "synced", "kind": "deal", "time_field": "close_date", "filters": {"closed_won": true}, "aggregate": {"type": "sum", "properties": ["mrr", "hs_mrr", "amount"]}}
{"type": "manual"}
{"type": "formula", "formula": "m:12 / m:13 * 100"}
kind: call, meeting, note, email, task, deal, fathom_meeting · time_field: occurred, created, start, close_date
filters: call_direction, call_outcome, meeting_type, meeting_outcome, keywords, contact_in_list, buying_role, closed_won, pipeline"#;

/// The editor page.
#[component]
pub fn MeasurableEditorPage() -> impl IntoView {
    let params = use_params_map();
    let id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<i64>().ok())
    };
    let data = Resource::new(id, |id| async move {
        let people = scorecard_people().await?;
        let detail = match id {
            Some(id) => Some(get_measurable(id).await?),
            None => None,
        };
        Ok::<_, crate::error::ApiError>((people, detail))
    });
    view! {
        <Title text="Measurable"/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((people, detail)) => {
                        let (id, input) = match detail {
                            Some(d) => (Some(d.id), d.input),
                            None => (None, blank()),
                        };
                        view! { <Editor id input people/> }.into_any()
                    }
                    Err(e) => view! {
                        <div class="page-head"><h1>"Measurable"</h1></div>
                        <p class="alert alert-error" role="alert">{e.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

fn blank() -> MeasurableInput {
    MeasurableInput {
        section: String::new(),
        name: String::new(),
        person_id: None,
        unit: Unit::Count,
        decimals: 0,
        goal: None,
        goal_effective_from: None,
        source: Source::Manual,
    }
}

fn unit_value(unit: Unit) -> &'static str {
    match unit {
        Unit::Count => "count",
        Unit::Currency => "currency",
        Unit::Percent => "percent",
        Unit::Duration => "duration",
    }
}

fn op_value(op: Option<GoalOp>) -> &'static str {
    match op {
        Some(GoalOp::AtLeast) => "at_least",
        Some(GoalOp::AtMost) => "at_most",
        Some(GoalOp::Equal) => "equal",
        Some(GoalOp::Between) => "between",
        None => "none",
    }
}

#[component]
fn Editor(id: Option<i64>, input: MeasurableInput, people: Vec<PersonOption>) -> impl IntoView {
    let save = ServerAction::<SaveMeasurable>::new();
    let delete = ServerAction::<DeleteMeasurable>::new();
    let error = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
            .map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })
    };
    let unit = unit_value(input.unit);
    let op = op_value(input.goal.as_ref().map(|g| g.op));
    let goal_value = input
        .goal
        .as_ref()
        .map(|g| g.value.to_string())
        .unwrap_or_default();
    let goal_upper = input
        .goal
        .as_ref()
        .and_then(|g| g.upper)
        .map(|u| u.to_string())
        .unwrap_or_default();
    let band = input
        .goal
        .as_ref()
        .map_or(10.0, |g| g.band * 100.0)
        .to_string();
    let source = serde_json::to_string_pretty(&input.source).unwrap_or_default();
    let title = if id.is_some() {
        "Edit measurable"
    } else {
        "New measurable"
    };
    view! {
        <div class="page-head"><h1>{title}</h1></div>
        <p><a href="/">"← Back to the scorecard"</a></p>
        {error}
        <section class="card">
            <ActionForm action=save attr:class="form">
                <input type="hidden" name="id" value=id.map(|i| i.to_string()).unwrap_or_default()/>
                <label>"Name" <input name="form[name]" value=input.name.clone() required/></label>
                <label>"Section" <input name="form[section]" value=input.section.clone() required placeholder="Inside sales"/></label>
                <label>"Owner"
                    <select name="form[person_id]">
                        <option value="">"Nobody (whole team)"</option>
                        {people.into_iter().map(|p| view! {
                            <option value=p.id.to_string() selected=input.person_id == Some(p.id)>{p.name}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Unit"
                    <select name="form[unit]">
                        {["count", "currency", "percent", "duration"].into_iter().map(|u| view! {
                            <option value=u selected=u == unit>{u}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Decimals" <input type="number" min="0" max="4" name="form[decimals]" value=input.decimals.to_string()/></label>
                <fieldset>
                    <legend>"Weekly goal"</legend>
                    <label>"Operator"
                        <select name="form[goal_op]">
                            {[("none", "No goal"), ("at_least", "≥ at least"), ("at_most", "≤ at most"), ("equal", "= equal"), ("between", "between")].into_iter().map(|(v, l)| view! {
                                <option value=v selected=v == op>{l}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Goal (lower bound for between)" <input name="form[goal_value]" inputmode="decimal" value=goal_value/></label>
                    <label>"Upper bound (between only)" <input name="form[goal_upper]" inputmode="decimal" value=goal_upper/></label>
                    <label>"Yellow band, % of the goal" <input name="form[goal_band]" inputmode="decimal" value=band/></label>
                    <label>"A changed goal applies from the week of (empty: this week)"
                        <input type="date" name="form[goal_effective_from]" value=""/>
                    </label>
                </fieldset>
                <label>"Source (JSON)"
                    <textarea name="form[source]" rows="8" class="mono" required>{source}</textarea>
                </label>
                <pre class="muted sc-help">{SOURCE_HELP}</pre>
                <button type="submit" class="btn btn-primary">"Save measurable"</button>
            </ActionForm>
        </section>
        {id.map(|id| view! {
            <section class="card">
                <ActionForm action=delete attr:class="inline">
                    <input type="hidden" name="id" value=id.to_string()/>
                    <button type="submit" class="btn">"Delete this measurable"</button>
                </ActionForm>
            </section>
        })}
    }
}
