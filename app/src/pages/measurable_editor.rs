//! `/scorecard/measurables/new` and `/scorecard/measurables/:id`: the
//! measurable editor for managers — name, section, owner, unit, goal (with
//! the week a change takes effect, so past weeks keep their colours) and the
//! source: synced records (kind, time field, filters, count or sum), manual
//! entry, or a formula, as form fields ([`SourceForm`]).

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::use_params_map;

use crate::{
    api::{
        DeleteMeasurable, SaveMeasurable, get_measurable, load_scorecard_week, scorecard_people,
    },
    domain::{
        measurable::{MeasurableInput, Source},
        scorecard::PersonOption,
        source_form::{DIRECTIONS, KINDS, SourceForm, TIME_FIELDS},
    },
    scorecard::{GoalOp, Unit},
};

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
        let siblings: Vec<(i64, String)> = load_scorecard_week(None)
            .await?
            .map(|card| {
                card.sections
                    .into_iter()
                    .flat_map(|s| {
                        let section = s.name;
                        s.rows
                            .into_iter()
                            .map(move |r| (r.measurable_id, format!("{section} · {}", r.name)))
                    })
                    .collect()
            })
            .unwrap_or_default();
        Ok::<_, crate::error::ApiError>((people, detail, siblings))
    });
    view! {
        <Title text="Measurable"/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok((people, detail, siblings)) => {
                        let (id, input) = match detail {
                            Some(d) => (Some(d.id), d.input),
                            None => (None, blank()),
                        };
                        view! { <Editor id input people siblings/> }.into_any()
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
fn Editor(
    id: Option<i64>,
    input: MeasurableInput,
    people: Vec<PersonOption>,
    siblings: Vec<(i64, String)>,
) -> impl IntoView {
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
    let source = SourceForm::of(&input.source);
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
                <SourceFields source siblings/>
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

/// The source part of the form. Every field is in the page so it works
/// without JavaScript; once hydrated, only the chosen type's fields show.
#[component]
fn SourceFields(source: SourceForm, siblings: Vec<(i64, String)>) -> impl IntoView {
    let source_type = RwSignal::new(source.source_type.clone());
    let hydrated = RwSignal::new(false);
    let picker = NodeRef::<leptos::html::Select>::new();
    // A choice made before the page hydrated is in the DOM, not the signal.
    Effect::new(move |_| {
        if let Some(select) = picker.get() {
            source_type.set(select.value());
            hydrated.set(true);
        }
    });
    let hide = move |ty: &'static str| move || hydrated.get() && source_type.get() != ty;
    let text = |name: &'static str, label: &'static str, value: String, hint: &'static str| {
        view! {
            <label>{label}
                <input name=format!("form[source][{name}]") value=value placeholder=hint/>
            </label>
        }
    };
    let types = [
        ("synced", "Counted from synced records"),
        ("manual", "Entered by hand each week"),
        ("formula", "A formula over other measurables"),
    ];
    view! {
        <fieldset>
            <legend>"Source"</legend>
            <label>"Where the number comes from"
                <select name="form[source][source_type]" node_ref=picker
                    on:change=move |ev| source_type.set(event_target_value(&ev))>
                    {types.into_iter().map(|(v, l)| view! {
                        <option value=v selected=v == source.source_type>{l}</option>
                    }).collect_view()}
                </select>
            </label>
        </fieldset>
        <fieldset hidden=hide("synced")>
            <legend>"Synced records (owned by the measurable's owner)"</legend>
            <label>"Record kind"
                <select name="form[source][kind]">
                    {KINDS.into_iter().map(|(v, l)| view! {
                        <option value=v selected=v == source.kind>{l}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Placed in a week by"
                <select name="form[source][time_field]">
                    {TIME_FIELDS.into_iter().map(|(v, l)| view! {
                        <option value=v selected=v == source.time_field>{l}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Call direction"
                <select name="form[source][call_direction]">
                    {DIRECTIONS.into_iter().map(|(v, l)| view! {
                        <option value=v selected=v == source.call_direction>{l}</option>
                    }).collect_view()}
                </select>
            </label>
            {text("call_outcome", "Call outcome is any of", source.call_outcome.clone(), "Connected, Left voicemail")}
            {text("meeting_type", "Meeting type is any of", source.meeting_type.clone(), "First Time Appointment, COI")}
            {text("meeting_outcome", "Meeting outcome is any of", source.meeting_outcome.clone(), "COMPLETED")}
            {text("keywords", "Title or body mentions any of (whole words)", source.keywords.clone(), "decision maker, DM, CEO")}
            {text("contact_in_list", "An associated contact is in the list", source.contact_in_list.clone(), "Warm 250")}
            {text("buying_role", "An associated contact's buying role is any of", source.buying_role.clone(), "DECISION_MAKER")}
            <label class="check">
                <input type="checkbox" name="form[source][closed_won]" checked=source.closed_won.is_some()/>
                " Only closed-won deals"
            </label>
            {text("pipeline", "Deal pipeline (name or id)", source.pipeline.clone(), "Sales pipeline")}
            <label>"Number"
                <select name="form[source][aggregate]">
                    {[("count", "How many records"), ("sum", "Sum of a property")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=v == source.aggregate>{l}</option>
                    }).collect_view()}
                </select>
            </label>
            {text("sum_properties", "Sum the first non-empty of these properties", source.sum_properties.clone(), "mrr, hs_mrr, amount")}
            <p class="muted">"Lists are comma-separated. Empty filters match everything."</p>
        </fieldset>
        <fieldset hidden=hide("formula")>
            <legend>"Formula"</legend>
            {text("formula", "Formula over this week's values (m:ID refers to a measurable)", source.formula.clone(), "m:12 / m:13 * 100")}
            <details>
                <summary>"Measurables a formula can refer to"</summary>
                <ul class="plain">
                    {siblings.into_iter().map(|(id, name)| view! {
                        <li><code>{format!("m:{id}")}</code>" "{name}</li>
                    }).collect_view()}
                </ul>
            </details>
        </fieldset>
    }
}
