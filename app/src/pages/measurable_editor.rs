//! `/scorecard/measurables/new` and `/scorecard/measurables/:id`: the
//! measurable editor for managers — name, section, owner, unit, goal (with
//! the week a change takes effect, so past weeks keep their colours) and the
//! source: synced records (kind, time field, filters, count or sum), manual
//! entry, or a formula, as form fields ([`SourceForm`]) — and a preview of
//! what the definition would show, updated as it is edited (a "Preview"
//! submit without JavaScript).

use std::time::Duration;

use crate::domain::MeasurableId;

use leptos::prelude::*;
use leptos_meta::Title;
use leptos_router::hooks::{use_params_map, use_query_map};

use crate::{
    api::{
        DeleteMeasurable, MeasurableForm, PreviewMeasurable, SaveMeasurable, get_measurable,
        load_scorecard_week, preview_measurable, scorecard_people,
    },
    components::preview_panel::PreviewPanel,
    domain::{
        measurable::{MeasurableInput, Source},
        preview::Preview,
        scorecard::PersonOption,
        source_form::{DIRECTIONS, KINDS, SourceForm, TIME_FIELDS},
    },
    scorecard::Unit,
};

/// A "Preview" sent without JavaScript: the form's fields, in the query.
#[derive(Debug, Default, serde::Deserialize)]
#[serde(default)]
struct PreviewQuery {
    form: MeasurableForm,
    week: String,
}

fn previewed_form(query: &str) -> Option<PreviewQuery> {
    serde_qs::Config::new(5, false)
        .deserialize_str::<PreviewQuery>(query.trim_start_matches('?'))
        .ok()
}

/// The editor page.
#[component]
pub fn MeasurableEditorPage() -> impl IntoView {
    let params = use_params_map();
    let query = use_query_map();
    let id = move || {
        params
            .with(|p| p.get("id"))
            .and_then(|id| id.parse::<MeasurableId>().ok())
    };
    let previewed = move || query.with(|q| q.get("preview").is_some().then(|| q.to_query_string()));
    let data = Resource::new(
        move || (id(), previewed()),
        |(id, previewed)| async move {
            let people = scorecard_people().await?;
            let detail = match id {
                Some(id) => Some(get_measurable(id).await?),
                None => None,
            };
            let siblings: Vec<(MeasurableId, String)> = load_scorecard_week(None)
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
            let asked = previewed.as_deref().and_then(previewed_form);
            let from_store = detail
                .map(|d| MeasurableForm::of(&d.input))
                .unwrap_or_else(|| MeasurableForm::of(&blank()));
            let preview_now =
                asked.is_some() || (id.is_some() && from_store.source.source_type != "manual");
            let PreviewQuery { form, week } = asked.unwrap_or(PreviewQuery {
                form: from_store,
                week: String::new(),
            });
            let initial = if preview_now {
                Some(preview_measurable(form.clone(), week.clone()).await)
            } else {
                None
            };
            Ok::<_, crate::error::ApiError>(EditorData {
                people,
                form,
                week,
                siblings,
                initial,
            })
        },
    );
    view! {
        <Title text="Measurable"/>
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match data.await {
                    Ok(d) => view! { <Editor id=id() d/> }.into_any(),
                    Err(e) => view! {
                        <div class="page-head"><h1>"Measurable"</h1></div>
                        <p class="alert alert-error" role="alert">{e.to_string()}</p>
                    }.into_any(),
                }
            })}
        </Transition>
    }
}

/// What the editor starts from.
#[derive(Debug, Clone, serde::Serialize, serde::Deserialize)]
struct EditorData {
    people: Vec<PersonOption>,
    form: MeasurableForm,
    week: String,
    siblings: Vec<(MeasurableId, String)>,
    initial: Option<Result<Preview, crate::error::ApiError>>,
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

fn unit_of(text: &str) -> Unit {
    match text {
        "currency" => Unit::Currency,
        "percent" => Unit::Percent,
        "duration" => Unit::Duration,
        _ => Unit::Count,
    }
}

#[component]
fn Editor(id: Option<MeasurableId>, d: EditorData) -> impl IntoView {
    let EditorData {
        people,
        form,
        week,
        siblings,
        initial,
    } = d;
    let save = ServerAction::<SaveMeasurable>::new();
    let delete = ServerAction::<DeleteMeasurable>::new();
    let preview = ServerAction::<PreviewMeasurable>::new();
    let error = move || {
        save.value()
            .get()
            .and_then(Result::err)
            .or_else(|| delete.value().get().and_then(Result::err))
            .map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })
    };
    // Edits are previewed as they happen, once typing pauses.
    let form_ref = NodeRef::<leptos::html::Form>::new();
    let timer = StoredValue::new(None::<TimeoutHandle>);
    let run_preview = move || {
        let Some(element) = form_ref.get_untracked() else {
            return;
        };
        let Ok(data) = leptos::web_sys::FormData::new_with_form(&element) else {
            return;
        };
        if let Ok(args) = <PreviewMeasurable as leptos::form::FromFormData>::from_form_data(&data) {
            preview.dispatch(args);
        }
    };
    let schedule = move || {
        if let Some(handle) = timer.get_value() {
            handle.clear();
        }
        timer.set_value(set_timeout_with_handle(run_preview, Duration::from_millis(400)).ok());
    };
    let (unit, decimals) = (unit_of(&form.unit), form.decimals.parse().unwrap_or(0));
    let shown = move || preview.value().get().or_else(|| initial.clone());
    let title = if id.is_some() {
        "Edit measurable"
    } else {
        "New measurable"
    };
    let here = match id {
        Some(id) => format!("/scorecard/measurables/{id}"),
        None => "/scorecard/measurables/new".to_owned(),
    };
    let op = form.goal_op.clone();
    let unit_value = form.unit.clone();
    let person = form.person_id.clone();
    view! {
        <div class="page-head"><h1>{title}</h1></div>
        <p><a href="/">"← Back to the scorecard"</a></p>
        {error}
        <div class="editor">
        <section class="card">
            <ActionForm action=save node_ref=form_ref attr:class="form"
                on:input=move |_| schedule() on:change=move |_| schedule()>
                <input type="hidden" name="id" value=id.map(|i| i.to_string()).unwrap_or_default()/>
                <label>"Name" <input name="form[name]" value=form.name.clone() required/></label>
                <label>"Section" <input name="form[section]" value=form.section.clone() required placeholder="Inside sales"/></label>
                <label>"Owner"
                    <select name="form[person_id]">
                        <option value="">"Nobody (whole team)"</option>
                        {people.into_iter().map(|p| {
                            let value = p.id.to_string();
                            let selected = value == person;
                            view! { <option value=value selected=selected>{p.name}</option> }
                        }).collect_view()}
                    </select>
                </label>
                <label>"Unit"
                    <select name="form[unit]">
                        {["count", "currency", "percent", "duration"].into_iter().map(|u| view! {
                            <option value=u selected=u == unit_value>{u}</option>
                        }).collect_view()}
                    </select>
                </label>
                <label>"Decimals" <input type="number" min="0" max="4" name="form[decimals]" value=form.decimals.clone()/></label>
                <fieldset>
                    <legend>"Weekly goal"</legend>
                    <label>"Operator"
                        <select name="form[goal_op]">
                            {[("none", "No goal"), ("at_least", "≥ at least"), ("at_most", "≤ at most"), ("equal", "= equal"), ("between", "between")].into_iter().map(|(v, l)| view! {
                                <option value=v selected=v == op>{l}</option>
                            }).collect_view()}
                        </select>
                    </label>
                    <label>"Goal (lower bound for between)" <input name="form[goal_value]" inputmode="decimal" value=form.goal_value.clone()/></label>
                    <label>"Upper bound (between only)" <input name="form[goal_upper]" inputmode="decimal" value=form.goal_upper.clone()/></label>
                    <label>"Yellow band, % of the goal" <input name="form[goal_band]" inputmode="decimal" value=form.goal_band.clone()/></label>
                    <label>"A changed goal applies from the week of (empty: this week)"
                        <input type="date" name="form[goal_effective_from]" value=form.goal_effective_from.clone()/>
                    </label>
                </fieldset>
                <SourceFields source=form.source.clone() siblings/>
                <label>"Preview the week of (empty: this week)"
                    <input type="date" name="week" value=week/>
                </label>
                <div class="form-actions">
                    <button type="submit" class="btn btn-primary">"Save measurable"</button>
                    <button type="submit" class="btn" name="preview" value="1"
                        formaction=here formmethod="get" formnovalidate=true
                        on:click=move |ev| { ev.prevent_default(); run_preview(); }>"Preview"</button>
                </div>
            </ActionForm>
        </section>
        <section class="card preview" id="preview" aria-live="polite">
            <h2>"Preview" {move || preview.pending().get().then_some(view! { <span class="muted">" · updating…"</span> })}</h2>
            {move || match shown() {
                Some(result) => view! { <PreviewPanel result unit decimals/> }.into_any(),
                None => view! { <p class="muted">"Choose where the number comes from, then Preview: the last 13 weeks, the records counted and the ones each filter leaves out."</p> }.into_any(),
            }}
        </section>
        </div>
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
fn SourceFields(source: SourceForm, siblings: Vec<(MeasurableId, String)>) -> impl IntoView {
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
            {text("queue", "Autotask ticket queue is any of (name or id)", source.queue.clone(), "ROC board")}
            <label class="check">
                <input type="checkbox" name="form[source][closed_same_day]" checked=source.closed_same_day.is_some()/>
                " Only tickets closed the local day they were opened (place by ticket completed date)"
            </label>
            <label>"Autotask time entries"
                <select name="form[source][billable]">
                    {[("", "Billable or not"), ("billable", "Billable only"), ("non_billable", "Non-billable only")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=v == source.billable>{l}</option>
                    }).collect_view()}
                </select>
            </label>
            <label>"Aircall calls"
                <select name="form[source][answered]">
                    {[("", "Answered or not"), ("answered", "Answered only"), ("unanswered", "Never answered only")].into_iter().map(|(v, l)| view! {
                        <option value=v selected=v == source.answered>{l}</option>
                    }).collect_view()}
                </select>
            </label>
            {text("min_duration_seconds", "Calls lasting at least (seconds)", source.min_duration_seconds.clone(), "30")}
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
