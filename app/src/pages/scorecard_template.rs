//! `/scorecard/template`: "Start from template" — the sales scorecard, with
//! a person picked for each section.

use leptos::prelude::*;
use leptos_meta::Title;

use crate::api::{ApplyTemplate, TEMPLATE_FIELDS, scorecard_people};

/// What each template section measures, for the form.
const SECTION_HELP: [&str; 5] = [
    "Dials ≥ 125 (from Aircall when it is connected, else HubSpot calls), conversations with a decision maker ≥ 13, first-time appointments set ≥ 1",
    "FTA attended ≥ 1, COI attended ≥ 1, networking events ≥ 1, MRR closed ≥ $500",
    "COI created ≥ 2, COI attended ≥ 2, networking events ≥ 3",
    "Dials ≥ 25, decision-maker conversations ≥ 6, appointments ≥ 1 with contacts in the “Warm 250” list",
    "From Autotask: tickets opened and closed, same-day close rate ≥ 70 %, hours worked, billable hours, utilisation ≥ 60 %",
];

/// The template form.
#[component]
pub fn TemplatePage() -> impl IntoView {
    let apply = ServerAction::<ApplyTemplate>::new();
    let people = Resource::new(|| (), |_| scorecard_people());
    let error = move || {
        apply
            .value()
            .get()
            .and_then(Result::err)
            .map(|e| view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> })
    };
    view! {
        <Title text="Start from template"/>
        <div class="page-head"><h1>"Start from template"</h1></div>
        <p>"The sales scorecard fills itself from HubSpot, Fathom, Autotask and Aircall. Pick who owns each section; every measurable stays editable afterwards."</p>
        {error}
        <Transition fallback=|| view! { <p class="muted">"Loading…"</p> }>
            {move || Suspend::new(async move {
                match people.await {
                    Ok(people) => view! {
                        {people.is_empty().then(|| view! {
                            <p class="alert">"No people yet: they appear once a connected source has synced its users. You can create the scorecard now and pick owners later in each measurable."</p>
                        })}
                        <ActionForm action=apply attr:class="form card">
                            {TEMPLATE_FIELDS.iter().zip(SECTION_HELP).map(|((field, section), help)| view! {
                                <fieldset>
                                    <legend>{*section}</legend>
                                    <p class="muted">{help}</p>
                                    <label>{format!("Owner of {section}")}
                                        <select name=*field>
                                            <option value="">"Nobody yet"</option>
                                            {people.iter().map(|p| view! {
                                                <option value=p.id.to_string()>{p.name.clone()}</option>
                                            }).collect_view()}
                                        </select>
                                    </label>
                                </fieldset>
                            }).collect_view()}
                            <button type="submit" class="btn btn-primary">"Create the sales scorecard"</button>
                        </ActionForm>
                    }.into_any(),
                    Err(e) => view! { <p class="alert alert-error" role="alert">{e.to_string()}</p> }.into_any(),
                }
            })}
        </Transition>
    }
}
